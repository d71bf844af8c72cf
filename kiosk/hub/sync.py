"""The sync with the plant hub: push this kiosk's changes, pull the others', in the background.

A round (:func:`sync_round`): check the hub's schema and claim this kiosk's id series (two
kiosks numbering alike would merge different records into one: the hub refuses it, and this
kiosk then syncs nothing and says why); give the documents that predate the hub their versions
(a kiosk's first connection pushes its whole history); pull every change after the cursor
(applied by :meth:`kiosk.storage.sync.Capture.apply`, the cursor moving in the same journal
transaction); push the outbox (``INSERT … ON CONFLICT (kiosk, kiosk_seq) DO NOTHING``: a change
sent twice, after a kill between the hub's commit and the outbox's, is stored once).

:class:`SyncWorker` runs rounds on its own thread for as long as the kiosk (or ``kiosk serve
--hub``) runs: at once after a local save, at once when the hub NOTIFYs a change (``LISTEN``),
and every few seconds anyway; while the hub is away it tries again, less and less often (at
most every 30 s), and says so in :meth:`SyncWorker.status` — never in a dialog. Saves never
wait for it: they are acknowledged by the local journal as without a hub.
"""

from __future__ import annotations

import json
import logging
import os
import re
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kiosk.config import HubConfig
from kiosk.hub import schema
from kiosk.hub.connect import HubUnavailable, connect
from kiosk.storage.sync import Applied, Capture, Incoming, capture, sync_state

if TYPE_CHECKING:
    import psycopg

    from kiosk.storage import Repository

log = logging.getLogger(__name__)

PUSH_BATCH, PULL_BATCH = 500, 1000
#: Pulled changes applied per journal transaction (a save waits for at most one of them).
APPLY_BATCH = 200
#: Seconds between rounds with nothing to wake the worker (a NOTIFY lost with a connection).
#: (Not a poll: a save and the hub's NOTIFY wake it at once.)
IDLE_ROUND = 5.0
#: After a save wakes the worker, how long it lets more saves gather before its round.
GATHER_SECONDS = 0.1
#: Seconds between tries while the hub is away: doubling from the first to the last.
RETRY_FIRST, RETRY_LAST = 1.0, 30.0


class SeriesTaken(Exception):
    """Another kiosk of the plant numbers in this kiosk's id series."""

    def __init__(self, series: int, holder: str) -> None:
        super().__init__(f"id series {series} is kiosk {holder}'s")
        self.series = series
        self.holder = holder


class HubOutOfDate(Exception):
    """The hub's schema is not the one this kiosk speaks (run ``kiosk hub init``, or upgrade)."""


@dataclass(frozen=True)
class Round:
    pushed: int = 0
    pulled: int = 0
    changed: int = 0
    refused: int = 0
    newest: int = 0  # the hub's newest change id when the round began


@dataclass(frozen=True)
class HubStatus:
    """What Home, the health screen and ``kiosk hub status`` say about the hub."""

    state: str = "connecting"  # connecting | connected | offline | refused
    since: float = 0.0  # when it became so (epoch seconds)
    waiting: int = 0  # this kiosk's changes not on the hub yet
    behind: int = 0  # the hub's changes not pulled yet
    last_round: float = 0.0  # when a round last finished (epoch seconds)
    problem: str = ""  # why offline or refused, fit for a log and a screen (no password)
    #: The first pull of a kiosk joining the plant: (pulled, all there are) while it lasts.
    progress: tuple[int, int] | None = None
    series_holder: str = ""  # refused: the kiosk that numbers in this kiosk's id series
    series: int = 0
    #: Changes received since the start that did not pass the checks (logged, left out).
    refused: int = 0


def prepare(conn: psycopg.Connection[Any], hook: Capture, series: int) -> None:
    """Check the hub and claim this kiosk's id series (raises SeriesTaken, HubOutOfDate)."""
    with conn.cursor() as cur:
        version = schema.schema_version(cur)
        if version != schema.VERSION:
            raise HubOutOfDate(f"the hub's schema is version {version}, this kiosk's {schema.VERSION}")
        cur.execute(f"SELECT {schema.SCHEMA}.claim_series(%s)", (series,))
        row = cur.fetchone()
        holder = str(row[0]) if row else ""
    if not conn.autocommit:
        conn.commit()
    if holder != hook.kiosk:
        raise SeriesTaken(series, holder)


