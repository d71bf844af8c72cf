"""Learning Teams from Home: the list, opening a team, a reflection while it soaks, its story.

Anyone may see the list and add a reflection to a soaking team (no PIN); opening a team and
running Learn, Solve and Share is for a supervisor, the facilitator (PIN). The rules are in
:mod:`kiosk.core.teams`; these screens only ask and show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static
from textual.widgets.option_list import Option

from kiosk.core.records import ValidationError
from kiosk.core.teams import NOTE_MAX, TITLE_MAX, USES, Phase, Team, reads_as_fix, soak_ends
from kiosk.core.text import shorten
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.storage import StorageError
from kiosk.views.dates import show_date
from kiosk.views.labels import (
    LENS_LABELS,
    PHASE_LABELS,
    USE_HINTS,
    USE_LABELS,
    describe_error,
    describe_storage_problem,
)
from kiosk.views.onepage import as_text
from kiosk.views.story import team_page
from kiosk.widgets import SCROLL_BINDINGS, KioskFooter, ScrollKeys, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList, ReportTextArea

log = logging.getLogger(__name__)

#: PgUp and PgDn scroll a team screen's list of notes while the focus stays in the box typed in.
NOTES_SCROLL = [
    # (Before the note's box, whose own page keys have nothing to page in a note of 200.)
    Binding("pageup", "notes_scroll(-5)", N_("Notes"), key_display="pg↑↓", show=False, priority=True),
    Binding("pagedown", "notes_scroll(5)", show=False, priority=True),
]


class ScrollsNotes:
    """For the team screens: the list of notes scrolls with PgUp/PgDn."""

    def action_notes_scroll(self, lines: int) -> None:
        cast(Widget, self).query_one("#team-notes").scroll_relative(y=lines, animate=False)


def note_or_idea(screen: Screen[Any], text: str, lens: str, save: Callable[[bool], None]) -> None:
    """``save(idea)`` for a note: at once when it does not read as a fix, else after asking
    "¿Lo guardamos para Resolver?" (Enter: an idea for Solve; Esc: a note)."""
    if reads_as_fix(text, lens) is None:
        save(False)
        return
    from kiosk.screens.dialogs.confirm import ConfirmDialog

    screen.app.push_screen(ConfirmDialog(N_("Shall we keep it for Solve?"), PARK_DETAIL,
                                         yes=N_("Keep it for Solve"), no=N_("It is a note")),
                           lambda park: save(bool(park)))


class KeepsTeamDrafts:
    """A facilitator's team screen: what is typed and not saved is kept as the team's drafts
    when the idle reset comes or the screen is left with Esc (while the team is still in
    :attr:`DRAFT_PHASE`)."""

    DRAFT_PHASE: ClassVar[Phase]
    team: Team | None
    team_id: str
    saving: bool

    def typed_drafts(self) -> dict[str, str]:
        raise NotImplementedError

    def keep_before_reset(self) -> None:
        if self.team is None or self.team.phase != self.DRAFT_PHASE:
            return
        screen = cast(KioskScreen[None], self)
        texts, repo, team_id = self.typed_drafts(), screen.kiosk.repo, self.team_id
        screen.app.run_worker(lambda: repo.keep_team_drafts(team_id, texts), thread=True, exit_on_error=False,
                              group="team-keep")

    def action_back(self) -> None:
        if self.saving:
            return
        self.keep_before_reset()
        leave(cast(KioskScreen[None], self))


def time_left(ends: datetime, now: datetime) -> str:
    """'18 h left' / '40 min left' / 'soak over'."""
    seconds = (ends - now).total_seconds()
    if seconds <= 0:
        return _("ready for Solve")
    hours = int(seconds // 3600)
    if hours >= 1:
        return ngettext("{n} hour left", "{n} hours left", hours).format(n=hours)
    minutes = max(1, int(seconds // 60))
    return ngettext("{n} minute left", "{n} minutes left", minutes).format(n=minutes)


def team_line(team: Team, now: datetime, soak_hours: int) -> str:
    """A team in a list: its id, phase (and time left soaking), area and title."""
    phase = _(PHASE_LABELS[team.phase])
    ends = soak_ends(team, soak_hours)
    if team.phase == Phase.SOAK and ends is not None:
        phase += f" ({time_left(ends, now)})"
    return f"{team.id}  {phase} · {team.area}\n   {shorten(team.title, 70)}"


def show_blame_hint(widget: Static, text: str, people: tuple[str, ...]) -> None:
    """The review's gentle hint under a note that points at a person (never a refusal)."""
    from kiosk.core.review_rules import blame_hints

    hints = blame_hints(text, people)
    widget.display = bool(hints)
    widget.update(plain(_("A gentle hint: \"{words}\" points at a person. What in the work made it happen?").format(
        words=", ".join(hints)) if hints else ""))


