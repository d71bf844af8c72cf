"""The record page behind the QR codes: read-only, one record, only with its token.

``GET /r/{id}?k={token}`` answers the record's one-page view as plain HTML (no scripts),
readable on a phone, in Spanish or English from the browser's ``Accept-Language``, never with
a person's name: the action's owner is shown by role ("supervisión de Envasado"). A wrong
token, no token, an unknown id and any other path all answer the same 404, after the same
work, so the page tells nobody which records exist; there is no listing and no search. An
address that keeps sending wrong tokens is slowed down. Nothing is cached and no referrer is
sent.

Starlette with uvicorn, always in a process of its own: ``kiosk serve`` runs it on a read-only
view of the data folder (it follows the running kiosk's journal), and with ``[serve] enabled``
the kiosk starts ``kiosk serve`` as its child (:class:`PageProcess`), at a lower priority. A
flood of connections then costs that process its files, never the kiosk's, and the processor
goes to the kiosk first. The server
(:func:`serve`) closes a connection whose request has not arrived within
:data:`REQUEST_DEADLINE` seconds however slowly it trickles in, keeps at most
:data:`MAX_CONNECTIONS` connections, fewer if it may open fewer files (the newest gets in; the
oldest still waiting for a request is dropped), and writes a repeated log message at most once
a minute (:class:`RateLimitFilter`).

Importing this module loads neither Starlette nor uvicorn: the kiosk imports it for
:class:`PageProcess` only.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.core import ids
from kiosk.core.records import LINK_TOKEN_BYTES, Record
from kiosk.core.teams import Team
from kiosk.core.work import WorkItem
from kiosk.i18n import translator
from kiosk.views.dates import format_date
from kiosk.views.onepage import Block, one_page
from kiosk.views.story import team_page
from kiosk.views.work import work_page

#: What an address ``/r/ID?k=`` shows: a record's page, a team's story or a work item's debrief.
Page = Record | Team | WorkItem

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse

    from kiosk.storage import Repository

log = logging.getLogger(__name__)

#: Every answer carries these: no caching, no referrer, no scripts, no framing, no indexing.
HEADERS = {
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'none'",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:40rem;line-height:1.45;"
    "color:#111;background:#fff}h1{font-size:1.25rem;margin:0 0 .75rem}h2{font-size:1.05rem;"
    "margin:1.25rem 0 .25rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem;"
    "margin:0}dt{font-weight:600}dd{margin:0}p{margin:.25rem 0;white-space:pre-line}"
    "blockquote{margin:1rem 0;padding:.5rem .75rem;border-left:.3rem solid #1a6;background:#eef8f2}"
    "ul{padding-left:1.25rem;margin:.25rem 0}footer{margin-top:2rem;color:#555;font-size:.85rem}"
    ".date{white-space:nowrap}"
)

# -- limits of the server (D2: slow clients once took every file the page could open) ------------

#: Seconds a connection gets to deliver a whole request (headers, and a body if any), counted
#: from its opening or from the end of its previous answer, however slowly the bytes come.
REQUEST_DEADLINE = 10.0
#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE = 5
#: How many connections the server accepts in one go (uvicorn's ``backlog``: asyncio's accept
#: batch and, at first, the listen queue). Up to a few batches are open before the server
#: sees them, so the cap leaves room for :data:`BATCHES_UNSEEN` of them.
BACKLOG = 32
BATCHES_UNSEEN = 4
#: The kernel's queue of connections not yet accepted (capped by net.core.somaxconn): deep
#: enough that a flood of reconnecting clients does not fill it, since a full queue drops a
#: phone's connection attempt and its retry comes a second later.
LISTEN_QUEUE = 4096
#: At most this many connections at once (fewer when the process may open fewer files).
MAX_CONNECTIONS = 2048
#: Files kept for everything else: the log, the data folder's files, Python's own.
FILES_RESERVE = 96
#: The page raises its soft open-file limit to this (never above the hard limit).
WANTED_FILES = 8192
#: Set by the kiosk for its child ``kiosk serve``: stop when standard input closes.
CHILD_ENV = "KIOSK_SERVE_CHILD"
#: How much nicer than the kiosk its child page runs (a flood must not slow the kiosk's screen).
CHILD_NICENESS = 10


class SlowDown:
    """Per address: after ``free`` wrong tokens within ``window`` seconds, each request from it
    waits, doubling from ``step`` up to ``longest`` seconds."""

    def __init__(self, *, free: int = 5, window: float = 60.0, step: float = 0.25, longest: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.window, self.step, self.longest = free, window, step, longest
        self.clock = clock
        self._misses: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def delay(self, address: str) -> float:
        with self._lock:
            misses = self._recent(address)
            extra = len(misses) - self.free
        return 0.0 if extra < 0 else min(self.longest, self.step * 2 ** extra)

    def missed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self.clock())
            if len(self._misses) > 10_000:  # a flood of addresses: forget the oldest
                self._misses.pop(next(iter(self._misses)))

    def _recent(self, address: str) -> deque[float]:
        misses = self._misses[address]
        cutoff = self.clock() - self.window
        while misses and misses[0] < cutoff:
            misses.popleft()
        return misses


def language_of(accept_language: str) -> str:
    """'en' when the browser prefers English over Spanish, else 'es_AR'."""
    best, best_q = "es_AR", -1.0
    for part in accept_language.split(","):
        name, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = name.strip().lower()
        if code.startswith("en") and q > best_q:
            best, best_q = "en", q
        elif code.startswith("es") and q > best_q:
            best, best_q = "es_AR", q
    return best


# -- the page ------------------------------------------------------------------------------------


def page_html(record: Page, language: str) -> str:
    """The one page of a record, or the story of a Learning Team, or the debrief of a work item
    (the same address)."""
    tr = translator(language)
    if isinstance(record, Team | WorkItem):
        blocks = (team_page(record, show_names=False, translate=tr, language=language) if isinstance(record, Team)
                  else work_page(record, show_names=False, translate=tr, language=language))
        body = _blocks_html(blocks, lambda text: text)  # (text arrives escaped)
    else:
        shown = without_names(record, tr)
        blocks = one_page(shown, show_reporter=False, translate=tr, language=language)
        body = _blocks_html(blocks, _date_marker(_page_dates(shown, language)))
    lang = "es-AR" if language == "es_AR" else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"<title>{html.escape(record.id)}</title><style>{_STYLE}</style></head><body>{body}"
        f"<footer>{html.escape(tr('Learning kiosk — we learn from what happens, without blame'))}</footer>"
        "</body></html>"
    )


def without_names(record: Record, tr: Callable[[str], str]) -> Record:
    """The record as anyone holding its slip may see it: every field that can hold a person's
    name emptied, and the action's owner replaced by a role (the area's supervision).

    Why: the page opens for whoever has the slip, so it shows no one's name (D12: it showed the
    owner's). The owner is free text, a name as often as a role, so it is never shown; the
    participants stay a count."""
    review = record.review
    if review is not None:
        owner = tr("{area} supervision").format(area=record.area) if review.action.owner.strip() else ""
        review = replace(review, action=replace(review.action, owner=owner), participants=(),
                         participant_count=review.participant_count or len(review.participants), reviewed_by="")
    return replace(record, reporter="", review=review, history=(),
                   follow_ups=tuple(replace(follow_up, by="") for follow_up in record.follow_ups))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def phone_date(value: str, language: str, *, with_time: bool = False) -> str | None:
    """A stored date as the page shows it, or None when ``value`` is not a date.

    Spanish as everywhere in the kiosk (26/01/2026); English with the month's name (26 Jan
    2026), which no reader takes for another day, where the screen's ISO 2026-01-26 let a
    phone break the line at a hyphen (walkthrough, 2f)."""
    try:
        parsed = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None
    if language != "en":
        return format_date(value, language, with_time=with_time)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    if with_time and isinstance(parsed, datetime):
        text += parsed.strftime(" %H:%M")
    return text


def _page_dates(record: Record, language: str) -> dict[str, str]:
    """The record's dates as :func:`one_page` writes them, each with its form on the page."""
    stamps = [record.occurred_at, record.created_at]  # one_page shows them with the time
    days: list[str] = []
    if record.review is not None:
        days += [record.review.action.deadline, record.review.follow_up_date]
    for follow_up in record.follow_ups:
        days += [follow_up.at, follow_up.new_date]
    found: dict[str, str] = {}
    for value, with_time in [(v, True) for v in stamps if v] + [(v[:10], False) for v in days if v]:
        shown = phone_date(value, language, with_time=with_time)
        if shown is not None:
            found[format_date(value, language, with_time=with_time)] = shown
    return found


