"""Trends over the last 12 weeks, and weak signals before they become crises (pure Python).

Counts per week by kind and by area, the most frequent contributing-condition categories, and
weak signals: three or more surprises or near misses in the same area within 30 days, which
suggest holding a learning review there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.core.records import Kind, Record

WEEKS = 12
SIGNAL_DAYS = 30
SIGNAL_COUNT = 3
SIGNAL_KINDS = frozenset({Kind.SURPRISE, Kind.NEAR_MISS})


@dataclass(frozen=True)
class WeakSignal:
    area: str
    count: int
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Trends:
    weeks: tuple[date, ...]  # the Monday of each week, oldest first
    by_kind: dict[str, list[int]]
    by_area: dict[str, list[int]]
    categories: list[tuple[str, int]]  # most frequent first
    signals: list[WeakSignal]
    total: int


def _day(record: Record) -> date:
    return datetime.fromisoformat(record.occurred_at).date()


def week_starts(today: date, weeks: int) -> tuple[date, ...]:
    """The Mondays of the last ``weeks`` ISO weeks, the oldest first (this week last)."""
    monday = today - timedelta(days=today.weekday())
    return tuple(monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))


def weekly(stamps: Iterable[tuple[str, str]], today: date, *, weeks: int = WEEKS) -> dict[str, list[int]]:
    """(ISO time, key) pairs as counts per week for each key, the same weeks as :func:`compute`
    (oldest first; what is outside them is left out)."""
    first = week_starts(today, weeks)[0]
    counts: dict[str, list[int]] = {}
    for stamp, key in stamps:
        day = datetime.fromisoformat(stamp).date()
        if first <= day <= today:
            counts.setdefault(key, [0] * weeks)[(day - first).days // 7] += 1
    return counts


def compute(records: Iterable[Record], today: date, *, weeks: int = WEEKS) -> Trends:
    starts = week_starts(today, weeks)
    first = starts[0]
    by_kind: dict[str, list[int]] = {}
    by_area: dict[str, list[int]] = {}
    categories: Counter[str] = Counter()
    recent: dict[str, list[Record]] = {}
    total = 0
    for record in records:
        day = _day(record)
        if first <= day <= today:
            week = (day - first).days // 7
            by_kind.setdefault(record.kind, [0] * weeks)[week] += 1
            by_area.setdefault(record.area, [0] * weeks)[week] += 1
            total += 1
            if record.review is not None and not record.review.draft:
                categories.update({c.category for c in record.review.why})
        if record.kind in SIGNAL_KINDS and today - timedelta(days=SIGNAL_DAYS) < day <= today:
            recent.setdefault(record.area, []).append(record)
    signals = sorted(
        (WeakSignal(area, len(found), tuple(r.id for r in sorted(found, key=_day)))
         for area, found in recent.items() if len(found) >= SIGNAL_COUNT),
        key=lambda s: (-s.count, s.area))
    return Trends(starts, by_kind, dict(sorted(by_area.items(), key=lambda kv: -sum(kv[1]))),
                  categories.most_common(), signals, total)