def describe_team_problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return describe_error(error)
    return _("Not saved ({error}); what you typed is still here.").format(error=describe_storage_problem(error))


def open_team_screen(screen: Screen[Any], team: Team) -> None:
    """The screen for a team's phase: Learn, Solve or Share for a supervisor (signed in by
    the caller); the story once shared; a reflection while it soaks."""
    from kiosk.screens.team_learn import LearnScreen
    from kiosk.screens.team_solve import ShareScreen, SolveScreen

    if team.phase == Phase.LEARN:
        screen.app.push_screen(LearnScreen(team.id))
    elif team.phase == Phase.SOLVE:
        screen.app.push_screen(SolveScreen(team.id))
    elif team.phase == Phase.SHARE:
        screen.app.push_screen(ShareScreen(team.id))
    elif team.phase == Phase.SOAK:
        screen.app.push_screen(ReflectionScreen(team.id))
    else:
        screen.app.push_screen(StoryScreen(team.id))


@dataclass
class TeamsLoaded(Message):
    teams: list[Team]


@dataclass
class SolveOpened(Message):
    team: Team | None
    problem: str = ""


class TeamsScreen(KioskScreen[None]):
    """Every Learning Team, the open ones first. Enter: a reflection while a team soaks (no
    PIN), its phase for a supervisor, its story once shared."""

    BINDINGS = [
        Binding("enter", "open", N_("Open")),
        Binding("n", "new", N_("New team")),
        Binding("v", "story", N_("Story")),
        Binding("s", "solve", N_("Start Solve")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.teams: list[Team] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="queue"):
            yield Static("", id="queue-title", markup=False)
            yield KioskOptionList(id="team-list")
            yield Static("", id="queue-empty", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="teams")
    def load(self) -> None:
        teams = self.kiosk.repo.teams()
        teams.sort(key=lambda t: (not t.is_open, t.phase != Phase.SOAK))  # (stable: newest first within)
        self.post_message(TeamsLoaded(teams[:100]))

    @on(TeamsLoaded)
    def loaded(self, message: TeamsLoaded) -> None:
        self.teams = message.teams
        self.retranslate()
        self.query_one("#team-list").focus()

    def retranslate(self) -> None:
        now = self.kiosk.clock()
        soak_hours = self.kiosk.config.soak_hours
        self.query_one("#queue-title", Static).update(_(
            "Learning Teams: the people who do the work tell how it is really done, before anyone "
            "proposes a fix. Enter opens one; while it soaks, anyone can add a reflection."))
        count = self.query_one("#team-list", KioskOptionList).show_lines(
            plain(team_line(t, now, soak_hours)) for t in self.teams)
        self.query_one("#queue-empty", Static).update(
            "" if count else _("No Learning Team yet. N opens one (supervisor PIN)."))
        self.refresh_bindings()

    def _chosen(self) -> Team | None:
        index = self.query_one("#team-list", KioskOptionList).highlighted
        return self.teams[index] if index is not None and index < len(self.teams) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        chosen = self._chosen()
        if action in ("open", "story"):
            return chosen is not None
        if action == "solve":
            return chosen is not None and chosen.phase == Phase.SOAK
        return True

    @on(KioskOptionList.OptionSelected, "#team-list")
    def selected(self) -> None:
        self.action_open()

    @on(KioskOptionList.OptionHighlighted, "#team-list")
    def highlighted(self) -> None:
        self.refresh_bindings()

    def action_open(self) -> None:
        team = self._chosen()
        if team is None:
            return
        if team.phase in (Phase.SOAK, Phase.CLOSED):
            open_team_screen(self, team)
            return
        self.kiosk.with_supervisor(lambda _s: open_team_screen(self, team), admin=False,
                                   title=N_("Learning Team: supervisor PIN"))

    def action_solve(self) -> None:
        """A soaking team's facilitator opens Solve (refused, with when, before the soak ends)."""
        team = self._chosen()
        if team is None or team.phase != Phase.SOAK:
            return
        self.kiosk.with_supervisor(lambda s: self._start_solve(team.id, s.name), admin=False,
                                   title=N_("Solve: supervisor PIN"))

    @work(thread=True, exit_on_error=False, group="team-solve")
    def _start_solve(self, team_id: str, by: str) -> None:
        try:
            team = self.kiosk.repo.start_team_solve(team_id, by=by, soak_hours=self.kiosk.config.soak_hours)
        except (ValidationError, StorageError) as error:
            self.post_message(SolveOpened(None, describe_team_problem(error)))
        else:
            self.post_message(SolveOpened(team))

    @on(SolveOpened)
    def solve_opened(self, message: SolveOpened) -> None:
        if message.team is None:
            self.notify(message.problem, markup=False, severity="warning")
        else:
            open_team_screen(self, message.team)

    def action_story(self) -> None:
        team = self._chosen()
        if team is not None:
            self.app.push_screen(StoryScreen(team.id))

    def action_new(self) -> None:
        self.kiosk.with_supervisor(lambda _s: self.app.push_screen(NewTeamScreen()), admin=False,
                                   title=N_("New Learning Team: supervisor PIN"))

    def action_back(self) -> None:
        leave(self)


# -- opening a team ------------------------------------------------------------------------------

NEW_STEPS = (
    ("use", N_("1 of 4 · What will the team learn from?")),
    ("title", N_("2 of 4 · A title everyone recognises")),
    ("area", N_("3 of 4 · Which area?")),
    ("more", N_("4 of 4 · Records and who takes part")),
)


@dataclass
class TeamOpened(Message):
    team: Team | None
    problem: str = ""


class NewTeamScreen(KioskScreen[None]):
    """A supervisor opens a Learning Team: use → title → area → records and participants.
    ``records`` and ``area`` come filled in from a weak signal."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, *, use: str = "", area: str = "", records: tuple[str, ...] = (), title: str = "",
                 from_entry: tuple[str, int] | None = None) -> None:
        super().__init__()
        self.preset_use, self.preset_area, self.preset_records, self.preset_title = use, area, records, title
        #: A work item's opportunity this team comes from (its debrief notes the team's id).
        self.from_entry = from_entry
        self.step = 0
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-up"):
            yield Static("", id="question", markup=False)
            with ContentSwitcher(initial="step-use", id="follow-up-steps"):
                with VerticalScroll(id="step-use", classes="step"):
                    yield KioskOptionList(id="uses")
                with VerticalScroll(id="step-title", classes="step"):
                    yield TLabel(N_("e.g. \"Cambio de formato en la línea 2\" or \"La nueva envolvedora\""),
                                 classes="hint")
                    yield KioskInput(id="team-title", max_length=TITLE_MAX)
                with VerticalScroll(id="step-area", classes="step"):
                    yield KioskOptionList(id="team-areas")
                with VerticalScroll(id="step-more", classes="step"):
                    yield TLabel(N_("Record numbers, separated by spaces (needed when learning from events)"),
                                 classes="field-label")
                    yield KioskInput(id="team-records", max_length=400)
                    yield TLabel(N_("Who takes part: names separated by commas, or just how many "
                                    "(names are seen by supervisors only)"), classes="field-label")
                    yield KioskInput(id="team-people", max_length=800)
            yield Static("", id="follow-up-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        areas = self.query_one("#team-areas", KioskOptionList)
        areas.set_options(Option(plain(area), id=area) for area in self.kiosk.config.areas)
        if self.preset_area in self.kiosk.config.areas:
            areas.highlighted = self.kiosk.config.areas.index(self.preset_area)
        self.query_one("#team-records", KioskInput).value = " ".join(self.preset_records)
        self.query_one("#team-title", KioskInput).value = self.preset_title
        self.retranslate()
        uses = self.query_one("#uses", KioskOptionList)
        if self.preset_use in USES:
            uses.highlighted = [u.value for u in USES].index(self.preset_use)
        uses.focus()

    def retranslate(self) -> None:
        uses = self.query_one("#uses", KioskOptionList)
        highlighted = uses.highlighted
        uses.set_options(Option(plain(f"{i}  {_(USE_LABELS[u])} — {_(USE_HINTS[u])}"), id=u)
                         for i, u in enumerate(USES, 1))
        uses.highlighted = highlighted if highlighted is not None else 0
        self.query_one("#question", Static).update(_(NEW_STEPS[self.step][1]))

    def _go(self, step: int) -> None:
        self.step = step
        step_id = NEW_STEPS[step][0]
        self.query_one("#follow-up-steps", ContentSwitcher).current = f"step-{step_id}"
        self.query_one("#question", Static).update(_(NEW_STEPS[step][1]))
        self._problem("")
        first = {"use": "#uses", "title": "#team-title", "area": "#team-areas", "more": "#team-records"}[step_id]
        self.query_one(first).focus()

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if NEW_STEPS[self.step][0] == "use" and key in ("1", "2", "3"):
            self.query_one("#uses", KioskOptionList).highlighted = int(key) - 1
            self.action_next()

    @on(KioskOptionList.OptionSelected)
    def option_selected(self) -> None:
        self.action_next()

    @on(KioskInput.Submitted)
    def input_submitted(self) -> None:
        self.action_next()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", KioskInput).value.strip()

    def action_next(self) -> None:
        if self.saving:
            return
        step_id = NEW_STEPS[self.step][0]
        if step_id == "title" and len(self._value("team-title")) < 5:
            self._problem(_("Give the team a title of at least 5 characters."))
            return
        if step_id == "more":
            if self.focused is self.query_one("#team-records"):
                self.query_one("#team-people").focus()
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

    def _chosen(self, widget_id: str) -> str:
        options = self.query_one(f"#{widget_id}", KioskOptionList)
        index = options.highlighted
        return (options.get_option_at_index(index).id or "") if index is not None else ""

    def save(self) -> None:
        people = self._value("team-people")
        count, names = 0, []
        if people.isdigit():
            count = int(people)
        else:
            names = [name for name in people.split(",") if name.strip()]
        records = [r for r in self._value("team-records").replace(",", " ").split() if r]
        self.saving = True
        self._problem(_("Saving…"))
        self._save(self._chosen("uses"), self._value("team-title"), self._chosen("team-areas"), records, names, count)

    @work(thread=True, exit_on_error=False, group="team-open")
    def _save(self, use: str, title: str, area: str, records: list[str], names: list[str], count: int) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            team = self.kiosk.repo.open_team(title=title, use=use, area=area, facilitator=by, records=records,
                                             participants=names, participant_count=count)
        except ValidationError as error:
            if error.field == "records" and error.code == "required":
                problem = _("A team that learns from events needs at least one record number.")
            elif error.field == "records":
                problem = _("There is no record {value}. Numbers look like QPC-GB8.").format(
                    value=error.params.get("value", ""))
            else:
                problem = describe_error(error)
            self.post_message(TeamOpened(None, problem))
        except StorageError as error:
            self.post_message(TeamOpened(None, describe_team_problem(error)))
        else:
            if self.from_entry is not None:
                item_id, index = self.from_entry
                try:
                    self.kiosk.repo.mark_work_entry(item_id, index, team.id, by=by)
                except (ValidationError, StorageError):
                    log.exception("team %s opened, but work item %s could not note it", team.id, item_id)
            self.post_message(TeamOpened(team))

    @on(TeamOpened)
    def opened(self, message: TeamOpened) -> None:
        self.saving = False
        if message.team is None:
            self._problem(message.problem)
            return
        from kiosk.screens.team_learn import LearnScreen

        self.app.notify(_("Learning Team {id} opened: Learn.").format(id=message.team.id), markup=False)
        self.app.switch_screen(LearnScreen(message.team.id))

    def is_saving(self) -> bool:
        return self.saving

    def _problem(self, text: str) -> None:
        self.query_one("#follow-up-problem", Static).update(plain(text))


# -- a reflection while the team soaks (anyone, no PIN) ----------------------------------------------


@dataclass
class TeamLoaded(Message):
    team: Team | None
    problem: str = ""
    saved: str = ""  # what was just saved ("note", "idea"), for the message


class ReflectionScreen(ScrollsNotes, KioskScreen[None]):
    """A soaking team's notes (no names), and a box for one more reflection."""

    BINDINGS = [
        Binding("enter", "save", N_("Save")),
        Binding("f4", "print_soak", N_("Print the soak slip")),
        *NOTES_SCROLL,
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, team_id: str) -> None:
        super().__init__()
        self.team_id = team_id
        self.team: Team | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static("", id="question", markup=False)
            with VerticalScroll(id="team-notes", can_focus=False):
                yield Static("", id="team-notes-text", markup=False)
            yield TLabel(N_("Your reflection: did we miss something? Is it like this on a bad day too?"),
                         classes="field-label")
            yield ReportTextArea(id="reflection", max_length=NOTE_MAX)
            yield Static("", id="budget", markup=False)
            yield Static("", id="review-hint", markup=False)
            yield TLabel(N_("Your name (optional)"), classes="field-label")
            yield KioskInput(id="reflection-by", max_length=60)
            yield Static("", id="review-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#reflection").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team")
    def load(self) -> None:
        self.post_message(TeamLoaded(self.kiosk.repo.team(self.team_id)))

    @on(TeamLoaded)
    def loaded(self, message: TeamLoaded) -> None:
        self.saving = False
        if message.team is not None:
            self.team = message.team
        if message.saved:
            self.query_one("#reflection", ReportTextArea).load_text("")
            self.notify(_("Thank you: your reflection is with the team.") if message.saved == "note"
                        else _("Kept as an idea for Solve."), markup=False)
        self._problem(message.problem)
        self.retranslate()

    def retranslate(self) -> None:
        team = self.team
        if team is None:
            return
        ends = soak_ends(team, self.kiosk.config.soak_hours)
        until = show_date(ends, with_time=True) if ends else "-"
        self.query_one("#question", Static).update(plain(
            _("{title} ({id}) is soaking until {until}: let the story settle.").format(
                title=team.title, id=team.id, until=until)))
        lines = []
        for note in reversed(team.notes):  # the newest first: a reflection just saved is in view
            lines.append(f"• {_(LENS_LABELS.get(note.lens, note.lens))}: {note.text}")
        self.query_one("#team-notes-text", Static).update(plain("\n".join(lines) or "-"))
        self._update_budget()

    @on(ReportTextArea.Changed, "#reflection")
    def _update_budget(self) -> None:
        text = self.query_one("#reflection", ReportTextArea).text
        self.query_one("#budget", Static).update(
            _("{left} characters left of {limit}").format(left=NOTE_MAX - len(text), limit=NOTE_MAX))
        show_blame_hint(self.query_one("#review-hint", Static), text, self.team.participants if self.team else ())

    @on(ReportTextArea.Submitted)
    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.saving or self.team is None:
            return
        text = self.query_one("#reflection", ReportTextArea).text
        if not text.strip():
            self._problem(_("Write your reflection first."))
            return
        by = self.query_one("#reflection-by", KioskInput).value
        note_or_idea(self, text, "", lambda idea: self._save(text, by, idea=idea))

    def _save(self, text: str, by: str, *, idea: bool) -> None:
        self.saving = True
        self._problem(_("Saving…"))
        self._store(text, by, idea)

    @work(thread=True, exit_on_error=False, group="team-save")
    def _store(self, text: str, by: str, idea: bool) -> None:
        repo = self.kiosk.repo
        try:
            if idea:
                team = repo.park_team_idea(self.team_id, text=text, by=by)
            else:
                team = repo.add_team_note(self.team_id, text=text, lens="reflection", by=by)
        except (ValidationError, StorageError) as error:
            self.post_message(TeamLoaded(None, describe_team_problem(error)))
        else:
            self.post_message(TeamLoaded(team, saved="idea" if idea else "note"))

    def action_print_soak(self) -> None:
        from kiosk.screens.printing import PrintScreen

        self.app.push_screen(PrintScreen("soak", (self.team_id,)))

    def is_saving(self) -> bool:
        return self.saving

    def action_back(self) -> None:
        leave(self)

    def _problem(self, text: str) -> None:
        self.query_one("#review-problem", Static).update(plain(text))


#: Said when a note reads as a fix (Learn and soak).
PARK_DETAIL = N_("It sounds like a fix. In Learn we tell how the work is really done; fixes wait "
                 "for Solve, which shows them first. Enter keeps it for Solve; Esc saves it as a note.")


# -- the story -----------------------------------------------------------------------------------


class StoryScreen(ScrollKeys, KioskScreen[None]):
    """A team's one-page story (names for supervisors only); P prints it."""

    SCROLLS = "record-page"

    BINDINGS = [
        Binding("p", "print", N_("Print")),
        *SCROLL_BINDINGS,
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, team_id: str) -> None:
        super().__init__()
        self.team_id = team_id
        self.team: Team | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="record"):
            yield Static("", id="record-due", markup=False)
            with VerticalScroll(id="record-page", can_focus=False):
                yield Static("", id="record-text", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team")
    def load(self) -> None:
        self.post_message(TeamLoaded(self.kiosk.repo.team(self.team_id)))

    @on(TeamLoaded)
    def loaded(self, message: TeamLoaded) -> None:
        self.team = message.team
        self.retranslate()

    def retranslate(self) -> None:
        if self.team is None:
            return
        names = self.kiosk.supervisor is not None
        self.query_one("#record-text", Static).update(plain(as_text(team_page(self.team, show_names=names))))

    def action_print(self) -> None:
        from kiosk.screens.printing import PrintScreen

        if self.team is not None:
            kinds = ("story", "soak") if self.team.phase == Phase.CLOSED else ("soak", "story")
            self.app.push_screen(PrintScreen(kinds[0], (self.team.id,), others=kinds[1:]))

    def action_back(self) -> None:
        leave(self)
