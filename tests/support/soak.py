"""The proof under faults: every fault the floor can throw at the kiosk, many times, counting
what was lost (which must be nothing).

``make soak`` runs every scenario at full size (within 15 minutes on a 2-core machine) and
prints a table; ``tests/test_soak.py`` runs the short version inside ``make test``::

    python -m tests.support.soak [--short] [--only NAME ...] [--seed N]

Scenarios (real processes, real files, a real loopback printer, the real App under Pilot):

* ``kill9``: a writer process saving reports is SIGKILLed at random moments; after each kill
  the folder is reopened as the next start would, and every acknowledged report must be there.
* ``sigterm``: the kiosk in a pseudo-terminal is sent SIGTERM right after the key that saves a
  report; it must exit 0 with the terminal restored, nothing half-written, nothing shown as
  saved missing.
* ``damage``: a data folder's files are damaged at random (snapshots, older journal segments,
  a torn last line, leftovers) before a start; everything must come back from the newest good
  copy, with the damaged file kept aside.
* ``full_disk``: saving onto a really full disk (a small tmpfs; simulated with ENOSPC when
  mounting is not allowed), in the storage and through the report screen.
* ``printer``: a printer that prints, one that refuses, one that accepts and never reads, one
  that reads slowly; each job's outcome must be what happened.
* ``keys``: random keys (bursts of letters, digits, Enter, Esc, Tab, arrows, F-keys, control
  keys, pastes) on every screen; no error may reach the kiosk's recovery.
* ``hostile``: the hostile-text corpus (``tests/hostile.py``), imported and pasted, drawn on
  every screen: no escape sequence or control character may reach the terminal and no markup
  may act; printed: no byte of it may become a printer command.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core import ids

FULL = {"kill9": 300, "sigterm": 20, "damage": 400, "full_disk": 8, "printer": 12, "keys": 5000, "hostile": 20}
SHORT = {"kill9": 200, "sigterm": 4, "damage": 60, "full_disk": 1, "printer": 2, "keys": 250, "hostile": 4}


@dataclass
class Row:
    """One line of the table: what was tried, how often, and what was lost."""

    fault: str
    tried: int = 0
    unit: str = ""
    lost: int = 0
    lost_what: str = ""
    wrong: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lose(self, count: int, what: str) -> None:
        if count:
            self.lost += count
            self._note(what)

    def fail(self, what: str) -> None:
        """Not a loss, but not what should have happened (a wrong outcome, a crash)."""
        self.wrong += 1
        self._note(what)

    def _note(self, what: str) -> None:
        if len(self.problems) < 12:
            self.problems.append(what)

    @property
    def clean(self) -> bool:
        return not self.lost and not self.wrong


# ---------------------------------------------------------------------------------------------
# kill -9 during saves


def _nothing() -> None:
    """Nothing to undo."""


def kill9(work: Path, kills: int, rng: random.Random) -> Row:
    """A child saves reports in a loop (``ok <id>`` after each acknowledged save); it is
    SIGKILLed after a random 0-150 ms, the folder reopened as the next start would (writer,
    repair on): every acknowledged report present with its own text, exactly a prefix of the
    saves (nothing half-applied), no damage found, and a reader sees the same. Small segments
    make kills land inside snapshots too. The next child starts while the last is checked."""
    from kiosk.storage import JournalStore, open_repository
    from tests.support.storage import WHAT_HAPPENED, Child, clock, orphan_temps, record_ids, write_writer_script

    row = Row("kill -9 during saves", unit="kills", lost_what="acknowledged reports missing")
    compact_bytes, generations, pause = 10_000, 2, 0.004
    script = write_writer_script(work)
    folder = work / "data"
    acked: set[str] = set()
    count = 0
    stats: Counter[str] = Counter()

    def spawn(number: int) -> Child:
        return Child(script, folder, compact_bytes, generations, pause, stderr_path=work / f"child-{number}.err")

    pending: Child | None = spawn(0)
    try:
        for kill in range(kills):
            child, pending = pending, (spawn(kill + 1) if kill + 1 < kills else None)
            try:
                if child.readline() != "ready":
                    row.fail(f"kill {kill}: the child did not start: {child.stderr()[-300:]}")
                    break
                child.send("go")
                opened = child.readline()
                if opened != f"open {count}":
                    row.fail(f"kill {kill}: the child opened {opened!r}, not {count} records")
                    break
                lines = [child.readline()]
                time.sleep(rng.uniform(0.0, 0.150))
                child.kill()
                lines += child.rest()
            finally:
                child.close()
            row.tried += 1
            new = [line.split()[1] for line in lines if line.startswith("ok ")]
            if len(new) != len(lines):
                row.fail(f"kill {kill}: unexpected output {lines[-3:]}")
            acked.update(new)
            stats["acknowledged"] += len(new)
            if any(name.startswith(".kiosk.json.") for name in orphan_temps(folder)):
                stats["inside a snapshot"] += 1

            repo = open_repository(folder, clock=clock, id_series=1, compact_bytes=compact_bytes,
                                   generations=generations)
            try:
                report = repo.store.report
                if not report.healthy or report.restored_from or report.moved_aside:
                    row.fail(f"kill {kill}: damage found at start: {report}")
                stats["torn last line"] += report.torn_tail
                have = record_ids(repo.store)
                row.lose(len(acked - have), f"kill {kill}: missing {sorted(acked - have)[:5]}")
                # Every record is read back whole every 20 kills and at the end; in between the
                # ones saved since the last kill.
                full = kill % 20 == 19 or kill == kills - 1
                for record_id in sorted(acked & have) if full else [i for i in new if i in have]:
                    record = repo.get(record_id)
                    if record is None or record.what_happened != WHAT_HAPPENED.format(n=ids.decode(record_id)):
                        row.lose(1, f"kill {kill}: {record_id} is not the report saved")
                now = _check_prefix(repo.store, count, row, kill)
                # At most one save can be durable but unacknowledged (killed before "ok").
                if now - count not in (len(new), len(new) + 1):
                    row.fail(f"kill {kill}: {now - count} new records for {len(new)} acknowledged")
                stats["durable, not acknowledged"] += max(0, now - count - len(new))
                count = now
                if orphan_temps(folder):
                    row.fail(f"kill {kill}: temporary files left after a start: {orphan_temps(folder)}")
                seq, tables = repo.store.seq, repo.store.tables
            finally:
                repo.store.close(compact=False)
            reader = JournalStore(folder, writer=False)
            try:
                if reader.seq != seq or reader.tables != tables:
                    row.fail(f"kill {kill}: a reader sees other data than the writer")
            finally:
                reader.close()
    finally:
        if pending is not None:
            pending.close()
    if row.tried and not stats["inside a snapshot"]:
        row.fail("no kill landed inside a snapshot: the test did not reach them")
    row.notes.append(f"{len(acked)} acknowledged reports, {count} in the data; "
                     f"{stats['inside a snapshot']} kills inside a snapshot, "
                     f"{stats['torn last line']} torn last lines dropped, "
                     f"{stats['durable, not acknowledged']} saved but killed before saying so")
    return row


def _check_prefix(store, checked: int, row: Row, kill: int) -> int:
    """Records 1..n and nothing else (saves apply in order, whole); returns n."""
    from tests.support.storage import WHAT_HAPPENED

    with store.lock:
        rows = store.tables.get("records", {})
        n = len(rows)
        if not all(1 <= int(key) <= n for key in rows):
            row.fail(f"at {kill}: a gap in the record numbers")
        for number in range(checked + 1, n + 1):
            doc = rows.get(str(number))
            if doc is None or doc["id"] != ids.encode(number) or doc["what_happened"] != WHAT_HAPPENED.format(n=number):
                row.fail(f"at {kill}: record {number} is not the one saved")
    return n


# ---------------------------------------------------------------------------------------------
# SIGTERM in the middle of a save


def sigterm(work: Path, times: int, rng: random.Random) -> Row:
    """The kiosk in a pty: a report is typed and Enter saves it; SIGTERM follows 0-30 ms later.
    The kiosk must exit 0 with the terminal restored; the data must open healthy (no torn line:
    a stop by signal lets the save finish) with every report whose number was shown."""
    from kiosk.storage import JournalStore
    from tests.support.pty_terminal import Terminal, kiosk_env

    row = Row("SIGTERM right after the saving key", unit="stops", lost_what="reports shown as saved, missing")
    folder = work / "data"
    shown: set[str] = set()
    outcomes: Counter[str] = Counter()
    count = 0
    config = work / "kiosk.toml"
    config.write_text("[storage]\nid_series = 1\n", encoding="utf-8")  # ids from 1, as counted here
    for attempt in range(times):
        term = Terminal([sys.executable, "-m", "kiosk", "run", "--data", str(folder), "--config", str(config)],
                        kiosk_env())
        expected = ids.encode(count + 1)
        try:
            if not term.read_until(b"Reportar", timeout=30):
                row.fail(f"stop {attempt}: the kiosk did not start: {term.output[-300:]!r}")
                continue
            # Report, near miss, the first area (↓ Enter: none is chosen for the operator), no
            # station; the story; Enter through impact, what we did and the name to the
            # summary, whose Enter saves.
            story = f"Prueba de parada número {attempt} con la cinta 3".encode()
            for keys in (b"1", b"2", b"\x1b[B", b"\r", b"\r", story, b"\r", b"\r", b"\r", b"\r"):
                term.send(keys)
                term.drain(0.25)
            if not term.read_until(b"para guardar", timeout=10):
                row.fail(f"stop {attempt}: the summary did not come up")
            term.send(b"\r")
            time.sleep(rng.uniform(0.0, 0.030))
            term.process.send_signal(signal.SIGTERM)
            status = term.process.wait(timeout=20)
            term.drain(0.2)
        finally:
            term.close()
        row.tried += 1
        if status != 0:
            row.fail(f"stop {attempt}: exit status {status}")
        if b"\x1b[?1049l" not in term.output:
            row.fail(f"stop {attempt}: the terminal was not restored")
        if expected.encode() in term.output:
            shown.add(expected)
        store = JournalStore(folder, writer=False)
        try:
            report = store.report
            if not report.healthy or report.torn_tail:
                row.fail(f"stop {attempt}: the data is not whole after the stop: {report}")
            have = {doc["id"] for doc in store.tables.get("records", {}).values()}
        finally:
            store.close()
        row.lose(len(shown - have), f"stop {attempt}: shown as saved but missing: {sorted(shown - have)}")
        saved = expected in have
        outcomes["saved and shown" if expected in shown else "saved, stopped before showing it" if saved
                 else "stopped before saving"] += 1
        count = len(have)
    row.notes.append(", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())))
    return row


# ---------------------------------------------------------------------------------------------
# Damaged files at start

_SNAPSHOT_DAMAGE = ("truncate", "flip", "append", "empty", "nul", "delete", "other-json")
_SEGMENT_DAMAGE = ("truncate", "flip", "append", "delete")


def _damage(path: Path, kind: str, rng: random.Random) -> None:
    raw = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(raw[: rng.randrange(0, len(raw))])
    elif kind == "flip":
        at = rng.randrange(len(raw))
        path.write_bytes(raw[:at] + bytes([raw[at] ^ (1 << rng.randrange(8))]) + raw[at + 1:])
    elif kind == "append":
        path.write_bytes(raw + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "nul":
        path.write_bytes(b"\0" * len(raw))
    elif kind == "delete":
        path.unlink()
    elif kind == "other-json":
        path.write_bytes(b'{"_default": {"1": {"hola": "mundo"}}}')
    else:
        raise ValueError(kind)


def _damage_base(folder: Path):
    """40 reports: snapshots at 10, 20 and 30 (kiosk.json, .1, .2), the journal from 0."""
    from kiosk.storage import open_repository
    from tests.support.storage import add_reports, clock, deep_copy

    repo = open_repository(folder, clock=clock, id_series=1, generations=3)
    for first in (1, 11, 21):
        add_reports(repo, first, 10)
        repo.store.compact()
    add_reports(repo, 31, 10)
    records = deep_copy(repo.store.tables["records"])
    repo.store.close(compact=False)
    return records


def damage(work: Path, trials: int, rng: random.Random) -> Row:
    """Each trial copies a 40-report folder and damages one to three of its files where a good
    copy remains (any snapshot but the last good one, a journal segment the newest snapshot
    already holds, a torn last line, leftover temporary files), then starts on it."""
    from kiosk.storage import open_repository
    from tests.support.storage import clock, generation_paths, segment_paths

    row = Row("damaged files at start", unit="starts", lost_what="records missing or changed")
    base = work / "base"
    expected = _damage_base(base)
    snapshots = ["kiosk.json", *(p.name for p in generation_paths(base))]
    live = segment_paths(base)[-1].name
    covered = [p.name for p in segment_paths(base)[:-1]]
    kinds: Counter[str] = Counter()
    for trial in range(trials):
        folder = work / f"trial-{trial}"
        shutil.copytree(base, folder)
        plan = rng.random()
        damaged: list[str] = []
        if plan < 0.45:  # one or more snapshots, never all of them
            for name in rng.sample(snapshots[:-1], rng.randint(1, len(snapshots) - 1)):
                kind = rng.choice(_SNAPSHOT_DAMAGE)
                _damage(folder / name, kind, rng)
                damaged.append(f"{name} ({kind})")
                kinds[f"snapshot {kind}"] += 1
        elif plan < 0.8:  # an older segment (kiosk.json holds its saves)
            name = rng.choice(covered)
            kind = rng.choice(_SEGMENT_DAMAGE)
            _damage(folder / name, kind, rng)
            damaged.append(f"{name} ({kind})")
            kinds[f"old segment {kind}"] += 1
        elif plan < 0.9:  # a save cut short by a power cut: never acknowledged
            with open(folder / live, "ab") as handle:
                handle.write(b'{"seq": 41, "ops": [["put", "records", "41", {"id": "ZZZ-')
            kinds["torn last line"] += 1
        else:  # a snapshot or link cut short before its rename
            (folder / ".kiosk.json.x1y2z3.tmp").write_bytes(b'{"_meta": {"1": {"se')
            (folder / ".kiosk.json.1.link.tmp").write_bytes(b"")
            kinds["leftover temporary files"] += 1
        row.tried += 1
        try:
            repo = open_repository(folder, clock=clock, id_series=1, generations=3)
        except Exception as error:
            row.lose(len(expected), f"trial {trial} ({damaged}): the start failed: {error!r}")
            continue
        try:
            have = repo.store.tables.get("records", {})
            missing = [key for key, doc in expected.items() if have.get(key) != doc]
            row.lose(len(missing), f"trial {trial} ({damaged}): records {missing[:5]} missing or changed")
            if len(have) != len(expected):
                row.fail(f"trial {trial}: {len(have)} records, not {len(expected)}")
            report = repo.store.report
            # (An older copy deleted is one copy fewer, like a pruned generation: not damage.)
            noticeable = [d for d in damaged if d.startswith("kiosk.json ") or not d.endswith("(delete)")]
            if noticeable and report.healthy and not _check_finds_damage(folder):
                row.fail(f"trial {trial}: neither the start nor 'kiosk check' noticed the damage to {damaged}")
            if any(d.startswith("kiosk.json ") for d in damaged) and report.restored_from:
                good = next((n for n in snapshots if not any(d.startswith(n + " ") for d in damaged)), "")
                if report.restored_from != good:
                    row.fail(f"trial {trial}: restored from {report.restored_from}, not the newest good copy {good}")
            for moved in report.moved_aside:
                if not Path(moved).exists():
                    row.fail(f"trial {trial}: the damaged file {moved} was not kept")
        finally:
            repo.store.close(compact=False)
        again = open_repository(folder, clock=clock, id_series=1, generations=3)
        try:
            if not again.store.report.healthy or again.store.tables.get("records") != expected:
                row.fail(f"trial {trial}: the second start is not clean: {again.store.report}")
        finally:
            again.store.close(compact=False)
        shutil.rmtree(folder)
    row.notes.append(", ".join(f"{n} {what}" for what, n in sorted(kinds.items())))
    return row


def _check_finds_damage(folder: Path) -> bool:
    """A start reads only the newest snapshot and the journal after it; damage to older copies
    is for ``kiosk check`` (which reads every copy) to find."""
    from kiosk.storage import DataDamaged, JournalStore

    try:
        reader = JournalStore(folder, writer=False, verify_all=True)
    except DataDamaged:
        return True
    try:
        return not reader.report.healthy
    finally:
        reader.close()


# ---------------------------------------------------------------------------------------------
# A full disk


class _SmallDisk:
    """A 512 KiB tmpfs (needs root); None from ``mount`` where that is not allowed."""

    def __init__(self, where: Path) -> None:
        self.where = where

    def mount(self) -> Path | None:
        self.where.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            return None
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(self.where)],
                                  capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return self.where if done.returncode == 0 else None

    def unmount(self) -> None:
        if subprocess.run(["umount", str(self.where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(self.where)], capture_output=True)


def full_disk(work: Path, rounds: int, rng: random.Random) -> Row:
    """Each round fills a small disk with reports until a save is refused (StorageFull), starts
    again on the full disk, frees space and saves again; then one report is saved through the
    report screen onto a full disk: refused with the message, kept on screen, saved once there
    is room. Without root the disk is filled by ENOSPC from os.write instead (said in the notes)."""
    row = Row("full disk during saves", unit="disks filled", lost_what="acknowledged reports missing")
    saves = refused = 0
    simulated = False
    for number in range(rounds):
        disk = _SmallDisk(work / f"disk-{number}")
        mounted = disk.mount()
        simulated = mounted is None
        try:
            acked, failed = _fill_with_reports(disk.where, simulated, row, number, rng)
            saves += acked
            refused += failed
        finally:
            if mounted:
                disk.unmount()
        row.tried += 1
    disk = _SmallDisk(work / "disk-screen")
    mounted = disk.mount()
    try:
        asyncio.run(_full_disk_on_screen(disk.where, mounted is None, row))
    finally:
        if mounted:
            disk.unmount()
    row.tried += 1
    row.notes.append(f"{saves} reports acknowledged, {refused} refused with 'disk full'; "
                     + ("disk full simulated with ENOSPC (no root to mount a small disk)" if simulated
                        else "a real 512 KiB tmpfs"))
    return row


def _fill_with_reports(where: Path, simulated: bool, row: Row, number: int, rng: random.Random) -> tuple[int, int]:
    from kiosk.storage import StorageFull, open_repository
    from tests.support.storage import FaultyOS, clock, draft, record_ids, use_os

    filler = where / "relleno.bin"
    filler.write_bytes(b"\xff" * rng.choice((64, 128, 192)) * 1024)
    folder = where / "data"
    restore_os: Callable[[], None] = _nothing
    if simulated:  # the disk fills up somewhere in the middle of a line, and stays full
        faulty = FaultyOS()
        restore_os = use_os(faulty)
        faulty.fail("write", at=rng.randrange(100, 300), short=True)
        faulty.fail("handle.write", at=rng.randrange(10, 40))
    try:
        repo = open_repository(folder, clock=clock, id_series=1, compact_bytes=20_000, generations=2)
        acked: list[str] = []
        n = 1
        refused = 0
        while n < 5000:
            try:
                acked.append(repo.add_report(draft(n), areas=None).id)
                n += 1
            except StorageFull:
                refused += 1
                # A snapshot under way may still give back its space: full means refused
                # with none running.
                repo.store.wait_for_compaction()
                try:
                    acked.append(repo.add_report(draft(n), areas=None).id)
                    n += 1
                except StorageFull:
                    refused += 1
                    break
        if n >= 5000:
            row.fail(f"disk {number}: never filled up")
        failed_id = ids.encode(n)
        repo.store.close(compact=False)
        again = open_repository(folder, clock=clock, id_series=1, compact_bytes=20_000, generations=2)
        have = record_ids(again.store)
        row.lose(len(set(acked) - have), f"disk {number}: missing after a start on the full disk")
        if failed_id in have:
            row.fail(f"disk {number}: the refused report {failed_id} is there")
        if not again.store.report.healthy:
            row.fail(f"disk {number}: damage reported on the full disk: {again.store.report}")
        # Room again: saving works on the same open store.
        if simulated:
            faulty.clear()
        filler.unlink()
        for extra in range(n, n + 5):
            acked.append(again.add_report(draft(extra), areas=None).id)
        again.close()
        third = open_repository(folder, clock=clock, id_series=1)
        row.lose(len(set(acked) - record_ids(third.store)), f"disk {number}: missing after space came back")
        third.close()
        return len(acked), refused
    finally:
        restore_os()


async def _full_disk_on_screen(where: Path, simulated: bool, row: Row) -> None:
    from kiosk.app import KioskApp
    from kiosk.config import Config
    from kiosk.screens.report import ReportScreen
    from kiosk.screens.saved import SavedScreen
    from kiosk.storage import open_repository
    from tests.support.clock import FakeMonotonic, fixed_clock
    from tests.support.pilot import screen_text, wait_for, walk_to_confirm
    from tests.support.storage import FaultyOS, use_os

    repo = open_repository(where / "data", clock=fixed_clock, id_series=1)
    filler = where / "relleno.bin"
    restore_os: Callable[[], None] = _nothing
    app = KioskApp(config=Config(), repo=repo, clock=fixed_clock, monotonic=FakeMonotonic())
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await walk_to_confirm(pilot, what="Se cayó una caja del estante 4")
            if simulated:
                faulty = FaultyOS()
                restore_os = use_os(faulty)
                faulty.fail("write")
            else:
                with open(filler, "wb") as handle:  # every last block
                    try:
                        while True:
                            handle.write(b"\xff" * 65536)
                            handle.flush()
                    except OSError:
                        pass
            await pilot.press("enter")
            try:
                await wait_for(pilot, lambda: "disco está lleno" in screen_text(app), timeout=10)
            except AssertionError:
                row.fail("the report screen did not say the disk is full")
            if not isinstance(app.screen, ReportScreen) or repo.count() != 0:
                row.lose(1, "the report left the screen although it was not saved")
            restore_os()
            if filler.exists():
                filler.unlink()
            await pilot.press("enter")
            try:
                await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen), timeout=10)
            except AssertionError:
                row.lose(1, "the report was not saved once there was room")
                return
            saved = repo.get(app.screen.record.id)
            if saved is None or saved.what_happened != "Se cayó una caja del estante 4":
                row.lose(1, "the report saved after the full disk is not the one typed")
            if app.recovered_errors:
                row.fail(f"errors on the report screen: {app.recovered_errors[:2]}")
    finally:
        restore_os()
        repo.close()


# ---------------------------------------------------------------------------------------------
# Printers that refuse, never read, or read slowly


def printer(work: Path, jobs: int, rng: random.Random) -> Row:
    """``jobs`` slips to each of four loopback printers (timeout 1 s): one that prints, a
    refused port, one that accepts and never reads, one that reads 64 bytes every 2 ms. A slip
    said to be printed must have arrived whole; one said to have failed must not have arrived;
    every job ends within its deadline with the reason said."""
    from kiosk.core.records import ReportDraft
    from kiosk.storage import open_repository
    from tests.support.clock import fixed_clock
    from tests.support.fake_printer import FakePrinter, refused_port
    from tests.support.printers import TIMEOUT as timeout
    from tests.support.printers import spooler_for

    row = Row("printer: prints, refuses, never reads, slow", unit="slips", lost_what="slips said printed, not printed")
    repo = open_repository(work / "data", clock=fixed_clock, id_series=1)
    record = repo.add_report(ReportDraft(kind="error", area="Inyección", what_happened="Se trabó la matriz ¿otra vez?"),
                             areas=None)
    took: dict[str, float] = {}
    try:
        for mode in ("ok", "refused", "mute", "slow"):
            fake = None if mode == "refused" else FakePrinter(mode, read_delay=0.002).start()
            port = refused_port() if fake is None else fake.port
            spooler = spooler_for(repo, f"network:127.0.0.1:{port}")
            worst = 0.0
            try:
                for n in range(jobs):
                    started = time.monotonic()
                    job = spooler.process(spooler.request("receipt", (record.id,), language="es_AR").number)
                    worst = max(worst, time.monotonic() - started)
                    row.tried += 1
                    if mode in ("ok", "slow"):
                        whole = spooler.render(spooler.layout(job))
                        try:
                            printed = whole in fake.wait_for_jobs(n + 1, timeout=3.0)[n]
                        except TimeoutError:
                            printed = False
                        if job.state != "sent":
                            row.fail(f"{mode} job {n}: {job.state} ({job.problem}), not sent")
                        if not printed:
                            row.lose(1, f"{mode} job {n}: said sent, did not arrive whole")
                    else:
                        expected = "refused" if mode == "refused" else "stuck"
                        if job.state != "failed" or job.problem != expected:
                            row.fail(f"{mode} job {n}: {job.state} ({job.problem}), not failed ({expected})")
                        if fake is not None and b"\x1b@" in fake.received:
                            row.fail(f"{mode} job {n}: a slip was sent to a printer that does not answer")
                    if time.monotonic() - started > 5 * timeout + 2:
                        row.fail(f"{mode} job {n}: took {time.monotonic() - started:.1f} s")
                    stored = repo.print_jobs().get(job.number, {})
                    if stored.get("state") != job.state:
                        row.fail(f"{mode} job {n}: stored as {stored.get('state')}, said {job.state}")
            finally:
                spooler.stop()
                if fake is not None:
                    fake.stop()
            took[mode] = worst
    finally:
        repo.close()
    row.notes.append("slowest job: " + ", ".join(f"{mode} {seconds:.2f} s" for mode, seconds in took.items())
                     + f" (timeout {timeout:.0f} s)")
    return row


# ---------------------------------------------------------------------------------------------
# Every screen: random keys and hostile text

ART_TODAY = "2026-11-21"


@dataclass
class _World:
    """The records the screens are opened on (demo data plus the hostile ones)."""

    waiting: object = None
    win: object = None
    due: str = ""
    reviewed: str = ""
    any_id: str = ""


def _world(repo, *, demo: bool = True) -> _World:
    from kiosk.config import DEFAULT_AREAS
    from kiosk.demo.generator import seed_demo
    from tests.support.clock import NOW

    if demo and repo.count() == 0:
        seed_demo(repo, DEFAULT_AREAS, NOW.date())
    world = _World()
    queue = repo.review_queue()
    world.waiting = next((r for r in queue if r.kind != "win"), None)
    world.win = next((r for r in queue if r.kind == "win"), None)
    due = repo.follow_up_queue(NOW.date())
    world.due = due[0][1].id if due else ""
    reviewed = [r for r in repo.all_records() if r.review is not None and not r.review.draft]
    world.reviewed = reviewed[-1].id if reviewed else ""
    world.any_id = repo.recent(limit=1)[0].id
    return world


def _screens(world: _World) -> dict[str, Callable[[], object]]:
    """Every screen of the kiosk, built fresh (the supervisor is signed in by the caller)."""
    from kiosk.screens.admin import AdminScreen
    from kiosk.screens.dialogs.notice import NoticeDialog
    from kiosk.screens.dialogs.pin import PinDialog
    from kiosk.screens.dialogs.supervisor import NewSupervisorDialog
    from kiosk.screens.dialogs.win import WinDialog
    from kiosk.screens.follow_ups import FollowUpQueueScreen, FollowUpScreen
    from kiosk.screens.health import HealthScreen
    from kiosk.screens.home import HomeScreen
    from kiosk.screens.learnings import LearningsScreen
    from kiosk.screens.printer_admin import PrinterAdminScreen
    from kiosk.screens.printing import PrintScreen
    from kiosk.screens.record import RecordScreen
    from kiosk.screens.report import ReportScreen
    from kiosk.screens.review import ReviewWizard
    from kiosk.screens.review_queue import ReviewQueueScreen
    from kiosk.screens.saved import SavedScreen
    from kiosk.screens.trends import TrendsScreen

    screens: dict[str, Callable[[], object]] = {
        "home": HomeScreen,
        "report": ReportScreen,
        "saved": lambda: SavedScreen(world.waiting),
        "review queue": ReviewQueueScreen,
        "review": lambda: ReviewWizard(world.waiting),
        "win": lambda: WinDialog(world.win),
        "follow-up queue": FollowUpQueueScreen,
        "follow-up": lambda: FollowUpScreen(world.due),
        "learnings": LearningsScreen,
        "record": lambda: RecordScreen(world.reviewed),
        "trends": TrendsScreen,
        "print review": lambda: PrintScreen("review", (world.reviewed,)),
        "print follow-ups": lambda: PrintScreen("followups", ()),
        "admin": AdminScreen,
        "printer admin": PrinterAdminScreen,
        "health": HealthScreen,
        "supervisor PIN": lambda: PinDialog("PIN"),
        "new supervisor": lambda: NewSupervisorDialog(admin=False),
        "notice": lambda: NoticeDialog("Aviso", ["Una línea"]),
    }
    return screens


_KEYS = (list("abcdefghijklmnopqrstuvwxyz0123456789 áéíóúñÑ¿?¡!.,-/") + list("hhhttp:") * 2
         + ["enter"] * 6 + ["escape"] * 3 + ["tab", "shift+tab", "up", "down", "left", "right", "pageup",
                                              "pagedown", "home", "end", "backspace", "delete", "insert"]
         + [f"f{n}" for n in range(1, 13)]
         + ["ctrl+c", "ctrl+q", "ctrl+p", "ctrl+z", "ctrl+backslash", "ctrl+s", "ctrl+a", "ctrl+e", "ctrl+k",
            "ctrl+u", "ctrl+w", "ctrl+x", "ctrl+v", "ctrl+left", "ctrl+right", "shift+up", "alt+x"])


def _key_event(app, key: str):
    from textual import events
    from textual.keys import _character_to_key

    char = key if len(key) == 1 else None
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    event = events.Key(key, char)
    event.set_sender(app)
    return event


class _SoakApp:
    """A KioskApp on a data folder, at 80x24, fixed clock, no idle reset."""

    def __init__(self, folder: Path, printer_folder: Path) -> None:
        from kiosk.core.supervisors import new_supervisor
        from kiosk.storage import open_repository
        from tests.support.clock import NOW, fixed_clock

        self.repo = open_repository(folder, clock=fixed_clock, id_series=1)
        if self.repo.find_supervisor("Marta Ruiz") is None:
            self.repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
        self.printer_folder = printer_folder

    def app(self):
        from kiosk.app import KioskApp
        from kiosk.config import Config
        from tests.support.clock import FakeMonotonic, fixed_clock

        return KioskApp(config=Config(), repo=self.repo, clock=fixed_clock, monotonic=FakeMonotonic())

    def open(self, app, build) -> object:
        """``build()``'s screen on top of a fresh Home, the admin signed in."""
        app.reset_to_home()
        app.supervisor = self.repo.find_supervisor("Marta Ruiz")
        screen = build()
        if type(screen).__name__ != "HomeScreen":
            app.push_screen(screen)
        else:
            screen = app.screen
        return screen


