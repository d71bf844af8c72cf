"""Charts drawn with characters: a sparkline a week per character, and bars. Only glyphs a Linux
console font has too (see :mod:`kiosk.terminal.console`)."""

from __future__ import annotations

#: Levels of a sparkline, from none to the most.
BARS = " ░▒▓█"


def sparkline(values: list[int], top: int | None = None) -> str:
    """One character per value, from ' ' (none) to '█' (the most)."""
    top = max(values, default=0) if top is None else top
    if top <= 0:
        return "·" * len(values)
    return "".join(BARS[0 if v == 0 else max(1, round(v / top * (len(BARS) - 1)))] if v else "·" for v in values)


def bar(value: int, top: int, width: int) -> str:
    if top <= 0:
        return ""
    return "█" * max(1 if value else 0, round(value / top * width))
