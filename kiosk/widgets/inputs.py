"""Input widgets for operators and scanners.

:class:`KioskInput`, :class:`ReportTextArea` and :class:`KioskOptionList` handle Enter inside
their own key handler, in order with the characters typed before it (PITFALLS 3.7: a
keyboard-wedge scanner's burst must never be merged or reordered). They strip control
characters from pastes and refuse to grow past their limit with a message instead of silently
dropping text. Kept apart from ``kiosk.widgets`` so Home starts without loading them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, TextArea
from textual.widgets.option_list import Option

from kiosk.core.text import inert
from kiosk.i18n import _


@dataclass
class TextClipped(Message):
    """A paste was longer than the field allows; ``dropped`` characters were left out."""

    widget: Widget
    dropped: int


#: A slip's link anywhere in a text: what a scanner types into a field that has the cursor.
_SLIP_IN_TEXT = re.compile(
    r"https?://[A-Za-z0-9.\-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~\-/]*)?/r/[A-Za-z0-9-]{3,16}\?k=[A-Za-z0-9_-]{8,64}"
)


def without_scanned_slips(widget: Widget, text: str) -> str | None:
    """``text`` without the slip links a scanner typed into it (walk item 31: the link, token
    and all, ended up in a report), saying so; None if there was none."""
    cleaned, count = _SLIP_IN_TEXT.subn("", text)
    if not count:
        return None
    widget.app.notify(_("That was a scanned slip, not text: it was taken out of the field. To open "
                        "its record, scan it on Home."), severity="warning", markup=False)
    return cleaned


def without_enter(bindings: list) -> list:
    """A widget's bindings minus Enter, which these widgets handle in their key handler (in
    order with the typed characters) and which the screen shows in the footer instead."""
    return [b for b in bindings if not (isinstance(b, Binding) and b.key == "enter")]


#: Editing keys that select or wipe a whole line or field at once. On a shared floor terminal
#: they are pressed by accident (gloves, a scanner's stray code), the kiosk's own F6/F7 were
#: taken by them (walk item 1: F7 then any key wiped the report), and there is no undo.
WIPING_ACTIONS = frozenset({
    "select_all", "select_line", "cut", "delete_left_all", "delete_right_all",
    "delete_to_start_of_line", "delete_to_end_of_line_or_delete_line", "delete_line",
})


def without_wiping(bindings: list) -> list:
    return [b for b in bindings if not (isinstance(b, Binding) and b.action in WIPING_ACTIONS)]


class KioskInput(Input, inherit_bindings=False):
    """A one-line input for operators and scanners (see the module docstring)."""

    BINDINGS = without_wiping(without_enter(Input.BINDINGS))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Textual selects a field's whole text when it gets focus, so the next key replaced
        # it: Enter or Tab onto a filled field, one letter, and the owner's name was gone.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            cleaned = without_scanned_slips(self, self.value)
            if cleaned is not None:
                self.value = cleaned
                return  # the scanner's Enter: not the person's
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


class ReportTextArea(TextArea, inherit_bindings=False):
    """A wrapped, multi-line answer box where Enter moves on instead of adding a line.

    Text put in it (a prefilled answer) leaves the cursor at its end: that is where people
    add, and a cursor left at the start put their addition in front (walk item 2)."""

    BINDINGS = without_wiping(TextArea.BINDINGS)

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
        self.move_cursor(self.document.end)

    def load_text(self, text: str) -> None:
        super().load_text(text)
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            cleaned = without_scanned_slips(self, self.text)
            if cleaned is not None:
                self.load_text(cleaned)
                return  # the scanner's Enter: not the person's
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

    def show_lines(self, lines: Iterable[Content]) -> int:
        """Replace the options with ``lines`` (a screen's list redrawn: new data, another
        language), keeping the highlight where it was (the first line when that one is gone),
        hidden while empty. Returns how many there are."""
        highlighted = self.highlighted
        self.set_options(Option(line) for line in lines)
        count = self.option_count
        self.highlighted = highlighted if highlighted is not None and highlighted < count else (0 if count else None)
        self.display = bool(count)
        return count

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
