"""Adding a supervisor or an admin, and creating the first admin: a name and a PIN, twice.

The dialog checks what it can at once (the name's rules, a name already taken, the PIN's rule,
the two PINs alike) and returns a :class:`NewSupervisor`; the screen that opened it hashes the
PIN and saves, off the UI thread, and opens the dialog again with the problem should the save
fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from kiosk.core.records import ValidationError
from kiosk.core.supervisors import check_name, check_pin_rule, same_name
from kiosk.i18n import N_, _
from kiosk.screens.base import KioskModal, leave
from kiosk.views.labels import describe_error
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput


@dataclass(frozen=True)
class NewSupervisor:
    """A supervisor to add: checked, not yet saved (the PIN is hashed when it is saved)."""

    name: str
    pin: str = field(repr=False)
    admin: bool


class NewSupervisorDialog(KioskModal[NewSupervisor | None]):
    """Add a supervisor (or an admin): name, PIN twice. Esc cancels.

    ``taken``: the names already in use; ``name`` and ``problem``: opened again after a save
    that failed (the PIN is never kept).
    """

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    TITLE_MESSAGE = N_("Add a supervisor")
    HINT_MESSAGE = N_("Supervisors sign in with their name and PIN to review and follow up.")

    def __init__(self, *, admin: bool = False, taken: Iterable[str] = (), name: str = "", problem: str = "") -> None:
        super().__init__()
        self.admin = admin
        self.taken = tuple(taken)
        self.given_name = name
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(self.TITLE_MESSAGE if not self.admin or type(self) is not NewSupervisorDialog
                         else N_("Add an admin"), classes="dialog-title")
            yield TLabel(self.HINT_MESSAGE, classes="hint")
            yield TLabel(N_("Name"), classes="field-label")
            yield KioskInput(self.given_name, id="admin-name", max_length=60)
            yield TLabel(N_("PIN (4 to 8 digits)"), classes="field-label")
            yield KioskInput(id="admin-pin", password=True, restrict=r"[0-9]*", max_length=8)
            yield TLabel(N_("The same PIN again"), classes="field-label")
            yield KioskInput(id="admin-pin-again", password=True, restrict=r"[0-9]*", max_length=8)
            yield Static(plain(self.problem), id="login-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#admin-pin" if self.given_name else "#admin-name").focus()

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        order = ["admin-name", "admin-pin", "admin-pin-again"]
        focused = self.focused.id if self.focused is not None and self.focused.id else order[0]
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
        try:
            name = check_name(name)
            check_pin_rule(pin)
            if any(same_name(name, other) for other in self.taken):
                raise ValidationError("name", "exists", value=name)
        except ValidationError as error:
            self._problem(describe_error(error))
            return
        leave(self, NewSupervisor(name, pin, self.admin))

    def action_cancel(self) -> None:
        leave(self, None)

    def _problem(self, text: str) -> None:
        self.query_one("#login-problem", Static).update(plain(text))


class FirstAdminDialog(NewSupervisorDialog):
    """No admin exists yet: create the first one."""

    TITLE_MESSAGE = N_("Create the first admin")
    HINT_MESSAGE = N_("There is no admin yet. The admin signs in with a PIN to review, "
                      "change settings and leave the kiosk.")

    def __init__(self, *, name: str = "", problem: str = "") -> None:
        super().__init__(admin=True, name=name, problem=problem)
