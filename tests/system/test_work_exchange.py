"""Work items beyond the screens: the page behind a debrief's QR (no names, a wrong token is a
miss), the look-back slip's QRs at 32/42/48 columns, `kiosk print ID --slip lookback`, the
learnings' search, trends' entries per week and the month's summary."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kiosk.core import ids
from kiosk.core.records import ReportDraft
from kiosk.core.trends import weekly
from kiosk.printing.escpos_out import render
from kiosk.printing.slips import Line, Paper, look_back_slip
from kiosk.storage import open_repository
from kiosk.views.work import look_back
from tests.support.cli import run
from tests.support.clock import NOW
from tests.support.escpos_stream import qr_payloads

NAMES = ("Marta Ruiz", "Ana Gómez", "Luis Paz")


def a_plant(data: Path) -> tuple[str, str, str]:
    """A closed work item with a lesson (and markup in its title), a record like it with a
    change, and a new work item about to start. Returns (closed, record, new) ids."""
    clock = [NOW - timedelta(days=20)]
    repo = open_repository(data, clock=lambda: clock[0])
    try:
        done = repo.open_work_item(title="Molde nuevo [b]de tapas[/b]", area="Inyección", opened_by="Marta Ruiz",
                                   description="Primer lote con el molde de 8 cavidades")
        repo.add_work_entry(done.id, kind="lesson", text="Precalentar el molde nuevo una hora antes del arranque",
                            by="Ana Gómez")
        repo.add_work_entry(done.id, kind="win", text="El molde nuevo arrancó sin rebabas \x1b[2J", by="Luis Paz")
        repo.add_work_entry(done.id, kind="opportunity", text="Faltó el carro para el molde", by="")
        repo.applaud_work_entry(done.id, 1)
        repo.close_work_item(done.id, by="Marta Ruiz")
        told = "En el cambio al molde nuevo las tapas salieron con rebabas"
        record = repo.add_report(ReportDraft(kind="surprise", area="Inyección", reporter="Ana Gómez",
                                             what_happened=told), areas=None)
        clock[0] = NOW
        new = repo.open_work_item(title="Cambio al molde nuevo de tapas", area="Inyección", opened_by="Marta Ruiz")
        repo.add_work_entry(new.id, kind="win", text="Cambio hecho en 30 minutos", by="")
        return done.id, record.id, new.id
    finally:
        repo.close()


def test_the_debrief_page_behind_the_qr_has_no_names_and_a_wrong_token_is_a_miss(tmp_path):
    from kiosk.web import finder, page_html

    data = tmp_path / "data"
    done_id, _record, _new = a_plant(data)
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    try:
        item = repo.work_item(done_id)
        find = finder(repo, follow=False)
        assert find(done_id, item.link_token) == item
        assert find(done_id, "x" * 22) is None and find(done_id, "") is None
        for language in ("es_AR", "en"):
            body = page_html(item, language)
            for name in NAMES:
                for part in name.split():
                    assert part not in body, (language, part)
        body = page_html(item, "es_AR")
        assert "Precalentar el molde nuevo" in body and "Lecciones (1)" in body.replace("LECCIONES", "Lecciones")
        assert "[b]de tapas[/b]" in body and "<b>" not in body and "\x1b" not in body
    finally:
        repo.close()


def test_the_look_back_finds_the_lesson_and_the_record_and_its_slip_decodes_to_their_pages(tmp_path):
    data = tmp_path / "data"
    done_id, record_id, new_id = a_plant(data)
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    try:
        item = repo.work_item(new_id)
        found = look_back(repo, item)
        assert [(thing.kind, thing.ref) for thing in found] == [("win", done_id), ("lesson", done_id),
                                                                ("record", record_id)]
        pages = {done_id: repo.work_item(done_id), record_id: repo.get(record_id)}
        urls = [f"http://kiosk.local:8080/r/{thing.ref}?k={pages[thing.ref].link_token}" for thing in found]
        for columns in (32, 42, 48):
            slip = look_back_slip(item, found, pages, Paper(columns=columns), NOW)
            assert all(len(part.text) <= columns for part in slip.parts if isinstance(part, Line))
            assert qr_payloads(render(slip)) == urls
            assert not any(part in "\n".join(slip.text_lines()) for name in NAMES for part in name.split())
    finally:
        repo.close()
    # The command line prints it too (the preview printer: a file).
    result = run(["print", new_id, "--slip", "lookback"], data=data)
    assert result.returncode == 0 and "Precalentar el molde nuevo" in " ".join(result.stdout.decode().split())
    other = ids.encode(999)
    missing = run(["print", other, "--slip", "lookback"], data=data)
    assert missing.returncode == 1 and f"No hay ningún trabajo {other}" in missing.stderr.decode()


def test_search_trends_and_the_month_summary_carry_the_debriefs(tmp_path):
    data = tmp_path / "data"
    done_id, _record, new_id = a_plant(data)
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    try:
        total, items = repo.search_work("precalentar MOLDE")
        assert total == 1 and items[0].id == done_id
        assert repo.search_work("molde", area="Envasado") == (0, [])
        assert repo.search_work("tapas")[0] == 1  # the open one is not a learning yet
        counts = weekly(repo.work_entry_stamps((NOW - timedelta(weeks=13)).date().isoformat()), NOW.date())
        assert {kind: sum(week) for kind, week in counts.items()} == {"lesson": 1, "win": 2, "opportunity": 1}
        assert counts["win"][-1] == 1 and counts["win"][-4] == 1  # this week's, and three weeks ago
    finally:
        repo.close()
    month = run(["export", "--format", "md", "--month", "2026-11"], data=data).stdout.decode()
    summary = month.split("## Cierres de trabajos (1)")[1]
    assert done_id in summary and "Lecciones: Precalentar el molde nuevo" in summary
    assert "Anotaciones del mes: Logros 2, Oportunidades 1, Lecciones 1" in summary
    assert new_id not in summary


def test_kiosk_similar_lists_the_lessons_like_the_text_after_the_records(tmp_path):
    import json

    data = tmp_path / "data"
    done_id, _record, _new = a_plant(data)
    result = run(["similar", "hay que precalentar el molde nuevo antes", "--area", "Inyección", "--json"], data=data)
    lessons = [line for line in map(json.loads, result.stdout.decode().splitlines()) if line.get("type") == "lesson"]
    assert lessons == [{"type": "lesson", "work_item": done_id, "area": "Inyección",
                        "lesson": "Precalentar el molde nuevo una hora antes del arranque"}]


def test_a_printer_that_is_off_is_said_for_the_look_back_and_the_huddle_and_nothing_is_lost(tmp_path):
    data = tmp_path / "data"
    done_id, _record, new_id = a_plant(data)
    for command in (["print", new_id, "--slip", "lookback"], ["huddle", "Inyección", "--print"]):
        result = run([*command, "--printer", "network:127.0.0.1:9"], data=data)
        said = result.stderr.decode()
        assert result.returncode == 1 and "no se imprimió" in said and "rechazó la conexión" in said, said
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    try:
        assert repo.work_item(done_id).state == "closed" and len(repo.work_item(new_id).entries) == 1
    finally:
        repo.close()