def _date_marker(dates: dict[str, str]) -> Callable[[str], str]:
    """Marks the record's dates in escaped text: each in a span that never breaks, in its page
    form. Only the record's own dates (an import may hold anything elsewhere)."""
    if not dates:
        return lambda text: text
    pattern = re.compile(r"(?<!\d)(?:" + "|".join(re.escape(html.escape(k)) for k in
                                                 sorted(dates, key=len, reverse=True)) + r")(?!\d)")
    escaped = {html.escape(k): html.escape(v) for k, v in dates.items()}
    return lambda text: pattern.sub(lambda m: f'<span class="date">{escaped[m.group(0)]}</span>', text)


def _blocks_html(blocks: list[Block], mark_dates: Callable[[str], str]) -> str:
    out: list[str] = []
    fields: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if fields:
            out.append("<dl>" + "".join(fields) + "</dl>")
            fields.clear()
        if bullets:
            out.append("<ul>" + "".join(bullets) + "</ul>")
            bullets.clear()

    for block in blocks:
        text, label = mark_dates(html.escape(block.text)), html.escape(block.label)
        if block.kind == "field":
            fields.append(f"<dt>{label}</dt><dd>{text}</dd>")
            continue
        if block.kind == "bullet":
            bullets.append(f"<li>{text}</li>")
            continue
        flush()
        if block.kind == "title":
            out.append(f"<h1>{text}</h1>")
        elif block.kind == "heading":
            out.append(f"<h2>{text}</h2>")
        elif block.kind in ("note", "noteline"):
            out.append(f"<p><strong>{label}:</strong> {text}</p>")
        elif block.kind == "quote":
            out.append(f"<blockquote><strong>{label}:</strong> {text}</blockquote>")
        else:
            out.append(f"<p>{text}</p>")
    flush()
    return "".join(out)


