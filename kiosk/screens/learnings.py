"""What we have learned: search as you type, filters, pages of 20, the one-page view.

Search ignores accents and case and looks in every text of a record (the search index answers
each keystroke in milliseconds, in a worker). F3–F6 cycle the filters: kind, area, status,
dates. Lines never show names; the record's page shows them only to a signed-in supervisor.
A slip scanned here (into the search box or not) opens its record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from kiosk.core.records import KINDS, STATUSES, Kind, Record
from kiosk.core.text import shorten
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.labels import kind_label, status_label
from kiosk.widgets import KioskFooter, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList

PAGE = 20
#: Date filters: (label, days back; 0 = all).
DATES = ((N_("any date"), 0), (N_("last 30 days"), 30), (N_("last 90 days"), 90), (N_("last 12 months"), 365))


@dataclass
class AreasLoaded(Message):
    """Every area a record has: the area filter's choices."""

    areas: list[str]


@dataclass
class Results(Message):
    query: tuple
    total: int
    records: list[Record]


class LearningsScreen(KioskScreen[None]):
    BINDINGS = [
        Binding("enter", "open", N_("Open")),
        Binding("f3", "filter('kind')", N_("Filters"), key_display="f3-f6"),
        Binding("f4", "filter('area')", show=False),
        Binding("f5", "filter('status')", show=False),
        Binding("f6", "filter('dates')", show=False),
        Binding("f8", "trends", N_("Trends")),
        Binding("pagedown", "page(1)", N_("Page"), key_display="pg↑↓"),
        Binding("pageup", "page(-1)", show=False),
        Binding("escape", "back", N_("Back")),
    ]

    accepts_scans = True

    def __init__(self, *, kind: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.area = ""
        self.status = ""
        self.dates = 0
        self.page = 0
        self.total = 0
        self.records: list[Record] = []
        self.areas: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="learnings"):
            yield KioskInput(id="learn-search", max_length=120)
            yield Static("", id="learn-filters", markup=False)
            yield Static("", id="learn-count", markup=False)
            yield KioskOptionList(id="learn-list")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#learn-search").focus()
        self.load_areas()
        self.retranslate()
        self.search()

    @work(thread=True, exit_on_error=False, group="learn-areas")
    def load_areas(self) -> None:
        self.post_message(AreasLoaded(self.kiosk.repo.areas_in_use()))

    @on(AreasLoaded)
    def areas_loaded(self, message: AreasLoaded) -> None:
        self.areas = message.areas

    # -- searching -----------------------------------------------------------------------

    def _query(self) -> tuple:
        return (self.query_one("#learn-search", KioskInput).value, self.kind, self.area, self.status,
                self.dates, self.page)

    def search(self) -> None:
        self._search(self._query())

    @work(thread=True, exclusive=True, exit_on_error=False, group="learn-search")
    def _search(self, query: tuple) -> None:
        text, kind, area, status, dates, page = query
        days = DATES[dates][1]
        since = (self.kiosk.clock().date() - timedelta(days=days)).isoformat() if days else ""
        found = self.kiosk.repo.search(text, kinds=(kind,) if kind else (), areas=(area,) if area else (),
                                     statuses=(status,) if status else (), since=since,
                                     limit=PAGE, offset=page * PAGE)
        self.post_message(Results(query, found.total, found.records))

    @on(Results)
    def results(self, message: Results) -> None:
        if message.query != self._query():
            return  # the person typed or filtered on since then
        self.total = message.total
        self.records = message.records
        self._show_results()

    @on(KioskInput.Changed, "#learn-search")
    def typed(self) -> None:
        self.page = 0
        self.search()

    @on(KioskInput.Submitted, "#learn-search")
    def submitted(self) -> None:
        from kiosk.core.scanning import parse_slip_url

        value = self.query_one("#learn-search", KioskInput).value
        if parse_slip_url(value) is not None:  # a slip scanned into the search box
            self.query_one("#learn-search", KioskInput).clear()
            self.kiosk.look_up_scan(value)
            return
        if self.records:
            self.query_one("#learn-list").focus()

    # -- showing -------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.query_one("#learn-search", KioskInput).placeholder = _(
            "Search: any words, accents and capitals do not matter")
        parts = [
            _("Kind: {value}").format(value=kind_label(self.kind) if self.kind else _("all")),
            _("Area: {value}").format(value=self.area or _("all")),
            _("Status: {value}").format(value=status_label(self.status) if self.status else _("all")),
            _("Dates: {value}").format(value=_(DATES[self.dates][0])),
        ]
        self.query_one("#learn-filters", Static).update(plain(" · ".join(parts)))
        self._show_results()

    def _show_results(self) -> None:
        pages = max(1, -(-self.total // PAGE))
        count = ngettext("{n} record", "{n} records", self.total).format(n=self.total)
        self.query_one("#learn-count", Static).update(plain(
            count + " · " + _("page {page} of {pages}").format(page=self.page + 1, pages=pages)))
        options = self.query_one("#learn-list", KioskOptionList)
        highlighted = options.highlighted
        options.set_options(Option(plain(self._line(r))) for r in self.records)
        if self.records:
            options.highlighted = highlighted if highlighted is not None and highlighted < len(self.records) else 0

    @staticmethod
    def _line(record: Record) -> str:
        extra = ""
        if record.kind == Kind.WIN and record.applause:
            extra = f" · +{record.applause}"
        head = f"{record.id}  {kind_label(record.kind)} · {record.area} · {record.occurred_at[:10]} · " \
               f"{status_label(record.status)}{extra}"
        body = record.what_happened
        if record.review is not None and not record.review.draft and record.review.action.text:
            body = _("Change: {action}").format(action=record.review.action.text)
        elif record.look_for is not None:
            body = record.look_for.text
        return f"{head}\n   {shorten(body, 64)}"

    # -- actions -------------------------------------------------------------------------

    def action_filter(self, which: str) -> None:
        if which == "kind":
            choices = ("", *KINDS)
            self.kind = choices[(choices.index(self.kind) + 1) % len(choices)]
        elif which == "area":
            choices = ("", *tuple(self.areas))
            self.area = choices[(choices.index(self.area) + 1) % len(choices)] if self.area in choices else ""
        elif which == "status":
            choices = ("", *STATUSES)
            self.status = choices[(choices.index(self.status) + 1) % len(choices)]
        else:
            self.dates = (self.dates + 1) % len(DATES)
        self.page = 0
        self.retranslate()
        self.search()

    def action_page(self, delta: int) -> None:
        pages = max(1, -(-self.total // PAGE))
        page = min(max(self.page + delta, 0), pages - 1)
        if page != self.page:
            self.page = page
            self.search()

    def action_open(self) -> None:
        if self.focused is self.query_one("#learn-search"):
            self.submitted()
            return
        index = self.query_one("#learn-list", KioskOptionList).highlighted
        if index is not None and index < len(self.records):
            from kiosk.screens.record import RecordScreen

            self.app.push_screen(RecordScreen(self.records[index].id))

    @on(KioskOptionList.OptionSelected, "#learn-list")
    def chosen(self) -> None:
        self.action_open()

    def action_trends(self) -> None:
        from kiosk.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_back(self) -> None:
        leave(self)
