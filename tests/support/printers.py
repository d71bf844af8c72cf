"""A print spooler on a test printer, with a short timeout."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kiosk.config import Config
from kiosk.printing.spool import PrintSpooler
from tests.support.clock import fixed_clock

TIMEOUT = 1.0


def spooler_for(repo: Any, spec: str, **printer: Any) -> PrintSpooler:
    config = Config()
    settings = replace(config.printer, spec=spec, timeout=TIMEOUT, **printer)
    return PrintSpooler(repo, config, repo.store.folder, fixed_clock, printer=settings)
