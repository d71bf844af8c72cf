"""The data commands: ``import``, ``export``, ``check``, ``similar``, ``backup``, ``restore``.

None of them loads Textual (a test checks it): they run beside the kiosk, from cron, over SSH.
"""

from __future__ import annotations

import gc
import json
import os
import re
import select
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kiosk.cli.common import (
    Args,
    busy_message,
    newer_schema_message,
    open_reader,
    open_writer,
    store_args,
    system_clock,
    utf8_stdout,
)
from kiosk.config import Config
from kiosk.core.text import shorten
from kiosk.i18n import _
from kiosk.storage import DataDamaged, Repository, StorageError
from kiosk.views.dates import show_date
from kiosk.views.labels import describe_storage_problem, recovery_lines


def cmd_import(args: Args, config: Config, folder: Path) -> int:
    repo = open_writer(config, folder, "kiosk import")
    if repo is None:
        return 1
    for line in recovery_lines(repo.store.report):  # a repair at open is never silent
        print(line, file=sys.stderr, flush=True)
    try:
        source: IO[bytes]
        if args.file == "-":
            source = sys.stdin.buffer
        else:
            try:
                source = open(args.file, "rb")
            except OSError as exc:
                print(_("Cannot read {file}: {error}").format(file=args.file, error=exc.strerror), file=sys.stderr)
                return 1
        with source:
            failed = import_lines(repo, source, ok=lambda record_id: print(f"ok {record_id}", flush=True),
                                  error=lambda line, why: print(f"error {line}: {why}", file=sys.stderr, flush=True))
    finally:
        repo.close()
    return 1 if failed else 0


#: Lines saved together at most: one journal commit and one fdatasync for all of them.
GROUP_LINES = 500
#: How long a group may keep gathering lines that are already there, in seconds.
GROUP_SECONDS = 0.05


def import_lines(repo: Repository, source: IO[bytes], *, ok: Callable[[str], object],
                 error: Callable[[int, str], object]) -> int:
    """Import JSON lines: ``ok(id)`` once each record is durable, ``error(line, reason)`` for each
    line that is not; returns how many failed. No line stops the rest.

    Lines are saved in groups, one journal commit (one fdatasync) per group: waiting for the
    disk once per line held an import to about 1 100 lines a second. A group ends after
    GROUP_LINES lines, after GROUP_SECONDS, or as soon as no further line is already waiting,
    so a caller that sends one line and waits for its answer gets it at once. Every ``ok`` of a
    group comes after its commit returned, never before; the answers come in line order.
    """
    from kiosk.views.exchange import parse_line

    reader = _LineReader(source)
    failed = 0
    number = 0
    group: list[tuple[int, object | str]] = []
    deadline = 0.0
    # Every document imported stays in memory, in the tables: the cyclic GC would walk all of
    # them again and again as they grow (an eighth of a large import), and find nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            if group and (len(group) >= GROUP_LINES or time.monotonic() >= deadline or not reader.ready()):
                failed += _save_group(repo, group, ok, error)
                group = []
            raw = reader.readline()  # blocks only with nothing waiting to be saved
            if not raw:
                break
            number += 1
            parsed = parse_line(raw, number)
            if parsed is None:
                continue
            if isinstance(parsed, dict) and parsed.get("type") in TYPED:
                if group:  # (in line order: the records a team links come before it)
                    failed += _save_group(repo, group, ok, error)
                    group = []
                failed += _import_typed(repo, number, parsed, ok, error)
                continue
            if not group:
                deadline = time.monotonic() + GROUP_SECONDS
            group.append((number, parsed))
        if group:
            failed += _save_group(repo, group, ok, error)
    finally:
        if collecting:
            gc.enable()
    return failed


#: The ``type`` of a Learning Team's, an after-action review's, a work item's and a huddle's
#: line in a JSON-lines export (records' lines have none).
TEAM_TYPE, AAR_TYPE, WORK_TYPE, HUDDLE_TYPE = "learning_team", "after_action_review", "work_item", "huddle"
TYPED = (TEAM_TYPE, AAR_TYPE, WORK_TYPE, HUDDLE_TYPE)


def _import_typed(repo: Repository, number: int, doc: dict[str, object], ok: Callable[[str], object],
                  error: Callable[[int, str], object]) -> int:
    from kiosk.views.exchange import import_reason

    body = {key: value for key, value in doc.items() if key != "type"}
    try:
        importer: dict[str, Callable[[Any], Any]] = {
            TEAM_TYPE: repo.import_team, AAR_TYPE: repo.import_aar, WORK_TYPE: repo.import_work_item,
            HUDDLE_TYPE: repo.import_huddle}
        saved = importer[str(doc["type"])](body)
    except StorageError as exc:
        error(number, _("not saved: {error}").format(error=describe_storage_problem(exc)))
        return 1
    except Exception as exc:  # as for records: no line may stop the others
        error(number, import_reason(exc))
        return 1
    ok(saved.id)
    return 0


