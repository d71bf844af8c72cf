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
    ("link_base_url", N_("Address of the record page (the one in the QR codes)")),
)
_LABELS = dict(FIELDS)
#: The config keys this screen does not show, and the field that sets them.
_SET_BY = {"idle_warning": "idle_timeout"}
_NUMBERS = {"idle_timeout", "follow_up_days", "look_for_days"}
ADMIN, SUPERVISOR = N_("admin"), N_("supervisor")


def idle_warning_for(timeout: int, config: Config) -> int:
    """The seconds of "Still there?" warning before a ``timeout``: the configured warning, but
    never more than half the timeout, so the shortest timeout (15 s) saves and the warning
    never comes right after a key (walk item 7: at 16 s it came after 1 s). A warning already
    cut to half the timeout grows back, up to the default, when the timeout grows."""
    warning = config.idle_warning
    if warning >= config.idle_timeout // 2:
        warning = max(warning, Config().idle_warning)
    return min(warning, timeout // 2)


@dataclass
class AdminDone(Message):
    """A save of this screen is done: what to say, the settings saved, the supervisors now."""

    problem: str
    config: Config | None = None
    supervisors: list[Supervisor] | None = None
    ok: bool = False  # the text is news, not a problem


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
        # The outcome of Ctrl+S (and of adding or removing someone) above the form, always in
        # view: below it, the form had scrolled it away and Ctrl+S seemed to do nothing (item 8).
        yield Static("", id="admin-problem", markup=False)
        with VerticalScroll(id="admin"):
            yield TLabel(N_("Settings"), classes="dialog-title")
            for key, label in FIELDS:
                yield TLabel(label, classes="field-label", id=f"label-{key}")
                yield KioskInput(id=f"set-{key}", max_length=1000)
                if key == "idle_timeout":
                    yield Static("", id="idle-warning", classes="hint", markup=False)
            yield TLabel(N_("Supervisors"), classes="dialog-title", id="supervisors-title")
            yield TLabel(N_("On the list (Tab): F5 adds a supervisor, F6 an admin, Delete removes one."),
                         classes="hint")
            yield KioskOptionList(id="supervisor-list")
        yield KioskFooter()

    def on_mount(self) -> None:
        config = self.kiosk.config
        for key, _label in FIELDS:
            value = getattr(config, key)
            self.query_one(f"#set-{key}", KioskInput).value = ", ".join(value) if key == "areas" else str(value)
        self.query_one(f"#set-{FIELDS[0][0]}").focus()
        self._problem("")
        self.load_supervisors()

    @work(thread=True, exclusive=True, exit_on_error=False, group="admin")
    def load_supervisors(self) -> None:
        self.post_message(AdminDone("", supervisors=self.kiosk.repo.supervisors()))

    def retranslate(self) -> None:
        self._show_idle_warning()
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
        if self.focused is self.query_one("#supervisor-list"):
            self._show_whole_list()

    def _show_whole_list(self) -> None:
        """The list is last on the form: its end in view shows all of it (not a cut box)."""
        self.call_after_refresh(self.query_one("#admin", VerticalScroll).scroll_end, animate=False)

    # -- settings ------------------------------------------------------------------------

    @on(KioskInput.Submitted)
    def submitted(self) -> None:
        self.action_next()

    @on(KioskInput.Changed, "#set-idle_timeout")
    def idle_timeout_changed(self) -> None:
        self._show_idle_warning()

    def _show_idle_warning(self) -> None:
        """Under the idle timeout, when its warning comes (the file's idle_warning, derived)."""
        text = self.query_one("#set-idle_timeout", KioskInput).value.strip()
        warning = idle_warning_for(int(text), self.kiosk.config) if text.isdigit() else 0
        hint = self.query_one("#idle-warning", Static)
        hint.update(_("The “Still there?” warning shows {seconds} s before.").format(seconds=warning))
        hint.display = warning > 0

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
        if isinstance(raw["idle_timeout"], int):
            raw["idle_warning"] = idle_warning_for(raw["idle_timeout"], self.kiosk.config)
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
            self._refused(error)
            return
        self._problem(_("Saving…"), ok=True)
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
            self.post_message(AdminDone(_("Added {name}.").format(name=new.name), supervisors=repo.supervisors(),
                                        ok=True))

    @on(SupervisorNotAdded)
    def not_added(self, message: SupervisorNotAdded) -> None:
        if self.is_attached and self.app.screen is self:
            self._ask_new_supervisor(message.new.admin, name=message.new.name, problem=message.problem)
        else:
            self._problem(message.problem)

    def action_remove(self) -> None:
        """Asks first (one Delete on the list removed someone at once, with no way back);
        the only admin is refused at once, with the reason."""
        from kiosk.screens.dialogs.confirm import ConfirmDialog

        index = self.query_one("#supervisor-list", KioskOptionList).highlighted
        if index is None or index >= len(self.supervisors):
            return
        chosen = self.supervisors[index]
        if chosen.admin and sum(s.admin for s in self.supervisors) == 1:
            self.remove_named(chosen.name)  # (the repository refuses it and says why)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_named(chosen.name)

        self.app.push_screen(ConfirmDialog(
            _("Remove {name}?").format(name=chosen.name),
            N_("They will no longer be able to sign in. To come back they must be added again, with a new PIN."),
            yes=N_("Remove")), answered)

    @work(thread=True, exit_on_error=False, group="admin")
    def remove_named(self, name: str) -> None:
        try:
            self.kiosk.repo.remove_supervisor(name)
        except ValidationError as error:
            self.post_message(AdminDone(describe_error(error)))
        else:
            self.post_message(AdminDone(_("Removed {name}.").format(name=name),
                                        supervisors=self.kiosk.repo.supervisors(), ok=True))

    @on(AdminDone)
    def done(self, message: AdminDone) -> None:
        ok = message.ok
        if message.config is not None:
            self.kiosk.settings_saved(message.config)
            message.problem = _("Settings saved in {path}.").format(path=self.kiosk.config_file)
            ok = True
        if message.supervisors is not None:
            self.supervisors = message.supervisors
            self.retranslate()
            if self.focused is self.query_one("#supervisor-list"):  # (it grew past the bottom)
                self._show_whole_list()
        if message.problem or message.config is not None:  # (a list loaded says nothing: keep the line)
            self._problem(message.problem, ok=ok)

    def action_printer(self) -> None:
        from kiosk.screens.printer_admin import PrinterAdminScreen

        self.app.push_screen(PrinterAdminScreen())

    def action_health(self) -> None:
        from kiosk.screens.health import HealthScreen

        self.app.push_screen(HealthScreen())

    def action_back(self) -> None:
        leave(self)

    def _refused(self, error: ConfigError) -> None:
        """Say which field (by its label on screen) and why, and put the cursor on it."""
        key = _SET_BY.get(error.key, error.key)
        if key in _LABELS:
            self._problem(_("Not saved: “{field}” {problem}.").format(field=_(_LABELS[key]), problem=error.problem))
            self.query_one(f"#set-{key}", KioskInput).focus()
            # The field with its label at the top of the form (the line above it took rows).
            self.call_after_refresh(self.query_one(f"#label-{key}").scroll_visible, animate=False, top=True)
        else:
            self._problem(_("Not saved: {key}: {problem}").format(key=error.key, problem=error.problem))

    def _problem(self, text: str, *, ok: bool = False) -> None:
        line = self.query_one("#admin-problem", Static)
        line.update(plain(text))
        line.display = bool(text)
        line.set_class(ok, "ok")
