"""Unit tests of the journal store (kiosk.storage.journal) and of its snapshot as TinyDB reads it.

What an acknowledged save means here: ``commit`` (or ``add_report``) returned. Such a save must
be in the files, in exactly the form the process saw it, whatever happens afterwards; and stock
TinyDB must still be able to read the snapshot.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest
import tinydb
from tinydb import Query

from kiosk.core import ids
from kiosk.storage import DataFolderBusy, JournalStore, StorageError, open_repository
from tests.support.storage import (
    WHAT_HAPPENED,
    Child,
    add_reports,
    clock,
    files_state,
    generation_paths,
    journal_entries,
    orphan_temps,
    segment_base,
    segment_paths,
    snapshot_seq,
    tables_of,
    write_writer_script,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def reopen(folder: Path, **kwargs) -> JournalStore:
    return JournalStore(folder, **kwargs)


# ---------------------------------------------------------------------------------------------
# Commit and reopen


def test_commit_then_reopen_gives_the_same_tables(folder: Path) -> None:
    store = JournalStore(folder)
    assert store.report.fresh
    assert (folder / "kiosk.json").exists(), "a fresh folder starts with an empty snapshot"
    begoña = {"nombre": "Begoña Núñez", "área": "Envasado"}
    seq1 = store.commit([("put", "personas", "1", begoña)])
    seq2 = store.commit(
        [
            ("put", "personas", "2", {"nombre": "José Ángel", "notas": ["¿Café?", "¡Sí!"]}),
            ("put", "contadores", "personas", {"last": 2}),
        ]
    )
    seq3 = store.commit([("del", "personas", "1")])
    assert (seq1, seq2, seq3) == (1, 2, 3)
    assert store.get("personas", "1") is None
    expected = tables_of(store)
    store.close(compact=False)  # as good as a crash: only the journal has the saves

    again = reopen(folder)
    assert again.report.healthy and not again.report.fresh
    assert again.report.replayed == 3 and again.seq == 3
    assert tables_of(again) == expected
    assert again.get("personas", "2")["notas"] == ["¿Café?", "¡Sí!"]
    again.close()  # clean shutdown: a fresh snapshot, nothing left to replay

    third = reopen(folder)
    assert third.report.replayed == 0 and third.report.snapshot_seq == 3
    assert tables_of(third) == expected
    third.close()


def test_an_empty_transaction_writes_nothing(folder: Path) -> None:
    store = JournalStore(folder)
    before = files_state(folder)
    assert store.commit([]) == 0
    assert files_state(folder) == before
    store.close(compact=False)


@pytest.mark.parametrize(
    "bad_op",
    [
        ("bogus", "t", "1"),
        ("put", "t", "1"),
        ("put", "t", 1, {"n": 1}),
        ("put", "t", "1", ["not", "a", "document"]),
        ("put", "_meta", "1", {"seq": 99}),
        ("del", 7, "1"),
    ],
    ids=["unknown-kind", "put-without-doc", "int-key", "list-doc", "meta-table", "int-table"],
)
def test_a_malformed_operation_is_refused_before_anything_is_written(
    folder: Path, bad_op: tuple
) -> None:
    """A programming error must not become a journal line that every later open trips over
    (or a snapshot that is not valid JSON)."""
    store = JournalStore(folder)
    store.commit([("put", "t", "0", {"n": 0})])
    before, tables = files_state(folder), tables_of(store)
    with pytest.raises((ValueError, TypeError)):
        store.commit([("put", "t", "2", {"n": 2}), bad_op])
    assert store.seq == 1 and tables_of(store) == tables
    assert files_state(folder) == before
    store.compact()
    store.close()
    again = reopen(folder)
    assert again.report.healthy and tables_of(again) == tables
    again.close()


def test_a_closed_store_refuses_saves(folder: Path) -> None:
    store = JournalStore(folder)
    store.close()
    with pytest.raises(StorageError):
        store.commit([("put", "t", "1", {"n": 1})])


# ---------------------------------------------------------------------------------------------
# What is stored, and stock TinyDB reading it


def test_saved_documents_are_copies_of_what_was_handed_in(folder: Path) -> None:
    """What is in memory is what is in the files: changing a dict after handing it to a save
    must not change the stored document behind the journal's back."""
    store = JournalStore(folder)
    doc = {"nombre": "cinta", "etiquetas": ["roja"]}
    store.commit([("put", "cosas", "1", doc)])
    doc["etiquetas"].append("verde")
    extra = {"piezas": [1, 2]}
    store.commit([("put", "cosas", "1", {"nombre": "cinta", "etiquetas": ["roja"], "detalle": extra})])
    extra["piezas"].append(3)
    in_memory = tables_of(store)
    assert in_memory["cosas"]["1"] == {
        "nombre": "cinta", "etiquetas": ["roja"], "detalle": {"piezas": [1, 2]}
    }
    store.close(compact=False)
    again = JournalStore(folder)
    assert tables_of(again) == in_memory
    again.close()


