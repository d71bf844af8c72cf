"""A second process: the storage promises, tested with real processes.

PITFALLS section 5, items 1 and 6. A child Python process saves reports in a loop and prints
``ok <id>`` (flushed) after every ``add_report`` that returned, i.e. every acknowledged save.
The kill -9 test (200 kills at random moments) is the soak's ``kill9`` scenario, run by
tests/test_soak.py.

* The reader test lets the child save continuously while this process refreshes a reader
  and checks, after every refresh, that it sees a consistent prefix with every report
  acknowledged before the refresh.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from kiosk.storage import open_repository
from tests.support.soak import Row, _check_prefix
from tests.support.storage import Child, clock, record_ids, write_writer_script

COMPACT_BYTES = 10_000  # about 15 saves per segment: snapshots all the time
PAUSE = 0.004  # between saves


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
        row = Row("reader")
        refreshes = 0
        # Until the reader has crossed three snapshots among 200 saves (a few seconds here; a
        # loaded machine takes longer, so the bound is generous rather than the target).
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and not (
                reopened["reset"] >= 3 and len(acked) >= 200 and refreshes >= 50):
            acked += [line.split()[1] for line in child.available_lines()]
            known = len(acked)
            reader.refresh()  # must never raise
            refreshes += 1
            n = _check_prefix(reader.store, n, row, refreshes)
            assert row.clean, row.problems
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
