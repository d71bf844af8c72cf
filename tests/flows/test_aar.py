"""An after-action review, keyboard only (Pilot): opened on an error's page with three people,
the invitations printed (their codes read back from the slip's QR codes), one account typed at
Home with its code, one scanned from its invitation, one taken by interview; sealed meanwhile
(a canary phrase on no screen, in no search, page or export); the session, then the review
prefilled from it, its one action, and the follow-up due. And a win's, which ends in its
acknowledgement."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from kiosk.app import KioskApp
from kiosk.config import Config
from kiosk.core.records import ReportDraft
from kiosk.core.supervisors import new_supervisor
from kiosk.screens.aar import AarOpenScreen, AarScreen, AccountScreen, CodeScreen
from kiosk.screens.aar_session import SessionScreen
from kiosk.screens.dialogs.confirm import ConfirmDialog
from kiosk.screens.dialogs.win import WinDialog
from kiosk.screens.home import HomeScreen
from kiosk.screens.learnings import LearningsScreen
from kiosk.screens.printing import PrintScreen
from kiosk.screens.record import RecordScreen
from kiosk.screens.review import ReviewWizard
from kiosk.storage import open_repository
from tests.support.clock import NOW
from tests.support.escpos_stream import qr_payloads
from tests.support.pilot import type_text, wait_for

CANARY = "zorzal azul"


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


@pytest.fixture
def kiosk(tmp_path: Path):
    repo = open_repository(tmp_path / "data", clock=lambda: NOW)
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    apps = []

    def build():
        app = KioskApp(config=Config(match_by_meaning=False), repo=repo, clock=lambda: NOW)
        apps.append(app)
        return app

    yield build, repo
    for app in apps:
        assert not app.recovered_errors, app.recovered_errors
    repo.close()


async def sign_in(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press(*"mar", "enter", *"2580", "enter")


async def open_with_invitations(pilot, record_id: str, names: str) -> tuple[str, list[str]]:
    """From the record's page: a, PIN, the names, then P prints the invitations; returns the
    review's id and the codes read back from the printed QR codes."""
    app = pilot.app
    app.push_screen(RecordScreen(record_id))
    await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
    await pilot.press("a")
    await sign_in(pilot)
    await wait_for(pilot, lambda: isinstance(app.screen, AarOpenScreen))
    await type_text(pilot, names)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
    assert "***-***-****" in str(app.screen.query_one("#slip", Static).render())  # no code before printing
    await pilot.press("p")
    await wait_for(pilot, lambda: app.screen.job is not None and app.screen.job.state == "sent")
    urls = qr_payloads(Path(app.screen.job.file).read_bytes())
    aar_id = app.screen.records[0]
    codes = [url.rsplit("/", 1)[1] for url in urls]
    # Once printed, the screen shows the slip as it printed: the codes, for a preview printer too.
    await wait_for(pilot, lambda: all(code in str(app.screen.query_one("#slip", Static).render()) for code in codes))
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, AarScreen) and app.screen.aar is not None)
    return aar_id, codes


async def give_account(pilot, answers: list[str], *, named: bool) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, AccountScreen) and app.screen.aar is not None)
    for answer in answers:
        await type_text(pilot, answer)
        await pilot.press("enter")
    if named:
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, AccountScreen))


