"""The review queue: reports waiting for their review, oldest first, with age and kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets.option_list import Option

from kiosk.core.records import Record
from kiosk.i18n import N_, _, ngettext
from kiosk.views.labels import kind_label
from kiosk.core.text import shorten
from kiosk.widgets import KioskFooter, plain
from kiosk.widgets.inputs import KioskOptionList
from kiosk.screens import leave


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


class ReviewQueueScreen(Screen):
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
        self.post_message(QueueLoaded(self.app.repo.review_queue()))

    @on(QueueLoaded)
    def loaded(self, message: QueueLoaded) -> None:
        self.records = message.records
        self.retranslate()
        self.query_one("#queue-list").focus()

    def retranslate(self) -> None:
        today = self.app.clock().date()
        count = len(self.records)
        self.query_one("#queue-title", Static).update(
            ngettext("{n} report waiting for review, oldest first",
                     "{n} reports waiting for review, oldest first", count).format(n=count))
        options = self.query_one("#queue-list", KioskOptionList)
        highlighted = options.highlighted
        options.set_options(
            Option(plain(
                f"{r.id}  {kind_label(r.kind)} · {r.area} · {age_text(r.created_at, today)}"
                + (f" · {_(DRAFT)}" if r.review and r.review.draft else "")
                + (f" · {_(REOPENED)}" if any(link.rel == "reopened_from" for link in r.links) else "")
                + f"\n   {shorten(r.what_happened, 60)}"
            ))
            for r in self.records
        )
        options.highlighted = highlighted if highlighted is not None and highlighted < count else (0 if count else None)
        options.display = bool(count)
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
        earlier = self.app.repo.earlier_change_that_held(record)
        previous = self.app.repo.previous_cycle(record)
        self.app.call_from_thread(self._push_wizard, record, earlier, previous)

    def _push_wizard(self, record: Record, earlier: Record | None, previous: Record | None = None) -> None:
        if record.kind == "win":
            from kiosk.screens.dialogs.win import WinDialog

            def acknowledged(done: Record | None) -> None:
                if done is not None:
                    self.app.notify(_("Win {id} acknowledged.").format(id=done.id), markup=False)
                    self.load()

            self.app.push_screen(WinDialog(record), acknowledged)
            return
        from kiosk.screens.review import ReviewWizard

        self.app.push_screen(ReviewWizard(record, earlier, previous))

    def action_back(self) -> None:
        leave(self)
