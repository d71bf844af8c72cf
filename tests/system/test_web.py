"""The record page behind the QR codes, served by `kiosk serve` with uvicorn on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kiosk.core.records import ReportDraft
from tests.support.clock import fixed_clock

REPORTER = "Ana Gómez"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, language: str = "es-AR,es;q=0.9") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def seed(data: Path):
    from kiosk.storage import open_repository

    repo = open_repository(data, clock=fixed_clock)
    try:
        return repo.add_report(ReportDraft(kind="near_miss", area="Envasado", reporter=REPORTER,
                                           what_happened=(
                                               "Se trabó la cinta 2 <script>alert(1)</script> y cayeron cajas")),
                               areas=None)
    finally:
        repo.close()


@pytest.fixture
def served(tmp_path):
    """`kiosk serve` on a data folder with one record; yields (base URL, record, data folder)."""
    data = tmp_path / "data"
    record = seed(data)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "serve", "--data", str(data), "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            get(f"{base}/")
            break
        except OSError as error:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError(process.stderr.read().decode()) from error
            time.sleep(0.05)
    yield base, record, data
    process.terminate()
    process.wait(timeout=10)


def test_the_right_token_shows_the_record_without_names_scripts_cache_or_referrer(served):
    base, record, _data = served
    status, headers, body = get(f"{base}/r/{record.id}?k={record.link_token}")
    assert status == 200
    assert record.id in body and "Se trabó la cinta 2" in body and "¿Qué pasó?" in body
    assert REPORTER not in body
    assert "<script>" not in body and "&lt;script&gt;" in body  # the story's markup shown inert
    assert headers["cache-control"].startswith("no-store") and headers["referrer-policy"] == "no-referrer"
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    status, _headers, english = get(f"{base}/r/{record.id}?k={record.link_token}", "en-US,en;q=0.9,es;q=0.5")
    assert status == 200 and "What happened?" in english and 'lang="en"' in english


def test_a_wrong_token_no_token_an_unknown_id_and_other_paths_all_get_the_same_404(served):
    base, record, _data = served
    answers = [get(url) for url in (
        f"{base}/r/{record.id}?k=WRONGTOKEN1234567890AB",
        f"{base}/r/{record.id}",
        f"{base}/r/{record.id}?k=",
        f"{base}/r/ZZZ-ZZZ?k={record.link_token}",
        f"{base}/",
        f"{base}/r/",
    )]
    first_status, first_headers, first_body = answers[0]
    assert first_status == 404 and REPORTER not in first_body and record.id not in first_body
    for status, headers, body in answers[1:]:
        assert status == 404 and body == first_body
        assert {k: v for k, v in headers.items() if k.lower() != "date"} == \
            {k: v for k, v in first_headers.items() if k.lower() != "date"}


def test_a_record_saved_by_the_running_kiosk_appears_within_two_seconds(served):
    from kiosk.storage import open_repository

    base, _record, data = served
    kiosk = open_repository(data, clock=fixed_clock)  # the kiosk: the folder's one writer
    try:
        saved_at = time.monotonic()
        fresh = kiosk.add_report(ReportDraft(kind="win", area="Calidad", what_happened="Cero rechazos en la semana"),
                                 areas=None)
        while True:
            status, _headers, body = get(f"{base}/r/{fresh.id}?k={fresh.link_token}")
            if status == 200 or time.monotonic() - saved_at > 2.0:
                break
            time.sleep(0.05)
        took = time.monotonic() - saved_at
    finally:
        kiosk.close()
    assert status == 200 and "Cero rechazos" in body and took <= 2.0


def test_repeated_wrong_tokens_from_one_address_are_slowed_down(served):
    base, record, _data = served
    times = []
    for n in range(9):
        started = time.monotonic()
        status, _headers, _body = get(f"{base}/r/{record.id}?k=guess{n:02d}xxxxxxxxxxxxxxx")
        times.append(time.monotonic() - started)
        assert status == 404
    assert max(times[:5]) < 0.2  # the first few mistakes cost nothing
    assert times[-1] >= 0.9  # then each one waits longer (0.25, 0.5, 1 s …)
    started = time.monotonic()
    assert get(f"{base}/r/{record.id}?k={record.link_token}")[0] == 200
    assert time.monotonic() - started >= 1.0  # the address is slowed down, whatever it asks


def listening_sockets(port: int) -> set[str]:
    """The inodes of the sockets listening on ``port`` (this machine's /proc/net tables)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                found.add(fields[9])
    return found


def sockets_of(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` holds open."""
    found = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:["):-1])
    return found


def holder_of(inodes: set[str]) -> int | None:
    """The process holding one of these sockets (among this user's processes)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and sockets_of(int(entry)) & inodes:
            return int(entry)
    return None


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_with_serve_enabled_the_page_is_a_child_process_restarted_if_it_dies_and_stopped_with_the_kiosk(
        make_app, repo):
    """The kiosk itself never holds the page's listening socket (a flood of connections must not
    take the kiosk's files, D2): the page is a child process, started again when it dies and
    stopped when the kiosk stops."""
    import asyncio
    import signal

    from kiosk.config import ServeConfig

    record = repo.add_report(ReportDraft(kind="error", area="Calidad", reporter=REPORTER,
                                         what_happened="Un lote salió sin el control final"), areas=None)
    port = free_port()
    url = f"http://127.0.0.1:{port}/r/{record.id}?k={record.link_token}"
    app = make_app(serve=ServeConfig(enabled=True, host="127.0.0.1", port=port))

    async def page_answers(pilot, but_not: int | None = None) -> tuple[int, str, int]:
        deadline = time.monotonic() + 30
        while True:
            holder = holder_of(listening_sockets(port))
            if holder is not None and holder != but_not:
                try:
                    status, _headers, body = await asyncio.to_thread(get, url)
                    return status, body, holder
                except OSError:
                    pass
            assert time.monotonic() < deadline, "the record page did not come up"
            await pilot.pause(0.1)

    async with app.run_test() as pilot:
        status, body, server = await page_answers(pilot)
        assert status == 200 and "Un lote salió sin el control final" in body and REPORTER not in body
        assert not listening_sockets(port) & sockets_of(os.getpid())  # not in the kiosk's process
        assert server != os.getpid() and parent_of(server) == os.getpid()  # but its child

        os.kill(server, signal.SIGKILL)
        status, _body, again = await page_answers(pilot, but_not=server)
        assert status == 200 and parent_of(again) == os.getpid()
    assert not alive(again) and not listening_sockets(port)  # it went with the kiosk


def test_the_page_stops_by_itself_when_the_kiosk_that_started_it_is_killed(tmp_path):
    """kill -9 gives the kiosk no chance to stop its page: the page notices that its standard
    input (a pipe the kiosk held) closed, and stops, so no orphan keeps the port."""
    import signal

    data = tmp_path / "data"
    seed(data)
    port = free_port()
    kiosk = (f"import time; from pathlib import Path; from kiosk.web import PageProcess, serve_command; "
             f"PageProcess(serve_command(Path({str(data)!r}), '127.0.0.1', {port}, None)).start(); time.sleep(600)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    parent = subprocess.Popen([sys.executable, "-c", kiosk], env=env)
    try:
        deadline = time.monotonic() + 30
        while (page := holder_of(listening_sockets(port))) is None:
            assert time.monotonic() < deadline and parent.poll() is None, "the record page did not come up"
            time.sleep(0.1)
        assert parent_of(page) == parent.pid
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(page) or listening_sockets(port):
        assert time.monotonic() < deadline, "the record page outlived the kiosk"
        time.sleep(0.1)


def test_a_flood_of_one_log_message_is_written_once_then_counted():
    """A flood (asyncio's "socket.accept() out of system resource" under fd exhaustion) once
    rewrote kiosk.log and its three rotations in seconds, erasing the history (D2)."""
    import logging

    from kiosk.web import RateLimitFilter

    now = [1000.0]
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect()
    handler.addFilter(RateLimitFilter(every=60.0, clock=lambda: now[0]))
    logger = logging.getLogger("tests.flood")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        for _ in range(10_000):
            logger.error("socket.accept() out of system resource")
        logger.info("record page: not found for %s", "10.0.0.1")
        logger.info("record page: not found for %s", "10.0.0.2")  # the same message, another address
        now[0] += 61
        logger.error("socket.accept() out of system resource")
    finally:
        logger.removeHandler(handler)
    assert lines[:2] == ["socket.accept() out of system resource", "record page: not found for 10.0.0.1"]
    assert len(lines) == 3 and lines[2].startswith("socket.accept() out of system resource") and "9999" in lines[2]


# -- what the page shows --------------------------------------------------------------------

NAMES = ("Ana Gómez", "Hugo Ledesma", "Carla Ruiz", "Diego Paz", "Marta Sosa", "Julián Ríos")


def reviewed_record():
    """A reviewed record with a person's name wherever the data can hold one."""
    from kiosk.core.records import Action, FollowUp, HistoryEntry, Kind, Record, Review, Status

    return Record(
        id="QPC-GB8", kind=Kind.ERROR, area="Envasado", reporter="Ana Gómez",
        what_happened="Se trabó la cinta 2 y cayeron cajas",
        created_at="2025-12-01T08:15:00-03:00", occurred_at="2025-12-01T07:50:00-03:00",
        status=Status.CLOSED, link_token="t" * 22,
        review=Review(
            what_happened="Se trabó la cinta 2", action=Action("Guía en la cinta 2", "Hugo Ledesma", "2026-01-26"),
            follow_up_date="2026-02-25", participants=("Carla Ruiz", "Diego Paz"), participant_count=2,
            reviewed_by="Marta Sosa", reviewed_at="2025-12-02T10:00:00-03:00", draft=False,
            what_we_did="Paramos la cinta"),
        follow_ups=(FollowUp(at="2026-02-25T09:30:00-03:00", by="Julián Ríos", done="yes", worked="yes"),),
        history=(HistoryEntry(at="2025-12-02T10:00:00-03:00", by="Marta Sosa", what="reviewed"),),
    )


def test_the_page_shows_no_person_s_name_and_the_owner_s_role_instead():
    from kiosk.web import page_html

    record = reviewed_record()
    for language in ("es_AR", "en"):
        body = page_html(record, language)
        for name in NAMES:
            for part in name.split():
                assert part not in body, (language, part)
    english = page_html(record, "en")
    assert "Owner: Envasado supervision" in english and "Participants: 2" in english


def test_dates_on_the_page_never_break_and_english_ones_name_the_month():
    """A phone once wrapped the English deadline as "2026-01-" / "26" (walkthrough, 2f)."""
    import re

    from kiosk.web import page_html

    record = reviewed_record()
    english, spanish = page_html(record, "en"), page_html(record, "es_AR")
    assert re.search(r"\.date\{[^}]*white-space:nowrap", english)
    dates = re.findall(r'<span class="date">([^<]*)</span>', english)
    assert {"1 Dec 2025 07:50", "26 Jan 2026", "25 Feb 2026"} <= set(dates)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", english)  # no ISO date left for a browser to break at "-"
    assert {"01/12/2025 07:50", "26/01/2026", "25/02/2026"} <= set(
        re.findall(r'<span class="date">([^<]*)</span>', spanish))