def _save_group(repo: Repository, group: list[tuple[int, object | str]], ok: Callable[[str], object],
                error: Callable[[int, str], object]) -> int:
    """Save the documents of one group in one commit and answer for each line, in order.

    A bad line fails alone. If the commit itself fails (a full disk), nothing of the group was
    saved: each document is then tried on its own, as before groups, so every one that still
    fits is saved and each line says what happened to it."""
    from kiosk.core.records import Record
    from kiosk.views.exchange import import_reason

    docs = [doc for _number, doc in group if not isinstance(doc, str)]
    results: list[Record | Exception] | None = None
    try:
        results = repo.import_docs(docs)
    except StorageError:
        pass
    answers = iter(results) if results is not None else None
    failed = 0
    for number, doc in group:
        if isinstance(doc, str):
            failed += 1
            error(number, doc)
            continue
        if answers is not None:
            result = next(answers)
        else:
            try:
                result = repo.import_doc(doc)
            except StorageError as exc:
                failed += 1
                error(number, _("not saved: {error}").format(error=describe_storage_problem(exc)))
                continue
            except Exception as exc:  # as in the group: no document may stop the others
                result = exc
        if isinstance(result, Exception):
            failed += 1
            error(number, import_reason(result))
        else:
            ok(result.id)
    return failed


