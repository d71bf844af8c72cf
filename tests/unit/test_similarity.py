"""Have we seen this before? The labelled set (same events in other words, and unseen ones)
against a year of demo records, and `kiosk similar` from the command line."""

from __future__ import annotations

import json

import pytest

from kiosk.config import Config
from kiosk.core.similarity import stem, terms
from kiosk.demo.generator import seed_demo
from tests.support.clock import NOW
from tests.support.similarity_set import SAME_EVENT, evaluate


def test_stems_meet_across_accents_plurals_and_verb_forms():
    assert stem("trabo") == stem("trabada") == stem("trabas") == "trab"
    assert terms("Se TRABÓ la cinta 2 y cayeron las cajas") == ("trab", "cint", "cayeron", "caja")
    assert terms("de la el y en") == ()


def test_the_labelled_set_is_found_and_unseen_events_get_no_suggestion(repo):
    seed_demo(repo, Config().areas, NOW.date())  # a year of other records around the pairs
    figures = evaluate(repo)
    assert figures["recall"] >= 0.9, figures
    assert figures["precision"] >= 0.8, figures
    assert figures["suggested_for_unseen"] <= 2, figures


def test_area_station_and_recency_only_nudge_the_text(repo):
    from kiosk.core.records import ReportDraft

    here = repo.add_report(ReportDraft(kind="error", area="Envasado", station="Cinta 2",
                                       what_happened="Se trabó la cinta y cayeron cajas al piso"), areas=None)
    there = repo.add_report(ReportDraft(kind="error", area="Depósito",
                                        what_happened="Se trabó la cinta y cayeron cajas al piso"), areas=None)
    matches = repo.similar("cinta trabada, cajas en el piso", area="Envasado", station="cinta 2")
    assert [m.record.id for m in matches] == [here.id, there.id]
    assert matches[0].text_score == pytest.approx(matches[1].text_score)
    assert repo.similar("cinta", area="Envasado") == []  # one word is not enough to compare


def test_kiosk_similar_prints_the_top_three_with_scores(tmp_path):
    from kiosk.storage import open_repository
    from tests.support.cli import run
    from tests.support.clock import fixed_clock

    data = tmp_path / "data"
    repo = open_repository(data, clock=fixed_clock)
    try:
        evaluate(repo)  # the earlier reports of the labelled set
    finally:
        repo.close()
    area, before, now_text = SAME_EVENT[0]
    result = run(["similar", now_text, "--area", area, "--json"], data=data)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert 1 <= len(rows) <= 3 and rows[0]["what_happened"] == before and 0 < rows[0]["score"] <= 1
    assert rows == sorted(rows, key=lambda r: -r["score"])
    plain = run(["similar", now_text, "--area", area], data=data).stdout.decode()
    assert rows[0]["id"] in plain.splitlines()[0]


async def test_a_report_that_looks_like_an_earlier_one_offers_it_and_links_it(make_app, repo):
    from textual.events import Paste
    from textual.widgets import Static

    from kiosk.core.records import ReportDraft
    from kiosk.screens.saved import SavedScreen
    from tests.support.pilot import wait_for

    earlier = repo.add_report(ReportDraft(kind="error", area="Envasado",
                                          what_happened="Se trabó la cinta 2 y cayeron cajas al piso"), areas=None)
    repo.add_report(ReportDraft(kind="error", area="Calidad", what_happened="Un lote salió sin el control final"),
                    areas=None)
    app = make_app(areas=("Envasado", "Calidad"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")  # an error, in Envasado
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "what_happened")
        app.focused.post_message(Paste("La cinta 2 otra vez trabada, se cayeron las cajas"))
        seen = app.screen.query_one("#seen-before", Static)
        await wait_for(pilot, lambda: earlier.id in str(seen.render()))
        assert "¿Ya lo vimos antes?" in str(seen.render()) and "Calidad" not in str(seen.render())
        await pilot.press("f5")
        assert f"lo mismo que {earlier.id}" in str(seen.render())
        await pilot.press("enter", "enter", "enter", "enter", "enter")  # impact, did, name, confirm, save
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        saved = app.screen.record
    assert [(link.id, link.rel) for link in repo.get(saved.id).links] == [(earlier.id, "recurrence_of")]
    assert repo.times_again(earlier.id) == 1


async def test_the_review_shows_similar_records_and_links_one(make_app, repo):
    from textual.widgets import Static

    from kiosk.core.records import ReportDraft
    from kiosk.core.supervisors import new_supervisor
    from kiosk.screens.review import ReviewWizard
    from tests.support.pilot import wait_for

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    earlier = repo.add_report(ReportDraft(kind="error", area="Envasado",
                                          what_happened="Se trabó la cinta 2 y cayeron cajas al piso"), areas=None)
    record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado",
                                         what_happened="Cinta 2 trabada otra vez, se cayeron las cajas"), areas=None)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(ReviewWizard(record))
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewWizard) and app.screen.query("#seen-before")
                       and earlier.id in str(app.screen.query_one("#seen-before", Static).render()))
        await pilot.press("f5")
        await wait_for(pilot, lambda: repo.times_again(earlier.id) == 1)
        assert "√ F5" in str(app.screen.query_one("#seen-before", Static).render())
    assert repo.get(record.id).history[-1].what == "linked"


async def test_f6_and_f7_link_the_second_and_third_suggestion_and_never_wipe_the_text(make_app, repo):
    # Walk item 1: the text area took F6 (select line) and F7 (select all): no link was made,
    # and F7 followed by any key replaced the operator's whole description.
    from textual.events import Paste
    from textual.widgets import Static

    from kiosk.core.records import ReportDraft
    from kiosk.screens.saved import SavedScreen
    from tests.support.pilot import wait_for

    earlier = [repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened=text), areas=None)
               for text in ("Se trabó la cinta 2 y cayeron cajas al piso",
                            "La cinta 2 trabada otra vez, cajas en el piso",
                            "Cinta 2 trabada: cayeron las cajas del palet")]
    app = make_app(areas=("Envasado",))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "what_happened")
        typed = "La cinta 2 se trabó y se cayeron las cajas"
        app.focused.post_message(Paste(typed))
        await wait_for(pilot, lambda: len(app.screen.seen) == 3)
        seen = [s.id for s in app.screen.seen]
        assert sorted(seen) == sorted(r.id for r in earlier)
        await pilot.press("f7")
        assert app.screen.same_as == seen[2]
        await pilot.press("f6")
        assert app.screen.same_as == seen[1]
        assert f"lo mismo que {seen[1]}" in str(app.screen.query_one("#seen-before", Static).render())
        await pilot.press("x")  # after F7 this replaced everything
        assert app.focused.text == typed + "x"
        for key in ("ctrl+u", "ctrl+k", "ctrl+x", "ctrl+shift+k", "ctrl+shift+a", "backspace"):
            await pilot.press(key)
        assert app.focused.text == typed
        await pilot.press("enter", "enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        saved = app.screen.record
    assert [(link.id, link.rel) for link in repo.get(saved.id).links] == [(seen[1], "recurrence_of")]
