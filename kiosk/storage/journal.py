"""Durable tables: a TinyDB-format snapshot plus an append-only journal.

Layout of a data folder::

    kiosk.json              the snapshot, a plain TinyDB JSON file ({table: {doc_id: doc}})
    kiosk.json.1 … .N       previous snapshots (generations), newest first
    journal-<seq>.log       journal segments; each line is one transaction with seq > <seq>
    kiosk.lock              held (flock) by the one writer; says who it is
    damaged/                anything found damaged at start is moved here, never deleted

A save appends one line ``<json>\\t<crc32>\\n`` holding a whole transaction and calls
``fdatasync`` before it is acknowledged, so its cost does not depend on how many records
exist. Every so often the tables are written as a new snapshot (temp file, fsync, rename, fsync
of the folder) and the journal starts a new segment; older snapshots are kept as generations
together with the segments they need, so losing the newest snapshot loses nothing.

On open, every snapshot candidate is parsed, the newest good one is taken and the journal
entries after its sequence number are replayed. A torn last line (a kill during a save that was
never acknowledged) is cut off; anything else that does not parse is reported and set aside.
Readers use the same code without the lock and follow the journal as it grows.
"""

from __future__ import annotations

import errno
import gc
from contextlib import suppress
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import orjson

log = logging.getLogger(__name__)

SNAPSHOT = "kiosk.json"
LOCK = "kiosk.lock"
DAMAGED = "damaged"
META_TABLE = "_meta"
CHECKSUM_TABLE = "_checksum"
_SEGMENT = re.compile(r"^journal-(\d{12})\.log$")
_GENERATION = re.compile(r"^kiosk\.json\.(\d+)$")

Op = tuple  # ("put", table, key, doc) | ("del", table, key)
Tables = dict[str, dict[str, Any]]


# ---------------------------------------------------------------------------------------------
# Errors


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


def _raise_os_error(action: str, exc: OSError) -> None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        raise StorageFull(f"{action}: disk full", errno_=exc.errno) from exc
    raise StorageError(f"{action}: {exc.strerror or exc}", errno_=exc.errno) from exc


# ---------------------------------------------------------------------------------------------
# Journal lines


def check_ops(ops: Iterable[Op]) -> None:
    """Refuse a malformed transaction before anything is written: once in the journal, an
    operation that cannot be applied would stop every later open of the folder, and a key
    that is not a string would make the next snapshot invalid JSON."""
    for op in ops:
        if not isinstance(op, (tuple, list)) or not op:
            raise ValueError(f"not a journal operation: {op!r}")
        if op[0] == "put":
            shape_ok = len(op) == 4 and isinstance(op[3], dict)
        elif op[0] == "del":
            shape_ok = len(op) == 3
        else:
            shape_ok = False
        if not shape_ok or not isinstance(op[1], str) or not isinstance(op[2], str):
            raise ValueError(f"malformed journal operation: {op!r}")
        if op[1] == META_TABLE:
            raise ValueError(f"{META_TABLE} is the snapshot's own table")


def encode_entry(seq: int, ops: Iterable[Op]) -> bytes:
    body = orjson.dumps({"seq": seq, "ops": [list(op) for op in ops]})
    return body + b"\t" + b"%08x" % zlib.crc32(body) + b"\n"


def decode_entry(line: bytes) -> dict[str, Any] | None:
    """The transaction on one journal line, or None if the line is damaged."""
    body, sep, crc = line.rstrip(b"\n").rpartition(b"\t")
    if not sep or len(crc) != 8:
        return None
    try:
        if int(crc, 16) != zlib.crc32(body):
            return None
        entry = orjson.loads(body)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        return None
    if not isinstance(entry.get("ops"), list):
        return None
    return entry


@dataclass
class Segment:
    """One journal file and what was read from it."""

    path: Path
    base: int
    entries: list[dict[str, Any]] = field(default_factory=list)
    good_size: int = 0  # bytes up to the end of the last good line
    size: int = 0
    damaged_lines: int = 0
    torn_tail: bool = False  # a last line without its newline: an unacknowledged save
    tail: bytes = b""  # the end (checksum and newline) of the last good line read


