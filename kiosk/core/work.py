"""Work items and their continuous debrief as rules (pure Python; SPEC section 11).

A work item is any work that spans hours or days (a production order, a changeover, a trial of
a new material). A supervisor opens it; while it runs anyone adds entries — a **win**, an
**opportunity** or a **lesson**, one or two lines — and applauds them; a supervisor closes it
with a debrief. Every function returns a new :class:`WorkItem` with a line of history; the
repository stores it. :func:`work_to_doc` / :func:`work_from_doc` are the one mapping to JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from kiosk.core.records import (
    HISTORY_VALUE_MAX,
    LOOK_FOR_MAX,
    MAX_COUNT,
    HistoryEntry,
    ValidationError,
    as_json,
    check_imported_token,
    new_link_token,
)
from kiosk.core.teams import TeamLookFor
from kiosk.core.text import clean_text, fold


class EntryKind(StrEnum):
    WIN = "win"
    OPPORTUNITY = "opportunity"
    LESSON = "lesson"


ENTRY_KINDS = tuple(EntryKind)
TITLE_MIN, TITLE_MAX = 5, 120
DESCRIPTION_MAX = 600
#: One or two lines said at the line, readable on a slip and on the huddle's screen.
ENTRY_MAX = 200
NAME_MAX = 60
MAX_ENTRIES = 5_000
OPEN, CLOSED = "open", "closed"
LOOK_FOR = "look_for"


@dataclass(frozen=True)
class Entry:
    kind: EntryKind
    text: str
    by: str  # a name, or "" (anonymous)
    at: str
    applause: int = 0
    #: What the debrief made of it: a record's or a Learning Team's id, or :data:`LOOK_FOR`.
    became: str = ""


@dataclass(frozen=True)
class WorkItem:
    id: str
    title: str
    area: str
    opened_by: str
    created_at: str
    description: str = ""
    starts: str = ""  # ISO dates, optional
    ends: str = ""
    state: str = OPEN
    entries: tuple[Entry, ...] = ()
    closed_at: str = ""
    closed_by: str = ""
    #: Lessons the debrief turned into look-for lines, for some areas (none: every area).
    look_fors: tuple[TeamLookFor, ...] = ()
    #: The secret of its page's address (``/r/ID?k=``, like a record's): a slip's QR opens the
    #: debrief on a phone.
    link_token: str = ""
    history: tuple[HistoryEntry, ...] = ()

    def entries_of(self, kind: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind == kind]

    @property
    def applause(self) -> int:
        return sum(entry.applause for entry in self.entries)

    @property
    def people(self) -> tuple[int, int]:
        """(people who gave their name, entries without one): who took part, as a debrief says it."""
        named = {fold(entry.by) for entry in self.entries if entry.by}
        return len(named), sum(1 for entry in self.entries if not entry.by)


WORK_FIELDS = tuple(f.name for f in fields(WorkItem))


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _logged(item: WorkItem, now: datetime, by: str, what: str, *changed: str) -> WorkItem:
    return replace(item, history=(*item.history, HistoryEntry(_stamp(now), by or "operator", what, tuple(changed))))


def _text(name: str, value: str, limit: int, *, minimum: int = 0, multiline: bool = False) -> str:
    text = clean_text(value, multiline=multiline)
    if minimum and len(text) < minimum:
        raise ValidationError(name, "required" if not text else "too_short", min=minimum)
    if len(text) > limit:
        raise ValidationError(name, "too_long", max=limit, length=len(text))
    return text


def _day(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationError(name, "bad_date", value=value) from None


def open_work(*, item_id: str, title: str, area: str, opened_by: str, now: datetime, description: str = "",
              starts: str = "", ends: str = "") -> WorkItem:
    """A new open work item; its dates are optional, and the end not before the start."""
    first, last = _day("starts", starts), _day("ends", ends)
    if first and last and last < first:
        raise ValidationError("ends", "before_start")
    item = WorkItem(id=item_id, title=_text("title", title, TITLE_MAX, minimum=TITLE_MIN),
                    area=_text("area", area, 60, minimum=1), opened_by=_text("opened_by", opened_by, NAME_MAX),
                    created_at=_stamp(now), description=_text("description", description, DESCRIPTION_MAX,
                                                              multiline=True),
                    starts=first, ends=last, link_token=new_link_token())
    return _logged(item, now, item.opened_by, "work_opened", "state")


def new_entry(item: WorkItem, *, kind: str, text: str, by: str, now: datetime, count: int | None = None) -> Entry:
    """A win, an opportunity or a lesson, from anyone, while the work is open.

    The entry carries its own time and author: adding one writes no line of the item's history,
    so that storage keeps each entry as its own row and a save costs the same at the item's
    first entry and at its thousandth.
    """
    if item.state != OPEN:
        raise ValidationError("state", "closed")
    if kind not in ENTRY_KINDS:
        raise ValidationError("kind", "unknown", value=kind)
    if (len(item.entries) if count is None else count) >= MAX_ENTRIES:
        raise ValidationError("entries", "too_many", max=MAX_ENTRIES)
    return Entry(EntryKind(kind), _text("entry", text, ENTRY_MAX, minimum=3, multiline=True),
                 clean_text(by)[:NAME_MAX], _stamp(now))


def add_entry(item: WorkItem, *, kind: str, text: str, by: str, now: datetime) -> WorkItem:
    return replace(item, entries=(*item.entries, new_entry(item, kind=kind, text=text, by=by, now=now)))


def applauded(entry: Entry) -> Entry:
    """One more applause (a counter; the screen counts a burst of presses once)."""
    return entry if entry.applause >= MAX_COUNT else replace(entry, applause=entry.applause + 1)


def applaud_entry(item: WorkItem, index: int, *, now: datetime) -> WorkItem:
    if not 0 <= index < len(item.entries):
        raise ValidationError("entries", "unknown", value=index)
    entries = (*item.entries[:index], applauded(item.entries[index]), *item.entries[index + 1:])
    return replace(item, entries=entries)


def close_work(item: WorkItem, *, by: str, now: datetime) -> WorkItem:
    """A supervisor closes the work with its debrief (entries stay as they are)."""
    if item.state != OPEN:
        raise ValidationError("state", "closed")
    closed = replace(item, state=CLOSED, closed_at=_stamp(now), closed_by=clean_text(by)[:NAME_MAX])
    return _logged(closed, now, by, "work_closed", "state")


def mark_became(item: WorkItem, index: int, became: str, *, by: str, now: datetime) -> WorkItem:
    """Note what the debrief made of entry ``index``: a record's or a team's id, or "look_for"."""
    if not 0 <= index < len(item.entries):
        raise ValidationError("entries", "unknown", value=index)
    entry = item.entries[index]
    entries = (*item.entries[:index], replace(entry, became=clean_text(became)[:20]), *item.entries[index + 1:])
    return _logged(replace(item, entries=entries), now, by, "entry_turned", "entries")


def lesson_to_look_for(item: WorkItem, index: int, areas: tuple[str, ...], *, by: str, now: datetime,
                       share_days: int) -> WorkItem:
    """A lesson of the debrief becomes a look-for line on Home (and in huddles) for ``areas``
    (none: every area) for ``share_days`` days; the entry says so."""
    if not 0 <= index < len(item.entries) or item.entries[index].kind != EntryKind.LESSON:
        raise ValidationError("entries", "not_lesson", value=index)
    entry = item.entries[index]
    if entry.became:
        raise ValidationError("entries", "already_turned", value=entry.became)
    until = (now.date() + timedelta(days=share_days)).isoformat()
    line = TeamLookFor(text=_text("look_for", entry.text, LOOK_FOR_MAX, minimum=5), until=until,
                       areas=tuple(dict.fromkeys(clean_text(a)[:60] for a in areas if clean_text(a))))
    return mark_became(replace(item, look_fors=(*item.look_fors, line)), index, LOOK_FOR, by=by, now=now)


def look_fors_of(item: WorkItem, area: str, today: date) -> list[TeamLookFor]:
    """The item's look-for lines shown today in ``area`` ("": any area)."""
    iso = today.isoformat()
    return [line for line in item.look_fors if line.until >= iso and line.is_for(area)]


