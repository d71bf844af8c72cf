"""Records in and out: reports, reviews, follow-ups, wins, links, search and "seen before?".

The rules live in :mod:`kiosk.core`; this part of the repository finds records, numbers new
ones, keeps the indexes Home and the queues read from, and stores each change as one journal
transaction (a record, its counter and its history change together or not at all).
"""

from __future__ import annotations

import logging
import secrets
import threading
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.core import ids
from kiosk.core.following import (
    add_not_same,
    add_recurrence,
    apply_follow_up,
    due_state,
    mark_due,
    recurrences_since_review,
)
from kiosk.core.records import (
    OPEN_STATUSES,
    RECORD_FIELDS,
    REPORT_FIELDS,
    UPCOMING_DAYS,
    WAITING_STATUSES,
    FollowUp,
    HistoryEntry,
    Link,
    Outcome,
    Record,
    ReportDraft,
    Review,
    ValidationError,
    check_imported_token,
    clean_report,
    new_link_token,
    new_record,
    record_to_doc,
    report_checked,
    with_history,
)
from kiosk.core.records import record_from_doc as _record_from_doc
from kiosk.core.reviewing import change_that_held, conclude, keep_draft
from kiosk.core.text import fold
from kiosk.core.wins import acknowledge, applaud
from kiosk.storage.aggregate import Aggregate
from kiosk.storage.format import Op
from kiosk.storage.packed import unpack, unpacked
from kiosk.storage.search import SearchIndex, query_words

if TYPE_CHECKING:
    from kiosk.core.similarity import Match
    from kiosk.storage.semantic import MeaningIndex

log = logging.getLogger(__name__)

RECORDS = "records"
COUNTERS = "counters"
_COUNTER_DOC = "1"  # one document holds every counter

_SEARCH_FIELDS = ("id", "kind", "area", "station", "what_happened", "impact", "what_we_did")


class _PendingImport:
    """The numbers an import group has taken so far, not yet stored (see ``import_docs``);
    ``own``: the first and last number of the folder's id series."""

    def __init__(self, own: tuple[int, int]) -> None:
        self.numbers: set[int] = set()
        self.first, self.last = own
        self.highest_own = 0  # the highest number taken inside the folder's series

    def take(self, number: int) -> None:
        self.numbers.add(number)
        if self.first <= number <= self.last:
            self.highest_own = max(self.highest_own, number)


def choose_series() -> int:
    """An id series for a new data folder whose admin set none: drawn at random, so two kiosks
    set up alike do not hand out the same ids (walk item 30). A plant with several kiosks sets
    ``id_series`` on each to make that certain."""
    return secrets.randbelow(ids.SERIES_COUNT) + 1


@dataclass(frozen=True)
class HomeCounts:
    """What Home shows at a glance."""

    waiting_review: int
    follow_ups_due: int
    follow_ups_overdue: int
    total: int


@dataclass(frozen=True)
class SearchPage:
    """One page of search results, newest first."""

    total: int
    records: list[Record]


def record_from_doc(doc: Mapping[str, Any]) -> Record:
    """The record of a document as stored (parts packed or not)."""
    return _record_from_doc(unpacked(doc))


def searchable_text(doc: Mapping[str, Any]) -> str:
    """Every text a person could look for in a record, folded for accent-free search."""
    parts = [str(doc.get(name, "")) for name in _SEARCH_FIELDS]
    review = unpack(doc.get("review")) or {}
    if review:
        parts += [
            review.get("what_happened", ""),
            review.get("what_we_did", ""),
            review.get("work_as_imagined", ""),
            review.get("work_as_done", ""),
            review.get("recurrence_note", ""),
            review.get("win_note", ""),
            (review.get("action") or {}).get("text", ""),
        ]
        parts += [c.get("text", "") for c in review.get("why", ())]
    look_for = doc.get("look_for") or {}
    parts.append(look_for.get("text", ""))
    parts += [f.get("notes", "") for f in unpack(doc.get("follow_ups")) or ()]
    return fold("\n".join(parts))


def _recurrence_of(doc: Mapping[str, Any]) -> list[str]:
    """The ids a stored record is linked to as happening again."""
    return [link.get("id", "") for link in doc.get("links", ()) if link.get("rel") == "recurrence_of"]


def _meaning_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether a save may have changed the text a record's sentence vector is made from."""
    return any(old.get(name) != new.get(name) for name in ("what_happened", "impact", "station")) or (
        old.get("review") is not new.get("review"))


