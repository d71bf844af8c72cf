"""Work items in and out (rules in :mod:`kiosk.core.work`): numbered in the records' family
like Learning Teams, each change one journal transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.core import ids
from kiosk.core.records import ValidationError
from kiosk.core.work import (
    OPEN,
    WorkItem,
    add_entry,
    applaud_entry,
    close_work,
    mark_became,
    open_work,
    work_from_doc,
    work_to_doc,
)
from kiosk.storage.aggregate import Aggregate

log = logging.getLogger(__name__)

WORK_ITEMS = "work_items"
_COUNTERS, _COUNTER_DOC = "counters", "1"


class WorkRepository(Aggregate):
    """The work items of one data folder."""

    _next_number: Callable[..., int]
    _counters_after: Callable[[int], dict[str, Any]]
    _rebuild_reserved: Callable[[], None]
    _reserve: Callable[[str, Any, Any], None]

    def _rebuild_work(self) -> None:
        rows = self._rows(WORK_ITEMS)
        self._work_by_id: dict[str, str] = {doc["id"]: key for key, doc in rows.items()}
        self._rebuild_reserved()

    def _on_work_change(self, table: str, key: str, old: Any, new: Any) -> None:
        if table != WORK_ITEMS:
            return
        self._reserve(key, old, new)
        if old is not None:
            self._work_by_id.pop(old.get("id"), None)
        if new is not None:
            self._work_by_id[new["id"]] = key

    def work_item(self, item_id: str) -> WorkItem | None:
        try:
            canonical = ids.normalise(item_id)
        except ids.InvalidId:
            return None
        with self.store.lock:
            key = self._work_by_id.get(canonical)
            doc = self._rows(WORK_ITEMS)[key] if key is not None else None
        return work_from_doc(doc) if doc is not None else None

    def work_items(self, *, state: str = "") -> list[WorkItem]:
        """Every work item (of one state only), the newest first."""
        with self.store.lock:
            rows = sorted(self._rows(WORK_ITEMS).items(), key=lambda kv: int(kv[0]), reverse=True)
            docs = [doc for _key, doc in rows if not state or doc.get("state") == state]
        return [work_from_doc(doc) for doc in docs]

    def open_work_items(self, area: str = "") -> list[WorkItem]:
        """The open ones, those of ``area`` first."""
        items = self.work_items(state=OPEN)
        return sorted(items, key=lambda item: item.area != area) if area else items

    def work_docs(self) -> list[dict[str, Any]]:
        with self.store.lock:
            rows = self._rows(WORK_ITEMS)
            return [rows[str(number)] for number in sorted(map(int, rows))]

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

    def _change_work(self, item_id: str, change: Callable[[WorkItem], WorkItem]) -> WorkItem:
        with self.store.lock:
            item = self.work_item(item_id)
            if item is None:
                raise ValidationError("id", "invalid", value=item_id)
            changed = change(item)
            self.store.commit([("put", WORK_ITEMS, self._work_by_id[item.id], work_to_doc(changed))])
        return changed

    def add_work_entry(self, item_id: str, *, kind: str, text: str, by: str = "") -> WorkItem:
        return self._change_work(item_id, lambda item: add_entry(item, kind=kind, text=text, by=by, now=self.clock()))

    def applaud_work_entry(self, item_id: str, index: int) -> WorkItem:
        return self._change_work(item_id, lambda item: applaud_entry(item, index, now=self.clock()))

    def close_work_item(self, item_id: str, *, by: str) -> WorkItem:
        item = self._change_work(item_id, lambda item: close_work(item, by=by, now=self.clock()))
        log.info("work item %s closed (%d entries)", item.id, len(item.entries))
        return item

    def mark_work_entry(self, item_id: str, index: int, became: str, *, by: str) -> WorkItem:
        return self._change_work(item_id, lambda item: mark_became(item, index, became, by=by, now=self.clock()))

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
            stored = work_to_doc(item) | {"id": canonical}
            self.store.commit([("put", WORK_ITEMS, str(number), stored),
                               ("put", _COUNTERS, _COUNTER_DOC, self._counters_after(number))])
        return work_from_doc(stored)
