"""Work items in and out (rules in :mod:`kiosk.core.work`): numbered in the records' family
like Learning Teams, each change one journal transaction.

An item's entries are rows of their own (``work_entries``, keyed ``"<item number>.<index>"``),
not part of the item's document: an entry's save, or an applause, journals one small row however
many entries the item has. A work item read, exported or imported carries its entries inside,
as one document.
"""

from __future__ import annotations

import logging
from bisect import insort
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from kiosk.core import ids
from kiosk.core.records import Link, Record, ReportDraft, ValidationError, clean_report, new_record
from kiosk.core.teams import TeamLookFor
from kiosk.core.work import (
    CLOSED,
    OPEN,
    Entry,
    EntryKind,
    WorkItem,
    applauded,
    close_work,
    entry_from_doc,
    entry_to_doc,
    lesson_to_look_for,
    look_fors_of,
    mark_became,
    new_entry,
    open_work,
    work_from_doc,
    work_to_doc,
)
from kiosk.storage.aggregate import Aggregate

log = logging.getLogger(__name__)

WORK_ITEMS, WORK_ENTRIES = "work_items", "work_entries"
_COUNTERS, _COUNTER_DOC = "counters", "1"


#: The look back before a work starts asks what is *like* it, not whether it is the same thing
#: happening again: lessons, wins and teams pass a lower bar than "seen this before?" sets.
LOOK_BACK_THRESHOLD = 0.35


def closest(repo: Any, text: str, candidates: list[Any], *, area: str = "", limit: int = 2,
            loose: bool = False) -> list[str]:
    """The ids of the ``candidates`` (:class:`kiosk.core.similarity.Candidate`) most like
    ``text``, best first, by words and, when the repository's sentence model is ready, by
    meaning too, as records are matched. For the small sets that are not records (lessons,
    Learning Teams): their vectors are made on the spot."""
    from kiosk.core.similarity import HYBRID_THRESHOLD, THRESHOLD, floor_text, meaning_words, rank, rank_hybrid

    if not candidates:
        return []
    floor = [replace(c, text=floor_text(c.text)) for c in candidates]
    matches = rank(floor_text(text), floor, area=area, now=repo.clock(), limit=limit,
                   threshold=LOOK_BACK_THRESHOLD if loose else THRESHOLD)
    meaning = getattr(repo, "meaning", None)
    if meaning is not None and meaning.usable and len(floor_text(text)) >= 3:
        # A lesson is shorter than a report and says what to do, not what happened: found by
        # its words or by its meaning, whichever sees it (each with its own threshold).
        vectors = meaning.encoder.encode([meaning_words(text)] + [c.meaning_text for c in candidates])
        scores = {c.id: float(vectors[0] @ vectors[i + 1]) for i, c in enumerate(candidates)}
        matches += rank_hybrid(text, candidates, scores, residual=meaning.residual, area=area, now=repo.clock(),
                               limit=limit, threshold=LOOK_BACK_THRESHOLD if loose else HYBRID_THRESHOLD)
    best: dict[str, float] = {}
    for match in matches:
        best[match.candidate.id] = max(match.score, best.get(match.candidate.id, 0.0))
    return sorted(best, key=best.__getitem__, reverse=True)[:limit]


def entry_key(number: int | str, index: int) -> str:
    return f"{number}.{index}"


def _split(key: str) -> tuple[str, int]:
    number, _, index = key.partition(".")
    return number, int(index)


#: Entry indexes of a folder numbering in id series S are S × ENTRY_BAND + 0, 1, …: kiosks of
#: one plant adding to the same work item at once never take the same key (a folder numbered
#: before series existed counts from 0, as before).
ENTRY_BAND = 10_000