def read_segment(path: Path, base: int, offset: int = 0) -> Segment:
    data = path.read_bytes()[offset:] if offset else path.read_bytes()
    segment = Segment(path=path, base=base, size=offset + len(data), good_size=offset)
    position = 0
    while position < len(data):
        end = data.find(b"\n", position)
        if end < 0:
            segment.torn_tail = True
            break
        entry = decode_entry(data[position : end + 1])
        if entry is None:
            segment.damaged_lines += 1
        else:
            segment.entries.append(entry)
            segment.good_size = offset + end + 1
            segment.tail = data[max(position, end - 9) : end + 1]
        position = end + 1
    return segment


# ---------------------------------------------------------------------------------------------
# Files


def fsync_dir(folder: Path) -> None:
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
    fd, tmp_name = _mkstemp(folder, path.name)
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


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


def _mkstemp(folder: Path, name: str) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")


def snapshot_chunks(tables: Tables, meta: dict[str, Any]) -> Iterator[bytes]:
    """The snapshot as TinyDB JSON with one document per line, streamed a document at a time
    (low memory; the GIL is released between documents so the screen stays responsive).

    The line layout — ``{"_meta":{…}`` / ``,"table":{`` / ``"key":{doc}`` / ``,"key":{doc}`` /
    ``}`` / ``}`` — is still plain JSON for TinyDB, and lets :func:`read_snapshot` parse one
    document at a time instead of the whole file at once. The last table, ``_checksum``, holds
    the CRC-32 of every byte before it, so a change that still parses (a flipped digit in a
    counter) is caught at start like any other damage.
    """
    crc = 0

    def summed(chunk: bytes) -> bytes:
        nonlocal crc
        crc = zlib.crc32(chunk, crc)
        return chunk

    yield summed(b"{" + orjson.dumps(META_TABLE) + b":" + orjson.dumps({"1": meta}) + b"\n")
    for name in sorted(tables):
        if name in (META_TABLE, CHECKSUM_TABLE):
            continue
        yield summed(b"," + orjson.dumps(name) + b":{\n")
        separator = b""
        buffer: list[bytes] = []
        for key, doc in tables[name].items():
            buffer.append(separator + orjson.dumps(key) + b":" + orjson.dumps(doc) + b"\n")
            separator = b","
            if len(buffer) >= 256:
                yield summed(b"".join(buffer))
                buffer.clear()
        buffer.append(b"}\n")
        yield summed(b"".join(buffer))
    yield b"," + orjson.dumps(CHECKSUM_TABLE) + b':{\n"1":{"crc32":"%08x"}\n}\n}\n' % crc


_TABLE_LINE = re.compile(rb'^,("(?:[^"\\]|\\.)*"):\{$')


def read_snapshot(path: Path) -> tuple[Tables, dict[str, Any]]:
    """Parse and check one snapshot; raises ValueError if it is damaged in any way.

    Snapshots in our line layout are parsed a document at a time: parsing 40 MB in one call
    holds the file, the parser's own tree and the result at once (peak +90 MB at 25k records).
    Any other valid TinyDB file (e.g. one written by TinyDB itself) is parsed whole.
    """
    with path.open("rb") as handle:
        first = handle.readline()
        if not first.strip():
            if not first and not handle.read(1):
                raise ValueError("empty file")
        if first.startswith(b'{"_meta":') and first.endswith(b"}\n"):
            tables = _read_lines(first, handle)
        else:
            handle.seek(0)
            tables = _read_whole(handle)
            tables.pop(CHECKSUM_TABLE, None)  # reformatted by hand: it can no longer be checked
    meta = tables.pop(META_TABLE, {}).get("1")
    if not isinstance(meta, dict) or not isinstance(meta.get("seq"), int):
        raise ValueError("missing sequence number")
    return tables, meta


def _read_whole(handle) -> Tables:
    data = bytearray(os.fstat(handle.fileno()).st_size)  # one buffer, no growing copies
    handle.readinto(data)
    if not data or data.isspace():  # (not strip(): that would copy the whole file)
        raise ValueError("empty file")
    tables = orjson.loads(data)
    del data
    if not isinstance(tables, dict):
        raise ValueError("not a JSON object")
    for name, rows in tables.items():
        if not isinstance(rows, dict):
            raise ValueError(f"table {name!r} is not an object")
    return tables


