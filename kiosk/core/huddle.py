"""The five-minute huddle at shift start, as rules (pure Python; SPEC section 11).

A crew lead opens the huddle of one area. It is stored (its area, when it started, and the
learnings shared in it; never a name) so that the habit can be counted. Opening it again within
:data:`CONTINUE_WITHIN` of the last start continues that huddle: a second press, a wrong key or a
restart never counts twice.

What the huddle looks back on is its **window**: since the area's previous huddle started, or the
last :data:`FIRST_WINDOW` when there was none, and never more than :data:`MAX_WINDOW` (a huddle
after a holiday stays readable).

**One learning to share**: the candidates are the area's lessons and wins noted on work items,
and the area's look-fors (a record of the area whose look-for is still shown, or a Learning
Team's look-for meant for the area). Those shared in any huddle of the area are left out; the
rest are proposed **oldest first, whatever their kind**: the issue asks for "the oldest
not-yet-shared lesson, win or look-for", and one order by age is the one a crew can predict (a
kind first would hide a win behind every lesson). ``n`` proposes the next one, round the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from kiosk.core.records import LOOK_FOR_MAX, Record, ValidationError
from kiosk.core.teams import Team
from kiosk.core.text import clean_text
from kiosk.core.work import ENTRY_MAX, EntryKind, WorkItem

#: Opening the area's huddle again within this time continues it (no double count).
CONTINUE_WITHIN = timedelta(hours=2)
#: The window of an area's first huddle.
FIRST_WINDOW = timedelta(hours=24)
#: The longest window (after a holiday, a week is what a crew can take in at once).
MAX_WINDOW = timedelta(days=7)
#: The huddle's length: the countdown on its screen (it never blocks anything).
DURATION = timedelta(minutes=5)

LESSON, WIN, LOOK_FOR = EntryKind.LESSON.value, EntryKind.WIN.value, "look_for"
SHARE_KINDS = (LESSON, WIN, LOOK_FOR)
#: The longest text a learning shared keeps (an entry's or a look-for's, whichever is longer).
TEXT_MAX = max(ENTRY_MAX, LOOK_FOR_MAX)
#: A learning shared at most this many times in one huddle (the screen shares one; a cap for
#: imported documents).
MAX_SHARED = 200
_ID = re.compile(r"H([1-9][0-9]{0,8})")


@dataclass(frozen=True)
class Candidate:
    """A learning that can be shared: where it comes from, and its words as they are now."""

    #: Stable: a work item's entry ``"<item id>#<index>"``, a record's look-for its id, a
    #: Learning Team's look-for ``"<team id>#<index>"``.
    ref: str
    kind: str  # SHARE_KINDS
    text: str
    #: When it was noted (entries) or when its source was created (look-fors): ISO, with offset.
    at: str
    #: The work item, record or team it comes from (records and teams have a page and a QR).
    source: str


@dataclass(frozen=True)
class Shared:
    """A learning as it was shared (its words kept: the source may change later)."""

    ref: str
    kind: str
    text: str
    source: str
    at: str  # when it was marked shared


@dataclass(frozen=True)
class Huddle:
    id: str  # "H<number>"
    area: str
    started_at: str
    shared: tuple[Shared, ...] = ()

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.started_at)


@dataclass(frozen=True)
class Window:
    """What a huddle looks back on."""

    since: datetime
    until: datetime
    #: Whether an earlier huddle of the area began it (else the last 24 hours).
    after_huddle: bool
    #: Whether it was cut at MAX_WINDOW.
    capped: bool


def huddle_id(number: int) -> str:
    return f"H{number}"


def huddle_number(value: str) -> int:
    match = _ID.fullmatch(value.strip().upper())
    if match is None:
        raise ValidationError("id", "invalid", value=value)
    return int(match.group(1))


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _when(value: str, tz: tzinfo | None = None) -> datetime:
    """A stored moment, comparable with the kiosk's: an imported one without an offset is taken
    as of ``tz`` (the huddle's), else UTC (records and entries may come without one)."""
    when = datetime.fromisoformat(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=tz or UTC)


# -- the huddle and its window ------------------------------------------------------------------


def current(huddles: Iterable[Huddle], area: str, now: datetime) -> Huddle | None:
    """The area's huddle that opening it now continues: the newest one started less than
    CONTINUE_WITHIN ago (None: opening starts a new one)."""
    started = [h for h in huddles if h.area == area and now - CONTINUE_WITHIN < h.started <= now]
    return max(started, key=lambda h: h.started, default=None)


def start_huddle(*, number: int, area: str, now: datetime) -> Huddle:
    text = clean_text(area)
    if not text:
        raise ValidationError("area", "required")
    return Huddle(huddle_id(number), text[:60], _stamp(now))


def window(huddles: Iterable[Huddle], area: str, now: datetime) -> Window:
    """Since the area's previous huddle started (the one before the huddle opening now would
    continue), or the last 24 hours; at most a week."""
    of_area = [h for h in huddles if h.area == area]
    running = current(of_area, area, now)
    before = running.started if running is not None else now
    previous = max((h.started for h in of_area if h.started < before), default=None)
    since = previous if previous is not None else now - FIRST_WINDOW
    capped = since < now - MAX_WINDOW
    return Window(max(since, now - MAX_WINDOW), now, previous is not None, capped)


def in_window(record: Record, span: Window) -> bool:
    """A record of the window: it happened within it (the moment it happened, as trends count)."""
    return span.since <= _when(record.occurred_at, span.until.tzinfo) <= span.until


# -- one learning to share ----------------------------------------------------------------------


def work_candidates(items: Iterable[WorkItem], area: str) -> list[Candidate]:
    """The lessons and wins noted on the area's work items (open or closed)."""
    return [Candidate(f"{item.id}#{index}", entry.kind.value, entry.text, entry.at, item.id)
            for item in items if item.area == area
            for index, entry in enumerate(item.entries) if entry.kind in (EntryKind.LESSON, EntryKind.WIN)]


def record_candidates(records: Iterable[Record], area: str, today: date) -> list[Candidate]:
    """The look-fors of the area's records that are still shown today."""
    iso = today.isoformat()
    return [Candidate(record.id, LOOK_FOR, record.look_for.text, record.created_at, record.id)
            for record in records
            if record.area == area and record.look_for is not None and record.look_for.until >= iso]


def team_candidates(teams: Iterable[Team], area: str, today: date) -> list[Candidate]:
    """Learning Teams' look-fors still shown today that are the area's: naming it, or meant for
    every area by a team of the area."""
    iso = today.isoformat()
    return [Candidate(f"{team.id}#{index}", LOOK_FOR, line.text, team.created_at, team.id)
            for team in teams for index, line in enumerate(team.look_fors)
            if line.until >= iso and (area in line.areas or (not line.areas and team.area == area))]


def shared_refs(huddles: Iterable[Huddle], area: str) -> frozenset[str]:
    return frozenset(s.ref for h in huddles if h.area == area for s in h.shared)


def proposals(candidates: Iterable[Candidate], shared: Iterable[str]) -> list[Candidate]:
    """The candidates not shared yet, oldest first (then by reference, so the order is fixed)."""
    done = frozenset(shared)
    fresh = {c.ref: c for c in candidates if c.ref not in done}
    return sorted(fresh.values(), key=lambda c: (_when(c.at), c.ref))


def next_proposal(index: int, count: int) -> int:
    """``n``: the next proposal, round to the first after the last."""
    return (index + 1) % count if count else 0


def share(huddle: Huddle, candidate: Candidate, *, already: Iterable[str], now: datetime) -> Huddle:
    """``s``: the learning was said aloud. ``already``: the references shared in the area's
    huddles, so that one learning is counted once."""
    if candidate.ref in frozenset(already) or any(s.ref == candidate.ref for s in huddle.shared):
        raise ValidationError("shared", "exists", value=candidate.ref)
    if len(huddle.shared) >= MAX_SHARED:
        raise ValidationError("shared", "too_many", max=MAX_SHARED)
    if candidate.kind not in SHARE_KINDS:
        raise ValidationError("kind", "unknown", value=candidate.kind)
    shared = Shared(candidate.ref, candidate.kind, clean_text(candidate.text, multiline=True)[:TEXT_MAX],
                    candidate.source, _stamp(now))
    return replace(huddle, shared=(*huddle.shared, shared))


# -- counting the habit -------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCount:
    held: int = 0
    shared: int = 0


def weekly_counts(huddles: Iterable[Huddle], weeks: Sequence[date]) -> dict[str, list[WeekCount]]:
    """Huddles held and learnings shared per area in each week of ``weeks`` (Mondays), by the
    day the huddle started; areas sorted by name, only those with a huddle in the weeks."""
    index = {monday: i for i, monday in enumerate(weeks)}
    counts: dict[str, list[WeekCount]] = {}
    for huddle in huddles:
        day = huddle.started.date()
        i = index.get(day - timedelta(days=day.weekday()))
        if i is None:
            continue
        row = counts.setdefault(huddle.area, [WeekCount()] * len(weeks))
        row[i] = WeekCount(row[i].held + 1, row[i].shared + len(huddle.shared))
    return dict(sorted(counts.items()))


# -- documents -----------------------------------------------------------------------------------

_SHARED_FIELDS = ("ref", "kind", "text", "source", "at")


def huddle_to_doc(huddle: Huddle) -> dict[str, Any]:
    return {"id": huddle.id, "area": huddle.area, "started_at": huddle.started_at,
            "shared": [{name: getattr(s, name) for name in _SHARED_FIELDS} for s in huddle.shared]}


def _doc_text(raw: Mapping[str, Any], key: str, where: str, limit: int, *, multiline: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ValidationError(where, "not_text")
    text = clean_text(value, multiline=multiline)
    if len(text) > limit:
        raise ValidationError(where, "too_long", max=limit, length=len(text))
    return text


def _doc_when(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise ValidationError(where, "required" if value is None else "not_text")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(where, "bad_datetime", value=value) from None
    if when.tzinfo is None:  # every moment the kiosk stores carries its offset
        raise ValidationError(where, "bad_datetime", value=value)
    return _stamp(when)


def _shared_from_doc(raw: Any, where: str) -> Shared:
    if not isinstance(raw, Mapping) or set(raw) - set(_SHARED_FIELDS):
        raise ValidationError(where, "not_object")
    kind = raw.get("kind")
    if kind not in SHARE_KINDS:
        raise ValidationError(f"{where}.kind", "unknown", value=kind)
    ref = _doc_text(raw, "ref", f"{where}.ref", 40)
    if not ref:
        raise ValidationError(f"{where}.ref", "required")
    return Shared(ref, kind, _doc_text(raw, "text", f"{where}.text", TEXT_MAX, multiline=True),
                  _doc_text(raw, "source", f"{where}.source", 20), _doc_when(raw, "at", f"{where}.at"))


def huddle_from_doc(doc: Any) -> Huddle:
    """A huddle from a stored or imported document; ValidationError names the field."""
    if not isinstance(doc, Mapping):
        raise ValidationError("huddle", "not_object")
    unknown = set(doc) - {"id", "area", "started_at", "shared"}
    if unknown:
        raise ValidationError(sorted(unknown)[0], "unknown_field")
    raw_id = doc.get("id")
    if not isinstance(raw_id, str):
        raise ValidationError("id", "required")
    area = _doc_text(doc, "area", "area", 60)
    if not area:
        raise ValidationError("area", "required")
    raw_shared = doc.get("shared", [])
    if not isinstance(raw_shared, list) or len(raw_shared) > MAX_SHARED:
        raise ValidationError("shared", "not_list")
    shared = tuple(_shared_from_doc(raw, f"shared.{i}") for i, raw in enumerate(raw_shared))
    if len({s.ref for s in shared}) != len(shared):
        raise ValidationError("shared", "exists")
    return Huddle(huddle_id(huddle_number(raw_id)), area, _doc_when(doc, "started_at", "started_at"), shared)
