"""Acknowledging a win: what made it work, and optionally a look-for line to share it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from kiosk.core.records import LOOK_FOR_MAX, Record
from kiosk.i18n import N_, _
from kiosk.screens.base import KioskModal, leave
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, ReportTextArea

WIN_NOTE_BUDGET = 600


@dataclass(frozen=True)
class WinAnswer:
    """What the supervisor wrote: what made the win work, and the look-for line ("" for none)."""

    note: str
    look_for: str


class WinDialog(KioskModal[WinAnswer | None]):
    """A win skips the four questions. Returns the answer (the caller saves it), or None.

    ``answer`` and ``problem``: opened again after a save that failed, with what was written.
    """

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, record: Record, *, answer: WinAnswer | None = None, problem: str = "") -> None:
        super().__init__()
        self.record = record
        self.answer = answer or WinAnswer("", "")
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(N_("Acknowledge a win"), classes="dialog-title")
            # Who reported it, so the supervisor can thank them (walk item 40): only supervisors
            # open this dialog, and they see names.
            reporter = self.record.reporter or _("anonymous")
            yield Static(plain(f"{self.record.id} · {self.record.area} · {reporter}\n{self.record.what_happened}"),
                         classes="hint")
            yield TLabel(N_("What made it work? (optional)"), classes="field-label")
            yield ReportTextArea(id="win-note", max_length=WIN_NOTE_BUDGET, text=self.answer.note)
            yield TLabel(N_("To share it with every team, one line to look for (optional):"), classes="field-label")
            yield KioskInput(self.answer.look_for, id="win-look-for", max_length=LOOK_FOR_MAX)
            yield Static(plain(self.problem), id="login-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#win-note").focus()
        self.query_one("#win-look-for", KioskInput).placeholder = _(
            "e.g. Prepare the change-over kit before stopping the line")

    @on(ReportTextArea.Submitted)
    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        if self.focused is not None and self.focused.id == "win-note":
            self.query_one("#win-look-for").focus()
            return
        leave(self, WinAnswer(self.query_one("#win-note", ReportTextArea).text,
                              self.query_one("#win-look-for", KioskInput).value))

    def action_cancel(self) -> None:
        leave(self, None)
