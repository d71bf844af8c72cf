"""Print preview and printing: the slip exactly as it prints, and what became of the job.

One screen for every slip. It shows the slip at the configured width with its QR codes (a
phone can scan them off the screen), sends it with P, follows the job (the printer worker
posts every change), explains a failure plainly with R to try again, and when the outcome is
unknown asks whether the slip came out before printing it again (marked as a copy).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk import i18n
from kiosk.i18n import N_, _
from kiosk.printing.outcome import describe_job
from kiosk.printing.slips import Slip
from kiosk.printing.spool import PrintJob
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.labels import describe_print_problem, slip_label
from kiosk.widgets import SCROLL_BINDINGS, KioskFooter, ScrollKeys, plain
from kiosk.widgets.slip import SlipView


@dataclass
class PrintJobChanged(Message):
    """The printer worker changed a job's state (posted by the App on the UI thread)."""

    job: PrintJob


@dataclass
class SlipReady(Message):
    slip: Slip | None
    problem: str = ""


class PrintScreen(ScrollKeys, KioskScreen[None]):
    """A slip of ``kind`` for ``records``; ``start`` prints at once (after a report)."""

    SCROLLS = "print-paper"
    BINDINGS = [
        Binding("p", "print", N_("Print")),
        Binding("r", "retry", N_("Try again")),
        Binding("y", "answer(True)", N_("It printed")),
        Binding("n", "answer(False)", N_("Print again")),
        Binding("s", "other_slip", N_("Other slip")),
        *SCROLL_BINDINGS,
        Binding("escape", "back", N_("Back")),
    ]

    accepts_scans = True

    def __init__(self, kind: str, records: tuple[str, ...] = (), *, start: bool = False,
                 heading: tuple[str, dict] | None = None, others: tuple[str, ...] = ()) -> None:
        """``heading``: a message id and its values, said above the slip; ``others``: further
        slip kinds S switches to (a record's receipt and one-pager)."""
        super().__init__()
        self.kind = kind
        self.records = tuple(records)
        self.start = start
        self.heading = heading
        self.kinds = (kind, *tuple(k for k in others if k != kind))
        self.job: PrintJob | None = None
        self.slip: Slip | None = None

    def tracked_jobs(self) -> frozenset[int]:
        return frozenset({self.job.number}) if self.job is not None else frozenset()

    def compose(self) -> ComposeResult:
        with Vertical(id="print"):
            yield Static("", id="print-heading", markup=False)
            yield Static("", id="print-status", markup=False)
            with VerticalScroll(id="print-paper", can_focus=False):
                yield SlipView(id="slip")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.retranslate()
        self.load_slip()
        if self.start:
            self.action_print()

    def retranslate(self) -> None:
        printer = self.kiosk.config.printer
        title = slip_label(self.kind) + (f" {self.records[0]}" if len(self.records) == 1 else "")
        from kiosk.health import printer_words

        line = _("{title} — as it prints: {columns} columns, code page {page}; printer: {printer}.").format(
            title=title, columns=printer.columns, page=printer.code_page, printer=printer_words(printer.spec))
        if self.heading is not None:
            message, values = self.heading
            line = _(message).format(**values) + "\n" + line
        self.query_one("#print-heading", Static).update(plain(line))
        self._show_status()

    @work(thread=True, exclusive=True, exit_on_error=False, group="slip")
    def load_slip(self) -> None:
        from kiosk.printing.devices import PrintFailure

        spooler = self.kiosk.printing()
        try:
            slip = spooler.preview(self.kind, self.records, language=i18n.language())
        except PrintFailure as failure:
            self.post_message(SlipReady(None, describe_print_problem(failure.code, detail=failure.detail)))
        else:
            self.post_message(SlipReady(slip))

    @on(SlipReady)
    def slip_ready(self, message: SlipReady) -> None:
        self.slip = message.slip
        self.query_one(SlipView).show(message.slip)
        if message.problem:
            self.query_one("#print-status", Static).update(plain(message.problem))
        self.refresh_bindings()

    # -- the job ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.job.state if self.job is not None else ""
        # Keys that do not apply now are left out of the footer (False); Print is dimmed (None)
        # while a job is on its way.
        if action == "print":
            if state in ("unknown", "failed"):
                return False
            return True if self.slip is not None and state not in ("queued", "sending") else None
        if action == "retry":
            return state == "failed"
        if action == "answer":
            return state == "unknown"
        if action == "other_slip":
            return len(self.kinds) > 1 and (True if state not in ("queued", "sending") else None)
        return True

    def action_print(self) -> None:
        if self.job is not None and self.job.state in ("queued", "sending", "unknown", "failed"):
            return
        spooler = self.kiosk.printing()
        earlier = spooler.last_job(self.kind, self.records)
        if earlier is not None and earlier.state == "unknown":
            self.job = earlier  # ask first: it may have printed after all
        else:
            if self.job is not None:
                self.load_slip()  # printing it again: the preview shows the copy mark
            self.job = spooler.request(self.kind, self.records, language=i18n.language(),
                                       by=self.kiosk.supervisor.name if self.kiosk.supervisor else "operator")
        self._show_status()
        self.refresh_bindings()

    def action_retry(self) -> None:
        if self.job is not None and self.job.state == "failed":
            self.job = self.kiosk.printing().retry(self.job.number)
            self._show_status()
            self.refresh_bindings()

    def action_answer(self, printed: bool) -> None:
        if self.job is None or self.job.state != "unknown":
            return
        if printed:
            self.confirm(self.job.number)
        else:
            self.job = self.kiosk.printing().retry(self.job.number)
        self._show_status()
        self.refresh_bindings()

    @work(thread=True, exit_on_error=False, group="print-confirm")
    def confirm(self, number: int) -> None:
        self.kiosk.printing().confirm(number)  # a durable write: off the UI thread

    def action_other_slip(self) -> None:
        index = self.kinds.index(self.kind)
        self.kind = self.kinds[(index + 1) % len(self.kinds)]
        self.job = None
        self.retranslate()
        self.load_slip()
        self.refresh_bindings()

    @on(PrintJobChanged)
    def job_changed(self, message: PrintJobChanged) -> None:
        if self.job is not None and message.job.number == self.job.number:
            self.job = message.job
            self._show_status()
            self.refresh_bindings()
            printed = self.kiosk.printing().issued(message.job.number) if message.job.finished else None
            if printed is not None:  # invitations: the codes made as they printed
                self.slip = printed
                self.query_one(SlipView).show(printed)

    def _show_status(self) -> None:
        status = self.query_one("#print-status", Static)
        status.set_class(self.job is not None and self.job.state in ("failed", "unknown"), "problem")
        if self.job is None:
            status.update(_("P: print this slip."))
        else:
            status.update(plain(describe_job(self.job)))

    def action_back(self) -> None:
        leave(self)
