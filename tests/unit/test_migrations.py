"""Schema versions: older data is upgraded on open and saved in the new layout; newer refused."""

from __future__ import annotations

import pytest

from kiosk.core import ids
from kiosk.core.records import SCHEMA_VERSION
from kiosk.storage import open_repository
from kiosk.storage.files import write_atomic
from kiosk.storage.format import read_snapshot, snapshot_chunks
from kiosk.storage.migrations import NewerSchema, upgrade_tables
from tests.support.clock import fixed_clock

OLD_RECORD = {
    "id": ids.encode(1), "kind": "error", "area": "Calidad", "what_happened": "Un registro de la versión 0",
    "created_at": "2025-01-02T10:00:00-03:00", "occurred_at": "2025-01-02T09:00:00-03:00",
    "link_token": "A" * 22,
}


def test_version_0_data_is_upgraded_and_saved_as_current(tmp_path):
    write_atomic(tmp_path / "kiosk.json", snapshot_chunks(
        {"records": {"1": dict(OLD_RECORD)}, "counters": {"1": {"records": 1}}}, {"seq": 4, "schema": 0}))
    repo = open_repository(tmp_path, clock=fixed_clock)
    record = repo.get(OLD_RECORD["id"])
    assert record.status == "reported" and record.history == () and record.applause == 0
    repo.close()
    tables, meta = read_snapshot(tmp_path / "kiosk.json")
    assert meta["schema"] == SCHEMA_VERSION
    assert tables["records"]["1"]["links"] == [] and tables["records"]["1"]["review"] is None
    _, old_meta = read_snapshot(tmp_path / "kiosk.json.1")  # the old layout stays as a generation
    assert old_meta["schema"] == 0


def test_newer_data_is_refused_and_left_alone(tmp_path):
    write_atomic(tmp_path / "kiosk.json", snapshot_chunks({"records": {}}, {"seq": 1, "schema": SCHEMA_VERSION + 1}))
    before = (tmp_path / "kiosk.json").read_bytes()
    with pytest.raises(NewerSchema):
        open_repository(tmp_path, clock=fixed_clock)
    assert (tmp_path / "kiosk.json").read_bytes() == before
    from kiosk.storage import JournalStore

    JournalStore(tmp_path, load=False).close()  # the failed open released the writer's lock


def test_steps_run_in_order():
    seen = []
    steps = {0: lambda t: seen.append(0), 1: lambda t: seen.append(1), 2: lambda t: seen.append(2)}
    assert upgrade_tables({}, 0, 3, steps) == 3 and seen == [0, 1, 2]


def test_command_line_says_the_data_is_newer(tmp_path):
    import subprocess
    import sys

    write_atomic(tmp_path / "kiosk.json", snapshot_chunks({"records": {}}, {"seq": 1, "schema": SCHEMA_VERSION + 1}))
    result = subprocess.run([sys.executable, "-m", "kiosk", "import", "--data", str(tmp_path)],
                            input=b"", capture_output=True, timeout=60)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and "versión más nueva del kiosco" in result.stderr.decode()


def test_version_2_work_items_move_their_entries_to_rows_of_their_own(tmp_path):
    from kiosk.core.work import entry_to_doc, new_entry, open_work, work_to_doc
    from tests.support.clock import NOW

    item = open_work(item_id=ids.encode(2), title="Primer lote del cliente", area="Envasado", opened_by="M", now=NOW)
    entries = [entry_to_doc(new_entry(item, kind=kind, text=text, by="", now=NOW))
               for kind, text in (("win", "Salió a la primera"), ("lesson", "Pedir la etiqueta antes"))]
    write_atomic(tmp_path / "kiosk.json", snapshot_chunks(
        {"records": {}, "work_items": {"2": work_to_doc(item) | {"entries": entries}},
         "counters": {"1": {"records": 2}}}, {"seq": 3, "schema": 2}))
    repo = open_repository(tmp_path, clock=fixed_clock)
    assert [e.text for e in repo.work_item(item.id).entries] == ["Salió a la primera", "Pedir la etiqueta antes"]
    assert repo.add_work_entry(item.id, kind="win", text="Y una más", by="Ana") == 2
    repo.store.compact()
    repo.close()
    tables, meta = read_snapshot(tmp_path / "kiosk.json")
    assert meta["schema"] == SCHEMA_VERSION and tables["work_items"]["2"]["entries"] == []
    assert sorted(tables["work_entries"]) == ["2.0", "2.1", "2.2"] and "huddles" in tables
