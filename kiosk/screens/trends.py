"""Trends, drawn in the terminal: 12 weeks by kind and by area, the most frequent conditions,
and weak signals (three or more surprises or near misses in one area within 30 days)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk.core.trends import Trends, compute
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.charts import bar, sparkline
from kiosk.views.labels import condition_label, kind_label
from kiosk.widgets import KioskFooter, ScrollKeys, plain

LABEL_WIDTH = 22


@dataclass
class TrendsReady(Message):
    trends: Trends


class TrendsScreen(ScrollKeys, KioskScreen[None]):
    SCROLLS = "trends-scroll"

    BINDINGS = [
        Binding("up", "scroll(-1)", N_("Scroll"), key_display="↑↓"),
        Binding("down", "scroll(1)", show=False),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.trends: Trends | None = None

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

        records = self.kiosk.repo.records_since((today - timedelta(weeks=13)).isoformat())
        self.post_message(TrendsReady(compute(records, today)))

    @on(TrendsReady)
    def ready(self, message: TrendsReady) -> None:
        self.trends = message.trends
        self.retranslate()

    def retranslate(self) -> None:
        trends = self.trends
        if trends is None:
            return
        signals = self.query_one("#signals", Static)
        signals.display = bool(trends.signals)
        signals.update(plain("\n".join(
            "! " + ngettext(
                "{area}: {n} surprise or near miss in 30 days ({ids}). Hold a learning review there?",
                "{area}: {n} surprises or near misses in 30 days ({ids}). Hold a learning review there?",
                s.count).format(area=s.area, n=s.count, ids=", ".join(s.ids[-4:]))
            for s in trends.signals)))
        weeks = trends.weeks
        lines = [_("The last 12 weeks ({first} to today): {n} records").format(
            first=weeks[0].strftime("%d/%m"), n=trends.total),
            " " * LABEL_WIDTH + "  " + _("one column a week, the newest on the right"), ""]
        lines.append(_("By kind"))
        for kind, counts in sorted(trends.by_kind.items(), key=lambda kv: -sum(kv[1])):
            lines.append(f"  {kind_label(kind)[:LABEL_WIDTH]:<{LABEL_WIDTH}}{sparkline(counts)}  {sum(counts):>4}")
        lines += ["", _("By area")]
        top = max((max(c) for c in trends.by_area.values()), default=0)
        for area, counts in list(trends.by_area.items())[:10]:
            lines.append(f"  {area[:LABEL_WIDTH]:<{LABEL_WIDTH}}{sparkline(counts, top)}  {sum(counts):>4}")
        lines += ["", _("Most frequent conditions (reviews of these weeks)")]
        most = trends.categories[0][1] if trends.categories else 0
        for category, count in trends.categories[:6]:
            lines.append(f"  {condition_label(category)[:LABEL_WIDTH]:<{LABEL_WIDTH}}{bar(count, most, 30)} {count}")
        if not trends.categories:
            lines.append("  " + _("No finished reviews in these weeks."))
        self.query_one("#charts", Static).update(plain("\n".join(lines)))

    def action_back(self) -> None:
        leave(self)
