"""``kiosk run``: the full-screen kiosk. The only command that loads Textual."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.cli.common import Args, busy_message, store_args, system_clock
from kiosk.config import Config, config_path
from kiosk.i18n import _
from kiosk.storage import DataFolderBusy, JournalStore, Repository, StorageError, load_repository
from kiosk.views.labels import recovery_lines

log = logging.getLogger("kiosk")

#: Seconds the App gets to stop once asked (a signal, its terminal gone, Exit), and the process
#: after the data is closed, before it ends anyway: under systemd a stuck kiosk is a dead one.
STOP_DEADLINE = 5.0
EXIT_DEADLINE = 3.0


def cmd_run(args: Args, config: Config, folder: Path) -> int:
    from kiosk.app import KioskApp

    try:
        # Only the lock now: a second kiosk is refused before any screen. The records are read
        # right after Home's first frame, so the screen is up while 25k records load.
        store = JournalStore(folder, writer=True, load=False, command="kiosk run", **store_args(config))
    except DataFolderBusy as exc:
        print(busy_message(exc), file=sys.stderr)
        return 1
    except (StorageError, OSError) as exc:
        print(_("Cannot open the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
        return 1
    try:
        def load() -> Repository:
            repo = load_repository(store, system_clock, id_series=config.storage.id_series)
            for line in recovery_lines(store.report):
                log.warning(line)
            return repo

        demo_pin = ""
        if args.demo:
            load = _seeded(load(), config)
            from kiosk.demo import DEMO_PIN

            demo_pin = DEMO_PIN

        # "1": once Home and the search index are ready; "meaning": once the sentence vectors
        # are made too (make bench).
        exit_when_ready = os.environ.get("KIOSK_EXIT_WHEN_READY") in ("1", "meaning")
        wait_meaning = os.environ.get("KIOSK_EXIT_WHEN_READY") == "meaning"
        config_file: Path | None = config_path(getattr(args, "config", None), folder) or folder / "kiosk.toml"
        if args.printer:
            config_file = None  # a --printer run must not save its printer into the file
        app = KioskApp(config=config, load_repo=load, clock=system_clock, exit_when_ready=exit_when_ready,
                       wait_for_meaning=wait_meaning,
                       demo_pin=demo_pin, config_file=config_file, watchdog=STOP_DEADLINE)
        app.run(headless=exit_when_ready)
        app.stop_watchdog()
        if app.fatal_message:
            print(app.fatal_message, file=sys.stderr)
            code = 1
        else:
            if app.ready_report:
                print(app.ready_report, flush=True)
            code = app.return_code or 0
    finally:
        store.close()
    _end_process_soon(code)
    return code


def _end_process_soon(code: int) -> None:
    """The App and the data are closed: end the process within a few seconds even if a worker
    thread is still busy (Python waits for every worker before it exits)."""
    import threading

    sys.stdout.flush()
    sys.stderr.flush()

    def end() -> None:
        log.warning("a background task was still running at exit; the process ends now")
        logging.shutdown()
        os._exit(code)

    timer = threading.Timer(EXIT_DEADLINE, end)
    timer.daemon = True
    timer.start()


def _seeded(repo: Repository, config: Config) -> Callable[[], Repository]:
    """``--demo``: a year of demo records in an empty folder, and the demo admin."""
    from kiosk.core.supervisors import new_supervisor
    from kiosk.demo import DEMO_ADMIN, DEMO_PIN
    from kiosk.demo.generator import seed_demo

    if repo.count() == 0:
        seed_demo(repo, config.areas, system_clock().date())
    if repo.find_supervisor(DEMO_ADMIN) is None:
        repo.add_supervisor(new_supervisor(DEMO_ADMIN, DEMO_PIN, admin=True, now=system_clock()))
    return lambda: repo