async def test_an_error_three_accounts_sealed_then_the_session_then_its_review(kiosk):
    build, repo = kiosk
    record = repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened="Se trabó la cinta 2 y "
                                         "cayeron cajas al pasillo"), areas=None)
    app = build()
    async with app.run_test(size=(100, 40)) as pilot:
        aar_id, codes = await open_with_invitations(pilot, record.id, "Ana Gómez, Luis Paz, Julián Ríos")
        assert len(codes) == 3
        # The facilitator takes Julián's account in an interview (the third line, Enter).
        app.screen.query_one("#aar-people").highlighted = 2
        await pilot.press("enter")
        await give_account(pilot, ["Arrancar", "Se trabó", "Paré", "Nada", "El rodillo", "Igual"], named=False)
        assert "1 de 3 relatos recibidos" in text_of(app)
        await pilot.press("escape")  # back to the record's page
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("x")  # signed out: the rest is the participants'
        await wait_for(pilot, lambda: "relatos 1 de 3" in text_of(app))

        # Ana types her code at Home (a wrong one first: the same message as any other).
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        await type_text(pilot, "K7Q-3XH-9BCD")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "no abre nada" in text_of(app))
        box = app.screen.query_one("#aar-code")
        box.value = ""
        await type_text(pilot, codes[0].lower())
        await pilot.press("enter")
        await give_account(pilot, [f"Que la cinta no pare, {CANARY}", "Cayeron cajas", "Corrí a la seta",
                                   "La seta estaba cerca", "No había rodillos", "Pedir repuestos"], named=True)
        # Luis scans his invitation at Home: the account screen opens with his code.
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        app.look_up_scan(f"http://kiosk.local:8080/a/{codes[1]}")
        await give_account(pilot, ["Seguir", "Se trabó", "Avisé", "Nada", "El apuro", "Nada"], named=False)
        await wait_for(pilot, lambda: "relatos 3 de 3" in text_of(app))

        # Sealed: the canary is on no screen, in no search, page, slip or export.
        assert CANARY not in text_of(app)
        app.push_screen(LearningsScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, LearningsScreen))
        await type_text(pilot, "zorzal")
        await wait_for(pilot, lambda: app.screen.answered is not None and app.screen.answered[0] == "zorzal")
        assert app.screen.total == 0
        await pilot.press("escape")
        assert repo.search("zorzal").total == 0 and not repo.similar(f"{CANARY} que la cinta no pare")
        from kiosk.views.exchange import month_summary
        from kiosk.views.onepage import as_text, one_page
        from kiosk.web import page_html

        sealed = repo.get(record.id)
        assert CANARY not in as_text(one_page(sealed)) + page_html(sealed, "es_AR")
        assert CANARY not in month_summary(repo.all_records(), "2026-11", repo.teams(), repo.practice_pairs())
        app.push_screen(RecordScreen(record.id))
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
        await pilot.press("a")
        await sign_in(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, AarScreen) and app.screen.aar is not None)
        assert CANARY not in text_of(app) and "3 de 3 relatos recibidos" in text_of(app)
        for code in codes:  # a used code changes nothing yet: each may come back until the session
            assert repo.aar(aar_id).participants[codes.index(code)].code_state == "open"

        # The session: the accounts side by side, names only as chosen.
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.aar is not None
                       and app.screen.aar.phase == "session")
        shown = text_of(app)
        assert CANARY in shown and "Ana Gómez" in shown and "participante 2" in shown and "Luis Paz" not in shown
        for kind, text, accounts in (("f3", "La caja venía rota", "1 2"), ("f4", "Si había que parar antes", "1 3"),
                                     ("f5", "Parar con la seta enseguida", ""),
                                     ("f6", "No hay rodillos de repuesto", "1"),
                                     ("f7", "Repuestos en el pañol de la línea", "")):
            await pilot.press(kind)
            await type_text(pilot, text)
            await pilot.press("enter")
            await type_text(pilot, accounts)
            await pilot.press("enter")
            await wait_for(pilot, lambda: not app.screen.saving and not app.screen.query_one("#a-text").value)
        await pilot.press("f6")
        await type_text(pilot, "Ana se olvidó")
        assert "apunta a una persona" in text_of(app)
        app.screen.query_one("#a-text").value = ""
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewWizard))
        review = repo.get(record.id).review
        assert review.what_happened == "- La caja venía rota\n- Si había que parar antes"
        assert [c.text for c in review.why] == ["No hay rodillos de repuesto"] and review.participant_count == 3
        stored = repo.aar(aar_id)
        assert stored.phase == "done" and stored.facts[0].accounts == (0, 1)
        # The record keeps what the session found (never an account): page, slip, phone, export.
        kept = repo.get(record.id)
        assert kept.after_action.participants == 3 and kept.after_action.facts == ("La caja venía rota",)
        page = as_text(one_page(kept)) + page_html(kept, "es_AR")
        assert "Revisión después de la acción" in page and "La caja venía rota" in page and CANARY not in page
        # The review goes on as always: its prefilled answers, one action, and its follow-up.
        await pilot.press("enter")  # question 1, as the session wrote it
        await wait_for(pilot, lambda: app.screen.query_one("#condition-text").has_focus)
        await pilot.press("enter")  # the condition from the session is there: on
        await pilot.press("enter", "enter")  # the procedure / practice pair left empty
        await pilot.press("enter")  # question 3, as the session wrote it
        await type_text(pilot, "Rodillos de repuesto en el pañol de la línea 2")
        await pilot.press("enter")
        await type_text(pilot, "Mantenimiento")
        await pilot.press("enter")
        await type_text(pilot, "10/12/2026")
        await pilot.press("enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: "El resumen en una página" in text_of(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not repo.get(record.id).review.draft)
    reviewed = repo.get(record.id)
    assert reviewed.review.action.text == "Rodillos de repuesto en el pañol de la línea 2"
    assert reviewed.after_action is not None and reviewed.status == "action_open"
    due = repo.follow_up_queue(NOW.date() + timedelta(days=30))
    assert [(state, r.id) for state, r in due] == [("today", record.id)]
    assert {p.code_state for p in repo.aar(aar_id).participants} == {"used"}
    for code in codes:
        from kiosk.storage.aars import CodeRefused

        with pytest.raises(CodeRefused):
            repo.use_code(code)


@pytest.mark.slow  # (typed key by key, like the error's)
async def test_a_wins_review_ends_in_its_acknowledgement(kiosk):
    build, repo = kiosk
    record = repo.add_report(ReportDraft(kind="win", area="Envasado", what_happened="Cambio de formato en 12 "
                                         "minutos gracias al kit"), areas=None)
    app = build()
    async with app.run_test(size=(100, 40)) as pilot:
        aar_id, codes = await open_with_invitations(pilot, record.id, "Ana Gómez")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        await type_text(pilot, codes[0])
        await pilot.press("enter")
        await give_account(pilot, ["El cambio", "Salió", "Usé el kit", "El kit", "Nada", "El kit"], named=False)
        app.push_screen(AarScreen(aar_id))
        await wait_for(pilot, lambda: isinstance(app.screen, AarScreen) and app.screen.aar is not None)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.aar is not None
                       and app.screen.aar.phase == "session")
        for kind, text in (("f3", "El kit estaba listo"), ("f5", "Preparar el kit antes de parar")):
            await pilot.press(kind)
            await type_text(pilot, text)
            await pilot.press("enter", "enter")
            await wait_for(pilot, lambda: not app.screen.saving and not app.screen.query_one("#a-text").value)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, WinDialog))
        await pilot.press("enter")  # what made it work: prefilled
        await type_text(pilot, "Mirá si el kit está listo")
        await pilot.press("enter")
        await wait_for(pilot, lambda: repo.get(record.id).status == "shared")
    acknowledged = repo.get(record.id)
    assert acknowledged.review.win_note == "Preparar el kit antes de parar"
    assert acknowledged.look_for.text == "Mirá si el kit está listo"


