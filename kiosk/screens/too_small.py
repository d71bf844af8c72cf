"""Shown instead of the kiosk while the screen is smaller than 80×24 (the screens are laid out
for at least that much); it goes away by itself when the screen is large enough again."""

from __future__ import annotations

from textual.app import ComposeResult

from kiosk.i18n import N_
from kiosk.screens.base import KioskModal
from kiosk.widgets import TLabel

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(KioskModal[None]):
    """No keys work here except the App's (F2); nothing underneath is lost."""

    def compose(self) -> ComposeResult:
        yield TLabel(N_("The screen is too small for the kiosk: it needs at least 80 columns and 24 "
                        "lines. Use a smaller font or a higher screen resolution."), id="too-small")
