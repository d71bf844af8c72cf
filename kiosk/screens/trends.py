"""Trends, drawn in the terminal: 12 weeks by kind and by area, the most frequent conditions,
and weak signals (three or more surprises or near misses in one area within 30 days).

Labels sit in one column as wide as the longest (a longer one wraps), a space before their
charts, so they are whole in both languages at 80x24 (walk item 18)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk.core.huddle import WeekCount, weekly_counts
from kiosk.core.trends import Trends, compute, weekly
from kiosk.core.work import ENTRY_KINDS
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.charts import bar, label_width, labelled, sparkline
from kiosk.views.dates import show_date
from kiosk.views.labels import condition_label, kind_label
from kiosk.views.work import ENTRY_HEADINGS
from kiosk.widgets import SCROLL_BINDINGS, KioskFooter, ScrollKeys, plain

#: The widest label column; longer labels (an area's name may have 60 characters) wrap. With
#: it, a bar of BAR_WIDTH and its count fit in the 76 columns trends have at 80x24.
LABEL_MAX = 32
BAR_WIDTH = 30
#: The columns the charts have at 80x24 (the screen's padding and the scroll bar taken).
COLUMNS = 76
#: Weak signals name at most this many records (the newest); the rest are counted.
SIGNAL_IDS = 4


@dataclass
class TrendsReady(Message):
    trends: Trends
    #: Work items' entries per week, by kind (win, opportunity, lesson).
    entries: dict[str, list[int]] = field(default_factory=dict)
    #: Huddles held and learnings shared per area, in the same weeks.
    huddles: dict[str, list[WeekCount]] = field(default_factory=dict)


class TrendsScreen(ScrollKeys, KioskScreen[None]):
    SCROLLS = "trends-scroll"

    BINDINGS = [
        *SCROLL_BINDINGS,  # with PgUp/PgDn: at 80x24 the conditions are a page down
        Binding("t", "learning_team", N_("Learning Team on the signal")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.trends: Trends | None = None
        self.entries: dict[str, list[int]] = {}
        self.huddles: dict[str, list[WeekCount]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="trends"):
            yield Static("", id="signals", markup=False)
            with VerticalScroll(id="trends-scroll", can_focus=False):
                yield Static("", id="charts", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="trends")
    def load(self) -> None:
        today = self.kiosk.clock().date()
        from datetime import timedelta

        since = (today - timedelta(weeks=13)).isoformat()
        repo = self.kiosk.repo
        trends = compute(repo.records_since(since), today)
        self.post_message(TrendsReady(trends, weekly(repo.work_entry_stamps(since), today),
                                      weekly_counts(repo.huddles(), trends.weeks)))

    @on(TrendsReady)
    def ready(self, message: TrendsReady) -> None:
        self.trends = message.trends
        self.entries, self.huddles = message.entries, message.huddles
        self.retranslate()
        self.refresh_bindings()

    def retranslate(self) -> None:
        trends = self.trends
        if trends is None:
            return
        signals = self.query_one("#signals", Static)
        signals.display = bool(trends.signals)
        signals.update(plain("\n".join(
            "! " + ngettext(
                "{area}: {n} surprise or near miss in 30 days ({ids}). A Learning Team there? (t)",
                "{area}: {n} surprises or near misses in 30 days ({ids}). A Learning Team there? (t)",
                s.count).format(area=s.area, n=s.count, ids=self._some_ids(s.ids, s.count))
            for s in trends.signals)))
        weeks = trends.weeks
        kinds = sorted(trends.by_kind.items(), key=lambda kv: -sum(kv[1]))
        areas = list(trends.by_area.items())[:10]
        categories = trends.categories[:6]
        entry_kinds = [kind for kind in ENTRY_KINDS if kind in self.entries]
        width = label_width([kind_label(kind) for kind, _counts in kinds] + [area for area, _counts in areas]
                            + [condition_label(category) for category, _count in categories]
                            + [_(ENTRY_HEADINGS[kind]) for kind in entry_kinds] + list(self.huddles), LABEL_MAX)
        hint = _("one column a week, the newest on the right")
        hint_at = 2 + width + 1 if 2 + width + 1 + len(hint) <= COLUMNS else 2  # above the first week
        lines = [_("The last 12 weeks ({first} to today): {n} records").format(
            first=show_date(weeks[0]), n=trends.total), " " * hint_at + hint, ""]
        lines.append(_("By kind"))
        for kind, counts in kinds:
            lines += labelled(kind_label(kind), width, f"{sparkline(counts)}  {sum(counts):>4}")
        lines += ["", _("By area")]
        top = max((max(c) for c in trends.by_area.values()), default=0)
        for area, counts in areas:
            lines += labelled(area, width, f"{sparkline(counts, top)}  {sum(counts):>4}")
        lines += ["", _("Most frequent conditions (reviews of these weeks)")]
        most = categories[0][1] if categories else 0
        for category, count in categories:
            lines += labelled(condition_label(category), width, f"{bar(count, most, BAR_WIDTH)} {count}")
        if not trends.categories:
            lines.append("  " + _("No finished reviews in these weeks."))
        if entry_kinds:
            lines += ["", _("Work in progress: entries per week")]
            top = max(max(self.entries[kind]) for kind in entry_kinds)
            for kind in entry_kinds:
                counts = self.entries[kind]
                lines += labelled(_(ENTRY_HEADINGS[kind]), width, f"{sparkline(counts, top)}  {sum(counts):>4}")
        lines += ["", _("Huddles held per week, and learnings shared")]
        for area, weeks_counts in self.huddles.items():
            held = [week.held for week in weeks_counts]
            lines += labelled(area, width, f"{sparkline(held)}  {sum(held):>4}  " + _("shared {n}").format(
                n=sum(week.shared for week in weeks_counts)))
        if not self.huddles:
            lines.append("  " + _("No huddle in these weeks."))
        self.query_one("#charts", Static).update(plain("\n".join(lines)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "learning_team":
            return self.trends is not None and bool(self.trends.signals)
        return True

    def action_learning_team(self) -> None:
        """A weak signal becomes a Learning Team of use "event", in its area, linked to its
        records (with several signals, the person chooses which)."""
        if self.trends is None or not self.trends.signals:
            return
        signals = self.trends.signals
        if len(signals) == 1:
            self._team_for(0)
            return
        from kiosk.screens.dialogs.choose import ChooseDialog

        lines = [ngettext("{area}: {n} surprise or near miss", "{area}: {n} surprises or near misses", s.count).format(
            area=s.area, n=s.count) for s in signals]
        self.app.push_screen(ChooseDialog(N_("Which signal will the Learning Team look at?"), lines),
                             lambda index: self._team_for(index) if index is not None else None)

    def _team_for(self, index: int) -> None:
        from kiosk.screens.teams import NewTeamScreen

        assert self.trends is not None
        signal = self.trends.signals[index]
        title = _("Surprises and near misses in {area}").format(area=signal.area)
        self.kiosk.with_supervisor(
            lambda _s: self.app.push_screen(NewTeamScreen(use="event", area=signal.area, records=signal.ids[-50:],
                                                          title=title)),
            admin=False, title=N_("Learning Team: supervisor PIN"))

    def action_back(self) -> None:
        leave(self)

    @staticmethod
    def _some_ids(ids: tuple[str, ...], count: int) -> str:
        """The newest few ids of a weak signal, and how many more there are (walk item 19)."""
        shown = ", ".join(ids[-SIGNAL_IDS:])
        rest = count - min(len(ids), SIGNAL_IDS)
        if rest <= 0:
            return shown
        return _("{ids} and {n} more").format(ids=shown, n=rest)  # the same for 1 and many
