"""What a kiosk with a plant hub keeps for it, in its own journal: each synced document's
versions, an outbox of the changes still to push, and how far it has pulled. The hub's side
(PostgreSQL) is :mod:`kiosk.hub.sync`; the merge rules are :mod:`kiosk.core.merge`.

With ``[hub]`` configured, :func:`capture` hooks the store's commit (``before_commit``): every
change of a table that merges (:data:`kiosk.core.merge.RULES`) gets its versions from
:func:`kiosk.core.merge.local_change` — this kiosk's stamp on the fields that changed, its part
of each counter — and a numbered outbox row, in the same transaction as the change. So a change
is acknowledged after the one fdatasync as before, and the pushing worker finds every change
made since it last pushed, even after a kill or a week offline. A synced document is kept in
its merged form (sets and histories in the order every kiosk gives them), so that every kiosk
ends with the same document. Without a hub nothing is hooked and nothing more is written.

A change pulled from the hub is applied by :meth:`Capture.apply`: joined with the local state,
the values that lost to a change made at the same time elsewhere written into the history,
checked like an import, and committed with the new pull cursor in one journal transaction. A
kill before that commit applies nothing; after it, the cursor has moved: nothing twice.

Tables: ``sync_versions`` (``"<table>:<key>"`` → stamps, counts, context; ``deleted``: the
stamp of a removal), ``sync_outbox`` (``"<number, 12 digits>"`` → table, key, stamp) and
``sync_state`` (the clock's last stamp, the outbox's last number, the pull cursor).

Keys: a supervisor is known across kiosks by the folded name (each folder numbers its own);
every other synced table is keyed by numbers from the folder's id series (records, teams,
after-action reviews, work items and huddles) or by its work item's number and an entry index
taken in that series, so two kiosks never make the same key for different things.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.core.aar import aar_from_doc, aar_to_doc
from kiosk.core.hlc import Clock, Stamp, StampError
from kiosk.core.huddle import huddle_from_doc, huddle_to_doc
from kiosk.core.merge import RULES, Versioned, join, keep_superseded, local_change, normal_form
from kiosk.core.records import ValidationError, record_from_doc, record_to_doc, report_checked
from kiosk.core.supervisors import supervisor_from_doc, supervisor_to_doc
from kiosk.core.teams import team_from_doc, team_to_doc
from kiosk.core.text import fold
from kiosk.core.work import entry_from_doc, entry_to_doc, work_from_doc, work_to_doc
from kiosk.storage.format import Op
from kiosk.storage.journal import JournalStore
from kiosk.storage.packed import unpacked
from kiosk.storage.supervisors import SUPERVISORS

log = logging.getLogger(__name__)

VERSIONS, OUTBOX, STATE = "sync_versions", "sync_outbox", "sync_state"
_STATE_KEY = "1"
#: Tables keyed by numbers of the records' family: one number, one thing, made once.
NUMBERED = frozenset({"records", "teams", "aars", "work_items"})
#: At most this many documents are given their first versions in one transaction when a kiosk
#: with data connects for the first time.
ENROL_BATCH = 1000
#: Pushed outbox rows are dropped from the journal once this many wait, or after this long.
SENT_BATCH, SENT_SECONDS = 500, 5.0


def versions_key(table: str, key: str) -> str:
    return f"{table}:{key}"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _meta(store: JournalStore, table: str, key: str) -> dict[str, Any]:
    found: dict[str, Any] = store.tables.get(VERSIONS, {}).get(versions_key(table, key)) or {}
    return found


def versioned(store: JournalStore, table: str, key: str) -> Versioned | None:
    """A stored document with its versions (hold ``store.lock``); None if there is none."""
    doc = store.tables.get(table, {}).get(key)
    if doc is None:
        return None
    meta = _meta(store, table, key)
    return Versioned(dict(unpacked(doc)), meta.get("stamps", {}), meta.get("counts", {}), meta.get("context", {}))


def _versions_doc(state: Versioned, deleted: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"stamps": dict(state.stamps), "counts": {n: dict(c) for n, c in state.counts.items()},
                           "context": {n: dict(k) for n, k in state.context.items()}}
    if deleted:
        out["deleted"] = deleted
    return out


def _newest(stamps: Iterable[str]) -> str:
    return max(stamps, default="", key=lambda text: Stamp.parse(text) if text else Stamp(-1, -1, ""))


def _supervisor_doc(doc: dict[str, Any]) -> dict[str, Any]:
    try:
        return supervisor_to_doc(supervisor_from_doc(doc))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError("supervisor", "invalid") from exc


#: Each synced table's document as the kiosk itself would write it after checking it like an
#: import: what another kiosk sends passes the same checks as a file (ValidationError if not).
_CHECKED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "records": lambda doc: record_to_doc(record_from_doc(report_checked(doc)[0])),
    "teams": lambda doc: team_to_doc(team_from_doc(doc)),
    "aars": lambda doc: aar_to_doc(aar_from_doc(doc)),
    "work_items": lambda doc: work_to_doc(work_from_doc(doc)),
    "work_entries": lambda doc: entry_to_doc(entry_from_doc(doc)),
    "huddles": lambda doc: huddle_to_doc(huddle_from_doc(doc)),
    SUPERVISORS: _supervisor_doc,
}


@dataclass(frozen=True)
class Outgoing:
    """One change to push: the newest state of a document (``doc`` None: removed)."""

    numbers: tuple[int, ...]  # the outbox rows it stands for (several saves of one document)
    table: str
    key: str  # the plant-wide key
    doc: dict[str, Any] | None
    versions: dict[str, Any]
    stamp: str


@dataclass(frozen=True)
class Incoming:
    """One change pulled from the hub."""

    id: int
    kiosk: str
    table: str
    key: str
    doc: dict[str, Any] | None
    versions: dict[str, Any]
    stamp: str


@dataclass(frozen=True)
class Applied:
    changed: int  # documents that changed here
    refused: int  # changes that did not pass the checks (logged)
    cursor: int


class Capture:
    """The ``before_commit`` hook of a kiosk with a hub, and what the sync worker asks of the
    journal (see the module's docstring). Its methods hold ``store.lock``."""

    def __init__(self, store: JournalStore, kiosk: str, wall_ms: Callable[[], int]) -> None:
        self.store = store
        self.kiosk = kiosk
        self.wall_ms = wall_ms
        state = store.tables.get(STATE, {}).get(_STATE_KEY) or {}
        self.clock = Clock(kiosk, Stamp.parse(state["clock"]) if state.get("clock") else None)
        self.outbox = int(state.get("outbox", 0))
        self.cursor = int(state.get("cursor", 0))
        #: When this kiosk last sent changes to the hub and last took some in (ISO, UTC).
        self.pushed_at = str(state.get("pushed_at", ""))
        self.pulled_at = str(state.get("pulled_at", ""))
        #: The folder's documents that predate the hub still get their first versions.
        self.enrolled = bool(state.get("enrolled", False))
        #: Outbox rows the hub holds, not yet dropped here (see :meth:`pushed`).
        self._sent: set[int] = set()
        self._sent_since = time.monotonic()
        #: Called when a transaction queues something (a local change; a pulled one that wrote
        #: a superseded value into a history): wakes the pusher.
        self.on_queued: Callable[[], None] | None = None

    # -- local changes ---------------------------------------------------------------------

    def __call__(self, ops: list[Op]) -> list[Op]:
        out: list[Op] = []
        extra: list[Op] = []
        for op in ops:
            table = op[1]
            if table not in RULES:
                out.append(op)
                continue
            rules = RULES[table]
            stamp = self.clock.now(self.wall_ms())
            if op[0] == "put":
                doc = normal_form(op[3], rules)  # the merged form: sets in their order
                after = local_change(versioned(self.store, table, op[2]), doc, stamp, rules)
                out.append(("put", table, op[2], doc))
                extra.append(("put", VERSIONS, versions_key(table, op[2]), _versions_doc(after)))
            else:
                out.append(op)
                before = _meta(self.store, table, op[2])
                gone = Versioned({}, before.get("stamps", {}), before.get("counts", {}), before.get("context", {}))
                extra.append(("put", VERSIONS, versions_key(table, op[2]), _versions_doc(gone, stamp.text())))
            self.outbox += 1
            extra.append(("put", OUTBOX, f"{self.outbox:012d}", {"table": table, "key": op[2], "hlc": stamp.text(),
                                                                **self._name_of(table, op)}))
        if extra:
            extra.append(self._state_op())
            if self.on_queued is not None:
                self.on_queued()  # (the pusher waits for the store's lock: it finds the row committed)
        return [*out, *extra]

    def _name_of(self, table: str, op: Op) -> dict[str, str]:
        """A supervisor's plant-wide key is its folded name: kept with a removal's outbox row
        (the document is gone by the time it is pushed)."""
        if table != SUPERVISORS:
            return {}
        doc = op[3] if op[0] == "put" else self.store.tables.get(table, {}).get(op[2]) or {}
        return {"name": str(doc.get("name", ""))}

    def _state_op(self) -> Op:
        last = self.clock.last.text() if self.clock.last else ""
        return ("put", STATE, _STATE_KEY, {"clock": last, "outbox": self.outbox, "cursor": self.cursor,
                                           "enrolled": self.enrolled, "pushed_at": self.pushed_at,
                                           "pulled_at": self.pulled_at})

    def _now_text(self) -> str:
        return datetime.fromtimestamp(self.wall_ms() / 1000, UTC).isoformat(timespec="seconds")

    def enrol(self) -> int:
        """Give the documents without versions theirs and queue them, a batch per transaction
        (so that a kill halfway resumes): at a kiosk's first connection, its whole history;
        later, anything written to the folder with no hook (an older kiosk's command, a
        restore). Returns how many were queued."""
        queued = 0
        while True:
            with self.store.lock:
                versions = self.store.tables.get(VERSIONS, {})
                batch: list[Op] = []
                for table in RULES:
                    for key, doc in self.store.tables.get(table, {}).items():
                        if versions_key(table, key) not in versions:
                            batch.append(("put", table, key, dict(unpacked(doc))))
                            if len(batch) >= ENROL_BATCH:
                                break
                    if len(batch) >= ENROL_BATCH:
                        break
                if not batch:
                    if not self.enrolled:
                        self.enrolled = True
                        self.store.commit([self._state_op()], hooked=False)
                    return queued
                self.store.commit(batch)
                queued += len(batch)

    # -- pushing ---------------------------------------------------------------------------

    def waiting(self) -> int:
        with self.store.lock:
            return len(self.store.tables.get(OUTBOX, {})) - len(self._sent)

    def pending(self, limit: int = 500) -> list[Outgoing]:
        """The oldest changes still to push, each document once in its newest state."""
        with self.store.lock:
            rows: dict[str, Any] = self.store.tables.get(OUTBOX, {})
            by_document: dict[tuple[str, str], list[int]] = {}
            last: dict[tuple[str, str], dict[str, Any]] = {}
            for number in sorted(rows)[:limit + len(self._sent)]:
                if int(number) in self._sent:
                    continue
                row = rows[number]
                by_document.setdefault((row["table"], row["key"]), []).append(int(number))
                last[(row["table"], row["key"])] = row
            out = []
            for (table, key), numbers in by_document.items():
                row = last[(table, key)]
                doc = self.store.tables.get(table, {}).get(key)
                meta = _meta(self.store, table, key)
                versions: dict[str, Any] = {name: meta[name] for name in ("stamps", "counts", "context", "deleted")
                                            if name in meta}
                plant_key = _plant_key(table, key, doc, row)
                out.append(Outgoing(tuple(numbers), table, plant_key, dict(unpacked(doc)) if doc is not None else None,
                                    versions, row.get("hlc", "")))
            return sorted(out, key=lambda change: change.numbers[-1])

    def pushed(self, numbers: Iterable[int]) -> None:
        """The hub holds these outbox rows now. They are dropped from the journal in batches
        (:meth:`flush_sent`), not one fdatasync per push competing with the saves: a kill
        before that only sends them again, which the hub stores once."""
        with self.store.lock:
            self._sent.update(numbers)
            self.pushed_at = self._now_text()
        if len(self._sent) >= SENT_BATCH or time.monotonic() - self._sent_since >= SENT_SECONDS:
            self.flush_sent()

    def flush_sent(self) -> None:
        """Drop the outbox rows the hub holds (one transaction)."""
        with self.store.lock:
            self._sent_since = time.monotonic()
            if not self._sent:
                return
            rows = self.store.tables.get(OUTBOX, {})
            ops: list[Op] = [("del", OUTBOX, key) for number in sorted(self._sent)
                             if (key := f"{number:012d}") in rows]
            self.store.commit([*ops, self._state_op()], hooked=False)
            self._sent.clear()

    def adopt_numbering(self, hub_highest: int) -> None:
        """The hub already holds this kiosk's changes up to ``hub_highest`` while the outbox's
        counter is lower (the folder came back from a backup): number on after them, and
        renumber what waits, or the hub would take the new changes for ones it has."""
        self.flush_sent()
        with self.store.lock:
            if hub_highest <= self.outbox:
                return
            rows = sorted(self.store.tables.get(OUTBOX, {}).items())
            ops: list[Op] = [("del", OUTBOX, number) for number, _row in rows]
            self.outbox = hub_highest
            for _number, row in rows:
                self.outbox += 1
                ops.append(("put", OUTBOX, f"{self.outbox:012d}", row))
            ops.append(self._state_op())
            self.store.commit(ops, hooked=False)
            log.warning("the hub had this kiosk's changes up to %d and the folder only %d: numbering on",
                        hub_highest, self.outbox - len(rows))

    # -- pulling ---------------------------------------------------------------------------

    def apply(self, changes: list[Incoming], cursor: int) -> Applied:
        """Merge pulled changes into the local documents, and move the cursor to ``cursor``,
        in one journal transaction (none at all if nothing changed but the cursor's place)."""
        changed = refused = 0
        with self.store.lock:
            ops: list[Op] = []
            touched: dict[tuple[str, str], tuple[dict[str, Any] | None, dict[str, Any]]] = {}
            last_in: dict[tuple[str, str], Incoming] = {}
            for change in changes:
                try:
                    result = self._merge_one(change, touched)
                except (ValidationError, StampError, KeyError, TypeError, ValueError) as exc:
                    refused += 1
                    log.warning("change %d from kiosk %s (%s %s) refused: %s", change.id, change.kiosk,
                                change.table, change.key, exc)
                    continue
                if result is not None:
                    touched[result[0]] = result[1]
                    last_in[result[0]] = change
            for (table, key), (doc, versions) in touched.items():
                stored = self.store.tables.get(table, {}).get(key)
                before = _canonical(dict(unpacked(stored))) if stored is not None else None
                now = _canonical(doc) if doc is not None else None
                if now != before:
                    changed += 1
                    ops.append(("put", table, key, doc) if doc is not None else ("del", table, key))
                if _more_than(doc, versions, last_in[(table, key)], RULES[table]):
                    # The merge holds more than the kiosk that sent it had (a change made here or
                    # pulled from a third kiosk meanwhile, a superseded value written into the
                    # history): sent on, so that the hub's newest copy of it is the whole merge
                    # too (what the records view shows). The next kiosk's merge equals it: no echo.
                    self.outbox += 1
                    ops.append(("put", OUTBOX, f"{self.outbox:012d}",
                                {"table": table, "key": key, "hlc": self.clock.now(self.wall_ms()).text(),
                                 **({"name": doc.get("name", "")} if table == SUPERVISORS and doc else {})}))
                ops.append(("put", VERSIONS, versions_key(table, key), versions))
            if cursor == self.cursor and not ops:
                return Applied(0, refused, cursor)
            self.cursor = max(self.cursor, cursor)
            self.pulled_at = self._now_text()
            ops.append(self._state_op())
            self.store.commit(ops, hooked=False)
        if changed and self.on_queued is not None and any(op[1] == OUTBOX for op in ops):
            self.on_queued()
        return Applied(changed, refused, self.cursor)

    def _merge_one(self, change: Incoming,
                   touched: Mapping[tuple[str, str], tuple[dict[str, Any] | None, dict[str, Any]]],
                   ) -> tuple[tuple[str, str], tuple[dict[str, Any] | None, dict[str, Any]]] | None:
        rules = RULES.get(change.table)
        if rules is None:
            raise ValidationError("table", "unknown", value=change.table)
        if change.stamp:
            self.clock.seen(Stamp.parse(change.stamp), self.wall_ms())
        key = self._local_key(change)
        if key is None:
            return None
        where = (change.table, key)
        if where in touched:
            doc, meta = touched[where]
        else:
            stored = self.store.tables.get(change.table, {}).get(key)
            doc = dict(unpacked(stored)) if stored is not None else None
            meta = _meta(self.store, change.table, key)
        versions = change.versions
        remote_deleted = str(versions.get("deleted", ""))
        local_deleted = str(meta.get("deleted", ""))
        for text in (remote_deleted, *versions.get("stamps", {}).values()):
            if text:
                Stamp.parse(text)
        if change.doc is None:
            # A removal: it wins over everything that came before it, not over what came after.
            if doc is not None and _newest(meta.get("stamps", {}).values()) > remote_deleted:
                return None
            return where, (None, {**meta, "deleted": _newest([remote_deleted, local_deleted])})
        if doc is not None and change.table in NUMBERED and doc.get("created_at") != change.doc.get("created_at"):
            # One number, two things made at different times: two kiosks numbered alike (a
            # kiosk back from an old copy before it reached the hub). Merging would mix them;
            # the change is refused (logged, counted) and both stay as they are.
            raise ValidationError("id", "two_with_one_number", value=doc.get("id", change.key))
        remote = Versioned(dict(change.doc), versions.get("stamps", {}), versions.get("counts", {}),
                           versions.get("context", {}))
        if doc is None:
            if local_deleted and _newest(remote.stamps.values()) <= local_deleted:
                return None  # changed before it was removed here: it stays removed
            merged, lost = join(remote, remote, rules)
        else:
            local = Versioned(doc, meta.get("stamps", {}), meta.get("counts", {}), meta.get("context", {}))
            merged, lost = join(local, remote, rules)
        new_doc = dict(merged.doc)
        if doc is None:
            for name in rules.local:  # a kiosk's own fields start afresh here (a supervisor's tries)
                new_doc.pop(name, None)
        if lost and rules.history:
            history = keep_superseded(list(new_doc.get(rules.history) or []), lost)
            if history is not None:
                new_doc[rules.history] = history
        checked = _CHECKED[change.table](new_doc)
        if _canonical(checked) != _canonical(new_doc):
            # Text a kiosk would have cleaned (control bytes, escape sequences): cleaned here the
            # same way on every kiosk; the document is merged in that form from now on.
            new_doc = join(Versioned(checked), Versioned(checked), rules)[0].doc
        return where, (new_doc, _versions_doc(merged))

    def _local_key(self, change: Incoming) -> str | None:
        if change.table != SUPERVISORS:
            return change.key
        rows = self.store.tables.get(SUPERVISORS, {})
        for key, doc in rows.items():
            if _plant_key(SUPERVISORS, key, doc, {}) == change.key:
                return key
        if change.doc is None:
            return None  # removed there, never here
        return str(max(map(int, rows), default=0) + 1)


def _more_than(doc: dict[str, Any] | None, versions: Mapping[str, Any], sent: Incoming, rules: Any) -> bool:
    """Whether a merged document holds more than the change it was merged with (leaving out
    the fields each kiosk keeps for itself)."""
    if doc is None or sent.doc is None:
        return False

    def shared(value: Mapping[str, Any]) -> str:
        return _canonical({name: item for name, item in value.items() if name not in rules.local})

    return (shared(doc) != shared(sent.doc) or dict(versions.get("stamps", {})) != dict(sent.versions.get("stamps", {}))
            or dict(versions.get("counts", {})) != dict(sent.versions.get("counts", {})))


def _plant_key(table: str, key: str, doc: Mapping[str, Any] | None, row: Mapping[str, Any]) -> str:
    """The key a document has across the plant."""
    if table != SUPERVISORS:
        return key
    name = doc.get("name", "") if doc is not None else row.get("name", "")
    return "name:" + fold(str(name))


def capture(store: JournalStore, kiosk: str, *, wall_ms: Callable[[], int] | None = None) -> Capture:
    """Hook ``store`` so that its changes carry their versions and are queued for the hub."""
    with store.lock:
        hook = Capture(store, kiosk, wall_ms or (lambda: time.time_ns() // 1_000_000))
        store.before_commit = hook
    return hook


def outbox(store: JournalStore, limit: int = 500) -> list[tuple[str, str, str]]:
    """The oldest changes still to push: (outbox number, table, key)."""
    with store.lock:
        rows: dict[str, Any] = store.tables.get(OUTBOX, {})
        return [(number, rows[number]["table"], rows[number]["key"]) for number in sorted(rows)[:limit]]


def sync_state(store: JournalStore) -> dict[str, Any]:
    """What a folder knows of its sync (a reader's view too): changes waiting, the cursor."""
    with store.lock:
        state = dict(store.tables.get(STATE, {}).get(_STATE_KEY) or {})
        state["waiting"] = len(store.tables.get(OUTBOX, {}))
    return state
