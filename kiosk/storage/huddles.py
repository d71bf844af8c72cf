"""Huddles in and out (rules in :mod:`kiosk.core.huddle`): each start and each learning shared
is one journal transaction.

A huddle is numbered in its own series (``H1``, ``H2``…, keyed by the number in the
``huddles`` table): it is counted, never opened by a slip, so it needs no id of the records'
family. Huddles are few (a handful a day per area), so they are read whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.core.huddle import (
    Candidate,
    Huddle,
    current,
    huddle_from_doc,
    huddle_id,
    huddle_number,
    huddle_to_doc,
    record_candidates,
    share,
    shared_refs,
    start_huddle,
    team_candidates,
    work_candidates,
)
from kiosk.core.records import Record, ValidationError
from kiosk.core.teams import Team, TeamLookFor
from kiosk.core.work import WorkItem
from kiosk.storage.aggregate import Aggregate

log = logging.getLogger(__name__)

HUDDLES = "huddles"


class HuddlesRepository(Aggregate):
    """The huddles of one data folder."""

    # From the other aggregates (joined in Repository).
    look_fors: Callable[[date], list[Record]]
    team_look_fors: Callable[[str, date], list[tuple[Team, TeamLookFor]]]
    work_items: Callable[..., list[WorkItem]]

    _own_range: Callable[[], tuple[int, int]]

    def _next_huddle(self) -> int:
        """A new huddle's number: after the highest of the folder's id series (the records'),
        so that the kiosks of one plant never number two huddles alike."""
        first, last = self._own_range()
        return max((n for n in map(int, self._rows(HUDDLES)) if first <= n <= last), default=first - 1) + 1

    def move_huddles_into_series(self) -> int:
        """Before a kiosk's first sync: its huddles numbered outside its id series (by an older
        kiosk, from 1) take numbers in it, or they would meet the other kiosks' huddles of the
        same numbers. Returns how many moved."""
        with self.store.lock:
            first, last = self._own_range()
            rows = self._rows(HUDDLES)
            outside = sorted(int(key) for key in rows if not first <= int(key) <= last)
            ops: list[Any] = []
            number = self._next_huddle()
            for old in outside:
                doc = rows[str(old)]
                ops += [("del", HUDDLES, str(old)), ("put", HUDDLES, str(number), {**doc, "id": huddle_id(number)})]
                number += 1
            if ops:
                self.store.commit(ops)
        return len(outside)

    def huddles(self, area: str = "") -> list[Huddle]:
        """Every huddle (of one area), the oldest first."""
        with self.store.lock:
            rows = self._rows(HUDDLES)
            docs = sorted(rows.values(), key=lambda doc: (doc.get("started_at", ""), doc.get("id", "")))
        return [huddle for huddle in map(huddle_from_doc, docs) if not area or huddle.area == area]

    def huddle_docs(self) -> list[dict[str, Any]]:
        """Every stored huddle document by number (what export writes; not to be changed)."""
        with self.store.lock:
            rows = self._rows(HUDDLES)
            return [rows[str(number)] for number in sorted(map(int, rows))]

    def open_huddle(self, area: str) -> Huddle:
        """The area's huddle now: the one started less than two hours ago, or a new one (stored
        at once: it is counted as held)."""
        with self.store.lock:
            now = self.clock()
            running = current(self.huddles(area), area, now)
            if running is not None:
                return running
            number = self._next_huddle()
            huddle = start_huddle(number=number, area=area, now=now)
            self.store.commit([("put", HUDDLES, str(number), huddle_to_doc(huddle))])
        log.info("huddle %s started (%s)", huddle.id, huddle.area)
        return huddle

    def share_in_huddle(self, huddle_id: str, candidate: Candidate) -> Huddle:
        """Mark ``candidate`` shared in the huddle (refused if any huddle of the area shared it)."""
        key = str(huddle_number(huddle_id))
        with self.store.lock:
            doc = self._rows(HUDDLES).get(key)
            if doc is None:
                raise ValidationError("id", "invalid", value=huddle_id)
            huddle = huddle_from_doc(doc)
            done = shared_refs(self.huddles(huddle.area), huddle.area)
            huddle = share(huddle, candidate, already=done, now=self.clock())
            self.store.commit([("put", HUDDLES, key, huddle_to_doc(huddle))])
        return huddle

    def huddle_candidates(self, area: str, today: date) -> list[Candidate]:
        """Every learning of the area that could be shared today (shared ones included)."""
        teams = {team.id: team for team, _line in self.team_look_fors("", today)}
        return [*work_candidates(self.work_items(), area), *record_candidates(self.look_fors(today), area, today),
                *team_candidates(teams.values(), area, today)]

    def import_huddle(self, doc: Any) -> Huddle:
        """Store an exported huddle as it was (its number must be free)."""
        huddle = huddle_from_doc(doc)
        key = str(huddle_number(huddle.id))
        with self.store.lock:
            if key in self._rows(HUDDLES):
                raise ValidationError("id", "exists", value=huddle.id)
            self.store.commit([("put", HUDDLES, key, huddle_to_doc(huddle))])
        return huddle