def _not_same_as(doc: Mapping[str, Any]) -> list[str]:
    """The ids a supervisor said this stored record is not the same thing as."""
    return [link.get("id", "") for link in doc.get("links", ()) if link.get("rel") == "not_same"]


class RecordsRepository(Aggregate):
    """The records of one data folder, with the indexes kept beside them in memory."""

    id_series: int = 0  # the admin's id series (1 to 64), or 0: the folder's own

    def _init_records(self) -> None:
        self._by_id: dict[str, str] = {}
        self._numbers: list[int] = []  # every record's number, in order (newest last)
        #: Numbers of the record family held by other aggregates (Learning Teams), sorted.
        self._reserved: list[int] = []
        self._drawn_series = 0  # the series drawn for a new folder, until stored with a record
        self._status: Counter[str] = Counter()
        self._follow_up_dates: dict[str, str] = {}
        self._again: dict[str, set[str]] = {}  # record id -> keys of records linked as it happening again
        self._apart: dict[str, set[str]] = {}  # record id -> keys of records said not to be the same
        #: The sentence vectors (:class:`kiosk.storage.semantic.MeaningIndex`), once attached.
        self.meaning: MeaningIndex | None = None
        self._search = SearchIndex(searchable_text)
        self._index_complete = threading.Event()
        self._index_lock = threading.Lock()

    # -- index maintenance ---------------------------------------------------------------

    def _rebuild_indexes(self) -> None:
        """All indexes from the tables at once (at open, and when a reader reloads)."""
        rows = self._rows(RECORDS)
        self._by_id = {doc["id"]: key for key, doc in rows.items()}
        self._numbers = sorted(map(int, rows))
        self._status = Counter(doc.get("status") for doc in rows.values())
        self._follow_up_dates = {}
        for key, doc in rows.items():
            if doc.get("status") in OPEN_STATUSES:
                follow_up = (unpack(doc.get("review")) or {}).get("follow_up_date")
                if follow_up:
                    self._follow_up_dates[key] = follow_up
        self._again = {}
        self._apart = {}
        for key, doc in rows.items():
            for earlier in _recurrence_of(doc):
                self._again.setdefault(earlier, set()).add(key)
            for other in _not_same_as(doc):
                self._apart.setdefault(other, set()).add(key)
        self._search = SearchIndex(searchable_text)
        self._index_complete.clear()
        if self.meaning is not None:
            self.meaning.changed_all()

    def _on_change(self, table: str, key: str, old: Any, new: Any) -> None:
        if table != RECORDS:
            return
        if old is not None:
            self._by_id.pop(old.get("id"), None)
            if new is None:
                index = bisect_left(self._numbers, int(key))
                if index < len(self._numbers) and self._numbers[index] == int(key):
                    del self._numbers[index]
            self._status[old.get("status")] -= 1
            self._follow_up_dates.pop(key, None)
            for earlier in _recurrence_of(old):
                self._again.get(earlier, set()).discard(key)
            for other in _not_same_as(old):
                self._apart.get(other, set()).discard(key)
        if new is not None:
            self._by_id[new["id"]] = key
            if old is None:
                number = int(key)
                if not self._numbers or number > self._numbers[-1]:
                    self._numbers.append(number)  # (a new report: always the case but for imports)
                else:
                    insort(self._numbers, number)
            self._status[new.get("status")] += 1
            if new.get("status") in OPEN_STATUSES:
                follow_up = (unpack(new.get("review")) or {}).get("follow_up_date")
                if follow_up:
                    self._follow_up_dates[key] = follow_up
            for earlier in _recurrence_of(new):
                self._again.setdefault(earlier, set()).add(key)
            for other in _not_same_as(new):
                self._apart.setdefault(other, set()).add(key)
        if self.meaning is not None and (old is None or new is None or _meaning_changed(old, new)):
            self.meaning.changed(key)
        if self._index_complete.is_set():
            if new is None:
                self._search.remove(key)
            else:
                self._search.put(key, new, is_new=old is None)

    def build_search_index(self) -> None:
        """Index every record's words (about 40 µs each); the kiosk runs it in the background
        right after start, and the first search waits for it."""
        with self._index_lock:
            if self._index_complete.is_set():
                return
            with self.store.lock:
                seen = dict(self._rows(RECORDS))
            index = SearchIndex(searchable_text)
            index.build(seen.items())
            with self.store.lock:
                # Catch up with saves made meanwhile (documents are replaced, never mutated),
                # then the change listener keeps the index current.
                rows = self._rows(RECORDS)
                for key, doc in rows.items():
                    if seen.get(key) is not doc:
                        index.put(key, doc, is_new=key not in seen)
                for key in seen.keys() - rows.keys():
                    index.remove(key)
                self._search = index
                self._index_complete.set()

    # -- reading -------------------------------------------------------------------------

    def get(self, record_id: str) -> Record | None:
        """The record with this id as a person typed it, or None."""
        try:
            canonical = ids.normalise(record_id)
        except ids.InvalidId:
            return None
        with self.store.lock:
            key = self._by_id.get(canonical)
            doc = self._rows(RECORDS)[key] if key is not None else None
        return record_from_doc(doc) if doc is not None else None

    def all_records(self) -> list[Record]:
        """Every record in the order it was numbered (the export order)."""
        with self.store.lock:
            rows = list(self._rows(RECORDS).items())
        rows.sort(key=lambda item: int(item[0]))
        return [record_from_doc(doc) for _, doc in rows]

    def all_docs(self) -> list[dict[str, Any]]:
        """Every stored document in the export order, as stored: what an export writes, without
        rebuilding each record only to turn it back into the same dict. Documents are never
        changed in place (a save replaces them), so they may be read after the lock is let go;
        they must not be changed. Their parts may be packed: read them through
        :func:`kiosk.storage.packed.unpacked`."""
        with self.store.lock:
            rows = self._rows(RECORDS)
            return [rows[str(number)] for number in self._numbers]

    def count(self) -> int:
        with self.store.lock:
            return len(self._rows(RECORDS))

    def home_counts(self, today: date) -> HomeCounts:
        iso = today.isoformat()
        with self.store.lock:
            dates = list(self._follow_up_dates.values())
            waiting = sum(self._status[status] for status in WAITING_STATUSES)
            total = len(self._rows(RECORDS))
        return HomeCounts(
            waiting_review=waiting,
            follow_ups_due=sum(1 for d in dates if d == iso),
            follow_ups_overdue=sum(1 for d in dates if d < iso),
            total=total,
        )

    def count_in_area(self, area: str) -> tuple[int, int]:
        """How many records one area has, and how many of them wait for their review (Home's
        "this area" with a plant hub)."""
        with self.store.lock:
            docs = [doc for doc in self._rows(RECORDS).values() if doc.get("area") == area]
        return len(docs), sum(1 for doc in docs if doc.get("status") in WAITING_STATUSES)

    def areas_in_use(self) -> list[str]:
        """Every area a record has (configured or not any more), sorted."""
        with self.store.lock:
            return sorted({doc.get("area", "") for doc in self._rows(RECORDS).values()} - {""})

    def records_since(self, since: str) -> list[Record]:
        """Records that happened on or after ``since`` (ISO date), oldest first."""
        with self.store.lock:
            docs = [doc for doc in self._rows(RECORDS).values() if doc.get("occurred_at", "")[:10] >= since]
        docs.sort(key=lambda doc: doc.get("occurred_at", ""))
        return [record_from_doc(doc) for doc in docs]

    def recent(self, *, kinds: Iterable[str] = (), limit: int = 5) -> list[Record]:
        """The newest records, optionally of some kinds only."""
        wanted = frozenset(kinds)
        with self.store.lock:
            rows = self._rows(RECORDS)
            found = []
            # Newest first by number, from the kept order (Home asks often).
            for number in reversed(self._numbers):
                doc = rows.get(str(number))
                if doc is not None and (not wanted or doc.get("kind") in wanted):
                    found.append(doc)
                    if len(found) >= limit:
                        break
        return [record_from_doc(doc) for doc in found]

    def look_fors(self, today: date) -> list[Record]:
        """Records whose look-for line is still being shared today."""
        iso = today.isoformat()
        with self.store.lock:
            docs = [doc for doc in self._rows(RECORDS).values() if (doc.get("look_for") or {}).get("until", "") >= iso]
        docs.sort(key=lambda d: d["created_at"], reverse=True)
        return [record_from_doc(doc) for doc in docs]

    def search(
        self,
        text: str,
        *,
        kinds: Iterable[str] = (),
        areas: Iterable[str] = (),
        statuses: Iterable[str] = (),
        since: str = "",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        """Records containing every word of ``text`` (accents and case ignored), newest first;
        ``since``: only those that happened on or after this ISO date."""
        self.build_search_index()
        words = query_words(text)
        wanted_kinds, wanted_areas, wanted_statuses = frozenset(kinds), frozenset(areas), frozenset(statuses)
        with self.store.lock:
            rows = self._rows(RECORDS)
            matches = self._search.matching(words, rows)
            if wanted_kinds or wanted_areas or wanted_statuses or since:
                matches = [
                    key
                    for key in matches
                    if (not wanted_kinds or rows[key]["kind"] in wanted_kinds)
                    and (not wanted_areas or rows[key]["area"] in wanted_areas)
                    and (not wanted_statuses or rows[key]["status"] in wanted_statuses)
                    and (not since or rows[key]["occurred_at"][:10] >= since)
                ]
            page = [rows[key] for key in matches[offset : offset + limit]]
        return SearchPage(total=len(matches), records=[record_from_doc(d) for d in page])

    def similar(self, text: str, *, area: str = "", station: str = "", exclude: str = "",
                limit: int = 3) -> list[Match]:
        """Past records like ``text`` (:mod:`kiosk.core.similarity`): at most ``limit`` matches,
        best first, each with its record. With the sentence model, every record with a vector is
        scored by meaning and the closest are ranked with their words; without it, the records
        sharing the rarest stems are ranked by their words."""
        # Here, not at the top: rapidfuzz loads on the first question, not before Home is up.
        from kiosk.core.similarity import Candidate, floor_text, query_stems, rank, rarity

        meaning = self.meaning
        stems = query_stems(text)
        if meaning is not None and meaning.usable and len(floor_text(text)) >= 3:
            return self._similar_by_meaning(text, meaning, area=area, station=station, exclude=exclude,
                                            limit=limit)
        if len(stems) < 2:
            return []
        self.build_search_index()
        with self.store.lock:
            rows = self._rows(RECORDS)
            docs = [rows[key] for key in self._search.related(stems, rows) if key in rows]
            total = max(len(rows), 1)
        candidates = [Candidate.of(unpacked(doc)) for doc in docs if doc.get("id") != exclude]
        matches = rank(text, candidates, area=area, station=station, now=self.clock(), limit=limit,
                       idf=rarity(total, self._search.count_prefix))
        return [replace(m, record=self.get(m.candidate.id)) for m in matches]

    #: How many of the closest by meaning are ranked with their words too (besides those that
    #: share the rarest stems).
    MEANING_CANDIDATES = 40

    def _similar_by_meaning(self, text: str, meaning: MeaningIndex, *, area: str, station: str, exclude: str,
                            limit: int) -> list[Match]:
        from kiosk.core.similarity import (
            Candidate,
            floor_text,
            learned_meaning,
            meaning_words,
            query_stems,
            rank_hybrid,
            rarity,
        )

        self.build_search_index()
        closeness = meaning.closeness(meaning_words(text))
        stems = query_stems(floor_text(text))
        with self.store.lock:
            rows = self._rows(RECORDS)
            keys = {str(key) for key in closeness.top(self.MEANING_CANDIDATES)}
            if stems:
                keys.update(self._search.related(stems, rows))
            # What the plant taught: every record in a confirmed or rejected pair is scored too.
            same = [(earlier, rows[key]["id"]) for earlier, later in self._again.items() for key in later]
            apart = [(other, rows[key]["id"]) for other, marked in self._apart.items() for key in marked]
            taught = {self._by_id[i] for pair in same + apart for i in pair if i in self._by_id}
            by_key = {key: rows[key] for key in keys | taught if key in rows}
            total = max(len(rows), 1)
        scores = {doc["id"]: score for key, doc in by_key.items()
                  if (score := closeness.get(int(key))) is not None}
        scores = learned_meaning(scores, same, apart)
        scores.pop(exclude, None)
        nearest = set(sorted(scores, key=scores.__getitem__, reverse=True)[: self.MEANING_CANDIDATES])
        candidates = [Candidate.of(unpacked(doc)) for key, doc in by_key.items()
                      if doc["id"] != exclude and (key in keys or doc["id"] in nearest)]
        matches = rank_hybrid(text, candidates, scores, residual=meaning.residual, area=area, station=station,
                              now=self.clock(), limit=limit, idf=rarity(total, self._search.count_prefix))
        return [replace(m, record=self.get(m.candidate.id)) for m in matches]

    def learned_pairs(self) -> tuple[int, int]:
        """(pairs confirmed as the same thing, pairs rejected as not the same): what matching
        learns from."""
        with self.store.lock:
            return (sum(len(keys) for keys in self._again.values()),
                    sum(len(keys) for keys in self._apart.values()))

    def attach_meaning(self, index: MeaningIndex) -> None:
        """Keep ``index`` current with every save, and match by meaning once it is ready."""
        def rows() -> Mapping[str, Any]:
            with self.store.lock:
                return dict(self._rows(RECORDS))

        index.attach(rows)
        self.meaning = index

    def review_queue(self) -> list[Record]:
        """Reports waiting for their review, and wins waiting to be acknowledged; oldest first."""
        with self.store.lock:
            docs = [doc for doc in self._rows(RECORDS).values() if doc.get("status") in WAITING_STATUSES]
        docs.sort(key=lambda doc: doc["created_at"])
        return [record_from_doc(doc) for doc in docs]

    def earlier_change_that_held(self, record: Record) -> Record | None:
        """The earlier record this one recurs, if its change was closed as working."""
        for link in record.links:
            if link.rel == "recurrence_of":
                earlier = self.get(link.id)
                if change_that_held(earlier):
                    return earlier
        return None

    def follow_ups_until(self, until: date) -> list[Record]:
        """Records whose change is open with a follow-up due on or before ``until``, the most
        overdue first."""
        iso = until.isoformat()
        with self.store.lock:
            rows = self._rows(RECORDS)
            due = sorted((day, int(key)) for key, day in self._follow_up_dates.items() if day <= iso)
            docs = [rows[str(key)] for _, key in due]
        return [record_from_doc(doc) for doc in docs]

    def follow_up_queue(self, today: date, upcoming_days: int = UPCOMING_DAYS) -> list[tuple[str, Record]]:
        """(state, record) for every follow-up overdue, due today or due within
        ``upcoming_days``: overdue first (the oldest first), then today, then upcoming."""
        # By date, the most overdue first, is also overdue → today → upcoming.
        return [(due_state(record, today, upcoming_days) or "upcoming", record)
                for record in self.follow_ups_until(today + timedelta(days=upcoming_days))]

    def times_again(self, record_id: str) -> int:
        """How many records are linked as this one happening again."""
        with self.store.lock:
            return len(self._again.get(record_id, ()))

    def recurrences_of(self, record: Record) -> list[Record]:
        """Records linked as the same thing happening again after ``record``'s review."""
        with self.store.lock:
            rows = self._rows(RECORDS)
            docs = [rows[key] for key in sorted(self._again.get(record.id, ()), key=int) if key in rows]
        return recurrences_since_review(record, [record_from_doc(doc) for doc in docs])

    def previous_cycle(self, record: Record) -> Record | None:
        """The record this one reopened, if it is the next cycle of an earlier one."""
        for link in record.links:
            if link.rel == "reopened_from":
                return self.get(link.id)
        return None

    # -- writing -------------------------------------------------------------------------

    def add_report(
        self, draft: ReportDraft, *, areas: tuple[str, ...] | None, actor: str = "operator",
        same_as: str = "",
    ) -> Record:
        """Validate and durably save an operator's report; returns it with its new id.
        ``same_as``: an earlier record the operator marked as the same thing happening again."""
        cleaned = clean_report(draft, areas)
        with self.store.lock:
            earlier = self.get(same_as) if same_as else None
            number = self._next_number()
            record = new_record(cleaned, record_id=ids.encode(number), now=self.clock(), actor=actor)
            if earlier is not None:
                record = replace(record, links=(Link(earlier.id, "recurrence_of"),))
            self.store.commit(self._put_ops(number, record))
        log.info("report %s saved (%s, %s)", record.id, record.kind, record.area)
        return record

    def import_doc(self, doc: Any) -> Record:
        """Save one imported document (the export format, or a bare report). ValidationError
        if it breaks a rule; StorageError if it could not be made durable."""
        with self.store.lock:
            pending = _PendingImport(self._own_range())
            number, record = self._prepare_import(doc, pending)
            self.store.commit(self._put_ops(number, record))
        log.info("record %s imported (%s, %s)", record.id, record.kind, record.area)
        return record

    def _prepare_import(self, doc: Any, pending: _PendingImport) -> tuple[int, Record]:
        """Check one imported document and give it its number, as if every document of
        ``pending`` (taken earlier in the same group, not yet stored) were stored already.

        Every field is taken, with or without an id: a line without one gets the next number
        and otherwise keeps its review, status, follow-ups, look-for, applause, links and
        history, under the same rules as a line with an id (faults report D14: they used to be
        dropped without a word). Only a bare report gets what the kiosk gives a new one: a
        "reported" line of history, ``created_at`` of now (unless given) and a new link token.
        """
        if not isinstance(doc, dict):
            raise ValidationError("record", "not_object")
        unknown = set(doc) - set(RECORD_FIELDS)
        if unknown:
            raise ValidationError(sorted(unknown)[0], "unknown_field")
        checked, cleaned = report_checked(doc)
        if "id" in doc:
            if not isinstance(doc["id"], str):
                raise ValidationError("id", "not_text")
            try:
                number = ids.decode(doc["id"])
            except ids.InvalidId:
                raise ValidationError("id", "invalid", value=doc["id"]) from None
            record_id = ids.encode(number)
            if record_id in self._by_id or number in pending.numbers or number in self._reserved_set():
                raise ValidationError("id", "exists", value=record_id)
            full = dict(doc, id=record_id)
            full.setdefault("occurred_at", cleaned.occurred_at or doc.get("created_at", ""))
            full.setdefault("created_at", full["occurred_at"])
        else:
            now = self.clock()
            if doc.get("created_at"):
                try:
                    now = datetime.fromisoformat(doc["created_at"])
                except (TypeError, ValueError):
                    raise ValidationError("created_at", "bad_datetime") from None
            stamp = now.isoformat(timespec="seconds")
            number = self._next_number(pending)
            full = dict(doc, id=ids.encode(number), created_at=stamp, occurred_at=cleaned.occurred_at or stamp)
            full.setdefault("history", [{"at": stamp, "by": "import", "what": "reported"}])
        full.update({name: checked[name] for name in REPORT_FIELDS})
        if full.get("link_token") in (None, ""):
            full["link_token"] = new_link_token()  # none yet: made as the kiosk makes them
        else:
            check_imported_token(full["link_token"])
        return number, record_from_doc(full)

    # -- importing many documents at once (one journal commit for a group of lines) ----------

    def import_docs(self, docs: Iterable[Any]) -> list[Record | Exception]:
        """Save a group of imported documents in ONE journal commit, i.e. one fdatasync for
        them all (``kiosk import`` at thousands of lines a second instead of one line per
        fdatasync). Each document is checked as :meth:`import_doc` checks it, as if the ones
        before it in the group were stored already; one that breaks a rule gets its exception
        in the result, in its place, and the others are saved without it.

        Raises StorageError if the commit failed: then none of them was saved (the caller may
        try them again one at a time to save each one that fits)."""
        results: list[Record | Exception] = []
        with self.store.lock:
            pending = _PendingImport(self._own_range())
            ops: list[Op] = []
            for doc in docs:
                try:
                    number, record = self._prepare_import(doc, pending)
                except Exception as exc:  # no document may stop the others
                    if not isinstance(exc, ValueError):
                        log.warning("import: a document could not be read", exc_info=True)
                    # Without its traceback: that holds this frame, which holds the results.
                    results.append(exc.with_traceback(None))
                    continue
                pending.take(number)
                ops.append(("put", RECORDS, str(number), record_to_doc(record)))
                results.append(record)
            if ops:
                ops.append(("put", COUNTERS, _COUNTER_DOC, self._counters_after(pending.highest_own)))
                self.store.commit(ops)
        saved = [result for result in results if isinstance(result, Record)]
        if len(saved) == 1:
            log.info("record %s imported (%s, %s)", saved[0].id, saved[0].kind, saved[0].area)
        elif saved:
            # One line per group, every id in it: a line per record would push the rest of the
            # log out of its rotation (100 000 records are about 10 MB of such lines).
            log.info("%d records imported: %s", len(saved), " ".join(record.id for record in saved))
        return results

    def save(self, record: Record, *, actor: str, what: str, changed: Iterable[str] = ()) -> Record:
        """Store a changed record, appending who changed what to its history."""
        entry = HistoryEntry(at=self.clock().isoformat(timespec="seconds"), by=actor, what=what,
                             fields=tuple(changed))
        updated = with_history(record, entry)
        self._store_records(updated)
        return updated

    def save_review_draft(self, record_id: str, review: Review, *, by: str) -> Record:
        """Keep a review in progress (durably: it survives a kill, an idle sign-out, a restart)."""
        return self._store_records(keep_draft(self._require(record_id), review, by=by, now=self.clock()))

    def finish_review(self, record_id: str, review: Review, *, by: str, look_for: str = "",
                      share_days: int = 30) -> Record:
        """Store a finished review (see :func:`kiosk.core.reviewing.conclude`), and with it, in
        the same transaction, why an earlier change did not hold, on that earlier record."""
        record = self._require(record_id)
        changed, earlier = conclude(record, review, earlier=self.earlier_change_that_held(record), by=by,
                                    now=self.clock(), look_for=look_for, share_days=share_days)
        self._store_records(changed, *([earlier] if earlier is not None else []))
        return changed

    def acknowledge_win(self, record_id: str, *, note: str, look_for: str, share_days: int, by: str) -> Record:
        """A win needs no action: the supervisor acknowledges it (:func:`kiosk.core.wins.acknowledge`)."""
        return self._store_records(acknowledge(self._require(record_id), note=note, look_for=look_for,
                                               share_days=share_days, by=by, now=self.clock()))

    def applaud(self, record_id: str) -> Record:
        """One more applause for a win (operators, no sign-in)."""
        return self._store_records(applaud(self._require(record_id), now=self.clock()))

    def finish_follow_up(self, record_id: str, follow_up: FollowUp, *, by: str) -> tuple[Record, Record | None]:
        """Store a follow-up (:func:`kiosk.core.following.apply_follow_up`) in one transaction:
        the record, and for a reopen the new record of the next cycle with its number."""
        with self.store.lock:
            record = self._require(record_id)
            number = self._next_number() if follow_up.outcome == Outcome.REOPENED else 0
            updated, reopened = apply_follow_up(record, follow_up, by=by, now=self.clock(),
                                                new_id=ids.encode(number) if number else None)
            ops: list[Op] = [("put", RECORDS, self._by_id[record.id], record_to_doc(updated))]
            if reopened is not None:
                ops += self._put_ops(number, reopened)
            self.store.commit(ops)
        log.info("follow-up of %s: %s%s", record_id, follow_up.outcome,
                 f" as {reopened.id}" if reopened is not None else "")
        return updated, reopened

    def link_recurrence(self, later_id: str, earlier_id: str, *, by: str) -> Record:
        """Record that ``later_id`` is ``earlier_id`` happening again."""
        with self.store.lock:
            later = self._require(later_id)
            earlier = self._require(earlier_id)
            linked = add_recurrence(later, earlier.id, by=by, now=self.clock())
            if linked is not later:
                self._store_records(linked)
        return linked

    def mark_not_same(self, record_id: str, other_ids: Iterable[str], *, by: str) -> Record:
        """Record that the suggestions ``other_ids`` are not the same thing as ``record_id``."""
        with self.store.lock:
            record = self._require(record_id)
            marked = add_not_same(record, [self._require(other).id for other in other_ids], by=by, now=self.clock())
            if marked is not record:
                self._store_records(marked)
        return marked

    def mark_follow_ups_due(self, now: datetime) -> list[Record]:
        """Mark every record whose follow-up date has come as ``follow_up_due``, in one
        transaction (the kiosk does it at start and then every few minutes)."""
        with self.store.lock:
            rows = self._rows(RECORDS)
            today = now.date().isoformat()
            keys = [key for key, day in self._follow_up_dates.items() if day <= today]
            marked = [mark_due(record_from_doc(rows[key]), now) for key in keys]
            due = [record for record in marked if record is not None]
            if due:
                self._store_records(*due)
        for record in due:
            log.info("follow-up of %s is due", record.id)
        return due

    # -- helpers -------------------------------------------------------------------------

    def _require(self, record_id: str) -> Record:
        record = self.get(record_id)
        if record is None:
            raise ValidationError("id", "invalid", value=record_id)
        return record

    def _store_records(self, first: Record, *others: Record) -> Record:
        """Store changed records in one transaction; returns the first."""
        with self.store.lock:
            ops: list[Op] = []
            for record in (first, *others):
                key = self._by_id.get(record.id)
                if key is None:
                    raise KeyError(record.id)
                ops.append(("put", RECORDS, key, record_to_doc(record)))
            self.store.commit(ops)
        return first

    #: Tables of other aggregates numbered in the records' family (their keys are numbers).
    RESERVING_TABLES = ("teams", "aars", "work_items")

    def _rebuild_reserved(self) -> None:
        self._reserved = sorted(int(key) for table in self.RESERVING_TABLES for key in self._rows(table))

    def _reserve(self, key: str, old: Any, new: Any) -> None:
        """Keep :attr:`_reserved` current as another aggregate adds or removes a document."""
        if old is None and new is not None:
            insort(self._reserved, int(key))
        elif new is None and old is not None and int(key) in self._reserved:
            self._reserved.remove(int(key))

    def _reserved_set(self) -> frozenset[int]:
        return frozenset(self._reserved)

    def _last_number(self) -> int:
        last: int = self._rows(COUNTERS).get(_COUNTER_DOC, {}).get("records", 0)
        return last

    def id_series_in_use(self) -> int:
        """The id series this folder's new numbers come from (1 to 64). A folder numbered
        before series existed hands out low numbers, which are series 1's."""
        with self.store.lock:
            return self._series() or 1

    def _series(self) -> int:
        """The id series new numbers come from: the admin's ``id_series``, else the one stored
        with the counter, else for a folder without records one drawn now (stored with its
        first record); 0 for a folder numbered before series existed (the whole space)."""
        if self.id_series:
            return self.id_series
        stored = self._rows(COUNTERS).get(_COUNTER_DOC, {}).get("series")
        if isinstance(stored, int) and 1 <= stored <= ids.SERIES_COUNT:
            return stored
        if self._numbers or self._last_number():
            return 0
        if not self._drawn_series:
            self._drawn_series = choose_series()
        return self._drawn_series

    def _own_range(self) -> tuple[int, int]:
        """The first and last number this folder hands out."""
        series = self._series()
        return ids.series_range(series) if series else (1, ids.HIGHEST)

    def _next_number(self, pending: _PendingImport | None = None) -> int:
        """The number of the next new record: in the folder's id series, after its counter and
        after every number of the series in use, so numbers only grow and none is handed out
        twice (the counter is the rule; the highest number in use is the guard, should the
        counter ever fall behind). Numbers imported from other series do not move it. Once the
        series is full, the lowest free number in it, then anywhere.
        ``pending``: numbers an import group has taken but not stored yet, as if stored."""
        first, last = self._own_range()
        counter = self._last_number()
        highest = counter if first <= counter <= last else 0
        for used in (self._numbers, self._reserved):
            at = bisect_right(used, last)
            if at and used[at - 1] >= first:
                highest = max(highest, used[at - 1])
        if pending is not None:
            highest = max(highest, pending.highest_own)
        number = max(highest + 1, first)
        if number <= last:
            return number
        taken = (pending.numbers if pending is not None else set()) | set(self._reserved)
        return self._lowest_free(first, last, taken) or self._lowest_free(1, ids.HIGHEST, taken)

    def _lowest_free(self, first: int, last: int, taken: AbstractSet[int]) -> int:
        """The lowest number from ``first`` to ``last`` neither stored nor ``taken`` (0: none)."""
        expected = first
        for used in self._numbers[bisect_left(self._numbers, first):]:
            while expected < used:
                if expected not in taken:
                    return expected if expected <= last else 0
                expected += 1
            expected = used + 1
        while expected in taken:
            expected += 1
        return expected if expected <= last else 0

    def _counters_after(self, number: int) -> dict[str, Any]:
        """The counter document once ``number`` is handed out (0: none of the series): the
        series kept with it, the counter moved only by numbers of the series."""
        counters = dict(self._rows(COUNTERS).get(_COUNTER_DOC, {}))
        series = self._series()
        if series:
            counters["series"] = series
        first, last = self._own_range()
        counter = counters.get("records", 0)
        if first <= number <= last and (number > counter or not first <= counter <= last):
            counters["records"] = number
        return counters

    def _put_ops(self, number: int, record: Record) -> list[Op]:
        """The record and the counter that keeps its number from ever being handed out again."""
        return [
            ("put", RECORDS, str(number), record_to_doc(record)),
            ("put", COUNTERS, _COUNTER_DOC, self._counters_after(number)),
        ]
