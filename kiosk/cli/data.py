"""The data commands: ``import``, ``export``, ``check``, ``similar``, ``backup``, ``restore``.

None of them loads Textual (a test checks it): they run beside the kiosk, from cron, over SSH.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

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


def import_lines(repo: Repository, source: IO[bytes], *, ok: Callable[[str], object],
                 error: Callable[[int, str], object]) -> int:
    """Import JSON lines one at a time: ``ok(id)`` once each record is durable, ``error(line,
    reason)`` for each line that is not; returns how many failed. No line stops the rest."""
    from kiosk.views.exchange import import_reason, parse_lines

    failed = 0
    for number, doc in parse_lines(source):
        if isinstance(doc, str):
            failed += 1
            error(number, doc)
            continue
        try:
            record = repo.import_doc(doc)
        except StorageError as exc:
            failed += 1
            error(number, _("not saved: {error}").format(error=describe_storage_problem(exc)))
            continue
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            # ValidationError says which rule; anything else still fails only this line.
            failed += 1
            error(number, import_reason(exc))
            continue
        ok(record.id)
    return failed


def cmd_export(args: Args, config: Config, folder: Path) -> int:
    from kiosk.views.exchange import WRITERS, month_summary, record_page, write_csv

    repo = open_reader(config, folder)
    if repo is None:
        return 1
    for line in recovery_lines(repo.store.report, repaired=False):
        print(line, file=sys.stderr)
    records = repo.all_records()
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
        text = record_page(record)
    elif args.month:
        text = month_summary(records, args.month)
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
            write_csv(records, out, delimiter=args.delimiter)
        else:
            WRITERS[args.format](records, out)
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
        matches = repo.similar(args.text, area=args.area, station=args.station)
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
    if not matches and not args.json:
        print(_("Nothing similar found."), file=sys.stderr)
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
        count=info.records, file=args.file, when=info.written_at))
    if aside is not None:
        print(_("The data it replaced is kept in {folder}.").format(folder=aside))
    return 0
