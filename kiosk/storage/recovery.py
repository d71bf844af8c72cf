"""Opening a data folder: find the newest good copy, replay the journal on it, say what was found.

A start reads every snapshot candidate it needs (``kiosk.json`` first, then the generations),
takes the newest that parses and passes its checksum, and replays the journal entries after
its sequence number, each once, in order. A torn last line (a kill during a save that was never
acknowledged) is expected; anything else that does not read is a :class:`Finding`. The writer
then repairs (:func:`repair`): copies of the damaged files go to ``damaged/`` first, the
recovered state becomes the snapshot, and only then are the damaged originals removed.

These functions read files and report; the store (:mod:`kiosk.storage.journal`) decides.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.storage.errors import DataDamaged, NewerSchema
from kiosk.storage.files import file_chunks, fsync_dir, write_atomic
from kiosk.storage.format import (
    DAMAGED,
    SNAPSHOT,
    Entry,
    Segment,
    Tables,
    list_segments,
    read_segment,
    read_snapshot,
    segment_name,
)

log = logging.getLogger(__name__)


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

    @property
    def needs_repair(self) -> bool:
        return self.restored or bool(self.damaged) or bool(self.missing_seqs)


@dataclass(frozen=True)
class Copy:
    """A snapshot that read cleanly: where from, its tables and its ``_meta``."""

    path: Path
    tables: Tables
    meta: dict[str, Any]

    @property
    def seq(self) -> int:
        seq: int = self.meta["seq"]
        return seq


def read_segments(folder: Path) -> dict[int, Segment]:
    """Every journal segment, read, by the sequence number it starts after."""
    return {base: read_segment(path, base) for base, path in sorted(list_segments(folder).items())}


def choose_snapshot(candidates: list[Path], report: OpenReport, *, verify_all: bool) -> Copy | None:
    """The newest snapshot that reads, trying ``candidates`` in order (``kiosk.json`` first);
    generations are read only when the main file is bad, or for ``verify_all`` (kiosk check)."""
    main = candidates[0]
    chosen: Copy | None = None
    for path in candidates:
        if not path.exists():
            if path == main:
                report.damaged.append(Finding(SNAPSHOT, "missing"))
            continue
        if chosen is not None and chosen.path == main and not verify_all:
            break  # the current snapshot is good: generations are not needed
        try:
            tables, meta = read_snapshot(path)
        except (ValueError, OSError) as exc:
            report.damaged.append(Finding(path.name, "unreadable", detail=str(exc)))
            continue
        if chosen is None or meta["seq"] > chosen.seq:
            chosen = Copy(path, tables, meta)
    return chosen


def in_order(segments: dict[int, Segment]) -> list[Entry]:
    """Each save once, by sequence number. Should one appear twice (a save whose take-back
    failed, then the real one in a newer segment), the newer segment's copy wins."""
    by_seq: dict[int, Entry] = {}
    for base in sorted(segments):
        for entry in segments[base].entries:
            by_seq[entry["seq"]] = entry
    return [by_seq[seq] for seq in sorted(by_seq)]


def journal_alone(entries: list[Entry], report: OpenReport, meta: dict[str, Any]) -> Copy:
    """No snapshot survived: the journal alone is enough only if it starts at seq 1."""
    if entries and entries[0]["seq"] == 1:
        return Copy(Path("(journal)"), {}, {**meta, "schema": 0})
    raise DataDamaged("no good copy of the data: " + "; ".join(map(str, report.damaged)))


def check_schema(copy: Copy, supported: int) -> int:
    """The copy's schema version; :class:`NewerSchema` (before any repair or write: this kiosk
    must not touch a newer kiosk's data) if this kiosk cannot read it."""
    schema = int(copy.meta.get("schema", 0))
    if schema > supported:
        raise NewerSchema(schema, supported)
    return schema


def note_snapshot(report: OpenReport, copy: Copy, main: Path) -> None:
    report.snapshot = copy.path.name
    report.snapshot_seq = copy.seq
    report.snapshot_written_at = str(copy.meta.get("written_at", ""))
    if copy.path != main:
        report.restored_from = copy.path.name