def test_tinydb_as_shipped_reads_the_snapshot(folder: Path) -> None:
    repo = open_repository(folder, clock=clock)
    made = add_reports(repo, 1, 5)
    repo.store.commit([("put", "ajustes", "1", {"impresora": "Épson TM-T20", "idioma": "es"})])
    repo.store.compact()
    expected = tables_of(repo.store)
    repo.close()

    path = folder / "kiosk.json"
    raw = path.read_bytes()
    assert "número".encode() in raw, "UTF-8 text, not \\u escapes"
    plain = tinydb.TinyDB(path, access_mode="r", encoding="utf-8")
    try:
        assert set(plain.tables()) == {"_meta", "_checksum", "records", "counters", "ajustes"}
        records = plain.table("records", cache_size=0)
        assert len(records) == 5
        assert {doc.doc_id: dict(doc) for doc in records.all()} == {
            int(k): v for k, v in expected["records"].items()
        }
        found = records.search(Query().area == "Envasado")
        assert sorted(doc["id"] for doc in found) == sorted(made)
        assert records.get(doc_id=3)["what_happened"] == WHAT_HAPPENED.format(n=3)
        assert plain.table("ajustes").all() == [{"impresora": "Épson TM-T20", "idioma": "es"}]
        assert plain.table("_meta").get(doc_id=1)["seq"] == 6
    finally:
        plain.close()
    assert path.read_bytes() == raw, "reading with TinyDB changed nothing"


def test_tinydb_as_shipped_reads_every_table(folder: Path) -> None:
    """Every table, not only the records: TinyDB's doc ids are integers, so a document kept
    under any other key would make stock TinyDB fail on that table."""
    repo = open_repository(folder, clock=clock)
    add_reports(repo, 1, 2)
    repo.close()
    plain = tinydb.TinyDB(folder / "kiosk.json", access_mode="r", encoding="utf-8")
    try:
        for name in plain.tables():
            assert plain.table(name, cache_size=0).all(), name
    finally:
        plain.close()


# ---------------------------------------------------------------------------------------------
# Compaction and generations


