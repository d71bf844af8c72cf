"""A hybrid logical clock (Kulkarni et al., 2014) for the plant hub's merges (pure Python).

Each kiosk stamps its changes with (wall milliseconds, counter, kiosk). A stamp never goes
backwards on one kiosk, and a kiosk that receives a stamp from the future (another kiosk's
clock a day ahead) moves its own past it: so "the later change wins" follows what happened
after what, not whose clock is right, and a kiosk with a wrong clock loses and reorders
nothing. Stamps compare as tuples; as text (:func:`Stamp.text`) they sort the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: How far ahead of its own clock a kiosk accepts a stamp before refusing it as nonsense (a
#: clock a day or two wrong is taken; one a century ahead would freeze every clock after it).
MAX_AHEAD_MS = 400 * 24 * 3600 * 1000
_TEXT = re.compile(r"(\d{15})\.(\d{6})\.([a-z][a-z0-9_]{0,29})")


class StampError(ValueError):
    """Not a stamp, or one too far in the future to be believed."""


@dataclass(frozen=True, order=True)
class Stamp:
    wall: int  # milliseconds since the epoch, as the clocks saw them
    counter: int
    kiosk: str

    def text(self) -> str:
        return f"{self.wall:015d}.{self.counter:06d}.{self.kiosk}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        found = _TEXT.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise StampError(f"not a stamp: {text!r}")
        return cls(int(found[1]), int(found[2]), found[3])


@dataclass
class Clock:
    """One kiosk's clock: :meth:`now` for a local change, :meth:`seen` for a received stamp."""

    kiosk: str
    last: Stamp | None = None

    def now(self, wall_ms: int) -> Stamp:
        last = self.last
        if last is None or wall_ms > last.wall:
            stamp = Stamp(wall_ms, 0, self.kiosk)
        else:
            stamp = Stamp(last.wall, last.counter + 1, self.kiosk)
        self.last = stamp
        return stamp

    def seen(self, remote: Stamp, wall_ms: int) -> None:
        """Take in another kiosk's stamp, so that every later local stamp comes after it."""
        if remote.wall > wall_ms + MAX_AHEAD_MS:
            raise StampError(f"a stamp {remote.wall - wall_ms} ms ahead of this clock: {remote.text()}")
        last = self.last or Stamp(0, 0, self.kiosk)
        wall = max(last.wall, remote.wall, wall_ms)
        if wall == last.wall == remote.wall:
            counter = max(last.counter, remote.counter) + 1
        elif wall == last.wall:
            counter = last.counter + 1
        elif wall == remote.wall:
            counter = remote.counter + 1
        else:
            counter = 0
        self.last = Stamp(wall, counter, self.kiosk)
