"""Supervisor sign-in: choose your name (type to filter), then type your PIN.

The PIN check (scrypt, ~50 ms) and the durable count of wrong PINs run in a thread worker; the
dialog returns the signed-in supervisor, or None when cancelled, and the caller goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from kiosk.core.supervisors import Supervisor
from kiosk.core.text import fold
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskModal, leave
from kiosk.storage import StorageError
from kiosk.views.labels import describe_storage_problem
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList


@dataclass
class PeopleLoaded(Message):
    """The supervisors who may sign in here, read in the background."""

    people: list[Supervisor]


@dataclass
class PinResult(Message):
    """The outcome of a PIN check: the supervisor, or why not."""

    supervisor: Supervisor | None
    problem: str


class PinDialog(KioskModal[Supervisor | None]):
    """Choose your name (type to filter), then type your PIN. Esc cancels."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "cancel", N_("Cancel")),
        Binding("up", "move(-1)", N_("Choose name"), key_display="↑↓"),
        Binding("down", "move(1)", show=False),
    ]

    def __init__(self, title: str, *, admin_only: bool = False) -> None:
        super().__init__()
        self.title_message = title
        self.admin_only = admin_only
        self.chosen: Supervisor | None = None
        self.checking = False
        self._people: list[Supervisor] = []
        self._names: list[Supervisor] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(self.title_message, classes="dialog-title")
            yield TLabel(N_("Your name"), classes="field-label", id="name-label")
            yield KioskInput(id="name-filter", max_length=60)
            yield KioskOptionList(id="names")
            yield TLabel(N_("PIN"), classes="field-label", id="pin-label")
            yield KioskInput(id="pin", password=True, restrict=r"[0-9]*", max_length=8)
            yield Static("", id="login-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#pin").display = False
        self.query_one("#pin-label").display = False
        self.load_names(self.admin_only)

    @work(thread=True, exit_on_error=False, group="login")
    def load_names(self, admin_only: bool) -> None:
        self.post_message(PeopleLoaded([s for s in self.kiosk.repo.supervisors() if s.admin or not admin_only]))

    @on(PeopleLoaded)
    def show_names(self, message: PeopleLoaded) -> None:
        self._people = message.people
        self._filter("")
        self.query_one("#name-filter").focus()

    def _filter(self, text: str) -> None:
        wanted = fold(text.strip())
        self._names = [s for s in self._people if wanted in fold(s.name)]
        names = self.query_one("#names", KioskOptionList)
        names.set_options(Option(plain(s.name)) for s in self._names)
        names.highlighted = 0 if self._names else None

    @on(KioskInput.Changed, "#name-filter")
    def name_typed(self, event: KioskInput.Changed) -> None:
        self._filter(event.value)

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    @on(KioskOptionList.OptionSelected, "#names")
    def name_picked(self) -> None:
        self.action_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":
            return self.chosen is None  # only while choosing a name
        return True

    def action_move(self, delta: int) -> None:
        names = self.query_one("#names", KioskOptionList)
        if delta < 0:
            names.action_cursor_up()
        else:
            names.action_cursor_down()

    def action_next(self) -> None:
        if self.checking:
            return
        if self.chosen is None:
            index = self.query_one("#names", KioskOptionList).highlighted
            if index is None or index >= len(self._names):
                self._problem(_("Choose your name from the list (type to filter it)."))
                return
            self.chosen = self._names[index]
            self.query_one("#pin").display = True
            self.query_one("#pin-label").display = True
            self.query_one("#names").display = False
            self.query_one("#name-filter", KioskInput).value = self.chosen.name
            self.query_one("#name-filter").disabled = True
            self.query_one("#pin").focus()
            self._problem("")
            self.refresh_bindings()
            return
        pin = self.query_one("#pin", KioskInput).value
        self.checking = True
        self._problem(_("Checking…"))
        self.check(self.chosen.name, pin)

    @work(thread=True, exit_on_error=False, group="login")
    def check(self, name: str, pin: str) -> None:
        try:
            result = self.kiosk.repo.check_supervisor_pin(name, pin)
        except StorageError as error:  # fail closed: a try that cannot be counted does not count
            self.post_message(PinResult(None, _(
                "The kiosk could not record this try ({error}), so it cannot let anyone in as "
                "{name} now. Call the person in charge of the kiosk.").format(
                error=describe_storage_problem(error), name=name)))
            return
        if result is None:
            self.post_message(PinResult(None, _("There is no supervisor named {value}.").format(value=name)))
        elif result.ok:
            self.post_message(PinResult(result.supervisor, ""))
        elif result.locked_until is not None:
            self.post_message(PinResult(None, _(
                "Too many wrong PINs: {name} is locked out until {time}. Ask another "
                "supervisor, or wait.").format(name=name, time=result.locked_until.strftime("%H:%M"))))
        else:
            left = result.attempts_left
            self.post_message(PinResult(None, ngettext(
                "Wrong PIN. {n} try left before a 5-minute lockout.",
                "Wrong PIN. {n} tries left before a 5-minute lockout.", left).format(n=left)))

    @on(PinResult)
    def checked(self, message: PinResult) -> None:
        self.checking = False
        if message.supervisor is not None:
            leave(self, message.supervisor)
            return
        self.query_one("#pin", KioskInput).value = ""
        self._problem(message.problem)

    def action_cancel(self) -> None:
        leave(self, None)

    def _problem(self, text: str) -> None:
        self.query_one("#login-problem", Static).update(plain(text))
