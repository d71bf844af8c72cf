"""Helpers shared by the storage durability tests (test_storage_*.py, test_recovery.py, the soak).

Plain functions and classes, imported by name (``from tests.support.storage import ...``); nothing
here is a fixture. The child-process script used by the kill -9 and multi-process tests lives
here too, so every test writes the same script to its own tmp_path.
"""

from __future__ import annotations

import errno
import os
import select
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

import kiosk
from kiosk.core.records import ReportDraft
from kiosk.storage.format import LOCK, SNAPSHOT, read_segment
from kiosk.storage.packed import default as packed_json
from tests.support.clock import NOW

#: The report text; ``{n}`` is the record number, so a record's text says which one it is.
WHAT_HAPPENED = (
    "Se trabó la cinta transportadora número {n} en la línea de envasado; "
    "el operario detuvo la máquina a tiempo y nadie se lastimó. Revisión pendiente."
)

PROJECT_ROOT = Path(kiosk.__file__).resolve().parent.parent


def clock() -> datetime:
    """The fixed clock every storage test uses."""
    return NOW


def draft(n: int) -> ReportDraft:
    """Report number ``n`` (Spanish accents on purpose)."""
    return ReportDraft(kind="near_miss", area="Envasado", what_happened=WHAT_HAPPENED.format(n=n))


def add_reports(repo: Any, first: int, count: int) -> list[str]:
    """Save ``count`` reports numbered from ``first``; returns their ids."""
    return [repo.add_report(draft(n), areas=None).id for n in range(first, first + count)]


# ---------------------------------------------------------------------------------------------
# Looking at a data folder


def deep_copy(value: Any) -> Any:
    """A JSON-only deep copy (what the files can hold)."""
    return orjson.loads(orjson.dumps(value, default=packed_json))


def tables_of(store: Any) -> dict[str, Any]:
    """A deep copy of a store's tables, taken under its lock."""
    with store.lock:
        return deep_copy(store.tables)


def files_state(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes), except the lock file, whose
    content says who holds it and so changes on every writer open."""
    state = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and path.name != LOCK:
            state[str(path.relative_to(folder))] = path.read_bytes()
    return state


def orphan_temps(folder: Path) -> list[str]:
    """Temporary files a killed or failed write left behind (``.name.XXXX.tmp``)."""
    names = (p.name for p in Path(folder).iterdir())
    return sorted(n for n in names if n.startswith(".") and n.endswith(".tmp"))


def segment_paths(folder: Path) -> list[Path]:
    """Journal segments, oldest first."""
    return sorted(Path(folder).glob("journal-*.log"))


def segment_base(path: Path) -> int:
    return int(path.name[len("journal-") : -len(".log")])


def journal_entries(folder: Path) -> list[dict[str, Any]]:
    """Every good journal entry in the folder, in sequence order."""
    entries = []
    for path in segment_paths(folder):
        entries += read_segment(path, segment_base(path)).entries
    return sorted(entries, key=lambda e: e["seq"])


def last_ops(folder: Path) -> list[list[Any]]:
    """The operations of the newest journal entry."""
    return journal_entries(folder)[-1]["ops"]


def snapshot_seq(path: Path) -> int:
    return orjson.loads(path.read_bytes())["_meta"]["1"]["seq"]


def generation_paths(folder: Path) -> list[Path]:
    """``kiosk.json.1`` … ``.N``, newest first."""
    found = [p for p in Path(folder).glob(f"{SNAPSHOT}.*") if p.suffix[1:].isdigit()]
    return sorted(found, key=lambda p: int(p.suffix[1:]))


def record_ids(store: Any) -> set[str]:
    with store.lock:
        return {doc["id"] for doc in store.tables.get("records", {}).values()}


# ---------------------------------------------------------------------------------------------
# Fault injection


@dataclass
class _Plan:
    at: int  # the call number (counted from the start) that fails first
    err: int
    short: bool
    once: bool
    before: Callable[[], None] | None = None  # run just before the call fails
    shortened: bool = False


class FaultyOS:
    """Stands in for the ``os`` module inside the storage modules (:func:`use_os`); makes chosen
    calls fail.

    ``fail("write", at=3)`` makes the third ``os.write`` from now on, and every later one, raise
    ``OSError(ENOSPC)`` until :meth:`clear` (a full disk stays full; ``once=True`` fails one
    call only). ``short=True`` makes the failing write first write half of its bytes and return
    a short count, as a disk filling up in the middle of a line does; the next call fails.
    ``"handle.write"`` names writes through file objects from ``os.fdopen`` (the snapshot).
    ``before`` is called just before a call fails (to look at the files at that moment).
    Every call of the wrapped functions is counted in :attr:`calls`, failing or not.
    """

    WRAPPED = frozenset(
        {"write", "fdatasync", "fsync", "replace", "ftruncate", "link", "unlink", "handle.write"}
    )

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self._plans: dict[str, _Plan] = {}

    def fail(
        self, name: str, *, at: int = 1, err: int = errno.ENOSPC, short: bool = False,
        once: bool = False, before: Callable[[], None] | None = None,
    ) -> None:
        assert name in self.WRAPPED, name
        self._plans[name] = _Plan(
            at=self.calls[name] + at, err=err, short=short, once=once, before=before
        )

    def clear(self) -> None:
        self._plans.clear()

    def _planned(self, name: str) -> _Plan | None:
        self.calls[name] += 1
        plan = self._plans.get(name)
        number = self.calls[name]
        if plan is None or number < plan.at or (plan.once and number > plan.at):
            return None
        return plan

    def _error(self, name: str, plan: _Plan) -> OSError:
        self.failed[name] += 1
        if plan.before is not None:
            plan.before()
        return OSError(plan.err, os.strerror(plan.err))

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name == "fdopen":
            return self._fdopen
        if name not in self.WRAPPED:
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            plan = self._planned(name)
            if plan is None:
                return real(*args, **kwargs)
            if name == "write" and plan.short and not plan.shortened:
                plan.shortened = True
                plan.at = self.calls[name] + 1  # the rest of the line fails
                fd, data = args
                return real(fd, bytes(data)[: max(1, len(data) // 2)])
            raise self._error(name, plan)

        return call

    def _fdopen(self, fd: int, *args: Any, **kwargs: Any) -> Any:
        return _FaultyHandle(self, os.fdopen(fd, *args, **kwargs))


#: The storage modules that call the operating system: a FaultyOS stands in for ``os`` in each.
OS_MODULES = ("kiosk.storage.journal", "kiosk.storage.files", "kiosk.storage.recovery", "kiosk.storage.format")


def use_os(fake: Any) -> Callable[[], None]:
    """Put ``fake`` in place of ``os`` in every storage module; returns what undoes it."""
    import importlib

    modules = [importlib.import_module(name) for name in OS_MODULES]
    real = [module.os for module in modules]
    for module in modules:
        module.os = fake

    def undo() -> None:
        for module, saved in zip(modules, real, strict=True):
            module.os = saved

    return undo


class _FaultyHandle:
    def __init__(self, faulty: FaultyOS, handle: Any) -> None:
        self._faulty = faulty
        self._handle = handle

    def write(self, data: bytes) -> int:
        plan = self._faulty._planned("handle.write")
        if plan is not None:
            raise self._faulty._error("handle.write", plan)
        return self._handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FaultyHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._handle.close()


# ---------------------------------------------------------------------------------------------
# Child processes

WRITER_SCRIPT = '''\
"""Child of the storage tests: saves reports into a data folder until it is stopped.