def keys(work: Path, per_screen: int, rng: random.Random) -> Row:
    """The screens are shared between two processes (one per core), each on its own copy of
    the demo data."""
    import concurrent.futures
    import multiprocessing

    row = Row("random keys on every screen", unit="keys", lost_what="errors (crashes)")
    names = list(_screens(_World()))
    groups = [names[0::2], names[1::2]]
    seeds = [rng.randrange(1 << 30) for _ in groups]
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(len(groups), mp_context=context) as pool:
        results = list(pool.map(_keys_worker, [work / f"part-{n}" for n in range(len(groups))], groups,
                                [per_screen] * len(groups), seeds))
    reopened = restarts = ignored = 0
    seconds = 0.0
    for tried, problems, reopens, exits, closed, took in results:
        row.tried += tried
        for problem in problems:
            row.fail(problem)
        reopened += reopens
        restarts += exits
        ignored += closed
        seconds += took
    row.notes.append(f"{per_screen} keys on each of {len(names)} screens ({', '.join(names)}), in bursts of "
                     f"1-60 with pastes of hostile text; the screen opened again {reopened} times after the keys "
                     f"left it, the kiosk left by its Exit {restarts} times; {ignored} keys or messages that "
                     f"reached a screen already closed were ignored (logged); "
                     f"{1000 * seconds / max(1, row.tried):.1f} ms a key (in each of {len(groups)} processes)")
    return row