async def test_guessing_codes_at_the_account_screen_hits_the_lockout(kiosk):
    from kiosk.core.aar import new_code

    build, repo = kiosk
    record = repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened="Se trabó la cinta 2 otra "
                                         "vez"), areas=None)
    _aar, codes = repo.open_aar(record.id, ["Ana Gómez"], facilitator="Marta Ruiz")
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        box = app.screen.query_one("#aar-code")
        for attempt in range(5):
            box.value = new_code()
            await pilot.press("enter")
            await wait_for(pilot, lambda: not app.screen.checking)
            if attempt < 4:
                assert "no abre nada" in text_of(app)
        assert "probá de nuevo a las 10:05" in text_of(app)
        box.value = codes[0]  # the right one too, while locked
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.screen.checking)
        assert isinstance(app.screen, CodeScreen) and "probá de nuevo a las 10:05" in text_of(app)
    assert repo.code_tries().locked_until == "2026-11-21T10:05:00-03:00"


async def test_a_session_on_a_record_already_reviewed_keeps_its_review(kiosk):
    from kiosk.core.records import Action, Condition, Review
    from kiosk.core.reviewing import finish_review

    build, repo = kiosk
    record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", what_happened="La cinta se movió "
                                         "sola con la mano adentro"), areas=None)
    done = finish_review(Review(what_happened="La cinta se movió sola", why=(Condition("Tablero lejos", "equipment"),),
                                action=Action("Tablero de bloqueo junto a la línea 5", "Mantenimiento", "2026-12-01")),
                         by="Marta Ruiz", now=NOW, follow_up_days=30)
    repo.finish_review(record.id, done, by="Marta Ruiz")
    aar, _codes = repo.open_aar(record.id, ["Ana Gómez"], facilitator="Marta Ruiz")
    repo.give_account(aar.id, 0, ("Parar", "Se movió", "Saqué la mano", "El grito", "El tablero lejos", "Nada"),
                      named=False)
    repo.open_aar_session(aar.id, by="Marta Ruiz")
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(SessionScreen(aar.id))
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.aar is not None)
        await type_text(pilot, "La cinta se movio")
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: repo.aar(aar.id).facts)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen))
    kept = repo.get(record.id)
    assert not kept.review.draft and kept.review.reviewed_by == "Marta Ruiz"
    assert kept.review.action.text == "Tablero de bloqueo junto a la línea 5" and kept.status == "action_open"
    assert kept.after_action.facts == ("La cinta se movio",)
