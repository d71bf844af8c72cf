"""Keyboard-only tests of the review: queue → four questions → summary, and its rules."""

from __future__ import annotations

from textual.events import Paste
from textual.widgets import Static

from kiosk.core.records import ReportDraft
from kiosk.core.supervisors import new_supervisor
from kiosk.screens.home import HomeScreen
from kiosk.screens.printing import PrintScreen
from kiosk.screens.review import ReviewWizard
from kiosk.screens.review_queue import ReviewQueueScreen
from tests.support.clock import NOW, FakeMonotonic
from tests.support.pilot import wait_for


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


def seed(repo):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    repo.add_supervisor(new_supervisor("Luis Díaz", "1357", admin=False, now=NOW))
    return repo.add_report(ReportDraft(kind="near_miss", area="Envasado", reporter="Ana Gómez",
                                       what_happened="Se trabó la cinta 2 y cayeron cajas", impact="Media hora"),
                           areas=None)


async def paste(pilot, text: str) -> None:
    pilot.app.screen.focused.post_message(Paste(text))
    await pilot.pause()


async def open_queue(pilot, name_keys="mar", pin="2580") -> ReviewQueueScreen:
    """Review (2) on Home, sign in, and wait for the queue to list its records."""
    app = pilot.app
    await pilot.press("2")
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press(*name_keys, "enter", *pin, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewQueueScreen) and app.screen.records)
    return app.screen


async def open_review(pilot, name_keys="mar", pin="2580") -> ReviewWizard:
    app = pilot.app
    await open_queue(pilot, name_keys, pin)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewWizard))
    return app.screen


async def answer_until_change(pilot) -> None:
    """Question 1 as prefilled; one condition; the optional pair skipped; question 3 as is."""
    await pilot.press("enter")  # question 1 → 2
    await paste(pilot, "El rodillo de retorno no tiene guarda")
    await pilot.press("enter")  # choose a category
    await wait_for(pilot, lambda: pilot.app.screen.choosing_category)
    await pilot.press("down", "enter")  # equipment
    await pilot.press("enter")  # empty condition: on to the optional pair
    await pilot.press("enter", "enter")  # both empty: question 3
    await pilot.press("enter")  # question 3 → 4


async def fill_change(pilot, action="Instalar una guarda en el rodillo de retorno", owner="Mantenimiento",
                      deadline="2026-12-01") -> None:
    await paste(pilot, action)
    await pilot.press("enter")
    await paste(pilot, owner)
    await pilot.press("enter")
    await paste(pilot, deadline)
    await pilot.press("enter", "enter", "enter", "enter")  # follow-up date kept, no participants, no look-for


async def test_a_full_review_from_the_queue_to_the_summary(make_app, repo):
    record = seed(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot)
        assert "Reporte" in text_of(app) and "Se trabó la cinta 2" in text_of(app)  # the original, in view
        assert "Pregunta 1 de 4" in text_of(app)
        await answer_until_change(pilot)
        assert "Pregunta 4 de 4" in text_of(app)
        await fill_change(pilot)
        await wait_for(pilot, lambda: "El resumen en una página" in text_of(app))
        summary = text_of(app)
        assert "El rodillo de retorno no tiene guarda (Equipos o herramientas)" in summary
        assert "Responsable: Mantenimiento · Plazo: 01/12/2026 · Seguimiento: 21/12/2026" in summary
        await pilot.press("enter")
        # The review ends on its one-pager as it prints, ready for the board; Esc goes back.
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        assert "Revisión de QPC-GB8 guardada. Seguimiento el 21/12/2026." in text_of(app)
        assert "LO QUE APRENDIMOS" in text_of(app) and "Responsable: Mantenimiento" in text_of(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewQueueScreen))
    done = repo.get(record.id)
    assert done.status == "action_open" and not done.review.draft
    assert done.review.reviewed_by == "Marta Ruiz" and done.review.action.owner == "Mantenimiento"
    assert [h.what for h in done.history][-1] == "reviewed"


