"""The repository: records in and out, on the journal store, queried with TinyDB.

This is the one small interface the screens and the command line use (SPEC section 8: a
replicating store can later sit behind it). Every write is one journal transaction, so a
record, its counter and its history change together or not at all.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from tinydb.table import Table

from kiosk import ids
from kiosk.domain import (
    RECORD_FIELDS,
    SCHEMA_VERSION,
    FollowUp,
    HistoryEntry,
    Link,
    LookFor,
    Record,
    ReportDraft,
    Review,
    ValidationError,
    clean_report,
    new_link_token,
    new_record,
    record_from_doc,
    record_to_doc,
)
from kiosk.storage.journal import JournalStore, Op
from kiosk.storage.migrations import upgrade_tables
from kiosk.reviewing import change_that_held
from kiosk.storage.search import SearchIndex, query_words
from kiosk.storage.tinydb_glue import KioskTinyDB
from kiosk.supervisors import (
    PinCheck,
    Supervisor,
    same_name,
    supervisor_from_doc,
    supervisor_to_doc,
    try_pin,
)
from kiosk.text import fold

log = logging.getLogger(__name__)

RECORDS = "records"
SUPERVISORS = "supervisors"
COUNTERS = "counters"
PRINT_JOBS = "print_jobs"
_COUNTER_DOC = "1"  # TinyDB doc ids are integers; one document holds every counter

_SEARCH_FIELDS = ("id", "kind", "area", "station", "what_happened", "impact", "what_we_did")
_OPEN_ACTION = frozenset({"action_open", "follow_up_due"})
_WAITING = frozenset({"reported", "in_review"})

Clock = Callable[[], datetime]


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


def searchable_text(doc: Mapping[str, Any]) -> str:
    """Every text a person could look for in a record, folded for accent-free search."""
    parts = [str(doc.get(name, "")) for name in _SEARCH_FIELDS]
    review = doc.get("review") or {}
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
    parts += [f.get("notes", "") for f in doc.get("follow_ups", ())]
    return fold("\n".join(parts))


class Repository:
    """Records of one data folder. Thread-safe; call it from workers, not the UI thread."""

    def __init__(self, store: JournalStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.db = KioskTinyDB(store)
        self.records: Table = self.db.table(RECORDS)
        self._by_id: dict[str, str] = {}
        self._highest_key = 0
        self._status: Counter[str] = Counter()
        self._follow_up_dates: dict[str, str] = {}
        self._again: dict[str, set[str]] = {}  # record id -> keys of records linked as it happening again
        self._search = SearchIndex(searchable_text)
        self._index_complete = threading.Event()
        self._index_lock = threading.Lock()
        with store.lock:
            upgraded = upgrade_tables(store.tables, store.schema, SCHEMA_VERSION)
            store.schema = SCHEMA_VERSION
            self._rebuild_indexes()
        store.add_listener(self._on_change, self._rebuild_indexes)
        if upgraded and store.writer:
            store.compact()  # the upgraded documents become the new snapshot

    # -- index maintenance ---------------------------------------------------------------

    def _rebuild_indexes(self) -> None:
        """All indexes from the tables at once (at open, and when a reader reloads)."""
        rows = self.store.tables.get(RECORDS, {})
        self._by_id = {doc["id"]: key for key, doc in rows.items()}
        self._highest_key = max(map(int, rows), default=0)
        self._status = Counter(doc.get("status") for doc in rows.values())
        self._follow_up_dates = {
            key: doc["review"]["follow_up_date"]
            for key, doc in rows.items()
            if doc.get("status") in _OPEN_ACTION and (doc.get("review") or {}).get("follow_up_date")
        }
        self._again = {}
        for key, doc in rows.items():
            for earlier in _recurrence_of(doc):
                self._again.setdefault(earlier, set()).add(key)
        self._search = SearchIndex(searchable_text)
        self._index_complete.clear()

    def _on_change(self, table: str, key: str, old: Any, new: Any) -> None:
        if table != RECORDS:
            return
        if old is not None:
            self._by_id.pop(old.get("id"), None)
            self._status[old.get("status")] -= 1
            self._follow_up_dates.pop(key, None)
            for earlier in _recurrence_of(old):
                self._again.get(earlier, set()).discard(key)
        if new is not None:
            self._by_id[new["id"]] = key
            self._highest_key = max(self._highest_key, int(key))
            self._status[new.get("status")] += 1
            if new.get("status") in _OPEN_ACTION:
                follow_up = (new.get("review") or {}).get("follow_up_date")
                if follow_up:
                    self._follow_up_dates[key] = follow_up
            for earlier in _recurrence_of(new):
                self._again.setdefault(earlier, set()).add(key)
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
                seen = dict(self.store.tables.get(RECORDS, {}))
            index = SearchIndex(searchable_text)
            index.build(seen.items())
            with self.store.lock:
                # Catch up with saves made meanwhile (documents are replaced, never mutated),
                # then the change listener keeps the index current.
                rows = self.store.tables.get(RECORDS, {})
                for key, doc in rows.items():
                    if seen.get(key) is not doc:
                        index.put(key, doc, is_new=key not in seen)
                for key in seen.keys() - rows.keys():
                    index.remove(key)
                self._search = index
                self._index_complete.set()

    # -- reading -------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Readers: take in records saved by the running kiosk."""
        return self.store.refresh()

    def get(self, record_id: str) -> Record | None:
        """The record with this id as a person typed it, or None."""
        try:
            canonical = ids.normalise(record_id)
        except ids.InvalidId:
            return None
        with self.store.lock:
            key = self._by_id.get(canonical)
            doc = self.store.tables[RECORDS][key] if key is not None else None
        return record_from_doc(doc) if doc is not None else None

    def all_records(self) -> list[Record]:
        """Every record in the order it was numbered (the export order)."""
        with self.store.lock:
            rows = list(self.store.tables.get(RECORDS, {}).items())
        rows.sort(key=lambda item: int(item[0]))
        return [record_from_doc(doc) for _, doc in rows]

    def count(self) -> int:
        with self.store.lock:
            return len(self.store.tables.get(RECORDS, {}))

    def home_counts(self, today: date) -> HomeCounts:
        iso = today.isoformat()
        with self.store.lock:
            dates = list(self._follow_up_dates.values())
            waiting = self._status["reported"] + self._status["in_review"]
            total = len(self.store.tables.get(RECORDS, {}))
        return HomeCounts(
            waiting_review=waiting,
            follow_ups_due=sum(1 for d in dates if d == iso),
            follow_ups_overdue=sum(1 for d in dates if d < iso),
            total=total,
        )

    def areas_in_use(self) -> list[str]:
        """Every area a record has (configured or not any more), sorted."""
        with self.store.lock:
            return sorted({doc.get("area", "") for doc in self.store.tables.get(RECORDS, {}).values()} - {""})

    def records_since(self, since: str) -> list[Record]:
        """Records that happened on or after ``since`` (ISO date), oldest first."""
        with self.store.lock:
            docs = [doc for doc in self.store.tables.get(RECORDS, {}).values()
                    if doc.get("occurred_at", "")[:10] >= since]
        docs.sort(key=lambda doc: doc.get("occurred_at", ""))
        return [record_from_doc(doc) for doc in docs]

    def recent(self, *, kinds: Iterable[str] = (), limit: int = 5) -> list[Record]:
        """The newest records, optionally of some kinds only."""
        wanted = frozenset(kinds)
        with self.store.lock:
            rows = self.store.tables.get(RECORDS, {})
            found = []
            # Newest first by number, without sorting every key under the lock (Home asks often).
            for number in range(self._highest_key, 0, -1):
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
            docs = [
                doc
                for doc in self.store.tables.get(RECORDS, {}).values()
                if (doc.get("look_for") or {}).get("until", "") >= iso
            ]
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
        kinds, areas, statuses = frozenset(kinds), frozenset(areas), frozenset(statuses)
        with self.store.lock:
            rows = self.store.tables.get(RECORDS, {})
            matches = self._search.matching(words, rows)
            if kinds or areas or statuses or since:
                matches = [
                    key
                    for key in matches
                    if (not kinds or rows[key]["kind"] in kinds)
                    and (not areas or rows[key]["area"] in areas)
                    and (not statuses or rows[key]["status"] in statuses)
                    and (not since or rows[key]["occurred_at"][:10] >= since)
                ]
            page = [rows[key] for key in matches[offset : offset + limit]]
        return SearchPage(total=len(matches), records=[record_from_doc(d) for d in page])

    def similar(self, text: str, *, area: str = "", station: str = "", exclude: str = "",
                limit: int = 3) -> list:
        """Past records like ``text`` (kiosk.similarity): at most ``limit`` Matches, best first."""
        from kiosk.similarity import Candidate, rank, terms

        stems = [t.encode("ascii", "ignore") for t in dict.fromkeys(terms(text))]
        stems = [s for s in stems if len(s) >= 3]
        if len(stems) < 2:
            return []
        self.build_search_index()
        with self.store.lock:
            rows = self.store.tables.get(RECORDS, {})
            docs = [rows[key] for key in self._search.related(stems, rows) if key in rows]
            total = max(len(rows), 1)
        candidates = [Candidate.of(doc) for doc in docs if doc.get("id") != exclude]
        rarity: dict[str, float] = {}

        def idf(word: str) -> float:
            if word not in rarity:
                hits = self._search.count_prefix(word.encode("ascii", "ignore")) if len(word) >= 3 else total
                rarity[word] = math.log(1 + total / (1 + hits))
            return rarity[word]

        matches = rank(text, candidates, area=area, station=station, now=self.clock(), limit=limit, idf=idf)
        return [replace(m, record=self.get(m.candidate.id)) for m in matches]

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
        if not isinstance(doc, dict):
            raise ValidationError("record", "not_object")
        unknown = set(doc) - set(RECORD_FIELDS)
        if unknown:
            raise ValidationError(sorted(unknown)[0], "unknown_field")
        draft = ReportDraft(
            kind=doc.get("kind", ""),
            area=doc.get("area", ""),
            what_happened=doc.get("what_happened", ""),
            impact=doc.get("impact", ""),
            what_we_did=doc.get("what_we_did", ""),
            reporter=doc.get("reporter", ""),
            station=doc.get("station", ""),
            occurred_at=doc.get("occurred_at", ""),
        )
        cleaned = clean_report(draft, None)
        with self.store.lock:
            if "id" in doc:
                if not isinstance(doc["id"], str):
                    raise ValidationError("id", "not_text")
                try:
                    number = ids.decode(doc["id"])
                except ids.InvalidId:
                    raise ValidationError("id", "invalid", value=doc["id"]) from None
                record_id = ids.encode(number)
                if record_id in self._by_id:
                    raise ValidationError("id", "exists", value=record_id)
                full = dict(doc, id=record_id)
                for name in ("kind", "area", "what_happened", "impact", "what_we_did",
                             "reporter", "station"):
                    full[name] = getattr(cleaned, name)
                full.setdefault("occurred_at", cleaned.occurred_at or doc.get("created_at", ""))
                full.setdefault("created_at", full["occurred_at"])
                full.setdefault("link_token", new_link_token())
                record = record_from_doc(full)
            else:
                number = self._next_number()
                now = self.clock()
                if doc.get("created_at"):
                    try:
                        now = datetime.fromisoformat(doc["created_at"])
                    except (TypeError, ValueError):
                        raise ValidationError("created_at", "bad_datetime") from None
                record = new_record(cleaned, record_id=ids.encode(number), now=now, actor="import")
            self.store.commit(self._put_ops(number, record))
        log.info("record %s imported (%s, %s)", record.id, record.kind, record.area)
        return record

    def save(self, record: Record, *, actor: str, what: str, changed: Iterable[str] = ()) -> Record:
        """Store a changed record, appending who changed what to its history."""
        entry = HistoryEntry(
            at=self.clock().isoformat(timespec="seconds"), by=actor, what=what, fields=tuple(changed)
        )
        updated = replace(record, history=record.history + (entry,))
        with self.store.lock:
            key = self._by_id.get(record.id)
            if key is None:
                raise KeyError(record.id)
            self.store.commit([("put", RECORDS, key, record_to_doc(updated))])
        return updated

    # -- reviews -------------------------------------------------------------------------

    def review_queue(self) -> list[Record]:
        """Reports waiting for their review, and wins waiting to be acknowledged; oldest first."""
        with self.store.lock:
            docs = [
                doc for doc in self.store.tables.get(RECORDS, {}).values()
                if doc.get("status") in _WAITING
            ]
        docs.sort(key=lambda doc: doc["created_at"])
        return [record_from_doc(doc) for doc in docs]

    def save_review_draft(self, record_id: str, review: Review, *, by: str) -> Record:
        """Keep a review in progress (durably: it survives a kill, an idle sign-out, a restart)."""
        record = self._require(record_id)
        status = "in_review" if record.status == "reported" else record.status
        changed = replace(record, review=replace(review, draft=True), status=status)
        return self.save(changed, actor=by, what="review_draft_saved", changed=("review",))

    def finish_review(self, record_id: str, review: Review, *, by: str, look_for: str = "",
                      share_days: int = 30) -> Record:
        """Store a finished review (see kiosk.reviewing.finish_review): the action is open.
        Why an earlier change did not hold is stored with that earlier record too, in the same
        transaction. ``look_for``: a line Home shows every team for ``share_days`` days."""
        record = self._require(record_id)
        changed = replace(record, review=review, status="action_open")
        if look_for.strip():
            until = (self.clock().date() + timedelta(days=share_days)).isoformat()
            changed = record_from_doc(record_to_doc(replace(changed, look_for=LookFor(text=look_for, until=until))))
        earlier = self.earlier_change_that_held(record)
        if earlier is None or not review.recurrence_note:
            return self.save(changed, actor=by, what="reviewed",
                             changed=("review", "status") + (("look_for",) if changed.look_for else ()))
        stamp = self.clock().isoformat(timespec="seconds")
        note = f"{record.id}: {review.recurrence_note}"
        assert earlier.review is not None
        old_note = earlier.review.recurrence_note
        earlier = replace(
            earlier,
            review=replace(earlier.review, recurrence_note=f"{old_note}\n{note}" if old_note else note),
            history=earlier.history + (HistoryEntry(at=stamp, by=by, what="recurrence_noted",
                                                    fields=("review.recurrence_note",)),),
        )
        changed = replace(changed, history=changed.history + (
            HistoryEntry(at=stamp, by=by, what="reviewed",
                         fields=("review", "status") + (("look_for",) if changed.look_for else ())),))
        with self.store.lock:
            self.store.commit([
                ("put", RECORDS, self._by_id[changed.id], record_to_doc(changed)),
                ("put", RECORDS, self._by_id[earlier.id], record_to_doc(earlier)),
            ])
        return changed

    def earlier_change_that_held(self, record: Record) -> Record | None:
        """The earlier record this one recurs, if its change was closed as working."""
        for link in record.links:
            if link.rel == "recurrence_of":
                earlier = self.get(link.id)
                if change_that_held(earlier):
                    return earlier
        return None

    def acknowledge_win(self, record_id: str, *, note: str, look_for: str, share_days: int, by: str) -> Record:
        """A win needs no action: the supervisor acknowledges it, with what made it work; a
        look-for line shares it with every team on Home for ``share_days`` days."""
        record = self._require(record_id)
        if record.kind != "win":
            raise ValidationError("kind", "unknown", value=record.kind)
        now = self.clock()
        review = Review(win_note=note, reviewed_by=by, reviewed_at=now.isoformat(timespec="seconds"), draft=False)
        shared = None
        if look_for.strip():
            shared = LookFor(text=look_for, until=(now.date() + timedelta(days=share_days)).isoformat())
        doc = record_to_doc(replace(record, review=review, look_for=shared,
                                    status="shared" if shared else "acknowledged"))
        changed = record_from_doc(doc)  # checked and cleaned like an import
        return self.save(changed, actor=by, what="shared" if shared else "acknowledged",
                         changed=("review", "status") + (("look_for",) if shared else ()))

    def applaud(self, record_id: str) -> Record:
        """One more applause for a win (operators, no sign-in)."""
        record = self._require(record_id)
        if record.kind != "win":
            raise ValidationError("kind", "unknown", value=record.kind)
        return self.save(replace(record, applause=record.applause + 1), actor="operator",
                         what="applauded", changed=("applause",))

    def _require(self, record_id: str) -> Record:
        record = self.get(record_id)
        if record is None:
            raise ValidationError("id", "invalid", value=record_id)
        return record

    def follow_ups_until(self, until: date) -> list[Record]:
        """Records whose change is open with a follow-up due on or before ``until``, the most
        overdue first."""
        iso = until.isoformat()
        with self.store.lock:
            rows = self.store.tables.get(RECORDS, {})
            due = sorted((day, int(key)) for key, day in self._follow_up_dates.items() if day <= iso)
            docs = [rows[str(key)] for _, key in due]
        return [record_from_doc(doc) for doc in docs]

    # -- follow-ups ----------------------------------------------------------------------

    def follow_up_queue(self, today: date, upcoming_days: int = 7) -> list[tuple[str, Record]]:
        """(state, record) for every follow-up overdue, due today or due within
        ``upcoming_days``: overdue first (the oldest first), then today, then upcoming."""
        from kiosk.following import due_state

        # By date, the most overdue first, is also overdue → today → upcoming.
        return [(due_state(record, today, upcoming_days) or "upcoming", record)
                for record in self.follow_ups_until(today + timedelta(days=upcoming_days))]

    def times_again(self, record_id: str) -> int:
        """How many records are linked as this one happening again."""
        with self.store.lock:
            return len(self._again.get(record_id, ()))

    def recurrences_of(self, record: Record) -> list[Record]:
        """Records linked as the same thing happening again after ``record``'s review."""
        from kiosk.following import recurrences_since_review

        with self.store.lock:
            rows = self.store.tables.get(RECORDS, {})
            docs = [rows[key] for key in sorted(self._again.get(record.id, ()), key=int) if key in rows]
        return recurrences_since_review(record, [record_from_doc(doc) for doc in docs])

    def finish_follow_up(self, record_id: str, follow_up: FollowUp, *, by: str) -> tuple[Record, Record | None]:
        """Store a follow-up (kiosk.following.apply_follow_up) in one transaction: the record,
        and for a reopen the new record of the next cycle with its number."""
        from kiosk.following import apply_follow_up

        with self.store.lock:
            record = self._require(record_id)
            number = self._next_number() if follow_up.outcome == "reopened" else 0
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
        from kiosk.following import add_recurrence

        with self.store.lock:
            later = self._require(later_id)
            earlier = self._require(earlier_id)
            linked = add_recurrence(later, earlier.id, by=by, now=self.clock())
            if linked is not later:
                self.store.commit([("put", RECORDS, self._by_id[later.id], record_to_doc(linked))])
        return linked

    def previous_cycle(self, record: Record) -> Record | None:
        """The record this one reopened, if it is the next cycle of an earlier one."""
        for link in record.links:
            if link.rel == "reopened_from":
                return self.get(link.id)
        return None

    # -- print jobs ----------------------------------------------------------------------

    def print_jobs(self) -> dict[int, dict[str, Any]]:
        """Every stored print job by number (documents; kiosk.printing.spool reads them)."""
        with self.store.lock:
            return {int(key): dict(doc) for key, doc in self.store.tables.get(PRINT_JOBS, {}).items()}

    def put_print_job(self, number: int, doc: Mapping[str, Any]) -> None:
        """Store a print job's state durably (before it is sent, and after each change)."""
        with self.store.lock:
            self.store.commit([("put", PRINT_JOBS, str(number), dict(doc))])

    def remove_print_jobs(self, numbers: Iterable[int]) -> None:
        ops: list[Op] = [("del", PRINT_JOBS, str(n)) for n in numbers]
        if ops:
            with self.store.lock:
                self.store.commit(ops)

    # -- supervisors ---------------------------------------------------------------------

    def supervisors(self) -> list[Supervisor]:
        """Every supervisor, in the order they were added."""
        with self.store.lock:
            rows = sorted(self.store.tables.get(SUPERVISORS, {}).items(), key=lambda kv: int(kv[0]))
        return [supervisor_from_doc(doc) for _, doc in rows]

    def has_admin(self) -> bool:
        return any(s.admin for s in self.supervisors())

    def find_supervisor(self, name: str) -> Supervisor | None:
        key = self._supervisor_key(name)
        if key is None:
            return None
        return supervisor_from_doc(self.store.tables[SUPERVISORS][key])

    def add_supervisor(self, supervisor: Supervisor) -> None:
        with self.store.lock:
            if self._supervisor_key(supervisor.name) is not None:
                raise ValidationError("name", "exists", value=supervisor.name)
            rows = self.store.tables.get(SUPERVISORS, {})
            key = str(max(map(int, rows), default=0) + 1)
            self.store.commit([("put", SUPERVISORS, key, supervisor_to_doc(supervisor))])
        log.info("supervisor %r added (admin: %s)", supervisor.name, supervisor.admin)

    def remove_supervisor(self, name: str) -> None:
        """Remove one; the last admin cannot be removed (nobody could leave the kiosk)."""
        with self.store.lock:
            key = self._supervisor_key(name)
            if key is None:
                raise ValidationError("name", "unknown", value=name)
            doc = self.store.tables[SUPERVISORS][key]
            admins = [d for d in self.store.tables[SUPERVISORS].values() if d.get("admin")]
            if doc.get("admin") and len(admins) == 1:
                raise ValidationError("name", "last_admin", value=doc["name"])
            self.store.commit([("del", SUPERVISORS, key)])
        log.info("supervisor %r removed", doc["name"])

    def check_supervisor_pin(self, name: str, pin: str) -> PinCheck | None:
        """Try a PIN (about 50 ms, run it off the UI thread) and store the new failure count or
        lockout durably; None if there is no such supervisor."""
        supervisor = self.find_supervisor(name)
        if supervisor is None:
            return None
        result = try_pin(supervisor, pin, self.clock())
        if result.supervisor != supervisor:
            with self.store.lock:
                key = self._supervisor_key(name)
                if key is not None:
                    self.store.commit([("put", SUPERVISORS, key, supervisor_to_doc(result.supervisor))])
        if not result.ok:
            log.info("wrong PIN for supervisor %r (locked until: %s)", name, result.locked_until)
        return result

    def _supervisor_key(self, name: str) -> str | None:
        with self.store.lock:
            for key, doc in self.store.tables.get(SUPERVISORS, {}).items():
                if same_name(doc["name"], name):
                    return key
        return None

    def close(self) -> None:
        self.store.close()

    # -- helpers -------------------------------------------------------------------------

    def _last_number(self) -> int:
        return self.store.tables.get(COUNTERS, {}).get(_COUNTER_DOC, {}).get("records", 0)

    def _next_number(self) -> int:
        # The counter is the rule; the highest number in use is the guard, so a counter that
        # fell behind (however that happened) can never hand out a number that is taken.
        return max(self._last_number(), self._highest_key) + 1

    def _put_ops(self, number: int, record: Record) -> list[Op]:
        """The record and the counter that keeps its number from ever being handed out again."""
        counters = dict(self.store.tables.get(COUNTERS, {}).get(_COUNTER_DOC, {}))
        counters["records"] = max(self._last_number(), number)
        return [
            ("put", RECORDS, str(number), record_to_doc(record)),
            ("put", COUNTERS, _COUNTER_DOC, counters),
        ]


def _recurrence_of(doc: Mapping[str, Any]) -> list[str]:
    """The ids a stored record is linked to as happening again."""
    return [link.get("id") for link in doc.get("links", ()) if link.get("rel") == "recurrence_of"]


def open_repository(
    folder: Path | str, *, clock: Clock, writer: bool = True, command: str = "kiosk", **store_args: Any
) -> Repository:
    """Open a data folder as its writer (the kiosk, import) or as a reader (export)."""
    store = JournalStore(folder, writer=writer, command=command, **store_args)
    try:
        return Repository(store, clock)
    except BaseException:
        store.close(compact=False)  # e.g. data from a newer kiosk: leave it as it is, unlocked
        raise


def load_repository(store: JournalStore, clock: Clock) -> Repository:
    """The repository of a store created with ``load=False`` (reads the data now)."""
    if not store.loaded:
        store.load()
    return Repository(store, clock)
