"""What every command shares: the clock, opening the data folder, and saying why it could not."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.i18n import _
from kiosk.storage import Repository
from kiosk.storage.errors import DataFolderBusy, NewerSchema

#: A command's parsed arguments (argparse's namespace: each command knows its own options).
Args = argparse.Namespace


def system_clock() -> datetime:
    return datetime.now().astimezone()


def store_args(config: Config) -> dict[str, Any]:
    """The storage settings of ``config`` as :class:`kiosk.storage.JournalStore` takes them."""
    return {
        "generations": config.storage.generations,
        "compact_bytes": config.storage.compact_mb * 1024 * 1024,
    }


def open_writer(config: Config, folder: Path, command: str, *, raise_busy: bool = False) -> Repository | None:
    """The repository as the folder's one writer, or None after printing why not
    (``raise_busy``: a folder in use raises DataFolderBusy instead, for the caller to say)."""
    from kiosk.storage import DataDamaged, StorageError, open_repository

    try:
        repo = open_repository(folder, clock=system_clock, writer=True, command=command,
                               id_series=config.storage.id_series, **store_args(config))
    except DataFolderBusy as exc:
        if raise_busy:
            raise
        print(busy_message(exc), file=sys.stderr)
    except DataDamaged as exc:
        print(_("The data in {folder} is damaged and no good copy was found: {detail}. "
                "Nothing was changed. Run 'kiosk check' and see the README.").format(
                    folder=folder, detail=exc), file=sys.stderr)
    except NewerSchema as exc:
        print(newer_schema_message(folder, exc), file=sys.stderr)
    except (StorageError, OSError) as exc:
        print(_("Cannot open the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
    else:
        if config.hub.url:
            from kiosk.storage.sync import capture, sync_state

            if sync_state(repo.store).get("enrolled"):
                # A kiosk of a plant: what a command changes (an import, a supervisor) is queued
                # for the hub like the kiosk's own saves. (Before its first connection there is
                # nothing to queue: that connection sends the whole folder.)
                capture(repo.store, config.hub.kiosk_name)
        return repo
    return None


def open_reader(config: Config, folder: Path) -> Repository | None:
    """The repository as a reader (alongside the running kiosk), or None after saying why not."""
    from kiosk.storage import DataDamaged, StorageError, open_repository

    try:
        return open_repository(folder, clock=system_clock, writer=False, **store_args(config))
    except (DataDamaged, StorageError, OSError) as exc:
        print(_("Cannot read the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
        return None


def newer_schema_message(folder: Path, exc: NewerSchema) -> str:
    return _("The data in {folder} was written by a newer version of the kiosk (data version "
             "{found}, this kiosk reads up to {supported}). Nothing was changed: update the kiosk.").format(
        folder=folder, found=exc.found, supported=exc.supported)


def busy_message(exc: DataFolderBusy) -> str:
    holder = exc.holder
    return _("The data folder {folder} is in use by another kiosk process "
             "(pid {pid}, '{command}', on {host}, since {since}). "
             "Close it first, or use 'kiosk export', which works alongside it.").format(
        folder=exc.folder, pid=holder.get("pid", "?"), command=holder.get("command", "?"),
        host=holder.get("host", "?"), since=holder.get("started_at", "?"))


def utf8_stdout() -> None:
    """Standard output in UTF-8 whatever the locale says (records are in Spanish)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")
