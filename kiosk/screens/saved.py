"""After a report is saved: its id, a thank-you, the offer of a receipt, and the way back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from kiosk.core.records import Record
from kiosk.i18n import N_
from kiosk.screens.base import KioskScreen, leave
from kiosk.widgets import KioskFooter, TLabel


class SavedScreen(KioskScreen[None]):
    """The record's id, big, and thanks; P prints a receipt. Enter or Esc returns to Home."""

    BINDINGS = [
        Binding("p", "receipt", N_("Print a receipt")),
        Binding("enter,escape", "home", N_("Home")),
    ]

    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical(id="saved"):
            yield TLabel(N_("Thank you! Your report is saved."), id="saved-thanks")
            yield TLabel(N_("Its number is"), classes="hint")
            yield Static(self.record.id, id="saved-id", markup=False)
            yield TLabel(
                N_("Reporting what happens is how we all learn. A supervisor will review it "
                   "with the team, looking at conditions, never at people."),
                classes="hint",
            )
            yield TLabel(N_("Press P to print a receipt with a code to follow it."), id="saved-print")
        yield KioskFooter()

    def action_receipt(self) -> None:
        from kiosk.screens.printing import PrintScreen

        self.app.push_screen(PrintScreen("receipt", (self.record.id,), start=True))

    def action_home(self) -> None:
        leave(self)
