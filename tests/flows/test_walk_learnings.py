"""Walk items on learnings and trends (December 2026 walk: 14/42, 41, 23, 18, 19), keyboard only.

Learnings: the arrows move the highlight from the search box and one Enter opens the
highlighted record; the list is ordered by when things happened, the date it shows, written
the local way. Trends: labels whole, never touching their bars; a weak signal says how many ids
it leaves out.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from textual.widgets import Static

from kiosk.core.records import Action, Condition, ReportDraft, Review
from kiosk.core.reviewing import finish_review
from kiosk.screens.learnings import LearningsScreen
from kiosk.screens.record import RecordScreen
from kiosk.screens.trends import TrendsScreen
from tests.support.clock import NOW
from tests.support.pilot import type_text, wait_for


def report(repo, what: str, *, kind="error", area="Inyección", days_ago=0):
    when = (NOW - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return repo.add_report(ReportDraft(kind=kind, area=area, what_happened=what, occurred_at=when), areas=None)


def list_lines(app) -> list[str]:
    options = app.screen.query_one("#learn-list")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_learnings(pilot) -> LearningsScreen:
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LearningsScreen) and pilot.app.screen.total)
    return pilot.app.screen


async def opened(pilot) -> str:
    """The id of the record page that opened."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
    return app.screen.record.id


# -- learnings: the keys (items 14 and 42) ---------------------------------------------------------


async def test_arrows_in_the_search_box_move_the_highlight_and_typing_goes_on(make_app, repo):
    for n in range(3):
        report(repo, f"Rebaba en las piezas de la inyectora {n + 1}", days_ago=n)
    report(repo, "Se cayó una caja del pallet", area="Depósito")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_learnings(pilot)
        search = screen.query_one("#learn-search")
        await type_text(pilot, "rebab")
        await wait_for(pilot, lambda: screen.total == 3 and len(screen.records) == 3)
        options = screen.query_one("#learn-list")
        await pilot.press("down", "down")
        assert app.focused is search and options.highlighted == 2
        await pilot.press("up")
        assert app.focused is search and options.highlighted == 1
        await type_text(pilot, "a")  # typing goes on in the box
        assert search.value == "rebaba"
        await wait_for(pilot, lambda: screen.total == 3)
        await pilot.press("down")
        meant = screen.records[options.highlighted].id
        await pilot.press("enter")  # one Enter opens the highlighted record, not the first
        assert await opened(pilot) == meant != screen.records[0].id


async def test_one_enter_opens_the_highlighted_record_from_the_box_or_the_list(make_app, repo):
    first = report(repo, "Rebaba en la inyectora 1", days_ago=1)
    second = report(repo, "Rebaba en la inyectora 2", days_ago=2)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_learnings(pilot)
        await wait_for(pilot, lambda: len(screen.records) == 2)
        await pilot.press("enter")  # the top result is highlighted: one Enter opens it
        assert await opened(pilot) == first.id
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("tab", "down", "enter")  # in the list, one Enter opens the one moved to
        assert await opened(pilot) == second.id


async def test_enter_typed_before_the_results_opens_the_top_result_of_what_was_typed(make_app, repo,
                                                                                   monkeypatch):
    """A fast typist's Enter (or a search slower than the keys) opens the first record the
    words find, not the one the list showed for the words before."""
    meant = report(repo, "Rebaba en las piezas de la inyectora 5", days_ago=3)
    report(repo, "Rebajaron la velocidad de la cinta 2", area="Envasado", days_ago=1)  # "reba", newer
    gate = threading.Event()
    search = repo.search

    def slow_search(text, **kwargs):
        if text == "rebab":
            gate.wait(5)
        return search(text, **kwargs)

    monkeypatch.setattr(repo, "search", slow_search)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_learnings(pilot)
        await type_text(pilot, "rebab")
        await pilot.press("enter")
        assert app.screen is screen  # the list still shows what "reba" found: nothing opens yet
        gate.set()
        assert await opened(pilot) == meant.id


async def test_typing_while_on_the_list_goes_to_the_search_box(make_app, repo):
    report(repo, "Rebaba en la inyectora 1")
    report(repo, "Se cayó una caja del pallet", area="Depósito", days_ago=1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_learnings(pilot)
        await pilot.press("tab")
        assert app.focused is screen.query_one("#learn-list")
        await type_text(pilot, "pallet")
        search = screen.query_one("#learn-search")
        assert app.focused is search and search.value == "pallet"
        await wait_for(pilot, lambda: screen.total == 1)


async def test_page_keys_turn_the_page_from_the_list_too(make_app, repo):
    """The footer says pg↑↓ Page: on the list as in the box (the list took them to scroll)."""
    for n in range(25):
        report(repo, f"Faltaron cajas de cartón, vez {n}", days_ago=n)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_learnings(pilot)
        await pilot.press("tab", "pagedown")
        await wait_for(pilot, lambda: screen.page == 1 and len(screen.records) == 5)
        assert "página 2 de 2" in str(screen.query_one("#learn-count", Static).render())
        assert screen.query_one("#learn-list").highlighted == 0
        await pilot.press("down", "enter")
        assert await opened(pilot) == screen.records[1].id


# -- learnings: order and dates (items 41 and 23) ----------------------------------------------------


async def test_the_list_is_newest_event_first_with_the_local_date(make_app, repo):
    recent = report(repo, "Rebaba en la inyectora 1", days_ago=1)
    late = report(repo, "Se reabrió: la guarda de la cinta 2 se sale", area="Envasado", days_ago=60)  # filed last
    middle = report(repo, "Faltaron cajas de cartón a mitad del turno", area="Envasado", days_ago=10)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_learnings(pilot)
        lines = list_lines(app)
        assert [line.split()[0] for line in lines] == [recent.id, middle.id, late.id]
        assert "20/11/2026" in lines[0] and "11/11/2026" in lines[1] and "22/09/2026" in lines[2]
        assert not re.search(r"\d{4}-\d\d-\d\d", "\n".join(lines))
        filters = str(app.screen.query_one("#learn-filters", Static).render())
        assert filters.startswith("Tipo: todos · Área: todas · Estado: todos")  # areas are feminine
        await pilot.press("f2")  # English: ISO, still newest event first
        await wait_for(pilot, lambda: "2026-11-20" in list_lines(app)[0])


async def test_a_wide_kiosk_shows_more_of_each_record(make_app, repo):
    text = ("Se trabó la etiquetadora de la línea 2 al cambiar el rollo y salieron 40 cajas sin etiqueta "
            "hacia el depósito")
    report(repo, text)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_learnings(pilot)
        assert text in list_lines(app)[0]
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: list_lines(app)[0].endswith("…"))
        assert len(list_lines(app)[0].splitlines()[1]) == 3 + 64


