"""The kiosk App: wiring, lockdown, idle reset, live language switch.

Collaborators (config, repository, clock) come in through the constructor; the App never
opens files itself. Keys that could leave or escape the kiosk (ctrl+c/q/p/z/\\) are bound to
nothing with priority, and the command palette is off.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.driver import Driver
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from kiosk import i18n
from kiosk.config import Config
from kiosk.core.records import Record
from kiosk.core.supervisors import Supervisor
from kiosk.core.teams import Team
from kiosk.i18n import N_, _
from kiosk.screens.base import Kiosk, KioskHooks
from kiosk.storage import Repository
from kiosk.views.labels import describe_storage_problem, recovery_lines
from kiosk.widgets import KioskFooter, TLabel
from kiosk.widgets.inputs import TextClipped

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from kiosk.hub.sync import HubStatus, SyncWorker
    from kiosk.printing.spool import PrintJob, PrintSpooler
    from kiosk.screens.dialogs.supervisor import NewSupervisor
    from kiosk.web import PageProcess

log = logging.getLogger("kiosk")

_INERT_KEYS = ("ctrl+c", "ctrl+q", "ctrl+p", "ctrl+z", "ctrl+backslash")
_LANGUAGE_NAMES = {"es_AR": "Español", "en": "English"}
#: How often the kiosk marks follow-ups whose day has come as due (and at start).
DUE_CHECK_SECONDS = 600.0


class KioskApp(App[int], inherit_bindings=False):
    """The full-screen learning kiosk."""

    CSS_PATH = "kiosk.tcss"
    ENABLE_COMMAND_PALETTE = False
    TITLE = "learning-kiosk"

    BINDINGS = [
        Binding("f2", "switch_language", N_("Language"), priority=True),
        *(Binding(key, "noop", show=False, priority=True, system=True) for key in _INERT_KEYS),
    ]

    def __init__(
        self,
        *,
        config: Config,
        clock: Callable[[], datetime],
        repo: Repository | None = None,
        load_repo: Callable[[], Repository] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        exit_when_ready: bool = False,
        wait_for_meaning: bool = False,
        demo_pin: str = "",
        config_file: Path | None = None,
        watchdog: float = 0.0,
    ) -> None:
        """Give either an open ``repo`` or ``load_repo``, which is called in a worker right
        after the first frame (reading 25k records must not delay the screen). ``watchdog``:
        once the kiosk is asked to stop, the seconds it gets before the process ends anyway
        (the real kiosk only; 0 in tests, which share the process)."""
        super().__init__()
        if (repo is None) == (load_repo is None):
            raise ValueError("give exactly one of repo and load_repo")
        self.config = config
        self.config_file = config_file  # where the admin screen saves settings (None: not saved)
        self.clock = clock
        self.monotonic = monotonic
        self.exit_when_ready = exit_when_ready
        self.wait_for_meaning = wait_for_meaning  # with exit_when_ready: also the sentence vectors
        self._meaning_ready = 0.0
        self._signals_before: dict[int, Any] = {}  # the stop signals' handlers before the kiosk
        self.ready_report = ""
        self.fatal_message = ""
        self._repo = repo
        self._load_repo = load_repo
        self._repo_ready = threading.Event()
        if repo is not None:
            self._repo_ready.set()
        self._home_ready = 0.0
        self._data_ready = 0.0
        self._counts_drawn = 0.0  # when Home first showed its counts (drawn, not only loaded)
        self._index_ready = 0.0
        self.watchdog = watchdog
        self._watchdog: threading.Timer | None = None
        self._stopping = False
        self.demo_pin = demo_pin
        self.supervisor: Supervisor | None = None  # the signed-in supervisor, if any
        self._last_activity = monotonic()
        self._idle_warned = False
        self._idle_left: int | None = None  # the seconds the warning on screen counts from
        from kiosk.core.scanning import ScanReader

        self._scanner = ScanReader(monotonic)
        self._scan_pool: ThreadPoolExecutor | None = None  # one thread: slips are looked up in the order scanned
        self._printer: PrintSpooler | None = None  # the print spooler, started once the records are loaded
        self._record_page: PageProcess | None = None  # the record page's child process
        self._hub: SyncWorker | None = None  # the plant hub's sync ([hub] url set)
        self.recovered_errors: list[Exception] = []  # unexpected errors the kiosk came back from
        self.closed_screen_errors: list[Exception] = []  # errors in screens already closed (ignored)
        self._printer_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        i18n.set_language(config.language)
        from kiosk.terminal.console import on_linux_console, use_console_glyphs

        if on_linux_console():
            use_console_glyphs()

    @property
    def repo(self) -> Repository:
        """The records. Off the UI thread this waits for the start-up load to finish."""
        if self._repo is None:
            self._repo_ready.wait()
        if self._repo is None:
            raise RuntimeError("the data could not be loaded")
        return self._repo

    # -- lifecycle -----------------------------------------------------------------------

    def on_mount(self) -> None:
        from kiosk.screens.home import HomeScreen

        self._loop = asyncio.get_running_loop()
        # Callbacks from other threads run in the app's context (Textual's active app is a
        # context variable; without it, composing a screen fails).
        self._callback_context = contextvars.copy_context()
        self._handle_stop_signals()
        from kiosk.terminal.console import console_theme, on_linux_console

        if on_linux_console():
            self.register_theme(console_theme())
            self.theme = console_theme().name
        self.push_screen(HomeScreen())
        self.set_interval(1.0, self.idle_tick)
        self.call_after_refresh(self._after_first_frame)

    # -- unexpected errors -----------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error in a screen is logged, said plainly, and the kiosk goes back to
        a fresh Home; only an error in the App itself (which cannot go on) ends it, and then
        systemd starts it again (PITFALLS 3.3). Overrides Textual's hook, which always exits."""
        task = asyncio.current_task()
        where = task.get_name() if task is not None else ""
        if self._in_closed_screen(error) or self._while_leaving(error):
            return
        log.error("unexpected error in %s", where or "?", exc_info=error)
        fatal = (self.fatal_message or not self.is_running or "KioskApp" in where
                 or not where.startswith("message pump"))
        if fatal:
            super()._handle_exception(error)
            return
        self._recover_later(error, home_failed="HomeScreen" in where)

    async def _dispatch_action(self, namespace: Any, action_name: str, params: Any) -> bool:
        """Actions (every key binding) run in the App's own message loop, which an error would
        end: an error in one is caught here and recovered from like one in a screen. A key
        that reaches a screen before its widgets are up, or after it closed (keys typed fast),
        does nothing."""
        if self._exit or (isinstance(namespace, Screen) and not (namespace.is_mounted and self._is_open(namespace))):
            return True
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as error:
            if self._in_closed_screen(error) or self._while_leaving(error):
                return True

            log.error("unexpected error in action %s of %s", action_name, namespace,
                                             exc_info=error)
            from kiosk.screens.home import HomeScreen

            self._recover_later(error, home_failed=isinstance(namespace, HomeScreen))
            return True

    def _is_open(self, screen: Screen[Any]) -> bool:
        return any(screen in stack for stack in self._screen_stacks.values())

    def _in_closed_screen(self, error: Exception) -> bool:
        """Whether ``error`` came from a screen that is already closed: its last messages and
        keys can still arrive (a screen closed by a fast Esc, or by the idle reset, while it
        was still mounting or loading) and find its widgets gone. Nobody sees that screen any
        more, so the error is logged and ignored instead of resetting the kiosk."""
        from textual.css.query import NoMatches
        from textual.dom import DOMNode

        if not isinstance(error, NoMatches):
            return False
        owner: DOMNode | None = None
        trace = error.__traceback__
        while trace is not None:  # the innermost widget or screen the error went through
            candidate = trace.tb_frame.f_locals.get("self")
            if isinstance(candidate, DOMNode):
                owner = candidate
            trace = trace.tb_next
        screen = owner if isinstance(owner, Screen) else None
        if screen is None and owner is not None:
            try:
                screen = owner.screen
            except Exception:  # a widget already taken off its screen
                screen = None
        if not isinstance(screen, Screen) or self._is_open(screen):
            return False
        log.warning("ignored an error in %r, already closed", screen, exc_info=error)
        self.closed_screen_errors.append(error)
        return True

    def _while_leaving(self, error: Exception) -> bool:
        """Once the kiosk is leaving (its Exit, a stop signal), screens still being built can
        no longer mount their widgets (Textual mounts nothing then) and may fail on that;
        nothing is shown any more, so such an error is only logged."""
        if not self._exit or self.fatal_message:
            return False
        log.warning("ignored an error while leaving", exc_info=error)
        return True

    def _recover_later(self, error: Exception, *, home_failed: bool) -> None:
        self.recovered_errors.append(error)
        self.call_later(self._recover, home_failed)

    def _recover(self, home_failed: bool) -> None:
        from kiosk.screens.home import HomeScreen

        try:
            self.reset_to_home()
        except Exception:  # a screen's own keep hook may be what failed
            while len(self.screen_stack) > 2:
                self.pop_screen()
        if len(self.screen_stack) <= 1:
            self.push_screen(HomeScreen())
        elif home_failed or not isinstance(self.screen, HomeScreen):
            self.switch_screen(HomeScreen())
        self.notify(_("Something went wrong and the kiosk went back to the start. Everything saved is "
                      "still saved; please try again. (The details are in the kiosk's log.)"),
                    severity="error", timeout=20, markup=False)

    def on_resize(self, event: events.Resize) -> None:
        """Below 80x24 a notice covers the screens; they come back as they were."""
        from kiosk.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen

        small = event.size.width < MIN_WIDTH or event.size.height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing and len(self.screen_stack) > 1:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()

    def _handle_stop_signals(self) -> None:
        """SIGTERM (systemd stopping the service) and SIGHUP (the console going away) end the
        kiosk the normal way: screens closed, terminal restored, printer worker and data closed
        by their owners. Textual installs no handler for them (PITFALLS 3.2). The handler is a
        plain one, not the event loop's: it runs even while the loop is stuck, and a second
        signal ends the process at once."""
        import signal

        for number in (signal.SIGTERM, signal.SIGHUP):
            try:
                self._signals_before[number] = signal.signal(number, self._on_stop_signal)
            except ValueError:  # not the main thread (tests)
                pass

    def _restore_signals(self) -> None:
        """The handlers from before the kiosk, once it ends (a process that runs the kiosk and
        then goes on, as the tests do, must not keep a handler of a kiosk that is gone)."""
        import signal

        for number, handler in self._signals_before.items():
            try:
                signal.signal(number, handler)
            except (ValueError, TypeError):
                pass
        self._signals_before.clear()

    def _on_stop_signal(self, number: int, _frame: object) -> None:
        if self._stopping:
            self._hard_exit(0, f"a second {signal_name(number)} while stopping")
        self._stopping = True
        self._arm_watchdog(0)
        self._call_soon(self._stop_by_signal, number)

    def _stop_by_signal(self, number: int) -> None:
        log.info("stopping on %s", signal_name(number))
        self.exit(return_code=0)

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        """Stop the kiosk; with a watchdog, the process ends within its seconds whatever its
        workers or its terminal do (a worker stuck on a dead terminal once held it for ever)."""
        super().exit(result, return_code, message)
        self._arm_watchdog(return_code)

    def _arm_watchdog(self, return_code: int) -> None:
        if not self.watchdog or self._watchdog is not None:
            return
        timer = threading.Timer(self.watchdog, self._hard_exit, (return_code, "it did not stop in time"))
        timer.daemon = True
        timer.start()
        self._watchdog = timer

    def stop_watchdog(self) -> None:
        """The App has stopped (``run`` returned): what follows (closing the data) has no deadline."""
        if self._watchdog is not None:
            self._watchdog.cancel()

    @staticmethod
    def _hard_exit(return_code: int, why: str) -> None:
        log.error("the kiosk ends its process now: %s (every acknowledged save is on disk)", why)
        logging.shutdown()
        os._exit(return_code)

    def get_driver_class(self) -> type[Driver]:
        """Textual's Linux driver is swapped for one that stops when its terminal is gone."""
        from textual.drivers.linux_driver import LinuxDriver

        driver = super().get_driver_class()
        if driver is LinuxDriver:
            from kiosk.terminal.driver import KioskDriver

            return KioskDriver
        return driver

    def terminal_gone(self) -> None:
        """The terminal's input ended (see :mod:`kiosk.terminal.driver`): stop as on SIGHUP."""
        log.warning("stopping: the terminal is gone (its input ended)")
        self.exit(return_code=0)

    def _after_first_frame(self) -> None:
        self._home_ready = _process_age()
        self.set_interval(DUE_CHECK_SECONDS, self.mark_due_follow_ups)
        if self._repo is None:
            self.load_data()
        else:
            self._attach_hub(self._repo)
            if self.config.serve.enabled:
                self._start_record_page(self._repo)
            self.mark_due_follow_ups()
            self.build_search_index(self._home_ready)

    @work(thread=True, exit_on_error=False, group="load")
    def load_data(self) -> None:
        """Read the records (and repair them if needed), then say what was repaired."""
        assert self._load_repo is not None
        try:
            self._repo = self._load_repo()
            self._attach_hub(self._repo)  # before anyone can save: every change is then queued
        except Exception as error:  # shown, then the kiosk exits non-zero
            log.exception("loading the data failed")
            self._call_soon(self._cannot_start, error)
            return
        finally:
            self._repo_ready.set()  # after self._repo is set: waiting workers then see it
        repo = self._repo
        self._data_ready = _process_age()
        notes = recovery_lines(repo.store.report)
        if notes:
            self._call_soon(self._show_repair, notes)
        self.printing()  # the printer worker, with the jobs an earlier run left
        if self.config.serve.enabled:
            self._start_record_page(repo)
        self._call_soon(self.mark_due_follow_ups)
        self.build_search_index(self._home_ready)

    @work(thread=True, exclusive=True, exit_on_error=False, group="due")
    def mark_due_follow_ups(self) -> None:
        """Records whose follow-up day has come become ``follow_up_due`` (at start, then every
        few minutes: a kiosk left running overnight marks the morning's at once)."""
        self.repo.mark_follow_ups_due(self.clock())

    def _show_repair(self, notes: list[str]) -> None:
        from kiosk.screens.dialogs.notice import NoticeDialog

        self.push_screen(NoticeDialog(N_("The kiosk repaired its data"), notes))

    def _cannot_start(self, error: Exception) -> None:
        from kiosk.screens.dialogs.notice import NoticeDialog

        self.fatal_message = _("The kiosk cannot start: {detail}. Nothing was changed; "
                               "run 'kiosk check' and see the README.").format(
            detail=describe_storage_problem(error))
        self.push_screen(NoticeDialog(N_("The kiosk cannot start"), [self.fatal_message]),
                         lambda _result: self.exit(return_code=1))

    @work(thread=True, exit_on_error=False, group="index")
    def build_search_index(self, home_ready: float) -> None:
        self.repo.build_search_index()
        self._index_ready = _process_age()
        if self.config.match_by_meaning and self.repo.meaning is None and self.repo.store.writer:
            from kiosk.storage.semantic import MeaningIndex

            index = MeaningIndex(self.repo.store.folder)
            self.repo.attach_meaning(index)
            index.start()
            if self.exit_when_ready and self.wait_for_meaning:
                index.wait_ready()
                self._meaning_ready = _process_age()
        if self.exit_when_ready:
            self._call_soon(self._report_when_ready)

    def counts_drawn(self) -> None:
        """Home calls this after the refresh that first drew its counts."""
        if not self._counts_drawn:
            self._counts_drawn = _process_age()
            self._report_when_ready()

    def _report_when_ready(self) -> None:
        """``KIOSK_EXIT_WHEN_READY``: once Home has drawn its counts and the search index is
        built, the figures of the start (``make bench``), then exit."""
        if not self.exit_when_ready or self.ready_report or not (self._counts_drawn and self._index_ready):
            return
        if self.wait_for_meaning and not self._meaning_ready:
            return
        report = {
            "home_ready_s": round(self._home_ready, 4),
            "data_ready_s": round(self._data_ready or self._home_ready, 4),
            "counts_drawn_s": round(self._counts_drawn, 4),
            "index_ready_s": round(self._index_ready, 4),
            "rss_mb": round(_status_mb("VmRSS"), 1),
            "peak_rss_mb": round(_status_mb("VmHWM"), 1),
            "records": self.repo.count(),
        }
        if self._meaning_ready:
            report["meaning_ready_s"] = round(self._meaning_ready, 4)
        self.ready_report = json.dumps(report)
        self.exit()

    def _start_record_page(self, repo: Repository) -> None:
        """The phone page behind the QR codes ([serve] enabled), as a child process reading the
        same data folder: a flood of connections then takes that process's files, never the
        kiosk's (inside the kiosk it once left the kiosk unable to save a report, D2). It is
        started again if it dies and stopped with the kiosk; its failures are only logged."""
        from kiosk.web import PageProcess, serve_command

        try:
            config_file = self.config_file if self.config_file is not None and self.config_file.is_file() else None
            page = PageProcess(serve_command(repo.store.folder, self.config.serve.host, self.config.serve.port,
                                             config_file))
            page.start()
        except Exception:  # the kiosk works without it; the log says why
            log.exception("the record page could not start")
            return
        self._record_page = page

    def _attach_hub(self, repo: Repository) -> None:
        """With ``[hub] url`` set: hook the journal and start the sync's thread. A hub that
        cannot be used never stops the kiosk: it works on its own and says why (F8, Home)."""
        if not self.config.hub.url or self._hub is not None or not repo.store.writer:
            return
        from kiosk.hub.sync import SyncWorker

        try:
            self._hub = SyncWorker.for_repository(repo, self.config.hub,
                                                  on_pulled=lambda: self._call_soon(self._hub_pulled))
        except Exception:
            log.exception("the plant hub's sync could not start; this kiosk works on its own")
            return
        self._hub.start()

    def _hub_pulled(self) -> None:
        """Other kiosks' changes arrived: Home shows the plant's counts now, not in 30 s."""
        from kiosk.screens.home import HomeScreen

        if isinstance(self.screen, HomeScreen):
            self.screen.load()

    def hub_status(self) -> HubStatus | None:
        """The plant hub's state now (None: no hub configured)."""
        return self._hub.status() if self._hub is not None else None

    def on_unmount(self) -> None:
        self._restore_signals()
        if self._hub is not None:
            self._hub.stop(timeout=1.0)
        if self._repo is not None and self._repo.meaning is not None:
            self._repo.meaning.stop()
        if self._record_page is not None:
            self._record_page.stop(timeout=1.5)
        if self._printer is not None:
            self._printer.stop(timeout=1.0)
        if self._scan_pool is not None:
            self._scan_pool.shutdown(wait=False, cancel_futures=True)

    # -- printing ------------------------------------------------------------------------

    def printer_ready(self) -> bool:
        """Whether ``printing()`` answers at once (the data is loaded)."""
        return self._repo_ready.is_set() and self._repo is not None

    def printing(self) -> PrintSpooler:
        """The print spooler (one printer worker for the whole kiosk). Started when the data
        is loaded; earlier callers (never the UI thread in practice) wait for the load."""
        with self._printer_lock:
            if self._printer is None:
                from kiosk.printing.spool import PrintSpooler

                repo = self.repo
                self._printer = PrintSpooler(repo, self.config, repo.store.folder, self.clock,
                                             on_change=lambda job: self._call_soon(self._job_changed, job))
                self._printer.start()
            return self._printer

    def _job_changed(self, job: PrintJob) -> None:
        """Hand a job's new state to the screens following it; when none is (the person has
        moved on), a failure still gets said."""
        from kiosk.printing.outcome import describe_job
        from kiosk.screens.printing import PrintJobChanged

        followed = False
        for screen in self.screen_stack:
            if isinstance(screen, KioskHooks) and job.number in screen.tracked_jobs():
                screen.post_message(PrintJobChanged(job))
                followed = True
        if not followed and job.finished and job.state != "sent":
            self.notify(describe_job(job), severity="warning", timeout=15, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.log.error(f"worker {event.worker.name} failed: {event.worker.error!r}")
            log.error("background task failed", exc_info=event.worker.error)

    def on_text_clipped(self, message: TextClipped) -> None:
        """Any field, any screen: a paste longer than the field allows is never cut silently
        (a screen may say it in its own place and stop the message)."""
        self.notify(
            _("That was too long for this field: {count} characters were left out.").format(count=message.dropped),
            severity="warning", markup=False)

    # -- activity and idle reset ---------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self._last_activity = self.monotonic()
            self._idle_left = None
            if self._idle_warned:
                self._idle_warned = False
                self.clear_notifications()
        if isinstance(event, events.Key) and not event.is_forwarded and self._scan_key(event):
            return  # part of a scanned slip: no screen sees it
        await super().on_event(event)

    # -- scanned slips -------------------------------------------------------------------

    def _scan_key(self, event: events.Key) -> bool:
        """Every key goes through the scan reader first, in arrival order (kiosk.core.scanning)."""
        from textual.widgets import Input, TextArea

        screen = self.screen
        may_start = (isinstance(screen, KioskHooks) and screen.accepts_scans
                     and not isinstance(self.focused, (Input, TextArea)))
        consumed, text = self._scanner.feed(event.character, event.key, may_start=may_start)
        if text is not None:
            self.look_up_scan(text)
        return consumed

    def look_up_scan(self, text: str) -> None:
        from concurrent.futures import ThreadPoolExecutor

        if self._scan_pool is None:
            self._scan_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan")
        future = self._scan_pool.submit(self._find_scanned, text)
        future.add_done_callback(lambda done: self._call_soon(self._open_scanned, done.result()))

    def _find_scanned(self, text: str) -> tuple[str, str] | None:
        """(id, what to open: "follow_up", "page", "team" or "work") for a slip of this kiosk with the
        right token, else None. A Learning Team's story slip has the same address as a record's."""
        import secrets

        from kiosk.core.following import is_due
        from kiosk.core.scanning import parse_account_url, parse_slip_url

        link = parse_slip_url(text)
        code = parse_account_url(text) if link is None else None
        if code is not None:
            return code, "account"  # (checked by the account screen, counted like a typed code)
        try:
            found = (self.repo.get(link.record_id) or self.repo.team(link.record_id)
                     or self.repo.work_item(link.record_id)) if link is not None else None
        except Exception:  # e.g. the data failed to load: said like a bad code
            log.exception("looking up a scanned slip")
            return None
        if link is None or found is None or not secrets.compare_digest(found.link_token.encode(),
                                                                       link.token.encode()):
            log.info("scan refused: %s", "not a slip URL" if link is None else link.record_id)
            return None
        if isinstance(found, Record):
            opens = "follow_up" if is_due(found, self.clock().date()) else "page"
        else:
            opens = "team" if isinstance(found, Team) else "work"
        log.info("scan opened %s (%s)", found.id, opens)
        return found.id, opens

    def _call_soon(self, callback: Callable[..., object], *args: Any) -> None:
        """Run ``callback`` on the UI thread soon, without waiting for it: a worker never
        blocks on the App (``call_from_thread`` waits, for ever if the App has stopped)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(callback, *args, context=self._callback_context)
            except RuntimeError:  # the app is closing
                pass

    def _open_scanned(self, found: tuple[str, str] | None) -> None:
        from kiosk.screens.record import RecordScreen
        from kiosk.screens.teams import StoryScreen

        if found is None:
            self.notify(_("That code is not a slip of a record on this kiosk."), severity="warning",
                        markup=False)
            return
        record_id, opens = found
        if opens == "account":
            from kiosk.screens.aar import CodeScreen

            self.push_screen(CodeScreen(record_id))
        elif opens == "team":
            self.push_screen(StoryScreen(record_id))
        elif opens == "work":
            from kiosk.screens.work import WorkItemScreen

            self.push_screen(WorkItemScreen(record_id))
        elif opens == "follow_up":
            self.open_follow_up(record_id)
        elif isinstance(self.screen, RecordScreen):
            self.switch_screen(RecordScreen(record_id))  # one page after another, never a pile
        else:
            self.push_screen(RecordScreen(record_id))

    def open_follow_up(self, record_id: str) -> None:
        """A record's follow-up, for a signed-in supervisor."""
        from kiosk.screens.follow_ups import FollowUpScreen

        self.with_supervisor(lambda _s: self.push_screen(FollowUpScreen(record_id)), admin=False,
                             title=N_("Follow-up: supervisor PIN"))

    def idle_tick(self) -> None:
        """Once a second: warn before the idle timeout, then go back to a clean Home."""
        if self.is_pristine() or self.fatal_message or self._saving():
            # Nothing to reset; or the kiosk is about to exit; or a save is under way (its
            # id and thank-you must reach the person who pressed Enter).
            return
        idle = self.monotonic() - self._last_activity
        timeout = self.config.idle_timeout
        # Never more than half the timeout: a warning that comes a second after the last key
        # only nags (walk item 7: 16 s with a 15 s warning).
        warning = min(self.config.idle_warning, max(timeout // 2, 1))
        if idle >= timeout:
            self._idle_warned = False
            self._idle_left = None
            self.clear_notifications()
            self.reset_to_home()
        elif idle >= timeout - warning:
            left = max(math.ceil(timeout - idle), 1)
            if left == self._idle_left:
                return
            # It counts down, one warning at a time (walk item 35: "en 15 s" stood still, and
            # two identical warnings once piled up).
            self._idle_warned = True
            self._idle_left = left
            self.clear_notifications()
            self.notify(
                _("No activity: in {seconds} s the kiosk goes back to the start and discards "
                  "what was typed. Press any key to continue.").format(seconds=left),
                title=_("Still there?"),
                severity="warning",
                timeout=2,
                markup=False,
            )

    def _saving(self) -> bool:
        return any(isinstance(screen, KioskHooks) and screen.is_saving() for screen in self.screen_stack)

    def is_pristine(self) -> bool:
        from kiosk.screens.home import HomeScreen

        return (
            len(self.screen_stack) <= 2
            and isinstance(self.screen, HomeScreen)
            and i18n.language() == self.config.language
        )

    def reset_to_home(self) -> None:
        """Back to Home: unsaved operator input is discarded, the language is the default, and
        the supervisor is signed out."""
        from kiosk.screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, KioskHooks):
                screen.keep_before_reset()  # e.g. a review saves its draft: supervisor work is never lost
        self.supervisor = None
        while len(self.screen_stack) > 2 or not isinstance(self.screen, HomeScreen):
            if len(self.screen_stack) <= 1:
                self.push_screen(HomeScreen())  # Home itself was closed: a new one
                break
            self.pop_screen()
        if i18n.language() != self.config.language:
            self.set_language(self.config.language)
        self._last_activity = self.monotonic()

    # -- supervisors ---------------------------------------------------------------------

    def with_supervisor(self, then: Callable[[Supervisor], object], *, admin: bool, title: str) -> None:
        """Run ``then`` for a signed-in supervisor (an admin if ``admin``): the current one if
        they qualify, else after signing in — or after creating the first admin, if none exists."""
        current = self.supervisor
        if current is not None and (current.admin or not admin):
            then(current)
            return
        self._ask_supervisor(then, admin, title)

    @work(thread=True, exit_on_error=False, group="login")
    def _ask_supervisor(self, then: Callable[[Supervisor], object], admin: bool, title: str) -> None:
        has_admin = self.repo.has_admin()  # (waits for the start-up load, so not on the UI thread)
        self._call_soon(self._push_sign_in, then, admin, title, has_admin)

    def _push_sign_in(self, then: Callable[[Supervisor], object], admin: bool, title: str, has_admin: bool) -> None:
        from kiosk.screens.dialogs.pin import PinDialog

        def signed_in(supervisor: Supervisor | None) -> None:
            if supervisor is not None:
                self.supervisor = supervisor
                then(supervisor)

        if has_admin:
            self.push_screen(PinDialog(title, admin_only=admin), signed_in)
        else:
            self._ask_first_admin(then)

    def _ask_first_admin(self, then: Callable[[Supervisor], object], *, name: str = "", problem: str = "") -> None:
        """No admin yet: create the first one (the dialog asks, the App saves), then go on."""
        from kiosk.screens.dialogs.supervisor import FirstAdminDialog

        def answered(new: NewSupervisor | None) -> None:
            if new is not None:
                self._save_first_admin(new, then)

        self.push_screen(FirstAdminDialog(name=name, problem=problem), answered)

    @work(thread=True, exit_on_error=False, group="login")
    def _save_first_admin(self, new: NewSupervisor, then: Callable[[Supervisor], object]) -> None:
        from kiosk.core.records import ValidationError
        from kiosk.core.supervisors import new_supervisor
        from kiosk.storage import StorageError

        try:
            admin = new_supervisor(new.name, new.pin, admin=True, now=self.clock())
            self.repo.add_supervisor(admin)
        except (ValidationError, StorageError) as error:
            problem = self._describe_problem(error)
            self._call_soon(partial(self._ask_first_admin, then, name=new.name, problem=problem))
            return
        self._call_soon(self._signed_in_as, admin, then)

    def _signed_in_as(self, supervisor: Supervisor, then: Callable[[Supervisor], object]) -> None:
        self.supervisor = supervisor
        then(supervisor)

    @staticmethod
    def _describe_problem(error: Exception) -> str:
        from kiosk.core.records import ValidationError
        from kiosk.views.labels import describe_error

        if isinstance(error, ValidationError):
            return describe_error(error)
        return _("Not saved: {problem}").format(problem=describe_storage_problem(error))

    def settings_saved(self, config: Config) -> None:
        """The admin saved new settings: they apply at once (e.g. the links' base URL)."""
        self.config = config
        if self.printer_ready():
            self.printing().reconfigure(config)

    # -- language ------------------------------------------------------------------------

    def action_switch_language(self) -> None:
        codes = i18n.LANGUAGES
        current = i18n.language()
        self.set_language(codes[(codes.index(current) + 1) % len(codes)])

    def set_language(self, code: str) -> None:
        i18n.set_language(code)
        for screen in self.screen_stack:
            if not screen.is_mounted:
                continue  # still being built: it is built in the new language
            for label in screen.query(TLabel):
                label.retranslate()
            if isinstance(screen, KioskHooks):
                screen.retranslate()
            for footer in screen.query(KioskFooter):
                footer.call_after_refresh(footer.recompose)

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the footer shows them; on the Linux console without glyphs its fonts lack."""
        from kiosk.terminal.console import on_linux_console

        shown = super().get_key_display(binding)
        if on_linux_console():
            shown = shown.replace("⏎", "Enter")
        return shown

    def describe_binding(self, binding: Binding) -> str:
        """The footer text of an app-level key in the current language."""
        if binding.action == "switch_language":
            codes = i18n.LANGUAGES
            following = codes[(codes.index(i18n.language()) + 1) % len(codes)]
            return _LANGUAGE_NAMES[following]
        return _(binding.description)

    # -- actions -------------------------------------------------------------------------

    def action_noop(self) -> None:
        """Kiosk lockdown: the key does nothing."""

    def action_help_quit(self) -> None:
        """Textual's 'press ctrl+q to quit' hint must never appear on a kiosk."""


def _process_age() -> float:
    """Seconds since this process started (from /proc, so imports are counted too)."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            start_ticks = int(handle.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc (VmRSS now, VmHWM the peak)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def signal_name(number: int) -> str:
    import signal

    return signal.Signals(number).name


if TYPE_CHECKING:
    # The App is what screens know as the kiosk (kiosk.screens.base.Kiosk): mypy checks it here.
    def _is_a_kiosk(app: KioskApp) -> Kiosk:
        return app

