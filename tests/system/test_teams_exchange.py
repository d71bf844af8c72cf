"""Learning Teams beyond the screens: export → import → export identical with teams present,
`kiosk teams`, the Markdown export and the month's summary, the page behind the story's QR (no
names, the same 404 for a wrong token), the soak and story slips' bytes, and an idle reset that
keeps what a facilitator typed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from kiosk.core.records import Action, Condition, ReportDraft, Review
from kiosk.core.reviewing import finish_review
from kiosk.printing.escpos_out import render
from kiosk.printing.slips import Paper, soak_slip, story_slip
from kiosk.storage import open_repository
from tests.support.cli import lines, run
from tests.support.clock import NOW
from tests.support.escpos_stream import qr_payloads

NAMES = ("Marta Ruiz", "Ana Gómez", "Luis Paz", "Julián Ríos")


def a_plant(data: Path) -> tuple[str, str, str]:
    """A folder with a reviewed record (with its procedure / practice pair), a shared team with
    every part (hostile text included), and a team still soaking. Returns their ids."""
    clock = [NOW]
    repo = open_repository(data, clock=lambda: clock[0])
    try:
        record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", reporter="Ana Gómez",
                                             what_happened="Se trabó la cinta 2 y cayeron cajas"), areas=None)
        repo.save_review_draft(record.id, Review(what_happened="Se trabó la cinta 2"), by="Marta Ruiz")
        review = finish_review(Review(
            what_happened="Se trabó la cinta 2", why=(Condition("El rodillo no tiene guarda", "equipment"),),
            work_as_imagined="Se para la línea para sacar la caja", work_as_done="Se saca con la línea andando",
            action=Action("Poner una guarda en el rodillo", "Mantenimiento", "2026-12-01")), by="Marta Ruiz",
            now=NOW, follow_up_days=30)
        repo.finish_review(record.id, review, by="Marta Ruiz")
        team = repo.open_team(title="Cambio de formato [b]línea 2[/b]", use="event", area="Envasado",
                              facilitator="Marta Ruiz", records=[record.id], participants=["Ana Gómez", "Luis Paz"])
        for text, lens in (("Con dos personas sale en 8 minutos", "smooth"),
                           ("El instructivo pide dos personas", "procedure"),
                           ("De noche lo hace uno solo \x1b[2J", "actual"),
                           ("Si falta el carro, a mano", "adapt")):
            repo.add_team_note(team.id, text=text, lens=lens, by="Ana Gómez")
        repo.park_team_idea(team.id, text="Habría que tener un segundo carro", by="Luis Paz")
        repo.end_team_learn(team.id, by="Marta Ruiz")
        repo.add_team_note(team.id, text="En verano se pega más", lens="reflection", by="")
        clock[0] = NOW + timedelta(hours=24)
        repo.start_team_solve(team.id, by="Marta Ruiz", soak_hours=24)
        repo.add_team_defence(team.id, "El checklist de arranque ya se usa", by="Marta Ruiz")
        repo.add_team_change(team.id, Action("Poner un segundo carro junto a la inyectora 2", "Julián Ríos",
                                             "2026-12-10"), by="Marta Ruiz", follow_up_days=30)
        repo.end_team_solve(team.id, by="Marta Ruiz")
        repo.share_team(team.id, [("Mirá si el carro está antes del cambio", ["Envasado"]),
                                  ("Pedí el segundo carro a Mantenimiento", [])], by="Marta Ruiz", share_days=30)
        soaking = repo.open_team(title="La envolvedora nueva", use="change", area="Depósito", facilitator="Marta Ruiz",
                                 participant_count=5)
        repo.add_team_note(soaking.id, text="Nadie sabe dónde va el film", lens="surprise")
        repo.end_team_learn(soaking.id, by="Marta Ruiz")
        aar, _codes = repo.open_aar(record.id, ["Ana Gómez", "Luis Paz"], facilitator="Marta Ruiz")
        repo.give_account(aar.id, 0, ("Que no se trabe", "Se trabó", "Paré", "Nada", "La caja rota", "Igual"),
                          named=False)
        return record.id, team.id, soaking.id
    finally:
        repo.close()


def test_export_import_export_is_identical_with_teams_and_says_ok_for_each(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    record_id, team_id, soaking_id = a_plant(first)
    exported = run(["export", "--format", "jsonl"], data=first)
    assert exported.returncode == 0, exported.stderr.decode()
    text = exported.stdout.decode()
    docs = [json.loads(line) for line in text.splitlines()]
    assert [d.get("type") for d in docs] == [None, "learning_team", "learning_team", "after_action_review"]
    assert [d["id"] for d in docs][:3] == [record_id, team_id, soaking_id]
    aar_id = docs[3]["id"]
    assert "\x1b" not in text and "[b]línea 2[/b]" in text
    imported = run(["import", "-"], data=second, stdin=text)
    assert imported.returncode == 0, imported.stderr.decode()
    assert imported.stdout.decode().split() == ["ok", record_id, "ok", team_id, "ok", soaking_id, "ok", aar_id]
    again = run(["export", "--format", "jsonl"], data=second)
    assert again.stdout.decode() == text
    # The same team twice, or a broken one, is refused by line; the rest still goes in.
    broken = dict(docs[1], id=docs[2]["id"], phase="nowhere")
    result = run(["import", "-"], data=second, stdin=lines(docs[1], broken))
    assert result.returncode == 1
    assert "error 1: " in result.stderr.decode() and "error 2: " in result.stderr.decode()


def test_kiosk_teams_lists_them_with_until_when_one_soaks(tmp_path):
    data = tmp_path / "data"
    _record, team_id, soaking_id = a_plant(data)
    result = run(["teams"], data=data)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode().splitlines()
    assert out[0].startswith(soaking_id) and "Reposar hasta el 23/11/2026 10:00" in out[0]
    assert out[1].startswith(team_id) and "Compartido" in out[1] and "Cambio de formato" in out[1]
    listed = [json.loads(line) for line in run(["teams", "--json"], data=data).stdout.decode().splitlines()]
    assert listed[0] == {"id": soaking_id, "title": "La envolvedora nueva", "use": "change", "area": "Depósito",
                         "phase": "soak", "soaking_until": "2026-11-23T10:00:00-03:00", "notes": 1, "changes": 0}
    assert listed[1]["phase"] == "closed" and listed[1]["changes"] == 1


def test_the_markdown_export_and_the_month_summary_carry_the_teams_and_the_pairs(tmp_path):
    data = tmp_path / "data"
    record_id, team_id, _soaking = a_plant(data)
    full = run(["export", "--format", "md"], data=data).stdout.decode()
    assert f"{team_id} · Equipo de aprendizaje" in full and "Defensas que ya tenemos" in full
    assert "Cambio de formato \\[b\\]línea 2\\[/b\\]" in full or "Cambio de formato &#91;b&#93;" in full
    month = run(["export", "--format", "md", "--month", "2026-11"], data=data).stdout.decode()
    assert "## Equipos de aprendizaje compartidos (1)" in month and team_id in month
    assert "El procedimiento dice / lo que hacemos de verdad (2 este mes, 2 en total)" in month
    assert record_id in month.split("## El procedimiento dice")[1]


def test_the_story_page_behind_the_qr_has_no_names_and_a_wrong_token_is_a_miss(tmp_path):
    from kiosk.web import finder, page_html

    data = tmp_path / "data"
    _record, team_id, _soaking = a_plant(data)
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    try:
        team = repo.team(team_id)
        find = finder(repo, follow=False)
        assert find(team_id, team.link_token) == team
        assert find(team_id, "x" * 22) is None and find(team_id, "") is None
        for language in ("es_AR", "en"):
            body = page_html(team, language)
            for name in NAMES:
                for part in name.split():
                    assert part not in body, (language, part)
        body = page_html(team, "es_AR")
        assert "Mirá si el carro está antes del cambio" in body and "supervisión de Envasado" in body
        assert "[b]línea 2[/b]" in body and "<b>" not in body
    finally:
        repo.close()


def test_soak_and_story_slips_decode_to_the_team_page_and_name_nobody(tmp_path):
    data = tmp_path / "data"
    _record, team_id, _soaking = a_plant(data)
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    team = repo.team(team_id)
    repo.close()
    url = f"http://kiosk.local:8080/r/{team_id}?k={team.link_token}"
    for columns in (32, 42, 48):
        paper = Paper(columns=columns)
        for slip in (soak_slip(team, paper, NOW), story_slip(team, paper, NOW)):
            assert qr_payloads(render(slip)) == [url]
            from kiosk.printing.slips import Line

            text = "\n".join(slip.text_lines())
            assert all(len(part.text) <= columns for part in slip.parts if isinstance(part, Line))
            for name in NAMES:
                assert name not in text
    story = "\n".join(story_slip(team, Paper(), NOW).text_lines())
    assert "Poner un segundo carro" in story and "Mirá si el carro" in story and "supervisión de Envasado" in story


def test_the_printed_follow_up_list_carries_a_teams_change_when_due_with_its_qr(tmp_path):
    from datetime import date

    from kiosk.printing.slips import follow_up_list

    data = tmp_path / "data"
    _record, team_id, _soaking = a_plant(data)
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    try:
        until = date(2026, 12, 23)
        changes = repo.team_changes_due(until)
        assert [(team.id, index) for team, index in changes] == [(team_id, 0)]
        assert repo.team_changes_due(date(2026, 12, 21)) == []
        slip = follow_up_list(repo.follow_ups_until(until), Paper(), NOW, until=until, changes=changes)
    finally:
        repo.close()
    text = "\n".join(slip.text_lines())
    assert f"{team_id} · Envasado · Equipo de aprendizaje" in text and "Poner un segundo carro" in text
    assert qr_payloads(render(slip))[-1] == f"http://kiosk.local:8080/r/{team_id}?k={changes[0][0].link_token}"
