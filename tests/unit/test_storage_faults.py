"""Faults: failing system calls, a really full disk, and damaged files found at start.

The promises under test (PITFALLS 1.1 and section 5, items 2-4):

* a save that fails raises StorageFull / StorageError, changes nothing in memory and leaves the
  files exactly as they were, and the next save after the fault clears works;
* a failing snapshot (compaction) loses nothing and leaves no temporary files behind;
* damaged data at start is moved aside (never deleted), the newest good copy is used, every
  acknowledged record is there, and the store never comes up empty over damaged data.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core import ids
from kiosk.storage import DataDamaged, JournalStore, StorageError, StorageFull, open_repository, recovery
from kiosk.storage.format import encode_entry, read_snapshot
from tests.support.storage import (
    FaultyOS,
    add_reports,
    clock,
    draft,
    files_state,
    generation_paths,
    journal_entries,
    orphan_temps,
    record_ids,
    segment_paths,
    snapshot_seq,
    tables_of,
)


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> FaultyOS:
    """The storage modules' ``os``, with faults on demand."""
    import importlib

    from tests.support.storage import OS_MODULES

    fake = FaultyOS()
    for name in OS_MODULES:
        monkeypatch.setattr(importlib.import_module(name), "os", fake)
    return fake


def build_folder(folder: Path, *, generations: int) -> dict:
    """Twelve reports: 1-4 and 5-8 are in snapshots, 9-12 only in the journal.

    With ``generations`` >= 2 every segment is still there (kiosk.json = seq 8, .1 = seq 4,
    .2 = seq 0); with 1, the first segment has been collected. Returns the tables.
    """
    repo = open_repository(folder, clock=clock, generations=generations)
    add_reports(repo, 1, 4)
    repo.store.compact()
    add_reports(repo, 5, 4)
    repo.store.compact()
    add_reports(repo, 9, 4)
    expected = tables_of(repo.store)
    repo.store.close(compact=False)
    return expected


def assert_complete(store: JournalStore, expected: dict) -> None:
    assert tables_of(store) == expected
    assert store.seq == 12


def assert_every_snapshot_rolls_forward(folder: Path, seq: int) -> None:
    """Each snapshot on disk parses, and the journal still holds every save after it."""
    have = {e["seq"] for e in journal_entries(folder)}
    for path in [folder / "kiosk.json", *generation_paths(folder)]:
        read_snapshot(path)
        needed = set(range(snapshot_seq(path) + 1, seq + 1))
        assert needed <= have, f"{path.name}: journal misses {sorted(needed - have)[:5]}"


# ---------------------------------------------------------------------------------------------
# A save that fails


COMMIT_FAULTS = [
    pytest.param("write", errno.ENOSPC, False, StorageFull, id="write-ENOSPC"),
    pytest.param("write", errno.ENOSPC, True, StorageFull, id="short-write-then-ENOSPC"),
    pytest.param("write", errno.EDQUOT, False, StorageFull, id="write-EDQUOT"),
    pytest.param("write", errno.EIO, False, StorageError, id="write-EIO"),
    pytest.param("write", errno.EIO, True, StorageError, id="short-write-then-EIO"),
    pytest.param("fdatasync", errno.ENOSPC, False, StorageFull, id="fdatasync-ENOSPC"),
    pytest.param("fdatasync", errno.EIO, False, StorageError, id="fdatasync-EIO"),
]


