"""The ``kiosk`` command: parse, set up logging, load config, build collaborators, run.

    kiosk [run] [--demo]           the full-screen kiosk
    kiosk import [FILE|-]          JSON lines in; "ok <id>" once each record is durable
    kiosk export --format F [--out FILE]
    kiosk check [--repair]         verify the data folder; restore the newest good copy
    kiosk print ID --slip receipt|review [--printer SPEC] | kiosk print --followups
    kiosk print-test [--printer SPEC]
    kiosk serve [--host H --port P]  the read-only record page behind the QR codes
    kiosk similar TEXT [--area AREA] [--json]   the three most similar past records
    kiosk backup [DIR] [--keep N] | kiosk restore FILE
    kiosk supervisor add NAME [--admin] | list | remove NAME

Every subcommand takes ``--data DIR`` (or KIOSK_DATA) and ``--config FILE`` (or KIOSK_CONFIG).
Exit status: 0 ok, 1 a problem with the data, some input lines or the printer, 2 bad usage or
config.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Sequence

from kiosk import i18n
from kiosk.config import LOG_FILE, Config, ConfigError, config_path, data_folder, load_config, with_printer
from kiosk.exchange import FORMATS
from kiosk.i18n import _
from kiosk.labels import recovery_lines
from kiosk.text import shorten

log = logging.getLogger("kiosk")

DEMO_PIN = "2580"  # shown on Home's demo banner and in the README; demo data only


def system_clock() -> datetime:
    return datetime.now().astimezone()


def setup_logging(folder: Path) -> None:
    """Log to a file in the data folder, never to the terminal the kiosk draws on.

    Must run before python-escpos is imported: its import calls logging.basicConfig(), which
    is a no-op once the root logger has a handler (PITFALLS 2.8).
    """
    from logging.handlers import RotatingFileHandler

    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", metavar="DIR", help=_("data folder (or KIOSK_DATA)"))
    common.add_argument("--config", metavar="FILE", help=_("configuration file (or KIOSK_CONFIG)"))

    parser = argparse.ArgumentParser(
        prog="kiosk", description=_("Learning kiosk: report, review, learn."), parents=[common]
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help=_("start the full-screen kiosk"))
    run.add_argument("--demo", action="store_true", help=_("seed demo records into an empty data folder"))
    run.add_argument("--printer", metavar="SPEC", help=_("printer instead of the configured one"))

    imp = commands.add_parser("import", parents=[common], help=_("import records from JSON lines"))
    imp.add_argument("file", nargs="?", default="-", help=_("file to read, or - for standard input"))

    exp = commands.add_parser("export", parents=[common], help=_("export every record"))
    exp.add_argument("--format", required=True, choices=FORMATS)
    exp.add_argument("--out", metavar="FILE", help=_("write to FILE instead of standard output"))
    exp.add_argument("--delimiter", default=";", help=_("CSV field separator (default ;)"))
    exp.add_argument("--record", metavar="ID", help=_("md only: one record's page"))
    exp.add_argument("--month", metavar="YYYY-MM", help=_("md only: a month's summary for managers"))

    check = commands.add_parser("check", parents=[common], help=_("verify the data files"))
    check.add_argument("--repair", action="store_true", help=_("restore from the newest good copy"))

    prt = commands.add_parser("print", parents=[common], help=_("print a slip"))
    prt.add_argument("id", nargs="?", help=_("the record's number"))
    prt.add_argument("--slip", choices=("receipt", "review"), help=_("which slip of the record"))
    prt.add_argument("--followups", action="store_true", help=_("the follow-ups due in the next 7 days"))
    prt.add_argument("--printer", metavar="SPEC", help=_("printer instead of the configured one"))
    test = commands.add_parser("print-test", parents=[common], help=_("print a test slip"))
    test.add_argument("--printer", metavar="SPEC", help=_("printer instead of the configured one"))

    srv = commands.add_parser("serve", parents=[common], help=_("serve the read-only record page for QR links"))
    srv.add_argument("--host", help=_("address to listen on (default: [serve] host)"))
    srv.add_argument("--port", type=int, help=_("port to listen on (default: [serve] port)"))

    sim = commands.add_parser("similar", parents=[common], help=_("the past records most like a text"))
    sim.add_argument("text", help=_("what happened, in any words"))
    sim.add_argument("--area", default="", help=_("the area it happened in (counts as context)"))
    sim.add_argument("--station", default="", help=_("the station or machine (counts as context)"))
    sim.add_argument("--json", action="store_true", help=_("one JSON object per match"))

    bak = commands.add_parser("backup", parents=[common], help=_("write a consistent copy while the kiosk runs"))
    bak.add_argument("dir", nargs="?", help=_("folder for the backups (default: [backup] dir)"))
    bak.add_argument("--keep", type=int, help=_("how many backups to keep there (default: [backup] keep)"))
    res = commands.add_parser("restore", parents=[common], help=_("replace the data with a backup (kiosk stopped)"))
    res.add_argument("file", help=_("a backup written by kiosk backup"))

    sup = commands.add_parser("supervisor", parents=[common], help=_("manage supervisors and their PINs"))
    sup_commands = sup.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sup_commands.add_parser("add", parents=[common], help=_("add a supervisor (asks for the PIN)"))
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help=_("may change settings and leave the kiosk"))
    sup_commands.add_parser("list", parents=[common], help=_("list the supervisors"))
    remove = sup_commands.add_parser("remove", parents=[common], help=_("remove a supervisor"))
    remove.add_argument("name")
    return parser


#: Where the system log listens, and how long a kiosk under systemd shows a configuration error.
SYSLOG = "/dev/log"
CONFIG_ERROR_PAUSE = 30.0


def _on_virtual_console() -> bool:
    try:
        return re.fullmatch(r"/dev/tty\d+", os.ttyname(sys.stdin.fileno())) is not None
    except (OSError, ValueError):
        return False


def config_error(exc: ConfigError, command: str) -> int:
    """Say a configuration error; exit status 2. The kiosk run by systemd on a Linux console
    (deploy/) also sends it to the system journal and keeps it on the console for 30 s, so the
    admin can read it before the restart (and restarts do not come fast enough to give up)."""
    message = _("Configuration error in {source}, key {key}: {problem}").format(
        source=exc.source, key=exc.key, problem=exc.problem)
    print(message, file=sys.stderr, flush=True)
    if command == "run" and os.environ.get("INVOCATION_ID") and _on_virtual_console():
        import logging.handlers
        import time

        try:
            handler = logging.handlers.SysLogHandler(address=SYSLOG)
            handler.ident = "learning-kiosk: "
            handler.emit(logging.LogRecord("kiosk", logging.ERROR, "", 0, message, None, None))
            handler.close()
        except OSError:
            pass  # no system log: the console still shows it
        time.sleep(CONFIG_ERROR_PAUSE)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    folder = data_folder(getattr(args, "data", None))
    try:
        config = load_config(config_path(getattr(args, "config", None), folder))
        if getattr(args, "printer", None):
            config = with_printer(config, args.printer)
    except ConfigError as exc:
        return config_error(exc, command)
    if command == "print" and not args.followups and not (args.id and args.slip):
        parser.error(_("kiosk print needs a record number and --slip, or --followups"))
    i18n.set_language(config.language)
    try:
        setup_logging(folder)
    except OSError as exc:
        print(_("Cannot use the data folder {folder}: {error}").format(folder=folder, error=exc.strerror),
              file=sys.stderr)
        return 1
    handlers = {"run": cmd_run, "import": cmd_import, "export": cmd_export, "check": cmd_check,
                "supervisor": cmd_supervisor, "print": cmd_print, "print-test": cmd_print,
                "serve": cmd_serve, "similar": cmd_similar, "backup": cmd_backup, "restore": cmd_restore}
    try:
        return handlers[command](args, config, folder)
    except BrokenPipeError:
        # The reader went away (e.g. `kiosk export | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


# -- storage helpers ------------------------------------------------------------------------


def _store_args(config: Config) -> dict:
    return {
        "generations": config.storage.generations,
        "compact_bytes": config.storage.compact_mb * 1024 * 1024,
    }


def _open_writer(config: Config, folder: Path, command: str):
    """The repository as the folder's one writer, or None after printing why not."""
    from kiosk.storage import DataDamaged, DataFolderBusy, StorageError, open_repository
    from kiosk.storage.migrations import NewerSchema

    try:
        return open_repository(folder, clock=system_clock, writer=True, command=command, **_store_args(config))
    except DataFolderBusy as exc:
        print(busy_message(exc), file=sys.stderr)
    except DataDamaged as exc:
        print(_("The data in {folder} is damaged and no good copy was found: {detail}. "
                "Nothing was changed. Run 'kiosk check' and see the README.").format(
                    folder=folder, detail=exc), file=sys.stderr)
    except NewerSchema as exc:
        print(newer_schema_message(folder, exc), file=sys.stderr)
    except (StorageError, OSError) as exc:
        print(_("Cannot open the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
    return None


def _open_reader(config: Config, folder: Path):
    """The repository as a reader (alongside the running kiosk), or None after saying why not."""
    from kiosk.storage import DataDamaged, StorageError, open_repository

    try:
        return open_repository(folder, clock=system_clock, writer=False, **_store_args(config))
    except (DataDamaged, StorageError, OSError) as exc:
        print(_("Cannot read the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
        return None


def newer_schema_message(folder: Path, exc) -> str:
    return _("The data in {folder} was written by a newer version of the kiosk (data version "
             "{found}, this kiosk reads up to {supported}). Nothing was changed: update the kiosk.").format(
        folder=folder, found=exc.found, supported=exc.supported)


def busy_message(exc) -> str:
    holder = exc.holder
    return _("The data folder {folder} is in use by another kiosk process "
             "(pid {pid}, '{command}', on {host}, since {since}). "
             "Close it first, or use 'kiosk export', which works alongside it.").format(
        folder=exc.folder, pid=holder.get("pid", "?"), command=holder.get("command", "?"),
        host=holder.get("host", "?"), since=holder.get("started_at", "?"))


# -- commands -------------------------------------------------------------------------------


def cmd_run(args, config: Config, folder: Path) -> int:
    from kiosk.app import KioskApp
    from kiosk.storage import DataFolderBusy, JournalStore, StorageError, load_repository

    try:
        # Only the lock now: a second kiosk is refused before any screen. The records are read
        # right after Home's first frame, so the screen is up while 25k records load.
        store = JournalStore(folder, writer=True, load=False, command="kiosk run", **_store_args(config))
    except DataFolderBusy as exc:
        print(busy_message(exc), file=sys.stderr)
        return 1
    except (StorageError, OSError) as exc:
        print(_("Cannot open the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
        return 1
    try:
        def load():
            repo = load_repository(store, system_clock)
            for line in recovery_lines(store.report):
                log.warning(line)
            return repo

        demo_pin = ""
        if args.demo:
            from kiosk.demo import seed_demo
            from kiosk.screens.home import DEMO_ADMIN
            from kiosk.supervisors import new_supervisor

            repo = load()
            if repo.count() == 0:
                seed_demo(repo, config.areas, system_clock().date())
            if repo.find_supervisor(DEMO_ADMIN) is None:
                repo.add_supervisor(new_supervisor(DEMO_ADMIN, DEMO_PIN, admin=True, now=system_clock()))
            demo_pin = DEMO_PIN
            load = lambda: repo  # noqa: E731

        exit_when_ready = os.environ.get("KIOSK_EXIT_WHEN_READY") == "1"
        config_file = config_path(getattr(args, "config", None), folder) or folder / "kiosk.toml"
        if args.printer:
            config_file = None  # a --printer run must not save its printer into the file
        app = KioskApp(config=config, load_repo=load, clock=system_clock,
                       exit_when_ready=exit_when_ready, demo_pin=demo_pin, config_file=config_file)
        app.run(headless=exit_when_ready)
        if app.fatal_message:
            print(app.fatal_message, file=sys.stderr)
            return 1
        if app.ready_report:
            print(app.ready_report, flush=True)
        return app.return_code or 0
    finally:
        store.close()


def cmd_import(args, config: Config, folder: Path) -> int:
    from kiosk.exchange import import_reason, parse_lines
    from kiosk.storage import StorageError

    repo = _open_writer(config, folder, "kiosk import")
    if repo is None:
        return 1
    for line in recovery_lines(repo.store.report):  # a repair at open is never silent
        print(line, file=sys.stderr, flush=True)
    failed = 0
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
            for number, doc in parse_lines(source):
                if isinstance(doc, str):
                    failed += 1
                    print(f"error {number}: {doc}", file=sys.stderr, flush=True)
                    continue
                try:
                    record = repo.import_doc(doc)
                except StorageError as exc:
                    failed += 1
                    print(f"error {number}: " + _("not saved: {error}").format(error=exc), file=sys.stderr, flush=True)
                    continue
                except (ValueError, TypeError, OverflowError) as exc:
                    # ValidationError says which rule; anything else still fails only this line.
                    failed += 1
                    print(f"error {number}: {import_reason(exc)}", file=sys.stderr, flush=True)
                    continue
                print(f"ok {record.id}", flush=True)
    finally:
        repo.close()
    return 1 if failed else 0


def cmd_export(args, config: Config, folder: Path) -> int:
    from kiosk.exchange import WRITERS, write_csv

    repo = _open_reader(config, folder)
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
    if args.record:
        from kiosk.exchange import record_page

        record = repo.get(args.record)
        if record is None:
            print(_("There is no record {id}.").format(id=args.record), file=sys.stderr)
            return 1
        text = record_page(record)
    elif args.month:
        from kiosk.exchange import month_summary

        text = month_summary(records, args.month)
    else:
        text = None
    out: IO[str]
    if args.out:
        out = open(args.out, "w", encoding="utf-8", newline="")
    else:
        out = sys.stdout
        if hasattr(out, "reconfigure"):
            out.reconfigure(encoding="utf-8")
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


def cmd_check(args, config: Config, folder: Path) -> int:
    from kiosk.storage import DataDamaged, StorageError, open_repository

    if args.repair:
        repo = _open_writer(config, folder, "kiosk check --repair")
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
        repo = open_repository(folder, clock=system_clock, writer=False, verify_all=True,
                               **_store_args(config))
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
    from kiosk.health import facts
    from kiosk.printing.spool import PrintJob

    jobs = [PrintJob.from_doc(doc) for _n, doc in sorted(repo.print_jobs().items())]
    for fact in facts(folder, config, healthy=healthy, records=repo.count(), jobs=jobs, now=system_clock()):
        print(fact.line())
    if healthy:
        return 0
    for line in recovery_lines(report, repaired=False):
        print(line)
    print(_("Run 'kiosk check --repair' (with the kiosk stopped) to restore the newest good copy."))
    return 1


def cmd_print(args, config: Config, folder: Path) -> int:
    """One slip, sent now; the outcome is said plainly and is the exit status."""
    from kiosk.printing.spool import PrintSpooler
    from kiosk.screens.printing import describe_job
    from kiosk.storage import DataFolderBusy, StorageError, open_repository

    testing = args.command == "print-test"
    repo = None
    store_jobs = True
    try:
        repo = open_repository(folder, clock=system_clock, writer=True, command=f"kiosk {args.command}",
                               **_store_args(config))
    except DataFolderBusy:
        # The kiosk is running: print anyway from a read-only view; the job is not in its list.
        store_jobs = False
        print(_("The kiosk is running on this data folder: this slip is printed, but it is not "
                "added to the kiosk's list of print jobs."), file=sys.stderr)
        try:
            repo = open_repository(folder, clock=system_clock, writer=False, **_store_args(config))
        except (StorageError, OSError) as exc:
            if not testing:
                print(_("Cannot read the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
                return 1
    except (StorageError, OSError) as exc:
        if not testing:
            print(_("Cannot read the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
            return 1
    try:
        if testing:
            kind, records = "test", ()
        elif args.followups:
            kind, records = "followups", ()
        else:
            record = repo.get(args.id)
            if record is None:
                print(_("There is no record {id}.").format(id=args.id), file=sys.stderr)
                return 1
            kind, records = args.slip, (record.id,)
        spooler = PrintSpooler(repo, config, folder, system_clock, store_jobs=store_jobs)
        job = spooler.process(spooler.request(kind, records, language=i18n.language(), by="command line").number)
        if job.state == "sent":
            print(describe_job(job))
            if job.file:
                print("\n".join(spooler.layout(job).text_lines()))
            return 0
        print(describe_job(job).replace(_("R: try again."), "").strip(), file=sys.stderr)
        if job.detail:
            print(f"({job.detail})", file=sys.stderr)
        return 1
    finally:
        if repo is not None:
            repo.close()


def cmd_serve(args, config: Config, folder: Path) -> int:
    """The record page on a read-only view of the data folder, following the running kiosk."""
    import uvicorn

    from kiosk.web import create_app, finder

    repo = _open_reader(config, folder)
    if repo is None:
        return 1
    host = args.host or config.serve.host
    port = args.port if args.port is not None else config.serve.port
    print(_("Serving the record page on http://{host}:{port}/r/ID?k=TOKEN (ctrl+c stops it).").format(
        host=host, port=port), flush=True)
    try:
        uvicorn.run(create_app(finder(repo, follow=True)), host=host, port=port, log_config=None,
                    access_log=False, lifespan="off")
    finally:
        repo.close()
    return 0


def cmd_similar(args, config: Config, folder: Path) -> int:
    """The top three matches with their scores (works alongside the running kiosk)."""
    import json

    repo = _open_reader(config, folder)
    if repo is None:
        return 1
    try:
        matches = repo.similar(args.text, area=args.area, station=args.station)
    finally:
        repo.close()
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    for match in matches:
        record = match.record
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


def cmd_backup(args, config: Config, folder: Path) -> int:
    from kiosk.backup import backup
    from kiosk.storage import DataDamaged, StorageError

    target = args.dir or config.backup.dir
    if not target:
        print(_("Say where: kiosk backup DIR, or [backup] dir in the configuration."), file=sys.stderr)
        return 2
    try:
        info = backup(folder, Path(target), keep=args.keep or config.backup.keep, **_store_args(config))
    except (DataDamaged, StorageError, OSError, ValueError) as exc:
        print(_("Backup failed: {error}").format(error=exc), file=sys.stderr)
        return 1
    print(_("Backup written: {path} ({count} records, checked).").format(path=info.path, count=info.records))
    return 0


def cmd_restore(args, config: Config, folder: Path) -> int:
    from kiosk.backup import restore
    from kiosk.domain import ValidationError
    from kiosk.labels import describe_error
    from kiosk.storage import DataFolderBusy, StorageError
    from kiosk.storage.migrations import NewerSchema

    try:
        info, aside = restore(Path(args.file), folder, **_store_args(config))
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


def read_pin() -> str:
    """The PIN from the terminal (asked twice, not shown), or the first line of a pipe."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(_("PIN (4 to 8 digits): "))
        if getpass.getpass(_("The same PIN again: ")) != first:
            raise ValueError(_("The two PINs are different."))
        return first
    return sys.stdin.readline().strip()


def cmd_supervisor(args, config: Config, folder: Path) -> int:
    from kiosk.domain import ValidationError
    from kiosk.labels import describe_error
    from kiosk.supervisors import new_supervisor
    from kiosk.storage import StorageError

    repo = _open_writer(config, folder, f"kiosk supervisor {args.action}")
    if repo is None:
        return 1
    try:
        if args.action == "list":
            now = system_clock()
            for supervisor in repo.supervisors():
                role = _("admin") if supervisor.admin else _("supervisor")
                locked = supervisor.locked_at(now)
                note = _(" (locked until {time})").format(time=locked.strftime("%H:%M")) if locked else ""
                print(f"{supervisor.name}\t{role}{note}")
            return 0
        if args.action == "remove":
            repo.remove_supervisor(args.name)
            print(_("Removed {name}.").format(name=args.name))
            return 0
        pin = read_pin()
        repo.add_supervisor(new_supervisor(args.name, pin, admin=args.admin, now=system_clock()))
        print(_("Added {name}.").format(name=args.name))
        return 0
    except ValidationError as exc:
        print(describe_error(exc), file=sys.stderr)
        return 1
    except (ValueError, StorageError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        repo.close()


if __name__ == "__main__":
    sys.exit(main())
