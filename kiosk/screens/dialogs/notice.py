"""A notice people must read (e.g. what was restored at start); Enter or Esc closes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from kiosk.i18n import N_
from kiosk.screens.base import KioskModal, leave
from kiosk.widgets import KioskFooter, TLabel, plain


class NoticeDialog(KioskModal[None]):
    """A title and lines of text; any of Enter/Esc closes it."""

    BINDINGS = [Binding("enter,escape", "close", N_("Close"))]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_message = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(self.title_message, classes="dialog-title")
            for line in self.lines:
                yield Static(plain(line), classes="dialog-detail")
        yield KioskFooter()

    def action_close(self) -> None:
        leave(self, None)
