"""Input widgets for operators and scanners.

:class:`KioskInput`, :class:`ReportTextArea` and :class:`KioskOptionList` handle Enter inside
their own key handler, in order with the characters typed before it (PITFALLS 3.7: a
keyboard-wedge scanner's burst must never be merged or reordered). They strip control
characters from pastes and refuse to grow past their limit with a message instead of silently
dropping text. Kept apart from ``kiosk.widgets`` so Home starts without loading them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, TextArea

from kiosk.core.text import inert


@dataclass
class TextClipped(Message):
    """A paste was longer than the field allows; ``dropped`` characters were left out."""

    widget: Widget
    dropped: int


def without_enter(bindings: list) -> list:
    """A widget's bindings minus Enter, which these widgets handle in their key handler (in
    order with the typed characters) and which the screen shows in the footer instead."""
    return [b for b in bindings if not (isinstance(b, Binding) and b.key == "enter")]


class KioskInput(Input, inherit_bindings=False):
    """A one-line input for operators and scanners (see the module docstring)."""

    BINDINGS = without_enter(Input.BINDINGS)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        if event.is_printable and event.character and not inert(event.character):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        # prevent_default: Textual would also run Input._on_paste and insert the text twice.
        event.stop()
        event.prevent_default()
        text = inert(event.text).replace("\n", " ").replace("\t", " ")
        start, end = sorted(self.selection)
        room = self.max_length - (len(self.value) - (end - start)) if self.max_length else len(text)
        dropped = max(len(text) - room, 0)
        text = text[: max(room, 0)]
        if text:
            self.replace(text, start, end)
        if dropped:  # after the change, so the message is not cleared by it
            self.post_message(TextClipped(self, dropped))


class ReportTextArea(TextArea):
    """A wrapped, multi-line answer box where Enter moves on instead of adding a line."""

    @dataclass
    class Submitted(Message):
        """Enter was pressed in the box."""

        text_area: ReportTextArea

        @property
        def control(self) -> ReportTextArea:
            return self.text_area

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", show_line_numbers=False, **kwargs)
        self.max_length = max_length

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self))
            return
        if event.is_printable:
            character = inert(event.character or "")
            if not character or len(self.text) >= self.max_length:
                event.stop()
                event.prevent_default()
                if character:
                    self.app.bell()
                    self.post_message(TextClipped(self, len(character)))
                return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        if self.read_only:
            return
        text = inert(event.text).replace("\t", " ")
        start, end = self.selection
        selected = len(self.get_text_range(*sorted((start, end))))
        room = self.max_length - (len(self.text) - selected)
        dropped = max(len(text) - room, 0)
        text = text[: max(room, 0)]
        if text and (result := self._replace_via_keyboard(text, start, end)):
            self.move_cursor(result.end_location)
        if dropped:  # after the change, so the message is not cleared by it
            self.post_message(TextClipped(self, dropped))


class KioskOptionList(OptionList, inherit_bindings=False):
    """An option list whose Enter is handled in order with other keys, shown by the screen."""

    BINDINGS = without_enter(OptionList.BINDINGS)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_select()
            return
        await super()._on_key(event)

    def _move_page(self, direction) -> None:
        """Page up/down that arrives before the list is laid out (keys typed fast while a
        screen comes up) finds Textual 8.2.8's line cache empty and raises KeyError; with no
        lines there is no page to move by."""
        if (self.highlighted or 0) not in self._index_to_line:
            return
        super()._move_page(direction)
