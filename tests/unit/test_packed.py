"""A record's review, follow-ups and history are kept in memory as their JSON (issue 13 item
18): nothing else may notice: the same records, the same files, the same comparisons."""

from __future__ import annotations

import orjson

from kiosk.core.records import ReportDraft, record_to_doc
from kiosk.storage import JournalStore, open_repository
from kiosk.storage.format import encode_entry, read_snapshot, snapshot_chunks
from kiosk.storage.packed import Packed, pack, unpack, unpacked
from tests.support.clock import fixed_clock


def reviewed_doc(repo) -> dict:
    record = repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened="Se trabó la cinta 3 ¿ñ?"),
                             areas=None)
    return record_to_doc(repo.get(record.id))


def test_a_packed_part_reads_and_compares_as_its_value():
    value = {"what_happened": "Rebaba en el molde 14", "why": [{"text": "ñandú", "category": "equipment"}]}
    packed = Packed(orjson.dumps(value))
    assert packed == value and value == packed and not packed != value
    assert unpack(packed) == value and unpack(value) is value
    assert packed != b"x" and packed == Packed(orjson.dumps(value))
    doc = pack({"id": "QPC-GB8", "review": value, "history": [], "follow_ups": None},
               ("review", "history", "follow_ups"))
    assert isinstance(doc["review"], Packed) and doc["history"] == [] and doc["follow_ups"] is None
    assert unpacked(doc) == {"id": "QPC-GB8", "review": value, "history": [], "follow_ups": None}
    assert type(unpacked(doc)["review"]) is dict


def test_documents_in_memory_are_packed_and_the_files_are_the_same_json(data_dir):
    repo = open_repository(data_dir, clock=fixed_clock)
    plain = reviewed_doc(repo)
    key = repo._by_id[plain["id"]]
    stored = repo.store.tables["records"][key]
    assert isinstance(stored["history"], Packed)  # the history of a new report
    assert repo.get(plain["id"]) is not None and record_to_doc(repo.get(plain["id"])) == plain
    # The journal line and the snapshot hold the JSON itself, byte for byte as unpacked.
    assert encode_entry(1, [("put", "records", key, stored)]) == encode_entry(1, [("put", "records", key, plain)])
    meta = {"seq": 1, "schema": 1}
    assert b"".join(snapshot_chunks({"records": {key: stored}}, meta)) == \
        b"".join(snapshot_chunks({"records": {key: plain}}, meta))
    repo.store.compact()
    repo.close()
    tables, _meta = read_snapshot(data_dir / "kiosk.json")
    assert isinstance(tables["records"][key]["history"], Packed) and tables["records"][key] == plain
    again = open_repository(data_dir, clock=fixed_clock)
    assert record_to_doc(again.get(plain["id"])) == plain
    assert again.search("cinta").total == 1 and again.all_docs()[0] == plain
    again.close()


def test_journal_entries_are_packed_as_they_are_read(data_dir):
    repo = open_repository(data_dir, clock=fixed_clock)
    plain = reviewed_doc(repo)
    repo.store.close(compact=False)  # the save is in the journal only, as after a crash
    store = JournalStore(data_dir, writer=False)
    try:
        (doc,) = store.tables["records"].values()
        assert isinstance(doc["history"], Packed) and doc == plain
    finally:
        store.close()