def test_compaction_keeps_everything_and_collects_only_unneeded_segments(
    folder: Path, tmp_path: Path
) -> None:
    repo = open_repository(folder, clock=clock, compact_bytes=3_000, generations=2)
    made = add_reports(repo, 1, 150)  # a few reports per segment: dozens of compactions
    repo.store.wait_for_compaction()
    repo.store.compact()  # make sure the last one finished and its segments were looked at
    expected = tables_of(repo.store)
    seq = repo.store.seq
    assert seq == 150
    assert {doc["id"] for doc in expected["records"].values()} == set(made)
    repo.store.close(compact=False)

    # Old segments were collected: a handful left, not one per compaction ...
    segments = segment_paths(folder)
    assert 1 <= len(segments) <= 5, [p.name for p in segments]
    assert segment_base(segments[0]) > 0, "the first segment was collected"
    # ... but every kept snapshot can still be rolled forward to the last save.
    snapshots = [folder / "kiosk.json", *generation_paths(folder)]
    assert [p.name for p in snapshots] == ["kiosk.json", "kiosk.json.1", "kiosk.json.2"]
    seqs = [snapshot_seq(p) for p in snapshots]
    assert seqs == sorted(seqs, reverse=True) and seqs[0] == seq and seqs[-1] < seq
    have = {e["seq"] for e in journal_entries(folder)}
    for path, generation_seq in zip(snapshots, seqs, strict=True):
        needed = set(range(generation_seq + 1, seq + 1))
        assert needed <= have, f"{path.name} needs segments that were collected"

    # Prove it: lose the newer snapshots and restore from each generation in turn.
    for index, generation in enumerate(snapshots[1:], start=1):
        copy = tmp_path / f"copy-{index}"
        shutil.copytree(folder, copy)
        for newer in snapshots[:index]:
            (copy / newer.name).write_bytes(b"")  # damaged: zero bytes
        store = JournalStore(copy, generations=2)
        assert store.report.restored_from == generation.name
        assert store.report.missing_seqs == 0
        assert store.seq == seq and tables_of(store) == expected
        store.close(compact=False)

    again = open_repository(folder, clock=clock)
    assert again.store.report.healthy
    assert all(again.get(i) is not None for i in made)
    again.store.close(compact=False)


def test_compaction_runs_in_the_background_while_saves_continue(folder: Path) -> None:
    repo = open_repository(folder, clock=clock, compact_bytes=1, generations=1)
    made = add_reports(repo, 1, 40)  # every save asks for a snapshot
    repo.store.wait_for_compaction()
    assert repo.count() == 40
    repo.close()
    again = open_repository(folder, clock=clock)
    assert again.store.report.healthy and {r.id for r in again.all_records()} == set(made)
    assert not orphan_temps(folder)
    again.close()


# ---------------------------------------------------------------------------------------------
# Readers


def test_a_reader_follows_the_writer_across_compactions(folder: Path) -> None:
    writer = open_repository(folder, clock=clock, generations=1)
    first = add_reports(writer, 1, 3)
    reader = open_repository(folder, clock=clock, writer=False)
    assert reader.count() == 3 and all(reader.get(i) for i in first)
    assert reader.refresh() is False, "nothing new"

    more = add_reports(writer, 4, 2)
    assert reader.refresh() is True
    assert reader.get(more[-1]).what_happened == WHAT_HAPPENED.format(n=5)

    # A compaction replaces the snapshot; two of them also delete the segments the reader read.
    seen_segments = set(segment_paths(folder))
    writer.store.compact()
    later = add_reports(writer, 6, 2)
    writer.store.compact()
    last = add_reports(writer, 8, 2)
    assert not seen_segments & set(segment_paths(folder)), "the reader's segments are gone"
    assert reader.refresh() is True
    assert reader.count() == 9
    for record_id in first + more + later + last:
        assert reader.get(record_id) is not None, record_id
    assert reader.store.seq == writer.store.seq
    assert tables_of(reader.store) == tables_of(writer.store)
    # The reader's own indexes followed too.
    assert reader.home_counts(clock().date()).waiting_review == 9
    assert reader.search("transportadora envasado").total == 9

    # A snapshot with nothing new for the reader is not read again (issue 13 point 20: the
    # record page stalled for a second at 25k records while it was); saves after it are.
    reloads = []
    reader.store.add_listener(lambda *_change: None, lambda: reloads.append(1))
    writer.store.compact()
    assert reader.refresh() is False and not reloads
    newest = add_reports(writer, 10, 1)
    assert reader.refresh() is True
    writer.store.compact()
    writer.store.compact()  # (generations=1: the segments the reader read are removed)
    assert reader.refresh() is False and not reloads
    add_reports(writer, 11, 1)
    assert reader.refresh() is True and not reloads
    assert reader.get(newest[0]) is not None
    assert tables_of(reader.store) == tables_of(writer.store)
    # Saves the reader has not read, then a snapshot over them: read on from the segment it
    # follows (the writer keeps it for its older copy), not the whole snapshot again (the
    # record page stalled 378 ms at 25k in make bench).
    unread = add_reports(writer, 12, 2)
    writer.store.compact()
    assert reader.refresh() is True and not reloads
    assert all(reader.get(record_id) is not None for record_id in unread)
    assert reader.store.seq == writer.store.seq
    assert tables_of(reader.store) == tables_of(writer.store)
    writer.close()
    reader.close()