@pytest.mark.parametrize("call, err, short, raised", COMMIT_FAULTS)
@pytest.mark.parametrize("at", [1, 3])
@pytest.mark.parametrize("then", ["retry", "restart"])
def test_a_failed_save_changes_nothing_and_the_next_one_works(
    tmp_path: Path, faulty: FaultyOS, call: str, err: int, short: bool, raised: type,
    at: int, then: str,
) -> None:
    folder = tmp_path / "data"
    repo = open_repository(folder, clock=clock, generations=2)
    acked = add_reports(repo, 1, 5)
    faulty.fail(call, at=at, err=err, short=short)

    # Saves go on until the fault's call comes; that save fails.
    number = 6
    while True:
        acknowledged_tables, acknowledged_files = tables_of(repo.store), files_state(folder)
        seq = repo.store.seq
        try:
            acked.append(repo.add_report(draft(number), areas=None).id)
        except StorageError as exc:
            failure = exc
            break
        number += 1
        assert number < 10, "the fault never fired"
    assert type(failure) is raised, repr(failure)
    assert failure.errno == err
    assert faulty.failed[call] == 1
    assert len(acked) == 5 + at - 1

    # Nothing applied in memory, nothing changed on disk.
    assert repo.store.seq == seq
    assert tables_of(repo.store) == acknowledged_tables
    assert repo.count() == len(acked)
    assert repo.get(ids.encode(number)) is None
    assert files_state(folder) == acknowledged_files
    # The fault persists: the same save fails the same way, still changing nothing.
    with pytest.raises(raised):
        repo.add_report(draft(number), areas=None)
    assert tables_of(repo.store) == acknowledged_tables
    now = files_state(folder)
    # (after an I/O error the retry goes to a new segment, which may exist by now, empty)
    new_files = {name: data for name, data in now.items() if name not in acknowledged_files}
    assert all(n.startswith("journal-") and d == b"" for n, d in new_files.items()), new_files
    assert {n: d for n, d in now.items() if n in acknowledged_files} == acknowledged_files
    # Another process reading the folder now sees exactly the acknowledged state.
    reader = JournalStore(folder, writer=False)
    assert reader.seq == seq and tables_of(reader) == acknowledged_tables
    reader.close()

    if then == "retry":
        faulty.clear()
        record = repo.add_report(draft(number), areas=None)
        assert record.id == ids.encode(number), "the failed save used no number"
        acked.append(record.id)
        expected = tables_of(repo.store)
        repo.store.close(compact=False)
    else:
        repo.store.close(compact=False)  # as if the kiosk had been restarted
        faulty.clear()
        expected = acknowledged_tables

    again = open_repository(folder, clock=clock, generations=2)
    assert again.store.report.healthy, again.store.report
    assert not again.store.report.torn_tail
    assert tables_of(again.store) == expected
    assert record_ids(again.store) == set(acked)
    assert not orphan_temps(folder)
    acked.append(again.add_report(draft(50), areas=None).id)
    again.close()
    third = open_repository(folder, clock=clock)
    assert third.store.report.healthy and record_ids(third.store) == set(acked)
    third.close()


def test_a_segment_that_cannot_be_started_fails_the_save_cleanly(
    tmp_path: Path, faulty: FaultyOS
) -> None:
    """After a failed fdatasync the next save starts a new segment; if even that fails (fsync
    of the new file or of the folder), the save fails and nothing changes."""
    folder = tmp_path / "data"
    repo = open_repository(folder, clock=clock)
    acked = add_reports(repo, 1, 3)
    expected = tables_of(repo.store)
    faulty.fail("fdatasync", err=errno.EIO, once=True)
    with pytest.raises(StorageError):
        repo.add_report(draft(4), areas=None)
    for step in (1, 2):  # the segment file's fsync, then the folder's
        faulty.fail("fsync", at=step, err=errno.EIO, once=True)
        with pytest.raises(StorageError) as caught:
            repo.add_report(draft(4), areas=None)
        assert "journal segment" in str(caught.value)
        assert type(caught.value) is StorageError and caught.value.errno == errno.EIO
        assert tables_of(repo.store) == expected
    faulty.clear()
    acked.append(repo.add_report(draft(4), areas=None).id)
    assert len(segment_paths(folder)) == 2, "the save after an EIO went to a new segment"
    repo.store.close(compact=False)
    again = open_repository(folder, clock=clock)
    assert again.store.report.healthy
    assert record_ids(again.store) == set(acked)
    again.close()


