"""Acknowledging a win: what made it work, and optionally a look-for line to share it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.core.records import Record, ValidationError
from kiosk.i18n import N_, _
from kiosk.views.labels import describe_error
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, ReportTextArea
from kiosk.screens import leave

WIN_NOTE_BUDGET = 600
LOOK_FOR_BUDGET = 200


@dataclass
class Acknowledged(Message):
    record: Record | None
    problem: str


class WinDialog(ModalScreen[Record | None]):
    """A win skips the four questions. Returns the acknowledged record, or None."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(N_("Acknowledge a win"), classes="dialog-title")
            yield Static(plain(f"{self.record.id} · {self.record.area}\n{self.record.what_happened}"), classes="hint")
            yield TLabel(N_("What made it work? (optional)"), classes="field-label")
            yield ReportTextArea(id="win-note", max_length=WIN_NOTE_BUDGET)
            yield TLabel(N_("To share it with every team, one line to look for (optional):"), classes="field-label")
            yield KioskInput(id="win-look-for", max_length=LOOK_FOR_BUDGET)
            yield Static("", id="login-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#win-note").focus()
        self.query_one("#win-look-for", KioskInput).placeholder = _("e.g. Prepare the change-over kit before stopping the line")

    @on(ReportTextArea.Submitted)
    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        if self.focused is not None and self.focused.id == "win-note":
            self.query_one("#win-look-for").focus()
            return
        self.query_one("#login-problem", Static).update(plain(_("Saving…")))
        self.save(self.query_one("#win-note", ReportTextArea).text, self.query_one("#win-look-for", KioskInput).value)

    @work(thread=True, exit_on_error=False, group="win")
    def save(self, note: str, look_for: str) -> None:
        app = self.app
        by = app.supervisor.name if app.supervisor else "-"
        try:
            record = app.repo.acknowledge_win(self.record.id, note=note, look_for=look_for,
                                              share_days=app.config.look_for_days, by=by)
        except ValidationError as error:
            self.post_message(Acknowledged(None, describe_error(error)))
        else:
            self.post_message(Acknowledged(record, ""))

    @on(Acknowledged)
    def done(self, message: Acknowledged) -> None:
        if message.record is None:
            self.query_one("#login-problem", Static).update(plain(message.problem))
            return
        leave(self, message.record)

    def action_cancel(self) -> None:
        leave(self, None)
