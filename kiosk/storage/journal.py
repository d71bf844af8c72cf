"""The journal store: in-memory tables kept durable by a snapshot plus an append-only journal.

A save appends one line holding a whole transaction and calls ``fdatasync`` before it is
acknowledged, so its cost does not depend on how many records exist. Every so often the tables
are written as a new snapshot (temp file, fsync, rename, fsync of the folder) and the journal
starts a new segment; older snapshots are kept as generations together with the segments they
need, so losing the newest snapshot loses nothing. The file formats are in
:mod:`kiosk.storage.format`, what a start does with damage in :mod:`kiosk.storage.recovery`.

One writer per folder holds ``kiosk.lock`` (``flock``); readers use the same code without the
lock and follow the journal as it grows.
"""

from __future__ import annotations

import errno
import gc
import itertools
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.storage import recovery
from kiosk.storage.errors import DataDamaged, DataFolderBusy, StorageError, raise_os_error
from kiosk.storage.files import file_chunks, fsync_dir, remove_temp_files, write_atomic
from kiosk.storage.format import (
    LOCK,
    SNAPSHOT,
    Op,
    Segment,
    Tables,
    check_ops,
    decode_entry,
    encode_entry,
    generation_number,
    list_generations,
    list_segments,
    read_segment,
    read_snapshot_seq,
    segment_name,
    snapshot_chunks,
)
from kiosk.storage.packed import PACKED_PARTS, pack
from kiosk.storage.recovery import Finding, OpenReport

