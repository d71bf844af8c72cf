"""The record page behind the QR codes: read-only, one record, only with its token.

``GET /r/{id}?k={token}`` answers the record's one-page view as plain HTML (no scripts),
readable on a phone, in Spanish or English from the browser's ``Accept-Language``, never with
a person's name. A wrong token, no token, an unknown id and any other path all answer the
same 404, so the page tells nobody which records exist; there is no listing and no search.
An address that keeps sending wrong tokens is slowed down. Nothing is cached and no referrer
is sent.

Starlette with uvicorn; ``kiosk serve`` runs it on a read-only view of the data folder (it
follows the running kiosk's journal), or the kiosk runs it in a thread when ``[serve]
enabled`` is set.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from kiosk.core.records import Record
from kiosk.i18n import translator
from kiosk.views.onepage import Block, one_page

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
)


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


def page_html(record: Record, language: str) -> str:
    tr = translator(language)
    blocks = one_page(record, show_reporter=False, translate=tr, language=language)
    body = _blocks_html(blocks)
    lang = "es-AR" if language == "es_AR" else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"<title>{html.escape(record.id)}</title><style>{_STYLE}</style></head><body>{body}"
        f"<footer>{html.escape(tr('Learning kiosk — we learn from what happens, without blame'))}</footer>"
        "</body></html>"
    )


def _blocks_html(blocks: list[Block]) -> str:
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
        text, label = html.escape(block.text), html.escape(block.label)
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
    tr = translator(language)
    lang = "es-AR" if language == "es_AR" else "en"
    title = html.escape(tr("Not found"))
    text = html.escape(tr("There is no record at this address. Check that you scanned the whole code."))
    return HTMLResponse(
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>",
        status_code=404, headers=HEADERS)


def create_app(find: Callable[[str], Record | None], *, slow_down: SlowDown | None = None) -> Starlette:
    """The page, looking records up with ``find`` (run in a thread: it may read the disk)."""
    slow = slow_down or SlowDown()

    async def record(request: Request) -> Response:
        address = request.client.host if request.client else "-"
        language = language_of(request.headers.get("accept-language", ""))
        wait = slow.delay(address)
        if wait:
            await asyncio.sleep(wait)
        token = request.query_params.get("k", "")
        found = await run_in_threadpool(find, request.path_params["record_id"])
        if found is None or not token or not secrets.compare_digest(found.link_token.encode(), token.encode()):
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


def finder(repo, *, follow: bool, every: float = 0.5) -> Callable[[str], Record | None]:
    """Record lookups on ``repo``; a reader (``follow``) first takes in what the kiosk saved
    since the last look (at most every ``every`` seconds, so a save shows within a second)."""
    lock = threading.Lock()
    last = [0.0]

    def find(record_id: str) -> Record | None:
        if follow:
            with lock:
                now = time.monotonic()
                if now - last[0] >= every:
                    last[0] = now
                    repo.refresh()
        return repo.get(record_id)

    return find


def serve_in_thread(repo, host: str, port: int):
    """Run the page inside the kiosk (``[serve] enabled``): a uvicorn server in a daemon thread,
    its logs in the kiosk's log file. Returns the server (``should_exit = True`` stops it)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(create_app(finder(repo, follow=False)), host=host, port=port,
                                           log_config=None, access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, name="record-page", daemon=True)
    thread.start()
    return server
