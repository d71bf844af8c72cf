"""Widgets used by more than one screen (input widgets are in ``kiosk.widgets.inputs``).

- :class:`KioskFooter` shows every active key with its description in the current language.
- :class:`TLabel` is a label whose text is a message id, re-translated on F2.
- :func:`plain` turns stored text into inert content: never markup, never escape sequences.
"""

from __future__ import annotations

from typing import Any, Protocol, cast, runtime_checkable

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from kiosk.core.text import inert
from kiosk.i18n import N_, _

#: ↑ ↓ and PgUp PgDn scroll a screen's scrolling view, shown once in the footer as "↑↓ Scroll".
SCROLL_BINDINGS = [
    Binding("up", "scroll(-1)", N_("Scroll"), key_display="↑↓"),
    Binding("down", "scroll(1)", show=False),
    Binding("pageup", "scroll(-10)", show=False),
    Binding("pagedown", "scroll(10)", show=False),
]


class ScrollKeys:
    """For a screen with one scrolling view (its id in ``SCROLLS``) that the keys scroll while
    nothing on it has focus."""

    SCROLLS = ""

    def action_scroll(self, lines: int) -> None:
        cast(Widget, self).query_one(f"#{self.SCROLLS}").scroll_relative(y=lines, animate=False)


def plain(text: str) -> Content:
    """Stored or typed text as content that is shown literally."""
    return Content(inert(text))


@runtime_checkable
class DescribesKeys(Protocol):
    """A screen (or the App) that words some of its keys itself, in the current language."""

    def describe_binding(self, binding: Binding) -> str | None:
        """The footer text of ``binding``, or None for its own description, translated."""


class KioskFooter(Footer):
    """The footer, with descriptions translated when it is composed (and on F2)."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen, app = self.screen, self.app
        seen_actions: set[str] = set()
        active = list(screen.active_bindings.values())
        # A modal screen's chain leaves out the App's keys, yet its priority keys (F2) still
        # work there: show them too, or the footer would hide a key that works.
        shown_keys = {binding.key for _node, binding, _enabled, _tooltip in active}
        for key, binding in app._bindings:
            if binding.priority and binding.show and key not in shown_keys:
                active.append(ActiveBinding(app, binding, True, binding.tooltip))
        for _node, binding, enabled, tooltip in active:
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            description = screen.describe_binding(binding) if isinstance(screen, DescribesKeys) else None
            if description is None and isinstance(app, DescribesKeys):
                description = app.describe_binding(binding)
            if description is None:
                description = _(binding.description)
            footer_key = FooterKey(
                binding.key,
                binding.key_display or app.get_key_display(binding),
                description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            footer_key.set_reactive(FooterKey.compact, self.compact)
            yield footer_key


class TLabel(Static):
    """A label whose text is a message id (with format values), re-translated on F2."""

    def __init__(self, message: str, *, values: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.message = message
        self.values = values or {}
        super().__init__(self._text(), markup=False, **kwargs)

    def _text(self) -> str:
        text = _(self.message)
        return text.format(**self.values) if self.values else text

    def retranslate(self) -> None:
        self.update(self._text())
