"""Charts drawn with characters: a sparkline a week per character, and bars. Only glyphs a Linux
console font has too (see :mod:`kiosk.terminal.console`)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

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


def label_width(labels: Iterable[str], widest: int) -> int:
    """The width of a label column: the longest label's, at most ``widest`` (longer ones wrap)."""
    return min(max((len(label) for label in labels), default=0), widest)


def labelled(label: str, width: int, chart: str, *, indent: int = 2) -> list[str]:
    """A chart's row: ``label`` in a column ``width`` wide, a space, then ``chart``. A longer
    label wraps onto more lines, whole, with the chart beside its first line: a label is never
    cut, and never touches its chart (walk item 18: "Proceso o procedimient██████")."""
    parts = textwrap.wrap(label, max(width, 1), break_long_words=True, break_on_hyphens=False) or [""]
    lines = [f"{' ' * indent}{parts[0]:<{width}} {chart}"]
    lines += [" " * indent + part for part in parts[1:]]
    return lines
