"""The review as the December walk found it at 80x24 (walk items 2–6, 9–11, 15, 27, 32): each
test failed before its fix."""

from __future__ import annotations

from kiosk.core.records import ReportDraft
from kiosk.widgets.inputs import KioskInput, KioskOptionList, ReportTextArea
from tests.flows.test_review_screens import answer_until_change, open_review, paste, seed, text_of
from tests.support.pilot import type_text, wait_for


async def test_additions_to_a_prefilled_answer_go_at_its_end(make_app, repo):
    record = seed(repo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_review(pilot)
        await type_text(pilot, ". Turno tarde")
        assert wizard.query_one("#r-what", ReportTextArea).text == (
            "Se trabó la cinta 2 y cayeron cajas\nMedia hora. Turno tarde")
        await pilot.press("escape")
    await wait_for(pilot, lambda: repo.get(record.id).review is not None)


async def test_dates_are_typed_and_shown_the_local_way(make_app, repo):
    record = seed(repo)  # the fixed clock says 21/11/2026
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_review(pilot)
        await answer_until_change(pilot)
        assert wizard.query_one("#a-followup", KioskInput).value == "21/12/2026"
        await paste(pilot, "Instalar una guarda en el rodillo de retorno")
        await pilot.press("enter")
        await paste(pilot, "Mantenimiento")
        await pilot.press("enter")
        await type_text(pilot, "31/02/2026")
        await pilot.press("enter", "enter", "enter", "enter")
        # Refused with a future example written the same way, and the cursor back on the date.
        assert "Plazo tiene que ser una fecha, p. ej. 05/12/2026." in text_of(app)
        assert app.focused is wizard.query_one("#a-deadline")
        app.focused.value = ""
        await type_text(pilot, "15/12")  # day and month: the next 15 December
        await pilot.press("enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: "El resumen en una página" in text_of(app))
        assert "Plazo: 15/12/2026 · Seguimiento: 21/12/2026" in text_of(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not repo.get(record.id).review.draft)
    review = repo.get(record.id).review
    assert (review.action.deadline, review.follow_up_date) == ("2026-12-15", "2026-12-21")


async def test_an_error_puts_the_cursor_on_its_field_in_view(make_app, repo):
    seed(repo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_review(pilot)
        await answer_until_change(pilot)
        await paste(pilot, "Tener más cuidado con la cinta")
        await pilot.press("enter")
        await paste(pilot, "Mantenimiento")
        await pilot.press("enter")
        await type_text(pilot, "01/12/2026")
        await pilot.press("enter", "enter", "enter", "enter")  # on to the last field, then finish
        await pilot.pause()
        action = wizard.query_one("#a-text")
        assert "pide esforzarse más" in text_of(app)
        assert app.focused is action
        step = wizard.query_one("#step-change")
        assert step.scroll_y <= action.virtual_region.y  # scrolled back up to it


async def walk_to_summary(pilot, look_for: str = "") -> None:
    await answer_until_change(pilot)
    await paste(pilot, "Instalar una guarda en el rodillo de retorno")
    await pilot.press("enter")
    await paste(pilot, "Mantenimiento")
    await pilot.press("enter")
    await type_text(pilot, "01/12/2026")
    await pilot.press("enter", "enter", "enter")
    if look_for:
        await paste(pilot, look_for)
    await pilot.press("enter")


async def test_the_summary_scrolls_with_the_arrows_at_once_and_reads_as_a_page(make_app, repo):
    seed(repo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_review(pilot)
        await walk_to_summary(pilot)
        await wait_for(pilot, lambda: "El resumen en una página" in text_of(app))
        summary = str(wizard.query_one("#review-summary").render())
        assert "##" not in summary and "**" not in summary and "- **" not in summary
        assert "¿QUÉ VAMOS A CAMBIAR?" in summary
        scroller = wizard.query_one("#step-summary")
        assert scroller.max_scroll_y > 0  # at 80x24 the page is longer than the screen
        await pilot.press("down", "down")
        assert scroller.scroll_y == 2
        await pilot.press("pagedown", "pagedown", "pagedown")
        assert scroller.scroll_y == scroller.max_scroll_y
        await pilot.press("up")
        assert scroller.scroll_y == scroller.max_scroll_y - 1


async def test_the_look_for_line_is_kept_with_the_draft_and_shown_before_finishing(make_app, repo):
    record = seed(repo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_review(pilot)
        await answer_until_change(pilot)
        wizard.query_one("#a-lookfor").focus()
        await pilot.pause()
        await paste(pilot, "la rebaba del molde 14 al arrancar")
        for _ in range(5):
            await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen_stack[-1] is not wizard)
        await wait_for(pilot, lambda: repo.get(record.id).review.look_for == "la rebaba del molde 14 al arrancar")
        await pilot.press("enter")  # the same record again, from the queue
        await wait_for(pilot, lambda: app.screen is not wizard and hasattr(app.screen, "review"))
        wizard = app.screen
        assert wizard.query_one("#a-lookfor", KioskInput).value == "la rebaba del molde 14 al arrancar"
        await answer_until_change(pilot)
        await walk_to_summary_from_change(pilot)
        await wait_for(pilot, lambda: "El resumen en una página" in text_of(app))
        assert "la rebaba del molde 14 al arrancar" in str(wizard.query_one("#review-summary").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: not repo.get(record.id).review.draft)
    done = repo.get(record.id)
    assert done.look_for.text == "la rebaba del molde 14 al arrancar" and done.review.look_for == ""


async def walk_to_summary_from_change(pilot) -> None:
    await paste(pilot, "Instalar una guarda en el rodillo de retorno")
    await pilot.press("enter")
    await paste(pilot, "Mantenimiento")
    await pilot.press("enter")
    await type_text(pilot, "01/12/2026")
    await pilot.press("enter", "enter", "enter", "enter")


async def test_a_sitting_of_drafts_is_one_history_line(make_app, repo):
    record = seed(repo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot)
        await answer_until_change(pilot)
        for _ in range(2):  # back to question 1 and forward to question 4: nine draft saves
            await pilot.press("escape", "escape", "escape", "escape")
            await pilot.press("enter", "enter", "enter", "enter", "enter")
            assert "Pregunta 4 de 4" in text_of(app)
        await pilot.press("escape", "escape", "escape", "escape", "escape")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ReviewQueueScreen")
    await wait_for(pilot, lambda: repo.get(record.id).review is not None)
    whats = [h.what for h in repo.get(record.id).history]
    assert whats.count("review_draft_saved") == 1, whats


async def first_condition(pilot, wizard) -> None:
    """From Q1 to Q2, a condition typed, its list of kinds open."""
    await pilot.press("enter")
    await paste(pilot, "Falta la guarda del rodillo")
    await pilot.press("enter")
    await wait_for(pilot, lambda: wizard.choosing_category)


async def test_every_condition_chooses_its_kind_from_the_top_of_the_list_in_view(make_app, repo):
    seed(repo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_review(pilot)
        await first_condition(pilot, wizard)
        await pilot.press(*["down"] * 5, "enter")
        await paste(pilot, "El sensor no avisa")
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.choosing_category)
        categories = wizard.query_one("#categories", KioskOptionList)
        assert categories.highlighted == 0
        await pilot.pause()
        top, bottom = categories.scroll_y, categories.scroll_y + categories.scrollable_content_region.height
        assert top <= 0 < bottom
        region = categories.screen.find_widget(categories).region
        assert region.y + region.height <= 23  # the list is on the screen, above the footer


async def test_the_conditions_list_is_reached_with_tab_and_enter_on_it_goes_on(make_app, repo):
    seed(repo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_review(pilot)
        await first_condition(pilot, wizard)
        await pilot.press("enter")
        assert app.focused is wizard.query_one("#condition-text")
        await pilot.press("tab")
        assert app.focused is wizard.query_one("#conditions")
        await pilot.press("enter")
        assert "Práctica" in text_of(app) or "procedimiento" in text_of(app).lower()


def test_the_reviewed_what_happened_is_the_one_every_page_shows():
    from dataclasses import replace

    from kiosk.core.records import Record, Review
    from kiosk.views.onepage import as_markdown, as_text, one_page

    record = Record(id="QPC-GB8", kind="error", area="Inyección", what_happened="Salieron piezas con rebaba",
                    impact="20 piezas", created_at="2026-11-21T10:00:00-03:00",
                    occurred_at="2026-11-21T10:00:00-03:00")
    reviewed = replace(record, review=Review(what_happened="Salieron piezas con rebaba. Turno tarde, molde 14.",
                                             draft=False))
    for page in (as_text(one_page(reviewed)), as_markdown(one_page(reviewed, show_reporter=False))):
        assert "Turno tarde, molde 14." in page
    assert "20 piezas" in as_text(one_page(record))  # before the review: the report as it came


def test_records_already_tied_to_this_one_are_not_suggested_again(repo):
    from kiosk.views.seen import look_up

    first = repo.add_report(ReportDraft(kind="error", area="Envasado",
                                        what_happened="Se trabó la cinta 2 y cayeron cajas al piso"), areas=None)
    again = repo.add_report(ReportDraft(kind="error", area="Envasado",
                                        what_happened="La cinta 2 trabada otra vez, cayeron cajas al piso"),
                            areas=None, same_as=first.id)
    other = repo.add_report(ReportDraft(kind="error", area="Envasado",
                                        what_happened="Cinta 2 trabada y cajas al piso en el turno noche"), areas=None)
    text = first.what_happened
    offered = [s.id for s in look_up(repo, text, area="Envasado", exclude=first.id)]
    assert again.id not in offered and other.id in offered
    assert other.id not in [s.id for s in look_up(repo, text, area="Envasado", exclude=first.id,
                                                  linked=frozenset({other.id}))]


async def test_the_review_queue_uses_the_height_of_the_screen(make_app, repo):
    # Walk item 16: 17 waiting, 5 shown in a 10-row list with 10 empty rows under it.
    seed(repo)
    for n in range(16):
        repo.add_report(ReportDraft(kind="error", area="Calidad", what_happened=f"Un lote salió sin control {n}"),
                        areas=None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        from tests.flows.test_review_screens import open_queue

        queue = await open_queue(pilot)
        await pilot.pause()
        listed = queue.query_one("#queue-list")
        assert listed.region.height >= 18  # of 24 rows: the title and the footer take the rest