def hub_position(conn: psycopg.Connection[Any], kiosk: str) -> tuple[int, int]:
    """The hub's newest change id, and the highest number of this kiosk's changes it holds."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0), coalesce(max(kiosk_seq) FILTER (WHERE kiosk = %s), 0) "
                    f"FROM {schema.SCHEMA}.changes", (kiosk,))
        row = cur.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def pull(conn: psycopg.Connection[Any], hook: Capture, limit: int = PULL_BATCH) -> tuple[int, Applied]:
    """Apply the next changes after the cursor (this kiosk's own too, when the hub has some
    this folder does not: one come back from a backup). Returns (how many were read, result)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, kiosk, tbl, key, doc, versions, hlc FROM {schema.SCHEMA}.changes "
                    "WHERE id > %s AND (kiosk <> %s OR kiosk_seq > %s) ORDER BY id LIMIT %s",
                    (hook.cursor, hook.kiosk, hook.outbox, limit))
        rows = cur.fetchall()
    if not conn.autocommit:
        conn.commit()
    if not rows:
        return 0, Applied(0, 0, hook.cursor)
    changes = [Incoming(int(row[0]), str(row[1]), str(row[2]), str(row[3]), row[4], dict(row[5] or {}),
                        str(row[6])) for row in rows]
    changed = refused = 0
    for start in range(0, len(changes), APPLY_BATCH):  # (the store's lock held briefly each time)
        chunk = changes[start:start + APPLY_BATCH]
        applied = hook.apply(chunk, cursor=chunk[-1].id)
        changed += applied.changed
        refused += applied.refused
    return len(rows), Applied(changed, refused, hook.cursor)


def push(conn: psycopg.Connection[Any], hook: Capture, limit: int = PUSH_BATCH) -> int:
    """Send the oldest changes waiting; returns how many outbox rows the hub now holds."""
    from psycopg.types.json import Jsonb

    batch = hook.pending(limit)
    if not batch:
        return 0
    rows = [(hook.kiosk, change.numbers[-1], change.table, change.key,
             Jsonb(without_nul(change.doc)) if change.doc is not None else None, Jsonb(change.versions), change.stamp)
            for change in batch]
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(f"INSERT INTO {schema.SCHEMA}.changes (kiosk, kiosk_seq, tbl, key, doc, versions, hlc) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (kiosk, kiosk_seq) DO NOTHING", rows)
    numbers = [number for change in batch for number in change.numbers]
    hook.pushed(numbers)
    return len(numbers)