def _not_found(language: str) -> HTMLResponse:
    from starlette.responses import HTMLResponse

    tr = translator(language)
    lang = "es-AR" if language == "es_AR" else "en"
    title = html.escape(tr("Not found"))
    text = html.escape(tr("There is no record at this address. Check that you scanned the whole code."))
    return HTMLResponse(
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>",
        status_code=404, headers=HEADERS)


def create_app(find: Callable[[str, str], Page | None], *, slow_down: SlowDown | None = None) -> Starlette:
    """The page, looking records up with ``find(id, token)`` (see :func:`finder`; run in a
    thread: it may read the disk)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    slow = slow_down or SlowDown()

    async def record(request: Request) -> Response:
        address = request.client.host if request.client else "-"
        language = language_of(request.headers.get("accept-language", ""))
        wait = slow.delay(address)
        if wait:
            await asyncio.sleep(wait)
        found = await run_in_threadpool(find, request.path_params["record_id"], request.query_params.get("k", ""))
        if found is None:
            slow.missed(address)
            log.info("record page: not found for %s", address)
            return _not_found(language)
        return HTMLResponse(page_html(found, language), headers=HEADERS)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 405:
            return Response(status_code=405, headers={**HEADERS, "Allow": "GET, HEAD"})
        return _not_found(language_of(request.headers.get("accept-language", "")))

    return Starlette(
        routes=[Route("/r/{record_id}", record, methods=["GET", "HEAD"])],
        exception_handlers={HTTPException: not_found, 404: not_found},
    )


def finder(repo: Repository, *, follow: bool, every: float = 0.5) -> Callable[[str, str], Page | None]:
    """``find(id, token)`` on ``repo``: the record when the token is its own, else None. A
    reader (``follow``) first takes in what the kiosk saved since the last look (at most every
    ``every`` seconds, so a save shows within a second).

    The token is checked before the record is built, and an unknown or malformed id is
    compared with a token no record has, so a miss costs the same whether or not the id
    exists. Why: building the record only for existing ids made their misses measurably
    slower, which told an outsider which ids exist (D11)."""
    lock = threading.Lock()
    last = [0.0]
    absent = secrets.token_urlsafe(LINK_TOKEN_BYTES)

    def find(record_id: str, token: str) -> Page | None:
        if follow:
            with lock:
                now = time.monotonic()
                if now - last[0] >= every:
                    last[0] = now
                    repo.refresh()
        stored = _stored_token(repo, record_id)
        matched = hmac.compare_digest((stored or absent).encode(), token.encode("utf-8", "replace"))
        if not matched or stored is None:
            return None
        return repo.get(record_id) or repo.team(record_id) or repo.work_item(record_id)

    return find


def _stored_token(repo: Repository, record_id: str) -> str | None:
    """The link token stored with ``record_id``, read from its stored document without building
    the record; None for an unknown or malformed id (which looks up a key no record has, so
    that every miss does the same work). Records are stored under their number (see
    ``RecordsRepository._put_ops``); the id inside the document is checked too."""
    from kiosk.storage.records import RECORDS
    from kiosk.storage.teams import TEAMS
    from kiosk.storage.work import WORK_ITEMS

    try:
        number = ids.decode(record_id)
        canonical = ids.encode(number)
    except ValueError:  # ids.InvalidId included
        number, canonical = 0, ""
    doc = repo.store.get(RECORDS, str(number))
    team = repo.store.get(TEAMS, str(number))  # (all looked up every time: the same work)
    work_item = repo.store.get(WORK_ITEMS, str(number))
    if not isinstance(doc, dict) or doc.get("id") != canonical:
        doc = team
    if not isinstance(doc, dict) or doc.get("id") != canonical:
        doc = work_item
    if not isinstance(doc, dict) or doc.get("id") != canonical:
        return None
    token = doc.get("link_token")
    return token if isinstance(token, str) and token else None


# -- the server ----------------------------------------------------------------------------------


def open_files_limit(wanted: int = WANTED_FILES) -> int:
    """Raise this process's soft open-file limit towards ``wanted`` (never above the hard
    limit) and return the soft limit now in force.

    Why: the soft limit's usual default, 1 024, is there for programs that use select(); the
    event loop uses epoll, and every connection is one file. The systemd units set the limit
    (LimitNOFILE); this covers ``kiosk serve`` started by hand."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else soft


