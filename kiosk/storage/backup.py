"""Backups while the kiosk runs, and restores that check everything before touching anything.

``backup`` reads the data folder as a reader (the kiosk keeps writing): the snapshot and the
journal after it give one consistent state at one sequence number, written to the backup
folder as a single snapshot file (the data folder's own format, with its checksum), read back
to check it, and older backups beyond ``keep`` removed.

``restore`` parses the file completely (checksum, data version, every record) before it
takes the data folder's lock (refused while the kiosk runs); then the current files are moved
aside into ``before-restore-<time>/`` — never deleted — and the backup becomes the snapshot.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.core.records import SCHEMA_VERSION, record_from_doc
from kiosk.core.teams import team_from_doc
from kiosk.storage.errors import NewerSchema, StorageError
from kiosk.storage.files import fsync_dir, write_atomic
from kiosk.storage.format import SNAPSHOT, read_snapshot, read_snapshot_seq, snapshot_chunks
from kiosk.storage.journal import JournalStore
from kiosk.storage.packed import unpacked

PREFIX = "kiosk-backup-"
SUFFIX = ".json"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    records: int
    seq: int
    written_at: str


def backups_in(folder: Path) -> list[Path]:
    """The backups in a folder, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))


def backup(data: Path, dest: Path, *, keep: int = 7, now: datetime | None = None, **store_args: Any) -> BackupInfo:
    """Write a consistent copy of ``data`` into ``dest``; keep the newest ``keep`` backups."""
    now = now or datetime.now().astimezone()
    store = JournalStore(data, writer=False, **store_args)
    try:
        with store.lock:
            tables = {name: dict(rows) for name, rows in store.tables.items()}
            meta = {"seq": store.seq, "schema": store.schema,
                    "written_at": now.isoformat(timespec="seconds"), "backup_of": str(data)}
    finally:
        store.close(compact=False)
    dest.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    number = 1
    path = dest / f"{PREFIX}{stamp}-{number:02d}{SUFFIX}"
    while path.exists():  # two backups in one second: both kept, in order
        number += 1
        path = dest / f"{PREFIX}{stamp}-{number:02d}{SUFFIX}"
    write_atomic(path, snapshot_chunks(tables, meta))
    info = check(path)  # read back: a backup that cannot be restored is not a backup
    for old in backups_in(dest)[: max(0, len(backups_in(dest)) - keep)]:
        old.unlink()
    return info


def check(path: Path) -> BackupInfo:
    """Everything a restore needs, checked; ValueError (damaged), NewerSchema, or
    ValidationError (a record that does not read) otherwise."""
    tables, meta = read_snapshot(path)
    schema = meta.get("schema", 1)
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise NewerSchema(schema if isinstance(schema, int) else -1, SCHEMA_VERSION)
    records = tables.get("records", {})
    if schema == SCHEMA_VERSION:
        for doc in records.values():
            record_from_doc(unpacked(doc))
        for doc in tables.get("teams", {}).values():
            team_from_doc(doc)
    return BackupInfo(path, len(records), meta["seq"], str(meta.get("written_at", "")))


def restore(
    path: Path, data: Path, *, now: datetime | None = None, **store_args: Any
) -> tuple[BackupInfo, Path | None]:
    """Replace ``data`` with the backup at ``path`` (checked first). Returns what was restored
    and where the replaced files were moved (None if the folder had none)."""
    info = check(path)
    now = now or datetime.now().astimezone()
    data.mkdir(parents=True, exist_ok=True)
    store = JournalStore(data, writer=True, load=False, command="kiosk restore", **store_args)
    try:
        current = [p for p in data.iterdir()
                   if p.name.startswith((SNAPSHOT, "journal-")) and p.is_file()]
        aside = None
        if current:
            aside = data / f"before-restore-{now.strftime('%Y%m%d-%H%M%S')}"
            aside.mkdir()
            for item in current:
                os.replace(item, aside / item.name)
        try:
            shutil.copyfile(path, data / f".{SNAPSHOT}.restoring")
            os.replace(data / f".{SNAPSHOT}.restoring", data / SNAPSHOT)
            fsync_dir(data)
            store.start_journal_at(read_snapshot_seq(data / SNAPSHOT))
        except OSError as error:
            raise StorageError(f"restoring {path}: {error}") from error
    finally:
        store.close(compact=False)
    return info, aside