# -- documents -----------------------------------------------------------------------------------


def work_to_doc(item: WorkItem) -> dict[str, Any]:
    return {name: as_json(getattr(item, name)) for name in WORK_FIELDS}


def _doc_text(value: Any, where: str, limit: int, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise ValidationError(where, "not_text")
    return _text(where, value, limit, multiline=multiline)


def _doc_when(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(where, "not_text")
    if not value:
        return ""
    try:
        return _stamp(datetime.fromisoformat(value))
    except ValueError:
        raise ValidationError(where, "bad_datetime", value=value) from None


def entry_from_doc(raw: Any, where: str = "entry") -> Entry:
    """One entry from its document (inside an item's, or a row of its own)."""
    if not isinstance(raw, Mapping) or set(raw) - {f.name for f in fields(Entry)}:
        raise ValidationError(where, "not_object")
    kind = raw.get("kind")
    if kind not in ENTRY_KINDS:
        raise ValidationError(f"{where}.kind", "unknown", value=kind)
    applause = raw.get("applause", 0)
    if isinstance(applause, bool) or not isinstance(applause, int) or not 0 <= applause <= MAX_COUNT:
        raise ValidationError(f"{where}.applause", "out_of_range", max=MAX_COUNT)
    return Entry(EntryKind(kind), _doc_text(raw.get("text", ""), f"{where}.text", ENTRY_MAX, multiline=True),
                 _doc_text(raw.get("by", ""), f"{where}.by", NAME_MAX), _doc_when(raw.get("at", ""), f"{where}.at"),
                 applause, _doc_text(raw.get("became", ""), f"{where}.became", 20))


def entry_to_doc(entry: Entry) -> dict[str, Any]:
    doc: dict[str, Any] = as_json(entry)
    return doc


def work_from_doc(doc: Any) -> WorkItem:
    """A work item from a stored or imported document; ValidationError names the field."""
    if not isinstance(doc, Mapping):
        raise ValidationError("work_item", "not_object")
    unknown = set(doc) - set(WORK_FIELDS)
    if unknown:
        raise ValidationError(sorted(unknown)[0], "unknown_field")
    for key in ("id", "title", "area", "opened_by", "created_at"):
        if key not in doc:
            raise ValidationError(key, "required")

    raw_entries = doc.get("entries", [])
    if not isinstance(raw_entries, list) or len(raw_entries) > MAX_ENTRIES:
        raise ValidationError("entries", "not_list")
    entries = [entry_from_doc(raw, f"entries.{i}") for i, raw in enumerate(raw_entries)]
    history = []
    raw_history = doc.get("history", [])
    if not isinstance(raw_history, list):
        raise ValidationError("history", "not_list")
    for i, raw in enumerate(raw_history):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("fields", []), list):
            raise ValidationError(f"history.{i}", "not_object")
        history.append(HistoryEntry(_doc_when(raw.get("at", ""), f"history.{i}.at"),
                                    _doc_text(raw.get("by", ""), "by", 80),
                                    _doc_text(raw.get("what", ""), "what", 80),
                                    tuple(_doc_text(n, "fields", 40) for n in raw.get("fields", [])),
                                    _doc_text(raw.get("value", ""), "value", HISTORY_VALUE_MAX, multiline=True)))
    raw_look_fors = doc.get("look_fors", [])
    if not isinstance(raw_look_fors, list):
        raise ValidationError("look_fors", "not_list")
    look_fors = []
    for i, raw in enumerate(raw_look_fors):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("areas", []), list):
            raise ValidationError(f"look_fors.{i}", "not_object")
        look_fors.append(TeamLookFor(_doc_text(raw.get("text", ""), f"look_fors.{i}.text", LOOK_FOR_MAX),
                                     _day(f"look_fors.{i}.until", str(raw.get("until", ""))),
                                     tuple(_doc_text(a, f"look_fors.{i}.areas", 60) for a in raw.get("areas", []))))
    token = doc.get("link_token", "")
    if token:
        check_imported_token(token)
    state = doc.get("state", OPEN)
    if state not in (OPEN, CLOSED):
        raise ValidationError("state", "unknown", value=state)
    starts, ends = doc.get("starts", ""), doc.get("ends", "")
    if not isinstance(starts, str) or not isinstance(ends, str):
        raise ValidationError("starts", "not_text")
    return WorkItem(id=_doc_text(doc["id"], "id", 20), title=_doc_text(doc["title"], "title", TITLE_MAX),
                    area=_doc_text(doc["area"], "area", 60),
                    opened_by=_doc_text(doc["opened_by"], "opened_by", NAME_MAX),
                    created_at=_doc_when(doc["created_at"], "created_at"),
                    description=_doc_text(doc.get("description", ""), "description", DESCRIPTION_MAX,
                                          multiline=True),
                    starts=_day("starts", starts), ends=_day("ends", ends), state=state, entries=tuple(entries),
                    closed_at=_doc_when(doc.get("closed_at", ""), "closed_at"),
                    closed_by=_doc_text(doc.get("closed_by", ""), "closed_by", NAME_MAX),
                    look_fors=tuple(look_fors), link_token=str(token), history=tuple(history))
