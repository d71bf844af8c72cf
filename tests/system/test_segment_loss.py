"""Losing the newest journal segment (fault report D9) and checking after a repair (D10).

350 saves: 300 in the snapshot, the last 50 only in the newest segment, as after a crash.
Each kind of damage the report tried must be said at start and by ``kiosk check`` (never
"OK"), and once a start has repaired it, ``kiosk check`` must agree at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.storage import JournalStore
from tests.support.cli import run


def crashed_folder(folder: Path) -> Path:
    store = JournalStore(folder, command="kiosk")
    for n in range(1, 301):
        store.commit([("put", "t", str(n), {"n": n, "text": "x" * 200})])
    store.compact()
    for n in range(301, 351):
        store.commit([("put", "t", str(n), {"n": n, "text": "x" * 200})])
    store.close(compact=False)  # the files as a kill leaves them
    return folder / "journal-000000000300.log"


def delete(path: Path) -> None:
    path.unlink()


def empty(path: Path) -> None:
    path.write_bytes(b"")


def zero(path: Path) -> None:
    path.write_bytes(b"\0" * path.stat().st_size)


def cut_at_a_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-3]))


def cut_mid_line(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 300])


def nul_tail(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-2000] + b"\0" * 2000)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "deleted": delete, "emptied": empty, "zeroed": zero, "cut-at-a-line": cut_at_a_line,
    "cut-mid-line": cut_mid_line, "nul-tail": nul_tail,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_lost_newest_segment_is_said_and_check_agrees_after_the_repair(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "data"
    segment = crashed_folder(folder)
    DAMAGE[damage](segment)

    checked = run(["check"], data=folder)
    assert checked.returncode == 1, checked.stdout.decode()
    assert "OK" not in checked.stdout.decode() and "journal-000000000300.log" in checked.stdout.decode()

    store = JournalStore(folder, command="kiosk")  # a writer's start repairs, and says so
    assert {finding.file for finding in store.report.damaged} == {"journal-000000000300.log"}
    assert len(store.tables["t"]) < 350
    store.commit([("put", "t", "351", {"n": 351})])
    store.close(compact=False)

    again = run(["check"], data=folder)
    assert again.returncode == 0, again.stdout.decode()
    assert "OK" in again.stdout.decode()
    store = JournalStore(folder, command="kiosk")
    assert store.report.healthy and "351" in store.tables["t"]
    store.close()


def test_a_clean_history_never_raises_an_alarm(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    crashed_folder(folder)
    for _start in range(3):  # crash, restart, clean stop, start again
        store = JournalStore(folder, command="kiosk")
        assert store.report.healthy, store.report.damaged
        store.commit([("put", "t", "x", {"n": _start})])
        store.close(compact=_start == 1)
        checked = run(["check"], data=folder)
        assert checked.returncode == 0, checked.stdout.decode()


def test_a_folder_whose_data_files_were_all_deleted_is_not_ok(tmp_path: Path) -> None:
    # Fault report D18: lock and log left, data gone -> "OK, 0 records", and a start said nothing.
    folder = tmp_path / "data"
    crashed_folder(folder)
    for path in folder.iterdir():
        if path.name.startswith(("journal-", "kiosk.json")):
            path.unlink()
    checked = run(["check"], data=folder)
    assert checked.returncode == 1 and "OK" not in checked.stdout.decode()
    store = JournalStore(folder, command="kiosk")
    assert {f.problem for f in store.report.damaged} == {"missing"}
    store.close()


def test_a_snapshot_made_elsewhere_needs_no_segment(tmp_path: Path) -> None:
    """A kiosk.json that no kiosk of this version wrote (TinyDB itself, an older kiosk, a tool)
    names no journal segment: it opens clean and ``kiosk check`` agrees, although no segment
    is beside it. Only a snapshot that names its segment needs it."""
    import json

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "kiosk.json").write_text(json.dumps({
        "_meta": {"1": {"seq": 7, "schema": 1}},
        "t": {"1": {"n": 1}},
    }), encoding="utf-8")
    checked = run(["check"], data=folder)
    assert checked.returncode == 0, checked.stdout.decode()
    store = JournalStore(folder, command="kiosk")
    assert store.report.healthy, store.report.damaged
    store.close(compact=False)


def test_a_new_folder_starts_its_segment_before_its_first_snapshot(tmp_path: Path) -> None:
    """So a kill between the two never leaves a snapshot without the segment it names."""
    from kiosk.storage.format import read_snapshot

    folder = tmp_path / "data"
    store = JournalStore(folder, command="kiosk")
    store.close(compact=False)
    _tables, meta = read_snapshot(folder / "kiosk.json")
    assert (folder / meta["journal"]).exists()
    segment = (folder / meta["journal"]).stat().st_mtime_ns
    assert segment <= (folder / "kiosk.json").stat().st_mtime_ns