log = logging.getLogger(__name__)


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
        self._folder_fd: int | None = None
        self._holder: dict[str, Any] = {}
        #: What the previous writer last acknowledged, read from kiosk.lock before taking it.
        self._acknowledged: dict[str, Any] | None = None
        self._journal_fd: int | None = None
        self._journal_path: Path | None = None
        self._journal_size = 0
        self._needs_new_segment = False
        self._compacting = threading.Lock()
        self._compact_thread: threading.Thread | None = None
        self._closed = False
        #: The transaction as written, computed from the one given under the lock: the plant
        #: hub's versions and outbox added to it (:mod:`kiosk.storage.sync`); None: as given.
        self.before_commit: Callable[[list[Op]], list[Op]] | None = None
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

    def commit(self, ops: list[Op], *, hooked: bool = True) -> int:
        """Make a transaction durable, then apply it. Returns its sequence number.
        ``hooked=False``: without :attr:`before_commit` (the sync's own bookkeeping).

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
            if self.before_commit is not None and hooked:
                ops = self.before_commit(ops)
                check_ops(ops)
            line = encode_entry(seq, ops)
            self._append(line)
            self.seq = seq
            # Apply what was written rather than the caller's objects: memory then holds
            # exactly what a reopen will (JSON types only, and no dict the caller still holds
            # and may change later without a save).
            written = decode_entry(line)
            assert written is not None  # (it was just encoded)
            self._apply(written["ops"])
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
            segments = list_segments(self.folder)
            if identity is None:
                return False  # between two steps of a repair; look again next time
            live = set(segments.values())
            if any(path in live and self._line_taken_back(path, offset)
                   for path, offset in self._seen_segments.items()):
                self._reload()
                return True
            changed = False
            if identity != self._seen_snapshot or not live.issuperset(self._seen_segments):
                # The writer wrote a snapshot (and may have removed segments it no longer
                # needs). Its saves are still in the segments this reader follows (every
                # snapshot starts a new segment, and the older ones stay for the older copies),
                # so read on from them: reading the whole snapshot again held every request of
                # the record page for a second at 25k records (issue 13 point 20). Only when
                # they cannot bring this reader up to the snapshot is everything read again.
                try:
                    snapshot_seq = read_snapshot_seq(snap)
                except (ValueError, OSError):
                    snapshot_seq = None
                if snapshot_seq is None or snapshot_seq > self.seq:
                    caught_up = self._read_new_entries(segments)
                    if caught_up is None or snapshot_seq is None or self.seq < snapshot_seq:
                        self._reload()
                        return True
                    changed = caught_up
                self._seen_snapshot = identity
                for path in [p for p in self._seen_segments if p not in live]:
                    del self._seen_segments[path]
                    self._seen_tails.pop(path, None)
            more = self._read_new_entries(segments)
            if more is None:
                self._reload()
                return True
            return changed or more

    def _read_new_entries(self, segments: dict[int, Path]) -> bool | None:
        """Apply the saves written to ``segments`` since the last look: True if there were
        any; None if everything must be read again (a save taken back and written anew)."""
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
                # save back and wrote the real one there.
                return None
            if segment.entries and segment.entries[0]["seq"] != self.seq + 1:
                return None  # saves in between are only in a snapshot (their segment is gone)
            for entry in segment.entries:
                self._apply(entry["ops"])
                self.seq = entry["seq"]
                changed = True
            if segment.good_size > offset:
                self._seen_segments[path] = segment.good_size
                self._seen_tails[path] = segment.tail
        return changed

    def _reload(self) -> None:
        self._open(repair=False)
        self._notify_reset()

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
        """Become the folder's one writer: a ``flock`` on the data folder itself, which nobody
        deletes by mistake (a lock on ``kiosk.lock`` alone let a second writer in once the file
        was deleted as a "stale lock"), and on ``kiosk.lock`` too, which says who holds it."""
        import fcntl

        folder_fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        fd = -1
        try:
            fcntl.flock(folder_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_lock_holder(self.folder)
            for opened in (fd, folder_fd):
                if opened >= 0:
                    os.close(opened)
            raise DataFolderBusy(self.folder, holder) from None
        journal = read_lock_holder(self.folder).get("journal")
        self._acknowledged = journal if isinstance(journal, dict) else None
        self._holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command[:200],
            "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(self._holder).encode().ljust(LOCK_RECORD), 0)
        self._lock_fd = fd
        self._folder_fd = folder_fd
        self._close_to_others()

    def _close_to_others(self) -> None:
        """Data files written by an older kiosk as 0644 become 0600 (they hold PIN hashes)."""
        for path in self.folder.iterdir():
            if path.name.startswith(("journal-", "kiosk.json")):
                try:
                    if path.stat().st_mode & 0o077:
                        path.chmod(0o600)
                except OSError:
                    pass  # not ours to change (a copy made by root): the kiosk still works

    def _release_lock(self) -> None:
        # Closing releases the flocks.
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        if self._folder_fd is not None:
            os.close(self._folder_fd)
            self._folder_fd = None

    # -- opening and recovery ------------------------------------------------------------

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
        """Read the newest good copy and the journal after it (see :mod:`kiosk.storage.recovery`);
        then the writer repairs what was damaged and resumes the journal, a reader remembers
        how far it has read."""
        from kiosk.core.records import SCHEMA_VERSION

        if self.writer:
            remove_temp_files(self.folder)
        main = self.folder / SNAPSHOT
        candidates = [main, *list_generations(self.folder)]
        segments = recovery.read_segments(self.folder)
        acknowledged = self._acknowledged if self.writer else self._acknowledged_by_a_stopped_writer()
        if not any(path.exists() for path in candidates) and not segments:
            self._start_fresh(SCHEMA_VERSION)
            if acknowledged and acknowledged.get("segment"):
                # A writer worked here, and its files are gone (fault report D18): start, but
                # say so, every time until a writer has made the folder whole again.
                self.report.damaged += [Finding(SNAPSHOT, "missing"), Finding(str(acknowledged["segment"]), "missing")]
            return

        report = OpenReport()
        entries = recovery.in_order(segments)
        chosen = recovery.choose_snapshot(candidates, report, verify_all=self._verify_all)
        if chosen is None:
            chosen = recovery.journal_alone(entries, report, self._meta(0))
        schema = recovery.check_schema(chosen, SCHEMA_VERSION)
        recovery.note_snapshot(report, chosen, main)
        self.tables = chosen.tables
        self.schema = schema
        self.seq = recovery.replay(entries, chosen.seq, self._replay_ops, report)
        recovery.note_segments(report, segments, verify_all=self._verify_all)
        if chosen.path == main and chosen.meta.get("journal"):
            recovery.note_missing_segment(report, segments, chosen.seq)
        recovery.note_acknowledged(report, segments, acknowledged)
        self.report = report

        if self.writer:
            if repair and report.needs_repair:
                recovery.repair(self.folder, report, self._write_recovered_snapshot)
                self._start_segment()  # the recovered snapshot's own segment, as after any snapshot
            elif report.damaged or report.missing_seqs:
                raise DataDamaged("damaged data: " + "; ".join(map(str, report.damaged)))
            else:
                self._resume_journal(segments)
        else:
            self._remember_reading(main, segments)

    def _acknowledged_by_a_stopped_writer(self) -> dict[str, Any] | None:
        """A reader (``kiosk check``) compares the files with what the last writer acknowledged
        only when no writer runs: a running one is still writing past it."""
        import fcntl

        try:
            fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a writer holds the folder
        finally:
            os.close(fd)  # (closing drops the shared lock at once)
        journal = read_lock_holder(self.folder).get("journal")
        return journal if isinstance(journal, dict) else None

    def _start_fresh(self, schema: int) -> None:
        """An empty folder: no records yet (the writer makes it a data folder at once)."""
        self.tables, self.schema, self.seq = {}, schema, 0
        self.report = OpenReport(fresh=True)
        self._seen_snapshot = None
        self._seen_segments = {}
        self._seen_tails = {}
        if self.writer:
            self._start_segment()  # first, as for every snapshot: the snapshot names it
            self._write_snapshot({}, self._meta(0))

    def _replay_ops(self, ops: list[Any]) -> None:
        self._apply(ops, notify=False)

    def _write_recovered_snapshot(self, rotate: bool) -> None:
        """The repaired state becomes the only copy the kiosk keeps using (fault report D10).

        Its segment starts first, as for every snapshot. The older copies predate the repair:
        each needs saves that were in the damaged files, so falling back to one would lose
        them again, and ``kiosk check`` rightly called their journal cut short. They go to
        ``before-repair/`` (nothing is deleted); the first fallback copy is
        the repaired state itself, and older ones follow with the next snapshots."""
        self._start_segment()
        self._write_snapshot(self.tables, self._meta(self.seq), rotate=False)
        older = list_generations(self.folder)
        if older:
            aside = self.folder / BEFORE_REPAIR
            aside.mkdir(exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            for path in older:
                os.replace(path, aside / f"{path.name}.{stamp}")
                log.warning("copy %s predates the repair: kept in %s", path.name, BEFORE_REPAIR)
            fsync_dir(aside)
        if self.generations > 0:  # a fallback: a copy of the repaired state (its own file, not a link)
            write_atomic(self.folder / f"{SNAPSHOT}.1", file_chunks(self.folder / SNAPSHOT))
        fsync_dir(self.folder)
        self._collect_segments()

    def _remember_reading(self, main: Path, segments: dict[int, Segment]) -> None:
        """Reader: what has been read, so :meth:`refresh` reads only what comes after it."""
        try:
            st = main.stat()
            self._seen_snapshot = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            self._seen_snapshot = None
        self._seen_segments = {s.path: s.good_size for s in segments.values()}
        self._seen_tails = {s.path: s.tail for s in segments.values()}

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
        self._record_acknowledged()

    def _record_acknowledged(self) -> None:
        """Note in kiosk.lock how far the journal is acknowledged: the newest segment and its
        size. A start or ``kiosk check`` then knows when that segment went missing or shrank
        (deleted, emptied, cut at a line), which the journal alone cannot show (fault report
        D9). Not synced: after a power cut it may say less than was written, never more."""
        if self._lock_fd is None or self._journal_path is None:
            return
        record = {**self._holder, "journal": {"segment": self._journal_path.name, "size": self._journal_size}}
        with suppress(OSError):  # a note, never a reason to refuse a save
            os.pwrite(self._lock_fd, json.dumps(record).encode().ljust(LOCK_RECORD), 0)

    # -- writing -------------------------------------------------------------------------

    def _meta(self, seq: int) -> dict[str, Any]:
        # The version the tables are in (the repository upgrades them, then says so), never
        # simply this kiosk's: a snapshot must not claim a layout its documents do not have.
        # "journal": the segment that holds the saves after this snapshot, always started
        # before the snapshot is written; a snapshot that names one needs it (fault report
        # D9), while one made elsewhere (an older kiosk, TinyDB itself, a tool) names none.
        return {
            "seq": seq,
            "schema": self.schema,
            "written_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "journal": segment_name(seq),
        }

    def start_journal_at(self, seq: int) -> None:
        """After ``kiosk restore`` put a snapshot of ``seq`` in place: its own empty segment, as
        every snapshot has, and the lock's note of it (the note about the files the restore
        replaced no longer holds)."""
        with self.lock:
            self.seq = seq
            self._start_segment()

    def _start_segment(self) -> None:
        """Open a new, empty journal segment whose entries follow ``self.seq``."""
        path = self.folder / segment_name(self.seq)
        # A segment named after the current seq can only hold entries after it, so an existing
        # file of that name (a start with no saves since) is appended to, never truncated.
        # 0600 like the snapshot: segments carry supervisors' PIN hashes (fault report D19).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.fchmod(fd, 0o600)
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
        self._record_acknowledged()

    def _append(self, line: bytes) -> None:
        try:
            if self._needs_new_segment or self._journal_fd is None:
                self._start_segment()
        except OSError as exc:
            raise_os_error("starting a journal segment", exc)
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
            raise_os_error("saving", exc)
        self._journal_size = start + len(line)
        self._record_acknowledged()

    def _apply(self, ops: list, *, notify: bool = True) -> None:
        for op in ops:
            kind, table, key = op[0], op[1], op[2]
            rows = self.tables.setdefault(table, {})
            old = rows.get(key)
            if kind == "put":
                new = op[3]
                parts = PACKED_PARTS.get(table)
                if parts:
                    new = pack(new, parts)
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
        rotate = rotate and main.exists() and self.generations > 0

        def before_replace() -> None:
            if rotate:
                self._rotate_generations(main)

        write_atomic(main, snapshot_chunks(tables, meta), before_replace=before_replace)
        self._collect_segments()

    def _rotate_generations(self, main: Path) -> None:
        for path in list_generations(self.folder):
            if generation_number(path) >= self.generations:
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
        for path in [self.folder / SNAPSHOT, *list_generations(self.folder)]:
            try:
                seqs.append(read_snapshot_seq(path))
            except (ValueError, OSError):
                continue
        if not seqs:
            return
        oldest = min(seqs)
        segments = sorted(list_segments(self.folder).items())
        removed = False
        for (_base, path), following in itertools.pairwise(segments):
            # A segment holds seqs (base, next_base]; drop it if every one is in ``oldest``.
            if following[0] <= oldest and path != self._journal_path:
                with suppress(OSError):
                    path.unlink()
                    removed = True
        if removed:
            fsync_dir(self.folder)


#: Where a repair keeps the copies made before it (see _write_recovered_snapshot).
BEFORE_REPAIR = "before-repair"

#: kiosk.lock is rewritten in place at every save: padded to one size, it never needs cutting.
LOCK_RECORD = 1024


def read_lock_holder(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((Path(folder) / LOCK).read_text() or "{}")
    except (OSError, ValueError):
        return {}


if sys.platform == "win32":  # pragma: no cover - the kiosk is Linux-only
    raise ImportError("kiosk.storage needs a POSIX system (flock, fdatasync)")