def _read_lines(first: bytes, handle) -> Tables:
    tables: Tables = orjson.loads(first[:-1] + b"}")
    if not isinstance(tables.get(META_TABLE), dict):
        raise ValueError("bad _meta line")
    loads = orjson.loads
    crc = zlib.crc32(first)
    summed: int | None = None  # the CRC of everything before the checksum table
    rows: dict[str, Any] | None = None
    for line in handle:
        before, crc = crc, zlib.crc32(line, crc)
        if rows is None:
            if line == b"}\n":
                if handle.read(1).strip():
                    raise ValueError("data after the end")
                check = tables.pop(CHECKSUM_TABLE, {}).get("1", {})
                if summed is None or check.get("crc32") != "%08x" % summed:
                    raise ValueError("checksum mismatch")
                return tables
            match = _TABLE_LINE.match(line.rstrip(b"\n"))
            if match is None:
                raise ValueError("bad table line")
            name = loads(match.group(1))
            if name == CHECKSUM_TABLE:
                if summed is not None:
                    raise ValueError("two checksums")
                summed = before
            rows = tables.setdefault(name, {})
            expected_first = True
        elif line == b"}\n":
            rows = None
        else:
            if not line.endswith(b"\n"):
                raise ValueError("cut short")
            if expected_first == line.startswith(b","):
                raise ValueError("bad separator")
            body = line[1:-1] if not expected_first else line[:-1]
            expected_first = False
            item = loads(b"{" + body + b"}")
            if len(item) != 1:
                raise ValueError("bad document line")
            rows.update(item)
    raise ValueError("cut short")


# ---------------------------------------------------------------------------------------------
# Recovery report


@dataclass(frozen=True)
class Finding:
    """One damaged file. ``problem`` is a code that the screens translate; ``str()`` is for logs."""

    file: str
    problem: str  # "missing" | "unreadable" | "damaged_lines" | "cut_short"
    count: int = 0
    detail: str = ""

    def __str__(self) -> str:
        if self.problem == "damaged_lines":
            return f"{self.file}: {self.count} damaged line(s)"
        if self.problem == "cut_short":
            return f"{self.file}: cut short"
        if self.problem == "missing":
            return f"{self.file}: missing"
        return f"{self.file}: {self.detail}"


@dataclass
class OpenReport:
    """What opening the data found and did; shown on screen and by ``kiosk check``."""

    snapshot: str = SNAPSHOT
    snapshot_seq: int = 0
    snapshot_written_at: str = ""
    replayed: int = 0
    seq: int = 0
    damaged: list[Finding] = field(default_factory=list)
    restored_from: str = ""  # a generation used instead of kiosk.json
    moved_aside: list[str] = field(default_factory=list)
    torn_tail: bool = False
    missing_seqs: int = 0
    fresh: bool = False

    @property
    def restored(self) -> bool:
        return bool(self.restored_from)

    @property
    def healthy(self) -> bool:
        return not self.damaged and not self.missing_seqs


# ---------------------------------------------------------------------------------------------
# The store


ApplyListener = Callable[[str, str, Any, Any], None]  # table, key, old doc, new doc (None = del)


