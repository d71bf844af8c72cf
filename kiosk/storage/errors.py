"""What can go wrong with the data folder, as exceptions the screens and commands can explain.

Every one is a :class:`StorageError`: a save that raised one was not acknowledged and changed
nothing earlier (see :mod:`kiosk.storage.journal`).
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any, NoReturn


class StorageError(Exception):
    """A save could not be made durable; nothing was acknowledged and nothing earlier changed."""

    def __init__(self, message: str, *, errno_: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno_


class StorageFull(StorageError):
    """The disk (or the quota) is full."""


class DataFolderBusy(StorageError):
    """Another process is the writer of this data folder."""

    def __init__(self, folder: Path, holder: dict[str, Any]) -> None:
        self.folder = folder
        self.holder = holder
        super().__init__(f"{folder} is in use by {describe_holder(holder)}")


class DataDamaged(StorageError):
    """No good copy of the data could be found; nothing was changed."""


class NewerSchema(StorageError):
    """The data was written by a newer kiosk; opening it with this one could lose fields."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(f"data schema {found} is newer than this kiosk's {supported}")
        self.found = found
        self.supported = supported


def describe_holder(holder: dict[str, Any]) -> str:
    pid = holder.get("pid", "?")
    command = holder.get("command", "?")
    host = holder.get("host", "?")
    since = holder.get("started_at", "?")
    return f"process {pid} ({command}) on {host} since {since}"


def raise_os_error(action: str, exc: OSError) -> NoReturn:
    """``exc`` as the storage error it means: :class:`StorageFull` for a full disk or quota."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        raise StorageFull(f"{action}: disk full", errno_=exc.errno) from exc
    raise StorageError(f"{action}: {exc.strerror or exc}", errno_=exc.errno) from exc