async def test_vague_actions_are_refused_in_spanish_and_english(make_app, repo):
    seed(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot)
        await answer_until_change(pilot)
        await fill_change(pilot, action="Tener más cuidado con la cinta")
        assert "«tener más cuidado» pide esforzarse más" in text_of(app)
        assert "Pregunta 4 de 4" in text_of(app)
        await pilot.press("f2")
        wizard = app.screen
        wizard.query_one("#a-text").value = "Be more careful"
        wizard.query_one("#a-lookfor").focus()  # the last field: Enter tries to finish
        await pilot.press("enter")
        await pilot.pause()
        assert "“be more careful” asks people to try harder" in text_of(app).lower() or \
            "asks people to try harder" in text_of(app)
        assert "Question 4 of 4" in text_of(app)


async def test_a_blame_hint_is_shown_and_saving_is_still_allowed(make_app, repo):
    record = seed(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot)
        await pilot.press("enter")
        await paste(pilot, "Ana Gómez se olvidó de cerrar la guarda")
        await pilot.pause()
        assert "Sugerencia: «se olvidó, olvidó, Ana Gómez» apunta a una persona" in text_of(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.choosing_category)
        await pilot.press("enter")  # the hint never blocks
        await pilot.press("escape")  # back to question 1: the draft is saved
    await_draft = repo.get(record.id)
    assert await_draft.review.why[0].text == "Ana Gómez se olvidó de cerrar la guarda"


async def test_a_deadline_after_the_follow_up_is_refused(make_app, repo):
    seed(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot)
        await answer_until_change(pilot)
        await fill_change(pilot, deadline="2027-01-15")
        assert "El plazo no puede ser posterior a la fecha de seguimiento (21/12/2026)" in text_of(app)


async def test_back_and_forward_keep_every_answer(make_app, repo):
    seed(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        wizard = await open_review(pilot)
        await answer_until_change(pilot)
        await paste(pilot, "Instalar una guarda")
        for _ in range(3):  # question 4 → 3 → the optional pair → the conditions
            await pilot.press("escape")
        assert "Pregunta 2 de 4" in text_of(app)
        first = wizard.query_one("#conditions").get_option_at_index(0)
        assert "El rodillo de retorno no tiene guarda" in str(first.prompt)
        for _ in range(4):  # empty condition → the pair (two fields) → question 3 → 4
            await pilot.press("enter")
        assert "Pregunta 4 de 4" in text_of(app)
        assert wizard.query_one("#a-text").value == "Instalar una guarda"


async def test_idle_sign_out_keeps_the_draft_and_another_supervisor_resumes_it(make_app, repo):
    record = seed(repo)
    clock = FakeMonotonic()
    app = make_app(monotonic=clock, idle_timeout=60, idle_warning=15)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot)
        await answer_until_change(pilot)
        await paste(pilot, "Instalar una guarda en la cinta 2")
        clock.advance(61)
        app.idle_tick()
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.supervisor is None)
        await wait_for(pilot, lambda: repo.get(record.id).review.action.text == "Instalar una guarda en la cinta 2")
        wizard = await open_review(pilot, name_keys="lui", pin="1357")
        assert wizard.query_one("#a-text").value == "Instalar una guarda en la cinta 2"
        assert "El rodillo de retorno" in str(wizard.query_one("#conditions").get_option_at_index(0).prompt)
    assert repo.get(record.id).status == "in_review"


async def test_a_recurrence_first_asks_why_the_change_did_not_hold(make_app, repo):
    from kiosk.core import ids

    seed(repo)
    earlier = repo.import_doc({
        "id": ids.encode(50), "kind": "error", "area": "Envasado", "status": "closed",
        "what_happened": "La cinta 2 se trabó en marzo", "created_at": "2026-03-01T10:00:00-03:00",
        "occurred_at": "2026-03-01T09:00:00-03:00",
        "review": {"what_happened": "La cinta 2 se trabó", "draft": False, "follow_up_date": "2026-04-01",
                   "why": [{"text": "Rodillo sin guarda", "category": "equipment"}],
                   "action": {"text": "Instalar una guarda", "owner": "Mantenimiento", "deadline": "2026-03-20"}},
        "follow_ups": [{"at": "2026-04-01T10:00:00-03:00", "by": "Marta Ruiz", "done": "yes", "worked": "yes"}],
    })
    again = repo.import_doc({
        "id": ids.encode(60), "kind": "near_miss", "area": "Envasado", "what_happened": "Otra vez se trabó la cinta 2",
        "created_at": "2026-11-20T10:00:00-03:00", "occurred_at": "2026-11-20T09:00:00-03:00",
        "links": [{"id": earlier.id, "rel": "recurrence_of"}],
    })
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_queue(pilot, name_keys="")
        index = [r.id for r in app.screen.records].index(again.id)
        app.screen.query_one("#queue-list").highlighted = index
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewWizard))
        assert "¿Por qué no se sostuvo el cambio?" in text_of(app)
        assert "Su cambio «Instalar una guarda» se cerró como que funcionó" in text_of(app)
        await pilot.press("enter")
        assert "Primero contá por qué no se sostuvo" in text_of(app)
        await paste(pilot, "La guarda se sacó para limpiar y nadie tenía cómo volver a fijarla")
        await pilot.press("enter")
        assert "Pregunta 1 de 4" in text_of(app)
        await answer_until_change(pilot)
        await fill_change(pilot, action="Poner tornillos de apriete manual en la guarda")
        await wait_for(pilot, lambda: "El resumen en una página" in text_of(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen))
    note = "La guarda se sacó para limpiar y nadie tenía cómo volver a fijarla"
    assert repo.get(again.id).review.recurrence_note == note
    stored = repo.get(earlier.id)
    assert stored.review.recurrence_note == f"{again.id}: {note}"
    assert stored.history[-1].what == "recurrence_noted"


