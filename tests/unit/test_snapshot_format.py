"""The snapshot file: plain TinyDB JSON, one document per line, read a document at a time."""

from __future__ import annotations

import json

import pytest
from tinydb import TinyDB

from kiosk.storage.files import write_atomic
from kiosk.storage.format import read_snapshot, snapshot_chunks

TABLES = {
    "records": {"1": {"what": "línea uno\nlínea dos", "tags": ["a", "b"]}, "7": {"what": "ñandú €"}},
    "counters": {"1": {"records": 7}},
    "empty": {},
}


@pytest.fixture
def snapshot(tmp_path):
    path = tmp_path / "kiosk.json"
    write_atomic(path, snapshot_chunks(TABLES, {"seq": 12, "schema": 1}))
    return path


def test_line_layout_round_trips_and_is_plain_json(snapshot):
    tables, meta = read_snapshot(snapshot)
    assert tables == TABLES and meta == {"seq": 12, "schema": 1}
    assert json.loads(snapshot.read_text(encoding="utf-8"))["records"] == TABLES["records"]
    db = TinyDB(snapshot, access_mode="r")
    assert db.table("records").get(doc_id=7) == {"what": "ñandú €"}
    db.close()
    # the _meta line, an opening and a closing line per table (and the checksum table's three
    # lines), one line per document, the end
    assert len(snapshot.read_bytes().splitlines()) == 1 + 2 * 3 + 3 + 3 + 1


def test_every_truncation_is_detected(snapshot, tmp_path):
    raw = snapshot.read_bytes()
    cut = tmp_path / "cut.json"
    for length in range(len(raw) - 1):  # the last byte is the final newline
        cut.write_bytes(raw[:length])
        with pytest.raises(ValueError):
            read_snapshot(cut)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw.replace(b'"7":{', b'"7":{{'),
        lambda raw: raw.replace(b',"records":{', b',"records":['),
        lambda raw: raw.replace(b'\n,"7"', b'\n"7"'),  # a missing separator
        lambda raw: raw + b"garbage",
        lambda raw: raw.replace(b"}\n}\n", b"}\n}\n}\n"),
        lambda raw: b"\x00" * len(raw),
        lambda raw: b"",
        lambda raw: b"   \n",
    ],
)
def test_damage_in_the_middle_is_detected(snapshot, damage):
    snapshot.write_bytes(damage(snapshot.read_bytes()))
    with pytest.raises(ValueError):
        read_snapshot(snapshot)


def test_a_change_that_still_parses_is_caught_by_the_checksum(snapshot):
    raw = snapshot.read_bytes()
    snapshot.write_bytes(raw.replace(b'"records":7', b'"records":6'))
    with pytest.raises(ValueError, match="checksum"):
        read_snapshot(snapshot)
    snapshot.write_bytes(raw.replace(b',"_checksum":{\n', b',"_checksumx":{\n'))
    with pytest.raises(ValueError, match="checksum"):
        read_snapshot(snapshot)


def test_files_in_other_layouts_are_read_whole(tmp_path):
    path = tmp_path / "stock.json"
    path.write_text(json.dumps({"_meta": {"1": {"seq": 3}}, "records": {"1": {"a": 1}}}, indent=4))
    assert read_snapshot(path) == ({"records": {"1": {"a": 1}}}, {"seq": 3})
    path.write_text(json.dumps({"records": {"1": {"a": 1}}}))
    with pytest.raises(ValueError, match="sequence"):
        read_snapshot(path)