argv: folder compact_bytes generations pause_seconds
stdin: one line, "go", before the folder is opened (the parent can start it early).
stdout: "ready" once imported, "open <count>" once the folder is open, then "ok <id>" after
every add_report that returned (acknowledged), flushed at once.
"""
import sys
import time
from datetime import datetime, timedelta, timezone

from kiosk.core.records import ReportDraft
from kiosk.storage import open_repository

WHAT_HAPPENED = {what!r}


def clock():
    return datetime(2026, 11, 21, 10, 0, tzinfo=timezone(timedelta(hours=-3)))


def main():
    folder, compact_bytes, generations, pause = sys.argv[1:5]
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    repo = open_repository(
        folder, clock=clock, id_series=1, compact_bytes=int(compact_bytes), generations=int(generations),
        command="storage-test-writer",
    )
    n = repo.count()
    print(f"open {{n}}", flush=True)
    pause = float(pause)
    while True:
        n += 1
        draft = ReportDraft(
            kind="near_miss", area="Envasado", what_happened=WHAT_HAPPENED.format(n=n)
        )
        record = repo.add_report(draft, areas=None)
        print(f"ok {{record.id}}", flush=True)
        if pause:
            time.sleep(pause)


main()
'''


def write_writer_script(tmp_path: Path) -> Path:
    path = tmp_path / "writer_child.py"
    path.write_text(WRITER_SCRIPT.format(what=WHAT_HAPPENED), encoding="utf-8")
    return path


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONIOENCODING"] = "utf-8"
    return env


class Child:
    """A child Python process with line-oriented, timeout-guarded access to its stdout."""

    def __init__(self, script: Path, *args: Any, stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        self._stderr = open(stderr_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), *map(str, args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=child_env(),
            bufsize=0,
        )
        self._buffer = b""
        self._eof = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def _fill(self, timeout: float) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if ready:
            chunk = os.read(fd, 65536)
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True

    def _pop_lines(self) -> list[str]:
        *lines, self._buffer = self._buffer.split(b"\n")
        return [line.decode() for line in lines]

    def readline(self, timeout: float = 30.0) -> str:
        """The next whole line; fails the test if none comes within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if self._eof or left <= 0:
                raise AssertionError(
                    f"child {self.pid} sent no line ({'exited' if self._eof else 'timeout'}); "
                    f"stderr:\n{self.stderr()}"
                )
            self._fill(left)
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def available_lines(self) -> list[str]:
        """Whole lines that already arrived, without waiting."""
        while not self._eof:
            before = len(self._buffer)
            self._fill(0)
            if len(self._buffer) == before:
                break
        return self._pop_lines()

    def rest(self, timeout: float = 30.0) -> list[str]:
        """Every remaining whole line up to end of file (after the child died); a last line
        without its newline is dropped: it was never completely printed."""
        deadline = time.monotonic() + timeout
        while not self._eof:
            if time.monotonic() > deadline:
                raise AssertionError(f"child {self.pid} did not close its output")
            self._fill(max(0.0, deadline - time.monotonic()))
        return self._pop_lines()

    def kill(self) -> None:
        """SIGKILL, then reap."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        """Kill if still running and release every pipe (safe to call twice)."""
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        self._stderr.close()