def connection_cap(files: int) -> int:
    """How many connections a process that may open ``files`` files keeps at once: what is left
    after the accept batches not yet seen and the reserve, at most :data:`MAX_CONNECTIONS`."""
    return max(16, min(MAX_CONNECTIONS, files - BATCHES_UNSEEN * BACKLOG - FILES_RESERVE))


def guarded_protocol(cap: int, deadline: float = REQUEST_DEADLINE) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with two guards for one server: a connection must deliver each
    request within ``deadline`` seconds, and at most ``cap`` connections stay open.

    Why: uvicorn has no deadline for receiving a request (its keep-alive timer is reset by every
    byte, and a new connection has none at all) and accepts connections until the process runs
    out of files; then even normal requests wait for ever (D2). At the cap the newest connection
    gets in and the oldest one still waiting for its request is dropped (if none waits, the
    oldest): a phone's request completes in milliseconds, a slow client's never does."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    open_ones: OrderedDict[Any, None] = OrderedDict()  # oldest first
    waiting: OrderedDict[Any, None] = OrderedDict()  # those waiting for a request, longest first

    class GuardedH11Protocol(H11Protocol):
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(open_ones) >= cap:
                victim = next(iter(waiting), None) or next(iter(open_ones))
                log.warning("record page: %d connections open, the most it keeps; the oldest one waiting for "
                            "a request (or else the oldest) was closed to let a new one in", cap)
                victim.drop()
            open_ones[self] = None
            self.wait_for_request()

        def connection_lost(self, exc: Exception | None) -> None:
            self.forget()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._timer is not None and self.request_in():
                self._timer.cancel()
                self._timer = None
                waiting.pop(self, None)

        def on_response_complete(self) -> None:
            super().on_response_complete()  # (may start a pipelined request already received)
            if not self.transport.is_closing() and not self.request_in():
                self.wait_for_request()

        def request_in(self) -> bool:
            """A whole request has arrived and is being answered."""
            cycle = self.cycle
            return (cycle is not None and not cycle.response_complete
                    and self.conn.their_state in (h11.DONE, h11.MUST_CLOSE))

        def wait_for_request(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
            waiting.pop(self, None)
            waiting[self] = None
            self._timer = self.loop.call_later(deadline, self.too_slow)

        def too_slow(self) -> None:
            self._timer = None
            log.warning("record page: a request did not arrive within %.0f s; its connection was closed", deadline)
            self.drop()

        def drop(self) -> None:
            self.forget()
            self.transport.abort()

        def forget(self) -> None:
            open_ones.pop(self, None)
            waiting.pop(self, None)
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    return GuardedH11Protocol


def serve(app: Any, host: str, port: int, *, as_child: bool = False) -> None:
    """Run the page until SIGTERM or ctrl+c. ``as_child`` (the kiosk's child): also until its
    standard input closes, since then the kiosk is gone (even killed with -9), and at a lower
    priority than the kiosk. Exits with uvicorn's status 3 when it cannot listen."""
    import socket

    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            for listener in getattr(self, "servers", ()):  # (none when it could not listen)
                for sock in listener.sockets:  # a deeper listen queue; the accept batch stays small
                    with socket.socket(fileno=os.dup(sock.fileno())) as same:
                        same.listen(LISTEN_QUEUE)

    cap = connection_cap(open_files_limit())
    server = Server(uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="off", loop="asyncio",
        http=guarded_protocol(cap), backlog=BACKLOG, timeout_keep_alive=KEEP_ALIVE,
        # A last bound on requests being answered (each waiting out its slow-down, say): beyond
        # it uvicorn answers 503. Connections never reach it: the guard keeps them under the cap.
        limit_concurrency=2 * cap, timeout_graceful_shutdown=2))
    if as_child:
        threading.Thread(target=_stop_when_stdin_closes, args=(server,), name="parent-watch", daemon=True).start()
        try:
            os.nice(CHILD_NICENESS)
        except OSError:
            pass
    log.info("record page: at most %d connections, %.0f s for each request", cap, REQUEST_DEADLINE)
    server.run()


