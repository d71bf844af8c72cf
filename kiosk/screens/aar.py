"""After-action reviews on the kiosk: opening one, its invitations, and the private accounts.

A supervisor opens one from a record's page (`a`) with the participants' names; the invitations
print with a fresh code each. A participant gives their account from Home (`r`, then the code,
or by scanning the invitation), one question at a time, and chooses whether the session shows
their name. The facilitator can take an account in a private interview instead. Until the
session opens (:mod:`kiosk.screens.aar_session`), no screen shows an account: the facilitator's
screen says only who has given one.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, Static
from textual.widgets.option_list import Option

from kiosk.core.aar import ANSWER_MAX, QUESTIONS, Aar, AarPhase
from kiosk.core.records import ValidationError
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.storage import StorageError
from kiosk.views.dates import show_date
from kiosk.views.labels import describe_error, describe_storage_problem
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList, ReportTextArea

#: The account's questions as the participant reads them.
QUESTION_TEXTS = {
    "supposed": N_("What was supposed to happen?"),
    "actual": N_("What actually happened, as you saw it?"),
    "did_why": N_("What did you do, and why did it make sense at the time?"),
    "helped": N_("What helped?"),
    "hindered": N_("What got in the way?"),
    "keep_change": N_("What would you keep, or change?"),
}


def problem_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return describe_error(error)
    return _("Not saved ({error}); what you typed is still here.").format(error=describe_storage_problem(error))


@dataclass
class AarLoaded(Message):
    aar: Aar | None
    problem: str = ""
    saved: str = ""


# -- opening ---------------------------------------------------------------------------------------


class AarOpenScreen(KioskScreen[None]):
    """A supervisor opens an after-action review of ``record_id`` with who was involved."""

    BINDINGS = [
        Binding("enter", "open", N_("Open it")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, record_id: str) -> None:
        super().__init__()
        self.record_id = record_id
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-up"):
            yield TLabel(N_("After-action review: each person tells their account privately first, then everyone "
                            "meets to find the facts, the different views and what to sustain or improve."),
                         id="question")
            yield Static("", id="follow-up-record", markup=False)
            yield TLabel(N_("Who was involved: names separated by commas (seen by supervisors only)"),
                         classes="field-label")
            yield KioskInput(id="aar-names", max_length=800)
            yield Static("", id="follow-up-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        record = self.kiosk.repo.get(self.record_id) if self.kiosk.printer_ready() else None
        if record is not None:
            self.query_one("#follow-up-record", Static).update(plain(f"{record.id} · {record.area}\n"
                                                                      f"{record.what_happened}"))
        self.query_one("#aar-names").focus()

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        if self.saving:
            return
        names = [n for n in self.query_one("#aar-names", KioskInput).value.split(",") if n.strip()]
        if not names:
            self.query_one("#follow-up-problem", Static).update(_("Write who was involved, separated by commas."))
            return
        self.saving = True
        self._open(names)

    @work(thread=True, exit_on_error=False, group="aar-open")
    def _open(self, names: list[str]) -> None:
        by = self.kiosk.supervisor.name if self.kiosk.supervisor else "-"
        try:
            aar, _codes = self.kiosk.repo.open_aar(self.record_id, names, facilitator=by)
        except (ValidationError, StorageError) as error:
            self.post_message(AarLoaded(None, problem_text(error)))
        else:
            self.post_message(AarLoaded(aar))

    @on(AarLoaded)
    def opened(self, message: AarLoaded) -> None:
        self.saving = False
        if message.aar is None:
            self.query_one("#follow-up-problem", Static).update(plain(message.problem))
            return
        from kiosk.screens.printing import PrintScreen

        self.app.switch_screen(AarScreen(message.aar.id))
        heading = (N_("After-action review {id} opened. P prints the invitations: each gets its code as it "
                      "prints (printing again replaces a code)."), {"id": message.aar.id})
        self.app.push_screen(PrintScreen("invitations", (message.aar.id,), heading=heading))

    def is_saving(self) -> bool:
        return self.saving

    def action_back(self) -> None:
        leave(self)


# -- the facilitator's view --------------------------------------------------------------------------


class AarScreen(KioskScreen[None]):
    """Who has given an account (never what it says), and the facilitator's keys."""

    BINDINGS = [
        Binding("enter", "interview", N_("Interview")),
        Binding("p", "invitations", N_("Invitations")),
        Binding("r", "reprint", N_("New code")),
        Binding("s", "session", N_("Open the session")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, aar_id: str) -> None:
        super().__init__()
        self.aar_id = aar_id
        self.aar: Aar | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="queue"):
            yield Static("", id="queue-title", markup=False)
            yield KioskOptionList(id="aar-people")
            yield Static("", id="queue-empty", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="aar")
    def load(self) -> None:
        self.post_message(AarLoaded(self.kiosk.repo.aar(self.aar_id)))

    @on(AarLoaded)
    def loaded(self, message: AarLoaded) -> None:
        if message.aar is not None:
            self.aar = message.aar
        self.retranslate()
        self.refresh_bindings()
        self.query_one("#aar-people").focus()

    def retranslate(self) -> None:
        aar = self.aar
        if aar is None:
            return
        count = ngettext("{n} of {total} account in", "{n} of {total} accounts in", len(aar.participants)).format(
            n=aar.accounts_in, total=len(aar.participants))  # ("1 de 3 relatos": the total says the number)
        self.query_one("#queue-title", Static).update(plain(
            _("After-action review {id} · {event}").format(id=aar.id, event=aar.event) + "\n" + count + " · "
            + _("Accounts stay sealed until the session opens: nobody reads them before.")))
        people = self.query_one("#aar-people", KioskOptionList)
        highlighted = people.highlighted
        lines = []
        for person in aar.participants:
            state = _("account in") if person.account is not None else _("waiting")
            if person.account is not None and person.account.via == "interview":
                state = _("account in (interview)")
            lines.append(Option(plain(f"{person.name} — {state}")))
        people.set_options(lines)
        people.highlighted = highlighted if highlighted is not None else 0
        self.query_one("#queue-empty", Static).update(
            _("Enter: take this person's account in a private interview. S opens the session."))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reprint", "invitations", "session"):
            return self.aar is not None and self.aar.phase == AarPhase.ACCOUNTS
        if action == "interview":
            return self.aar is not None and self.aar.phase != AarPhase.DONE
        return True

    def _chosen(self) -> int | None:
        index = self.query_one("#aar-people", KioskOptionList).highlighted
        return index if self.aar is not None and index is not None and index < len(self.aar.participants) else None

    @on(KioskOptionList.OptionSelected)
    def selected(self) -> None:
        self.action_interview()

    def action_interview(self) -> None:
        """Enter: an interview while accounts are given; once the session is open, the session."""
        if self.aar is not None and self.aar.phase == AarPhase.SESSION:
            from kiosk.screens.aar_session import SessionScreen

            self.app.push_screen(SessionScreen(self.aar_id))
            return
        index = self._chosen()
        if index is not None:
            self.app.push_screen(AccountScreen(self.aar_id, index, via="interview"))

    def action_invitations(self) -> None:
        from kiosk.screens.printing import PrintScreen

        self.app.push_screen(PrintScreen("invitations", (self.aar_id,)))

    def action_reprint(self) -> None:
        from kiosk.screens.printing import PrintScreen

        index = self._chosen()
        if index is not None:
            heading = (N_("A new invitation for {name}: its old code stops working once this one prints."),
                       {"name": self.aar.participants[index].name if self.aar else ""})
            self.app.push_screen(PrintScreen("invitations", (self.aar_id, str(index)), heading=heading))

    def action_session(self) -> None:
        from kiosk.screens.aar_session import confirm_session

        if self.aar is not None:
            confirm_session(self, self.aar)

    def action_back(self) -> None:
        leave(self)


