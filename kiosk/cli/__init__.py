"""The ``kiosk`` command: parse, set up logging, load config, then run one command.

    kiosk [run] [--demo]           the full-screen kiosk
    kiosk import [FILE|-]          JSON lines in; "ok <id>" once each record is durable
    kiosk export --format F [--out FILE]
    kiosk check [--repair]         verify the data folder; restore the newest good copy
    kiosk print ID --slip receipt|review|soak|story|invitations [--printer SPEC] | kiosk print --followups
    kiosk print-test [--printer SPEC]
    kiosk serve [--host H --port P] [--hub]  the read-only record page behind the QR codes
    kiosk similar TEXT [--area AREA] [--json]   the three most similar past records
    kiosk teams [--json]           the Learning Teams: id, title, phase, until when soaking
    kiosk aar list [--json]        the after-action reviews: id, record, phase, accounts in
    kiosk huddle AREA [--print | --json]  the area's huddle as text (or printed); starts and counts none
    kiosk hub init|add-kiosk NAME|add-reader NAME|status|sync   the plant hub (PostgreSQL)
    kiosk backup [DIR] [--keep N] | kiosk restore FILE
    kiosk supervisor add NAME [--admin] | list | remove NAME

Every subcommand takes ``--data DIR`` (or KIOSK_DATA) and ``--config FILE`` (or KIOSK_CONFIG).
Exit status: 0 ok, 1 a problem with the data, some input lines or the printer, 2 bad usage or
config.

One module per family of commands: ``run`` (the only one that loads Textual), ``data``
(import, export, check, similar, backup, restore), ``printing``, ``serve`` and ``supervisors``;
``common`` holds what they share. A command's module is imported only when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk import i18n
from kiosk.config import LOG_FILE, Config, ConfigError, config_path, data_folder, load_config, with_printer
from kiosk.core.records import UPCOMING_DAYS
from kiosk.i18n import _
from kiosk.views.exchange import FORMATS

log = logging.getLogger("kiosk")

Command = Callable[[argparse.Namespace, Config, Path], int]

#: Each command's module and function, imported when the command runs.
COMMANDS = {
    "run": ("run", "cmd_run"),
    "import": ("data", "cmd_import"),
    "export": ("data", "cmd_export"),
    "check": ("data", "cmd_check"),
    "similar": ("data", "cmd_similar"),
    "teams": ("data", "cmd_teams"),
    "aar": ("data", "cmd_aar"),
    "huddle": ("huddle", "cmd_huddle"),
    "hub": ("hub", "cmd_hub"),
    "backup": ("data", "cmd_backup"),
    "restore": ("data", "cmd_restore"),
    "print": ("printing", "cmd_print"),
    "print-test": ("printing", "cmd_print"),
    "serve": ("serve", "cmd_serve"),
    "supervisor": ("supervisors", "cmd_supervisor"),
}


def command_function(name: str) -> Command:
    module, function = COMMANDS[name]
    found: Command = getattr(importlib.import_module(f"kiosk.cli.{module}"), function)
    return found


#: Commands that only read the data folder: it must exist already (they never create it).
READERS = frozenset({"check", "export", "similar", "teams", "aar", "backup", "serve", "print", "huddle", "hub"})
#: Commands that need no data folder at all (the hub's, run on the office machine too).
NO_DATA = frozenset({"hub"})


def reads_only(args: argparse.Namespace) -> bool:
    command = args.command or "run"
    if command == "supervisor":
        return args.action == "list"
    if command == "hub":
        return args.hub_command != "sync"  # a sync writes what it pulls (a new kiosk: a new folder)
    if command == "serve" and args.hub:
        return False  # the office's own copy of the plant's records
    return command in READERS and not getattr(args, "repair", False)


def setup_logging(folder: Path, *, create: bool = True) -> None:
    """Log to a file in the data folder, never to the terminal the kiosk draws on. ``create``
    False: a reader's folder is not made, and a log it may not write (say, rotated by a
    command run as root) is no reason to refuse reading: it logs nowhere (fault report D18).

    Must run before python-escpos is imported: its import calls logging.basicConfig(), which
    is a no-op once the root logger has a handler (PITFALLS 2.8).
    """
    from logging.handlers import RotatingFileHandler

    if create:
        folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler: logging.Handler
    try:
        handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        if create:
            raise
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def build_parser() -> argparse.ArgumentParser:
    def folder_options(default: object) -> argparse.ArgumentParser:
        options = argparse.ArgumentParser(add_help=False)
        options.add_argument("--data", metavar="DIR", default=default, help=_("data folder (or KIOSK_DATA)"))
        options.add_argument("--config", metavar="FILE", default=default,
                             help=_("configuration file (or KIOSK_CONFIG)"))
        return options

    # --data and --config work before the command and after it. A subcommand's own default
    # must not overwrite the value given before it (argparse does that with a shared parent:
    # `kiosk --data DIR import` wrote to the default folder, fault report D5), so theirs is
    # SUPPRESS: an option the subcommand did not see leaves the namespace as it was.
    parser = argparse.ArgumentParser(
        prog="kiosk", description=_("Learning kiosk: report, review, learn."), parents=[folder_options(None)]
    )
    common = folder_options(argparse.SUPPRESS)
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
    prt.add_argument("--slip", choices=("receipt", "review", "soak", "story", "invitations", "lookback"),
                     help=_("which slip of the record (soak, story: of a Learning Team; invitations: of an "
                            "after-action review, each with a new code; lookback: of a work item)"))
    prt.add_argument("--followups", action="store_true",
                     help=_("the follow-ups due in the next {days} days").format(days=UPCOMING_DAYS))
    prt.add_argument("--printer", metavar="SPEC", help=_("printer instead of the configured one"))
    test = commands.add_parser("print-test", parents=[common], help=_("print a test slip"))
    test.add_argument("--printer", metavar="SPEC", help=_("printer instead of the configured one"))

    srv = commands.add_parser("serve", parents=[common], help=_("serve the read-only record page for QR links"))
    srv.add_argument("--host", help=_("address to listen on (default: [serve] host)"))
    srv.add_argument("--port", type=int, help=_("port to listen on (default: [serve] port)"))
    srv.add_argument("--hub", action="store_true", help=_(
        "the office's page: keep this folder in step with the plant hub and serve every kiosk's records"))

    sim = commands.add_parser("similar", parents=[common], help=_("the past records most like a text"))
    sim.add_argument("text", help=_("what happened, in any words"))
    sim.add_argument("--area", default="", help=_("the area it happened in (counts as context)"))
    sim.add_argument("--station", default="", help=_("the station or machine (counts as context)"))
    sim.add_argument("--json", action="store_true", help=_("one JSON object per match"))

    teams = commands.add_parser("teams", parents=[common], help=_("list the Learning Teams"))
    teams.add_argument("--json", action="store_true", help=_("one JSON object per team"))

    aar = commands.add_parser("aar", parents=[common], help=_("the after-action reviews"))
    aar_commands = aar.add_subparsers(dest="aar_command", metavar="list", required=True)
    aar_list = aar_commands.add_parser("list", parents=[common], help=_("list them, with how many accounts are in"))
    aar_list.add_argument("--json", action="store_true", help=_("one JSON object per review"))

    hub = commands.add_parser("hub", parents=[common], help=_("the plant hub several kiosks share (PostgreSQL)"))
    hub_commands = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    hub_init = hub_commands.add_parser("init", parents=[common], help=_(
        "create or upgrade the hub's schema and roles (as the database's owner)"))
    hub_init.add_argument("--url", default="", help=_("the owner's address (default: hub.url)"))
    for action, text in (("add-kiosk", _("a role for a new kiosk (prints its password once)")),
                         ("add-reader", _("a read-only role for the records view (a spreadsheet, a BI tool)"))):
        sub = hub_commands.add_parser(action, parents=[common], help=text)
        sub.add_argument("name", help=_("lowercase letters, digits and _"))
        sub.add_argument("--url", default="", help=_("the owner's address (default: hub.url)"))
        sub.add_argument("--password-file", default="", help=_(
            "write the password to this file (mode 600) instead of printing it"))
        if action == "add-kiosk":
            sub.add_argument("--series", type=int, default=0, choices=range(1, 65), metavar="1-64", help=_(
                "the id series its records number in (default: the lowest free one)"))
    hub_commands.add_parser("status", parents=[common], help=_(
        "is the hub there, which kiosks; this kiosk's changes waiting, what it has pulled"))
    hub_sync = hub_commands.add_parser("sync", parents=[common], help=_(
        "one push-and-pull round, then exit (with the kiosk running: wait for its own)"))
    hub_sync.add_argument("--wait", type=float, default=60.0, metavar="SECONDS", help=_(
        "with the kiosk running, how long to wait for it to be in step (default 60)"))

    about = _("an area's huddle as text, or printed (read-only: it starts and counts no huddle)")
    huddle = commands.add_parser("huddle", parents=[common], help=about, description=about)
    huddle.add_argument("area", help=_("one of the configured areas (case and accents do not matter)"))
    shown = huddle.add_mutually_exclusive_group()
    shown.add_argument("--print", action="store_true", help=_("print the huddle's slip instead"))
    shown.add_argument("--json", action="store_true", help=_("one JSON object instead of text"))
    huddle.add_argument("--printer", metavar="SPEC", help=_("printer instead of the configured one"))

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
    reader = reads_only(args) and not (command == "serve" and config.serve.hub)
    if reader and not folder.is_dir() and command not in NO_DATA:
        print(_("The data folder {folder} does not exist (is --data or KIOSK_DATA right?). "
                "Nothing was read or made.").format(folder=folder), file=sys.stderr)
        return 1
    try:
        setup_logging(folder, create=not reader)
    except OSError as exc:
        print(_("Cannot use the data folder {folder}: {error}").format(folder=folder, error=exc.strerror),
              file=sys.stderr)
        return 1
    try:
        return command_function(command)(args, config, folder)
    except BrokenPipeError:
        # The reader went away (e.g. `kiosk export | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