def _stop_when_stdin_closes(server: Any) -> None:
    try:
        while os.read(0, 1024):
            pass
    except OSError:
        pass
    log.info("record page: the kiosk that started it is gone; stopping")
    server.should_exit = True
    ender = threading.Timer(5.0, os._exit, (0,))  # whatever holds the graceful stop
    ender.daemon = True
    ender.start()


class RateLimitFilter(logging.Filter):
    """Lets each message through at most once per ``every`` seconds; the next one that passes
    says how many were held back. Messages are told apart by logger, level and text before
    its arguments ("not found for %s" is one message whatever the address).

    Why: under a flood of connections asyncio logged "socket.accept() out of system resource"
    so fast that the log and its three rotations were rewritten within seconds, erasing the
    history an admin needs (D2)."""

    def __init__(self, every: float = 60.0, *, clock: Callable[[], float] = time.monotonic,
                 remember: int = 512) -> None:
        super().__init__()
        self.every, self.clock, self.remember = every, clock, remember
        self._seen: OrderedDict[tuple[str, int, str], list[float]] = OrderedDict()  # key: [last passed, held]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[0] < self.every:
                seen[1] += 1
                return False
            held = int(seen[1]) if seen is not None else 0
            self._seen[key] = [now, 0]
            self._seen.move_to_end(key)
            if len(self._seen) > self.remember:
                self._seen.popitem(last=False)
        if held:
            record.msg = f"{record.msg} [and {held} more like this since the last one logged]"
        return True


