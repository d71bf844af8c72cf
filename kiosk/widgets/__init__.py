"""Widgets used by more than one screen.

- :class:`KioskFooter` shows every active key with its description in the current language.
- :class:`KioskInput` and :class:`ReportTextArea` handle Enter inside their own key handler,
  in order with the characters typed before it (PITFALLS 3.7: a keyboard-wedge scanner's burst
  must never be merged or reordered), strip control characters from pastes, and refuse to grow
  past their limit with a message instead of silently dropping text.
- :class:`TLabel` is a label whose text is a message id, re-translated on F2.
- :func:`plain` turns stored text into inert content: never markup, never escape sequences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList, Static, TextArea
from textual.widgets._footer import FooterKey

from kiosk.i18n import _
from kiosk.text import inert


def plain(text: str) -> Content:
    """Stored or typed text as content that is shown literally."""
    return Content(inert(text))


class KioskFooter(Footer):
    """The footer, with descriptions translated when it is composed (and on F2)."""

    def compose(self):
        if not self._bindings_ready:
            return
        describe = getattr(self.screen, "describe_binding", None)
        seen_actions: set[str] = set()
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            description = describe(binding) if describe else None
            if description is None:
                description = self.app.describe_binding(binding)
            key = FooterKey(
                binding.key,
                binding.key_display or self.app.get_key_display(binding),
                description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            key.set_reactive(FooterKey.compact, self.compact)
            yield key


class TLabel(Static):
    """A label whose text is a message id (with format values), re-translated on F2."""

    def __init__(self, message: str, *, values: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.message = message
        self.values = values or {}
        super().__init__(self._text(), markup=False, **kwargs)

    def _text(self) -> str:
        text = _(self.message)
        return text.format(**self.values) if self.values else text

    def set_message(self, message: str, **values: Any) -> None:
        self.message = message
        self.values = values
        self.retranslate()

    def retranslate(self) -> None:
        self.update(self._text())


@dataclass
class TextClipped(Message):
    """A paste was longer than the field allows; ``dropped`` characters were left out."""

    widget: Widget
    dropped: int


class KioskInput(Input, inherit_bindings=False):
    """A one-line input for operators and scanners (see the module docstring)."""

    BINDINGS = [b for b in Input.BINDINGS if not (isinstance(b, Binding) and b.key == "enter")]

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
        event.stop()
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

        text_area: "ReportTextArea"

        @property
        def control(self) -> "ReportTextArea":
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

    BINDINGS = [b for b in OptionList.BINDINGS if not (isinstance(b, Binding) and b.key == "enter")]

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_select()
            return
        await super()._on_key(event)
