"""Driving the kiosk under Textual's Pilot: wait on conditions (never fixed sleeps), read the
screen as a person does, type like one."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import Input, Static, TextArea

from kiosk.widgets import KioskFooter


async def wait_for(pilot: Any, predicate: Any, timeout: float = 5.0) -> None:
    """Let the app run until ``predicate()`` holds (no fixed sleeps in tests)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.01)


async def settle(pilot: Any, tries: int = 60) -> None:
    """Let the app lay out and draw until nothing moves: three looks in a row, 50 ms apart,
    with the same picture and every widget in the same place, size, scroll bars and scroll
    offset. A list filled or a text set in one refresh gets its scroll bar in a later one,
    and on a busy machine that came after the snapshot (it then differed by a scroll bar)."""
    app = pilot.app

    def state() -> Any:
        widgets = tuple((widget.region, widget.virtual_size, widget.show_vertical_scrollbar,
                         widget.scroll_offset) for widget in app.screen.walk_children(with_self=True))
        return widgets, app.export_screenshot()

    before, same = state(), 0
    for _ in range(tries):
        await pilot.pause(0.05)
        now = state()
        same = same + 1 if now == before else 0
        if same >= 2:
            return
        before = now


def no_blink(app: Any) -> None:
    """Cursor blink off on every input so screenshots are stable."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False


def footer_text(app: Any) -> str:
    footer = app.screen.query_one(KioskFooter)
    return " ".join(str(key.render()) for key in footer.children)


def screen_text(app: Any) -> str:
    """Every Static's text on the current screen (what a person reads)."""
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def type_text(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def walk_to_confirm(pilot: Any, *, what: str = "Cinta trabó", impact: str = "Una hora", did: str = "",
                          name: str = "") -> None:
    """From Home to the last step of a quick report (a near miss in Envasado)."""
    await pilot.press("1")  # report
    await pilot.press("2")  # near miss
    await type_text(pilot, "env")
    await pilot.press("enter")  # Envasado
    await pilot.press("enter")  # no station
    await type_text(pilot, what)
    await pilot.press("enter")  # to impact
    await type_text(pilot, impact)
    await pilot.press("enter")  # to what we did
    await type_text(pilot, did)
    await pilot.press("enter")  # to name
    await type_text(pilot, name)
    await pilot.press("enter")  # to confirm
