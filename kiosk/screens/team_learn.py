"""Learn: the people who do the work tell how it is really done, one short note at a time.

A lens first (one key, 1 to 9: went smoothly, had to adapt, …), then the note (a budget shown
while typing), Enter saves it. There is no field for fixes: a note that reads as one is offered
to be kept for Solve instead (Enter) or saved as a note anyway (Esc). Blame words and names get
the review's gentle hint. F5 ends Learn: the team soaks, and the soak slip can be printed.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk.core.records import ValidationError
from kiosk.core.teams import LENSES, NOTE_MAX, Phase, Team, soak_ends
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen
from kiosk.screens.teams import (
    NOTES_SCROLL,
    KeepsTeamDrafts,
    ScrollsNotes,
    TeamLoaded,
    describe_team_problem,
    note_or_idea,
    show_blame_hint,
)
from kiosk.storage import StorageError
from kiosk.views.dates import show_date
from kiosk.views.labels import LENS_LABELS, USE_LABELS
from kiosk.widgets import KioskFooter, plain
from kiosk.widgets.inputs import KioskInput, ReportTextArea


class NoteArea(ReportTextArea):
    """The note's box: while no lens is chosen it leaves the digits 1 to 9 to the screen's
    keys (a text box takes every printable key before any key binding)."""

    lens_pending = True

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        if self.lens_pending and character is not None and character in "123456789" and character:
            return False
        return super().check_consume_key(key, character)


@dataclass
class SoakStarted(Message):
    team: Team | None
    problem: str = ""


class LearnScreen(KeepsTeamDrafts, ScrollsNotes, KioskScreen[None]):
    """Learn for ``team_id`` (a supervisor, the facilitator, is signed in)."""

    BINDINGS = [
        Binding("enter", "save", N_("Save")),
        # Before the widgets: while no lens is chosen, 1 to 9 choose one and are not typed
        # (then the action skips, and digits reach the note: "la línea 2").
        Binding("1", "pick_lens(0)", N_("Lens"), key_display="1-9", priority=True),
        *(Binding(str(n), f"pick_lens({n - 1})", show=False, priority=True) for n in range(2, 10)),
        Binding("f3", "lens", N_("Another lens")),
        Binding("f5", "end_learn", N_("To soak")),
        *NOTES_SCROLL,
        Binding("escape", "back", N_("Back")),
    ]

    DRAFT_PHASE = Phase.LEARN

    def __init__(self, team_id: str) -> None:
        super().__init__()
        self.team_id = team_id
        self.team: Team | None = None
        self.lens = ""
        self.saving = False
        self.people: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static("", id="question", markup=False)
            yield Static("", id="lenses", markup=False)
            with Horizontal(id="learn-entry"):
                with Vertical(id="learn-typing"):
                    yield NoteArea(id="note", max_length=NOTE_MAX)
                    yield Static("", id="budget", markup=False)
                    yield KioskInput(id="note-by", max_length=60)
            yield Static("", id="review-hint", markup=False)
            with VerticalScroll(id="team-notes", can_focus=False):
                yield Static("", id="team-notes-text", markup=False)
            yield Static("", id="review-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()
        self.retranslate()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team")
    def load(self) -> None:
        self.post_message(TeamLoaded(self.kiosk.repo.team(self.team_id)))

    @on(TeamLoaded)
    def loaded(self, message: TeamLoaded) -> None:
        first = self.team is None
        self.saving = False
        if message.team is not None:
            self.team = message.team
            self.people = tuple(message.team.participants)
        if first and self.team is not None:
            self.query_one("#note", ReportTextArea).load_text(self.team.draft("note"))
            self.lens = self.team.draft("lens") if self.team.draft("lens") in LENSES else ""
        if message.saved:
            self.query_one("#note", ReportTextArea).load_text("")
            self.notify(_("Note saved.") if message.saved == "note" else _("Kept as an idea for Solve."),
                        markup=False)
            self.lens = ""
        self._problem(message.problem)
        self.retranslate()
        self.refresh_bindings()
        if not message.problem:
            self.query_one("#note").focus()

    # -- what it shows -------------------------------------------------------------------

    def retranslate(self) -> None:
        self.query_one("#note", NoteArea).lens_pending = not self.lens
        team = self.team
        if team is None:
            return
        self.query_one("#question", Static).update(plain(
            _("Learn · {title} ({id}) · {use} · {area}").format(
                title=team.title, id=team.id, use=_(USE_LABELS[team.use]), area=team.area) + "\n"
            + _("How is the work really done? No fixes yet: they wait for Solve.")))
        self.query_one("#note-by", KioskInput).placeholder = _("Who says it (optional; empty: anonymous)")
        parts = []
        for number, lens in enumerate(LENSES, 1):
            label = f"{number} {_(LENS_LABELS[lens])}"
            parts.append(f"[{label}]" if lens == self.lens else label)
        prompt = (_("Lens: {lens}. Write the note, Enter saves it.").format(lens=_(LENS_LABELS[self.lens]))
                  if self.lens else _("First the lens: press 1 to 9 (F3 lets you choose again)."))
        self.query_one("#lenses", Static).update(plain(" · ".join(parts) + "\n" + prompt))
        lines = [ngettext("{n} note so far", "{n} notes so far", len(team.notes)).format(n=len(team.notes))
                 + (" · " + ngettext("{n} idea kept for Solve", "{n} ideas kept for Solve", len(team.ideas)).format(
                     n=len(team.ideas)) if team.ideas else "")]
        for note in reversed(team.notes[-30:]):
            lines.append(f"• {_(LENS_LABELS.get(note.lens, note.lens))}: {note.text}"
                         + (f" ({note.by})" if note.by else ""))
        self.query_one("#team-notes-text", Static).update(plain("\n".join(lines)))
        self._update_budget()

    @on(ReportTextArea.Changed, "#note")
    def _update_budget(self) -> None:
        text = self.query_one("#note", ReportTextArea).text
        self.query_one("#budget", Static).update(
            _("{left} characters left of {limit}").format(left=NOTE_MAX - len(text), limit=NOTE_MAX))
        show_blame_hint(self.query_one("#review-hint", Static), text, self.people)

    # -- keys ----------------------------------------------------------------------------

    def action_pick_lens(self, index: int) -> None:
        if self.lens or not isinstance(self.focused, NoteArea):
            raise SkipAction()
        self.lens = LENSES[index]
        self.retranslate()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_lens":
            return not self.lens
        if action == "lens":
            return bool(self.lens)
        return True

    def action_lens(self) -> None:
        self.lens = ""
        self.retranslate()
        self.refresh_bindings()
        self.query_one("#note").focus()

    @on(ReportTextArea.Submitted)
    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.saving or self.team is None:
            return
        text = self.query_one("#note", ReportTextArea).text
        if not self.lens:
            self._problem(_("Choose the lens first: press 1 to 9."))
            return
        if not text.strip():
            self._problem(_("Write the note first."))
            return
        by = self.query_one("#note-by", KioskInput).value
        note_or_idea(self, text, self.lens, lambda idea: self._save(text, by, idea=idea))

    def _save(self, text: str, by: str, *, idea: bool) -> None:
        self.saving = True
        self._problem(_("Saving…"))
        self._store(text, by, self.lens, idea)

    @work(thread=True, exit_on_error=False, group="team-save")
    def _store(self, text: str, by: str, lens: str, idea: bool) -> None:
        repo = self.kiosk.repo
        try:
            if idea:
                team = repo.park_team_idea(self.team_id, text=text, by=by)
            else:
                team = repo.add_team_note(self.team_id, text=text, lens=lens, by=by)
            if team.drafts:
                team = repo.keep_team_drafts(self.team_id, {"note": "", "lens": ""})
        except (ValidationError, StorageError) as error:
            self.post_message(TeamLoaded(None, describe_team_problem(error)))
        else:
            self.post_message(TeamLoaded(team, saved="idea" if idea else "note"))

    def action_end_learn(self) -> None:
        if self.saving or self.team is None:
            return
        if not self.team.notes:
            self._problem(_("Learn has heard nothing yet: save at least one note."))
            return
        from kiosk.screens.dialogs.confirm import ConfirmDialog

        hours = self.kiosk.config.soak_hours

        def answered(yes: bool | None) -> None:
            if yes:
                self.saving = True
                self._end()

        self.app.push_screen(ConfirmDialog(
            N_("End Learn and let it soak?"),
            ngettext("Solve can open {n} hour from now. Meanwhile anyone can add a reflection at the kiosk.",
                     "Solve can open {n} hours from now. Meanwhile anyone can add a reflection at the kiosk.",
                     hours).format(n=hours), yes=N_("End Learn"), no=N_("Keep learning")), answered)

    @work(thread=True, exit_on_error=False, group="team-save")
    def _end(self) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            team = self.kiosk.repo.end_team_learn(self.team_id, by=by)
        except (ValidationError, StorageError) as error:
            self.post_message(SoakStarted(None, describe_team_problem(error)))
        else:
            self.post_message(SoakStarted(team))

    @on(SoakStarted)
    def soak_started(self, message: SoakStarted) -> None:
        self.saving = False
        team = message.team
        if team is None:
            self._problem(message.problem)
            return
        from kiosk.screens.printing import PrintScreen

        ends = soak_ends(team, self.kiosk.config.soak_hours)
        heading = (N_("Learn ended. {title} soaks until {until}; P prints the soak slip for the stations."),
                   {"title": team.title, "until": show_date(ends, with_time=True) if ends else "-"})
        self.app.switch_screen(PrintScreen("soak", (team.id,), heading=heading))

    # -- the rest ------------------------------------------------------------------------

    def is_saving(self) -> bool:
        return self.saving

    def typed_drafts(self) -> dict[str, str]:
        return {"note": self.query_one("#note", ReportTextArea).text, "lens": self.lens}

    def _problem(self, text: str) -> None:
        self.query_one("#review-problem", Static).update(plain(text))
