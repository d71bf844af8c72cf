"""The review queue: reports waiting for their review, oldest first, with age and kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from kiosk.core.records import Kind, Record, ValidationError
from kiosk.core.text import shorten
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.screens.dialogs.win import WinAnswer, WinDialog
from kiosk.storage import StorageError
from kiosk.views.labels import describe_error, describe_storage_problem, kind_label
from kiosk.widgets import KioskFooter, plain
from kiosk.widgets.inputs import KioskOptionList

DRAFT = N_("draft")
REOPENED = N_("a new cycle of an earlier record")


def age_text(created_at: str, today: date) -> str:
    days = (today - datetime.fromisoformat(created_at).date()).days
    if days <= 0:
        return _("today")
    return ngettext("{n} day ago", "{n} days ago", days).format(n=days)


@dataclass
class QueueLoaded(Message):
    records: list[Record]


@dataclass
class ReviewLookedUp(Message):
    """A report chosen to review, with the earlier change it repeats and the cycle it reopens."""

    record: Record
    earlier: Record | None
    previous: Record | None


@dataclass
class WinSaved(Message):
    """A win's acknowledgement was saved (``record``), or not (``problem``, with the answer)."""

    record: Record
    answer: WinAnswer
    saved: Record | None
    problem: str = ""


class ReviewQueueScreen(KioskScreen[None]):
    """Choose a report to review. Supervisors only (the caller signs them in)."""

    BINDINGS = [
        Binding("enter", "review", N_("Review")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.records: list[Record] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="queue"):
            yield Static("", id="queue-title", markup=False)
            yield KioskOptionList(id="queue-list")
            yield Static("", id="queue-empty", markup=False)
        yield KioskFooter()

    def on_screen_resume(self) -> None:
        self.load()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def load(self) -> None:
        self.post_message(QueueLoaded(self.kiosk.repo.review_queue()))

    @on(QueueLoaded)
    def loaded(self, message: QueueLoaded) -> None:
        self.records = message.records
        self.retranslate()
        self.query_one("#queue-list").focus()

    def retranslate(self) -> None:
        today = self.kiosk.clock().date()
        count = len(self.records)
        self.query_one("#queue-title", Static).update(
            ngettext("{n} report waiting for review, oldest first",
                     "{n} reports waiting for review, oldest first", count).format(n=count))
        self.query_one("#queue-list", KioskOptionList).show_lines(
            plain(f"{r.id}  {kind_label(r.kind)} · {r.area} · {age_text(r.created_at, today)}"
                  + (f" · {_(DRAFT)}" if r.review and r.review.draft else "")
                  + (f" · {_(REOPENED)}" if any(link.rel == "reopened_from" for link in r.links) else "")
                  + f"\n   {shorten(r.what_happened, 60)}")
            for r in self.records)
        self.query_one("#queue-empty", Static).update(
            "" if count else _("Nothing is waiting for review."))

    @on(KioskOptionList.OptionSelected, "#queue-list")
    def chosen(self) -> None:
        self.action_review()

    def action_review(self) -> None:
        index = self.query_one("#queue-list", KioskOptionList).highlighted
        if index is None or index >= len(self.records):
            return
        self.open_review(self.records[index])

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-open")
    def open_review(self, record: Record) -> None:
        """Look up whether it repeats a change that held (then the review starts by asking
        why it did not), and open the wizard — or, for a win, the acknowledgement."""
        earlier = self.kiosk.repo.earlier_change_that_held(record)
        previous = self.kiosk.repo.previous_cycle(record)
        self.post_message(ReviewLookedUp(record, earlier, previous))

    @on(ReviewLookedUp)
    def push_wizard(self, message: ReviewLookedUp) -> None:
        if message.record.kind == Kind.WIN:
            self._ask_win(message.record)
            return
        from kiosk.screens.review import ReviewWizard

        self.app.push_screen(ReviewWizard(message.record, message.earlier, message.previous))

    # -- wins ------------------------------------------------------------------------------

    def _ask_win(self, record: Record, answer: WinAnswer | None = None, problem: str = "") -> None:
        def answered(given: WinAnswer | None) -> None:
            if given is not None:
                self.acknowledge(record, given)

        self.app.push_screen(WinDialog(record, answer=answer, problem=problem), answered)

    @work(thread=True, exit_on_error=False, group="queue-win")
    def acknowledge(self, record: Record, answer: WinAnswer) -> None:
        """Save the acknowledgement the dialog gave (off the UI thread)."""
        kiosk = self.kiosk
        by = kiosk.supervisor.name if kiosk.supervisor else "-"
        try:
            saved = kiosk.repo.acknowledge_win(record.id, note=answer.note, look_for=answer.look_for,
                                               share_days=kiosk.config.look_for_days, by=by)
        except ValidationError as error:
            self.post_message(WinSaved(record, answer, None, describe_error(error)))
        except StorageError as error:
            self.post_message(WinSaved(record, answer, None, _("Not saved: {problem}").format(
                problem=describe_storage_problem(error))))
        else:
            self.post_message(WinSaved(record, answer, saved))

    @on(WinSaved)
    def win_saved(self, message: WinSaved) -> None:
        if message.saved is None:
            if self.is_attached and self.app.screen is self:
                self._ask_win(message.record, message.answer, message.problem)  # what was written is kept
            else:
                self.notify(message.problem, severity="warning", markup=False)
            return
        self.notify(_("Win {id} acknowledged.").format(id=message.saved.id), markup=False)
        self.load()

    def action_back(self) -> None:
        leave(self)
