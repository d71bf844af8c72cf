"""The tests' time: a fixed clock (Argentina, UTC-3) and a monotonic clock moved by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

ART = timezone(timedelta(hours=-3))
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=ART)


def fixed_clock() -> datetime:
    return NOW


class FakeMonotonic:
    """A monotonic clock the test moves by hand (idle timeout tests)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
