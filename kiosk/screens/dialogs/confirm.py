"""A yes/no question before something that cannot be undone: Enter does it, Esc does not.

Esc is the safe answer on purpose: an Esc pressed once too often (gloves, a storm of them)
keeps what was there.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from kiosk.i18n import N_
from kiosk.screens.base import KioskModal, leave
from kiosk.widgets import KioskFooter, TLabel


class ConfirmDialog(KioskModal[bool]):
    """``title`` and ``detail`` are message ids; returns True for Enter, False for Esc."""

    BINDINGS = [
        Binding("enter", "answer(True)", N_("Yes")),
        Binding("escape", "answer(False)", N_("No, go back")),
    ]

    def __init__(self, title: str, detail: str, *, yes: str = N_("Yes"), no: str = N_("No, go back")) -> None:
        super().__init__()
        self.title_message = title
        self.detail = detail
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(self.title_message, classes="dialog-title")
            yield TLabel(self.detail, classes="dialog-detail")
        yield KioskFooter()

    def describe_binding(self, binding: Binding) -> str | None:
        from kiosk.i18n import _

        if binding.action == "answer(True)":
            return _(self.yes)
        if binding.action == "answer(False)":
            return _(self.no)
        return None  # (F2 and the App's other keys keep their own words)

    def action_answer(self, yes: bool) -> None:
        leave(self, yes)
