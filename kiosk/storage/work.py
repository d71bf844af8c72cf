"""Work items in and out (rules in :mod:`kiosk.core.work`): numbered in the records' family
like Learning Teams, each change one journal transaction.

An item's entries are rows of their own (``work_entries``, keyed ``"<item number>.<index>"``),
not part of the item's document: an entry's save, or an applause, journals one small row however
many entries the item has. A work item read, exported or imported carries its entries inside,
as one document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kiosk.core import ids
from kiosk.core.records import ValidationError
from kiosk.core.work import (
    OPEN,
    Entry,
    WorkItem,
    applauded,
    close_work,
    entry_from_doc,
    entry_to_doc,
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


def entry_key(number: int | str, index: int) -> str:
    return f"{number}.{index}"


def _split(key: str) -> tuple[str, int]:
    number, _, index = key.partition(".")
    return number, int(index)


class WorkRepository(Aggregate):
    """The work items of one data folder."""

    _next_number: Callable[..., int]
    _counters_after: Callable[[int], dict[str, Any]]
    _rebuild_reserved: Callable[[], None]
    _reserve: Callable[[str, Any, Any], None]

    def _rebuild_work(self) -> None:
        rows = self._rows(WORK_ITEMS)
        self._work_by_id: dict[str, str] = {doc["id"]: key for key, doc in rows.items()}
        #: The number of entries of each item (entries are numbered 0, 1, … without gaps).
        self._entry_count: dict[str, int] = {}
        for key in self._rows(WORK_ENTRIES):
            number, index = _split(key)
            self._entry_count[number] = max(self._entry_count.get(number, 0), index + 1)
        self._rebuild_reserved()

    def _on_work_change(self, table: str, key: str, old: Any, new: Any) -> None:
        if table == WORK_ENTRIES:
            number, index = _split(key)
            if new is not None:
                self._entry_count[number] = max(self._entry_count.get(number, 0), index + 1)
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
        return [rows[entry_key(number, index)] for index in range(self._entry_count.get(number, 0))]

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
        """Save one entry (one small row, whatever the item's size); returns its index."""
        with self.store.lock:
            key = self._item_key(item_id)
            bare = work_from_doc(self._rows(WORK_ITEMS)[key])
            index = self._entry_count.get(key, 0)
            entry = new_entry(bare, kind=kind, text=text, by=by, now=self.clock(), count=index)
            self.store.commit([("put", WORK_ENTRIES, entry_key(key, index), entry_to_doc(entry))])
        return index

    def _entry(self, key: str, index: int) -> Entry:
        if not 0 <= index < self._entry_count.get(key, 0):
            raise ValidationError("entries", "unknown", value=index)
        return entry_from_doc(self._rows(WORK_ENTRIES)[entry_key(key, index)])

    def applaud_work_entry(self, item_id: str, index: int) -> Entry:
        with self.store.lock:
            key = self._item_key(item_id)
            entry = applauded(self._entry(key, index))
            self.store.commit([("put", WORK_ENTRIES, entry_key(key, index), entry_to_doc(entry))])
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
            self.store.commit([("put", WORK_ENTRIES, entry_key(key, index), entry_to_doc(item.entries[index])),
                               ("put", WORK_ITEMS, key, work_to_doc(replace(item, entries=())))])
        return item

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