_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def without_nul(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without NUL characters, which PostgreSQL's JSON cannot hold: one in a text
    (a folder written by an older kiosk) would refuse the push and hold up every change after it.
    A kiosk receiving it strips control characters anyway."""
    text = json.dumps(doc, ensure_ascii=True)
    if "\\u0000" not in text:
        return doc
    cleaned: dict[str, Any] = json.loads(_NUL.sub(r"\1", text))
    return cleaned


def sync_round(conn: psycopg.Connection[Any], hook: Capture, series: int,
               progress: Callable[[int, int], None] | None = None, *, prepared: bool = False,
               quick: bool = False) -> Round:
    """Everything the hub has that this kiosk has not, and the other way round (``prepared``:
    this connection has checked the hub and claimed the series already; ``quick``: the
    pushed rows may stay in the outbox's journal a while, see Capture.pushed)."""
    if not prepared:
        prepare(conn, hook, series)
        hook.enrol()
    pulled = changed = refused = 0
    newest, own = hub_position(conn, hook.kiosk)
    first = hook.cursor
    while True:
        count, applied = pull(conn, hook)
        pulled += count
        changed += applied.changed
        refused += applied.refused
        if progress is not None and newest > first:
            progress(min(hook.cursor, newest) - first, newest - first)
        if count < PULL_BATCH:
            break
    hook.adopt_numbering(own)
    pushed = 0
    while True:
        sent = push(conn, hook)
        pushed += sent
        if not sent:
            break
    if not quick:
        hook.flush_sent()
    return Round(pushed, pulled, changed, refused, newest)


class SyncWorker:
    """Rounds with the hub on a thread of their own (see the module's docstring)."""

    def __init__(self, hook: Capture, config: HubConfig, series: int, *,
                 on_status: Callable[[HubStatus], None] | None = None,
                 on_pulled: Callable[[], None] | None = None) -> None:
        self.hook = hook
        self.config = config
        self.series = series
        self.on_status = on_status
        #: Called (on the worker's thread) after a round that changed documents here.
        self.on_pulled = on_pulled
        # A save wakes the worker through a pipe, so that one select() waits for it and for the
        # hub's NOTIFY at once: a change goes out at once, not at the next poll.
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._status = HubStatus(since=time.time(), waiting=hook.waiting(), series=series)
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None
        hook.on_queued = self.wake

    @classmethod
    def for_repository(cls, repo: Repository, config: HubConfig, **kwargs: Any) -> SyncWorker:
        """Hook ``repo``'s journal (before anything else saves) and make its worker."""
        if not sync_state(repo.store).get("enrolled"):
            repo.move_huddles_into_series()  # (before the hook: a move is not a change to send)
        hook = capture(repo.store, config.kiosk_name)
        return cls(hook, config, repo.id_series_in_use(), **kwargs)

    # -- the thread ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kiosk-hub", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self.wake()
        conn = self._conn
        if conn is not None:
            try:
                conn.cancel_safe(timeout=0.5)
            except Exception:  # (it is going away anyway)
                log.debug("cancelling the hub's query failed", exc_info=True)
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self.hook.flush_sent()
        except Exception:  # (a full disk: they are sent again next time, and stored once)
            log.warning("the pushed changes could not be dropped from the outbox", exc_info=True)
        if (self._thread is None or not self._thread.is_alive()) and self._wake_write >= 0:
            if self.hook.on_queued == self.wake:
                self.hook.on_queued = None
            os.close(self._wake_read)
            os.close(self._wake_write)
            self._wake_read = self._wake_write = -1

    def wake(self) -> None:
        if self._wake_write < 0:
            return  # (stopped)
        try:
            os.write(self._wake_write, b"!")
        except (BlockingIOError, OSError):
            pass  # (already woken: the pipe is full)

    def _woken(self) -> None:
        try:
            while os.read(self._wake_read, 4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def status(self) -> HubStatus:
        with self._lock:
            return replace(self._status, waiting=self.hook.waiting())

    def _set(self, **changes: Any) -> None:
        with self._lock:
            before = self._status
            if "state" in changes and changes["state"] != before.state:
                changes.setdefault("since", time.time())
            self._status = replace(before, **changes)
            status = self._status
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:
                log.exception("the hub's status could not be passed on")

    def _run(self) -> None:
        wait = RETRY_FIRST
        while not self._stop.is_set():
            self._woken()
            try:
                self._session()
                wait = RETRY_FIRST
            except SeriesTaken as exc:
                log.error("not syncing: %s", exc)
                self._set(state="refused", problem=str(exc), series_holder=exc.holder)
                wait = RETRY_LAST
            except HubOutOfDate as exc:
                log.error("not syncing: %s", exc)
                self._set(state="refused", problem=str(exc))
                wait = RETRY_LAST
            except Exception as exc:  # the hub away, a network cut, PostgreSQL killed: try again
                problem = _problem(exc)
                if self._status.state != "offline":
                    log.warning("the hub is away: %s", problem)
                self._set(state="offline", problem=problem, progress=None)
                wait = min(wait * 2, RETRY_LAST)
            finally:
                self._close()
            # Saves do not cut this wait short (each would be a new try at a hub that is away);
            # a stop does.
            self._stop.wait(wait)

    def _session(self) -> None:
        self._conn = conn = connect(self.config, autocommit=True)
        with conn.cursor() as cur:
            cur.execute(f"LISTEN {schema.CHANNEL}")
        prepare(conn, self.hook, self.series)
        self.hook.enrol()
        self._round(conn)
        self._set(state="connected", problem="", series_holder="", progress=None)
        while not self._stop.is_set():
            ready, _, _ = select.select([conn.fileno(), self._wake_read], [], [], IDLE_ROUND)
            if self._stop.is_set():
                return
            if self._wake_read in ready:
                # A moment for the saves that come together (a burst of taps, an import) to go
                # in one round: the worker then does not vie with the saves for the interpreter.
                self._stop.wait(GATHER_SECONDS)
                self._woken()
            if conn.fileno() in ready:
                for _notify in conn.notifies(timeout=0.01):  # (taken in; the round pulls them)
                    pass
            if not ready:
                self.hook.flush_sent()  # a quiet moment: drop what the hub holds from the outbox
            self._round(conn)

    def _round(self, conn: psycopg.Connection[Any]) -> None:
        joining = self.hook.cursor == 0

        def progress(done: int, total: int) -> None:
            if joining and total > PULL_BATCH:
                self._set(progress=(done, total))

        result = sync_round(conn, self.hook, self.series, progress, prepared=True, quick=True)
        self._set(last_round=time.time(), behind=max(0, result.newest - self.hook.cursor), progress=None,
                  refused=self._status.refused + result.refused)
        if result.pushed or result.pulled:
            log.info("hub round: %d pushed, %d pulled (%d changed here, %d refused)",
                     result.pushed, result.pulled, result.changed, result.refused)
        if result.changed and self.on_pulled is not None:
            self.on_pulled()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing the hub's connection failed", exc_info=True)


def _problem(exc: BaseException) -> str:
    if isinstance(exc, HubUnavailable):
        return str(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
