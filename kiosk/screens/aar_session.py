"""The group discovery session of an after-action review: the accounts side by side, answer by
answer (names or "participant N", as each chose); the facilitator writes the facts agreed, where
perspectives differ, what helped (to sustain) and what got in the way (to improve), and, for a
failure, what would turn it into a success: behaviours and conditions, never people (a blame
word or a known name gets the review's hint). The session ends in the record's four questions,
prefilled from it; for a win, in its acknowledgement with what made it work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from kiosk.core.aar import FINDING_MAX, FINDINGS, QUESTIONS, Aar, AarPhase, review_prefill
from kiosk.core.records import WAITING_STATUSES, Record, ValidationError
from kiosk.core.reviewing import start_review
from kiosk.i18n import N_, _
from kiosk.screens.aar import QUESTION_TEXTS, AarLoaded, problem_text
from kiosk.screens.base import KioskScreen, leave
from kiosk.screens.dialogs.win import WinAnswer, WinDialog
from kiosk.screens.teams import NOTES_SCROLL, ScrollsNotes, show_blame_hint
from kiosk.storage import StorageError
from kiosk.views.onepage import AFTER_ACTION_LABELS
from kiosk.widgets import KioskFooter, plain
from kiosk.widgets.inputs import KioskInput

FINDING_LABELS = AFTER_ACTION_LABELS
#: The keys that choose which list a line goes to.
FINDING_KEYS = {"f3": "facts", "f4": "differ", "f5": "sustain", "f6": "improve", "f7": "to_success"}


def confirm_session(screen: Screen[Any], aar: Aar) -> None:
    """Ask, then open the session (every code stops) and show it."""
    from kiosk.screens.dialogs.confirm import ConfirmDialog

    def answered(yes: bool | None) -> None:
        if yes:
            screen.app.push_screen(SessionScreen(aar.id, opening=True))

    screen.app.push_screen(ConfirmDialog(
        N_("Open the session?"),
        N_("The accounts are read together from now on, and the codes stop working: nobody can add or "
           "change an account after this."), yes=N_("Open the session"), no=N_("Not yet")), answered)


@dataclass
class WinAcknowledged(Message):
    record: Record
    answer: WinAnswer
    problem: str = ""


@dataclass
class SessionEnded(Message):
    record: Record | None
    problem: str = ""


class SessionScreen(ScrollsNotes, KioskScreen[None]):
    """The session of ``aar_id`` (``opening``: open it first)."""

    BINDINGS = [
        Binding("enter", "add", N_("Add")),
        Binding("f3", "kind('facts')", N_("List"), key_display="f3-f7"),
        *(Binding(key, f"kind('{kind}')", show=False) for key, kind in list(FINDING_KEYS.items())[1:]),
        Binding("f8", "finish", N_("End: to the review")),
        *NOTES_SCROLL,
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, aar_id: str, *, opening: bool = False) -> None:
        super().__init__()
        self.aar_id = aar_id
        self.opening = opening
        self.aar: Aar | None = None
        self.kind = "facts"
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static("", id="question", markup=False)
            with VerticalScroll(id="team-notes", can_focus=False):
                yield Static("", id="team-notes-text", markup=False)
            yield Static("", id="lenses", markup=False)
            with Horizontal(classes="dates"):
                yield KioskInput(id="a-text", max_length=FINDING_MAX)
                yield KioskInput(id="a-owner", max_length=40, restrict=r"[0-9 ,]*")
            yield Static("", id="review-hint", markup=False)
            yield Static("", id="review-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.saving = True
        self._load(self.opening)
        self.query_one("#a-text").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="aar")
    def _load(self, opening: bool) -> None:
        repo = self.kiosk.repo
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            aar = repo.open_aar_session(self.aar_id, by=by) if opening else repo.aar(self.aar_id)
        except (ValidationError, StorageError) as error:
            self.post_message(AarLoaded(repo.aar(self.aar_id), problem_text(error)))
        else:
            self.post_message(AarLoaded(aar))

    @on(AarLoaded)
    def loaded(self, message: AarLoaded) -> None:
        self.saving = False
        if message.aar is not None:
            self.aar = message.aar
        if message.saved:
            self.query_one("#a-text", KioskInput).value = ""
            self.query_one("#a-owner", KioskInput).value = ""
            self.query_one("#a-text").focus()
        self.query_one("#review-problem", Static).update(plain(message.problem))
        self.retranslate()

    def _who(self, index: int) -> str:
        assert self.aar is not None
        return self.aar.shown_as(index, _("participant {n}"))

    def retranslate(self) -> None:
        aar = self.aar
        self.query_one("#a-text", KioskInput).placeholder = _(FINDING_LABELS[self.kind])
        self.query_one("#a-owner", KioskInput).placeholder = _("from accounts: 1 3")
        if aar is None:
            return
        if aar.phase == AarPhase.ACCOUNTS:  # (the session did not open: say why, show nothing)
            self.query_one("#question", Static).update(plain(_("The session is not open.")))
            return
        self.query_one("#question", Static).update(plain(
            _("Session · {event}").format(event=aar.event) + "\n"
            + _("Facts, perspectives and behaviours: never who. PgUp/PgDn read the accounts.")))
        lines: list[str] = []
        given = [i for i, person in enumerate(aar.participants) if person.account is not None]
        for question in QUESTIONS:
            lines.append(_(QUESTION_TEXTS[question]).upper())
            for index in given:
                account = aar.participants[index].account
                assert account is not None
                answer = account.answer(question) or "-"
                lines.append(f"  {index + 1}. {self._who(index)}: {answer}")
            lines.append("")
        for kind in FINDINGS:
            found = getattr(aar, kind)
            if found:
                lines.append(_(FINDING_LABELS[kind]).upper())
                lines += [f"  • {f.text}" + (f" ({', '.join(str(i + 1) for i in f.accounts)})" if f.accounts else "")
                          for f in found]
        self.query_one("#team-notes-text", Static).update(plain("\n".join(lines)))
        keys = " · ".join((f"[{key.upper()} {_(FINDING_LABELS[kind])}]" if kind == self.kind
                           else f"{key.upper()} {_(FINDING_LABELS[kind])}")
                          for key, kind in FINDING_KEYS.items() if kind != "to_success" or not aar.win)
        self.query_one("#lenses", Static).update(plain(keys))

    @on(KioskInput.Changed, "#a-text")
    def typed(self) -> None:
        names = tuple(p.name for p in self.aar.participants) if self.aar else ()
        text = self.query_one("#a-text", KioskInput).value
        show_blame_hint(self.query_one("#review-hint", Static), text, names)

    def action_kind(self, kind: str) -> None:
        self.kind = kind
        self.retranslate()
        self.query_one("#a-text").focus()

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_add()

    def action_add(self) -> None:
        if self.saving or self.aar is None or self.aar.phase != AarPhase.SESSION:
            return
        if self.focused is self.query_one("#a-text"):
            if not self.query_one("#a-text", KioskInput).value.strip():
                return
            self.query_one("#a-owner").focus()
            return
        text = self.query_one("#a-text", KioskInput).value
        accounts = [int(n) - 1 for n in self.query_one("#a-owner", KioskInput).value.replace(",", " ").split()
                    if n.isdigit()]
        self.saving = True
        self._add(self.kind, text, accounts)

    @work(thread=True, exit_on_error=False, group="aar-save")
    def _add(self, kind: str, text: str, accounts: list[int]) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            aar = self.kiosk.repo.add_aar_finding(self.aar_id, kind, text, accounts, by=by)
        except (ValidationError, StorageError) as error:
            self.post_message(AarLoaded(None, problem_text(error)))
        else:
            self.post_message(AarLoaded(aar, saved="finding"))

    def action_finish(self) -> None:
        if self.saving or self.aar is None or self.aar.phase != AarPhase.SESSION:
            return
        if not self.aar.facts:
            self.query_one("#review-problem", Static).update(_("Write at least one fact we agree on (F3)."))
            return
        self.saving = True
        self._finish()

    @work(thread=True, exit_on_error=False, group="aar-save")
    def _finish(self) -> None:
        repo = self.kiosk.repo
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            aar = repo.finish_aar_session(self.aar_id, by=by)
            record = repo.get(aar.record_id)
            if record is not None and not aar.win and record.status in WAITING_STATUSES:
                # (A record already reviewed keeps its review: the session's lines are kept
                # with it, and its follow-up goes on; nothing finished is overwritten.)
                record = repo.save_review_draft(record.id, review_prefill(aar, start_review(record)), by=by)
        except (ValidationError, StorageError) as error:
            self.post_message(SessionEnded(None, problem_text(error)))
        else:
            self.post_message(SessionEnded(record))

    @on(SessionEnded)
    def ended(self, message: SessionEnded) -> None:
        self.saving = False
        record = message.record
        if record is None:
            self.query_one("#review-problem", Static).update(plain(message.problem))
            return
        if record.is_win and record.status in WAITING_STATUSES:
            aar = self.aar
            note = "; ".join(f.text for f in aar.sustain)[:300] if aar else ""
            self._ask_win(record, WinAnswer(note, ""))
            return
        if record.status not in WAITING_STATUSES:
            from kiosk.screens.record import RecordScreen

            self.app.notify(_("The session's findings are kept with {id}, whose review was already done.").format(
                id=record.id), markup=False)
            self.app.switch_screen(RecordScreen(record.id))
            return
        from kiosk.screens.review import ReviewWizard

        self.app.switch_screen(ReviewWizard(record))

    # -- a win: what made it work, and a look-for --------------------------------------------

    def _ask_win(self, record: Record, answer: WinAnswer, problem: str = "") -> None:
        def answered(given: WinAnswer | None) -> None:
            if given is not None:
                self._acknowledge(record, given)
            else:
                leave(self)

        self.app.push_screen(WinDialog(record, answer=answer, problem=problem), answered)

    @work(thread=True, exit_on_error=False, group="aar-win")
    def _acknowledge(self, record: Record, answer: WinAnswer) -> None:
        kiosk = self.kiosk
        by = kiosk.supervisor.name if kiosk.supervisor else "-"
        try:
            kiosk.repo.acknowledge_win(record.id, note=answer.note, look_for=answer.look_for,
                                       share_days=kiosk.config.look_for_days, by=by)
        except (ValidationError, StorageError) as error:
            self.post_message(WinAcknowledged(record, answer, problem_text(error)))
        else:
            self.post_message(WinAcknowledged(record, answer))

    @on(WinAcknowledged)
    def win_acknowledged(self, message: WinAcknowledged) -> None:
        if message.problem:
            self._ask_win(message.record, message.answer, message.problem)  # what was written is kept
            return
        self.app.notify(_("Win {id} acknowledged.").format(id=message.record.id), markup=False)
        leave(self)

    def is_saving(self) -> bool:
        return self.saving

    def action_back(self) -> None:
        if not self.saving:
            leave(self)
