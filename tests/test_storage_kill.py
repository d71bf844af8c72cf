"""kill -9 and a second process: the storage promises, tested with real processes.

PITFALLS section 5, items 1 and 6. A child Python process saves reports in a loop and prints
``ok <id>`` (flushed) after every ``add_report`` that returned, i.e. every acknowledged save.

* The kill test SIGKILLs it at a random moment (seeded), reopens the folder as the next kiosk
  start would (writer, repair on) and checks that every acknowledged report is there, that
  nothing was found damaged, and that a reader opens the same data. It goes on in the same
  folder, so the data grows and small segments make the kills land inside snapshots too.
* The reader test lets the child save continuously while this process refreshes a reader
  and checks, after every refresh, that it sees a consistent prefix with every report
  acknowledged before the refresh.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

from kiosk import ids
from kiosk.storage import JournalStore, open_repository

from tests.storage_helpers import (
    WHAT_HAPPENED,
    Child,
    clock,
    orphan_temps,
    record_ids,
    write_writer_script,
)

KILLS = 200
SEED = 20261121
COMPACT_BYTES = 10_000  # about 15 saves per segment: snapshots all the time
GENERATIONS = 2
PAUSE = 0.004  # between saves, so the data grows at a pace the test can reopen 200 times


def _check_prefix(store: JournalStore, checked: int) -> int:
    """Records 1..n and nothing else: a state the writer really had (saves are applied in
    order, one whole transaction at a time). Records after ``checked`` are looked at in full:
    each carries the id made from its number and the text written with that number.
    Returns n."""
    with store.lock:
        rows = store.tables.get("records", {})
        n = len(rows)
        assert all(1 <= int(key) <= n for key in rows), "a gap in the record numbers"
        for number in range(checked + 1, n + 1):
            doc = rows[str(number)]
            assert doc["id"] == ids.encode(number), (number, doc["id"])
            assert doc["what_happened"] == WHAT_HAPPENED.format(n=number), number
    return n


def test_kill_9_at_random_moments_never_loses_an_acknowledged_report(tmp_path: Path) -> None:
    script = write_writer_script(tmp_path)
    folder = tmp_path / "data"
    rng = random.Random(SEED)
    acked: set[str] = set()
    count = 0  # records in the folder after the last check
    stats: Counter[str] = Counter()

    def spawn(number: int) -> Child:
        return Child(
            script, folder, COMPACT_BYTES, GENERATIONS, PAUSE,
            stderr_path=tmp_path / f"child-{number}.err",
        )

    # The next child is started (and imports) while the current one runs; it touches the
    # folder only after "go", once the previous one is dead and checked.
    pending: Child | None = spawn(0)
    try:
        for kill in range(KILLS):
            child, pending = pending, (spawn(kill + 1) if kill + 1 < KILLS else None)
            assert child is not None
            try:
                assert child.readline() == "ready"
                child.send("go")
                assert child.readline() == f"open {count}", "the child saw other data"
                lines = [child.readline()]
                time.sleep(rng.uniform(0.0, 0.150))
                child.kill()
                lines += child.rest()
            finally:
                child.close()
            assert all(line.startswith("ok ") for line in lines), lines[-3:]
            new = [line.split()[1] for line in lines]
            acked.update(new)
            stats["acknowledged"] += len(new)
            if any(name.startswith(".kiosk.json.") for name in orphan_temps(folder)):
                stats["killed inside a snapshot"] += 1

            repo = open_repository(
                folder, clock=clock, compact_bytes=COMPACT_BYTES, generations=GENERATIONS
            )
            try:
                report = repo.store.report
                assert report.healthy, (kill, report)  # no damage, nothing missing
                assert not report.restored_from and not report.moved_aside, (kill, report)
                stats["torn tail"] += report.torn_tail
                missing = acked - record_ids(repo.store)
                assert not missing, (kill, sorted(missing)[:10])
                # Every id is checked through Repository.get every 20 kills and at the end;
                # in between, the ids acknowledged since the last kill (the set check above
                # already covers the rest, ~50x faster).
                full = kill % 20 == 19 or kill == KILLS - 1
                for record_id in sorted(acked) if full else new:
                    record = repo.get(record_id)
                    assert record is not None, (kill, record_id)
                    assert record.what_happened == WHAT_HAPPENED.format(n=ids.decode(record_id))
                now = _check_prefix(repo.store, count)
                # At most one save can be durable but unacknowledged (killed before "ok").
                assert now - count in (len(new), len(new) + 1), (kill, count, now, len(new))
                stats["durable, not acknowledged"] += now - count - len(new)
                count = now
                assert not orphan_temps(folder)
                seq, tables = repo.store.seq, repo.store.tables
            finally:
                repo.store.close(compact=False)
            reader = JournalStore(folder, writer=False)
            try:
                assert reader.seq == seq and reader.tables == tables, kill
            finally:
                reader.close()
    finally:
        if pending is not None:
            pending.close()

    print(f"\n{KILLS} kills, {count} records:", dict(stats))
    assert count >= len(acked) >= KILLS
    # The kills did land inside snapshots, not only between saves.
    assert stats["killed inside a snapshot"] >= 1, stats


def test_a_reader_sees_a_consistent_prefix_while_another_process_saves(tmp_path: Path) -> None:
    script = write_writer_script(tmp_path)
    folder = tmp_path / "data"
    # generations=1: old segments are deleted as early as possible, under the reader's feet.
    child = Child(script, folder, COMPACT_BYTES, 1, PAUSE, stderr_path=tmp_path / "child.err")
    try:
        assert child.readline() == "ready"
        child.send("go")
        assert child.readline() == "open 0"
        acked = [child.readline().split()[1]]
        reader = open_repository(folder, clock=clock, writer=False)
        reopened = Counter()
        reader.store.add_listener(lambda *change: None, lambda: reopened.update(["reset"]))
        checked = n = 0
        refreshes = 0
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            acked += [line.split()[1] for line in child.available_lines()]
            known = len(acked)
            reader.refresh()  # must never raise
            refreshes += 1
            n = _check_prefix(reader.store, n)
            assert n >= known, f"refresh {refreshes}: {known} acknowledged, reader has {n}"
            for record_id in acked[checked:known]:
                assert reader.get(record_id) is not None, record_id
            checked = known
        assert child.proc.poll() is None, child.stderr()
    finally:
        child.close()
    reader.refresh()
    assert set(acked) <= record_ids(reader.store)
    reader.close()
    assert refreshes >= 50 and len(acked) >= 200, (refreshes, len(acked))
    assert reopened["reset"] >= 3, "the reader never crossed a snapshot"
