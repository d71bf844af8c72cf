"""Solve and Share: from what was learned to changes everyone can own, then the story.

Solve shows first the ideas kept for it and the reflections of the soak; then the defences the
team already has (a line each, Enter adds); then the changes, each with the review's one-action
contract (concrete, one owner, a deadline after today and not after its follow-up date). F5
ends Solve. Share shows the story and asks for one to three look-for lines, each for the areas
it is meant for (empty: every area); F5 shares it and the story slip is ready to print.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk.core.records import LOOK_FOR_MAX, Action, ValidationError
from kiosk.core.reviewing import default_follow_up
from kiosk.core.teams import DEFENCE_MAX, MAX_LOOK_FORS, REFLECTION, Phase, Team
from kiosk.core.text import clean_text, fold
from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen
from kiosk.screens.teams import NOTES_SCROLL, KeepsTeamDrafts, ScrollsNotes, TeamLoaded, describe_team_problem
from kiosk.storage import StorageError
from kiosk.views.dates import example_date, show_date, to_iso
from kiosk.views.labels import CHANGE_STATE_LABELS, LENS_LABELS, USE_LABELS, describe_error
from kiosk.views.onepage import as_text
from kiosk.views.story import team_page
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput

FOLLOW_UP = N_("Follow-up")


@dataclass
class PhaseEnded(Message):
    team: Team | None
    problem: str = ""


def _by(screen: KioskScreen[None]) -> str:
    return screen.kiosk.supervisor.name if screen.kiosk.supervisor else "-"


class SolveScreen(KeepsTeamDrafts, ScrollsNotes, KioskScreen[None]):
    """Solve for ``team_id`` (the facilitator is signed in)."""

    BINDINGS = [
        Binding("enter", "next", N_("Add")),
        Binding("tab", "app.focus_next", N_("Next field"), show=False),
        Binding("f8", "remove_last", N_("Take back the last")),
        Binding("f5", "end_solve", N_("To the story")),
        *NOTES_SCROLL,
        Binding("escape", "back", N_("Back")),
    ]

    DRAFT_PHASE = Phase.SOLVE

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
            yield KioskInput(id="defence", max_length=DEFENCE_MAX)
            with Horizontal(classes="dates"):
                yield KioskInput(id="a-text", max_length=200)
                yield KioskInput(id="a-owner", max_length=60)
            with Horizontal(classes="dates"):
                yield KioskInput(id="a-deadline", max_length=10, restrict=r"[0-9/.\-]*")
                yield KioskInput(id="a-follow-up", max_length=10, restrict=r"[0-9/.\-]*")
            yield Static("", id="review-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#defence").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team")
    def load(self) -> None:
        self.post_message(TeamLoaded(self.kiosk.repo.team(self.team_id)))

    @on(TeamLoaded)
    def loaded(self, message: TeamLoaded) -> None:
        first = self.team is None
        self.saving = False
        if message.team is not None:
            self.team = message.team
        if first and self.team is not None:
            for field in ("defence", "a-text", "a-owner", "a-deadline", "a-follow-up"):
                self.query_one(f"#{field}", KioskInput).value = self.team.draft(field)
        if message.saved == "defence":
            self.query_one("#defence", KioskInput).value = ""
            self.notify(_("Defence added."), markup=False)
        elif message.saved == "change":
            for field in ("a-text", "a-owner", "a-deadline", "a-follow-up"):
                self.query_one(f"#{field}", KioskInput).value = ""
            self.notify(_("Change added: it is followed up like a review's."), markup=False)
            self.query_one("#a-text").focus()
        elif message.saved == "removed":
            self.notify(_("Taken back."), markup=False)
        self._problem(message.problem)
        self.retranslate()

    def retranslate(self) -> None:
        team = self.team
        if team is None:
            return
        today = self.kiosk.clock().date()
        self.query_one("#question", Static).update(plain(
            _("Solve · {title} ({id}) · {use} · {area}").format(
                title=team.title, id=team.id, use=_(USE_LABELS[team.use]), area=team.area) + "\n"
            + _("First what we already have that works; then changes everyone can own. PgUp/PgDn: the list.")))
        lines = []
        if team.ideas:
            lines.append(_("Ideas kept for Solve:"))
            lines += [f"  • {idea.text}" for idea in team.ideas]
        reflections = team.notes_in(REFLECTION)
        if reflections:
            lines.append(_("Reflections while soaking:"))
            lines += [f"  • {note.text}" for note in reflections]
        lines.append(_("Defences we already have:"))
        lines += [f"  {i}. {d}" for i, d in enumerate(team.defences, 1)] or ["  -"]
        lines.append(_("Changes:"))
        follow_up = _(FOLLOW_UP)
        lines += [f"  {i}. {c.action.text} · {c.action.owner} · {show_date(c.action.deadline)} · "
                  f"{follow_up} {show_date(c.follow_up_date)} · {_(CHANGE_STATE_LABELS[c.state])}"
                  for i, c in enumerate(team.changes, 1)] or ["  -"]
        lines.append(_("What we learned:"))
        lines += [f"  • {_(LENS_LABELS.get(n.lens, n.lens))}: {n.text}" for n in team.notes if n.lens != REFLECTION]
        self.query_one("#team-notes-text", Static).update(plain("\n".join(lines)))
        self.query_one("#defence", KioskInput).placeholder = _(
            "A defence we already have (what already keeps the work going well)")
        self.query_one("#a-text", KioskInput).placeholder = _("A change: one concrete action")
        self.query_one("#a-owner", KioskInput).placeholder = _("Owner")
        self.query_one("#a-deadline", KioskInput).placeholder = _("Deadline, e.g. {example}").format(
            example=example_date(today))
        self.query_one("#a-follow-up", KioskInput).placeholder = _("Follow-up: {date}").format(
            date=show_date(default_follow_up(today, self.kiosk.config.follow_up_days)))

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        if self.saving or self.team is None:
            return
        focused = self.focused.id if self.focused is not None else ""
        if focused == "defence":
            text = self.query_one("#defence", KioskInput).value
            if not text.strip():
                self.query_one("#a-text").focus()
                return
            self._run("defence", text)
            return
        order = ["a-text", "a-owner", "a-deadline", "a-follow-up"]
        if focused in order[:-1] and not (focused == "a-deadline" and self._all_filled()):
            self.query_one(f"#{order[order.index(focused) + 1]}").focus()
            return
        if focused in order:
            self._run("change", "")

    def _all_filled(self) -> bool:
        return all(self.query_one(f"#{f}", KioskInput).value.strip() for f in ("a-text", "a-owner", "a-deadline"))

    def _run(self, what: str, text: str) -> None:
        self.saving = True
        self._problem(_("Saving…"))
        today = self.kiosk.clock().date()
        action = Action(text=self.query_one("#a-text", KioskInput).value,
                        owner=self.query_one("#a-owner", KioskInput).value,
                        deadline=to_iso(self.query_one("#a-deadline", KioskInput).value, today))
        follow_up = self.query_one("#a-follow-up", KioskInput).value.strip()
        self._store(what, text, action, to_iso(follow_up, today) if follow_up else "")

    @work(thread=True, exit_on_error=False, group="team-save")
    def _store(self, what: str, text: str, action: Action, follow_up: str) -> None:
        repo, by = self.kiosk.repo, _by(self)
        try:
            if what == "defence":
                team = repo.add_team_defence(self.team_id, text, by=by)
            elif what == "change":
                team = repo.add_team_change(self.team_id, action, by=by, follow_up_date=follow_up,
                                            follow_up_days=self.kiosk.config.follow_up_days)
            else:
                current = repo.team(self.team_id)
                if current is None:
                    return
                if what == "remove_change":
                    team = repo.remove_team_change(self.team_id, len(current.changes) - 1, by=by)
                else:
                    team = repo.remove_team_defence(self.team_id, len(current.defences) - 1, by=by)
                what = "removed"
        except ValidationError as error:
            self.post_message(TeamLoaded(None, self._explain(error)))
        except StorageError as error:
            self.post_message(TeamLoaded(None, describe_team_problem(error)))
        else:
            self.post_message(TeamLoaded(team, saved=what))

    def _explain(self, error: ValidationError) -> str:
        if error.field == "action" and error.code == "vague":
            return _("\"{phrase}\" asks people to try harder. A change says what will be different: "
                     "a guard, a checklist item, a new place for the tool.").format(**error.params)
        if error.field in ("deadline", "follow_up_date") and error.code in ("bad_date", "required"):
            return _("Write the date like this: {example}.").format(example=example_date(self.kiosk.clock().date()))
        return describe_error(error, today=self.kiosk.clock().date())

    def action_remove_last(self) -> None:
        if self.saving or self.team is None:
            return
        focused = self.focused.id if self.focused is not None else ""
        if focused == "defence" and self.team.defences:
            self._run("remove_defence", "")
        elif focused != "defence" and self.team.changes and not self.team.changes[-1].follow_ups:
            self._run("remove_change", "")

    def action_end_solve(self) -> None:
        if self.saving or self.team is None:
            return
        self.saving = True
        self._end()

    @work(thread=True, exit_on_error=False, group="team-save")
    def _end(self) -> None:
        try:
            team = self.kiosk.repo.end_team_solve(self.team_id, by=_by(self))
        except ValidationError as error:
            problem = (_("Agree at least one change first (one action, one owner, one deadline).")
                       if error.field == "changes" else describe_error(error))
            self.post_message(PhaseEnded(None, problem))
        except StorageError as error:
            self.post_message(PhaseEnded(None, describe_team_problem(error)))
        else:
            self.post_message(PhaseEnded(team))

    @on(PhaseEnded)
    def ended(self, message: PhaseEnded) -> None:
        self.saving = False
        if message.team is None:
            self._problem(message.problem)
            return
        self.app.switch_screen(ShareScreen(self.team_id))

    def is_saving(self) -> bool:
        return self.saving

    def typed_drafts(self) -> dict[str, str]:
        return {f: self.query_one(f"#{f}", KioskInput).value
                for f in ("defence", "a-text", "a-owner", "a-deadline", "a-follow-up")}

    def _problem(self, text: str) -> None:
        self.query_one("#review-problem", Static).update(plain(text))


def typed_areas(typed: str, configured: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """Areas typed with commas, matched to the configured ones (case and accents aside):
    (the areas — none for "todas" or nothing typed —, a problem if one is not an area)."""
    known = {fold(area): area for area in configured}
    areas: list[str] = []
    for area in filter(None, (clean_text(a) for a in typed.split(","))):
        if fold(area) in ("todas", "all", "todas las areas", "every area"):
            return (), ""
        if fold(area) not in known:
            return (), _("There is no area called {area}. Areas: {areas}.").format(
                area=area, areas=", ".join(configured))
        areas.append(known[fold(area)])
    return tuple(dict.fromkeys(areas)), ""


class ShareScreen(KeepsTeamDrafts, ScrollsNotes, KioskScreen[None]):
    """Share for ``team_id``: the story, and one to three look-for lines for chosen areas."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("f5", "share", N_("Share the story")),
        *NOTES_SCROLL,
        Binding("escape", "back", N_("Back")),
    ]

    DRAFT_PHASE = Phase.SHARE

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
            yield TLabel(N_("Look-for lines, for other teams to recognise the pattern (one to three)"),
                         classes="field-label")
            for n in range(1, MAX_LOOK_FORS + 1):
                with Horizontal(classes="dates"):
                    yield KioskInput(id=f"look-{n}", max_length=LOOK_FOR_MAX)
                    yield KioskInput(id=f"areas-{n}", max_length=400)
            yield Static("", id="review-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#look-1").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team")
    def load(self) -> None:
        self.post_message(TeamLoaded(self.kiosk.repo.team(self.team_id)))

    @on(TeamLoaded)
    def loaded(self, message: TeamLoaded) -> None:
        first = self.team is None
        if message.team is not None:
            self.team = message.team
        if first and self.team is not None:
            for n in range(1, MAX_LOOK_FORS + 1):
                for field in (f"look-{n}", f"areas-{n}"):
                    self.query_one(f"#{field}", KioskInput).value = self.team.draft(field)
        self._problem(message.problem)
        self.retranslate()

    def retranslate(self) -> None:
        team = self.team
        for n in range(1, MAX_LOOK_FORS + 1):
            self.query_one(f"#look-{n}", KioskInput).placeholder = _("Look for …")
            self.query_one(f"#areas-{n}", KioskInput).placeholder = _("for which areas? (empty: every area)")
        if team is None:
            return
        self.query_one("#question", Static).update(plain(
            _("Share · {title} ({id})").format(title=team.title, id=team.id) + "\n"
            + _("The story as it will be shared (PgUp/PgDn). What should other teams look for? F5 shares it.")))
        self.query_one("#team-notes-text", Static).update(plain(as_text(team_page(team, history=False))))

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        self.focus_next()

    def _lines(self) -> tuple[list[tuple[str, tuple[str, ...]]], str]:
        """The look-for lines typed, with their areas matched to the configured ones; a
        problem if an area is not one."""
        lines = []
        for n in range(1, MAX_LOOK_FORS + 1):
            text = self.query_one(f"#look-{n}", KioskInput).value
            areas, problem = typed_areas(self.query_one(f"#areas-{n}", KioskInput).value, self.kiosk.config.areas)
            if problem:
                return [], problem
            if text.strip():
                lines.append((text, areas))
        return lines, ""

    def action_share(self) -> None:
        if self.saving or self.team is None:
            return
        lines, problem = self._lines()
        if problem:
            self._problem(problem)
            return
        if not lines:
            self._problem(_("Write at least one look-for line: what should other teams look for?"))
            return
        self.saving = True
        self._problem(_("Saving…"))
        self._share(lines)

    @work(thread=True, exit_on_error=False, group="team-save")
    def _share(self, lines: list[tuple[str, tuple[str, ...]]]) -> None:
        try:
            team = self.kiosk.repo.share_team(self.team_id, lines, by=_by(self),
                                              share_days=self.kiosk.config.look_for_days)
        except ValidationError as error:
            self.post_message(PhaseEnded(None, describe_error(error)))
        except StorageError as error:
            self.post_message(PhaseEnded(None, describe_team_problem(error)))
        else:
            self.post_message(PhaseEnded(team))

    @on(PhaseEnded)
    def shared(self, message: PhaseEnded) -> None:
        self.saving = False
        if message.team is None:
            self._problem(message.problem)
            return
        from kiosk.screens.printing import PrintScreen

        heading = (N_("{title} is shared: its look-fors are on Home. P prints the story for the board."),
                   {"title": message.team.title})
        self.app.switch_screen(PrintScreen("story", (self.team_id,), heading=heading))

    def is_saving(self) -> bool:
        return self.saving

    def typed_drafts(self) -> dict[str, str]:
        return {f"{kind}-{n}": self.query_one(f"#{kind}-{n}", KioskInput).value
                for n in range(1, MAX_LOOK_FORS + 1) for kind in ("look", "areas")}

    def _problem(self, text: str) -> None:
        self.query_one("#review-problem", Static).update(plain(text))
