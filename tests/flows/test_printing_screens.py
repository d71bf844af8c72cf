"""Printing from the screens (Pilot, keyboard only) and from the command line."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from textual.widgets import Static

from kiosk.core.records import ReportDraft
from kiosk.core.supervisors import new_supervisor
from kiosk.printing.settings import PrinterConfig
from kiosk.screens.home import HomeScreen
from kiosk.screens.printing import PrintScreen
from kiosk.screens.saved import SavedScreen
from tests.support.cli import run
from tests.support.clock import NOW
from tests.support.escpos_stream import parse, qr_payloads
from tests.support.fake_printer import FakePrinter, refused_port
from tests.support.pilot import wait_for


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


def status(app) -> str:
    return str(app.screen.query_one("#print-status", Static).render())


def add_report(repo):
    return repo.add_report(ReportDraft(kind="near_miss", area="Envasado", reporter="Ana Gómez",
                                       what_happened="Se trabó la cinta 2 y cayeron cajas"), areas=None)


async def test_after_a_report_p_prints_a_receipt_shown_as_it_prints(make_app, repo):
    record = add_report(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(SavedScreen(record))
        await pilot.pause()
        assert "Apretá P para imprimir un comprobante" in text_of(app)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.job is not None
                       and app.screen.job.state == "sent" and app.screen.slip is not None)
        assert "guardado como" in status(app) and "modo vista previa" in status(app)
        shown = str(app.screen.query_one("#slip", Static).render())
        assert "¡GRACIAS POR AVISAR!" in shown and f"Registro {record.id}" in shown and "█" in shown
        assert "Ana Gómez" not in shown
        saved = Path(app.screen.job.file)
        assert qr_payloads(saved.read_bytes()) == [f"http://kiosk.local:8080/r/{record.id}?k={record.link_token}"]
        await pilot.press("escape")
        assert isinstance(app.screen, SavedScreen)


@pytest.mark.parametrize("trouble", ["refused", "mute"])
async def test_a_dead_or_stuck_printer_never_freezes_the_screen_and_retry_works_once_it_is_back(
        make_app, repo, trouble):
    record = add_report(repo)
    with contextlib.ExitStack() as stack:
        if trouble == "mute":  # accepts the connection, never reads
            stuck = stack.enter_context(FakePrinter("mute"))
            port = stuck.port
        else:
            port = refused_port()
        app = make_app(printer=PrinterConfig(spec=f"network:127.0.0.1:{port}", timeout=1.0))
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(PrintScreen("receipt", (record.id,)))
            await wait_for(pilot, lambda: app.screen.slip is not None)
            started = time.monotonic()
            await pilot.press("p")
            if trouble == "mute":
                assert "imprimiendo" in status(app)
            # While the printer worker waits on the socket, the screen still takes keys.
            paper = app.screen.query_one("#print-paper")
            await pilot.press("down", "down", "down")
            await wait_for(pilot, lambda: paper.scroll_y >= 3, timeout=0.5)
            await wait_for(pilot, lambda: app.screen.job.state == "failed", timeout=3)
            assert time.monotonic() - started < 2.5
            explained = ("está conectada pero no recibe el ticket" if trouble == "mute"
                         else "rechazó la conexión")
            assert "no se imprimió" in status(app) and explained in status(app)
            assert "R: intentar de nuevo" in status(app)
            stack.close()
            with FakePrinter("ok", port=port) as back:
                await pilot.press("r")
                await wait_for(pilot, lambda: app.screen.job.state == "sent", timeout=3)
                (received,) = back.wait_for_jobs(1)
            assert "impreso. Retiralo de la impresora." in status(app)
            assert app.screen.job.attempts == 2
    assert qr_payloads(received) == [f"http://kiosk.local:8080/r/{record.id}?k={record.link_token}"]


async def test_an_unknown_outcome_asks_before_printing_again(make_app, repo):
    record = add_report(repo)
    repo.put_print_job(1, {"number": 1, "slip": "receipt", "records": [record.id], "state": "sending",
                           "printer": "preview", "attempts": 1, "language": "es_AR"})
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(PrintScreen("receipt", (record.id,)))
        await wait_for(pilot, lambda: app.screen.slip is not None)
        await pilot.press("p")  # the earlier job may have printed: ask first
        assert app.screen.job.number == 1 and "¿Salió?" in status(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.job.state == "sent")
        assert app.screen.job.copy == 1
        assert "*** COPIA Nº 1 ***" in parse(Path(app.screen.job.file).read_bytes()).text()


async def test_a_failure_after_the_person_has_moved_on_is_still_said(make_app, repo):
    record = add_report(repo)
    with FakePrinter("mute") as stuck:
        app = make_app(printer=PrinterConfig(spec=f"network:127.0.0.1:{stuck.port}", timeout=1.0))
        async with app.run_test(size=(100, 40)) as pilot:
            app.push_screen(SavedScreen(record))
            await pilot.pause()
            await pilot.press("p", "escape", "escape")  # print, then straight back Home
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
            await wait_for(pilot, lambda: any("no recibe el ticket" in str(n.message)
                                              for n in app._notifications), timeout=3)


async def test_the_printer_screen_reprints_any_record_and_prints_a_test_slip(make_app, repo):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    record = add_report(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("9")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
        await pilot.press("m", "a", "r", "enter", "2", "5", "8", "0", "enter")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "AdminScreen")
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PrinterAdminScreen")
        await pilot.press(*"qpcgb8", "enter")  # as typed: lower case, no dash
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        assert app.screen.kind == "receipt" and app.screen.records == (record.id,)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.job is not None and app.screen.job.state == "sent")
        await pilot.press("escape", "f3")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        assert "¿Agregar café? ¡Sí! Ñandú €" in str(app.screen.query_one("#slip", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Comprobante QPC-GB8 · impreso" in "\n".join(
            str(o.prompt) for o in app.screen.query_one("#job-list").options))


async def test_the_language_of_the_screen_is_the_language_of_the_slip(make_app, repo):
    record = add_report(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f2")
        app.push_screen(PrintScreen("receipt", (record.id,), start=True))
        await wait_for(pilot, lambda: app.screen.job is not None and app.screen.job.state == "sent")
        assert "THANK YOU FOR REPORTING!" in parse(Path(app.screen.job.file).read_bytes()).text()
        assert "saved as" in status(app)


# -- command line ------------------------------------------------------------------------------


def seed_folder(data: Path) -> str:
    from kiosk.storage import open_repository
    from tests.support.clock import fixed_clock

    repo = open_repository(data, clock=fixed_clock)
    try:
        return add_report(repo).id
    finally:
        repo.close()


def test_kiosk_print_sends_a_receipt_to_a_network_printer(tmp_path):
    data = tmp_path / "data"
    record_id = seed_folder(data)
    with FakePrinter("ok") as printer:
        result = run(["print", record_id, "--slip", "receipt", "--printer", f"network:127.0.0.1:{printer.port}"],
                     data=data)
        (received,) = printer.wait_for_jobs(1)
    assert result.returncode == 0, result.stderr
    assert "Comprobante: impreso" in result.stdout.decode()
    assert f"Registro {record_id}" in parse(received).text()


def test_kiosk_print_fails_plainly_and_non_zero_within_the_timeout(tmp_path):
    data = tmp_path / "data"
    record_id = seed_folder(data)
    (data / "kiosk.toml").write_text("[printer]\ntimeout = 1.0\n")
    with FakePrinter("mute") as printer:
        started = time.monotonic()
        result = run(["print", record_id, "--slip", "receipt", "--printer", f"network:127.0.0.1:{printer.port}"],
                     data=data)
        took = time.monotonic() - started
    assert result.returncode == 1 and took < 10
    err = result.stderr.decode()
    assert "no se imprimió" in err and "no recibe el ticket" in err and "R: intentar" not in err
    result = run(["print", record_id, "--slip", "review"], data=data)
    assert result.returncode == 1 and "todavía no tiene una revisión terminada" in result.stderr.decode()
    result = run(["print", "ZZZ-ZZZ", "--slip", "receipt"], data=data)
    assert result.returncode == 1 and "No existe el registro ZZZ-ZZZ" in result.stderr.decode()
    result = run(["print", record_id], data=data)
    assert result.returncode == 2
    result = run(["print", record_id, "--slip", "receipt", "--printer", "laser:1"], data=data)
    assert result.returncode == 2 and "printer.spec" in result.stderr.decode()


def test_kiosk_print_test_and_followups_in_preview(tmp_path):
    data = tmp_path / "data"
    result = run(["print-test", "--printer", "preview"], data=data)
    out = result.stdout.decode()
    assert result.returncode == 0 and "¿Agregar café? ¡Sí! Ñandú €" in out and "PRUEBA DE IMPRESORA" in out
    saved = sorted((data / "prints").glob("*-test-*.bin"))
    assert len(saved) == 1 and "¿Agregar café? ¡Sí! Ñandú €" in parse(saved[0].read_bytes()).text()
    result = run(["print", "--followups"], data=data)
    assert result.returncode == 0 and "SEGUIMIENTOS PENDIENTES" in result.stdout.decode()


def test_the_qr_drawn_on_screen_decodes_to_the_records_url(repo):
    """Half blocks, one module a column and two a row: a phone can scan the preview."""
    from PIL import Image

    from kiosk.printing.slips import Paper, receipt
    from kiosk.widgets.slip import slip_text
    from tests.support.escpos_stream import decode_qr

    record = add_report(repo)
    lines = slip_text(receipt(record, Paper(columns=32), NOW)).plain.split("\n")
    rows = [line for line in lines if any(ch in line for ch in "▀▄█")]
    width = max(len(row) for row in rows)
    image = Image.new("L", (width, len(rows) * 2), 255)
    for y, row in enumerate(rows):
        for x, ch in enumerate(row):
            if ch in "▀█":
                image.putpixel((x, 2 * y), 0)
            if ch in "▄█":
                image.putpixel((x, 2 * y + 1), 0)
    image = image.resize((width * 8, len(rows) * 16), Image.NEAREST)
    assert decode_qr(image) == [f"http://kiosk.local:8080/r/{record.id}?k={record.link_token}"]