def test_a_reader_whose_unread_saves_are_only_in_a_snapshot_reads_it_again(folder: Path) -> None:
    """Two snapshots over saves it had not read (generations=1 removes their segment): the
    saves after them must not be applied over the gap; the reader reads everything again."""
    writer = open_repository(folder, clock=clock, generations=1)
    add_reports(writer, 1, 1)
    reader = open_repository(folder, clock=clock, writer=False)
    reloads = []
    reader.store.add_listener(lambda *_change: None, lambda: reloads.append(1))
    gap = add_reports(writer, 2, 2)
    writer.store.compact()
    writer.store.compact()
    after = add_reports(writer, 4, 1)
    assert reader.refresh() is True and reloads
    assert all(reader.get(record_id) is not None for record_id in gap + after)
    assert tables_of(reader.store) == tables_of(writer.store)
    writer.close()
    reader.close()


def test_a_reader_opened_before_the_folder_existed_picks_it_up(folder: Path) -> None:
    reader = open_repository(folder, clock=clock, writer=False)
    assert reader.count() == 0 and reader.refresh() is False
    assert not folder.exists(), "a reader creates nothing"
    writer = open_repository(folder, clock=clock)
    made = add_reports(writer, 1, 2)
    assert reader.refresh() is True
    assert [r.id for r in reader.all_records()] == made
    writer.close()
    reader.close()


def test_a_reader_never_writes(folder: Path) -> None:
    writer = JournalStore(folder)
    writer.commit([("put", "t", "1", {"n": 1})])
    before = files_state(folder)
    reader = JournalStore(folder, writer=False)
    with pytest.raises(StorageError):
        reader.commit([("put", "t", "2", {"n": 2})])
    with pytest.raises(StorageError):
        reader.compact()
    reader.refresh()
    reader.close()
    assert files_state(folder) == before
    assert tables_of(writer) == {"t": {"1": {"n": 1}}}
    writer.close()


# ---------------------------------------------------------------------------------------------
# One writer per folder


def test_a_second_writer_is_told_who_holds_the_folder(folder: Path) -> None:
    first = JournalStore(folder, command="kiosk-primero")
    with pytest.raises(DataFolderBusy) as caught:
        JournalStore(folder, command="kiosk-segundo")
    message = str(caught.value)
    assert str(os.getpid()) in message and "kiosk-primero" in message
    assert caught.value.holder["pid"] == os.getpid()
    assert caught.value.holder["command"] == "kiosk-primero"
    # Readers are welcome meanwhile.
    first.commit([("put", "t", "1", {"n": 1})])
    reader = JournalStore(folder, writer=False)
    assert reader.get("t", "1") == {"n": 1}
    first.commit([("put", "t", "2", {"n": 2})])
    assert reader.refresh() and reader.get("t", "2") == {"n": 2}
    first.close()
    # The lock goes with the writer.
    second = JournalStore(folder, command="kiosk-segundo")
    assert tables_of(second) == {"t": {"1": {"n": 1}, "2": {"n": 2}}}
    second.close()
    reader.close()