@pytest.mark.parametrize("fresh_segment", [True, False], ids=["fresh-segment", "used-segment"])
def test_a_fragment_that_cannot_be_cut_off_never_swallows_a_later_save(
    tmp_path: Path, faulty: FaultyOS, fresh_segment: bool
) -> None:
    """A short write, then ENOSPC, then even the ftruncate that takes the fragment back fails:
    the fragment stays in the file. The next acknowledged save must not end up glued to it
    (one unreadable line) — also when the segment had no saves yet, so that the "new" segment
    has the same name as the old one."""
    folder = tmp_path / "data"
    repo = open_repository(folder, clock=clock)
    acked = add_reports(repo, 1, 3)
    if fresh_segment:
        repo.store.compact()  # starts an empty segment named after the current seq
    expected = tables_of(repo.store)
    faulty.fail("write", short=True)
    faulty.fail("ftruncate", err=errno.EIO)
    with pytest.raises(StorageFull):
        repo.add_report(draft(4), areas=None)
    assert tables_of(repo.store) == expected
    reader = JournalStore(folder, writer=False)  # the fragment reads as a torn tail
    assert tables_of(reader) == expected
    reader.close()
    faulty.clear()
    acked.append(repo.add_report(draft(4), areas=None).id)
    acked.append(repo.add_report(draft(5), areas=None).id)
    expected = tables_of(repo.store)
    repo.store.close(compact=False)  # a crash: only the journal has saves 4 and 5

    again = open_repository(folder, clock=clock)
    assert record_ids(again.store) == set(acked), again.store.report
    assert tables_of(again.store) == expected
    report = again.store.report
    assert report.missing_seqs == 0
    if fresh_segment:  # the fragment was cut off before the next save went into that file
        assert report.healthy, report
    else:  # the next save went to a new segment; the old one ends in junk, reported as such
        assert [str(d).split(": ")[1] for d in report.damaged] == ["cut short"], report
    again.close()
    third = open_repository(folder, clock=clock)
    assert third.store.report.healthy and record_ids(third.store) == set(acked)
    third.close()


@pytest.mark.parametrize("err", [errno.EIO, errno.ENOSPC])
@pytest.mark.parametrize("fresh_segment", [True, False], ids=["fresh-segment", "used-segment"])
def test_a_reader_never_keeps_a_save_that_failed(
    tmp_path: Path, faulty: FaultyOS, err: int, fresh_segment: bool
) -> None:
    """A reader that read a whole line before the writer took it back (its fdatasync failed)
    must not keep that save, nor skip the real one made next with the same number."""
    folder = tmp_path / "data"
    writer = JournalStore(folder)
    writer.commit([("put", "notas", "1", {"texto": "primera"})])
    if fresh_segment:
        writer.compact()
    reader = JournalStore(folder, writer=False)
    # The reader looks at the files while the failing line is in them.
    faulty.fail("fdatasync", err=err, once=True, before=reader.refresh)
    with pytest.raises(StorageError):
        writer.commit([("put", "notas", "2", {"texto": "no se guardó"})])
    assert faulty.failed["fdatasync"] == 1
    writer.commit([("put", "notas", "2", {"texto": "guardada"})])
    try:
        assert reader.refresh() is True
        assert reader.get("notas", "2") == {"texto": "guardada"}
        assert tables_of(reader) == tables_of(writer) and reader.seq == writer.seq == 2
        writer.commit([("put", "notas", "3", {"texto": "después"})])
        assert reader.refresh() is True and reader.get("notas", "3") == {"texto": "después"}
    finally:
        reader.close()
        writer.close()


# ---------------------------------------------------------------------------------------------
# A snapshot that fails


def _template(tmp_path: Path) -> tuple[Path, dict]:
    template = tmp_path / "template"
    expected = build_folder(template, generations=2)
    return template, expected


