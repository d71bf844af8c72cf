"""Files that survive a power cut: whole-file writes that are atomic and durable.

The one place in the kiosk that writes a file in place of another; the configuration, the
printer's preview files and backups use it too. ``write_atomic`` writes a temporary file
beside the target, fsyncs it, renames it over the target and fsyncs the folder, so the target
is always either the old or the new content (PITFALLS 1.1).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a rename, a new or deleted file) durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(
    path: Path, chunks: Iterable[bytes], *, before_replace: Callable[[], None] | None = None
) -> None:
    """Write a whole file so that ``path`` is always either the old or the new content."""
    folder = path.parent
    fd, tmp_name = temp_file(folder, path.name)
    try:
        with os.fdopen(fd, "wb", buffering=1024 * 1024) as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp_name, path)
        fsync_dir(folder)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp_name)
        raise


def file_chunks(path: Path) -> Iterator[bytes]:
    """A file's bytes, a megabyte at a time (to copy it with :func:`write_atomic`)."""
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


def temp_file(folder: Path, name: str) -> tuple[int, str]:
    """A new temporary file beside ``name``: ``.{name}.<random>.tmp``, which a start removes."""
    return tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")


def remove_temp_files(folder: Path) -> None:
    """Temporary files a kill left behind (a write that never reached its rename)."""
    for entry in os.scandir(folder):
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            with suppress(OSError):
                os.unlink(entry.path)