def _keys_worker(work: Path, names: list[str], per_screen: int, seed: int) -> tuple:
    import logging

    logging.disable(logging.CRITICAL)
    work.mkdir(parents=True, exist_ok=True)
    row = Row("keys")
    started = time.monotonic()
    counts = asyncio.run(_keys(work, names, per_screen, random.Random(seed), row))
    return row.tried, row.problems, *counts, time.monotonic() - started


async def _keys(work: Path, names: list[str], per_screen: int, rng: random.Random, row: Row) -> tuple[int, int, int]:
    from textual.events import Paste

    from tests.support.hostile import HOSTILE

    soak = _SoakApp(work / "data", work)
    world = _world(soak.repo)
    screens = _screens(world)
    restarts = reopened = closed_screen_errors = 0
    name = ""
    recent: collections.deque[str] = collections.deque(maxlen=60)
    try:
        for name in names:
            build = screens[name]
            sent = 0
            while sent < per_screen:
                app = soak.app()
                async with app.run_test(size=(80, 24)) as pilot:
                    await pilot.pause()
                    target = soak.open(app, build)
                    await pilot.pause()
                    while sent < per_screen and app.is_running:
                        burst = rng.randint(1, 60)
                        recent = collections.deque(recent, maxlen=60) if sent else collections.deque(maxlen=60)
                        for _ in range(burst):
                            if rng.random() < 0.005:
                                app.screen.post_message(Paste(rng.choice(HOSTILE)))
                                recent.append("<paste>")
                            else:
                                key = rng.choice(_KEYS)
                                recent.append(key)
                                app._driver.send_message(_key_event(app, key))
                        sent += burst
                        await pilot.pause()
                        if app.recovered_errors:
                            for error in app.recovered_errors:
                                row.fail(f"{name}: {_where(error)} after keys {' '.join(recent)}; screens "
                                         f"{[type(s).__name__ + str(len(s.children)) for s in app.screen_stack]}")
                            app.recovered_errors.clear()
                        if target not in app.screen_stack and app.is_running:
                            target = soak.open(app, build)
                            reopened += 1
                            await pilot.pause()
                closed_screen_errors += len(app.closed_screen_errors)
                if app.return_code not in (None, 0) or app._exception is not None:
                    row.fail(f"{name}: the kiosk ended: {app._exception!r} (status {app.return_code})")
                elif sent < per_screen:
                    restarts += 1  # the admin's Exit (0 on Home, admin signed in): start again
            row.tried += sent
    except Exception as error:
        row.fail(f"{name}: the kiosk crashed: {_where(error)}")
    finally:
        soak.repo.close()
    return reopened, restarts, closed_screen_errors


