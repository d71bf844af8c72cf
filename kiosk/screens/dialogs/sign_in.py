"""Supervisor sign-in and the creation of the first admin.

Both are dialogs that return a result (the signed-in supervisor, or None when cancelled);
the caller decides what happens next. PIN checks (scrypt, ~50 ms) and saves run in thread
workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.widgets.option_list import Option

from kiosk.core.records import ValidationError
from kiosk.i18n import N_, _, ngettext
from kiosk.views.labels import describe_error
from kiosk.core.supervisors import Supervisor, new_supervisor
from kiosk.core.text import fold
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList
from kiosk.screens import leave


@dataclass
class PinResult(Message):
    supervisor: Supervisor | None
    problem: str


class PinDialog(ModalScreen[Supervisor | None]):
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
        self.load_names()

    @work(thread=True, exit_on_error=False, group="login")
    def load_names(self) -> None:
        people = [s for s in self.app.repo.supervisors() if s.admin or not self.admin_only]
        self.app.call_from_thread(self._show_names, people)

    def _show_names(self, people: list[Supervisor]) -> None:
        self._people = people
        self._filter("")
        self.query_one("#name-filter").focus()

    def _filter(self, text: str) -> None:
        wanted = fold(text.strip())
        self._names = [s for s in getattr(self, "_people", []) if wanted in fold(s.name)]
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
        names.action_cursor_up() if delta < 0 else names.action_cursor_down()

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
        result = self.app.repo.check_supervisor_pin(name, pin)
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


class NewSupervisorDialog(ModalScreen[Supervisor | None]):
    """Add a supervisor (or an admin): name, PIN twice. Esc cancels."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    TITLE_MESSAGE = N_("Add a supervisor")
    HINT_MESSAGE = N_("Supervisors sign in with their name and PIN to review and follow up.")

    def __init__(self, *, admin: bool = False) -> None:
        super().__init__()
        self.admin = admin

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(self.TITLE_MESSAGE if not self.admin or type(self) is not NewSupervisorDialog
                         else N_("Add an admin"), classes="dialog-title")
            yield TLabel(self.HINT_MESSAGE, classes="hint")
            yield TLabel(N_("Name"), classes="field-label")
            yield KioskInput(id="admin-name", max_length=60)
            yield TLabel(N_("PIN (4 to 8 digits)"), classes="field-label")
            yield KioskInput(id="admin-pin", password=True, restrict=r"[0-9]*", max_length=8)
            yield TLabel(N_("The same PIN again"), classes="field-label")
            yield KioskInput(id="admin-pin-again", password=True, restrict=r"[0-9]*", max_length=8)
            yield Static("", id="login-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#admin-name").focus()

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        order = ["admin-name", "admin-pin", "admin-pin-again"]
        focused = self.focused.id if self.focused is not None else order[0]
        if focused in order[:-1] and not self.query_one(f"#{focused}", KioskInput).value:
            return
        if focused != order[-1]:
            self.query_one(f"#{order[order.index(focused) + 1]}").focus()
            return
        name = self.query_one("#admin-name", KioskInput).value
        pin = self.query_one("#admin-pin", KioskInput).value
        if pin != self.query_one("#admin-pin-again", KioskInput).value:
            self._problem(_("The two PINs are different."))
            self.query_one("#admin-pin-again", KioskInput).value = ""
            return
        self._problem(_("Saving…"))
        self.create(name, pin)

    @work(thread=True, exit_on_error=False, group="login")
    def create(self, name: str, pin: str) -> None:
        try:
            admin = new_supervisor(name, pin, admin=self.admin, now=self.app.clock())
            self.app.repo.add_supervisor(admin)
        except ValidationError as error:
            self.post_message(PinResult(None, describe_error(error)))
        else:
            self.post_message(PinResult(admin, ""))

    @on(PinResult)
    def created(self, message: PinResult) -> None:
        if message.supervisor is not None:
            leave(self, message.supervisor)
        else:
            self._problem(message.problem)

    def action_cancel(self) -> None:
        leave(self, None)

    def _problem(self, text: str) -> None:
        self.query_one("#login-problem", Static).update(plain(text))


class FirstAdminDialog(NewSupervisorDialog):
    """No admin exists yet: create the first one."""

    TITLE_MESSAGE = N_("Create the first admin")
    HINT_MESSAGE = N_("There is no admin yet. The admin signs in with a PIN to review, "
                      "change settings and leave the kiosk.")

    def __init__(self) -> None:
        super().__init__(admin=True)
