"""One record's one-page view: what a scanned slip opens when no follow-up is due.

Operators see it without names (the reporter and the history are for supervisors). From here:
print its slips, and its follow-up when one is due (supervisor PIN).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk.core.following import is_due
from kiosk.core.records import Record
from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.onepage import as_text, one_page
from kiosk.widgets import SCROLL_BINDINGS, KioskFooter, ScrollKeys, plain


@dataclass
class RecordLoaded(Message):
    record: Record | None


class RecordScreen(ScrollKeys, KioskScreen[None]):
    """The one-page view of ``record_id``."""

    SCROLLS = "record-page"

    BINDINGS = [
        Binding("p", "print", N_("Print")),
        Binding("f", "follow_up", N_("Follow-up")),
        # Said on the line above the page: at 80 columns the footer has no room left.
        Binding("a", "aar", N_("After-action review"), show=False),
        *SCROLL_BINDINGS,
        Binding("escape", "back", N_("Back")),
    ]

    #: A slip scanned here opens that record instead (see KioskApp.scanned).
    accepts_scans = True

    def __init__(self, record_id: str) -> None:
        super().__init__()
        self.record_id = record_id
        self.record: Record | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="record"):
            yield Static("", id="record-due", markup=False)
            with VerticalScroll(id="record-page", can_focus=False):
                yield Static("", id="record-text", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="record")
    def load(self) -> None:
        self.post_message(RecordLoaded(self.kiosk.repo.get(self.record_id)))

    @on(RecordLoaded)
    def loaded(self, message: RecordLoaded) -> None:
        self.record = message.record
        self.retranslate()

    def due(self) -> bool:
        return self.record is not None and is_due(self.record, self.kiosk.clock().date())

    def retranslate(self) -> None:
        record = self.record
        if record is None:
            return
        names = self.kiosk.supervisor is not None
        self.query_one("#record-text", Static).update(plain(as_text(one_page(record, show_reporter=names))))
        due = ""
        if self.due():  # (a supervisor already signed in is not asked for a PIN again)
            due = (_("Its follow-up is due: F opens it.") if names
                   else _("Its follow-up is due: F opens it (supervisor PIN)."))
        aar = (_("A: an after-action review of this record.") if names
               else _("A: an after-action review of this record (supervisor PIN)."))
        self.query_one("#record-due", Static).update(f"{due}\n{aar}" if due else aar)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_up":
            return self.due()
        if action == "print":
            return self.record is not None
        return True

    def action_print(self) -> None:
        from kiosk.screens.printing import PrintScreen

        record = self.record
        if record is None:
            return
        reviewed = record.review is not None and not record.review.draft
        kinds = ("review", "receipt") if reviewed else ("receipt",)
        self.app.push_screen(PrintScreen(kinds[0], (record.id,), others=kinds[1:]))

    def action_follow_up(self) -> None:
        if self.due():
            self.kiosk.open_follow_up(self.record_id)

    def action_aar(self) -> None:
        """A supervisor opens this record's after-action review (or a new one)."""
        if self.record is None:
            return
        record_id = self.record.id

        def open_it(_supervisor: object) -> None:
            from kiosk.screens.aar import AarOpenScreen, AarScreen

            found = self.kiosk.repo.aars_of(record_id)
            self.app.push_screen(AarScreen(found[0].id) if found else AarOpenScreen(record_id))

        self.kiosk.with_supervisor(open_it, admin=False, title=N_("After-action review: supervisor PIN"))

    def action_back(self) -> None:
        leave(self)