class JournalStore:
    """In-memory tables kept durable by snapshot + journal. See the module docstring.

    ``writer=True`` takes the folder's lock (one writer per folder); readers follow updates with
    :meth:`refresh`. All access to :attr:`tables` must hold :attr:`lock`.
    """

    def __init__(
        self,
        folder: Path | str,
        *,
        writer: bool = True,
        repair: bool = True,
        generations: int = 3,
        compact_bytes: int = 16 * 1024 * 1024,
        command: str = "kiosk",
        load: bool = True,
        verify_all: bool = False,
    ) -> None:
        self.folder = Path(folder)
        self.writer = writer
        self.generations = generations
        self.compact_bytes = compact_bytes
        self.lock = threading.RLock()
        self.tables: Tables = {}
        self.schema: int = 0
        self.seq = 0
        self.report = OpenReport()
        self._listeners: list[ApplyListener] = []
        self._reset_listeners: list[Callable[[], None]] = []
        self._lock_fd: int | None = None
        self._journal_fd: int | None = None
        self._journal_path: Path | None = None
        self._journal_size = 0
        self._needs_new_segment = False
        self._compacting = threading.Lock()
        self._compact_thread: threading.Thread | None = None
        self._closed = False
        # Reader state: what has been read so far.
        self._seen_snapshot: tuple[int, int, int] | None = None
        self._seen_segments: dict[Path, int] = {}
        self._seen_tails: dict[Path, bytes] = {}

        self._repair_on_load = repair and writer
        self._verify_all = verify_all  # parse every copy, not only the one needed (kiosk check)
        self.loaded = False
        if writer:
            if not self.folder.exists():
                self.folder.mkdir(parents=True)
                fsync_dir(self.folder.parent)  # the folder itself must survive a power cut
            self._take_lock(command)
        if load:
            try:
                self.load()
            except BaseException:
                self._release_lock()
                raise

    def load(self) -> None:
        """Read (and for the writer, repair) the data. Separate from the constructor so the
        kiosk can hold the writer's lock first and read the records after its first frame."""
        self._open(repair=self._repair_on_load)
        self.loaded = True

    # -- public API ----------------------------------------------------------------------

    def add_listener(self, listener: ApplyListener, on_reset: Callable[[], None]) -> None:
        """Be told of every document change from now on, and when a reader reloaded all."""
        self._listeners.append(listener)
        self._reset_listeners.append(on_reset)

    def commit(self, ops: list[Op]) -> int:
        """Make a transaction durable, then apply it. Returns its sequence number.

        Raises StorageFull / StorageError with nothing applied and the files as they were.
        """
        if not self.writer:
            raise StorageError("read-only store")
        if not ops:
            return self.seq
        with self.lock:
            if self._closed:
                raise StorageError("store is closed")
            seq = self.seq + 1
            check_ops(ops)
            line = encode_entry(seq, ops)
            self._append(line)
            self.seq = seq
            # Apply what was written rather than the caller's objects: memory then holds
            # exactly what a reopen will (JSON types only, and no dict the caller still holds
            # and may change later without a save).
            self._apply(decode_entry(line)["ops"])
            due = self._journal_size >= self.compact_bytes
        if due:
            self.compact_in_background()
        return seq

    def get(self, table: str, key: str) -> Any:
        with self.lock:
            return self.tables.get(table, {}).get(key)

    def compact(self) -> None:
        """Write a new snapshot now (also used at clean shutdown)."""
        if not self.writer:
            raise StorageError("read-only store")
        with self._compacting:
            with self.lock:
                tables, meta = self._seal_for_snapshot()
            self._write_snapshot(tables, meta)

    def compact_in_background(self) -> None:
        if self._compacting.locked():
            return
        thread = threading.Thread(target=self._compact_quietly, name="kiosk-compact", daemon=True)
        self._compact_thread = thread
        thread.start()

    def wait_for_compaction(self) -> None:
        thread = self._compact_thread
        if thread is not None:
            thread.join()

    def refresh(self) -> bool:
        """Reader: take in what the writer saved since the last look. True if anything changed."""
        if self.writer:
            return False
        with self.lock:
            snap = self.folder / SNAPSHOT
            try:
                st = snap.stat()
                identity = (st.st_ino, st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                identity = None
            segments = self._list_segments()
            if identity is None:
                return False  # between two steps of a repair; look again next time
            if identity != self._seen_snapshot or any(
                path not in segments.values() or self._line_taken_back(path, offset)
                for path, offset in self._seen_segments.items()
            ):
                self._open(repair=False)
                self._notify_reset()
                return True
            changed = False
            for base, path in sorted(segments.items()):
                offset = self._seen_segments.get(path, 0)
                try:
                    if path.stat().st_size <= offset:
                        continue
                    segment = read_segment(path, base, offset)
                except FileNotFoundError:
                    continue
                if any(entry["seq"] <= self.seq for entry in segment.entries):
                    # A sequence number seen before, in a newer segment: the writer took a
                    # save back and wrote the real one there. Read everything again.
                    self._open(repair=False)
                    self._notify_reset()
                    return True
                for entry in segment.entries:
                    self._apply(entry["ops"])
                    self.seq = entry["seq"]
                    changed = True
                if segment.good_size > offset:
                    self._seen_segments[path] = segment.good_size
                    self._seen_tails[path] = segment.tail
            return changed

    def _line_taken_back(self, path: Path, offset: int) -> bool:
        """Reader: is the last line read from ``path`` gone? The writer takes a line back when
        its fdatasync fails; a reader that had already read it holds a save that never was,
        and would skip the real save made with the same sequence number: reload instead."""
        tail = self._seen_tails.get(path, b"")
        if not tail:
            return False
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return True
        try:
            return os.pread(fd, len(tail), offset - len(tail)) != tail
        finally:
            os.close(fd)

    def close(self, *, compact: bool = True) -> None:
        """Clean shutdown: finish any compaction, optionally write a fresh snapshot, unlock."""
        if self._closed:
            return
        self.wait_for_compaction()
        if self.writer and compact and self.loaded and self._journal_size > 0:
            try:
                self.compact()
            except (OSError, StorageError):
                log.warning("snapshot at shutdown failed; the journal keeps everything", exc_info=True)
        with self.lock:
            self._closed = True
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
            # The listeners are the repository's methods: a cycle, which the cyclic GC never
            # frees once _open froze it. Without them a closed store is freed at once.
            self._listeners.clear()
            self._reset_listeners.clear()
        self._release_lock()

    # -- locking -------------------------------------------------------------------------

    def _take_lock(self, command: str) -> None:
        import fcntl

        path = self.folder / LOCK
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_lock_holder(self.folder)
            os.close(fd)
            raise DataFolderBusy(self.folder, holder) from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command,
            "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    # -- opening and recovery ------------------------------------------------------------

    def _list_segments(self) -> dict[int, Path]:
        found = {}
        for entry in os.scandir(self.folder) if self.folder.is_dir() else ():
            match = _SEGMENT.match(entry.name)
            if match:
                found[int(match.group(1))] = Path(entry.path)
        return found

    def _list_generations(self) -> list[Path]:
        found = []
        for entry in os.scandir(self.folder) if self.folder.is_dir() else ():
            match = _GENERATION.match(entry.name)
            if match:
                found.append((int(match.group(1)), Path(entry.path)))
        return [path for _, path in sorted(found)]

    def _open(self, *, repair: bool) -> None:
        # Parsing creates ~100 objects per record; the cyclic GC would walk them over and over
        # while they are created (a third of the load time at 25k records). None of them are
        # garbage, so collect nothing meanwhile, then freeze them out of later collections.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._open_with_retry(repair=repair)
        finally:
            if enabled:
                gc.enable()
            gc.freeze()

    def _open_with_retry(self, *, repair: bool) -> None:
        if self.writer:
            self._open_once(repair=repair)
            return
        # A reader can race the writer's compaction (a segment deleted between listing and
        # reading it); the writer never leaves the folder inconsistent, so look again.
        for attempt in range(20):
            try:
                self._open_once(repair=False)
                return
            except FileNotFoundError:
                if attempt == 19:
                    raise
                time.sleep(0.05)

    def _open_once(self, *, repair: bool) -> None:
        report = OpenReport()
        if self.writer:
            self._remove_orphans()
        main = self.folder / SNAPSHOT
        candidates = [main, *self._list_generations()]
        segments = {
            base: read_segment(path, base) for base, path in sorted(self._list_segments().items())
        }
        if not any(p.exists() for p in candidates) and not segments:
            from kiosk.domain import SCHEMA_VERSION

            self.tables, self.schema, self.seq = {}, SCHEMA_VERSION, 0
            report.fresh = True
            self.report = report
            self._seen_snapshot = None
            self._seen_segments = {}
            self._seen_tails = {}
            if self.writer:
                self._write_snapshot({}, self._meta(0))
                self._start_segment()
            return

        chosen: tuple[Path, Tables, dict[str, Any]] | None = None
        for path in candidates:
            if not path.exists():
                if path == main:
                    report.damaged.append(Finding(SNAPSHOT, "missing"))
                continue
            if chosen is not None and chosen[0] == main and not self._verify_all:
                break  # the current snapshot is good: generations are not needed
            try:
                tables, meta = read_snapshot(path)
            except (ValueError, OSError) as exc:
                report.damaged.append(Finding(path.name, "unreadable", detail=str(exc)))
                continue
            if chosen is None or meta["seq"] > chosen[2]["seq"]:
                chosen = (path, tables, meta)
        # Each save once, by sequence number. Should one appear twice (a save whose take-back
        # failed, then the real one in a newer segment), the newer segment's copy wins.
        by_seq: dict[int, dict[str, Any]] = {}
        for base in sorted(segments):
            for entry in segments[base].entries:
                by_seq[entry["seq"]] = entry
        entries = [by_seq[seq] for seq in sorted(by_seq)]
        if chosen is None:
            # No snapshot survived; the journal alone is enough only if it starts at seq 1.
            if entries and entries[0]["seq"] == 1:
                chosen = (Path("(journal)"), {}, {**self._meta(0), "schema": 0})
            else:
                raise DataDamaged(
                    "no good copy of the data: " + "; ".join(map(str, report.damaged))
                )
        path, tables, meta = chosen
        from kiosk.domain import SCHEMA_VERSION

        if int(meta.get("schema", 0)) > SCHEMA_VERSION:
            # Before any repair or write: this kiosk must not touch a newer kiosk's data.
            raise NewerSchema(int(meta["schema"]), SCHEMA_VERSION)
        report.snapshot = path.name
        report.snapshot_seq = meta["seq"]
        report.snapshot_written_at = str(meta.get("written_at", ""))
        if path != main:
            report.restored_from = path.name

        self.tables = tables
        self.schema = int(meta.get("schema", 0))
        self.seq = meta["seq"]
        expected = self.seq + 1
        for entry in entries:
            if entry["seq"] < expected:
                continue
            if entry["seq"] > expected:
                report.missing_seqs += entry["seq"] - expected
            self._apply(entry["ops"], notify=False)
            self.seq = entry["seq"]
            expected = self.seq + 1
            report.replayed += 1
        report.seq = self.seq

        last_base = max(segments) if segments else None
        for base, segment in segments.items():
            if segment.damaged_lines:
                report.damaged.append(
                    Finding(segment.path.name, "damaged_lines", count=segment.damaged_lines)
                )
            if segment.torn_tail:
                if base == last_base and not segment.damaged_lines:
                    report.torn_tail = True  # an unacknowledged save cut short: expected
                else:
                    report.damaged.append(Finding(segment.path.name, "cut_short"))
        if self._verify_all:
            # An older segment holds every save up to the next one's start; one cut at a line
            # boundary parses cleanly, so only this gap shows it (a start never reads it).
            bases = sorted(segments)
            for base, following in zip(bases, bases[1:]):
                segment = segments[base]
                last = max((entry["seq"] for entry in segment.entries), default=base)
                if last < following and not segment.torn_tail and not segment.damaged_lines:
                    report.damaged.append(Finding(segment.path.name, "cut_short"))
        self.report = report

        if self.writer:
            if repair and (report.restored or report.damaged or report.missing_seqs):
                self._repair(report)
            elif report.damaged or report.missing_seqs:
                raise DataDamaged("damaged data: " + "; ".join(map(str, report.damaged)))
            self._resume_journal(segments)
        else:
            try:
                st = main.stat()
                self._seen_snapshot = (st.st_ino, st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                self._seen_snapshot = None
            self._seen_segments = {s.path: s.good_size for s in segments.values()}
            self._seen_tails = {s.path: s.tail for s in segments.values()}

    def _repair(self, report: OpenReport) -> None:
        """Make the recovered state the current snapshot, keeping every damaged file.

        Order matters: copies of the damaged files go to ``damaged/`` first, then the
        recovered snapshot is made durable, and only then are the damaged originals removed.
        A kill at any point leaves either the old files (and the repair runs again) or the new
        snapshot, never a folder that lost the good saves of a damaged journal segment.
        """
        aside = self.folder / DAMAGED
        aside.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        damaged = sorted({finding.file for finding in report.damaged})
        present = [name for name in damaged if (self.folder / name).exists()]
        for name in present:
            target = aside / f"{name}.{stamp}"
            copy = 1
            while target.exists():  # a second repair within the same second
                target = aside / f"{name}.{stamp}.{copy}"
                copy += 1
            write_atomic(target, _file_chunks(self.folder / name))
            report.moved_aside.append(str(target))
        fsync_dir(aside)
        main_is_good = report.snapshot == SNAPSHOT and SNAPSHOT not in damaged
        self._write_snapshot(self.tables, self._meta(self.seq), rotate=main_is_good)
        for name in present:
            if name != SNAPSHOT:  # (a damaged kiosk.json was just replaced)
                with suppress(FileNotFoundError):
                    os.unlink(self.folder / name)
        fsync_dir(self.folder)
        log.warning(
            "data repaired: snapshot %s (seq %s), %s journal entries replayed, damaged: %s",
            report.snapshot, report.snapshot_seq, report.replayed, [str(d) for d in report.damaged],
        )

    def _resume_journal(self, segments: dict[int, Segment]) -> None:
        live = {b: s for b, s in segments.items() if s.path.exists()}
        if not live:
            self._start_segment()
            return
        base = max(live)
        segment = live[base]
        if segment.damaged_lines:
            self._start_segment()
            return
        fd = os.open(segment.path, os.O_WRONLY)
        if segment.size != segment.good_size:
            os.ftruncate(fd, segment.good_size)  # drop the torn, never-acknowledged tail
            os.fsync(fd)
        os.lseek(fd, 0, os.SEEK_END)
        self._journal_fd = fd
        self._journal_path = segment.path
        self._journal_size = segment.good_size

    def _remove_orphans(self) -> None:
        for entry in os.scandir(self.folder):
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                with suppress(OSError):
                    os.unlink(entry.path)

    # -- writing -------------------------------------------------------------------------

    def _meta(self, seq: int) -> dict[str, Any]:
        # The version the tables are in (the repository upgrades them, then says so), never
        # simply this kiosk's: a snapshot must not claim a layout its documents do not have.
        return {
            "seq": seq,
            "schema": self.schema,
            "written_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        }

    def _start_segment(self) -> None:
        """Open a new, empty journal segment whose entries follow ``self.seq``."""
        path = self.folder / f"journal-{self.seq:012d}.log"
        # A segment named after the current seq can only hold entries after it, so an existing
        # file of that name (a start with no saves since) is appended to, never truncated.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            if path == self._journal_path and os.fstat(fd).st_size > self._journal_size:
                # The segment that a failed save left a fragment in (its ftruncate failed too)
                # had no saves yet, so the "new" segment is the same file: cut the fragment off
                # now, or the next line would be glued to it and unreadable.
                os.ftruncate(fd, self._journal_size)
            os.fsync(fd)
            fsync_dir(self.folder)
        except OSError:
            os.close(fd)
            raise
        if self._journal_fd is not None:
            os.close(self._journal_fd)
        self._journal_fd = fd
        self._journal_path = path
        self._journal_size = os.fstat(fd).st_size
        self._needs_new_segment = False

    def _append(self, line: bytes) -> None:
        try:
            if self._needs_new_segment or self._journal_fd is None:
                self._start_segment()
        except OSError as exc:
            _raise_os_error("starting a journal segment", exc)
        fd = self._journal_fd
        assert fd is not None
        start = self._journal_size
        try:
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fdatasync(fd)
        except OSError as exc:
            # Take the partial line back so the journal stays a list of whole lines. If even
            # that fails, the next save goes to a new segment, never after the fragment.
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
                os.lseek(fd, 0, os.SEEK_END)
            except OSError:
                self._needs_new_segment = True
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                self._needs_new_segment = True  # after a failed fsync the page cache is suspect
            _raise_os_error("saving", exc)
        self._journal_size = start + len(line)

    def _apply(self, ops: list, *, notify: bool = True) -> None:
        for op in ops:
            kind, table, key = op[0], op[1], op[2]
            rows = self.tables.setdefault(table, {})
            old = rows.get(key)
            if kind == "put":
                new = op[3]
                rows[key] = new
            elif kind == "del":
                new = None
                rows.pop(key, None)
            else:
                raise StorageError(f"unknown journal operation {kind!r}")
            if notify:
                for listener in self._listeners:
                    listener(table, key, old, new)

    def _notify_reset(self) -> None:
        for on_reset in self._reset_listeners:
            on_reset()

    # -- snapshots -----------------------------------------------------------------------

    def _seal_for_snapshot(self) -> tuple[Tables, dict[str, Any]]:
        """Under the lock: start a new segment and take a consistent view of the tables.

        Documents are never mutated in place (puts replace them), so a shallow copy of each
        table is a consistent snapshot even while new saves continue.
        """
        self._start_segment()
        return {name: dict(rows) for name, rows in self.tables.items()}, self._meta(self.seq)

    def _compact_quietly(self) -> None:
        try:
            self.compact()
        except (OSError, StorageError):
            log.warning("background snapshot failed; the journal keeps everything", exc_info=True)

    def _write_snapshot(self, tables: Tables, meta: dict[str, Any], *, rotate: bool = True) -> None:
        main = self.folder / SNAPSHOT
        before_replace = None
        if rotate and main.exists() and self.generations > 0:
            before_replace = lambda: self._rotate_generations(main)  # noqa: E731
        write_atomic(main, snapshot_chunks(tables, meta), before_replace=before_replace)
        self._collect_segments()

    def _rotate_generations(self, main: Path) -> None:
        for path in self._list_generations():
            if int(path.name.rsplit(".", 1)[1]) >= self.generations:
                path.unlink()  # beyond the configured count (it may have been lowered)
        for number in range(self.generations, 1, -1):
            older = self.folder / f"{SNAPSHOT}.{number - 1}"
            if older.exists():
                os.replace(older, self.folder / f"{SNAPSHOT}.{number}")
        link_tmp = self.folder / f".{SNAPSHOT}.1.link.tmp"
        with suppress(OSError):
            os.unlink(link_tmp)
        try:
            os.link(main, link_tmp)
        except OSError:  # a file system without hard links: copy instead
            import shutil

            shutil.copyfile(main, link_tmp)
            with open(link_tmp, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(link_tmp, self.folder / f"{SNAPSHOT}.1")

    def _collect_segments(self) -> None:
        """Delete journal segments that no kept snapshot needs any more."""
        seqs = []
        for path in [self.folder / SNAPSHOT, *self._list_generations()]:
            try:
                seqs.append(read_snapshot_seq(path))
            except (ValueError, OSError):
                continue
        if not seqs:
            return
        oldest = min(seqs)
        segments = sorted(self._list_segments().items())
        removed = False
        for (base, path), following in zip(segments, segments[1:]):
            # A segment holds seqs (base, next_base]; drop it if every one is in ``oldest``.
            if following[0] <= oldest and path != self._journal_path:
                with suppress(OSError):
                    path.unlink()
                    removed = True
        if removed:
            fsync_dir(self.folder)


def read_snapshot_seq(path: Path) -> int:
    """The sequence number of a snapshot, without parsing all of it when possible."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    match = re.match(rb'\{"_meta":\{"1":(\{[^{}]*\})', head)
    if match:
        return int(orjson.loads(match.group(1))["seq"])
    return read_snapshot(path)[1]["seq"]


def read_lock_holder(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((Path(folder) / LOCK).read_text() or "{}")
    except (OSError, ValueError):
        return {}


__all__ = [
    "DataDamaged",
    "DataFolderBusy",
    "Finding",
    "JournalStore",
    "NewerSchema",
    "OpenReport",
    "StorageError",
    "StorageFull",
    "describe_holder",
]

if sys.platform == "win32":  # pragma: no cover - the kiosk is Linux-only
    raise ImportError("kiosk.storage needs a POSIX system (flock, fdatasync)")
