"""Admin: the settings (saved to the config file, validated, atomically) and the supervisors."""

from __future__ import annotations

import errno
import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from kiosk.config import Config, ConfigError, config_to_toml, parse_config, save_config
from kiosk.core.records import ValidationError
from kiosk.core.supervisors import Supervisor, new_supervisor
from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, leave
from kiosk.screens.dialogs.supervisor import NewSupervisor, NewSupervisorDialog
from kiosk.storage import StorageError
from kiosk.views.labels import describe_error, describe_storage_problem
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList

#: The settings on this screen: (config key, label).
FIELDS = (
    ("areas", N_("Areas (separated by commas)")),
    ("language", N_("Language at start: es_AR or en")),
    ("idle_timeout", N_("Seconds without a key before going back to Home")),
    ("follow_up_days", N_("Days from a review to its follow-up")),
    ("look_for_days", N_("Days a shared look-for line stays on Home")),
    ("link_base_url", N_("Start of the links in the QR codes")),
)
_NUMBERS = {"idle_timeout", "follow_up_days", "look_for_days"}
ADMIN, SUPERVISOR = N_("admin"), N_("supervisor")


@dataclass
class AdminDone(Message):
    """A save of this screen is done: what to say, the settings saved, the supervisors now."""

    problem: str
    config: Config | None = None
    supervisors: list[Supervisor] | None = None


@dataclass
class SupervisorNotAdded(Message):
    """Adding a supervisor failed: the dialog opens again with the name and the problem."""

    new: NewSupervisor
    problem: str


