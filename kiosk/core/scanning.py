"""Slips scanned with a keyboard-wedge scanner: it types the QR's URL and Enter, very fast.

:class:`ScanReader` sees every key the kiosk receives, in order, before any screen does (the
App feeds it), so a burst is never merged, reordered or split by bindings (PITFALLS 3.7). A
scan starts with the ``h`` of ``http`` on a screen that takes scans; while the typed text can
still be a slip URL the keys are held back from the screen; Enter completes it. Anything else
(a pause, a key that cannot belong to a URL) gives the keys back to the screen at once, so a
person pressing Home's keys is never slowed down.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

#: ``{base_url}/r/{id}?k={token}`` from any kiosk base URL (the id and token are what count).
SLIP_URL = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~\-/]*)?/r/"
    r"(?P<id>[A-Za-z0-9-]{3,16})\?k=(?P<token>[A-Za-z0-9_-]{8,64})$"
)
#: ``{base_url}/a/{code}``: an after-action review's invitation (the account screen opens).
ACCOUNT_URL = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~\-/]*)?/a/(?P<code>[A-Za-z0-9-]{10,14})$"
)
_PREFIXES = ("http://", "https://")


@dataclass(frozen=True)
class SlipLink:
    record_id: str
    token: str


def parse_slip_url(text: str) -> SlipLink | None:
    match = SLIP_URL.match(text.strip())
    return SlipLink(match["id"], match["token"]) if match else None


def parse_account_url(text: str) -> str | None:
    """The account code of a scanned invitation, as printed (checked later, like one typed)."""
    match = ACCOUNT_URL.match(text.strip())
    return match["code"] if match else None


class ScanReader:
    """Key by key: ``feed`` says whether the key belongs to a scan, and gives the scanned text
    when Enter completes one."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, gap: float = 0.5, limit: int = 300) -> None:
        self.clock = clock
        self.gap = gap  # the longest pause inside one scan, in seconds
        self.limit = limit
        self.buffer = ""
        self._last = 0.0

    @property
    def active(self) -> bool:
        return bool(self.buffer)

    def feed(self, character: str | None, key: str, *, may_start: bool) -> tuple[bool, str | None]:
        """(consumed, completed scan or None). ``may_start``: the screen takes scans."""
        now = self.clock()
        if self.buffer and now - self._last > self.gap:
            self.buffer = ""  # a pause: whatever it was, it was not a scan
        if not self.buffer:
            if may_start and character == "h":
                self.buffer, self._last = "h", now
                return True, None
            return False, None
        self._last = now
        if key == "enter":
            text, self.buffer = self.buffer, ""
            return True, text
        if character and len(character) == 1 and character.isprintable():
            candidate = self.buffer + character
            if len(candidate) <= self.limit and _plausible(candidate):
                self.buffer = candidate
                return True, None
        self.buffer = ""
        return False, None


def _plausible(text: str) -> bool:
    return any(prefix.startswith(text) or text.startswith(prefix) for prefix in _PREFIXES) and " " not in text
