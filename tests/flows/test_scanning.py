"""Slips scanned with a keyboard-wedge scanner: the reader key by key, the screens it opens,
and 20 scans through a real pseudo-terminal at scanner speed, some during saves and prints."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from textual.widgets import Static

from kiosk.core.records import Action, Condition, ReportDraft, Review
from kiosk.core.reviewing import finish_review
from kiosk.core.scanning import ScanReader, parse_slip_url
from kiosk.core.supervisors import new_supervisor
from kiosk.screens.follow_ups import FollowUpScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.record import RecordScreen
from tests.support.clock import NOW, FakeMonotonic
from tests.support.pilot import type_text, wait_for
from tests.support.pty_terminal import Terminal


def url(record, base="http://kiosk.local:8080") -> str:
    return f"{base}/r/{record.id}?k={record.link_token}"


# -- the reader --------------------------------------------------------------------------------


def feed(reader: ScanReader, text: str, *, may_start=True) -> list[tuple[bool, str | None]]:
    return [reader.feed(ch, ch, may_start=may_start) for ch in text] + [reader.feed(None, "enter", may_start=may_start)]


def test_a_scan_is_held_back_from_the_screen_and_given_whole_on_enter():
    reader = ScanReader(FakeMonotonic())
    results = feed(reader, "https://kiosk.planta/r/QPC-GB8?k=abcdefgh12")
    assert all(consumed for consumed, _text in results)
    assert results[-1][1] == "https://kiosk.planta/r/QPC-GB8?k=abcdefgh12"
    assert not reader.active


def test_a_persons_keys_pass_through_at_once():
    clock = FakeMonotonic()
    reader = ScanReader(clock)
    assert reader.feed("1", "1", may_start=True) == (False, None)  # Home's keys never wait
    assert reader.feed("h", "h", may_start=True) == (True, None)
    assert reader.feed("1", "1", may_start=True) == (False, None)  # not a URL: given back
    assert reader.feed("h", "h", may_start=True) == (True, None)
    clock.advance(1.0)  # a pause: it was not a scanner
    assert reader.feed("x", "x", may_start=True) == (False, None)
    assert reader.feed("h", "h", may_start=False) == (False, None)  # a screen without scans


def test_slip_urls_are_parsed_and_anything_else_refused():
    link = parse_slip_url("http://kiosk.local:8080/r/QPC-GB8?k=Zq8xW2kP4mRt7vYb1nC3dA")
    assert (link.record_id, link.token) == ("QPC-GB8", "Zq8xW2kP4mRt7vYb1nC3dA")
    for bad in ("http://kiosk.local/r/QPC-GB8", "http://kiosk.local/x/QPC-GB8?k=abcdefgh12",
                "javascript:alert(1)", "http://kiosk.local/r/QPC-GB8?k=abc def", "http://a/r/[b]?k=abcdefgh12"):
        assert parse_slip_url(bad) is None


# -- screens (Pilot) -------------------------------------------------------------------------


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def scan(pilot, text: str) -> None:
    await pilot.press(*text, "enter")


async def test_scanning_on_home_opens_the_records_page(make_app, repo):
    record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", reporter="Ana Gómez",
                                         what_happened="Se trabó la cinta 2 y cayeron cajas"), areas=None)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await scan(pilot, url(record))
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
        page = text_of(app)
        assert record.id in page and "Se trabó la cinta 2" in page
        assert "Ana Gómez" not in page  # operators never see names
        other = repo.add_report(ReportDraft(kind="error", area="Calidad", what_happened="Un lote sin control final"),
                                areas=None)
        await scan(pilot, url(other, "https://otra.base:9000/kiosco"))  # any base: id and token count
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record_id == other.id)
        assert len(app.screen_stack) == 3  # Home, then one page (the second replaced the first)


async def test_a_wrong_token_or_an_unknown_id_opens_nothing_and_says_so(make_app, repo):
    record = repo.add_report(ReportDraft(kind="error", area="Calidad", what_happened="Un lote sin control final"),
                             areas=None)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        for bad in (f"http://kiosk.local:8080/r/{record.id}?k=WRONGTOKEN123456789012",
                    f"http://kiosk.local:8080/r/ZZZ-ZZZ?k={record.link_token}"):
            app.clear_notifications()
            await scan(pilot, bad)
            await wait_for(pilot, lambda: any("no es un ticket" in str(n.message) for n in app._notifications))
            assert isinstance(app.screen, HomeScreen)
        await pilot.press("1")  # a person's key still works right after
        await wait_for(pilot, lambda: not isinstance(app.screen, HomeScreen))


async def test_a_due_follow_up_opens_the_follow_up_after_the_pin(make_app, repo):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    record = repo.add_report(ReportDraft(kind="error", area="Inyección", what_happened="Se trabó la matriz 4"),
                             areas=None)
    review = Review(what_happened="x", why=(Condition("Sin herramienta", "equipment"),),
                    action=Action("Colgar un gancho de destrabe", "Mantenimiento", "2026-11-20"),
                    follow_up_date="2026-11-21", draft=True)
    repo.finish_review(record.id, finish_review(review, by="Marta Ruiz", now=NOW - timedelta(days=30),
                                                follow_up_days=30), by="Marta Ruiz")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await scan(pilot, url(repo.get(record.id)))
        await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
        await pilot.press(*"mar", "enter", *"2580", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen) and app.screen.record is not None)
        assert app.screen.record.id == record.id


async def test_typing_in_a_field_is_never_taken_for_a_scan(make_app, repo):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("1", "1")  # report: an error
        await wait_for(pilot, lambda: bool(app.screen.query("#area-filter")) or bool(app.screen.query("Input")))
        await pilot.press(*"http")
        assert "http" in str(app.focused.value)


async def test_a_slip_scanned_into_a_text_field_is_taken_out_and_said(make_app, repo):
    # Walk item 31: the URL, token and all, was typed into the report.
    from kiosk.core.records import ReportDraft
    from kiosk.widgets.inputs import ReportTextArea

    scanned = repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened="Una caja cayó del palet"),
                              areas=None)
    url = f"http://kiosk.local:8080/r/{scanned.id}?k={scanned.link_token}"
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "what_happened")
        await type_text(pilot, "Se cae la caja ")
        await pilot.press(*url, "enter")
        field = app.screen.query_one("#what_happened", ReportTextArea)
        assert field.text == "Se cae la caja " and app.focused is field  # the scanner's Enter did not move on
        assert any("escaneado" in str(n.message) for n in app._notifications)
        await pilot.press("enter")  # the person's Enter does
        assert app.focused is app.screen.query_one("#impact")


# -- a real scanner's speed, through a pseudo-terminal ----------------------------------------------


@pytest.mark.slow
def test_twenty_scans_at_scanner_speed_each_open_the_right_record_once(tmp_path):
    data = tmp_path / "d"
    docs = [{"kind": "win" if n % 5 == 0 else "error", "area": "Envasado",
             "what_happened": f"Registro número {n} para escanear",
             "created_at": "2026-11-20T09:00:00-03:00", "occurred_at": "2026-11-20T09:00:00-03:00"}
            for n in range(20)]
    subprocess.run([sys.executable, "-m", "kiosk", "import", "--data", str(data)],
                   input="".join(json.dumps(d) + "\n" for d in docs).encode(), capture_output=True,
                   timeout=60, check=True)
    exported = subprocess.run([sys.executable, "-m", "kiosk", "export", "--format", "jsonl", "--data", str(data)],
                              capture_output=True, timeout=60, check=True).stdout.decode().splitlines()
    tokens = {doc["id"]: doc["link_token"] for doc in map(json.loads, exported)}
    ids = list(tokens)
    assert len(ids) == 20
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(TERM="xterm-256color", TEXTUAL_ANIMATIONS="none")
    term = Terminal([sys.executable, "-m", "kiosk", "run", "--data", str(data)], env)
    rng = random.Random(20)
    try:
        assert term.read_until(b"Reportar"), term.output[-2000:]
        term.drain(1.0)
        for n, record_id in enumerate(ids):
            if n % 4 == 1:
                term.send(b"p")  # this page's slip: the print preview ...
                term.drain(0.3)
                term.send(b"p")  # ... and print it (preview mode): stored, rendered, saved
            elif n % 4 == 3:
                for _ in range(4):  # back to Home ...
                    term.send(b"\x1b")
                    term.drain(0.2)
                term.send(b"a")  # ... and applaud the win shown: a durable save in the background
            for ch in f"http://kiosk.local:8080/r/{record_id}?k={tokens[record_id]}\r":
                term.send(ch.encode())
                time.sleep(rng.uniform(0.002, 0.010))
            term.drain(0.4)
        term.drain(1.0)
        assert term.process.poll() is None
    finally:
        term.close()
    log = (data / "kiosk.log").read_text(encoding="utf-8")
    opened = [line.split("scan opened ")[1].split()[0] for line in log.splitlines() if "scan opened " in line]
    assert opened == ids, (opened, ids)
    assert "scan refused" not in log
    assert log.count(": sent") >= 5  # the slips printed between scans (preview mode)
    after = subprocess.run([sys.executable, "-m", "kiosk", "export", "--format", "jsonl", "--data", str(data)],
                           capture_output=True, timeout=60, check=True).stdout.decode().splitlines()
    assert sum(json.loads(line)["applause"] for line in after) >= 1  # and the applause saved between them
