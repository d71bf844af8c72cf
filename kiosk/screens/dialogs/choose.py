"""Choose one of a few lines (e.g. which weak signal a Learning Team is for): ↑↓ and Enter, or
Esc for none."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets.option_list import Option

from kiosk.i18n import N_
from kiosk.screens.base import KioskModal, leave
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskOptionList


class ChooseDialog(KioskModal[int | None]):
    """``title`` is a message id; ``lines`` are already in the active language. Returns the
    index chosen, or None."""

    BINDINGS = [
        Binding("enter", "choose", N_("Choose")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_message = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TLabel(self.title_message, classes="dialog-title")
            yield KioskOptionList(*(Option(plain(line)) for line in self.lines), id="choices-list")
        yield KioskFooter()

    def on_mount(self) -> None:
        choices = self.query_one("#choices-list", KioskOptionList)
        choices.highlighted = 0
        choices.focus()

    @on(KioskOptionList.OptionSelected)
    def selected(self) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        leave(self, self.query_one("#choices-list", KioskOptionList).highlighted)

    def action_cancel(self) -> None:
        leave(self, None)
