"""The kiosk's health, for admins: data, free disk, last backup, printer, where the log is."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from kiosk.health import facts, matching_fact
from kiosk.i18n import N_, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.widgets import KioskFooter, TLabel, plain


@dataclass
class FactsReady(Message):
    """The health facts, as lines (in the language of the moment they were read)."""

    text: str


class HealthScreen(KioskScreen[None]):
    BINDINGS = [Binding("escape", "back", N_("Back"))]

    def compose(self) -> ComposeResult:
        with Vertical(id="health"):
            yield TLabel(N_("Health"), classes="dialog-title")
            yield Static("", id="health-facts", markup=False)
        yield KioskFooter()

    _again = False  # the vectors are being made: read the facts again soon

    def on_mount(self) -> None:
        self.load()

    def retranslate(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="health")
    def load(self) -> None:
        kiosk = self.kiosk
        repo = kiosk.repo
        jobs = kiosk.printing().jobs() if kiosk.printer_ready() else []
        report = repo.store.report
        status = repo.meaning.status() if repo.meaning is not None else None
        matching = matching_fact(kiosk.config, status, repo.learned_pairs())
        lines = facts(repo.store.folder, kiosk.config, healthy=report.healthy and not report.restored,
                      records=repo.count(), jobs=jobs, now=kiosk.clock(), matching=matching)
        # While the vectors are being made, their progress is read again every two seconds.
        self._again = status is not None and status.state in ("waiting", "loading", "building") \
            and status.done < status.total
        text = [fact.line() for fact in lines]
        hub = kiosk.hub_status()
        if hub is not None:
            from kiosk.hub.status import hub_line

            line = hub_line(hub, kiosk.clock())
            away = hub.state in ("offline", "refused")
            text.append(("! " if away else "  ") + line)
            if away and hub.problem:
                text.append("    " + hub.problem)  # (for the admin: what the hub or the network said)
            if hub.refused:
                text.append("! " + ngettext(
                    "{n} change from another kiosk did not pass the checks and was left out (see the log)",
                    "{n} changes from other kiosks did not pass the checks and were left out (see the log)",
                    hub.refused).format(n=hub.refused))
            self._again = True  # (the hub's line is read again every two seconds too)
        self.post_message(FactsReady("\n".join(text)))

    @on(FactsReady)
    def show(self, message: FactsReady) -> None:
        self.query_one("#health-facts", Static).update(plain(message.text))
        if self._again:
            self.set_timer(2.0, self.load)

    def action_back(self) -> None:
        leave(self)
