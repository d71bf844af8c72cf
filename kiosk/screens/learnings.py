"""What we have learned: search as you type, filters, pages of 20, the one-page view.

Search ignores accents and case and looks in every text of a record (the search index answers
each keystroke in milliseconds, in a worker). F3–F6 cycle the filters: kind, area, status,
dates. The kind's last choice lists closed work items' debriefs instead (their lessons are
learnings too); with every kind, the count says how many debriefs match as well. Lines never
show names; the record's page shows them only to a signed-in supervisor.
A slip scanned here (into the search box or not) opens its record.

The search box keeps the focus while ↑↓ move the highlight in the results, and one Enter opens
the highlighted record (walk items 14 and 42: ↓ did nothing and the first Enter only moved to the
list). Results are the latest to happen first, with the date they happened, as the list shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from kiosk.core.records import KINDS, STATUSES, Kind, Record
from kiosk.core.text import inert, shorten
from kiosk.core.work import EntryKind, WorkItem
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.dates import show_date
from kiosk.views.labels import kind_label, status_label
from kiosk.widgets import KioskFooter, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList

PAGE = 20
#: Date filters: (label, days back; 0 = all).
DATES = ((N_("any date"), 0), (N_("last 30 days"), 30), (N_("last 90 days"), 90), (N_("last 12 months"), 365))
#: The kind filter's last choice: closed work items' debriefs (their lessons, wins and
#: opportunities) instead of records.
WORK = "work"
WORK_LABEL = N_("work debriefs")


@dataclass
class AreasLoaded(Message):
    """Every area a record has: the area filter's choices."""

    areas: list[str]


@dataclass
class Results(Message):
    query: tuple
    total: int
    records: list[Record]
    work: list[WorkItem] = field(default_factory=list)
    #: With the records: how many closed work items' debriefs match the words too.
    work_total: int = 0


class ResultList(KioskOptionList, inherit_bindings=False):
    """The results: PgUp/PgDn are the screen's (another page of 20), on the list as in the
    search box; the list's own page keys only scrolled within the page, and hid "pg↑↓ Page"."""

    BINDINGS = [b for b in KioskOptionList.BINDINGS
                if not (isinstance(b, Binding) and b.key in ("pageup", "pagedown"))]


