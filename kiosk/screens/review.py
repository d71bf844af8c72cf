"""The four-question review of one record, keyboard only, with the original report in view.

Steps: what happened → why (conditions, then the optional procedure-vs-practice pair) → what
we did → what we are changing → the one-page summary. Enter moves forward, Esc goes back; a
draft is saved durably at every step, so a review can be paused, survive a restart or an idle
sign-out, and be resumed by any supervisor.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static
from textual.widgets.option_list import Option

from kiosk.core.records import (
    CONDITION_CATEGORIES,
    LOOK_FOR_MAX,
    Action,
    Condition,
    LookFor,
    Record,
    Review,
    ValidationError,
)
from kiosk.core.review_rules import blame_hints
from kiosk.core.reviewing import BUDGETS, MAX_CONDITIONS, default_follow_up, finish_review, start_review
from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, leave
from kiosk.storage import StorageError
from kiosk.views.dates import example_date, parse_date, show_date, to_iso
from kiosk.views.labels import condition_label, describe_error, describe_storage_problem, kind_label
from kiosk.views.onepage import as_text, one_page
from kiosk.views.seen import Seen, describe, look_up
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList, ReportTextArea

#: (step id, question number, heading)
STEPS = (
    ("what", 1, N_("What happened?")),
    ("why", 2, N_("Why did it happen? The conditions, never who")),
    ("practice", 2, N_("Procedure and practice (optional)")),
    ("did", 3, N_("What did we do?")),
    ("change", 4, N_("What are we changing? One action, one owner, one deadline")),
    ("summary", 0, N_("The one-page summary")),
)
RECURRENCE_STEP = ("recurrence", 0, N_("Why did the change not hold?"))
_TEXT_FIELDS = {  # widget id → (review field, budget key)
    "r-recurrence": ("recurrence_note", "recurrence_note"),
    "r-what": ("what_happened", "what_happened"),
    "r-imagined": ("work_as_imagined", "work_as_imagined"),
    "r-done": ("work_as_done", "work_as_done"),
    "r-did": ("what_we_did", "what_we_did"),
}
_CHANGE_ORDER = ("a-text", "a-owner", "a-deadline", "a-followup", "a-participants", "a-lookfor")


@dataclass
class Saved(Message):
    """A draft or the finished review was saved (``record``), or not (``problem``)."""

    record: Record | None
    problem: str
    finished: bool = False
    close: bool = False  # the supervisor left with Esc from the first question


@dataclass
class Linked(Message):
    """The record was linked to ``other`` as the same thing happening again (``other`` empty:
    marked as not the same as every suggestion)."""

    record: Record
    other: str


@dataclass
class SeenLoaded(Message):
    """Past records like this one, and the one it is already linked to as happening again."""

    seen: list[Seen]
    linked: str


@dataclass
class PeopleLoaded(Message):
    """Names the blameless hints look for (the reporter's is known at once)."""

    names: list[str]


class ReviewWizard(KioskScreen[None]):
    """One record's review. The signed-in supervisor is ``app.supervisor``."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "back", N_("Back")),
        Binding("delete", "remove_condition", N_("Remove")),
        Binding("ctrl+up", "move_condition(-1)", N_("Move up")),
        Binding("ctrl+down", "move_condition(1)", N_("Move down"), show=False),
        Binding("f3", "edit_condition", N_("Edit")),
        Binding("f5", "same(0)", N_("It is the same"), key_display="f5-f7"),
        Binding("f6", "same(1)", show=False),
        Binding("f7", "same(2)", show=False),
        Binding("f8", "not_same", N_("None is the same")),
        # The summary scrolls at once (walk item 3: at 80x24 the action, owner and deadline
        # were below the fold, and ↓ did nothing until Tab).
        Binding("up", "scroll_summary(-1)", N_("Scroll"), key_display="↑↓"),
        Binding("down", "scroll_summary(1)", show=False),
        Binding("pageup", "scroll_summary(-10)", show=False),
        Binding("pagedown", "scroll_summary(10)", show=False),
    ]

    step = reactive(0, init=False)
    saving = reactive(False, init=False)

    def __init__(self, record: Record, earlier: Record | None = None, previous: Record | None = None) -> None:
        """``earlier``: the record this one recurs, when its change was closed as working;
        ``previous``: the cycle this record reopened (its action and follow-up are shown)."""
        super().__init__()
        self.record = record
        self.earlier = earlier
        self.previous = previous
        self.steps = ((RECURRENCE_STEP,) if earlier is not None else ()) + STEPS
        self.seen: list[Seen] = []
        self.same_as = ""
        self.review = start_review(record)
        self.people: list[str] = [record.reporter] if record.reporter else []
        self.choosing_category = False
        self._generation = 0
        self._save_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static("", id="original", markup=False)
            yield Static("", id="seen-before", markup=False)
            yield Static("", id="question", markup=False)
            with ContentSwitcher(initial=f"step-{self.steps[0][0]}", id="review-steps"):
                with VerticalScroll(id="step-recurrence", classes="step", can_focus=False):
                    yield Static("", id="recurrence-context", markup=False)
                    yield ReportTextArea(id="r-recurrence", max_length=BUDGETS["recurrence_note"])
                with VerticalScroll(id="step-what", classes="step", can_focus=False):
                    yield ReportTextArea(id="r-what", max_length=BUDGETS["what_happened"])
                with VerticalScroll(id="step-why", classes="step", can_focus=False):
                    yield KioskOptionList(id="conditions")
                    yield TLabel(N_("A condition of the process, equipment, information, environment or workload:"),
                                 classes="hint")
                    yield KioskInput(id="condition-text", max_length=BUDGETS["condition"])
                    yield KioskOptionList(id="categories")
                with VerticalScroll(id="step-practice", classes="step", can_focus=False):
                    yield TLabel(N_("What the procedure says"), classes="field-label")
                    yield ReportTextArea(id="r-imagined", max_length=BUDGETS["work_as_imagined"])
                    yield TLabel(N_("What we actually do, and why it makes sense"), classes="field-label")
                    yield ReportTextArea(id="r-done", max_length=BUDGETS["work_as_done"])
                with VerticalScroll(id="step-did", classes="step", can_focus=False):
                    yield ReportTextArea(id="r-did", max_length=BUDGETS["what_we_did"])
                with VerticalScroll(id="step-change", classes="step", can_focus=False):
                    yield TLabel(N_("The action (one, concrete)"), classes="field-label")
                    yield KioskInput(id="a-text", max_length=BUDGETS["action"])
                    yield TLabel(N_("Owner"), classes="field-label")
                    yield KioskInput(id="a-owner", max_length=BUDGETS["owner"])
                    yield TLabel(N_("Deadline and follow-up date (e.g. {example})"), classes="field-label",
                                 id="dates-label", values={"example": ""})
                    with Horizontal(classes="dates"):
                        yield KioskInput(id="a-deadline", max_length=10, restrict=r"[0-9/.\-]*")
                        yield KioskInput(id="a-followup", max_length=10, restrict=r"[0-9/.\-]*")
                    yield TLabel(N_("Participants (names separated by commas, or how many)"), classes="field-label")
                    yield KioskInput(id="a-participants", max_length=200)
                    yield TLabel(N_("Look for (optional): one line every team sees on Home after "
                                    "“Look for:”, e.g. “burrs on the dies at start-up”"), classes="field-label")
                    yield KioskInput(id="a-lookfor", max_length=LOOK_FOR_MAX)
                with VerticalScroll(id="step-summary", classes="step", can_focus=False):
                    yield Static("", id="review-summary", markup=False)
                    yield TLabel(N_("Enter finishes the review; Esc goes back to change something."),
                                 classes="hint", id="summary-hint")
            yield Static("", id="budget", markup=False)
            yield Static("", id="review-hint", markup=False)
            yield Static("", id="review-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self._fill_from_review()
        self.query_one("#categories").display = False
        self.query_one("#seen-before").display = False
        self.load_people()
        self.find_similar()
        self.retranslate()
        self._focus_step()

    @work(thread=True, exit_on_error=False, group="review-similar")
    def find_similar(self) -> None:
        """Have we seen this before? Shown on the first question; F5–F7 link one as the same."""
        record = self.record
        linked = next((link.id for link in record.links if link.rel == "recurrence_of"), "")
        tied = frozenset(link.id for link in record.links if link.id != linked)
        seen = look_up(self.kiosk.repo, record.what_happened, area=record.area, station=record.station,
                       exclude=record.id, linked=tied)
        self.post_message(SeenLoaded(seen, linked))

    @on(SeenLoaded)
    def seen_loaded(self, message: SeenLoaded) -> None:
        self._show_seen(message.seen, message.linked)

    def _show_seen(self, seen: list[Seen], linked: str) -> None:
        self.seen, self.same_as = seen, linked
        box = self.query_one("#seen-before", Static)
        box.display = bool(seen) and self.steps[self.step][0] == "what"
        if seen:
            box.update(plain(describe(seen, linked)))
        self.refresh_bindings()

    def action_same(self, index: int) -> None:
        if index < len(self.seen):
            self.link_same(self.seen[index].id)

    @work(thread=True, exit_on_error=False, group="review-similar")
    def link_same(self, other: str) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        record = self.kiosk.repo.link_recurrence(self.record.id, other, by=by)
        self.post_message(Linked(record, other))

    def action_not_same(self) -> None:
        """None of the suggestions is the same thing: they are not offered for this record
        again, and matching learns from the pairs."""
        if self.seen and not self.same_as:
            self.mark_not_same([item.id for item in self.seen])

    @work(thread=True, exit_on_error=False, group="review-similar")
    def mark_not_same(self, others: list[str]) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        record = self.kiosk.repo.mark_not_same(self.record.id, others, by=by)
        self.post_message(Linked(record, ""))

    @on(Linked)
    def linked(self, message: Linked) -> None:
        self.record = message.record
        if not message.other:  # none was the same: the suggestions go, saying so
            rejected = ", ".join(item.id for item in self.seen)
            self._show_seen([], "")
            box = self.query_one("#seen-before", Static)
            box.update(plain(_("Marked as not the same: {ids}. They are not suggested for this record again.")
                             .format(ids=rejected)))
            box.display = self.steps[self.step][0] == "what"
            return
        self._show_seen(self.seen, message.other)

    @work(thread=True, exit_on_error=False, group="review")
    def load_people(self) -> None:
        self.post_message(PeopleLoaded([s.name for s in self.kiosk.repo.supervisors()]))

    @on(PeopleLoaded)
    def people_loaded(self, message: PeopleLoaded) -> None:
        self.people.extend(message.names)

    # -- language ------------------------------------------------------------------------

    def retranslate(self) -> None:
        record = self.record
        self.query_one("#original", Static).update(plain(
            _("Report {id} · {kind} · {area} · {date}").format(
                id=record.id, kind=kind_label(record.kind), area=record.area, date=show_date(record.created_at))
            + "\n" + record.what_happened + (f"\n{record.impact}" if record.impact else "")
            + self._previous_cycle()))
        if self.earlier is not None and self.earlier.review is not None:
            self.query_one("#recurrence-context", Static).update(plain(_(
                "This happened before ({id}). Its change “{action}” was closed as working. "
                "Before anything else: why did it not hold this time?").format(
                id=self.earlier.id, action=self.earlier.review.action.text)))
        step_id, number, heading = self.steps[self.step]
        title = (_("Question {number} of 4 · {heading}").format(number=number, heading=_(heading))
                 if number else _(heading))
        self.query_one("#question", Static).update(title)
        dates = self.query_one("#dates-label", TLabel)
        dates.values["example"] = example_date(self.kiosk.clock().date())  # in the future, the local way
        dates.retranslate()
        self._fill_conditions()
        if self.choosing_category:
            self._fill_categories()
        if step_id == "summary":
            self._show_summary()
        self._update_budget()

    def _previous_cycle(self) -> str:
        """The reopened cycle's action and its follow-up, in one line."""
        previous = self.previous
        if previous is None or previous.review is None:
            return ""
        line = "\n" + _("Previous cycle {id}: “{action}”").format(id=previous.id, action=previous.review.action.text)
        if previous.follow_ups:
            from kiosk.views.onepage import DONE_LABELS, WORKED_LABELS

            last = previous.follow_ups[-1]
            line += " · " + _(DONE_LABELS[last.done]) + " · " + _(WORKED_LABELS[last.worked])
            if last.notes:
                line += f" — {last.notes}"
        return line

    def describe_binding(self, binding: Binding) -> str | None:
        if binding.action == "next" and self.steps[self.step][0] == "summary":
            return _("Finish the review")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scroll_summary":
            return self.steps[self.step][0] == "summary"
        if action == "same":
            index = parameters[0] if parameters else 0
            return self.steps[self.step][0] == "what" and isinstance(index, int) and len(self.seen) > index
        if action == "not_same":
            return self.steps[self.step][0] == "what" and bool(self.seen) and not self.same_as
        on_list = self.steps[self.step][0] == "why" and self.focused is self.query_one("#conditions")
        if action in ("remove_condition", "move_condition", "edit_condition"):
            return on_list and bool(self.review.why)
        if action in ("next", "back") and self.saving:
            return None
        return True

    # -- steps ---------------------------------------------------------------------------

    def watch_step(self) -> None:
        self.query_one("#review-steps", ContentSwitcher).current = f"step-{self.steps[self.step][0]}"
        self.query_one("#seen-before").display = bool(self.seen) and self.steps[self.step][0] == "what"
        self._problem("")
        self.retranslate()
        self._focus_step()
        self.refresh_bindings()

    def _focus_step(self) -> None:
        first = {"recurrence": "#r-recurrence", "what": "#r-what", "why": "#condition-text", "practice": "#r-imagined",
                 "did": "#r-did", "change": "#a-text"}.get(self.steps[self.step][0])
        if first:
            self.query_one(first).focus()
        else:
            self.set_focus(None)

    def _fill_from_review(self) -> None:
        review = self.review
        self.query_one("#r-recurrence", ReportTextArea).load_text(review.recurrence_note)
        self.query_one("#r-what", ReportTextArea).load_text(review.what_happened)
        self.query_one("#r-imagined", ReportTextArea).load_text(review.work_as_imagined)
        self.query_one("#r-done", ReportTextArea).load_text(review.work_as_done)
        self.query_one("#r-did", ReportTextArea).load_text(review.what_we_did)
        self.query_one("#a-text", KioskInput).value = review.action.text
        self.query_one("#a-owner", KioskInput).value = review.action.owner
        self.query_one("#a-deadline", KioskInput).value = self._typed_date(review.action.deadline)
        self.query_one("#a-followup", KioskInput).value = self._typed_date(review.follow_up_date or default_follow_up(
            self.kiosk.clock().date(), self.kiosk.config.follow_up_days))
        self.query_one("#a-lookfor", KioskInput).value = review.look_for
        self.query_one("#a-participants", KioskInput).value = (
            ", ".join(review.participants) or (str(review.participant_count) if review.participant_count else ""))

    def collect(self) -> Review:
        """The review as typed so far."""
        def value(selector: str) -> str:
            return self.query_one(selector, KioskInput).value

        today = self.kiosk.clock().date()

        return replace(
            self.review,
            recurrence_note=self.query_one("#r-recurrence", ReportTextArea).text,
            what_happened=self.query_one("#r-what", ReportTextArea).text,
            work_as_imagined=self.query_one("#r-imagined", ReportTextArea).text,
            work_as_done=self.query_one("#r-done", ReportTextArea).text,
            what_we_did=self.query_one("#r-did", ReportTextArea).text,
            action=Action(text=value("#a-text"), owner=value("#a-owner"), deadline=to_iso(value("#a-deadline"), today)),
            follow_up_date=to_iso(value("#a-followup"), today),
            look_for=value("#a-lookfor"),
            # Names, or just how many took part ("6").
            participants=() if value("#a-participants").strip().isdigit() else tuple(
                p.strip() for p in value("#a-participants").split(",") if p.strip()),
            participant_count=int(value("#a-participants").strip())
            if value("#a-participants").strip().isdigit() else 0,
        )

    # -- conditions ----------------------------------------------------------------------

    def _fill_conditions(self) -> None:
        conditions = self.query_one("#conditions", KioskOptionList)
        highlighted = conditions.highlighted
        conditions.set_options(
            Option(plain(f"{n}. {c.text}  [{condition_label(c.category)}]"))
            for n, c in enumerate(self.review.why, 1)
        )
        count = len(self.review.why)
        conditions.display = bool(count)
        if count:
            conditions.highlighted = min(highlighted or 0, count - 1)

    def _fill_categories(self) -> None:
        categories = self.query_one("#categories", KioskOptionList)
        highlighted = categories.highlighted
        categories.set_options(Option(condition_label(c)) for c in CONDITION_CATEGORIES)
        categories.highlighted = highlighted or 0

    def _ask_category(self) -> None:
        if len(self.review.why) >= MAX_CONDITIONS:
            self._problem(_("At most {n} conditions fit on one page: edit or remove one.").format(n=MAX_CONDITIONS))
            return
        self.choosing_category = True
        categories = self.query_one("#categories", KioskOptionList)
        self._fill_categories()
        # From the top every time, and in view (walk item 6: it started at the last choice, and
        # at 80x24 the highlighted row could be out of sight while Enter took it).
        categories.highlighted = 0
        categories.display = True
        categories.focus()
        categories.scroll_to(y=0, animate=False)
        self.call_after_refresh(categories.scroll_visible, animate=False)
        self._problem(_("Choose the kind of condition (there is no category for a person)."))

    @on(KioskOptionList.OptionSelected, "#categories")
    def category_chosen(self, event: KioskOptionList.OptionSelected) -> None:
        text_input = self.query_one("#condition-text", KioskInput)
        condition = Condition(text_input.value, CONDITION_CATEGORIES[event.option_index])
        self.review = replace(self.review, why=(*self.review.why, condition))
        text_input.value = ""
        self.choosing_category = False
        self.query_one("#categories").display = False
        self._problem("")
        self._fill_conditions()
        text_input.focus()
        self._update_budget()

    def action_remove_condition(self) -> None:
        index = self.query_one("#conditions", KioskOptionList).highlighted
        if index is None:
            return
        why = list(self.review.why)
        del why[index]
        self.review = replace(self.review, why=tuple(why))
        self._fill_conditions()
        if not why:
            self.query_one("#condition-text").focus()
        self.refresh_bindings()

    def action_move_condition(self, delta: int) -> None:
        conditions = self.query_one("#conditions", KioskOptionList)
        index = conditions.highlighted
        if index is None or not 0 <= index + delta < len(self.review.why):
            return
        why = list(self.review.why)
        why[index], why[index + delta] = why[index + delta], why[index]
        self.review = replace(self.review, why=tuple(why))
        self._fill_conditions()
        conditions.highlighted = index + delta

    def action_edit_condition(self) -> None:
        index = self.query_one("#conditions", KioskOptionList).highlighted
        if index is None:
            return
        condition = self.review.why[index]
        self.action_remove_condition()
        text_input = self.query_one("#condition-text", KioskInput)
        text_input.value = condition.text
        text_input.focus()

    # -- events --------------------------------------------------------------------------

    @on(ReportTextArea.Changed)
    @on(KioskInput.Changed)
    def typed(self) -> None:
        self._update_budget()
        self._problem("")

    @on(ReportTextArea.Submitted)
    @on(KioskInput.Submitted)
    def submitted(self, event: Message) -> None:
        self.action_next()

    @on(KioskOptionList.OptionSelected, "#conditions")
    def condition_entered(self) -> None:
        """Enter on the list of conditions goes on, as the footer says (walk item 15)."""
        self.action_next()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_scroll_summary(self, lines: int) -> None:
        self.query_one("#step-summary", VerticalScroll).scroll_relative(y=lines, animate=False)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()
        self._update_budget()

    # -- actions -------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.choosing_category:
            self.choosing_category = False
            self.query_one("#categories").display = False
            self.query_one("#condition-text").focus()
            return
        self.review = self.collect()
        if self.step == 0:
            self.save(final=False, then_close=True)
        else:
            self.save(final=False)
            self.step -= 1

    def action_next(self) -> None:
        if self.saving:
            return
        step_id = self.steps[self.step][0]
        focused = self.focused.id if self.focused is not None else ""
        if step_id == "recurrence" and not self.query_one("#r-recurrence", ReportTextArea).text.strip():
            self._problem(_("First say why the earlier change did not hold: that is what we learn here."))
            return
        if step_id == "why":
            if self.choosing_category:
                categories = self.query_one("#categories", KioskOptionList)
                categories.action_select()
                return
            if focused == "condition-text" and self.query_one("#condition-text", KioskInput).value.strip():
                self._ask_category()
                return
            if not self.review.why:
                self._problem(_("Add at least one condition: what in the process, equipment, "
                                "information, environment or workload allowed it?"))
                return
        if step_id == "practice" and focused == "r-imagined":
            self.query_one("#r-done").focus()
            return
        if step_id == "change" and focused in _CHANGE_ORDER[:-1]:
            self.query_one(f"#{_CHANGE_ORDER[_CHANGE_ORDER.index(focused) + 1]}").focus()
            return
        self.review = self.collect()
        if step_id == "change":
            try:
                finish_review(self.review, by="-", now=self.kiosk.clock(),
                              follow_up_days=self.kiosk.config.follow_up_days, recurrence=self.earlier is not None)
            except ValidationError as error:
                self._problem(self._explain(error))
                self._focus_field(error.field)
                return
        if step_id == "summary":
            self.save(final=True)
            return
        self.save(final=False)
        self.step += 1

    # -- saving --------------------------------------------------------------------------

    def save(self, *, final: bool, then_close: bool = False) -> None:
        """Drafts save in the background while the supervisor goes on (the newest wins); the
        final save holds the screen until it is done."""
        self._generation += 1
        if final:
            self.saving = True
        look_for = self.review.look_for if final else ""
        self._save(self.review, final, then_close, self._generation, look_for)

    @work(thread=True, exit_on_error=False, group="review-save")
    def _save(self, review: Review, final: bool, then_close: bool, generation: int, look_for: str) -> None:
        with self._save_lock:
            if generation != self._generation and not final:
                return  # a newer draft is already on its way: never overwrite it with this one
            self._commit(review, final, then_close, look_for)

    def _commit(self, review: Review, final: bool, then_close: bool, look_for: str) -> None:
        repo = self.kiosk.repo
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            if final:
                done = finish_review(review, by=by, now=self.kiosk.clock(),
                                     follow_up_days=self.kiosk.config.follow_up_days,
                                     recurrence=self.earlier is not None)
                record = repo.finish_review(self.record.id, done, by=by, look_for=look_for,
                                            share_days=self.kiosk.config.look_for_days)
            else:
                record = repo.save_review_draft(self.record.id, review, by=by)
        except ValidationError as error:
            self.post_message(Saved(None, self._explain(error)))
        except StorageError as error:
            self.post_message(Saved(None, _("The draft could not be saved ({error}); your answers are "
                                            "still here.").format(error=describe_storage_problem(error))))
        else:
            self.post_message(Saved(record, "", finished=final, close=then_close))

    @on(Saved)
    def saved(self, message: Saved) -> None:
        if message.finished or message.problem:
            self.saving = False
        if message.problem:
            self._problem(message.problem)
            return
        if message.record is not None:
            self.record = message.record
        if message.close:
            leave(self)
            return
        if message.finished:
            from kiosk.screens.printing import PrintScreen

            # The review ends on its one-pager, as it prints, ready for the board (P prints).
            review = self.record.review
            heading = (N_("Review of {id} saved. Follow-up on {date}."),
                       {"id": self.record.id, "date": show_date(review.follow_up_date) if review else "-"})
            self.app.switch_screen(PrintScreen("review", (self.record.id,), heading=heading))

    def watch_saving(self) -> None:
        self.refresh_bindings()

    def is_saving(self) -> bool:
        return self.saving

    def keep_before_reset(self) -> None:
        """The idle reset is about to close this screen: save the answers as a draft (in an
        App worker, which outlives the screen)."""
        review, record_id = self.collect(), self.record.id
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        repo = self.kiosk.repo

        def keep() -> None:
            with self._save_lock:
                repo.save_review_draft(record_id, review, by=by)

        self.app.run_worker(keep, thread=True, exit_on_error=False, group="review-keep")

    # -- helpers -------------------------------------------------------------------------

    def _update_budget(self) -> None:
        focused = self.focused
        widget_id = focused.id if focused is not None else ""
        budget = ""
        hint = ""
        if widget_id in _TEXT_FIELDS:
            text = self.query_one(f"#{widget_id}", ReportTextArea).text
            limit = BUDGETS[_TEXT_FIELDS[widget_id][1]]
            budget = _("{left} characters left of {limit}").format(left=limit - len(text), limit=limit)
            hint_words = blame_hints(text, self.people)
        elif widget_id in ("condition-text", "a-text", "a-owner"):
            text = self.query_one(f"#{widget_id}", KioskInput).value
            limit = {"condition-text": BUDGETS["condition"], "a-text": BUDGETS["action"],
                     "a-owner": BUDGETS["owner"]}[widget_id]
            budget = _("{left} characters left of {limit}").format(left=limit - len(text), limit=limit)
            hint_words = blame_hints(text, self.people) if widget_id != "a-owner" else []
        else:
            hint_words = []
        if hint_words:
            hint = _("Hint: “{words}” points at a person. Could you describe the condition that "
                     "allowed it instead? (You can still go on.)").format(words=", ".join(hint_words))
        self.query_one("#budget", Static).update(budget)
        self.query_one("#review-hint", Static).update(plain(hint))

    def _show_summary(self) -> None:
        """The page as the slip and the record page will show it, laid out for the screen (not
        Markdown source: walk item 27), with the look-for line that will go on Home."""
        review = self.collect()
        finished = replace(review, draft=False, look_for="")
        look_for = LookFor(review.look_for, "") if review.look_for.strip() else None
        page = as_text(one_page(replace(self.record, review=finished, look_for=look_for), show_reporter=True))
        self.query_one("#review-summary", Static).update(plain(page))
        self.query_one("#step-summary", VerticalScroll).scroll_home(animate=False)

    def _typed_date(self, value: str) -> str:
        """A stored ISO date as people type it here (anything else as it is)."""
        return show_date(value) if parse_date(value, self.kiosk.clock().date()) is not None else value

    def _focus_field(self, name: str) -> None:
        """Put the cursor on the field an error is about, and scroll it into view (walk item 4)."""
        widget_id = {"action": "a-text", "owner": "a-owner", "deadline": "a-deadline",
                     "follow_up_date": "a-followup", "participants": "a-participants",
                     "look_for": "a-lookfor"}.get(name)
        if widget_id is None or self.steps[self.step][0] != "change":
            return
        widget = self.query_one(f"#{widget_id}")
        widget.focus()
        self.call_after_refresh(widget.scroll_visible, animate=False)

    def _explain(self, error: ValidationError) -> str:
        if error.code == "vague":
            return _("“{phrase}” asks people to try harder; it does not change a condition. Write one "
                     "concrete change someone can do and check, e.g. “Install a guard on the return "
                     "roller of belt 2” or “Add the oil-level check to the start-up checklist”.").format(
                phrase=error.params["phrase"])
        if error.code == "after_follow_up":
            return _("The deadline must not be after the follow-up date ({date}).").format(
                date=show_date(error.params["follow_up"]))
        if error.code == "not_after_today":
            return _("The deadline and the follow-up date must be after today.")
        if error.field == "why":
            return _("Add at least one condition.")
        if error.field == "recurrence_note":
            return _("First say why the earlier change did not hold: that is what we learn here.")
        return describe_error(error, today=self.kiosk.clock().date())

    def _problem(self, text: str) -> None:
        self.query_one("#review-problem", Static).update(plain(text))