class AdminScreen(KioskScreen[None]):
    """For admins only (the caller signs them in)."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("ctrl+s", "save", N_("Save")),
        Binding("f5", "add(False)", N_("+ Supervisor")),
        Binding("f6", "add(True)", N_("+ Admin")),
        Binding("delete", "remove", N_("Remove")),
        Binding("f7", "printer", N_("Printer")),
        Binding("f8", "health", N_("Health")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.supervisors: list[Supervisor] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="admin"):
            yield TLabel(N_("Settings"), classes="dialog-title")
            for key, label in FIELDS:
                yield TLabel(label, classes="field-label")
                yield KioskInput(id=f"set-{key}", max_length=1000)
            yield TLabel(N_("Supervisors"), classes="dialog-title")
            yield TLabel(N_("On the list (Tab): F5 adds a supervisor, F6 an admin, Delete removes one."),
                         classes="hint")
            yield KioskOptionList(id="supervisor-list")
            yield Static("", id="admin-problem", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        config = self.kiosk.config
        for key, _label in FIELDS:
            value = getattr(config, key)
            self.query_one(f"#set-{key}", KioskInput).value = ", ".join(value) if key == "areas" else str(value)
        self.query_one(f"#set-{FIELDS[0][0]}").focus()
        self.load_supervisors()

    @work(thread=True, exclusive=True, exit_on_error=False, group="admin")
    def load_supervisors(self) -> None:
        self.post_message(AdminDone("", supervisors=self.kiosk.repo.supervisors()))

    def retranslate(self) -> None:
        options = self.query_one("#supervisor-list", KioskOptionList)
        highlighted = options.highlighted
        options.set_options(
            Option(plain(f"{s.name} · {_(ADMIN if s.admin else SUPERVISOR)}")) for s in self.supervisors
        )
        if self.supervisors:
            options.highlighted = min(highlighted or 0, len(self.supervisors) - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys act where they belong, so every key that works fits the footer at 80 columns:
        # on the supervisors list F5, F6 and Delete; on the settings Enter and F7 (printer).
        lists = self.query("#supervisor-list")  # (none yet while the footer is first drawn)
        on_list = bool(lists) and self.focused is lists.first()
        if action == "remove":
            return on_list and bool(self.supervisors)
        if action == "add":
            return on_list
        if action in ("next", "printer", "health"):
            return not on_list
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    # -- settings ------------------------------------------------------------------------

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        ids = [f"set-{key}" for key, _label in FIELDS]
        focused = self.focused.id if self.focused is not None else ""
        if focused in ids[:-1]:
            self.query_one(f"#{ids[ids.index(focused) + 1]}").focus()
        elif focused == ids[-1]:
            self.action_save()

    def edited(self) -> Config:
        """The config with this screen's values, validated (raises ConfigError naming the key)."""
        raw = tomllib.loads(config_to_toml(self.kiosk.config))
        for key, _label in FIELDS:
            text = self.query_one(f"#set-{key}", KioskInput).value.strip()
            if key == "areas":
                raw[key] = [a.strip() for a in text.split(",") if a.strip()]
            elif key in _NUMBERS:
                raw[key] = int(text) if text.isdigit() else text
            else:
                raw[key] = text
        source = str(self.kiosk.config_file) if self.kiosk.config_file else "(config)"
        return parse_config(raw, source)

    def action_save(self) -> None:
        path = self.kiosk.config_file
        if path is None:
            self._problem(_("This kiosk was started without a configuration file to save to."))
            return
        try:
            config = self.edited()
        except ConfigError as error:
            self._problem(_("Not saved: {key}: {problem}").format(key=error.key, problem=error.problem))
            return
        self._problem(_("Saving…"))
        self.write(config, path)

    @work(thread=True, exit_on_error=False, group="admin-save")
    def write(self, config: Config, path: Path) -> None:
        try:
            saved = save_config(config, path)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                # An installed kiosk: /etc is read-only to it (deploy/README.md, "Configure").
                self.post_message(AdminDone(_("Not saved: this kiosk cannot write {path}. Edit that file by hand "
                                              "and restart the kiosk (see deploy/README.md).").format(path=path)))
            else:
                self.post_message(AdminDone(_("Not saved: {problem}").format(problem=error)))
        except ConfigError as error:
            self.post_message(AdminDone(_("Not saved: {problem}").format(problem=error)))
        else:
            self.post_message(AdminDone("", config=saved))

    # -- supervisors ---------------------------------------------------------------------

    def action_add(self, admin: bool) -> None:
        self._ask_new_supervisor(admin)

    def _ask_new_supervisor(self, admin: bool, *, name: str = "", problem: str = "") -> None:
        def answered(new: NewSupervisor | None) -> None:
            if new is not None:
                self.add(new)

        taken = [s.name for s in self.supervisors]
        self.app.push_screen(NewSupervisorDialog(admin=admin, taken=taken, name=name, problem=problem), answered)

    @work(thread=True, exit_on_error=False, group="admin")
    def add(self, new: NewSupervisor) -> None:
        """Hash the PIN (scrypt, ~50 ms) and save the supervisor the dialog gave."""
        repo = self.kiosk.repo
        try:
            repo.add_supervisor(new_supervisor(new.name, new.pin, admin=new.admin, now=self.kiosk.clock()))
        except ValidationError as error:
            self.post_message(SupervisorNotAdded(new, describe_error(error)))
        except StorageError as error:
            self.post_message(SupervisorNotAdded(new, _("Not saved: {problem}").format(
                problem=describe_storage_problem(error))))
        else:
            self.post_message(AdminDone("", supervisors=repo.supervisors()))

    @on(SupervisorNotAdded)
    def not_added(self, message: SupervisorNotAdded) -> None:
        if self.is_attached and self.app.screen is self:
            self._ask_new_supervisor(message.new.admin, name=message.new.name, problem=message.problem)
        else:
            self._problem(message.problem)

    def action_remove(self) -> None:
        index = self.query_one("#supervisor-list", KioskOptionList).highlighted
        if index is not None and index < len(self.supervisors):
            self.remove_named(self.supervisors[index].name)

    @work(thread=True, exit_on_error=False, group="admin")
    def remove_named(self, name: str) -> None:
        try:
            self.kiosk.repo.remove_supervisor(name)
        except ValidationError as error:
            self.post_message(AdminDone(describe_error(error)))
        else:
            self.post_message(AdminDone(_("Removed {name}.").format(name=name),
                                        supervisors=self.kiosk.repo.supervisors()))

    @on(AdminDone)
    def done(self, message: AdminDone) -> None:
        if message.config is not None:
            self.kiosk.settings_saved(message.config)
            message.problem = _("Settings saved in {path}.").format(path=self.kiosk.config_file)
        if message.supervisors is not None:
            self.supervisors = message.supervisors
            self.retranslate()
        self._problem(message.problem)

    def action_printer(self) -> None:
        from kiosk.screens.printer_admin import PrinterAdminScreen

        self.app.push_screen(PrinterAdminScreen())

    def action_health(self) -> None:
        from kiosk.screens.health import HealthScreen

        self.app.push_screen(HealthScreen())

    def action_back(self) -> None:
        leave(self)

    def _problem(self, text: str) -> None:
        self.query_one("#admin-problem", Static).update(plain(text))
