"""Recovery paths found by review: a kill during a repair, a save whose take-back failed,
a counter that fell behind, data from a newer kiosk, copies beyond the configured count."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import kiosk.storage.journal as journal
from kiosk.core.records import SCHEMA_VERSION, ReportDraft
from kiosk.storage import JournalStore, StorageError, open_repository
from kiosk.storage.errors import NewerSchema
from kiosk.storage.format import read_snapshot
from tests.support.clock import fixed_clock


def draft(n: int) -> ReportDraft:
    return ReportDraft(kind="error", area="Calidad", what_happened=f"Registro de prueba número {n}")


class Killed(BaseException):
    """Stands for SIGKILL in the middle of a step: nothing after it runs."""


def test_a_kill_during_the_repair_loses_no_good_save(tmp_path: Path, monkeypatch):
    repo = open_repository(tmp_path, clock=fixed_clock)
    saved = [repo.add_report(draft(n), areas=None).id for n in range(10)]
    repo.store.close(compact=False)  # everything is in the journal only
    segment = next(tmp_path.glob("journal-*.log"))
    lines = segment.read_bytes().splitlines(keepends=True)
    lines[4] = lines[4].replace(b"prueba", b"pruebo")  # the 5th save no longer matches its CRC
    segment.write_bytes(b"".join(lines))

    real_chunks = journal.snapshot_chunks

    def dies_halfway(tables, meta):
        for number, chunk in enumerate(real_chunks(tables, meta)):
            if number == 3:
                raise Killed
            yield chunk

    monkeypatch.setattr(journal, "snapshot_chunks", dies_halfway)
    with pytest.raises(Killed):
        JournalStore(tmp_path)
    monkeypatch.setattr(journal, "snapshot_chunks", real_chunks)

    repo = open_repository(tmp_path, clock=fixed_clock)
    try:
        present = [record_id for record_id in saved if repo.get(record_id) is not None]
        assert present == saved[:4] + saved[5:]  # only the damaged save itself is missing
        assert repo.store.report.missing_seqs == 1 and repo.store.report.moved_aside
    finally:
        repo.close()
    reopened = JournalStore(tmp_path)  # the repair completed: healthy from now on
    assert reopened.report.healthy
    reopened.close()


def test_a_save_whose_take_back_failed_never_replaces_the_acknowledged_one(tmp_path, monkeypatch):
    store = JournalStore(tmp_path)
    store.commit([("put", "notas", "1", {"t": "uno"})])
    failing = {"on": True}
    real_fdatasync, real_ftruncate = journal.os.fdatasync, journal.os.ftruncate

    def fdatasync(fd):
        if failing["on"]:
            raise OSError(errno.EIO, "I/O error")
        return real_fdatasync(fd)

    def ftruncate(fd, size):
        if failing["on"]:
            raise OSError(errno.EIO, "I/O error")
        return real_ftruncate(fd, size)

    monkeypatch.setattr(journal.os, "fdatasync", fdatasync)
    monkeypatch.setattr(journal.os, "ftruncate", ftruncate)
    reader = JournalStore(tmp_path, writer=False)
    with pytest.raises(StorageError):
        store.commit([("put", "notas", "2", {"t": "never acknowledged"})])
    reader.refresh()  # a reader may read the line that stayed behind
    failing["on"] = False
    store.commit([("put", "notas", "2", {"t": "ACKNOWLEDGED"})])
    reader.refresh()
    assert reader.get("notas", "2") == {"t": "ACKNOWLEDGED"}
    store.close(compact=False)
    reopened = JournalStore(tmp_path)
    assert reopened.get("notas", "2") == {"t": "ACKNOWLEDGED"}
    reopened.close()


def test_a_counter_that_fell_behind_never_hands_out_a_taken_number(repo):
    first = repo.add_report(draft(1), areas=None)
    second = repo.add_report(draft(2), areas=None)
    repo.store.commit([("put", "counters", "1", {"records": 1})])
    third = repo.add_report(draft(3), areas=None)
    assert third.id not in (first.id, second.id)
    assert repo.get(second.id).what_happened == "Registro de prueba número 2"
    assert repo.count() == 3


def test_newer_data_is_never_written_by_this_kiosk(tmp_path: Path):
    store = JournalStore(tmp_path)
    store.commit([("put", "records", "1", {"x": 1})])
    store.schema = SCHEMA_VERSION + 1
    store.compact()  # as a newer kiosk would have left it: a snapshot plus journal lines
    store.commit([("put", "records", "2", {"x": 2})])
    store.close(compact=False)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}

    deferred = JournalStore(tmp_path, load=False)  # how `kiosk run` opens it
    with pytest.raises(NewerSchema):
        deferred.load()
    deferred.close()
    with pytest.raises(NewerSchema):
        JournalStore(tmp_path)  # with repair on, too
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name != "kiosk.lock"}
    assert after == {k: v for k, v in before.items() if k != "kiosk.lock"}


def test_copies_beyond_the_configured_count_are_removed(tmp_path: Path):
    store = JournalStore(tmp_path, generations=5, compact_bytes=1)
    for n in range(8):
        store.commit([("put", "records", str(n), {"n": n})])
        store.compact()
    store.close()
    assert (tmp_path / "kiosk.json.5").exists()
    store = JournalStore(tmp_path, generations=1)
    store.commit([("put", "records", "99", {"n": 99})])
    store.compact()
    store.close()
    assert sorted(p.name for p in tmp_path.glob("kiosk.json*")) == ["kiosk.json", "kiosk.json.1"]
    assert len(list(tmp_path.glob("journal-*.log"))) <= 2
    assert read_snapshot(tmp_path / "kiosk.json")[0]["records"]["99"] == {"n": 99}
