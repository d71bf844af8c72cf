"""The printer, for admins: its setting, a test slip, the follow-up list, reprinting any record,
and the recent print jobs with what became of each."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from kiosk.health import decimal, job_state, printer_words
from kiosk.i18n import N_, _
from kiosk.printing.spool import PrintJob
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.dates import show_date
from kiosk.views.labels import slip_label
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList

#: Why a job was not printed, in a few words for its line in the list (Enter on it opens the
#: job, where the whole sentence says what to do).
_PROBLEM_WORDS = {
    "off": N_("the printer does not answer"),
    "refused": N_("connection refused"),
    "stuck": N_("the printer is not taking it"),
    "no_paper": N_("out of paper"),
    "cover_open": N_("cover open"),
    "offline": N_("printer not ready"),
    "not_found": N_("printer not found"),
    "permission": N_("not allowed to use the printer"),
    "lost": N_("connection lost"),
    "setup": N_("the printer setting does not work"),
    "storage": N_("could not be saved"),
    "missing": N_("no such record"),
    "no_team": N_("no such Learning Team"),
    "session_open": N_("the meeting has started"),
    "no_review": N_("no finished review"),
    "interrupted": N_("the kiosk stopped"),
}


@dataclass
class Found(Message):
    """A number looked up to reprint (None: nothing has it): a record's, or a Learning Team's or
    an after-action review's (``kinds``: the slips it has, the first shown)."""

    record_id: str | None
    reviewed: bool = False
    kinds: tuple[str, ...] = ()


class PrinterAdminScreen(KioskScreen[None]):
    BINDINGS = [
        Binding("enter", "open", N_("Open")),
        Binding("f3", "slip('test')", N_("Test slip")),
        Binding("f4", "slip('followups')", N_("Follow-up list")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[PrintJob] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="printer-admin"):
            yield TLabel(N_("Printer"), classes="dialog-title")
            yield Static("", id="printer-setting", markup=False)
            yield TLabel(N_("Print a record again: type its number and press Enter"), classes="field-label")
            yield KioskInput(id="reprint-id", max_length=20)
            yield TLabel(N_("Print jobs, newest first (Enter opens one)"), classes="field-label")
            yield KioskOptionList(id="job-list")
            yield Static("", id="printer-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#reprint-id").focus()
        self.retranslate()

    def on_screen_resume(self) -> None:
        self.retranslate()

    def tracked_jobs(self) -> frozenset[int]:
        return frozenset(job.number for job in self.jobs)

    def on_print_job_changed(self) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        printer = self.kiosk.config.printer
        self.query_one("#printer-setting", Static).update(plain(
            _("Printer: {printer}").format(printer=printer_words(printer.spec)) + "\n" + _(
                "Model {model} · code page {page} · {columns} columns · waits up to {timeout} s · "
                "status checks: {status}").format(
                model=printer.profile or _("generic"), page=printer.code_page, columns=printer.columns,
                timeout=decimal(printer.timeout), status=_("on") if printer.check_status else _("off"))))
        self.jobs = list(reversed(self.kiosk.printing().jobs()))[:100] if self.kiosk.printer_ready() else []
        options = self.query_one("#job-list", KioskOptionList)
        options.set_options(Option(plain(self._job_line(job))) for job in self.jobs)

    def _job_line(self, job: PrintJob) -> str:
        what = slip_label(job.slip) + (f" {job.records[0]}" if len(job.records) == 1 else "")
        state = job_state(job.state)
        if job.problem and job.state != "sent":
            state += f" ({_(_PROBLEM_WORDS[job.problem]) if job.problem in _PROBLEM_WORDS else job.problem})"
        if job.copy:
            state += " · " + _("copy {number}").format(number=job.copy)
        return f"#{job.number} · {show_date(job.updated_at, with_time=True)} · {what} · {state}"

    @on(KioskInput.Submitted, "#reprint-id")
    def typed_id(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        from kiosk.screens.printing import PrintScreen

        if self.focused is self.query_one("#job-list"):
            index = self.query_one("#job-list", KioskOptionList).highlighted
            if index is not None and index < len(self.jobs):
                job = self.jobs[index]
                self.app.push_screen(PrintScreen(job.slip, job.records))
            return
        typed = self.query_one("#reprint-id", KioskInput).value.strip()
        if typed:
            self.find(typed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="printer-admin")
    def find(self, typed: str) -> None:
        repo = self.kiosk.repo
        record = repo.get(typed)
        if record is not None:
            self.post_message(Found(record.id, reviewed=record.review is not None and not record.review.draft))
            return
        team = repo.team(typed)
        if team is not None:
            self.post_message(Found(team.id, kinds=("story", "soak") if team.look_fors else ("soak", "story")))
            return
        aar = repo.aar(typed)  # (its invitations: each printed again gets a new code)
        self.post_message(Found(aar.id, kinds=("invitations",)) if aar is not None else Found(None))

    @on(Found)
    def found(self, message: Found) -> None:
        from kiosk.screens.printing import PrintScreen

        if message.record_id is None:
            self._problem(_("There is no record with that number. Numbers look like QPC-GB8."))
            return
        self._problem("")
        kinds = message.kinds or (("review", "receipt") if message.reviewed else ("receipt",))
        self.app.push_screen(PrintScreen(kinds[0], (message.record_id,), others=kinds[1:]))

    def action_slip(self, kind: str) -> None:
        from kiosk.screens.printing import PrintScreen

        self.app.push_screen(PrintScreen(kind))

    def action_back(self) -> None:
        leave(self)

    def _problem(self, text: str) -> None:
        self.query_one("#printer-problem", Static).update(plain(text))