def _where(error: BaseException) -> str:
    """The error and the kiosk's own frames it came through (the soak's findings)."""
    import traceback

    frames = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_tb(error.__traceback__)
              if "/kiosk/" in f.filename]
    return f"{type(error).__name__}: {error} [{' < '.join(reversed(frames[-4:]))}]"


_DRAWN = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H|\r?\n")
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def terminal_output(app) -> str:
    """What the kiosk would write to the terminal for the whole current screen."""
    update = app.screen._compositor.render_update(full=True)
    return update.render_segments(app.console)


def unsafe_output(output: str) -> list[str]:
    """Anything beyond colours, cursor moves and text: escape sequences or control characters
    that did not come from the kiosk's own drawing."""
    rest = _DRAWN.sub("", output)
    return [f"{m.group()!r} at {m.start()}: …{rest[max(0, m.start() - 20):m.start() + 10]!r}…"
            for m in _UNSAFE.finditer(rest)]


def hostile(work: Path, pastes: int, rng: random.Random) -> Row:
    row = Row("hostile text on every screen and slip", unit="screens and slips drawn",
              lost_what="leaks (escape codes, control bytes, markup acting)")
    asyncio.run(_hostile(work, pastes, row))
    return row


def _hostile_docs() -> list[dict]:
    """Each corpus entry in every field a record has: the report, a finished review (why,
    action, owner), the follow-up look-for, and in a win's story."""
    from tests.support.hostile import HOSTILE

    docs, reported = [], []
    for n, hostile in enumerate(HOSTILE):
        short = hostile[:600]  # the longest story a report takes
        text = hostile[:300]  # and the longest of every other field
        docs.append({
            "id": ids.encode(9000 + n), "kind": ("error", "near_miss", "surprise", "win")[n % 4],
            "area": "Envasado", "station": text[:35], "what_happened": short, "impact": text, "what_we_did": text,
            "created_at": "2026-10-20T08:00:00-03:00", "occurred_at": "2026-10-20T07:40:00-03:00",
            "link_token": "H" * 22, "status": "action_open",
            "review": {"what_happened": text, "why": [{"text": text, "category": "equipment"}],
                       "what_we_did": text,
                       "action": {"text": text, "owner": text[:35], "deadline": "2026-11-10"},
                       "follow_up_date": "2026-11-20", "reviewed_by": "Marta Ruiz",
                       "reviewed_at": "2026-10-21T11:00:00-03:00", "draft": False},
            "look_for": {"text": text[:200], "until": "2026-12-31"},
        })
        reported.append({"kind": ("error", "near_miss", "surprise", "win")[n % 4], "area": "Calidad",
                         "what_happened": short, "impact": text, "created_at": "2026-11-21T09:00:00-03:00"})
    docs += reported  # numbered after the ones above
    return docs


