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
    ADMIN_TITLE = N_("Add an admin")
    ADMIN_HINT = N_("Admins sign in with their name and PIN to review, follow up, change the "
                    "settings and leave the kiosk.")

    def __init__(self, *, admin: bool = False, taken: Iterable[str] = (), name: str = "", problem: str = "") -> None:
        super().__init__()
        self.admin = admin
        self.taken = tuple(taken)
        self.given_name = name
        self.problem = problem
        #: The fields the problem shown is about: typing in one of them clears it.
        self.problem_fields: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        # Compact (no blank rows between the fields) so it fits 80x24 whole, error included.
        with Vertical(classes="dialog supervisor-dialog"):
            adding_admin = self.admin and type(self) is NewSupervisorDialog
            yield TLabel(self.ADMIN_TITLE if adding_admin else self.TITLE_MESSAGE, classes="dialog-title")
            yield TLabel(self.ADMIN_HINT if adding_admin else self.HINT_MESSAGE, classes="hint")
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

    @on(KioskInput.Changed)
    def typed(self, event: KioskInput.Changed) -> None:
        if event.input.id in self.problem_fields:
            self._problem("")

    def action_next(self) -> None:
        """On to the next field, each checked as it is left (a name taken or a short PIN is said
        at once, not after the PIN was typed twice); on the last one, done."""
        order = ["admin-name", "admin-pin", "admin-pin-again"]
        focused = self.focused.id if self.focused is not None and self.focused.id else order[0]
        if not self.query_one(f"#{focused}", KioskInput).value:
            return
        last = focused == order[-1]
        name = self.query_one("#admin-name", KioskInput).value
        pin = self.query_one("#admin-pin", KioskInput).value
        try:
            if focused == "admin-name" or last:
                name = check_name(name)
                if any(same_name(name, other) for other in self.taken):
                    raise ValidationError("name", "exists", value=name)
            if focused == "admin-pin" or last:
                check_pin_rule(pin)
        except ValidationError as error:
            if error.field == "name":
                self._problem(describe_error(error), "admin-name")
                field = self.query_one("#admin-name", KioskInput)
                field.focus()
                field.select_all()  # (typing replaces the name refused)
            else:
                self._rub_out("admin-pin", "admin-pin-again")
                self._problem(describe_error(error), "admin-pin", "admin-pin-again")
                self.query_one("#admin-pin").focus()
            return
        if not last:
            self.query_one(f"#{order[order.index(focused) + 1]}").focus()
        elif pin != self.query_one("#admin-pin-again", KioskInput).value:
            self._rub_out("admin-pin-again")
            self._problem(_("The two PINs are different."), "admin-pin", "admin-pin-again")
        else:
            leave(self, NewSupervisor(name, pin, self.admin))

    def action_cancel(self) -> None:
        leave(self, None)

    def _rub_out(self, *widget_ids: str) -> None:
        """Empty PIN fields for retyping (quietly: only the person's typing clears the problem)."""
        for widget_id in widget_ids:
            field = self.query_one(f"#{widget_id}", KioskInput)
            with field.prevent(KioskInput.Changed):
                field.value = ""

    def _problem(self, text: str, *fields: str) -> None:
        self.problem_fields = fields
        self.query_one("#login-problem", Static).update(plain(text))


class FirstAdminDialog(NewSupervisorDialog):
    """No admin exists yet: create the first one."""

    TITLE_MESSAGE = N_("Create the first admin")
    HINT_MESSAGE = N_("There is no admin yet. The admin signs in with a PIN to review, "
                      "change settings and leave the kiosk.")

    def __init__(self, *, name: str = "", problem: str = "") -> None:
        super().__init__(admin=True, name=name, problem=problem)
