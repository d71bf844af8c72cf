"""kiosk backup while the kiosk runs, and kiosk restore that checks before it replaces."""

from __future__ import annotations

import json

from kiosk.core.records import ReportDraft
from kiosk.storage.backup import PREFIX, backups_in, check
from tests.support.cli import run
from tests.support.clock import fixed_clock


def writer(data):
    from kiosk.storage import open_repository

    return open_repository(data, clock=fixed_clock)


def add(repo, n: int) -> list[str]:
    return [repo.add_report(ReportDraft(kind="error", area="Calidad", what_happened=f"Registro número {i} ¿ñ?"),
                            areas=None).id for i in range(n)]


def test_a_backup_while_the_kiosk_writes_is_consistent_checked_and_pruned(tmp_path):
    data, dest = tmp_path / "data", tmp_path / "backups"
    kiosk = writer(data)  # the running kiosk: it holds the lock and keeps saving
    try:
        first = add(kiosk, 30)
        result = run(["backup", str(dest)], data=data)
        assert result.returncode == 0, result.stderr
        assert "30 records, checked" in result.stdout.decode() or "30 registros" in result.stdout.decode()
        add(kiosk, 5)
        for _ in range(3):
            assert run(["backup", str(dest), "--keep", "2"], data=data).returncode == 0
    finally:
        kiosk.close()
    kept = backups_in(dest)
    assert len(kept) == 2 and all(p.name.startswith(PREFIX) for p in kept)
    assert check(kept[-1]).records == 35
    assert first[0] in kept[-1].read_text(encoding="utf-8")


def test_restore_checks_first_and_keeps_what_it_replaces(tmp_path):
    data, dest, other = tmp_path / "data", tmp_path / "backups", tmp_path / "other"
    repo = writer(data)
    try:
        saved = add(repo, 3)
    finally:
        repo.close()
    assert run(["backup", str(dest)], data=data).returncode == 0
    (backup,) = backups_in(dest)

    damaged = tmp_path / "damaged.json"
    damaged.write_bytes(backup.read_bytes().replace(b"Registro n", b"Registro N", 1))
    result = run(["restore", str(damaged)], data=other)
    assert result.returncode == 1 and "No se cambió nada" in result.stderr.decode()
    assert not [p for p in other.iterdir() if p.name.startswith(("kiosk.json", "journal-"))]  # (the log is new)

    newer = tmp_path / "newer.json"
    lines = backup.read_bytes().split(b"\n")
    meta = json.loads(lines[0][1:].split(b":", 1)[1])
    meta["1"]["schema"] = 99
    from kiosk.storage.format import read_snapshot, snapshot_chunks

    tables, _meta = read_snapshot(backup)
    newer.write_bytes(b"".join(snapshot_chunks(tables, meta["1"])))
    result = run(["restore", str(newer)], data=other)
    assert result.returncode == 1 and "versión más nueva" in result.stderr.decode()

    repo = writer(other)
    try:
        add(repo, 1)  # other data that the restore replaces
        busy = run(["restore", str(backup)], data=other)
        assert busy.returncode == 1 and "en uso" in busy.stderr.decode()
    finally:
        repo.close()
    result = run(["restore", str(backup)], data=other)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "Se restauraron 3 registros" in out and "before-restore-" in out
    (aside,) = [p for p in other.iterdir() if p.name.startswith("before-restore-")]
    assert (aside / "kiosk.json").exists()
    # Restored, before any kiosk opened it: whole (the snapshot's own segment is started, and
    # the lock no longer speaks of the files that went aside).
    checked = run(["check"], data=other)
    assert checked.returncode == 0, checked.stdout.decode()
    repo = writer(other)
    try:
        assert [r.id for r in repo.all_records()] == saved
    finally:
        repo.close()
    assert run(["check"], data=other).returncode == 0