def replay(entries: list[Entry], after: int, apply: Callable[[list[Any]], None], report: OpenReport) -> int:
    """Apply the entries after sequence number ``after``, in order; returns the last one's.
    A gap in the numbers (saves lost with a damaged segment) is counted in the report."""
    seq = after
    expected = seq + 1
    for entry in entries:
        if entry["seq"] < expected:
            continue
        if entry["seq"] > expected:
            report.missing_seqs += entry["seq"] - expected
        apply(entry["ops"])
        seq = entry["seq"]
        expected = seq + 1
        report.replayed += 1
    report.seq = seq
    return seq


def note_segments(report: OpenReport, segments: dict[int, Segment], *, verify_all: bool) -> None:
    """Damaged lines and cut-short segments; a torn tail of the newest one is expected."""
    last_base = max(segments) if segments else None
    for base, segment in segments.items():
        if segment.damaged_lines:
            report.damaged.append(Finding(segment.path.name, "damaged_lines", count=segment.damaged_lines))
        if segment.torn_tail:
            if base == last_base and not segment.damaged_lines:
                report.torn_tail = True  # an unacknowledged save cut short: expected
            else:
                report.damaged.append(Finding(segment.path.name, "cut_short"))
    if verify_all:
        # An older segment holds every save up to the next one's start; one cut at a line
        # boundary parses cleanly, so only this gap shows it (a start never reads it).
        bases = sorted(segments)
        for base, following in itertools.pairwise(bases):
            segment = segments[base]
            last = max((entry["seq"] for entry in segment.entries), default=base)
            if last < following and not segment.torn_tail and not segment.damaged_lines:
                report.damaged.append(Finding(segment.path.name, "cut_short"))


def note_missing_segment(report: OpenReport, segments: dict[int, Segment], snapshot_seq: int) -> None:
    """Every snapshot the writer makes starts its own segment, ``journal-S.log`` for seq S,
    before the snapshot is written. Without it, the saves after the snapshot are gone with it
    (deleted or never seen): said, never ignored (fault report D9)."""
    if snapshot_seq not in segments and not any(base > snapshot_seq for base in segments):
        report.damaged.append(Finding(segment_name(snapshot_seq), "missing"))


def note_acknowledged(report: OpenReport, segments: dict[int, Segment], acknowledged: dict[str, Any] | None) -> None:
    """The last writer noted its newest segment and how many bytes of it were acknowledged; a
    segment now missing or with fewer good bytes (emptied, zeroed, cut at a line) lost saves."""
    if not acknowledged:
        return
    name, size = acknowledged.get("segment"), acknowledged.get("size")
    if not isinstance(name, str) or not isinstance(size, int):
        return
    by_name = {segment.path.name: segment for segment in segments.values()}
    segment = by_name.get(name)
    known = {finding.file for finding in report.damaged}
    if name in known:
        return
    if segment is None:
        if size > 0:  # (an empty newest segment gone loses nothing)
            report.damaged.append(Finding(name, "missing"))
    elif segment.good_size < size and not segment.damaged_lines:
        report.damaged.append(Finding(name, "cut_short"))


def repair(folder: Path, report: OpenReport, write_snapshot: Callable[[bool], None]) -> None:
    """Make the recovered state the current snapshot, keeping every damaged file.

    Order matters: copies of the damaged files go to ``damaged/`` first, then the recovered
    snapshot is made durable (``write_snapshot(rotate)``), and only then are the damaged
    originals removed. A kill at any point leaves either the old files (and the repair runs
    again) or the new snapshot, never a folder that lost the good saves of a damaged segment.
    """
    aside = folder / DAMAGED
    aside.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    damaged = sorted({finding.file for finding in report.damaged})
    present = [name for name in damaged if (folder / name).exists()]
    for name in present:
        target = aside / f"{name}.{stamp}"
        copy = 1
        while target.exists():  # a second repair within the same second
            target = aside / f"{name}.{stamp}.{copy}"
            copy += 1
        write_atomic(target, file_chunks(folder / name))
        report.moved_aside.append(str(target))
    fsync_dir(aside)
    main_is_good = report.snapshot == SNAPSHOT and SNAPSHOT not in damaged
    write_snapshot(main_is_good)
    for name in present:
        if name != SNAPSHOT:  # (a damaged kiosk.json was just replaced)
            with suppress(FileNotFoundError):
                os.unlink(folder / name)
    fsync_dir(folder)
    log.warning(
        "data repaired: snapshot %s (seq %s), %s journal entries replayed, damaged: %s",
        report.snapshot, report.snapshot_seq, report.replayed, [str(d) for d in report.damaged],
    )
