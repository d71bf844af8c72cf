"""What we have learned: search, filters, pages, privacy, trends and weak signals, look-fors,
and the Markdown exports for one record and for a month."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Static

from kiosk.core.records import Action, Condition, ReportDraft, Review
from kiosk.core.reviewing import finish_review
from kiosk.core.supervisors import new_supervisor
from kiosk.core.trends import compute
from kiosk.screens.learnings import LearningsScreen
from kiosk.screens.record import RecordScreen
from kiosk.screens.trends import TrendsScreen
from kiosk.views.charts import sparkline
from tests.support.cli import run
from tests.support.clock import NOW
from tests.support.pilot import wait_for

NAME = "Ana Gómez"


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


def list_text(app) -> str:
    options = app.screen.query_one("#learn-list")
    return "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))


def report(repo, what: str, *, kind="error", area="Envasado", days_ago=0, reporter=NAME):
    when = (NOW - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return repo.add_report(ReportDraft(kind=kind, area=area, what_happened=what, reporter=reporter,
                                       occurred_at=when), areas=None)


async def open_learnings(pilot) -> LearningsScreen:
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LearningsScreen) and pilot.app.screen.total)
    return pilot.app.screen


async def test_search_ignores_accents_and_case_and_filters_and_pages(make_app, repo):
    target = report(repo, "La presión del compresor bajó a 4 bar", area="Mantenimiento", days_ago=5)
    for n in range(45):
        report(repo, f"Faltaron cajas de cartón en la línea, vez {n}", kind="near_miss" if n % 3 else "error",
               days_ago=n * 3)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_learnings(pilot)
        assert screen.total == 46 and "página 1 de 3" in text_of(app)
        await pilot.press(*"PRESION")
        await wait_for(pilot, lambda: screen.total == 1)
        assert target.id in list_text(app) and "presión del compresor" in list_text(app)
        assert NAME not in list_text(app)
        screen.query_one("#learn-search").value = "cajas"
        await wait_for(pilot, lambda: screen.total == 45)
        await pilot.press("pagedown", "pagedown")
        await wait_for(pilot, lambda: screen.page == 2 and len(screen.records) == 5)
        await pilot.press("f3")  # kind: errors only
        await wait_for(pilot, lambda: screen.total == 15 and screen.page == 0)
        assert "Tipo: Error" in text_of(app)
        await pilot.press("f6", "f6")  # dates: the last 90 days
        await wait_for(pilot, lambda: "últimos 90 días" in text_of(app) and screen.total == 11)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)


async def test_operators_never_see_names_supervisors_do(make_app, repo):
    record = report(repo, "Se trabó la cinta 2 y cayeron cajas")
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_learnings(pilot)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
        assert record.id in text_of(app) and NAME not in text_of(app) and "Marta" not in text_of(app)
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.screen.retranslate()
        await pilot.pause()
        assert NAME in text_of(app)


def test_trends_count_weeks_by_kind_and_area_and_find_weak_signals(repo):
    for days, kind, area in ((1, "surprise", "Envasado"), (8, "near_miss", "Envasado"), (20, "surprise", "Envasado"),
                             (40, "surprise", "Envasado"), (2, "surprise", "Calidad"), (3, "error", "Calidad"),
                             (200, "error", "Calidad")):
        report(repo, f"Algo pasó hace {days} días en {area}", kind=kind, area=area, days_ago=days)
    trends = compute(repo.all_records(), NOW.date())
    assert len(trends.weeks) == 12 and trends.weeks[-1] == date(2026, 11, 16)  # Mondays
    assert trends.total == 6  # the one from 200 days ago is outside the 12 weeks
    assert trends.by_kind["surprise"][-1] == 2 and sum(trends.by_kind["surprise"]) == 4
    assert [(s.area, s.count) for s in trends.signals] == [("Envasado", 3)]  # the 40-day one is too old
    assert sparkline([0, 1, 2, 4]) == "·░▒█"


async def test_the_weak_signal_is_highlighted_with_a_suggestion(make_app, repo):
    for days in (1, 5, 12):
        report(repo, f"Sorpresa en la envasadora, día {days}", kind="surprise", days_ago=days)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_learnings(pilot)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.trends is not None)
        signals = str(app.screen.query_one("#signals", Static).render())
        assert "Envasado: 3 sorpresas o casi accidentes en 30 días" in signals
        assert "¿Un equipo de aprendizaje ahí? (t)" in signals
        assert "Por tipo" in text_of(app) and "Sorpresa" in text_of(app)


def reviewed(repo, what: str, *, look_for: str = "", area="Inyección"):
    record = report(repo, what, area=area, days_ago=35)
    review = Review(what_happened=what, why=(Condition("Sin herramienta de destrabe", "equipment"),),
                    action=Action("Colgar un gancho de destrabe", "Mantenimiento", "2026-11-10"),
                    follow_up_date="2026-11-20", draft=True)
    done = finish_review(review, by="Marta Ruiz", now=NOW - timedelta(days=30), follow_up_days=30)
    return repo.finish_review(record.id, done, by="Marta Ruiz", look_for=look_for, share_days=30)


async def test_a_look_for_from_a_review_rotates_on_home(make_app, repo):
    stored = reviewed(repo, "Se trabó la matriz 4", look_for="Rebaba en las matrices al arrancar el turno")
    assert stored.look_for.until == "2026-12-21" and "look_for" in stored.history[-1].fields
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: "Prestá atención: Rebaba en las matrices" in text_of(app))


def test_markdown_for_one_record_and_for_a_month(tmp_path):
    from kiosk.core.records import FollowUp
    from kiosk.storage import open_repository
    from tests.support.clock import fixed_clock

    data = tmp_path / "data"
    repo = open_repository(data, clock=fixed_clock)
    try:
        record = reviewed(repo, "Se trabó la matriz 4 al arrancar")
        repo.finish_follow_up(record.id, FollowUp(at="", by="", done="yes", worked="yes", outcome="closed",
                                                  notes="Funciona"), by="Luis")
        win = report(repo, "Cambio de molde en 9 minutos", kind="win", area="Matricería", days_ago=2)
        repo.applaud(win.id)
        other_month = report(repo, "Algo de octubre", days_ago=40)
    finally:
        repo.close()
    page = run(["export", "--format", "md", "--record", record.id.lower()], data=data)
    assert page.returncode == 0
    text = page.stdout.decode()
    assert text.startswith(f"## {record.id} ·") and "### Seguimientos" in text and "cambio hecho · funcionó" in text
    month = run(["export", "--format", "md", "--month", "2026-11"], data=data).stdout.decode()
    assert month.startswith("# Resumen de aprendizaje 2026-11")
    assert "1 registro reportado: Logro 1" in month and other_month.id not in month
    assert "## Lo que funcionó (1)" in month and "Colgar un gancho de destrabe — Funciona" in month
    assert "## Logros (1)" in month and "Cambio de molde en 9 minutos (+1)" in month
    assert run(["export", "--format", "csv", "--month", "2026-11"], data=data).returncode == 2
    assert run(["export", "--format", "md", "--month", "noviembre"], data=data).returncode == 2
    assert run(["export", "--format", "md", "--record", "ZZZ-ZZZ"], data=data).returncode == 1