def test_deleting_the_lock_file_does_not_let_a_second_writer_in(folder: Path) -> None:
    # Fault report D7: "kiosk.lock looks stale" -> rm -> two writers, each with its own journal.
    first = JournalStore(folder, command="kiosk-primero")
    (folder / "kiosk.lock").unlink()
    with pytest.raises(DataFolderBusy):
        JournalStore(folder, command="kiosk-segundo")
    first.commit([("put", "t", "1", {"n": 1})])
    first.close()
    second = JournalStore(folder, command="kiosk-segundo")
    assert tables_of(second) == {"t": {"1": {"n": 1}}}
    assert (folder / "kiosk.lock").stat().st_mode & 0o777 == 0o600
    second.close()


def test_every_data_file_is_readable_by_the_kiosk_user_only(folder: Path) -> None:
    # Fault report D19: journal segments (PIN hashes inside) were 0644.
    store = JournalStore(folder, command="kiosk")
    store.commit([("put", "supervisors", "1", {"pin": {"hash": "ab" * 32}})])
    store.compact()
    store.commit([("put", "t", "1", {"n": 1})])
    store.close()
    old = folder / "journal-000000000000.log"
    old.write_bytes(b"")
    old.chmod(0o644)  # as an older kiosk left it
    JournalStore(folder, command="kiosk").close()
    data = [p for p in folder.iterdir() if p.name.startswith(("journal-", "kiosk.json"))]
    assert data and {p.name: p.stat().st_mode & 0o777 for p in data} == {p.name: 0o600 for p in data}


def test_a_writer_in_another_process_is_named_and_readers_still_work(
    folder: Path, tmp_path: Path
) -> None:
    script = write_writer_script(tmp_path)
    child = Child(script, folder, 1_000_000, 1, 0.05, stderr_path=tmp_path / "child.err")
    try:
        assert child.readline() == "ready"
        child.send("go")
        assert child.readline().startswith("open ")
        acked = [child.readline().split()[1] for _ in range(3)]
        with pytest.raises(DataFolderBusy) as caught:
            open_repository(folder, clock=clock, command="kiosk-segundo")
        message = str(caught.value)
        assert f"process {child.pid} " in message, message
        assert "storage-test-writer" in message, message

        reader = open_repository(folder, clock=clock, writer=False)
        for line in [child.readline() for _ in range(2)]:
            acked.append(line.split()[1])
        reader.refresh()
        for record_id in acked:
            record = reader.get(record_id)
            assert record is not None
            assert record.what_happened == WHAT_HAPPENED.format(n=ids.decode(record_id))
        reader.close()
    finally:
        child.close()
    # Killed: the kernel dropped its lock; a new writer opens and has everything acknowledged.
    writer = open_repository(folder, clock=clock)
    assert writer.store.report.healthy
    assert all(writer.get(i) for i in acked)
    writer.close()


def test_lock_file_names_the_holder(folder: Path) -> None:
    store = JournalStore(folder, command="kiosk run")
    holder = orjson.loads((folder / "kiosk.lock").read_bytes())
    assert holder["pid"] == os.getpid() and holder["command"] == "kiosk run"
    store.close()


def test_a_closed_repository_is_freed_at_once(tmp_path):
    """Opening freezes the loaded objects out of the cyclic GC (for speed); the repository and
    its store reference each other, so close() must break that cycle or every open/close
    (the soak's 400 restarts, a reader reopening) kept a whole copy of the data: ~6 MB each
    at 3000 records."""
    import weakref

    from kiosk.storage import open_repository
    from tests.support.storage import add_reports, clock

    repo = open_repository(tmp_path, clock=clock)
    add_reports(repo, 1, 5)
    repo.close()
    again = open_repository(tmp_path, clock=clock)
    store, repository = weakref.ref(again.store), weakref.ref(again)
    again.close()
    del again
    assert repository() is None and store() is None
