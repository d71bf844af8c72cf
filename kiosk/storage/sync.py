"""What a kiosk with a plant hub keeps for it: each synced document's versions, and an outbox of
the changes still to push, written in the same journal transaction as the change itself.

With ``[hub]`` configured, :func:`capture` hooks the store's commit (``before_commit``): every
put of a table that merges (:data:`kiosk.core.merge.RULES`) gets its versions from
:func:`kiosk.core.merge.local_change` — this kiosk's stamp on the fields that changed, its part
of each counter — and a numbered outbox row. So a change is acknowledged after the one
fdatasync as before, and the pushing worker finds every change made since it last pushed, even
after a kill or a week offline. Without a hub nothing is hooked and no row is added.

Tables: ``sync_versions`` (``"<table>:<key>"`` → stamps, counts, parents), ``sync_outbox``
(``"<number, 12 digits>"`` → table and key) and ``sync_state`` (the clock's last stamp and the
outbox's last number, so that both go on after a restart).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kiosk.core.hlc import Clock, Stamp
from kiosk.core.merge import RULES, Versioned, local_change
from kiosk.storage.format import Op
from kiosk.storage.journal import JournalStore
from kiosk.storage.packed import unpacked

VERSIONS, OUTBOX, STATE = "sync_versions", "sync_outbox", "sync_state"
_STATE_KEY = "1"


def versions_key(table: str, key: str) -> str:
    return f"{table}:{key}"


def versioned(store: JournalStore, table: str, key: str) -> Versioned | None:
    """A stored document with its versions (hold ``store.lock``); None if there is none."""
    doc = store.tables.get(table, {}).get(key)
    if doc is None:
        return None
    meta = store.tables.get(VERSIONS, {}).get(versions_key(table, key)) or {}
    return Versioned(dict(unpacked(doc)), meta.get("stamps", {}), meta.get("counts", {}), meta.get("parents", {}))


class Capture:
    """The ``before_commit`` hook of a kiosk with a hub (see the module's docstring)."""

    def __init__(self, store: JournalStore, kiosk: str, wall_ms: Callable[[], int]) -> None:
        self.store = store
        self.wall_ms = wall_ms
        state = store.tables.get(STATE, {}).get(_STATE_KEY) or {}
        self.clock = Clock(kiosk, Stamp.parse(state["clock"]) if state.get("clock") else None)
        self.outbox = int(state.get("outbox", 0))

    def __call__(self, ops: list[Op]) -> list[Op]:
        extra: list[Op] = []
        for op in ops:
            if op[0] != "put" or op[1] not in RULES:
                continue
            table, key, doc = op[1], op[2], op[3]
            after = local_change(versioned(self.store, table, key), doc, self.clock.now(self.wall_ms()), RULES[table])
            extra.append(("put", VERSIONS, versions_key(table, key),
                          {"stamps": dict(after.stamps), "counts": {n: dict(c) for n, c in after.counts.items()},
                           "parents": dict(after.parents)}))
            self.outbox += 1
            extra.append(("put", OUTBOX, f"{self.outbox:012d}", {"table": table, "key": key}))
        if extra:
            last = self.clock.last.text() if self.clock.last else ""
            extra.append(("put", STATE, _STATE_KEY, {"clock": last, "outbox": self.outbox}))
        return extra


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
