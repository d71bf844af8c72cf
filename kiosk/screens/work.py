"""Work items from Home: the work in progress, an entry while it runs, an item's page with its
applause, opening one with its look back, and the debrief that closes it.

Anyone adds an entry — a win, an opportunity or a lesson — with no PIN, in under thirty
seconds: Home's 6, the work (its area's first), one key for the kind, one or two lines, Enter.
Opening and closing a work item is for a supervisor. The rules are in :mod:`kiosk.core.work`;
these screens only ask and show, and every read and save runs off the screen's thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, Static
from textual.widgets.option_list import Option

from kiosk.core.records import Kind, ValidationError
from kiosk.core.text import shorten
from kiosk.core.work import DESCRIPTION_MAX, ENTRY_KINDS, ENTRY_MAX, NAME_MAX, OPEN, TITLE_MAX, EntryKind, WorkItem
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.screens.teams import describe_team_problem
from kiosk.storage import StorageError
from kiosk.views.dates import example_date, to_iso
from kiosk.views.labels import describe_error, kind_label
from kiosk.views.onepage import as_text
from kiosk.views.work import ENTRY_LABELS, LookBack, entry_line, look_back, look_back_lines, work_page
from kiosk.widgets import SCROLL_BINDINGS, KioskFooter, ScrollKeys, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList, ReportTextArea

#: Presses of ``a`` on the same entry within this many seconds are one applause (as on Home).
APPLAUSE_SECONDS = 5.0


@dataclass
class WorkLoaded(Message):
    item: WorkItem | None
    problem: str = ""
    saved: str = ""


@dataclass
class WorkListLoaded(Message):
    items: list[WorkItem]


#: The newest entries a work item shows in the list of work in progress.
LIST_ENTRIES = 2


def work_line(item: WorkItem) -> str:
    """An open work item in a list: id, area, title, entries by kind, and its newest entries."""
    counts = " · ".join(f"{_(ENTRY_LABELS[kind])}: {len(item.entries_of(kind))}" for kind in ENTRY_KINDS)
    line = f"{item.id} · {item.area} · {shorten(item.title, 60)}\n   {counts}"
    for entry in reversed(item.entries[-LIST_ENTRIES:]):
        line += f"\n   • {_(ENTRY_LABELS[entry.kind])}: {shorten(entry.text, 62)}"
    return line


def describe_work_problem(error: Exception) -> str:
    if isinstance(error, ValidationError) and error.field == "state":
        return _("This work is closed: its debrief is done.")
    return describe_team_problem(error)


class WorkListScreen(KioskScreen[None]):
    """The work in progress, the kiosk's area first. Enter: add an entry (anyone, no PIN)."""

    BINDINGS = [
        Binding("enter", "entry", N_("Add an entry")),
        Binding("v", "view", N_("See it")),
        Binding("n", "new", N_("New work")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[WorkItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="queue"):
            yield Static("", id="queue-title", markup=False)
            yield KioskOptionList(id="work-list")
            yield Static("", id="queue-empty", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="work")
    def load(self) -> None:
        self.post_message(WorkListLoaded(self.kiosk.repo.open_work_items(self.kiosk.config.home_area)[:100]))

    @on(WorkListLoaded)
    def loaded(self, message: WorkListLoaded) -> None:
        self.items = message.items
        self.retranslate()
        self.query_one("#work-list").focus()

    def retranslate(self) -> None:
        self.query_one("#queue-title", Static).update(_(
            "Work in progress: note a win, an opportunity or a lesson while it happens. "
            "Enter adds one, no PIN."))
        count = self.query_one("#work-list", KioskOptionList).show_lines(plain(work_line(item)) for item in self.items)
        self.query_one("#queue-empty", Static).update(
            "" if count else _("No work in progress. N opens one (supervisor PIN)."))
        self.refresh_bindings()

    def _chosen(self) -> WorkItem | None:
        index = self.query_one("#work-list", KioskOptionList).highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("entry", "view"):
            return self._chosen() is not None
        return True

    @on(KioskOptionList.OptionSelected, "#work-list")
    def selected(self) -> None:
        self.action_entry()

    def action_entry(self) -> None:
        item = self._chosen()
        if item is not None:
            self.app.push_screen(EntryScreen(item.id))

    def action_view(self) -> None:
        item = self._chosen()
        if item is not None:
            self.app.push_screen(WorkItemScreen(item.id))

    def action_new(self) -> None:
        self.kiosk.with_supervisor(lambda _s: self.app.push_screen(NewWorkScreen()), admin=False,
                                   title=N_("New work: supervisor PIN"))

    def action_back(self) -> None:
        leave(self)


# -- an entry (anyone, no PIN) -------------------------------------------------------------------


class EntryArea(ReportTextArea):
    """The entry's box: while no kind is chosen it leaves 1, 2 and 3 to the screen's keys (a
    text box takes every printable key before any key binding)."""

    kind_pending = True

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        if self.kind_pending and character is not None and character in "123":
            return False
        return super().check_consume_key(key, character)


class EntryScreen(KioskScreen[None]):
    """One entry for ``item_id``: the kind with one key, one or two lines, a name if wanted."""

    BINDINGS = [
        Binding("enter", "save", N_("Save")),
        Binding("1", "kind(0)", N_("Kind"), key_display="1-3", priority=True),
        Binding("2", "kind(1)", show=False, priority=True),
        Binding("3", "kind(2)", show=False, priority=True),
        Binding("f3", "another_kind", N_("Another kind")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.item: WorkItem | None = None
        self.kind = ""
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static("", id="question", markup=False)
            yield Static("", id="lenses", markup=False)
            with Vertical(id="learn-typing"):
                yield EntryArea(id="entry", max_length=ENTRY_MAX)
                yield Static("", id="budget", markup=False)
                yield KioskInput(id="entry-by", max_length=NAME_MAX)
            yield Static("", id="review-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()
        self.retranslate()
        self.query_one("#entry").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="work")
    def load(self) -> None:
        self.post_message(WorkLoaded(self.kiosk.repo.work_item(self.item_id)))

    @on(WorkLoaded)
    def loaded(self, message: WorkLoaded) -> None:
        self.saving = False
        if message.saved:
            self.app.notify(_("Saved in {title}. Thank you!").format(title=shorten(message.saved, 50)),
                            markup=False)
            leave(self)
            return
        if message.item is not None:
            self.item = message.item
        self._problem(message.problem)
        self.retranslate()

    def retranslate(self) -> None:
        self.query_one("#entry", EntryArea).kind_pending = not self.kind
        self.query_one("#entry-by", KioskInput).placeholder = _("Your name (optional; empty: anonymous)")
        if self.item is not None:
            self.query_one("#question", Static).update(plain(
                _("Note in: {title} ({id}) · {area}").format(title=self.item.title, id=self.item.id,
                                                              area=self.item.area)))
        parts = []
        for number, kind in enumerate(ENTRY_KINDS, 1):
            label = f"{number} {_(ENTRY_LABELS[kind])}"
            parts.append(f"[{label}]" if kind == self.kind else label)
        prompt = (_("{kind}: one or two lines, Enter saves.").format(kind=_(ENTRY_LABELS[EntryKind(self.kind)]))
                  if self.kind else _("First the kind: 1 a win, 2 an opportunity, 3 a lesson."))
        self.query_one("#lenses", Static).update(plain(" · ".join(parts) + "\n" + prompt))
        self._update_budget()

    @on(ReportTextArea.Changed, "#entry")
    def _update_budget(self) -> None:
        text = self.query_one("#entry", EntryArea).text
        self.query_one("#budget", Static).update(
            _("{left} characters left of {limit}").format(left=ENTRY_MAX - len(text), limit=ENTRY_MAX))

    def action_kind(self, index: int) -> None:
        if self.kind or not isinstance(self.focused, EntryArea):
            raise SkipAction()
        self.kind = ENTRY_KINDS[index].value
        self.retranslate()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "kind":
            return not self.kind
        if action == "another_kind":
            return bool(self.kind)
        return True

    def action_another_kind(self) -> None:
        self.kind = ""
        self.retranslate()
        self.refresh_bindings()
        self.query_one("#entry").focus()

    @on(ReportTextArea.Submitted)
    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.saving or self.item is None:
            return
        text = self.query_one("#entry", EntryArea).text
        if not self.kind:
            self._problem(_("Choose the kind first: 1 a win, 2 an opportunity, 3 a lesson."))
            return
        if len(text.strip()) < 3:
            self._problem(_("Write the entry first: one or two lines."))
            return
        self.saving = True
        self._problem(_("Saving…"))
        self._store(self.kind, text, self.query_one("#entry-by", KioskInput).value)

    @work(thread=True, exit_on_error=False, group="work-save")
    def _store(self, kind: str, text: str, by: str) -> None:
        try:
            self.kiosk.repo.add_work_entry(self.item_id, kind=kind, text=text, by=by)
        except (ValidationError, StorageError) as error:
            self.post_message(WorkLoaded(None, describe_work_problem(error)))
        else:
            self.post_message(WorkLoaded(None, saved=self.item.title if self.item else self.item_id))

    def is_saving(self) -> bool:
        return self.saving

    def action_back(self) -> None:
        if not self.saving:
            leave(self)

    def _problem(self, text: str) -> None:
        self.query_one("#review-problem", Static).update(plain(text))


# -- a work item's page, with applause ---------------------------------------------------------------


@dataclass
class EntryApplauded(Message):
    item: WorkItem | None
    count: int = 0


class WorkItemScreen(KioskScreen[None]):
    """A work item and its entries, newest first: ``a`` applauds the one highlighted (a burst
    of presses counts once), Enter adds an entry, ``b`` looks back, ``c`` closes it with its
    debrief (supervisor PIN)."""

    BINDINGS = [
        Binding("a", "applaud", N_("Applaud")),
        Binding("e", "entry", N_("Add an entry")),
        Binding("b", "look_back", N_("Look back")),
        Binding("c", "debrief", N_("Debrief")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.item: WorkItem | None = None
        self._applauded: dict[int, float] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="queue"):
            yield Static("", id="queue-title", markup=False)
            yield KioskOptionList(id="work-entries")
            yield Static("", id="queue-empty", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="work")
    def load(self) -> None:
        self.post_message(WorkLoaded(self.kiosk.repo.work_item(self.item_id)))

    @on(WorkLoaded)
    def loaded(self, message: WorkLoaded) -> None:
        self.item = message.item
        self.retranslate()
        self.query_one("#work-entries").focus()

    def _order(self) -> list[int]:
        """The entries' indexes as listed: the newest first."""
        return list(range(len(self.item.entries) - 1, -1, -1)) if self.item else []

    def retranslate(self) -> None:
        item = self.item
        if item is None:
            return
        counts = ", ".join(f"{_(ENTRY_LABELS[kind])}: {len(item.entries_of(kind))}" for kind in ENTRY_KINDS)
        state = "" if item.state == OPEN else " · " + _("closed")
        self.query_one("#queue-title", Static).update(plain(
            f"{item.id} · {item.area} · {item.title}{state}\n{counts} · "
            + ngettext("{n} applause", "{n} applause", item.applause).format(n=item.applause)))
        count = self.query_one("#work-entries", KioskOptionList).show_lines(
            plain(f"{_(ENTRY_LABELS[item.entries[i].kind])}: {entry_line(item.entries[i])}") for i in self._order())
        self.query_one("#queue-empty", Static).update("" if count else (
            _("No entry yet. E adds the first: a win, an opportunity or a lesson.") if item.state == OPEN else "-"))
        self.refresh_bindings()

    def _chosen(self) -> int | None:
        index = self.query_one("#work-entries", KioskOptionList).highlighted
        order = self._order()
        return order[index] if index is not None and index < len(order) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "applaud":
            return self._chosen() is not None
        if action == "entry":
            return self.item is not None and self.item.state == OPEN
        return self.item is not None or action == "back"

    def action_applaud(self) -> None:
        index = self._chosen()
        if index is None:
            return
        now = self.kiosk.monotonic()
        if now - self._applauded.get(index, -1e9) < APPLAUSE_SECONDS:
            return  # the same applause, pressed again: it counts once
        self._applauded[index] = now
        self._applaud(index)

    @work(thread=True, exit_on_error=False, group="applause")
    def _applaud(self, index: int) -> None:
        repo = self.kiosk.repo
        try:
            entry = repo.applaud_work_entry(self.item_id, index)
        except (ValidationError, StorageError) as error:
            self.post_message(WorkLoaded(self.item, describe_work_problem(error)))
            return
        self.post_message(EntryApplauded(repo.work_item(self.item_id), entry.applause))

    @on(EntryApplauded)
    def applauded(self, message: EntryApplauded) -> None:
        self.notify(_("Applause! ({count} so far)").format(count=message.count), markup=False)
        self.item = message.item
        self.retranslate()

    def action_entry(self) -> None:
        self.app.push_screen(EntryScreen(self.item_id))

    def action_look_back(self) -> None:
        self.app.push_screen(LookBackScreen(self.item_id))

    def action_debrief(self) -> None:
        self.kiosk.with_supervisor(lambda _s: self.app.push_screen(DebriefScreen(self.item_id)), admin=False,
                                   title=N_("Debrief: supervisor PIN"))

    def action_back(self) -> None:
        leave(self)


# -- opening a work item (supervisor) ------------------------------------------------------------

NEW_STEPS = (
    ("title", N_("1 of 3 · What is the work? A title everyone recognises")),
    ("area", N_("2 of 3 · Which area?")),
    ("more", N_("3 of 3 · What it is and when (all optional)")),
)


class NewWorkScreen(KioskScreen[None]):
    """A supervisor opens a work item: title → area → description and dates; then the look
    back at what was already learned."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.step = 0
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-up"):
            yield Static("", id="question", markup=False)
            with ContentSwitcher(initial="step-title", id="follow-up-steps"):
                with VerticalScroll(id="step-title", classes="step"):
                    yield TLabel(N_("e.g. \"Primer lote del cliente nuevo\" or \"Cambio de molde en la inyectora 3\""),
                                 classes="hint")
                    yield KioskInput(id="work-title", max_length=TITLE_MAX)
                with VerticalScroll(id="step-area", classes="step"):
                    yield KioskOptionList(id="work-areas")
                with VerticalScroll(id="step-more", classes="step"):
                    yield TLabel(N_("What it is, in a few words"), classes="field-label")
                    yield KioskInput(id="work-description", max_length=DESCRIPTION_MAX)
                    yield TLabel(N_("Starts (a date, or empty)"), classes="field-label")
                    yield KioskInput(id="work-starts", max_length=20)
                    yield TLabel(N_("Ends (a date, or empty)"), classes="field-label")
                    yield KioskInput(id="work-ends", max_length=20)
            yield Static("", id="follow-up-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        areas = self.query_one("#work-areas", KioskOptionList)
        configured = self.kiosk.config.areas
        areas.set_options(Option(plain(area), id=area) for area in configured)
        home = self.kiosk.config.home_area
        areas.highlighted = configured.index(home) if home in configured else 0
        self.retranslate()
        self.query_one("#work-title").focus()

    def retranslate(self) -> None:
        self.query_one("#question", Static).update(_(NEW_STEPS[self.step][1]))
        example = _("e.g. {date}").format(date=example_date(self.kiosk.clock().date(), 0))
        for widget_id in ("work-starts", "work-ends"):
            self.query_one(f"#{widget_id}", KioskInput).placeholder = example

    def _go(self, step: int) -> None:
        self.step = step
        step_id = NEW_STEPS[step][0]
        self.query_one("#follow-up-steps", ContentSwitcher).current = f"step-{step_id}"
        self.retranslate()
        self._problem("")
        self.query_one({"title": "#work-title", "area": "#work-areas", "more": "#work-description"}[step_id]).focus()

    @on(KioskOptionList.OptionSelected)
    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", KioskInput).value.strip()

    def action_next(self) -> None:
        if self.saving:
            return
        step_id = NEW_STEPS[self.step][0]
        if step_id == "title" and len(self._value("work-title")) < 5:
            self._problem(_("Give the work a title of at least 5 characters."))
            return
        if step_id == "more":
            order = ["work-description", "work-starts", "work-ends"]
            focused = self.focused.id if self.focused is not None else ""
            if focused in order[:-1]:
                self.query_one(f"#{order[order.index(focused) + 1]}").focus()
                return
            self.save()
            return
        self._go(self.step + 1)

    def action_back(self) -> None:
        if self.saving:
            return
        if self.step == 0:
            leave(self)
        else:
            self._go(self.step - 1)

    def save(self) -> None:
        options = self.query_one("#work-areas", KioskOptionList)
        index = options.highlighted
        area = (options.get_option_at_index(index).id or "") if index is not None else ""
        today = self.kiosk.clock().date()
        self.saving = True
        self._problem(_("Saving…"))
        self._save(self._value("work-title"), area, self._value("work-description"),
                   to_iso(self._value("work-starts"), today), to_iso(self._value("work-ends"), today))

    @work(thread=True, exit_on_error=False, group="work-open")
    def _save(self, title: str, area: str, description: str, starts: str, ends: str) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            item = self.kiosk.repo.open_work_item(title=title, area=area, opened_by=by, description=description,
                                                  starts=starts, ends=ends)
        except ValidationError as error:
            problem = (_("The end comes before the start.") if error.code == "before_start"
                       else describe_error(error, today=self.kiosk.clock().date()))
            self.post_message(WorkLoaded(None, problem))
        except StorageError as error:
            self.post_message(WorkLoaded(None, describe_work_problem(error)))
        else:
            self.post_message(WorkLoaded(item))

    @on(WorkLoaded)
    def opened(self, message: WorkLoaded) -> None:
        self.saving = False
        if message.item is None:
            self._problem(message.problem)
            return
        self.app.notify(_("Work {id} opened.").format(id=message.item.id), markup=False)
        self.app.switch_screen(LookBackScreen(message.item.id, first=True))

    def is_saving(self) -> bool:
        return self.saving

    def _problem(self, text: str) -> None:
        self.query_one("#follow-up-problem", Static).update(plain(text))


# -- looking back before it starts ----------------------------------------------------------------


@dataclass
class LookedBack(Message):
    item: WorkItem | None
    found: list[LookBack] = field(default_factory=list)


class LookBackScreen(ScrollKeys, KioskScreen[None]):
    """"Lo que ya aprendimos": what the plant already learned like this work, each with the
    change agreed and whether it worked; P prints it to take to the line."""

    SCROLLS = "record-page"

    BINDINGS = [
        Binding("p", "print", N_("Print")),
        *SCROLL_BINDINGS,
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, item_id: str, *, first: bool = False) -> None:
        super().__init__()
        self.item_id = item_id
        self.first = first
        self.item: WorkItem | None = None
        self.found: list[LookBack] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="record"):
            yield Static("", id="record-due", markup=False)
            with VerticalScroll(id="record-page", can_focus=False):
                yield Static("", id="record-text", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#record-due", Static).update(_("Looking back…"))
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="work")
    def load(self) -> None:
        repo = self.kiosk.repo
        item = repo.work_item(self.item_id)
        self.post_message(LookedBack(item, look_back(repo, item) if item is not None else []))

    @on(LookedBack)
    def loaded(self, message: LookedBack) -> None:
        self.item, self.found = message.item, message.found
        self.retranslate()

    def retranslate(self) -> None:
        if self.item is None:
            return
        self.query_one("#record-due", Static).update(plain(
            _("What we already learned — before {title} starts").format(title=self.item.title)))
        if not self.found:
            text = _("Nothing like this work was learned here yet. Its entries will be the first.")
        else:
            text = "\n\n".join(f"• {head}" + (f"\n  {under.replace(chr(10), chr(10) + '  ')}" if under else "")
                               for head, under in look_back_lines(self.found))
        self.query_one("#record-text", Static).update(plain(text))

    def action_print(self) -> None:
        from kiosk.screens.printing import PrintScreen

        if self.item is not None:
            self.app.push_screen(PrintScreen("lookback", (self.item.id,)))

    def action_back(self) -> None:
        if self.first:
            self.app.switch_screen(WorkItemScreen(self.item_id))
        else:
            leave(self)


# -- the debrief (supervisor) -------------------------------------------------------------------------


@dataclass
class Turned(Message):
    item: WorkItem | None
    problem: str = ""
    said: str = ""


#: What an opportunity can become as a record (a win is not an opportunity).
RECORD_KINDS = (Kind.SURPRISE, Kind.NEAR_MISS, Kind.ERROR)


class DebriefScreen(ScrollKeys, KioskScreen[None]):
    """The one-page debrief of a work item. F5 closes the work; on an entry, ``r`` turns an
    opportunity into a record waiting for review, ``t`` into a Learning Team, ``l`` a lesson
    into a look-for for chosen areas."""

    SCROLLS = "record-page"

    BINDINGS = [
        Binding("r", "to_record", N_("To a record")),
        Binding("t", "to_team", N_("To a team")),
        Binding("l", "to_look_for", N_("To a look-for")),
        Binding("f5", "close_work", N_("Close the work")),
        Binding("pageup", "scroll(-10)", show=False),
        Binding("pagedown", "scroll(10)", show=False),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.item: WorkItem | None = None
        self.saving = False
        self.asking_areas: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="record"):
            with VerticalScroll(id="record-page", can_focus=False):
                yield Static("", id="record-text", markup=False)
            yield Static("", id="record-due", markup=False)
            yield KioskOptionList(id="debrief-entries")
            yield KioskInput(id="look-for-areas", max_length=400)
            yield Static("", id="follow-up-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#look-for-areas").display = False
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="work")
    def load(self) -> None:
        self.post_message(Turned(self.kiosk.repo.work_item(self.item_id)))

    def _turnable(self) -> list[int]:
        """The entries the debrief can still turn into something: opportunities and lessons."""
        if self.item is None:
            return []
        return [i for i, e in enumerate(self.item.entries)
                if e.kind in (EntryKind.OPPORTUNITY, EntryKind.LESSON) and not e.became]

    @on(Turned)
    def turned(self, message: Turned) -> None:
        self.saving = False
        if message.item is not None:
            self.item = message.item
        if message.said:
            self.notify(message.said, markup=False)
        self._problem(message.problem)
        self.retranslate()
        if not self.asking_areas:
            self.query_one("#debrief-entries").focus()

    def retranslate(self) -> None:
        item = self.item
        if item is None:
            return
        self.query_one("#record-text", Static).update(plain(as_text(work_page(item))))
        turnable = self._turnable()
        self.query_one("#debrief-entries", KioskOptionList).show_lines(
            plain(f"{_(ENTRY_LABELS[e.kind])}: {shorten(e.text, 66)}") for e in (item.entries[i] for i in turnable))
        closing = _("F5 closes the work.") if item.state == OPEN else _("The work is closed.")
        self.query_one("#record-due", Static).update(
            (_("An opportunity: R a record for review, T a Learning Team. A lesson: L a look-for. ")
             if turnable else "") + closing)
        self.refresh_bindings()

    def _chosen(self) -> int | None:
        index = self.query_one("#debrief-entries", KioskOptionList).highlighted
        turnable = self._turnable()
        return turnable[index] if index is not None and index < len(turnable) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        chosen = self._chosen()
        kind = self.item.entries[chosen].kind if self.item is not None and chosen is not None else None
        if action in ("to_record", "to_team"):
            return kind == EntryKind.OPPORTUNITY
        if action == "to_look_for":
            return kind == EntryKind.LESSON
        if action == "close_work":
            return self.item is not None and self.item.state == OPEN
        return True

    def _by(self) -> str:
        return self.kiosk.supervisor.name if self.kiosk.supervisor else "-"

    def action_to_record(self) -> None:
        index = self._chosen()
        if index is None or self.saving:
            return
        from kiosk.screens.dialogs.choose import ChooseDialog

        def chosen(choice: int | None) -> None:
            if choice is not None:
                self.saving = True
                self._to_record(index, RECORD_KINDS[choice].value)

        self.app.push_screen(ChooseDialog(N_("What kind of record?"), [kind_label(k) for k in RECORD_KINDS]), chosen)

    @work(thread=True, exit_on_error=False, group="work-save")
    def _to_record(self, index: int, kind: str) -> None:
        repo = self.kiosk.repo
        try:
            record = repo.turn_into_record(self.item_id, index, kind=kind, by=self._by())
        except (ValidationError, StorageError) as error:
            self.post_message(Turned(None, describe_work_problem(error)))
        else:
            self.post_message(Turned(repo.work_item(self.item_id), said=_(
                "Record {id} is waiting for its review (the four questions).").format(id=record.id)))

    def action_to_team(self) -> None:
        index = self._chosen()
        if index is None or self.item is None:
            return
        from kiosk.screens.teams import NewTeamScreen

        self.app.push_screen(NewTeamScreen(use="work", area=self.item.area, title=self.item.entries[index].text[:120],
                                           from_entry=(self.item_id, index)))

    def action_to_look_for(self) -> None:
        if self._chosen() is None:
            return
        self.asking_areas = self._chosen()
        box = self.query_one("#look-for-areas", KioskInput)
        box.placeholder = _("for which areas? (empty: every area)")
        box.value, box.display = "", True
        box.focus()
        self._problem(_("Type the areas separated by commas and press Enter; Esc goes back."))

    @on(KioskInput.Submitted, "#look-for-areas")
    def areas_typed(self) -> None:
        from kiosk.screens.team_solve import typed_areas

        index = self.asking_areas
        if index is None or self.saving:
            return
        areas, problem = typed_areas(self.query_one("#look-for-areas", KioskInput).value, self.kiosk.config.areas)
        if problem:
            self._problem(problem)
            return
        self.asking_areas = None
        self.query_one("#look-for-areas").display = False
        self.saving = True
        self._to_look_for(index, areas)

    @work(thread=True, exit_on_error=False, group="work-save")
    def _to_look_for(self, index: int, areas: tuple[str, ...]) -> None:
        try:
            item = self.kiosk.repo.turn_into_look_for(self.item_id, index, areas, by=self._by(),
                                                      share_days=self.kiosk.config.look_for_days)
        except (ValidationError, StorageError) as error:
            self.post_message(Turned(None, describe_work_problem(error)))
        else:
            where = ", ".join(areas) if areas else _("every area")
            self.post_message(Turned(item, said=_("Look-for shared with {areas}.").format(areas=where)))

    def action_close_work(self) -> None:
        if self.item is None or self.item.state != OPEN or self.saving:
            return
        from kiosk.screens.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.saving = True
                self._close()

        self.app.push_screen(ConfirmDialog(
            N_("Close this work?"), N_("No more entries can be added. Its lessons become searchable learnings."),
            yes=N_("Close it"), no=N_("Keep it open")), answered)

    @work(thread=True, exit_on_error=False, group="work-save")
    def _close(self) -> None:
        try:
            item = self.kiosk.repo.close_work_item(self.item_id, by=self._by())
        except (ValidationError, StorageError) as error:
            self.post_message(Turned(None, describe_work_problem(error)))
        else:
            self.post_message(Turned(item, said=_("Work closed. Its debrief stays in what we have learned.")))

    def is_saving(self) -> bool:
        return self.saving

    def action_back(self) -> None:
        if self.asking_areas is not None:
            self.asking_areas = None
            self.query_one("#look-for-areas").display = False
            self._problem("")
            self.query_one("#debrief-entries").focus()
            return
        if not self.saving:
            leave(self)

    def _problem(self, text: str) -> None:
        self.query_one("#follow-up-problem", Static).update(plain(text))