class _LineReader:
    """The lines of an import source, read ahead only as far as the bytes already there: it
    says whether a whole line can be read without waiting (:meth:`ready`), which is how a group
    of lines knows to end instead of holding back the answers a caller waits for."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self._read = getattr(source, "read1", None) or source.readline
        self._buffer = b""
        self._start = 0
        self._eof = False
        self._fd: int | None = None
        try:
            fd = source.fileno()
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self._fd = fd  # a pipe or a terminal: ask before reading
        except (OSError, ValueError, AttributeError):
            pass  # in memory (tests), or no descriptor: reading never waits for a writer

    def _fill(self) -> None:
        chunk = self._read(1 << 16)
        if not chunk:
            self._eof = True
            return
        self._buffer = self._buffer[self._start:] + chunk
        self._start = 0

    def ready(self) -> bool:
        """True if :meth:`readline` would return at once (a whole line, or the end)."""
        if self._eof or self._buffer.find(b"\n", self._start) >= 0:
            return True
        if self._fd is None:
            return True
        if not select.select([self._fd], [], [], 0)[0]:
            return False
        self._fill()  # one read: it does not wait, something is there
        return self._eof or self._buffer.find(b"\n", self._start) >= 0

    def readline(self) -> bytes:
        end = self._buffer.find(b"\n", self._start)
        while end < 0 and not self._eof:
            searched = len(self._buffer) - self._start
            self._fill()
            end = self._buffer.find(b"\n", self._start + searched)
        if end < 0:
            line = self._buffer[self._start:]
            self._buffer, self._start = b"", 0
            return line
        line = self._buffer[self._start : end + 1]
        self._start = end + 1
        return line


def cmd_export(args: Args, config: Config, folder: Path) -> int:
    from kiosk.views.exchange import (
        WRITERS,
        month_summary,
        record_markdown,
        teams_markdown,
        write_csv,
        write_typed_jsonl,
    )

    repo = open_reader(config, folder)
    if repo is None:
        return 1
    for line in recovery_lines(repo.store.report, repaired=False):
        print(line, file=sys.stderr)
    if (args.record or args.month) and args.format != "md":
        print(_("--record and --month go with --format md"), file=sys.stderr)
        return 2
    if args.month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(_("--month must look like 2026-11"), file=sys.stderr)
        return 2
    text: str | None = None
    if args.record:
        record = repo.get(args.record)
        if record is None:
            print(_("There is no record {id}.").format(id=args.record), file=sys.stderr)
            return 1
        text = record_markdown(record)
    elif args.month:
        text = month_summary(repo.all_records(), args.month, repo.teams(), repo.practice_pairs(),
                             work=repo.work_items(), huddles=repo.huddles())
    out: IO[str]
    if args.out:
        out = open(args.out, "w", encoding="utf-8", newline="")
    else:
        utf8_stdout()
        out = sys.stdout
    try:
        if text is not None:
            out.write(text)
        elif args.format == "csv":
            write_csv(repo.all_docs(), out, delimiter=args.delimiter)
        else:
            WRITERS[args.format](repo.all_docs(), out)
            if args.format == "jsonl":  # Learning Teams and after-action reviews after the records, typed
                write_typed_jsonl(repo.team_docs(), out, TEAM_TYPE)
                write_typed_jsonl(repo.aar_docs(), out, AAR_TYPE)
                write_typed_jsonl(repo.work_docs(), out, WORK_TYPE)
                write_typed_jsonl(repo.huddle_docs(), out, HUDDLE_TYPE)
            elif args.format == "md" and repo.team_count():
                out.write("\n---\n\n" + teams_markdown(sorted(repo.teams(), key=lambda t: t.created_at)) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


def cmd_check(args: Args, config: Config, folder: Path) -> int:
    from kiosk.health import facts
    from kiosk.printing.spool import PrintJob
    from kiosk.storage import open_repository

    if args.repair:
        repo = open_writer(config, folder, "kiosk check --repair")
        if repo is None:
            return 1
        report = repo.store.report
        count = repo.count()
        repo.close()
        for line in recovery_lines(report) or [_("The data was healthy; nothing to repair.")]:
            print(line)
        print(_("{count} records, {saves} saves.").format(count=count, saves=report.seq))
        return 0
    try:
        repo = open_repository(folder, clock=system_clock, writer=False, verify_all=True, **store_args(config))
    except DataDamaged as exc:
        print(_("Damaged and no good copy found: {error}").format(error=exc))
        return 1
    except (StorageError, OSError) as exc:
        print(_("Cannot read the data in {folder}: {error}").format(folder=folder, error=exc))
        return 1
    report = repo.store.report
    print(_("Data folder: {folder}").format(folder=folder))
    print(_("{count} records, {saves} saves; snapshot {snapshot} with {replayed} later saves in the journal.").format(
        count=repo.count(), saves=report.seq, snapshot=report.snapshot, replayed=report.replayed))
    healthy = report.healthy and not report.restored
    if healthy:
        print(_("OK: every file is readable."))
    jobs = [PrintJob.from_doc(doc) for _n, doc in sorted(repo.print_jobs().items())]
    for fact in facts(folder, config, healthy=healthy, records=repo.count(), jobs=jobs, now=system_clock()):
        print(fact.line())
    if healthy:
        return 0
    for line in recovery_lines(report, repaired=False):
        print(line)
    print(_("Run 'kiosk check --repair' (with the kiosk stopped) to restore the newest good copy."))
    return 1


def cmd_similar(args: Args, config: Config, folder: Path) -> int:
    """The top three matches with their scores (works alongside the running kiosk)."""
    repo = open_reader(config, folder)
    if repo is None:
        return 1
    try:
        if config.match_by_meaning:
            from kiosk.storage.semantic import MeaningIndex

            # The vectors the cache lacks are made now (the running kiosk makes them too; a
            # reader only adds to the file, never rewrites it).
            index = MeaningIndex(folder, may_rewrite=False)
            repo.attach_meaning(index)
            index.build_now()
        matches = repo.similar(args.text, area=args.area, station=args.station)
        lessons = repo.similar_lessons(args.text, area=args.area)
    finally:
        repo.close()
    utf8_stdout()
    for match in matches:
        record = match.record
        if record is None:
            continue
        if args.json:
            print(json.dumps({"id": record.id, "score": round(match.score, 3), "text_score": round(match.text_score, 3),
                              "kind": record.kind, "area": record.area, "status": record.status,
                              "what_happened": record.what_happened,
                              "action": record.review.action.text if record.review else ""}, ensure_ascii=False))
        else:
            print(f"{match.score:.2f}  {record.id}  {record.area}  {shorten(record.what_happened, 100)}")
    for item, position in lessons:  # what closed work items' debriefs learned, like it
        lesson = item.entries[position].text
        if args.json:
            print(json.dumps({"type": "lesson", "work_item": item.id, "area": item.area, "lesson": lesson},
                             ensure_ascii=False))
        else:
            print(_("lesson  {id}  {area}  {text}").format(id=item.id, area=item.area, text=shorten(lesson, 100)))
    if not matches and not lessons and not args.json:
        print(_("Nothing similar found."), file=sys.stderr)
    return 0


def cmd_teams(args: Args, config: Config, folder: Path) -> int:
    """Every Learning Team, the newest first: id, phase (until when it soaks), area, title."""
    from kiosk.core.teams import Phase, soak_ends
    from kiosk.views.dates import format_date
    from kiosk.views.labels import PHASE_LABELS

    repo = open_reader(config, folder)
    if repo is None:
        return 1
    try:
        teams = repo.teams()
    finally:
        repo.close()
    utf8_stdout()
    for team in teams:
        ends = soak_ends(team, config.soak_hours) if team.phase == Phase.SOAK else None
        until = ends.isoformat(timespec="seconds") if ends else ""
        if args.json:
            print(json.dumps({"id": team.id, "title": team.title, "use": team.use.value, "area": team.area,
                              "phase": team.phase.value, "soaking_until": until, "notes": len(team.notes),
                              "changes": len(team.changes)}, ensure_ascii=False))
            continue
        phase = _(PHASE_LABELS[team.phase])
        if ends is not None:
            phase += " " + _("until {when}").format(when=format_date(ends, config.language, with_time=True))
        print(f"{team.id}  {phase:<34}  {team.area:<16}  {team.title}")
    if not teams and not args.json:
        print(_("No Learning Team yet."))
    return 0


def cmd_aar(args: Args, config: Config, folder: Path) -> int:
    """``kiosk aar list``: every after-action review, the newest first: its id, the record's,
    the phase and how many accounts are in (never what they say)."""
    repo = open_reader(config, folder)
    if repo is None:
        return 1
    try:
        reviews = repo.aars()
    finally:
        repo.close()
    utf8_stdout()
    for aar in reviews:
        if args.json:
            print(json.dumps({"id": aar.id, "record": aar.record_id, "phase": aar.phase.value, "event": aar.event,
                              "accounts": aar.accounts_in, "participants": len(aar.participants)},
                             ensure_ascii=False))
        else:
            print(f"{aar.id}  {aar.record_id}  {aar.phase.value:<8}  {aar.accounts_in}/{len(aar.participants)}  "
                  f"{aar.event}")
    if not reviews and not args.json:
        print(_("No after-action review yet."))
    return 0


def cmd_backup(args: Args, config: Config, folder: Path) -> int:
    from kiosk.storage.backup import backup

    target = args.dir or config.backup.dir
    if not target:
        print(_("Say where: kiosk backup DIR, or [backup] dir in the configuration."), file=sys.stderr)
        return 2
    try:
        info = backup(folder, Path(target), keep=args.keep or config.backup.keep, **store_args(config))
    except (DataDamaged, StorageError, OSError, ValueError) as exc:
        print(_("Backup failed: {error}").format(error=exc), file=sys.stderr)
        return 1
    print(_("Backup written: {path} ({count} records, checked).").format(path=info.path, count=info.records))
    return 0


def cmd_restore(args: Args, config: Config, folder: Path) -> int:
    from kiosk.core.records import ValidationError
    from kiosk.storage import DataFolderBusy, NewerSchema
    from kiosk.storage.backup import restore
    from kiosk.views.labels import describe_error

    try:
        info, aside = restore(Path(args.file), folder, **store_args(config))
    except FileNotFoundError:
        print(_("Cannot read {file}: {error}").format(file=args.file, error="no such file"), file=sys.stderr)
        return 1
    except DataFolderBusy as exc:
        print(busy_message(exc), file=sys.stderr)
        return 1
    except NewerSchema as exc:
        print(newer_schema_message(Path(args.file), exc), file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(_("Not restored: the backup has a record that does not read ({error}). Nothing was changed.").format(
            error=describe_error(exc)), file=sys.stderr)
        return 1
    except (ValueError, StorageError, OSError) as exc:
        print(_("Not restored: {file} is not a usable backup ({error}). Nothing was changed.").format(
            file=args.file, error=exc), file=sys.stderr)
        return 1
    print(_("Restored {count} records from {file} (written {when}).").format(
        count=info.records, file=args.file, when=show_date(info.written_at, with_time=True)))
    if aside is not None:
        print(_("The data it replaced is kept in {folder}.").format(folder=aside))
    if config.hub.url:
        # A kiosk of a plant: take back from the hub what it sent after the copy was made,
        # before anything new is saved (a report made first could take a number already used).
        from kiosk.cli.hub import sync_once

        print(_("Taking back from the plant hub what this kiosk sent after the copy…"), flush=True)
        if sync_once(config, folder) != 0:
            print(_("Restored, but not in step with the hub: start the kiosk where it reaches the hub, and "
                    "check with 'kiosk hub status' that nothing waits before reports are made."), file=sys.stderr)
    return 0