class LearningsScreen(KioskScreen[None]):
    BINDINGS = [
        Binding("enter", "open", N_("Open")),
        # Not in the footer: at 80 columns it would push out F2, and ↑↓ is what people try first.
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("f3", "filter('kind')", N_("Filters"), key_display="f3-f6"),
        Binding("f4", "filter('area')", show=False),
        Binding("f5", "filter('status')", show=False),
        Binding("f6", "filter('dates')", show=False),
        # Told in the count line: at 80 columns the footer has no room for it.
        Binding("f7", "practice", N_("Procedure and practice"), show=False),
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
        self.work: list[WorkItem] = []
        self.work_total = 0
        self.areas: list[str] = []
        #: The query ``records`` answer, and the one the list was last drawn for (new results
        #: start at the top; redrawing the same keeps the highlight).
        self.answered: tuple | None = None
        self.drawn: tuple | None = None
        #: Enter came before the results of what was typed: open the top one when they come.
        self.open_when_answered = False

    def compose(self) -> ComposeResult:
        with Vertical(id="learnings"):
            # Not selected on focus: coming back from the list, typing goes on (a selection
            # would make the next letter wipe the search).
            yield KioskInput(id="learn-search", max_length=120, select_on_focus=False)
            yield Static("", id="learn-filters", markup=False)
            yield Static("", id="learn-count", markup=False)
            yield ResultList(id="learn-list")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#learn-search").focus()
        self.load_areas()
        self.retranslate()
        self.search()

    def on_resize(self) -> None:
        if self.is_mounted:
            self._show_results()  # the records' second lines as long as the list is wide

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
        repo = self.kiosk.repo
        if kind == WORK:
            total, items = repo.search_work(text, area=area, since=since, limit=PAGE, offset=page * PAGE)
            self.post_message(Results(query, total, [], items))
            return
        found = repo.search(text, kinds=(kind,) if kind else (), areas=(area,) if area else (),
                            statuses=(status,) if status else (), since=since, limit=PAGE, offset=page * PAGE)
        work_total = repo.search_work(text, area=area, since=since, limit=0)[0] if text.strip() and not kind else 0
        self.post_message(Results(query, found.total, found.records, work_total=work_total))

    @on(Results)
    def results(self, message: Results) -> None:
        if message.query != self._query():
            return  # the person typed or filtered on since then
        self.total = message.total
        self.records, self.work, self.work_total = message.records, message.work, message.work_total
        self.answered = message.query
        self._show_results()
        if self.open_when_answered:
            self.open_when_answered = False
            if self.app.screen is self:  # not over a screen opened since
                self._open_highlighted()

    @on(KioskInput.Changed, "#learn-search")
    def typed(self) -> None:
        self.page = 0
        self.open_when_answered = False
        self.search()

    @on(KioskInput.Submitted, "#learn-search")
    def submitted(self) -> None:
        from kiosk.core.scanning import parse_slip_url

        value = self.query_one("#learn-search", KioskInput).value
        if parse_slip_url(value) is not None:  # a slip scanned into the search box
            self.query_one("#learn-search", KioskInput).clear()
            self.kiosk.look_up_scan(value)
            return
        self._open_highlighted()

    def on_key(self, event: events.Key) -> None:
        """Typing while on the list goes on in the search box: the list takes no letters, and
        a person who moved to it and types more means the search."""
        if self.focused is None or self.focused.id != "learn-list":
            return  # (no query here: keys may come before the widgets are up)
        search = self.query_one("#learn-search", KioskInput)
        character = inert(event.character or "") if event.is_printable else ""
        if not character and event.key != "backspace":
            return
        event.stop()
        event.prevent_default()
        self.set_focus(search)
        if event.key == "backspace":
            search.action_delete_left()
        elif not search.max_length or len(search.value) < search.max_length:
            search.insert_text_at_cursor(character)

    # -- showing -------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.query_one("#learn-search", KioskInput).placeholder = _(
            "Search: any words, accents and capitals do not matter")
        parts = [
            # "all" whole, not as a value: Spanish says "todos" for kinds but "todas" for areas.
            _("Kind: {value}").format(value=_(WORK_LABEL) if self.kind == WORK else kind_label(self.kind))
            if self.kind else _("Kind: all"),
            _("Area: {value}").format(value=self.area) if self.area else _("Area: all"),
            _("Status: {value}").format(value=status_label(self.status)) if self.status else _("Status: all"),
            _("Dates: {value}").format(value=_(DATES[self.dates][0])),
        ]
        self.query_one("#learn-filters", Static).update(plain(" · ".join(parts)))
        self._show_results()

    def _show_results(self) -> None:
        pages = max(1, -(-self.total // PAGE))
        if self.kind == WORK:
            count = ngettext("{n} work debrief", "{n} work debriefs", self.total).format(n=self.total)
        else:
            count = ngettext("{n} record", "{n} records", self.total).format(n=self.total)
        more = (" · " + ngettext("{n} work debrief too (F3)", "{n} work debriefs too (F3)", self.work_total).format(
            n=self.work_total)) if self.work_total else ""
        self.query_one("#learn-count", Static).update(plain(
            count + more + " · " + _("page {page} of {pages}").format(page=self.page + 1, pages=pages)
            + " · " + _("F7: procedure and practice")))
        options = self.query_one("#learn-list", KioskOptionList)
        highlighted = options.highlighted if self.drawn == self.answered else None  # new results: the top
        self.drawn = self.answered
        # The second line as long as the list is wide (64 at 80 columns), cut with "…".
        width = max(64, self.size.width - 16)
        if self.kind == WORK:
            options.set_options(Option(plain(self._work_line(item, width))) for item in self.work)
        else:
            options.set_options(Option(plain(self._line(r, width))) for r in self.records)
        shown = len(self.work) if self.kind == WORK else len(self.records)
        if shown:
            options.highlighted = highlighted if highlighted is not None and highlighted < shown else 0

    @staticmethod
    def _line(record: Record, width: int) -> str:
        extra = ""
        if record.kind == Kind.WIN and record.applause:
            extra = f" · +{record.applause}"
        head = f"{record.id}  {kind_label(record.kind)} · {record.area} · {show_date(record.occurred_at)} · " \
               f"{status_label(record.status)}{extra}"
        body = record.what_happened
        if record.review is not None and not record.review.draft and record.review.action.text:
            body = _("Change: {action}").format(action=record.review.action.text)
        elif record.look_for is not None:
            body = record.look_for.text
        return f"{head}\n   {shorten(body, width)}"

    @staticmethod
    def _work_line(item: WorkItem, width: int) -> str:
        from kiosk.views.work import ENTRY_LABELS, WORK_ITEM

        head = f"{item.id}  {_(WORK_ITEM)} · {item.area} · {show_date(item.closed_at or item.created_at)}"
        if item.applause:
            head += f" · +{item.applause}"
        lessons = item.entries_of(EntryKind.LESSON)
        body = f"{_(ENTRY_LABELS[EntryKind.LESSON])}: {lessons[0].text}" if lessons else item.title
        return f"{head}\n   {shorten(body, width)}"

    # -- actions -------------------------------------------------------------------------

    def action_filter(self, which: str) -> None:
        if which == "kind":
            choices = ("", *KINDS, WORK)
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
        self.open_when_answered = False
        self.retranslate()
        self.search()

    def action_page(self, delta: int) -> None:
        pages = max(1, -(-self.total // PAGE))
        page = min(max(self.page + delta, 0), pages - 1)
        if page != self.page:
            self.page = page
            self.open_when_answered = False
            self.search()

    def action_open(self) -> None:
        if self.focused is self.query_one("#learn-search"):
            self.submitted()
            return
        self._open_highlighted()

    def action_move(self, delta: int) -> None:
        """↑↓ from the search box: move the highlight in the results, the box keeps the focus."""
        options = self.query_one("#learn-list", KioskOptionList)
        if delta < 0:
            options.action_cursor_up()
        else:
            options.action_cursor_down()

    def _open_highlighted(self) -> None:
        if self.answered != self._query():  # the list still shows the words before
            self.open_when_answered = True
            return
        index = self.query_one("#learn-list", KioskOptionList).highlighted
        if self.kind == WORK:
            if index is not None and index < len(self.work):
                from kiosk.screens.work import WorkItemScreen

                self.app.push_screen(WorkItemScreen(self.work[index].id))
            return
        if index is not None and index < len(self.records):
            from kiosk.screens.record import RecordScreen

            self.app.push_screen(RecordScreen(self.records[index].id))

    @on(KioskOptionList.OptionSelected, "#learn-list")
    def chosen(self) -> None:
        self.action_open()

    def action_practice(self) -> None:
        from kiosk.screens.practice import PracticeScreen

        self.app.push_screen(PracticeScreen())

    def action_trends(self) -> None:
        from kiosk.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_back(self) -> None:
        leave(self)