def test_search_orders_by_when_it_happened_then_newest_filed(repo):
    """The storage side of item 41: every page, with or without words, newest event first;
    records that happened at the same moment, the last filed first."""
    a = report(repo, "Cinta 1 trabada", days_ago=3)
    b = report(repo, "Cinta 2 trabada", days_ago=40)
    c = report(repo, "Cinta 3 trabada", days_ago=3)
    d = report(repo, "Cinta 4 trabada", days_ago=1)
    assert [r.id for r in repo.search("").records] == [d.id, c.id, a.id, b.id]
    assert [r.id for r in repo.search("cinta").records] == [d.id, c.id, a.id, b.id]
    assert [r.id for r in repo.search("cinta", limit=2, offset=2).records] == [a.id, b.id]
    repo.build_search_index()
    e = report(repo, "Cinta 5 trabada", days_ago=20)  # after the index was built
    assert [r.id for r in repo.search("trabada").records] == [d.id, c.id, a.id, e.id, b.id]


# -- trends (items 18 and 19) ------------------------------------------------------------------------


def reviewed(repo, what: str, categories: tuple[str, ...], *, area="Inyección"):
    record = report(repo, what, area=area, days_ago=35)
    review = Review(what_happened=what, why=tuple(Condition(f"Condición {c}", c) for c in categories),
                    action=Action("Colgar un gancho de destrabe", "Mantenimiento", "2026-11-10"),
                    follow_up_date="2026-11-20", draft=True)
    done = finish_review(review, by="Marta Ruiz", now=NOW - timedelta(days=30), follow_up_days=30)
    return repo.finish_review(record.id, done, by="Marta Ruiz", share_days=30)


def chart_lines(app) -> list[str]:
    return str(app.screen.query_one("#charts", Static).render()).splitlines()


def assert_whole(lines: list[str], label: str, glyphs: str) -> None:
    """``label`` is whole, in the label column, with a space before its chart."""
    pattern = re.compile(rf"^  {re.escape(label)} +[{glyphs}]")
    assert any(pattern.match(line) for line in lines), (label, lines)


async def test_trends_labels_are_whole_and_apart_from_the_bars_in_both_languages(make_app, repo):
    long_area = "Mantenimiento eléctrico y automatización de la planta 2"  # wider than any column
    reviewed(repo, "Se trabó la matriz 4", ("process", "information", "workload"))
    reviewed(repo, "Se trabó la matriz 5", ("process", "training", "equipment"))
    reviewed(repo, "Se cortó la luz", ("process", "environment"), area=long_area)
    for n, (kind, area) in enumerate((("near_miss", "Envasado"), ("surprise", "Depósito"), ("win", "Calidad"),
                                      ("near_miss", "Matricería"), ("surprise", "Logística"))):
        report(repo, f"Algo pasó en {area}, vez {n}", kind=kind, area=area, days_ago=n + 2)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_learnings(pilot)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.trends is not None)
        lines = chart_lines(app)
        for label in ("Proceso o procedimiento", "Información o comunicación", "Carga de trabajo o tiempo",
                      "Formación o conocimiento", "Equipos o herramientas", "Entorno"):
            assert_whole(lines, label, "█")
        assert_whole(lines, "Inyección", "·░▒▓█")
        # The long area wraps, its words all there, and no line is wider than the screen.
        assert "Mantenimiento eléctrico" in "\n".join(lines) and "planta 2" in "\n".join(lines)
        assert max(len(line) for line in lines) <= 76
        scroll = app.screen.query_one("#trends-scroll")
        await pilot.press("pagedown")  # at 80x24 the conditions are below: a page down shows them
        await wait_for(pilot, lambda: scroll.scroll_y > 0)
        await pilot.press("f2")
        await wait_for(pilot, lambda: "By kind" in chart_lines(app))
        lines = chart_lines(app)
        for label in ("Process or procedure", "Information or communication", "Workload or time",
                      "Training or knowledge", "Equipment or tools", "Environment"):
            assert_whole(lines, label, "█")
        assert max(len(line) for line in lines) <= 76


async def test_a_weak_signal_says_how_many_it_does_not_list(make_app, repo):
    made = [report(repo, f"Casi se cae una caja en Calidad, vez {n}", kind="near_miss", area="Calidad", days_ago=n)
            for n in range(7)]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_learnings(pilot)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.trends is not None)
        signals = str(app.screen.query_one("#signals", Static).render())
        assert "Calidad: 7 sorpresas o casi accidentes en 30 días" in signals
        assert "y 3 más)" in signals and made[0].id in signals and made[6].id not in signals
        await pilot.press("f2")
        await wait_for(pilot, lambda: "and 3 more)" in str(app.screen.query_one("#signals", Static).render()))