@pytest.mark.parametrize(
    "call, err",
    [
        ("handle.write", errno.ENOSPC),
        ("fsync", errno.EIO),
        ("fsync", errno.ENOSPC),
        ("replace", errno.EIO),
        ("replace", errno.ENOSPC),
    ],
)
def test_a_failed_snapshot_at_every_step_loses_nothing(
    tmp_path: Path, faulty: FaultyOS, call: str, err: int
) -> None:
    template, expected = _template(tmp_path)

    # A clean run first, to count how many times a snapshot makes this call.
    dry = tmp_path / "dry"
    shutil.copytree(template, dry)
    store = JournalStore(dry, generations=2)
    before = faulty.calls[call]
    store.compact()
    steps = faulty.calls[call] - before
    store.close(compact=False)
    assert steps >= (4 if call == "handle.write" else 3), steps

    for step in range(1, steps + 1):
        folder = tmp_path / f"step-{call}-{step}"
        shutil.copytree(template, folder)
        store = JournalStore(folder, generations=2)
        faulty.fail(call, at=step, err=err)
        with pytest.raises((OSError, StorageError)) as caught:
            store.compact()
        assert caught.value.errno == err, (step, caught.value)
        assert faulty.failed[call] >= 1
        assert tables_of(store) == expected and store.seq == 12, step
        faulty.clear()
        # The folder as it is now (a crash right here) has everything.
        reader = JournalStore(folder, writer=False)
        assert tables_of(reader) == expected, step
        reader.close()
        # Saves go on, and the next snapshot works.
        store.commit([("put", "notas", "1", {"texto": f"después del fallo {step}"})])
        store.compact()
        final = tables_of(store)
        store.close(compact=False)

        again = JournalStore(folder, generations=2)
        assert again.report.healthy, (step, again.report)
        assert tables_of(again) == final and again.seq == 13, step
        assert not orphan_temps(folder), (step, orphan_temps(folder))
        assert_every_snapshot_rolls_forward(folder, 13)
        again.close(compact=False)


def test_a_failed_background_snapshot_does_not_fail_the_save(
    tmp_path: Path, faulty: FaultyOS, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    repo = open_repository(folder, clock=clock, compact_bytes=1, generations=2)
    acked = add_reports(repo, 1, 2)
    repo.store.wait_for_compaction()
    faulty.fail("replace", err=errno.ENOSPC)
    with caplog.at_level(logging.WARNING, logger="kiosk.storage.journal"):
        for n in range(3, 8):
            acked.append(repo.add_report(draft(n), areas=None).id)  # acknowledged all the same
            repo.store.wait_for_compaction()
    assert faulty.failed["replace"] >= 1
    assert any("background snapshot failed" in r.message for r in caplog.records)
    assert repo.count() == 7
    faulty.clear()
    acked.append(repo.add_report(draft(8), areas=None).id)
    repo.store.wait_for_compaction()
    repo.close()
    again = open_repository(folder, clock=clock)
    assert again.store.report.healthy and record_ids(again.store) == set(acked)
    assert not orphan_temps(folder)
    again.close()


# ---------------------------------------------------------------------------------------------
# A really full disk


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 512 KiB tmpfs of our own (needs root; skipped, with the reason, where not allowed)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(mount_point)],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot run mount: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip() or done.returncode}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_a_really_full_disk_keeps_every_acknowledged_report(small_disk: Path) -> None:
    filler = small_disk / "relleno.bin"
    filler.write_bytes(b"\xff" * 128 * 1024)
    folder = small_disk / "data"
    # Small segments, so snapshots (and their failures) happen while the disk fills up.
    repo = open_repository(folder, clock=clock, compact_bytes=20_000, generations=2)
    acked: list[str] = []
    number = 1
    while True:
        assert number < 5000, "the disk never filled up"
        try:
            acked.append(repo.add_report(draft(number), areas=None).id)
            number += 1
            continue
        except StorageFull:
            pass
        # A snapshot running in the background may still give its space back when it fails:
        # only a save refused with no snapshot under way means the disk is really full.
        repo.store.wait_for_compaction()
        try:
            acked.append(repo.add_report(draft(number), areas=None).id)
            number += 1
        except StorageFull:
            failed = number
            break
    assert len(acked) > 100, "the disk filled up suspiciously early"
    assert repo.count() == len(acked)
    assert repo.get(ids.encode(failed)) is None, "the failed report is not shown as saved"
    # A snapshot cannot be written either; it fails without leaving its temporary file.
    with pytest.raises((OSError, StorageError)) as caught:
        repo.store.compact()
    assert caught.value.errno == errno.ENOSPC
    assert not orphan_temps(folder)
    with pytest.raises(StorageFull):  # still full: still refused, still nothing changed
        repo.add_report(draft(failed), areas=None)
    assert repo.count() == len(acked)
    expected = tables_of(repo.store)
    repo.store.close(compact=False)

    # Restart on the still-full disk: everything acknowledged is there, the failed one is not.
    again = open_repository(folder, clock=clock, compact_bytes=20_000, generations=2)
    assert again.store.report.healthy, again.store.report
    assert tables_of(again.store) == expected
    for record_id in acked:
        assert again.get(record_id) is not None, record_id
    assert again.get(ids.encode(failed)) is None
    reader = JournalStore(folder, writer=False)
    assert tables_of(reader) == expected
    reader.close()

    # Space freed: saving works again, on the same open store.
    filler.unlink()
    acked += add_reports(again, failed, 5)
    again.close()
    third = open_repository(folder, clock=clock)
    assert third.store.report.healthy
    assert record_ids(third.store) == set(acked)
    assert not orphan_temps(folder)
    third.close()


