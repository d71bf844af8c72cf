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


async def test_the_page_can_run_inside_the_kiosk(make_app, repo):
    from kiosk.config import ServeConfig

    record = repo.add_report(ReportDraft(kind="error", area="Calidad", reporter=REPORTER,
                                         what_happened="Un lote salió sin el control final"), areas=None)
    port = free_port()
    app = make_app(serve=ServeConfig(enabled=True, host="127.0.0.1", port=port))
    async with app.run_test() as pilot:
        import asyncio

        deadline = time.monotonic() + 10
        while True:
            try:
                status, _headers, body = await asyncio.to_thread(
                    get, f"http://127.0.0.1:{port}/r/{record.id}?k={record.link_token}")
                break
            except OSError:
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
    assert status == 200 and "Un lote salió sin el control final" in body and REPORTER not in body