# -- the participant's side: the code, then the account ----------------------------------------------------


@dataclass
class CodeChecked(Message):
    aar: Aar | None
    index: int = -1
    locked_until: str = ""


class CodeScreen(KioskScreen[None]):
    """From Home (`r`): the code of an invitation, typed (or scanned, which fills it in)."""

    BINDINGS = [
        Binding("enter", "check", N_("Next")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, code: str = "") -> None:
        super().__init__()
        self.code = code
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-up"):
            yield TLabel(N_("Your account for an after-action review"), id="question")
            yield TLabel(N_("Type the code of your invitation (like K7Q-3XH-9BCD); letters and numbers, "
                            "dashes optional."), classes="field-label")
            yield KioskInput(id="aar-code", max_length=20, restrict=r"[A-Za-z0-9 \-]*")
            yield Static("", id="follow-up-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        box = self.query_one("#aar-code", KioskInput)
        box.value = self.code
        box.focus()
        if self.code:
            self.action_check()

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_check()

    def action_check(self) -> None:
        if self.checking:
            return
        self.checking = True
        self._check(self.query_one("#aar-code", KioskInput).value)

    @work(thread=True, exit_on_error=False, group="aar-code")
    def _check(self, typed: str) -> None:
        from kiosk.storage.aars import CodeRefused

        try:
            aar, index = self.kiosk.repo.use_code(typed)
        except CodeRefused as refused:
            self.post_message(CodeChecked(None, locked_until=refused.locked_until))
        except StorageError:
            self.post_message(CodeChecked(None, locked_until=""))
        else:
            self.post_message(CodeChecked(aar, index))

    @on(CodeChecked)
    def checked(self, message: CodeChecked) -> None:
        self.checking = False
        problem = self.query_one("#follow-up-problem", Static)
        if message.aar is None:
            if message.locked_until:
                problem.update(_("Too many codes that opened nothing: try again at {time}.").format(
                    time=show_date(message.locked_until, with_time=True)[-5:]))
            else:
                problem.update(_("That code opens nothing: check it against your invitation. A code stops "
                                 "working when the meeting starts, or when a new one was printed for you."))
            return
        self.app.switch_screen(AccountScreen(message.aar.id, message.index, via="self", aar=message.aar))

    def action_back(self) -> None:
        leave(self)


class AccountScreen(KioskScreen[None]):
    """One account, a question at a time (each with its budget), then name or not, then saved.
    ``via``: "self" (the code was used) or "interview" (the facilitator types it)."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, aar_id: str, index: int, *, via: str, aar: Aar | None = None) -> None:
        super().__init__()
        self.aar_id, self.index, self.via = aar_id, index, via
        self.aar = aar
        self.step = 0
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-up"):
            yield Static("", id="follow-up-record", markup=False)
            yield Static("", id="question", markup=False)
            with ContentSwitcher(initial="step-0", id="follow-up-steps"):
                for number, question in enumerate(QUESTIONS):
                    with VerticalScroll(id=f"step-{number}", classes="step"):
                        yield ReportTextArea(id=f"answer-{question}", max_length=ANSWER_MAX[question])
                        yield Static("", id=f"budget-{question}", classes="counter", markup=False)
                with VerticalScroll(id=f"step-{len(QUESTIONS)}", classes="step"):
                    yield KioskOptionList(id="named")
            yield Static("", id="follow-up-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        if self.aar is None:
            self.load()
        else:
            self._fill(self.aar)
        self.retranslate()
        self._focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="aar")
    def load(self) -> None:
        self.post_message(AarLoaded(self.kiosk.repo.aar(self.aar_id)))

    @on(AarLoaded)
    def loaded(self, message: AarLoaded) -> None:
        self.saving = False
        if message.saved:
            self.app.notify(_("Thank you: your account is kept sealed until the meeting.")
                            if self.via == "self" else _("The account is saved, sealed until the session."),
                            markup=False)
            leave(self)
            return
        if message.aar is not None and self.aar is None:
            self._fill(message.aar)
        self.query_one("#follow-up-problem", Static).update(plain(message.problem))
        self.retranslate()

    def _fill(self, aar: Aar) -> None:
        """A person coming back with their code sees their account so far, to change it; an
        interview shows only an account taken in an interview (never one given with the code:
        it is sealed, from the facilitator too)."""
        self.aar = aar
        account = aar.participants[self.index].account
        if account is not None and (self.via == "self" or account.via == "interview"):
            for question in QUESTIONS:
                self.query_one(f"#answer-{question}", ReportTextArea).load_text(account.answer(question))

    def retranslate(self) -> None:
        aar = self.aar
        if aar is not None:
            who = aar.participants[self.index].name if self.via == "interview" else ""
            own = aar.participants[self.index].account
            replaces = bool(who) and own is not None and own.via == "self"
            self.query_one("#follow-up-record", Static).update(plain(
                aar.event + "\n" + (_("Interview with {name}: type what they say, in their words.").format(name=who)
                                    if who else _("Only the group will read this, at the meeting."))
                + ("\n" + _("They already gave an account with their code: saving this replaces it.")
                   if replaces else "")))
        if self.step < len(QUESTIONS):
            question = QUESTIONS[self.step]
            heading = _("{n} of {total} · {question}").format(n=self.step + 1, total=len(QUESTIONS),
                                                               question=_(QUESTION_TEXTS[question]))
        else:
            heading = _("How should the meeting show your account?")
        self.query_one("#question", Static).update(plain(heading))
        named = self.query_one("#named", KioskOptionList)
        highlighted = named.highlighted
        named.set_options([Option(_("As \"a participant\" (no name)"), id="no"),
                           Option(_("With my name"), id="yes")])
        named.highlighted = highlighted if highlighted is not None else 0
        for question in QUESTIONS:
            self._budget(question)

    def _budget(self, question: str) -> None:
        text = self.query_one(f"#answer-{question}", ReportTextArea).text
        limit = ANSWER_MAX[question]
        self.query_one(f"#budget-{question}", Static).update(
            _("{left} characters left of {limit}").format(left=limit - len(text), limit=limit))

    @on(ReportTextArea.Changed)
    def changed(self, event: ReportTextArea.Changed) -> None:
        widget_id = event.text_area.id or ""
        if widget_id.startswith("answer-"):
            self._budget(widget_id.removeprefix("answer-"))

    def _focus(self) -> None:
        if self.step < len(QUESTIONS):
            self.query_one(f"#answer-{QUESTIONS[self.step]}").focus()
        else:
            self.query_one("#named").focus()

    def _go(self, step: int) -> None:
        self.step = step
        self.query_one("#follow-up-steps", ContentSwitcher).current = f"step-{step}"
        self.query_one("#follow-up-problem", Static).update("")
        self.retranslate()
        self._focus()

    @on(ReportTextArea.Submitted)
    @on(KioskOptionList.OptionSelected)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        if self.saving:
            return
        if self.step < len(QUESTIONS):
            self._go(self.step + 1)
            return
        named = self.query_one("#named", KioskOptionList)
        index = named.highlighted
        answers = [self.query_one(f"#answer-{q}", ReportTextArea).text for q in QUESTIONS]
        self.saving = True
        self._save(answers, index is not None and named.get_option_at_index(index).id == "yes")

    @work(thread=True, exit_on_error=False, group="aar-save")
    def _save(self, answers: list[str], named: bool) -> None:
        try:
            aar = self.kiosk.repo.give_account(self.aar_id, self.index, answers, named=named, via=self.via)
        except ValidationError as error:
            problem = (_("Answer at least one question.") if error.field == "answers" else describe_error(error))
            if error.field == "phase":
                problem = _("The meeting has started: the account can no longer be given here.")
            self.post_message(AarLoaded(None, problem))
        except StorageError as error:
            self.post_message(AarLoaded(None, problem_text(error)))
        else:
            self.post_message(AarLoaded(aar, saved="account"))

    def is_saving(self) -> bool:
        return self.saving

    def action_back(self) -> None:
        if self.saving:
            return
        if self.step == 0:
            leave(self)
        else:
            self._go(self.step - 1)