async def _hostile(work: Path, pastes: int, row: Row) -> None:
    from textual.events import Paste

    from kiosk.printing import escpos_out, slips
    from kiosk.screens.report import ReportScreen
    from kiosk.screens.saved import SavedScreen
    from tests.support.clock import NOW
    from tests.support.escpos_stream import StreamError, parse
    from tests.support.hostile import HOSTILE
    from tests.support.pilot import wait_for

    soak = _SoakApp(work / "data", work)
    repo = soak.repo
    try:
        hostile_ids = []
        for doc in _hostile_docs():
            try:
                hostile_ids.append(repo.import_doc(doc).id)
            except Exception as error:
                row.fail(f"import of {doc['what_happened'][:3]}: {error!r}")
        # Pasted into the report screen, then saved.
        app = soak.app()
        async with app.run_test(size=(80, 24)) as pilot:
            for text in HOSTILE[:pastes]:
                app.reset_to_home()
                await pilot.press("1", "2", "down", "enter", "enter")
                await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
                app.screen.query_one("#what_happened").post_message(Paste(text))
                await pilot.pause()
                output = terminal_output(app)
                row.tried += 1
                for leak in unsafe_output(output):
                    row.lose(1, f"paste {text[:3]}: {leak}")
                await pilot.press("enter", "enter", "enter", "enter", "enter")
                try:
                    await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen), timeout=10)
                    hostile_ids.append(app.screen.record.id)
                except AssertionError:
                    row.fail(f"paste {text[:3]}: the report was not saved")
            if app.recovered_errors:
                row.fail(f"report screen: {app.recovered_errors[:2]}")
        world = _world(repo, demo=False)
        # The hostile records are the ones every screen shows first.
        world.reviewed = ids.encode(9000)
        world.waiting = next((r for r in repo.review_queue() if r.id in hostile_ids and r.kind != "win"), world.waiting)
        world.win = next((r for r in repo.review_queue() if r.id in hostile_ids and r.kind == "win"), world.win)
        due = [r.id for _, r in repo.follow_up_queue(NOW.date()) if r.id in hostile_ids]
        world.due = due[0] if due else world.due
        screens = _screens(world)
        app = soak.app()
        shown: Counter[str] = Counter()
        async with app.run_test(size=(120, 40)) as pilot:
            for name, build in screens.items():
                soak.open(app, build)
                await pilot.pause(0.3)
                for _ in range(3):  # the screen, then after paging through it
                    output = terminal_output(app)
                    row.tried += 1
                    for leak in unsafe_output(output):
                        row.lose(1, f"{name}: {leak}")
                    text = _DRAWN.sub("", output)
                    tags = set(re.findall(r"H\d\d", text))
                    shown[name] = max(shown[name], len(tags))
                    if "[@click=app.quit]" in text or "[b]negrita[/b]" in text:
                        shown[f"{name} literal"] += 1
                    await pilot.press("pagedown", "tab", "down")
                    await pilot.pause(0.1)
                if not app.is_running:
                    row.fail(f"{name}: the kiosk stopped")
                    break
            if app.recovered_errors:
                for error in app.recovered_errors:
                    row.fail(f"screens: {error!r}")
        for name in ("home", "review queue", "review", "record", "learnings", "follow-up", "print review"):
            if not shown[name]:
                row.fail(f"{name}: no hostile text was drawn there, so nothing was tested")
        # Every slip, for every hostile record, through the strict ESC/POS reader.
        paper = slips.Paper(columns=42, code_page="CP858", base_url="http://kiosk.local:8080")
        records = [repo.get(i) for i in hostile_ids]
        rendering = escpos_out.Rendering()
        for record in records:
            reviewed = record.review is not None and not record.review.draft
            both = (slips.receipt(record, paper, NOW), *([slips.review_page(record, paper, NOW)] if reviewed else []))
            for slip in both:
                row.tried += 1
                try:
                    stream = parse(escpos_out.render(slip, rendering))
                except StreamError as error:
                    row.lose(1, f"slip of {record.id}: {error}")
                    continue
                if sum(1 for item in stream.items if type(item).__name__ == "Init") != 1:
                    row.lose(1, f"slip of {record.id}: more than one ESC @")
        row.tried += 1
        try:
            parse(escpos_out.render(slips.follow_up_list(records, paper, NOW, until=NOW.date()), rendering))
        except StreamError as error:
            row.lose(1, f"follow-up list: {error}")
        row.notes.append(f"{len(HOSTILE)} texts, imported into every field ({len(HOSTILE)} records), {pastes} of "
                         "them also pasted into a report; literal markup seen on "
                         f"{sum(1 for k in shown if k.endswith('literal'))} "
                         f"screens; receipts, one-pagers and a follow-up list parsed strictly")
    finally:
        repo.close()