async def test_a_win_is_acknowledged_shared_and_applauded_once_per_press_burst(make_app, repo):
    seed(repo)
    win = repo.add_report(ReportDraft(kind="win", area="Matricería", what_happened="Cambio de molde en 9 minutos",
                                      reporter="Juan Pérez"), areas=None)
    clock = FakeMonotonic()
    app = make_app(monotonic=clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_queue(pilot, name_keys="")
        app.screen.query_one("#queue-list").highlighted = [r.id for r in app.screen.records].index(win.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Reconocer un logro" in text_of(app))
        assert "Juan Pérez" in text_of(app)  # walk item 40: whom to thank
        await paste(pilot, "El carro de moldes quedó preparado la noche anterior")
        await pilot.press("enter")
        await paste(pilot, "Preparar el carro de moldes antes del cambio")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewQueueScreen))
        stored = repo.get(win.id)
        assert stored.status == "shared" and stored.review.win_note.startswith("El carro de moldes")
        assert stored.look_for.until == "2026-12-21"
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Prestá atención: Preparar el carro de moldes" in text_of(app))
        await wait_for(pilot, lambda: "Logro: Matricería" in text_of(app))
        await pilot.press("a", "a", "a")  # one burst: one applause
        await wait_for(pilot, lambda: repo.get(win.id).applause == 1)
        clock.advance(6)
        await pilot.press("a")
        await wait_for(pilot, lambda: repo.get(win.id).applause == 2)
        await pilot.pause(0.2)
        assert repo.get(win.id).applause == 2


async def test_participants_can_be_just_a_count(make_app, repo):
    record = seed(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot)
        await answer_until_change(pilot)
        await paste(pilot, "Instalar una guarda en el rodillo de retorno")
        await pilot.press("enter")
        await paste(pilot, "Mantenimiento")
        await pilot.press("enter")
        await paste(pilot, "2026-12-01")
        await pilot.press("enter", "enter")
        await paste(pilot, "6")
        await pilot.press("enter", "enter")  # participants, then no look-for
        await wait_for(pilot, lambda: "Participantes: 6" in text_of(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen))
    review = repo.get(record.id).review
    assert review.participant_count == 6 and review.participants == ()


async def test_hostile_and_huge_answers_are_stored_clean_shown_literally_and_clipped_with_a_message(make_app, repo):
    record = seed(repo)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot)
        await pilot.press("enter")
        await paste(pilot, "[@click=app.quit]x[/] guarda\x1b]52;c;QUJD\x07 floja\x9b2J")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.choosing_category)
        await pilot.press("enter", "enter", "enter", "enter", "enter")
        await paste(pilot, "Instalar " + "x" * 5000)  # far over the action's budget
        await pilot.pause()
        assert any("quedaron afuera" in n.message for n in app._notifications)
        assert len(app.screen.query_one("#a-text").value) == 200
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Pregunta 3 de 4" in text_of(app))
        assert app.is_running
    why = repo.get(record.id).review.why[0].text
    assert why == "[@click=app.quit]x[/] guarda]52;c;QUJD floja2J"
