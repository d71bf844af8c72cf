"""The kiosk's health, for admins: data, free disk, last backup, printer, where the log is."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from kiosk.i18n import N_
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.screens import leave


class HealthScreen(Screen):
    BINDINGS = [Binding("escape", "back", N_("Back"))]

    def compose(self) -> ComposeResult:
        with Vertical(id="health"):
            yield TLabel(N_("Health"), classes="dialog-title")
            yield Static("", id="health-facts", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    def retranslate(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="health")
    def load(self) -> None:
        from kiosk.health import facts

        app = self.app
        repo = app.repo
        jobs = app.printing().jobs() if app.printer_ready() else []
        report = repo.store.report
        lines = facts(repo.store.folder, app.config, healthy=report.healthy and not report.restored,
                      records=repo.count(), jobs=jobs, now=app.clock())
        text = "\n".join(fact.line() for fact in lines)
        app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        self.query_one("#health-facts", Static).update(plain(text))

    def action_back(self) -> None:
        leave(self)