# ---------------------------------------------------------------------------------------------
# The run and its table

SCENARIOS: dict[str, Callable[[Path, int, random.Random], Row]] = {
    "kill9": kill9, "sigterm": sigterm, "damage": damage, "full_disk": full_disk,
    "printer": printer, "keys": keys, "hostile": hostile,
}


def run(name: str, size: int, seed: int = 20261122, work: Path | None = None) -> Row:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"soak-{name}-") as temp:
        folder = Path(work or temp)
        folder.mkdir(parents=True, exist_ok=True)
        row = SCENARIOS[name](folder, size, random.Random(f"{seed}-{name}"))
    row.seconds = time.monotonic() - started
    return row


def table(rows: list[Row]) -> str:
    lines = ["| What was tried | Tried | Lost | Other failures | Time |", "| --- | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(f"| {row.fault} | {row.tried} {row.unit} | {row.lost} {row.lost_what} | {row.wrong} | "
                     f"{row.seconds:.1f} s |")
    lines.append("")
    for row in rows:
        for note in row.notes:
            lines.append(f"- {row.fault}: {note}")
        for problem in row.problems:
            lines.append(f"  - PROBLEM: {problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the short version run by make test")
    parser.add_argument("--only", nargs="*", choices=sorted(SCENARIOS), default=None)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args(argv)
    sizes = SHORT if args.short else FULL
    import logging
    import platform

    logging.disable(logging.CRITICAL)  # the kiosk's own log goes nowhere during the soak
    started = time.monotonic()
    rows = []
    for name in args.only or list(SCENARIOS):
        print(f"{name}: {sizes[name]} …", file=sys.stderr, flush=True)
        rows.append(run(name, sizes[name], args.seed))
        print(f"  {rows[-1].tried} {rows[-1].unit}, lost {rows[-1].lost}, other failures {rows[-1].wrong}, "
              f"{rows[-1].seconds:.0f} s", file=sys.stderr, flush=True)
    print(f"\nSoak ({'short' if args.short else 'full'}), {time.strftime('%Y-%m-%d %H:%M %Z')}, "
          f"{platform.node()}: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.monotonic() - started:.0f} s in all, seed {args.seed}\n")
    print(table(rows))
    lost = sum(row.lost for row in rows)
    wrong = sum(row.wrong for row in rows)
    print(f"\nLost: {lost}. Other failures: {wrong}.")
    return 0 if lost == 0 and wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