# -- the page as the kiosk's child ---------------------------------------------------------------


def serve_command(folder: Path, host: str, port: int, config_file: Path | None) -> list[str]:
    """``kiosk serve`` on the kiosk's data folder, with its configuration file if it has one
    (otherwise the child finds the same one the kiosk did, or the same defaults)."""
    command = [sys.executable, "-m", "kiosk", "serve", "--data", str(folder), "--host", host, "--port", str(port)]
    if config_file is not None:
        command += ["--config", str(config_file)]
    return command


class PageProcess:
    """The record page as a child process of the kiosk: started in the background, started
    again when it ends (after 1 s, doubling up to a minute while it keeps failing), stopped
    with the kiosk.

    Why a process: the page inside the kiosk shared the kiosk's files; a flood of connections
    took them all and the kiosk could not save a report (D2). Nothing here raises into the
    kiosk: every failure is logged. The child's output goes nowhere near the kiosk's screen;
    the last lines it wrote to stderr are logged when it ends. Its standard input is a pipe the
    kiosk holds: when the kiosk is gone, even after ``kill -9``, the child stops."""

    def __init__(self, command: list[str], *, first_delay: float = 1.0, longest_delay: float = 60.0,
                 steady: float = 60.0) -> None:
        self.command = command
        self.first_delay, self.longest_delay, self.steady = first_delay, longest_delay, steady
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep_running, name="record-page", daemon=True)

    @property
    def pid(self) -> int | None:
        with self._lock:
            return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the child: SIGTERM, at most ``timeout`` seconds for it to end, then SIGKILL."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is None:
            return
        try:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("the record page did not stop within %.0f s; killing it", timeout)
                process.kill()
                process.wait(1.0)
        except (OSError, subprocess.TimeoutExpired) as error:
            log.warning("stopping the record page: %s", error)

    def _keep_running(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                status, said = self._run_once()
            except Exception as error:  # never into the kiosk; try again later
                log.exception("running the record page")
                status, said = repr(error), []
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self.steady:
                delay = self.first_delay
            self.restarts += 1
            log.warning("the record page stopped (%s); starting it again in %.0f s.%s", status, delay,
                        "".join(f"\n  {line}" for line in said))
            self._stopping.wait(delay)
            delay = min(delay * 2, self.longest_delay)

    def _run_once(self) -> tuple[str, list[str]]:
        """Run the child until it ends: how it ended, and the last lines of its stderr."""
        said: deque[str] = deque(maxlen=10)
        try:
            process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, env={**os.environ, CHILD_ENV: "1"},
                                       start_new_session=True)
        except (OSError, ValueError, subprocess.SubprocessError) as error:
            return f"could not start: {error}", []
        try:
            with self._lock:
                self._process = process
            if self._stopping.is_set():  # stop() came while it was starting
                process.terminate()
            assert process.stderr is not None
            while line := process.stderr.readline(2000):
                said.append(line.decode("utf-8", "replace").rstrip())
            code = process.wait()
        except Exception as error:  # never into the kiosk
            log.exception("watching the record page")
            code = None
            said.append(repr(error))
        finally:
            with self._lock:
                self._process = None
            for pipe in (process.stdin, process.stderr):
                if pipe is not None:
                    pipe.close()
        return (f"exit status {code}" if code is not None else "unknown"), list(said)
