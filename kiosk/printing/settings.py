"""The printer settings, as printing needs them (``kiosk.config`` reads them from the file and
checks them; printing only uses them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PrinterConfig:
    """Which printer, and how slips are laid out for it (``[printer]`` in the config file)."""

    spec: str = "preview"
    columns: int = 42
    profile: str = ""
    code_page: str = "CP858"
    timeout: float = 5.0
    native_qr: bool = False
    check_status: bool = True


class SpoolSettings(Protocol):
    """What the print spooler reads of the kiosk's configuration (``kiosk.config.Config``)."""

    @property
    def printer(self) -> PrinterConfig:
        """The printer and its paper."""

    @property
    def link_base_url(self) -> str:
        """The start of every QR code's link."""
