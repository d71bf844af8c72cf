"""Follow-ups: the queue (overdue, due today, the next days) and the follow-up itself.

The follow-up asks, one step at a time: was the change made? did it work? has it happened
again (the records already linked as recurrences are listed, and more can be linked by number)?
notes; then the outcome: close, extend to a new date with a reason, or reopen as a new cycle
that goes back to the review queue. Supervisors only (the caller signs them in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, Static
from textual.widgets.option_list import Option

from kiosk.core.following import NOTES_MAX, REASON_MAX
from kiosk.core.records import UPCOMING_DAYS, FollowUp, Outcome, Record, Status, ValidationError
from kiosk.core.teams import CHANGE_CLOSED, CHANGE_REOPENED, Change, Team
from kiosk.core.text import shorten
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.storage import StorageError
from kiosk.views.dates import example_date, show_date, to_iso
from kiosk.views.labels import describe_error, describe_storage_problem
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList, ReportTextArea


def due_text(state: str, when: date | None, today: date) -> str:
    if when is None:
        return ""
    days = (today - when).days
    if state == "overdue":
        return ngettext("overdue by {n} day", "overdue by {n} days", days).format(n=days)
    if state == "today":
        return _("due today")
    return ngettext("due in {n} day", "due in {n} days", -days).format(n=-days)


def queue_line(state: str, record: Record, today: date, width: int) -> str:
    """A record in the queue, on two lines that fit ``width`` columns: its number, area and
    when it is due; then, indented, the change cut short so its owner still fits whole (a
    long change once pushed the owner's surname to the start of a third line, walk item 17)."""
    first = f"{record.id}  {record.area} · {due_text(state, record.follow_up_date, today)}"
    review = record.review
    room = max(width - 3, 40)  # (after the indent)
    owner = shorten(review.action.owner, room - 23) if review and review.action.owner else ""
    tail = f" · {owner}" if owner else ""
    change = review.action.text if review else record.what_happened
    return first + "\n   " + shorten(change, room - len(tail)) + tail


@dataclass
class QueueLoaded(Message):
    items: list[tuple[str, Record | TeamChange]]


@dataclass(frozen=True)
class TeamChange:
    """A Learning Team's change in the queue, beside the records' (the same follow-up)."""

    team: Team
    index: int

    @property
    def id(self) -> str:
        return f"{self.team.id}/{self.index + 1}"

    @property
    def change(self) -> Change:
        return self.team.changes[self.index]


def team_queue_line(state: str, item: TeamChange, today: date, width: int) -> str:
    change = item.change
    first = (f"{item.team.id}  {item.team.area} · " + _("Learning Team") + " · "
             + due_text(state, date.fromisoformat(change.follow_up_date), today))
    room = max(width - 3, 40)
    owner = shorten(change.action.owner, room - 23) if change.action.owner else ""
    tail = f" · {owner}" if owner else ""
    return first + "\n   " + shorten(change.action.text, room - len(tail)) + tail


def merged_queue(records: list[tuple[str, Record]], teams: list[tuple[Team, int]], today: date,
                 upcoming_days: int = UPCOMING_DAYS) -> list[tuple[str, Record | TeamChange]]:
    """Records and Learning Teams' changes in one queue: the most overdue first."""
    items: list[tuple[str, str, Record | TeamChange]] = [
        (record.follow_up_date.isoformat() if record.follow_up_date else "", state, record)
        for state, record in records]
    for team, index in teams:
        when = team.changes[index].follow_up_date
        day = date.fromisoformat(when)
        state = "overdue" if day < today else "today" if day == today else "upcoming"
        items.append((when, state, TeamChange(team, index)))
    items.sort(key=lambda item: item[0])
    return [(state, item) for _when, state, item in items]


class FollowUpQueueScreen(KioskScreen[None]):
    """Overdue first, then due today, then the next ``UPCOMING_DAYS`` days."""

    BINDINGS = [
        Binding("enter", "open", N_("Follow up")),
        Binding("v", "view", N_("View")),
        Binding("f4", "print_list", N_("Print the list")),
        Binding("escape", "back", N_("Back")),
    ]

    accepts_scans = True

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, Record | TeamChange]] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="queue"):
            yield Static("", id="queue-title", markup=False)
            yield KioskOptionList(id="follow-up-list")
            yield Static("", id="queue-empty", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow-up-queue")
    def load(self) -> None:
        repo, today = self.kiosk.repo, self.kiosk.clock().date()
        teams = repo.team_changes_due(today + timedelta(days=UPCOMING_DAYS))
        self.post_message(QueueLoaded(merged_queue(repo.follow_up_queue(today), teams, today)))

    @on(QueueLoaded)
    def loaded(self, message: QueueLoaded) -> None:
        self.items = message.items
        self.retranslate()
        self.query_one("#follow-up-list").focus()

    def retranslate(self) -> None:
        today = self.kiosk.clock().date()
        due = sum(1 for state, _r in self.items if state != "upcoming")
        self.query_one("#queue-title", Static).update(
            ngettext("{n} follow-up due, the most overdue first; then the next {days} days",
                     "{n} follow-ups due, the most overdue first; then the next {days} days", due).format(
                n=due, days=UPCOMING_DAYS))
        width = self._text_width()
        count = self.query_one("#follow-up-list", KioskOptionList).show_lines(
            plain(team_queue_line(state, r, today, width) if isinstance(r, TeamChange)
                  else queue_line(state, r, today, width)) for state, r in self.items)
        empty = _("No follow-up is due in the next {days} days.").format(days=UPCOMING_DAYS)
        self.query_one("#queue-empty", Static).update("" if count else empty)

    def on_resize(self) -> None:
        if self.items:  # (once the list has its new width)
            self.call_after_refresh(self.retranslate)

    def _text_width(self) -> int:
        """The columns a row of the list has: its width inside the border, less the rows'
        padding and a scroll bar, shown or not yet (72 at 80 columns, and before the first
        layout)."""
        options = self.query_one("#follow-up-list", KioskOptionList)
        width = options.size.width - 2 - (0 if options.show_vertical_scrollbar else 2)
        return width if width > 20 else 72

    def _chosen(self) -> tuple[str, Record | TeamChange] | None:
        index = self.query_one("#follow-up-list", KioskOptionList).highlighted
        if index is None or index >= len(self.items):
            return None
        return self.items[index]

    @on(KioskOptionList.OptionSelected, "#follow-up-list")
    def selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        state, record = chosen
        if state == "upcoming":
            self.notify(_("Its follow-up is not due yet."), markup=False)
            self.action_view()
            return
        if isinstance(record, TeamChange):
            self.app.push_screen(TeamChangeFollowUpScreen(record.team.id, record.index))
            return
        self.kiosk.open_follow_up(record.id)

    def action_view(self) -> None:
        from kiosk.screens.record import RecordScreen

        chosen = self._chosen()
        if chosen is not None and isinstance(chosen[1], TeamChange):
            from kiosk.screens.teams import StoryScreen

            self.app.push_screen(StoryScreen(chosen[1].team.id))
        elif chosen is not None:
            self.app.push_screen(RecordScreen(chosen[1].id))

    def action_print_list(self) -> None:
        from kiosk.screens.printing import PrintScreen

        self.app.push_screen(PrintScreen("followups"))

    def action_back(self) -> None:
        leave(self)


# -- the follow-up ------------------------------------------------------------------------------

STEPS = (
    ("done", N_("1 of 4 · Was the change made?")),
    ("worked", N_("2 of 4 · Did it work?")),
    ("again", N_("3 of 4 · Has it happened again?")),
    ("notes", N_("4 of 4 · Notes (optional)")),
    ("outcome", N_("And now?")),
    ("extend", N_("Extend: the new follow-up date and why")),
)
OUTCOMES = (
    ("closed", N_("Close: the follow-up is done")),
    ("extended", N_("Extend to a new date (with a reason)")),
    ("reopened", N_("Reopen: a new cycle goes back to review")),
)
WORKED_CHOICES = {"yes": N_("Yes"), "too_early": N_("Too early to tell"), "no": N_("No")}
DONE_CHOICES = {"yes": N_("Yes"), "partly": N_("Partly"), "no": N_("No")}


@dataclass
class FollowUpData(Message):
    record: Record | None
    recurrences: list[Record]
    problem: str = ""
    linked: bool = False  # a record was just linked: clear the number typed


@dataclass
class FollowUpSaved(Message):
    record: Record | None
    reopened: Record | None
    problem: str = ""


class FollowUpScreen(KioskScreen[None]):
    """The follow-up of one record."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, record_id: str) -> None:
        super().__init__()
        self.record_id = record_id
        self.record: Record | None = None
        self.recurrences: list[Record] = []
        self.step = 0
        self.saving = False
        self.answers: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-up"):
            yield Static("", id="follow-up-record", markup=False)
            yield Static("", id="question", markup=False)
            with ContentSwitcher(initial="step-done", id="follow-up-steps"):
                with VerticalScroll(id="step-done", classes="step"):
                    yield KioskOptionList(id="done")
                with VerticalScroll(id="step-worked", classes="step"):
                    yield KioskOptionList(id="worked")
                with VerticalScroll(id="step-again", classes="step"):
                    yield Static("", id="recurrences", markup=False)
                    yield TLabel(N_("The number of another record that is the same thing happening again "
                                    "(optional; Enter with nothing goes on)"), classes="field-label")
                    yield KioskInput(id="link-id", max_length=20)
                with VerticalScroll(id="step-notes", classes="step"):
                    yield ReportTextArea(id="notes", max_length=NOTES_MAX)
                with VerticalScroll(id="step-outcome", classes="step"):
                    yield KioskOptionList(id="outcome")
                with VerticalScroll(id="step-extend", classes="step"):
                    # (The Spanish label says día/mes/año; the placeholder is an example written the
                    # local way; parse_date takes both ways.)
                    yield TLabel(N_("New follow-up date"), classes="field-label")
                    yield KioskInput(id="new-date", max_length=10, restrict=r"[0-9/.\-]*")
                    yield TLabel(N_("Why it needs more time"), classes="field-label")
                    yield KioskInput(id="reason", max_length=REASON_MAX)
            yield Static("", id="follow-up-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()
        self.retranslate()

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow-up")
    def load(self) -> None:
        repo = self.kiosk.repo
        record = repo.get(self.record_id)
        self.post_message(FollowUpData(record, repo.recurrences_of(record) if record else []))

    @on(FollowUpData)
    def loaded(self, message: FollowUpData) -> None:
        self.record = message.record
        self.recurrences = message.recurrences
        self._problem(message.problem)
        if message.linked:
            self.query_one("#link-id", KioskInput).clear()
        self.retranslate()
        self._focus_step()

    # -- language ------------------------------------------------------------------------

    def retranslate(self) -> None:
        record = self.record
        if record is not None and record.review is not None:
            review = record.review
            self.query_one("#follow-up-record", Static).update(plain(
                _("Follow-up of {id} · {area}").format(id=record.id, area=record.area) + "\n"
                + _("The change: {action}").format(action=review.action.text) + "\n"
                + _("Owner: {owner} · Deadline: {deadline} · Follow-up: {follow_up}").format(
                    owner=review.action.owner or "-", deadline=show_date(review.action.deadline or ""),
                    follow_up=show_date(review.follow_up_date or ""))))
        self.query_one("#question", Static).update(_(STEPS[self.step][1]))
        self._options("done", DONE_CHOICES)
        self._options("worked", WORKED_CHOICES)
        self._options("outcome", dict(OUTCOMES))
        if self.recurrences:
            lines = [_("Linked as happening again since the review:")]
            lines += [f"• {r.id} · {show_date(r.created_at)} · {shorten(r.what_happened, 60)}"
                      for r in self.recurrences]
        else:
            lines = [_("No record has been linked as happening again since the review.")]
        self.query_one("#recurrences", Static).update(plain("\n".join(lines)))
        self.query_one("#new-date", KioskInput).placeholder = _("e.g. {example}").format(
            example=example_date(self.kiosk.clock().date()))

    def _options(self, widget_id: str, choices: dict[str, str]) -> None:
        options = self.query_one(f"#{widget_id}", KioskOptionList)
        highlighted = options.highlighted
        options.set_options(Option(_(label), id=key) for key, label in choices.items())
        options.highlighted = highlighted if highlighted is not None else 0

    # -- steps ---------------------------------------------------------------------------

    def _go(self, step_id: str) -> None:
        self.step = [s for s, _t in STEPS].index(step_id)
        self.query_one("#follow-up-steps", ContentSwitcher).current = f"step-{step_id}"
        self.query_one("#question", Static).update(_(STEPS[self.step][1]))
        self._problem("")
        self._focus_step()

    def _focus_step(self) -> None:
        first = {"done": "#done", "worked": "#worked", "again": "#link-id", "notes": "#notes",
                 "outcome": "#outcome", "extend": "#new-date"}[STEPS[self.step][0]]
        self.query_one(first).focus()

    def _chosen(self, widget_id: str) -> str:
        options = self.query_one(f"#{widget_id}", KioskOptionList)
        index = options.highlighted
        return (options.get_option_at_index(index).id or "") if index is not None else ""

    @on(KioskOptionList.OptionSelected)
    def option_selected(self) -> None:
        self.action_next()

    @on(KioskInput.Submitted)
    def input_submitted(self) -> None:
        self.action_next()

    @on(ReportTextArea.Submitted)
    def notes_submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        if self.saving or not self.ready():
            return
        step_id = STEPS[self.step][0]
        if step_id in ("done", "worked"):
            self.answers[step_id] = self._chosen(step_id)
            self._go("worked" if step_id == "done" else "again")
        elif step_id == "again":
            typed = self.query_one("#link-id", KioskInput).value.strip()
            if typed:
                self.link(typed)
            else:
                self._go("notes")
        elif step_id == "notes":
            self._go("outcome")
        elif step_id == "outcome":
            outcome = Outcome(self._chosen("outcome") or Outcome.CLOSED)
            if outcome == Outcome.EXTENDED:
                self._go("extend")
            else:
                self.save(outcome)
        elif step_id == "extend":
            if self.focused is self.query_one("#new-date"):
                self.query_one("#reason").focus()
            else:
                self.save(Outcome.EXTENDED)

    def action_back(self) -> None:
        if self.saving:
            return
        step_id = STEPS[self.step][0]
        previous = {"worked": "done", "again": "worked", "notes": "again", "outcome": "notes", "extend": "outcome"}
        if step_id == "done":
            leave(self)
        else:
            self._go(previous[step_id])

    def ready(self) -> bool:
        """What is followed up has been read (the keys wait for it)."""
        return self.record is not None

    # -- saving --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow-up-link")
    def link(self, typed: str) -> None:
        repo = self.kiosk.repo
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        other = repo.get(typed)
        if other is None:
            self.post_message(FollowUpData(self.record, self.recurrences,
                                           _("There is no record with that number. Numbers look like QPC-GB8.")))
            return
        try:
            repo.link_recurrence(other.id, self.record_id, by=by)
        except (ValidationError, StorageError) as error:
            problem = describe_error(error) if isinstance(error, ValidationError) else str(error)
            self.post_message(FollowUpData(self.record, self.recurrences, problem))
            return
        record = repo.get(self.record_id)
        found = repo.recurrences_of(record) if record else []
        linked = repo.get(other.id)
        if linked is not None and all(r.id != linked.id for r in found):  # linked, but from before the review
            found.append(linked)
        self.post_message(FollowUpData(record, found, linked=True))

    def save(self, outcome: Outcome) -> None:
        self.saving = True
        self._problem(_("Saving…"))
        follow_up = FollowUp(
            at="", by="", done=self.answers.get("done", ""), worked=self.answers.get("worked", ""),
            happened_again=bool(self.recurrences), notes=self.query_one("#notes", ReportTextArea).text,
            outcome=outcome, new_date=to_iso(self.query_one("#new-date", KioskInput).value, self.kiosk.clock().date()),
            reason=self.query_one("#reason", KioskInput).value)
        self._save(follow_up)

    @work(thread=True, exit_on_error=False, group="follow-up-save")
    def _save(self, follow_up: FollowUp) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            record, reopened = self.kiosk.repo.finish_follow_up(self.record_id, follow_up, by=by)
        except ValidationError as error:
            self.post_message(FollowUpSaved(None, None, self._explain(error)))
        except StorageError as error:
            self.post_message(FollowUpSaved(None, None, _(
                "Not saved ({error}); your answers are still here.").format(error=describe_storage_problem(error))))
        else:
            self.post_message(FollowUpSaved(record, reopened))

    @on(FollowUpSaved)
    def saved(self, message: FollowUpSaved) -> None:
        self.saving = False
        if message.record is None:
            self._problem(message.problem)
            return
        record = message.record
        if message.reopened is not None:
            text = _("Follow-up of {id} saved: reopened as {new}, now waiting in the review queue.").format(
                id=record.id, new=message.reopened.id)
        elif record.status == Status.CLOSED:
            text = _("Follow-up of {id} saved: closed.").format(id=record.id)
        else:
            text = _("Follow-up of {id} saved: next follow-up on {date}.").format(
                id=record.id, date=show_date(record.review.follow_up_date or "") if record.review else "-")
        self.app.notify(text, markup=False)
        leave(self)

    def is_saving(self) -> bool:
        return self.saving

    def _explain(self, error: ValidationError) -> str:
        if error.field == "new_date" and error.code == "not_after_today":
            return _("The new follow-up date must be after today.")
        if error.field == "new_date":
            return _("Write the new date like this: {example}.").format(
                example=example_date(self.kiosk.clock().date()))
        if error.field == "reason":
            return _("Say in a few words why it needs more time.")
        if error.field in ("done", "worked"):
            return _("Answer the first two questions.")
        return describe_error(error)

    def _problem(self, text: str) -> None:
        self.query_one("#follow-up-problem", Static).update(plain(text))



TEAM_OUTCOMES = (
    ("closed", N_("Close: the follow-up is done")),
    ("extended", N_("Extend to a new date (with a reason)")),
    ("reopened", N_("Reopen: the team goes back to Solve for another change")),
)


@dataclass
class TeamFollowUpData(Message):
    team: Team | None
    problem: str = ""
    saved: bool = False


class TeamChangeFollowUpScreen(FollowUpScreen):
    """The follow-up of a Learning Team's change: the same questions and outcomes as a
    record's (no records to link: step 3 is skipped); a reopen takes the team back to Solve."""

    def __init__(self, team_id: str, index: int) -> None:
        super().__init__(team_id)
        self.team_id, self.index = team_id, index
        self.team: Team | None = None

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow-up")
    def load(self) -> None:
        self.post_message(TeamFollowUpData(self.kiosk.repo.team(self.team_id)))

    @on(TeamFollowUpData)
    def team_loaded(self, message: TeamFollowUpData) -> None:
        self.saving = False
        if message.saved and message.team is not None:
            change = message.team.changes[self.index]
            if change.state == CHANGE_CLOSED:
                text = _("Follow-up of {id} saved: closed.").format(id=message.team.id)
            elif change.state == CHANGE_REOPENED:
                text = _("Follow-up of {id} saved: the team is back in Solve.").format(id=message.team.id)
            else:
                text = _("Follow-up of {id} saved: next follow-up on {date}.").format(
                    id=message.team.id, date=show_date(change.follow_up_date))
            self.app.notify(text, markup=False)
            leave(self)
            return
        if message.team is not None:
            self.team = message.team
        self._problem(message.problem)
        self.retranslate()
        self._focus_step()

    def ready(self) -> bool:
        return self.team is not None

    def retranslate(self) -> None:
        super().retranslate()
        self._options("outcome", dict(TEAM_OUTCOMES))
        team = self.team
        if team is None:
            return
        change = team.changes[self.index]
        self.query_one("#follow-up-record", Static).update(plain(
            _("Follow-up of {id} · {area}").format(id=team.id, area=team.area) + " · " + team.title + "\n"
            + _("The change: {action}").format(action=change.action.text) + "\n"
            + _("Owner: {owner} · Deadline: {deadline} · Follow-up: {follow_up}").format(
                owner=change.action.owner or "-", deadline=show_date(change.action.deadline),
                follow_up=show_date(change.follow_up_date))))

    def _go(self, step_id: str) -> None:
        super()._go("notes" if step_id == "again" else step_id)

    def action_back(self) -> None:
        if not self.saving and STEPS[self.step][0] == "notes":
            self._go("worked")
            return
        super().action_back()

    @work(thread=True, exit_on_error=False, group="follow-up-save")
    def _save(self, follow_up: FollowUp) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            team = self.kiosk.repo.follow_up_team_change(self.team_id, self.index, follow_up, by=by)
        except ValidationError as error:
            self.post_message(TeamFollowUpData(None, self._explain(error)))
        except StorageError as error:
            self.post_message(TeamFollowUpData(None, _(
                "Not saved ({error}); your answers are still here.").format(error=describe_storage_problem(error))))
        else:
            self.post_message(TeamFollowUpData(team, saved=True))
