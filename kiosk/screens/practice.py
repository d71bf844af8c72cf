"""Work as imagined against work as done, totalled: every "the procedure says / we actually
do" pair from reviews and Learning Teams, by area (the area with the most first), the newest
first within each, so a plant sees where its procedures and its practice part ways."""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk.core.teams import PracticePair
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.views.dates import show_date
from kiosk.widgets import SCROLL_BINDINGS, KioskFooter, ScrollKeys, plain

#: Pairs shown per area (the rest are counted).
PER_AREA = 8


@dataclass
class PairsLoaded(Message):
    pairs: list[PracticePair]


def practice_lines(pairs: list[PracticePair], per_area: int = PER_AREA, width: int = 76) -> list[str]:
    """The pairs as lines of at most ``width`` columns: a heading per area with its count, then
    its newest pairs (a long text goes on under itself)."""

    def wrapped(text: str) -> list[str]:
        return textwrap.wrap(text, width, initial_indent="    ", subsequent_indent="      ") or ["    -"]

    counts = Counter(pair.area for pair in pairs)
    lines = [ngettext("{n} pair in all, from reviews and Learning Teams.",
                      "{n} pairs in all, from reviews and Learning Teams.", len(pairs)).format(n=len(pairs))]
    for area, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines += ["", f"{area} ({count})"]
        shown = [pair for pair in pairs if pair.area == area][:per_area]
        for pair in shown:
            lines.append(f"  {show_date(pair.at)} · {pair.source}")
            lines += wrapped(_("The procedure says: {text}").format(text=pair.says or "-"))
            lines += wrapped(_("We actually do: {text}").format(text=pair.does or "-"))
        if count > len(shown):
            lines.append("  " + _("and {n} more").format(n=count - len(shown)))
    return lines


class PracticeScreen(ScrollKeys, KioskScreen[None]):
    SCROLLS = "practice-scroll"

    BINDINGS = [
        *SCROLL_BINDINGS,
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[PracticePair] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="trends"):
            yield Static("", id="signals", markup=False)
            with VerticalScroll(id="practice-scroll", can_focus=False):
                yield Static("", id="practice-text", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.load()
        self.retranslate()

    @work(thread=True, exclusive=True, exit_on_error=False, group="practice")
    def load(self) -> None:
        self.post_message(PairsLoaded(self.kiosk.repo.practice_pairs()))

    @on(PairsLoaded)
    def loaded(self, message: PairsLoaded) -> None:
        self.pairs = message.pairs
        self.retranslate()

    def retranslate(self) -> None:
        self.query_one("#signals", Static).update(_(
            "Work as imagined and work as done: where our procedures and our practice part ways."))
        if self.pairs is not None:
            width = max(40, self.query_one("#practice-scroll").size.width - 2 or 76)
            self.query_one("#practice-text", Static).update(plain("\n".join(practice_lines(self.pairs, width=width))))

    def on_resize(self) -> None:
        self.call_after_refresh(self.retranslate)

    def action_back(self) -> None:
        leave(self)
