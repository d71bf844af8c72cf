"""The five-minute huddle at shift start (issue 17, point 6): one screen per area, read by a
crew from two metres at 80x24.

A crew lead opens it from Home and picks the area (no PIN: :func:`start_huddle`). On top, the
learning to share and a countdown; below, what happened since the last huddle, the work under
way, weak signals, follow-ups due and look-fors, scrolled with ↑↓ PgUp PgDn. ``n`` proposes
another learning, ``s`` marks it shared (stored and counted), ``p`` prints the slip for the
line's board. The countdown never blocks anything: at zero it says so, nothing else. No name
appears anywhere (the views leave them out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kiosk.core.huddle import DURATION, Candidate, next_proposal
from kiosk.core.records import ValidationError
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import KioskScreen, leave
from kiosk.storage import StorageError
from kiosk.views.huddle import HuddleView, gather, huddle_sections, proposal_lines
from kiosk.views.labels import describe_storage_problem
from kiosk.widgets import SCROLL_BINDINGS, KioskFooter, ScrollKeys, plain

#: The sections below the learning to share (see :func:`kiosk.views.huddle.huddle_sections`).
SECTIONS = 5


def start_huddle(screen: KioskScreen[Any]) -> None:
    """Ask which area's huddle (the kiosk's own area first and highlighted; no PIN), then open it."""
    from kiosk.screens.dialogs.choose import ChooseDialog

    config = screen.kiosk.config
    areas = list(config.areas)
    if config.home_area in areas:
        areas.remove(config.home_area)
        areas.insert(0, config.home_area)

    def chosen(index: int | None) -> None:
        if index is not None:
            screen.app.push_screen(HuddleScreen(areas[index]))

    screen.app.push_screen(ChooseDialog(N_("Huddle: which area?"), areas), chosen)


@dataclass
class HuddleReady(Message):
    view: HuddleView
    #: What the last ``s`` did: "shared", "already" (another kiosk shared it first) or "".
    outcome: str = ""


@dataclass
class HuddleProblem(Message):
    text: str


class HuddleScreen(ScrollKeys, KioskScreen[None]):
    """The huddle of ``area``: started (or continued, within two hours) as it opens."""

    SCROLLS = "huddle-scroll"
    BINDINGS = [
        Binding("n", "another", N_("Another")),
        Binding("s", "shared", N_("Shared it")),
        Binding("p", "print", N_("Print")),
        *SCROLL_BINDINGS,
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, area: str) -> None:
        super().__init__()
        self.area = area
        self.view: HuddleView | None = None
        #: Which proposal is shown (``n`` moves it, round the list).
        self.proposal = 0
        #: What the last ``s`` did (said until the next key), or a storage problem's words.
        self.outcome = ""
        self.problem_text = ""
        self._opened = 0.0
        self._sharing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="huddle"):
            with Horizontal(id="huddle-top"):
                yield Static("", id="huddle-title", markup=False)
                yield Static("", id="huddle-clock", markup=False)
            with Vertical(id="huddle-share"):
                yield Static("", id="share-heading", markup=False)
                yield Static("", id="share-text", markup=False)
                yield Static("", id="share-said", markup=False)
            with VerticalScroll(id="huddle-scroll", can_focus=False):
                for index in range(SECTIONS):
                    yield Static("", id=f"heading-{index}", classes="huddle-heading", markup=False)
                    yield Static("", id=f"lines-{index}", classes="huddle-lines", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self._opened = self.kiosk.monotonic()
        self.set_interval(1.0, self._show_clock)
        self.retranslate()
        self.load()

    # -- data ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="huddle")
    def load(self) -> None:
        repo = self.kiosk.repo
        try:
            huddle = repo.open_huddle(self.area)  # counted as held now (continued within two hours)
        except StorageError as error:
            self.post_message(HuddleProblem(describe_storage_problem(error)))
            return
        self.post_message(HuddleReady(gather(repo, self.area, self.kiosk.clock(), huddle=huddle)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="huddle-share")
    def share(self, huddle_id: str, candidate: Candidate) -> None:
        repo = self.kiosk.repo
        try:
            huddle = repo.share_in_huddle(huddle_id, candidate)
            outcome = "shared"
        except ValidationError:  # shared meanwhile (another kiosk): say so, show the list again
            huddle = next(h for h in repo.huddles(self.area) if h.id == huddle_id)
            outcome = "already"
        except StorageError as error:
            self.post_message(HuddleProblem(describe_storage_problem(error)))
            return
        self.post_message(HuddleReady(gather(repo, self.area, self.kiosk.clock(), huddle=huddle), outcome))

    @on(HuddleReady)
    def ready(self, message: HuddleReady) -> None:
        self.view = message.view
        self._sharing = False
        self.outcome, self.problem_text = message.outcome, ""
        if message.outcome:
            self.proposal = min(self.proposal, max(len(message.view.proposals) - 1, 0))
        self.retranslate()
        self.refresh_bindings()

    @on(HuddleProblem)
    def problem(self, message: HuddleProblem) -> None:
        self._sharing = False
        self.problem_text = message.text
        self.retranslate()

    # -- showing -------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.query_one("#huddle-title", Static).update(plain(_("Huddle · {area}").format(area=self.area)))
        self._show_clock()
        view = self.view
        self.query_one("#share-heading", Static).update(_("One learning to share: say it aloud"))
        if view is None:
            self.query_one("#share-text", Static).update(plain(self.problem_text or _("Loading…")))
            return
        self.query_one("#share-text", Static).update(plain("\n".join(proposal_lines(self._candidate()))))
        said_line = self.query_one("#share-said", Static)
        said = self._said()
        said_line.display = bool(said)
        said_line.update(plain(said))
        for index, (heading, lines) in enumerate(huddle_sections(view)):
            self.query_one(f"#heading-{index}", Static).update(plain(heading.upper()))
            self.query_one(f"#lines-{index}", Static).update(plain("\n".join(lines)))

    def _said(self) -> str:
        """Under the learning: what ``s`` did, or how many were shared in this huddle."""
        count = len(self.view.shared) if self.view is not None else 0
        if self.problem_text:
            return self.problem_text
        if self.outcome == "already":
            return _("That one was already shared.")
        if self.outcome == "shared":
            return ngettext("Shared: {n} learning in this huddle.", "Shared: {n} learnings in this huddle.",
                            count).format(n=count)
        return _("Shared in this huddle: {n}").format(n=count) if count else ""

    def _show_clock(self) -> None:
        left = self._seconds_left()
        clock = self.query_one("#huddle-clock", Static)
        clock.set_class(left <= 0, "time-up")
        clock.update(_("Time is up") if left <= 0 else f"{left // 60}:{left % 60:02d}")

    def _seconds_left(self) -> int:
        if not self._opened:
            return int(DURATION.total_seconds())
        return max(0, int(DURATION.total_seconds() - (self.kiosk.monotonic() - self._opened) + 0.999))

    def _candidate(self) -> Candidate | None:
        proposals = self.view.proposals if self.view is not None else ()
        return proposals[self.proposal % len(proposals)] if proposals else None

    def is_saving(self) -> bool:
        """The idle reset waits for the huddle's five minutes and one idle timeout more: people
        talk, nobody types, and Home must not take the screen from the crew."""
        held = DURATION.total_seconds() + self.kiosk.config.idle_timeout
        return self._sharing or self.kiosk.monotonic() - self._opened < held

    # -- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "another":
            return self.view is not None and len(self.view.proposals) > 1
        if action == "shared":  # (dimmed while the last one is being saved)
            if self._sharing:
                return None
            return self._candidate() is not None and self.view is not None and self.view.huddle is not None
        if action == "print":
            return self.view is not None
        return True

    def action_another(self) -> None:
        if self.view is not None and self.view.proposals:
            self.proposal = next_proposal(self.proposal, len(self.view.proposals))
            self.outcome = self.problem_text = ""
            self.retranslate()

    def action_shared(self) -> None:
        candidate = self._candidate()
        if self._sharing or candidate is None or self.view is None or self.view.huddle is None:
            return
        self._sharing = True
        self.refresh_bindings()
        self.share(self.view.huddle.id, candidate)

    def action_print(self) -> None:
        from kiosk.screens.printing import PrintScreen

        if self.view is not None:
            self.app.push_screen(PrintScreen("huddle", (self.area,), start=True))

    def action_back(self) -> None:
        leave(self)