# ---------------------------------------------------------------------------------------------
# Damaged data at start


def _damage_snapshot(kind: str, raw: bytes) -> bytes:
    return {
        "truncated": raw[: len(raw) // 2],
        "trailing-garbage": raw + b'ords": {"1": {}}}',  # the stale tail TinyDB itself leaves
        "garbage": bytes(range(256)) * 4,
        "zero-bytes": b"",
        "nul-filled": b"\0" * len(raw),
        "empty-tinydb": b'{"_default": {}}',  # valid JSON, but not our data
    }[kind]


SNAPSHOT_DAMAGE = [
    "truncated", "trailing-garbage", "garbage", "zero-bytes", "nul-filled", "empty-tinydb",
]


@pytest.mark.parametrize("kind", SNAPSHOT_DAMAGE)
def test_a_damaged_snapshot_is_set_aside_and_the_newest_good_copy_used(
    tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    main = folder / "kiosk.json"
    damaged = _damage_snapshot(kind, main.read_bytes())
    main.write_bytes(damaged)
    before = files_state(folder)

    with pytest.raises(DataDamaged):
        JournalStore(folder, repair=False, generations=3)
    assert files_state(folder) == before, "repair=False changes nothing"
    assert not (folder / "damaged").exists()

    store = JournalStore(folder, generations=3)
    report = store.report
    assert report.restored_from == "kiosk.json.1"
    assert report.snapshot_seq == 4 and report.replayed == 8
    assert [str(d).split(":")[0] for d in report.damaged] == ["kiosk.json"]
    assert len(report.moved_aside) == 1
    aside = Path(report.moved_aside[0])
    assert aside.parent == folder / "damaged" and aside.name.startswith("kiosk.json.")
    assert aside.read_bytes() == damaged, "the damaged file is kept as it was"
    assert_complete(store, expected)
    # The recovered state is the new current snapshot, readable by anyone.
    assert snapshot_seq(main) == 12
    store.close(compact=False)

    again = JournalStore(folder, generations=3)
    assert again.report.healthy and not again.report.restored
    assert_complete(again, expected)
    again.close(compact=False)
    assert [p.name for p in (folder / "damaged").iterdir()] == [aside.name]


def test_a_missing_snapshot_is_restored_from_the_newest_generation(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    (folder / "kiosk.json").unlink()
    with pytest.raises(DataDamaged):
        JournalStore(folder, repair=False)
    store = JournalStore(folder, generations=3)
    assert store.report.restored_from == "kiosk.json.1"
    assert [str(d) for d in store.report.damaged] == ["kiosk.json: missing"]
    assert store.report.moved_aside == []
    assert_complete(store, expected)
    store.close(compact=False)
    again = JournalStore(folder, generations=3)
    assert again.report.healthy
    assert_complete(again, expected)
    again.close(compact=False)


def test_every_snapshot_damaged_but_the_whole_journal_kept(tmp_path: Path) -> None:
    """Without generations, a journal that still starts at save 1 is a good copy too."""
    folder = tmp_path / "data"
    repo = open_repository(folder, clock=clock, generations=0)
    acked = add_reports(repo, 1, 6)
    expected = tables_of(repo.store)
    repo.store.close(compact=False)
    (folder / "kiosk.json").write_bytes(b"\0" * 4096)
    store = JournalStore(folder, generations=0)
    assert store.report.restored_from == "(journal)"
    assert store.report.damaged and store.report.moved_aside
    assert tables_of(store) == expected and record_ids(store) == set(acked)
    store.close(compact=False)


@pytest.mark.parametrize("kind", ["truncated", "zero-bytes", "nul-filled", "garbage"])
def test_no_good_copy_at_all_never_comes_up_empty(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "data"
    build_folder(folder, generations=1)  # kiosk.json (8), .1 (4), saves 5-12 in the journal
    assert next(p.name for p in segment_paths(folder)) != "journal-000000000000.log"
    for path in [folder / "kiosk.json", folder / "kiosk.json.1"]:
        path.write_bytes(_damage_snapshot(kind, path.read_bytes()))
    before = files_state(folder)
    for options in ({"repair": True}, {"repair": False}, {"writer": False}):
        with pytest.raises(DataDamaged) as caught:
            JournalStore(folder, **options)
        assert "kiosk.json" in str(caught.value)
        assert files_state(folder) == before, options
        assert not (folder / "damaged").exists()


@pytest.mark.parametrize("content", [b"", b"\0" * 8192, b"{", b'{"_default": {}}'])
def test_a_lone_damaged_snapshot_is_not_mistaken_for_a_new_folder(
    tmp_path: Path, content: bytes
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "kiosk.json").write_bytes(content)
    with pytest.raises(DataDamaged):
        JournalStore(folder)
    assert (folder / "kiosk.json").read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == ["kiosk.json", "kiosk.lock"]


def _corrupt_line(path: Path, index: int) -> bytes:
    lines = path.read_bytes().splitlines(keepends=True)
    assert b"Envasado" in lines[index]
    lines[index] = lines[index].replace(b"Envasado", b"Envasadx", 1)  # the checksum fails
    path.write_bytes(b"".join(lines))
    return path.read_bytes()


def test_a_damaged_line_in_an_old_segment_loses_nothing(tmp_path: Path) -> None:
    """The segment is still kept for the generations, but kiosk.json already holds its saves."""
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    segment = folder / "journal-000000000000.log"
    damaged = _corrupt_line(segment, 1)
    with pytest.raises(DataDamaged):
        JournalStore(folder, repair=False, generations=3)
    store = JournalStore(folder, generations=3)
    report = store.report
    assert report.restored_from == "" and report.missing_seqs == 0
    assert [str(d) for d in report.damaged] == ["journal-000000000000.log: 1 damaged line(s)"]
    assert [Path(p).read_bytes() for p in report.moved_aside] == [damaged]
    assert not segment.exists()
    assert_complete(store, expected)
    store.close(compact=False)
    again = JournalStore(folder, generations=3)
    assert again.report.healthy
    assert_complete(again, expected)
    again.close(compact=False)


def test_a_damaged_line_in_the_live_segment_loses_only_that_save(tmp_path: Path) -> None:
    """Save 10's only copy is the damaged line: it cannot come back, but it is reported
    (missing_seqs), its bytes are kept in damaged/, and every other save is there."""
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    segment = folder / "journal-000000000008.log"
    damaged = _corrupt_line(segment, 1)  # seq 10
    with pytest.raises(DataDamaged):
        JournalStore(folder, repair=False, generations=3)
    repo = open_repository(folder, clock=clock, generations=3)
    report = repo.store.report
    assert [str(d) for d in report.damaged] == ["journal-000000000008.log: 1 damaged line(s)"]
    assert report.missing_seqs == 1 and report.seq == 12
    assert [Path(p).read_bytes() for p in report.moved_aside] == [damaged]
    lost = ids.encode(10)
    assert repo.get(lost) is None
    assert record_ids(repo.store) == {d["id"] for d in expected["records"].values()} - {lost}
    record = repo.add_report(draft(13), areas=None)
    assert record.id == ids.encode(13), "the lost save's number is not handed out again"
    acked = record_ids(repo.store) | {record.id}
    repo.store.close(compact=False)
    again = open_repository(folder, clock=clock, generations=3)
    assert again.store.report.healthy
    assert record_ids(again.store) == acked
    again.store.close(compact=False)


def test_a_torn_last_line_is_dropped_silently(tmp_path: Path) -> None:
    """A kill in the middle of a save that was never acknowledged: not damage."""
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    segment = folder / "journal-000000000008.log"
    good = segment.read_bytes()
    segment.write_bytes(good + encode_entry(13, [("put", "records", "13", {"id": "X"})])[:57])
    reader = JournalStore(folder, writer=False)
    assert tables_of(reader) == expected and reader.report.torn_tail
    reader.close()
    repo = open_repository(folder, clock=clock, repair=False, generations=3)
    report = repo.store.report
    assert report.healthy and report.torn_tail
    assert report.damaged == [] and report.moved_aside == [] and report.restored_from == ""
    assert not (folder / "damaged").exists()
    assert segment.read_bytes() == good, "the fragment was cut off"
    assert_complete(repo.store, expected)
    acked = record_ids(repo.store) | {repo.add_report(draft(13), areas=None).id}
    repo.store.close(compact=False)
    again = open_repository(folder, clock=clock, generations=3)
    assert again.store.report.healthy and not again.store.report.torn_tail
    assert record_ids(again.store) == acked
    again.store.close(compact=False)


def test_a_cut_short_older_segment_is_damage(tmp_path: Path) -> None:
    """Only the newest segment can end in a torn save; anywhere else it is reported."""
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    segment = folder / "journal-000000000004.log"
    segment.write_bytes(segment.read_bytes() + b'{"seq": 9, "ops": [')
    with pytest.raises(DataDamaged):
        JournalStore(folder, repair=False, generations=3)
    store = JournalStore(folder, generations=3)
    assert [str(d) for d in store.report.damaged] == ["journal-000000000004.log: cut short"]
    assert len(store.report.moved_aside) == 1
    assert_complete(store, expected)
    store.close(compact=False)


def test_orphan_temporary_files_are_removed_at_start(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    (folder / ".kiosk.json.abc123.tmp").write_bytes(b'{"_meta": {"1": {"se')
    (folder / ".kiosk.json.1.link.tmp").write_bytes(b"")
    store = JournalStore(folder, generations=3)
    assert store.report.healthy
    assert not orphan_temps(folder)
    assert_complete(store, expected)
    store.close(compact=False)


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return cls(2026, 11, 21, 10, 0, 0, tzinfo=tz)


def test_two_repairs_in_the_same_second_keep_both_damaged_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recovery, "datetime", _FrozenDatetime)
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    kept = []
    for content in (b"", b"\0" * 100):
        (folder / "kiosk.json").write_bytes(content)
        store = JournalStore(folder, generations=3)
        assert len(store.report.moved_aside) == 1
        kept.append(content)
        assert_complete(store, expected)
        store.close(compact=False)
    found = sorted(p.read_bytes() for p in (folder / "damaged").iterdir())
    assert found == sorted(kept), "a damaged file was overwritten, i.e. deleted"


def test_kiosk_check_notices_an_older_segment_cut_at_a_line_boundary(tmp_path: Path) -> None:
    """Found by the soak: such a segment parses cleanly and a start never reads it (kiosk.json
    holds its saves), but it leaves the older generation unable to roll forward."""
    folder = tmp_path / "data"
    expected = build_folder(folder, generations=3)
    segment = folder / "journal-000000000004.log"
    segment.write_bytes(b"".join(segment.read_bytes().splitlines(keepends=True)[:-1]))
    store = JournalStore(folder, generations=3)
    assert store.report.healthy  # the start is right: nothing it needs is missing
    assert_complete(store, expected)
    store.close(compact=False)
    check = JournalStore(folder, writer=False, verify_all=True)
    assert [str(d) for d in check.report.damaged] == ["journal-000000000004.log: cut short"]
    check.close()
