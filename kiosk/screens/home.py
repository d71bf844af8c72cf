"""Home: big numbered choices, what is waiting, and what the plant has learned lately."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from kiosk.core.records import Kind
from kiosk.core.text import fold, shorten
from kiosk.demo import DEMO_ADMIN
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen
from kiosk.storage import HomeCounts
from kiosk.views.labels import kind_label
from kiosk.widgets import KioskFooter, TLabel, plain

#: The choices on Home: key, action, title, subtitle.
CHOICES = (
    ("1", "report", N_("Report something"), N_("An error, a near miss, a surprise or a win. No blame.")),
    ("2", "review", N_("Review"), N_("Supervisors: the four questions")),
    ("3", "follow_ups", N_("Follow-ups"), N_("Was the change made? Did it work?")),
    ("4", "learnings", N_("What we have learned"), N_("Search past learnings, wins and trends")),
    ("5", "teams", N_("Learning Teams"), N_("How the work is really done; add a reflection")),
    ("6", "work", N_("Work in progress"), N_("A win, an opportunity or a lesson, while it happens")),
    ("7", "huddle", N_("Shift huddle (5 minutes)"), N_("What happened, what to look for, one learning to share")),
)


@dataclass
class HomeData(Message):
    """Counts and highlights read in the background."""

    counts: HomeCounts
    look_fors: list[str]
    wins: list[tuple[str, str]]  # (record id, line)
    low_disk: float | None = None  # free MB, when the disk is nearly full
    soaking: list[tuple[str, datetime]] = field(default_factory=list)  # (team title, soak ends)
    open_teams: int = 0
    accounts: list[tuple[int, int]] = field(default_factory=list)  # after-action reviews: (in, of)
    open_work: int = 0
    #: With a plant hub: this kiosk's area's records and those waiting for review (the counts
    #: are the plant's).
    area_counts: tuple[int, int] | None = None


@dataclass
class Applauded(Message):
    """A win got one more applause (saved)."""

    area: str
    count: int


class HomeScreen(KioskScreen[None]):
    """The start of everything; Esc from anywhere leads back here."""

    BINDINGS = [
        # The choices are on screen in large type; the footer shows them as one entry so that
        # every key still fits at 80 columns.
        Binding("1", "choose('report')", N_("Choose"), key_display="1-7"),
        Binding("2", "choose('review')", show=False),
        Binding("3", "choose('follow_ups')", show=False),
        Binding("4", "choose('learnings')", show=False),
        Binding("5", "choose('teams')", show=False),
        Binding("6", "choose('work')", show=False),
        Binding("7", "choose('huddle')", show=False),
        Binding("r", "account", show=False),  # (said on the line about the accounts waiting)
        Binding("0", "exit", N_("Exit")),
        Binding("9", "admin", N_("Admin")),
        Binding("a", "applaud", N_("Applaud")),
        Binding("x", "sign_out", N_("Sign out")),
    ]

    accepts_scans = True

    #: Presses of the applause key for the same win within this many seconds count once.
    APPLAUSE_SECONDS = 5.0

    ROTATE_SECONDS = 8.0

    def __init__(self) -> None:
        super().__init__()
        self._look_fors: list[str] = []
        self._wins: list[tuple[str, str]] = []
        self._applauded: dict[str, float] = {}
        self._rotation = 0
        self._counts: HomeCounts | None = None
        self._low_disk: float | None = None
        self._soaking: list[tuple[str, datetime]] = []
        self._open_teams = 0
        self._open_work = 0
        self._area_counts: tuple[int, int] | None = None
        self._accounts: list[tuple[int, int]] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            yield TLabel(N_("Learning kiosk — we learn from what happens, without blame"), id="home-title")
            if self.kiosk.demo_pin:
                yield TLabel(N_("DEMO DATA — admin {name}, PIN {pin}"), id="demo-banner",
                             values={"name": DEMO_ADMIN, "pin": self.kiosk.demo_pin})
            with Vertical(id="choices"):
                for key, action, title, subtitle in CHOICES:
                    with Horizontal(classes="choice", id=f"choice-{action}"):
                        yield Static(key, classes="choice-key", markup=False)
                        with Vertical(classes="choice-text"):
                            yield TLabel(title, classes="choice-title")
                            yield TLabel(subtitle, classes="choice-subtitle")
                        yield Static("", classes="choice-count", id=f"count-{action}", markup=False)
            yield Static("", id="low-disk", markup=False)
            yield Static("", id="hub", markup=False)
            yield Static("", id="session", markup=False)
            yield Static("", id="soaking", markup=False)
            yield Static("", id="accounts", markup=False)
            yield Static("", id="look-for")
            yield Static("", id="wins")
        yield KioskFooter()

    #: Below this many rows the choices close up (no gap, subtitles on one line), so that the
    #: seven of them and the lines under them fit 80x24.
    COMPACT_ROWS = 36

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < self.COMPACT_ROWS, "compact")

    def on_mount(self) -> None:
        self.set_class(self.app.size.height < self.COMPACT_ROWS, "compact")
        self.set_interval(self.ROTATE_SECONDS, self._rotate)
        self.set_interval(30.0, self.load)
        if self.kiosk.config.hub.url:
            self.set_interval(2.0, self._show_hub)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    # -- data ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def load(self) -> None:
        repo = self.kiosk.repo
        today = self.kiosk.clock().date()
        counts = repo.home_counts(today)
        changes = [team.changes[index].follow_up_date for team, index in repo.team_changes_due(today)]
        if changes:  # a Learning Team's changes are followed up in the same queue
            iso = today.isoformat()
            counts = replace(counts, follow_ups_due=counts.follow_ups_due + changes.count(iso),
                             follow_ups_overdue=counts.follow_ups_overdue + sum(1 for d in changes if d < iso))
        look_fors = [shorten(r.look_for.text) for r in repo.look_fors(today) if r.look_for][:10]
        area = self.kiosk.config.home_area
        for _source, line in [*repo.team_look_fors(area, today)[:10], *repo.work_look_fors(area, today)[:10]]:
            where = f" ({', '.join(line.areas)})" if line.areas and not area else ""
            look_fors.append(shorten(line.text + where))
        from kiosk.core.teams import Phase, soak_ends

        teams = repo.open_teams()
        soaking = [(t.title, ends) for t in teams if t.phase == Phase.SOAK
                   and (ends := soak_ends(t, self.kiosk.config.soak_hours)) is not None]
        wins = [
            (r.id, shorten(f"{r.area}: {r.what_happened}") + (f" (+{r.applause})" if r.applause else ""))
            for r in repo.recent(kinds=(Kind.WIN,), limit=5)
        ]
        from kiosk.health import low_disk

        area_counts = repo.count_in_area(area) if self.kiosk.config.hub.url and area else None
        self.post_message(HomeData(counts, look_fors, wins, low_disk(repo.store.folder), soaking, len(teams),
                                   repo.accounts_waiting(), repo.open_work_count(), area_counts))

    @on(HomeData)
    def show_data(self, message: HomeData) -> None:
        first = self._counts is None
        self._counts = message.counts
        self._low_disk = message.low_disk
        self._look_fors = message.look_fors
        self._wins = message.wins
        self._soaking = message.soaking
        self._open_teams = message.open_teams
        self._accounts = message.accounts
        self._open_work = message.open_work
        self._area_counts = message.area_counts
        self.retranslate()
        if first and hasattr(self.app, "counts_drawn"):
            self.call_after_refresh(self.app.counts_drawn)  # (the start's figure in make bench)

    def retranslate(self) -> None:
        self._show_session()
        self._show_hub()
        warning = self.query_one("#low-disk", Static)
        warning.display = self._low_disk is not None
        if self._low_disk is not None:
            warning.update(_("The disk is nearly full ({mb:.0f} MB free): tell the person in charge of the "
                             "kiosk. Reports are still saved while there is room.").format(mb=self._low_disk))
        self.refresh_bindings()
        counts = self._counts
        if counts is not None:
            waiting = ngettext("{n} waiting", "{n} waiting", counts.waiting_review).format(n=counts.waiting_review)
            if self._area_counts is not None:
                waiting = _("{here} waiting here · {plant} in the plant").format(
                    here=self._area_counts[1], plant=counts.waiting_review)
            self.query_one("#count-review", Static).update(waiting)
            parts = []
            if counts.follow_ups_overdue:
                overdue = counts.follow_ups_overdue
                parts.append(ngettext("{n} overdue", "{n} overdue", overdue).format(n=overdue))
            due = counts.follow_ups_due
            parts.append(ngettext("{n} due today", "{n} due today", due).format(n=due))
            self.query_one("#count-follow_ups", Static).update(" · ".join(parts))
            plant = ngettext("{n} record", "{n} records", counts.total).format(n=counts.total)
            if self._area_counts is not None:
                plant = _("{here} in this area · {plant} in the plant").format(here=self._area_counts[0],
                                                                                plant=counts.total)
            self.query_one("#count-learnings", Static).update(plant)
            self.query_one("#count-teams", Static).update(
                ngettext("{n} open", "{n} open", self._open_teams).format(n=self._open_teams)
                if self._open_teams else "")
            self.query_one("#count-work", Static).update(
                ngettext("{n} open", "{n} open", self._open_work).format(n=self._open_work) if self._open_work else "")
        self._show_soaking()
        accounts = self.query_one("#accounts", Static)
        accounts.display = bool(self._accounts)
        if self._accounts:
            counts_text = ", ".join(_("{n} of {total}").format(n=n, total=total) for n, total in self._accounts[:3])
            accounts.update(plain(_("After-action review: accounts in {counts} · R to give yours").format(
                counts=counts_text)))
        self._show_rotation()

    def _show_hub(self) -> None:
        """The plant hub's line: connected, or working offline since …, with what waits."""
        status = self.kiosk.hub_status()
        line = self.query_one("#hub", Static)
        line.display = status is not None
        if status is not None:
            from kiosk.hub.status import hub_line

            line.update(hub_line(status, self.kiosk.clock()))
            line.set_class(status.state in ("offline", "refused"), "away")

    def _show_soaking(self) -> None:
        """The teams soaking, with how long is left: anyone may add a reflection (5)."""
        from kiosk.screens.teams import time_left

        now = self.kiosk.clock()
        soaking = self.query_one("#soaking", Static)
        soaking.display = bool(self._soaking)
        if self._soaking:
            teams = " · ".join(f"{shorten(title, 40)} ({time_left(ends, now)})" for title, ends in self._soaking[:3])
            soaking.update(plain(_("Soaking: {teams} · 5 to add a reflection").format(teams=teams)))

    def _rotate(self) -> None:
        self._rotation += 1
        self._show_rotation()

    def _show_rotation(self) -> None:
        look_for = self.query_one("#look-for", Static)
        wins = self.query_one("#wins", Static)
        if self._look_fors:
            text = without_prefix(self._look_fors[self._rotation % len(self._look_fors)], _("Look for"))
            look_for.update(plain(_("Look for: {text}").format(text=text)))
        else:
            look_for.update("")
        if self._wins:
            _id, text = self._wins[self._rotation % len(self._wins)]
            wins.update(plain(_("{win_label}: {text}").format(win_label=kind_label("win"), text=text)))
        else:
            wins.update("")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "applaud":
            return bool(self._wins)  # the key is shown only while a win is on screen
        if action == "sign_out":
            return self.kiosk.supervisor is not None
        return True

    def action_account(self) -> None:
        """A participant gives their after-action account: the code first (no PIN)."""
        from kiosk.screens.aar import CodeScreen

        self.app.push_screen(CodeScreen())

    def action_sign_out(self) -> None:
        self.kiosk.supervisor = None
        self._show_session()
        self.refresh_bindings()

    def _show_session(self) -> None:
        supervisor = self.kiosk.supervisor
        self.query_one("#session", Static).update(
            _("Signed in: {name} (x signs out)").format(name=supervisor.name) if supervisor else "")

    def action_applaud(self) -> None:
        if not self._wins:
            return
        record_id, _text = self._wins[self._rotation % len(self._wins)]
        now = self.kiosk.monotonic()
        if now - self._applauded.get(record_id, -1e9) < self.APPLAUSE_SECONDS:
            return  # the same applause, pressed again: it counts once
        self._applauded[record_id] = now
        self.applaud(record_id)

    @work(thread=True, exit_on_error=False, group="applause")
    def applaud(self, record_id: str) -> None:
        record = self.kiosk.repo.applaud(record_id)
        self.post_message(Applauded(record.area, record.applause))

    @on(Applauded)
    def applauded(self, message: Applauded) -> None:
        self.notify(_("Applause for {area}! ({count} so far)").format(area=message.area, count=message.count),
                    markup=False)
        self.load()

    # -- actions -------------------------------------------------------------------------

    def action_choose(self, choice: str) -> None:
        if choice == "report":
            from kiosk.screens.report import ReportScreen

            self.app.push_screen(ReportScreen())
        elif choice == "review":
            from kiosk.screens.review_queue import ReviewQueueScreen

            self.kiosk.with_supervisor(lambda _s: self.app.push_screen(ReviewQueueScreen()), admin=False,
                                     title=N_("Review: supervisor PIN"))
        elif choice == "follow_ups":
            from kiosk.screens.follow_ups import FollowUpQueueScreen

            self.kiosk.with_supervisor(lambda _s: self.app.push_screen(FollowUpQueueScreen()), admin=False,
                                     title=N_("Follow-ups: supervisor PIN"))
        elif choice == "learnings":
            from kiosk.screens.learnings import LearningsScreen

            self.app.push_screen(LearningsScreen())
        elif choice == "teams":
            from kiosk.screens.teams import TeamsScreen

            self.app.push_screen(TeamsScreen())
        elif choice == "work":
            from kiosk.screens.work import WorkListScreen

            self.app.push_screen(WorkListScreen())
        elif choice == "huddle":
            from kiosk.screens.huddle import start_huddle

            start_huddle(self)

    def action_admin(self) -> None:
        """Settings and supervisors: admins only (or, with none yet, creating the first)."""
        from kiosk.screens.admin import AdminScreen

        self.kiosk.with_supervisor(lambda _admin: self.app.push_screen(AdminScreen()), admin=True,
                                 title=N_("Admin: admin PIN"))

    def action_exit(self) -> None:
        """Leaving the kiosk takes an admin's PIN (or creating the first admin), and then a
        yes: an admin still signed in must not turn one stray `0` into a dead terminal."""
        from kiosk.screens.dialogs.confirm import ConfirmDialog

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.exit()

        def ask(_admin: object) -> None:
            self.app.push_screen(ConfirmDialog(
                N_("Leave the kiosk?"),
                N_("The kiosk closes and this terminal shows no kiosk until someone starts it again."),
                yes=N_("Leave"), no=N_("Stay")), confirmed)

        self.kiosk.with_supervisor(ask, admin=True, title=N_("Leave the kiosk: admin PIN"))


def without_prefix(text: str, prefix: str) -> str:
    """A look-for line typed with the words Home puts before it ("Prestá atención al molde")
    read "Prestá atención: Prestá atención al molde" (walk item 26): say them once."""
    folded, start = fold(text), fold(prefix)
    if folded.startswith(start) and len(text) > len(prefix):
        rest = text[len(prefix):].lstrip(" :,-—")
        return rest or text
    return text