class WorkRepository(Aggregate):
    """The work items of one data folder."""

    _next_number: Callable[..., int]
    _counters_after: Callable[[int], dict[str, Any]]
    _rebuild_reserved: Callable[[], None]
    _reserve: Callable[[str, Any, Any], None]
    _put_ops: Callable[[int, Record], list[Any]]

    def _rebuild_work(self) -> None:
        rows = self._rows(WORK_ITEMS)
        self._work_by_id: dict[str, str] = {doc["id"]: key for key, doc in rows.items()}
        #: Each item's entries as (when, index), in the order they are shown and counted by
        #: position (the same on every kiosk of a plant, whichever kiosk took which index).
        self._entry_order: dict[str, list[tuple[str, int]]] = {}
        for key, doc in self._rows(WORK_ENTRIES).items():
            number, index = _split(key)
            self._entry_order.setdefault(number, []).append((doc.get("at", ""), index))
        for order in self._entry_order.values():
            order.sort()
        self._rebuild_reserved()

    def _on_work_change(self, table: str, key: str, old: Any, new: Any) -> None:
        if table == WORK_ENTRIES:
            number, index = _split(key)
            order = self._entry_order.setdefault(number, [])
            if old is not None and (old.get("at", ""), index) in order:
                order.remove((old.get("at", ""), index))
            if new is not None:
                insort(order, (new.get("at", ""), index))
            return
        if table != WORK_ITEMS:
            return
        self._reserve(key, old, new)
        if old is not None:
            self._work_by_id.pop(old.get("id"), None)
        if new is not None:
            self._work_by_id[new["id"]] = key

    def _entry_docs(self, number: str) -> list[dict[str, Any]]:
        rows = self._rows(WORK_ENTRIES)
        return [rows[entry_key(number, index)] for _at, index in self._entry_order.get(number, ())]

    def _entry_index(self, number: str, position: int) -> int:
        """The key index of an item's entry at ``position`` (as the item lists its entries)."""
        order = self._entry_order.get(number, [])
        if not 0 <= position < len(order):
            raise ValidationError("entries", "unknown", value=position)
        return order[position][1]

    def _whole_doc(self, number: str) -> dict[str, Any]:
        """An item's document with its entries inside (hold the lock)."""
        return self._rows(WORK_ITEMS)[number] | {"entries": self._entry_docs(number)}

    def work_item(self, item_id: str) -> WorkItem | None:
        try:
            canonical = ids.normalise(item_id)
        except ids.InvalidId:
            return None
        with self.store.lock:
            key = self._work_by_id.get(canonical)
            doc = self._whole_doc(key) if key is not None else None
        return work_from_doc(doc) if doc is not None else None

    def work_items(self, *, state: str = "") -> list[WorkItem]:
        """Every work item (of one state only), the newest first."""
        with self.store.lock:
            keys = sorted(self._rows(WORK_ITEMS), key=int, reverse=True)
            docs = [self._whole_doc(key) for key in keys
                    if not state or self._rows(WORK_ITEMS)[key].get("state") == state]
        return [work_from_doc(doc) for doc in docs]

    def open_work_items(self, area: str = "") -> list[WorkItem]:
        """The open ones, those of ``area`` first."""
        items = self.work_items(state=OPEN)
        return sorted(items, key=lambda item: item.area != area) if area else items

    def work_entry_stamps(self, since: str) -> list[tuple[str, str]]:
        """(when, kind) of every entry made on or after the ISO date ``since``: trends' counts,
        read from the entries' rows without building the items."""
        with self.store.lock:
            return [(doc["at"], doc["kind"]) for doc in self._rows(WORK_ENTRIES).values() if doc.get("at", "") >= since]

    def open_work_count(self) -> int:
        with self.store.lock:
            return sum(1 for doc in self._rows(WORK_ITEMS).values() if doc.get("state") == OPEN)

    def work_docs(self) -> list[dict[str, Any]]:
        """Every item with its entries inside, by number (what export writes)."""
        with self.store.lock:
            return [self._whole_doc(str(number)) for number in sorted(map(int, self._rows(WORK_ITEMS)))]

    def open_work_item(self, *, title: str, area: str, opened_by: str, description: str = "", starts: str = "",
                       ends: str = "") -> WorkItem:
        with self.store.lock:
            number = self._next_number()
            item = open_work(item_id=ids.encode(number), title=title, area=area, opened_by=opened_by, now=self.clock(),
                             description=description, starts=starts, ends=ends)
            self.store.commit([("put", WORK_ITEMS, str(number), work_to_doc(item)),
                               ("put", _COUNTERS, _COUNTER_DOC, self._counters_after(number))])
        log.info("work item %s opened (%s)", item.id, item.area)
        return item

    def _item_key(self, item_id: str) -> str:
        try:
            key = self._work_by_id.get(ids.normalise(item_id))
        except ids.InvalidId:
            key = None
        if key is None:
            raise ValidationError("id", "invalid", value=item_id)
        return key

    def add_work_entry(self, item_id: str, *, kind: str, text: str, by: str = "") -> int:
        """Save one entry (one small row, whatever the item's size); returns its position."""
        with self.store.lock:
            key = self._item_key(item_id)
            bare = work_from_doc(self._rows(WORK_ITEMS)[key])
            order = self._entry_order.get(key, [])
            band = self._series() * ENTRY_BAND  # type: ignore[attr-defined]
            index = max((i for _at, i in order if band <= i < band + ENTRY_BAND), default=band - 1) + 1
            entry = new_entry(bare, kind=kind, text=text, by=by, now=self.clock(), count=len(order))
            self.store.commit([("put", WORK_ENTRIES, entry_key(key, index), entry_to_doc(entry))])
            return self._entry_order[key].index((entry.at, index))

    def applaud_work_entry(self, item_id: str, index: int) -> Entry:
        """Applaud the entry at position ``index`` of the item's entries."""
        with self.store.lock:
            key = self._item_key(item_id)
            at = entry_key(key, self._entry_index(key, index))
            entry = applauded(entry_from_doc(self._rows(WORK_ENTRIES)[at]))
            self.store.commit([("put", WORK_ENTRIES, at, entry_to_doc(entry))])
        return entry

    def close_work_item(self, item_id: str, *, by: str) -> WorkItem:
        with self.store.lock:
            key = self._item_key(item_id)
            bare = close_work(work_from_doc(self._rows(WORK_ITEMS)[key]), by=by, now=self.clock())
            self.store.commit([("put", WORK_ITEMS, key, work_to_doc(bare))])
            item = work_from_doc(self._whole_doc(key))
        log.info("work item %s closed (%d entries)", item.id, len(item.entries))
        return item

    def mark_work_entry(self, item_id: str, index: int, became: str, *, by: str) -> WorkItem:
        """Note what the debrief made of an entry: its row and a line of the item's history,
        together."""
        with self.store.lock:
            key = self._item_key(item_id)
            item = mark_became(work_from_doc(self._whole_doc(key)), index, became, by=by, now=self.clock())
            self.store.commit([("put", WORK_ENTRIES, entry_key(key, self._entry_index(key, index)),
                                entry_to_doc(item.entries[index])),
                               ("put", WORK_ITEMS, key, work_to_doc(replace(item, entries=())))])
        return item

    def _commit_turned(self, key: str, item: WorkItem, index: int, *ops: Any) -> None:
        self.store.commit([*ops, ("put", WORK_ENTRIES, entry_key(key, self._entry_index(key, index)),
                                  entry_to_doc(item.entries[index])),
                           ("put", WORK_ITEMS, key, work_to_doc(replace(item, entries=())))])

    def turn_into_record(self, item_id: str, index: int, *, kind: str, by: str) -> Record:
        """An opportunity of the debrief becomes a record waiting for its review (the four
        questions), linked back to the work item; the entry notes the record's id. One
        transaction: both or neither."""
        with self.store.lock:
            key = self._item_key(item_id)
            item = work_from_doc(self._whole_doc(key))
            if not 0 <= index < len(item.entries) or item.entries[index].kind != EntryKind.OPPORTUNITY:
                raise ValidationError("entries", "not_opportunity", value=index)
            entry = item.entries[index]
            if entry.became:
                raise ValidationError("entries", "already_turned", value=entry.became)
            draft = clean_report(ReportDraft(kind=kind, area=item.area, what_happened=entry.text,
                                             reporter=entry.by), None)
            number = self._next_number()
            record = new_record(draft, record_id=ids.encode(number), now=self.clock(), actor=by)
            record = replace(record, links=(Link(item.id, "work_item"),))
            item = mark_became(item, index, record.id, by=by, now=self.clock())
            self._commit_turned(key, item, index, *self._put_ops(number, record))
        log.info("work item %s: entry %d became record %s", item.id, index, record.id)
        return record

    def turn_into_look_for(self, item_id: str, index: int, areas: tuple[str, ...], *, by: str,
                           share_days: int) -> WorkItem:
        with self.store.lock:
            key = self._item_key(item_id)
            item = lesson_to_look_for(work_from_doc(self._whole_doc(key)), index, areas, by=by, now=self.clock(),
                                      share_days=share_days)
            self._commit_turned(key, item, index)
        return item

    def work_look_fors(self, area: str, today: date) -> list[tuple[WorkItem, TeamLookFor]]:
        """Look-for lines from work items' lessons shown today in ``area`` ("": any), newest first."""
        iso = today.isoformat()
        with self.store.lock:
            keys = [key for key, doc in self._rows(WORK_ITEMS).items()
                    if any(line.get("until", "") >= iso for line in doc.get("look_fors", ()))]
            docs = [self._rows(WORK_ITEMS)[key] for key in sorted(keys, key=int, reverse=True)]
        found = []
        for doc in docs:
            item = work_from_doc(doc)
            found += [(item, line) for line in look_fors_of(item, area, today)]
        return found

    def work_lessons(self) -> list[tuple[WorkItem, int]]:
        """Every lesson of a closed work item (searchable learnings), the newest item first: the
        item (with its entries) and the lesson's index."""
        return [(item, index) for item in self.work_items(state=CLOSED)
                for index, entry in enumerate(item.entries) if entry.kind == EntryKind.LESSON]

    def search_work(self, text: str, *, area: str = "", since: str = "", limit: int = 20,
                    offset: int = 0) -> tuple[int, list[WorkItem]]:
        """Closed work items (their debriefs: searchable learnings) whose title, description or
        entries contain every word of ``text`` (accents and case ignored), the latest closed
        first; ``since``: closed on or after this ISO date. (total, the page)."""
        from kiosk.core.text import fold
        from kiosk.storage.search import query_words

        words = [w.decode() for w in query_words(text)]
        found = []
        for item in self.work_items(state=CLOSED):
            if (area and item.area != area) or (since and item.closed_at[:10] < since):
                continue
            folded = fold(" ".join([item.title, item.description, *(e.text for e in item.entries)]))
            if all(word in folded for word in words):
                found.append(item)
        found.sort(key=lambda item: item.closed_at, reverse=True)
        return len(found), found[offset: offset + limit]

    def similar_entries(self, text: str, *, kinds: tuple[str, ...] = (EntryKind.LESSON,), area: str = "",
                        exclude: str = "", limit: int = 2, loose: bool = False) -> list[tuple[WorkItem, int]]:
        """The closed work items' entries of ``kinds`` most like ``text``, best first, by the
        same matching as "seen this before?" (``exclude``: a work item's id; ``loose``: the
        look back's lower bar)."""
        from kiosk.core.similarity import Candidate

        found = {f"{item.id}#{index}": (item, index) for item in self.work_items(state=CLOSED) if item.id != exclude
                 for index, entry in enumerate(item.entries) if entry.kind in kinds}
        candidates = [Candidate(ref, item.area, "", item.entries[index].at or item.closed_at,
                                item.entries[index].text) for ref, (item, index) in found.items()]
        return [found[ref] for ref in closest(self, text, candidates, area=area, limit=limit, loose=loose)]

    def similar_lessons(self, text: str, *, area: str = "", limit: int = 2) -> list[tuple[WorkItem, int]]:
        return self.similar_entries(text, area=area, limit=limit)

    def import_work_item(self, doc: Any) -> WorkItem:
        """Store an exported work item as it was (its id free in the records' family)."""
        item = work_from_doc(doc)
        try:
            number = ids.decode(item.id)
        except ids.InvalidId:
            raise ValidationError("id", "invalid", value=item.id) from None
        with self.store.lock:
            canonical = ids.encode(number)
            if self.get(canonical) is not None or number in self._reserved_set():  # type: ignore[attr-defined]
                raise ValidationError("id", "exists", value=canonical)
            stored = work_to_doc(replace(item, id=canonical, entries=()))
            ops: list[Any] = [("put", WORK_ENTRIES, entry_key(number, i), entry_to_doc(entry))
                              for i, entry in enumerate(item.entries)]
            self.store.commit([*ops, ("put", WORK_ITEMS, str(number), stored),
                               ("put", _COUNTERS, _COUNTER_DOC, self._counters_after(number))])
            return work_from_doc(self._whole_doc(str(number)))
