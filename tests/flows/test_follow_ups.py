"""Follow-ups: date boundaries with a fixed clock, each outcome keyboard-only, and a reopened
cycle arriving in the review queue with the previous action and follow-up shown."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from textual.widgets import Static

from kiosk.core.following import apply_follow_up, due_state
from kiosk.core.records import Action, Condition, FollowUp, HistoryEntry, ReportDraft, Review, ValidationError
from kiosk.core.reviewing import finish_review
from kiosk.core.supervisors import new_supervisor
from kiosk.screens.follow_ups import FollowUpQueueScreen, FollowUpScreen
from kiosk.screens.review import ReviewWizard
from kiosk.screens.review_queue import ReviewQueueScreen
from tests.support.clock import NOW
from tests.support.pilot import wait_for

TODAY = NOW.date()


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


def reviewed(repo, follow_up: str, *, area="Inyección", text="Se trabó la matriz 4 al arrancar"):
    """A record whose review set its follow-up on ``follow_up`` (ISO date)."""
    record = repo.add_report(ReportDraft(kind="error", area=area, what_happened=text), areas=None)
    review = Review(what_happened=text, why=(Condition("No hay herramienta de destrabe", "equipment"),),
                    action=Action("Colgar un gancho de destrabe junto a la máquina 4", "Mantenimiento",
                                  (date.fromisoformat(follow_up) - timedelta(days=1)).isoformat()),
                    follow_up_date=follow_up, draft=True)
    at = datetime.combine(date.fromisoformat(follow_up) - timedelta(days=30), NOW.timetz())
    done = finish_review(review, by="Marta Ruiz", now=at, follow_up_days=30)
    assert done.follow_up_date == follow_up
    return repo.finish_review(record.id, done, by="Marta Ruiz")


# -- dates -----------------------------------------------------------------------------------


def test_due_today_overdue_by_one_day_upcoming_and_later(repo):
    today = reviewed(repo, "2026-11-21")
    overdue = reviewed(repo, "2026-11-20")
    upcoming = reviewed(repo, "2026-11-28")
    later = reviewed(repo, "2026-11-29")
    assert [due_state(r, TODAY) for r in (today, overdue, upcoming, later)] == ["today", "overdue", "upcoming", None]
    queue = repo.follow_up_queue(TODAY)
    assert [(state, r.id) for state, r in queue] == [("overdue", overdue.id), ("today", today.id),
                                                     ("upcoming", upcoming.id)]
    counts = repo.home_counts(TODAY)
    assert (counts.follow_ups_due, counts.follow_ups_overdue) == (1, 1)


def test_on_its_day_a_follow_up_is_marked_due_once_and_can_still_be_closed_or_extended(repo):
    today, overdue, later = reviewed(repo, "2026-11-21"), reviewed(repo, "2026-11-20"), reviewed(repo, "2026-11-22")
    marked = repo.mark_follow_ups_due(NOW)
    assert sorted(r.id for r in marked) == sorted([today.id, overdue.id])
    for record in (today, overdue):
        stored = repo.get(record.id)
        assert stored.status == "follow_up_due"
        assert stored.history[-1] == HistoryEntry(at=NOW.isoformat(timespec="seconds"), by="system",
                                                  what="follow_up_due", fields=("status",))
    assert repo.get(later.id).status == "action_open"
    assert repo.mark_follow_ups_due(NOW) == []  # once
    counts = repo.home_counts(TODAY)
    assert (counts.follow_ups_due, counts.follow_ups_overdue) == (1, 1)
    assert [(state, r.id) for state, r in repo.follow_up_queue(TODAY)][:2] == [("overdue", overdue.id),
                                                                               ("today", today.id)]
    extended, _ = repo.finish_follow_up(today.id, FollowUp(at="", by="", done="partly", worked="too_early",
                                                           outcome="extended", new_date="2026-12-05",
                                                           reason="Falta el gancho"), by="Luis")
    assert extended.status == "action_open" and due_state(extended, TODAY) is None
    closed, _ = repo.finish_follow_up(overdue.id, FollowUp(at="", by="", done="yes", worked="yes", outcome="closed"),
                                      by="Luis")
    assert closed.status == "closed"


async def test_the_kiosk_marks_the_follow_ups_whose_day_has_come(make_app, repo):
    due = reviewed(repo, "2026-11-21")
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: repo.get(due.id).status == "follow_up_due")
    assert repo.get(due.id).history[-1].by == "system"


def test_an_extension_moves_the_date_and_a_closed_one_leaves_the_queue(repo):
    record = reviewed(repo, "2026-11-20")
    extended, _ = repo.finish_follow_up(record.id, FollowUp(at="", by="", done="partly", worked="too_early",
                                                             outcome="extended", new_date="2026-12-05",
                                                             reason="Falta el gancho del proveedor"), by="Luis")
    assert extended.status == "action_open" and extended.review.follow_up_date == "2026-12-05"
    assert due_state(extended, TODAY) is None and due_state(extended, date(2026, 12, 5)) == "today"
    assert extended.history[-1].what == "followed_up" and extended.follow_ups[-1].reason.startswith("Falta")
    assert repo.follow_up_queue(TODAY) == []
    closed, _ = repo.finish_follow_up(record.id, FollowUp(at="", by="", done="yes", worked="yes", outcome="closed"),
                                      by="Luis")
    assert closed.status == "closed" and len(closed.follow_ups) == 2
    assert repo.follow_up_queue(date(2026, 12, 5)) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"new_date": "2026-11-21"}, "new_date"),  # not after today
    ({"new_date": "mañana"}, "new_date"),
    ({"reason": ""}, "reason"),
    ({"done": ""}, "done"),
])
def test_an_extension_needs_a_later_date_and_a_reason(repo, changes, field):
    record = reviewed(repo, "2026-11-20")
    values = {"at": "", "by": "", "done": "partly", "worked": "too_early", "outcome": "extended",
              "new_date": "2026-12-05", "reason": "Falta el gancho", **changes}
    with pytest.raises(ValidationError) as error:
        apply_follow_up(record, FollowUp(**values), by="Luis", now=NOW, new_id="X7H-G5T")
    assert error.value.field == field


def test_a_reopen_ends_the_cycle_and_starts_a_linked_one_waiting_for_review(repo):
    record = reviewed(repo, "2026-11-21")
    old, new = repo.finish_follow_up(record.id, FollowUp(at="", by="", done="yes", worked="no", outcome="reopened",
                                                          notes="Volvió a trabarse"), by="Luis")
    assert old.status == "reopened" and old.links[-1].rel == "reopened_as" and old.links[-1].id == new.id
    assert new.status == "reported" and new.links == (new.links[0],) and new.links[0].rel == "reopened_from"
    assert new.link_token and new.link_token != old.link_token and new.reporter == ""
    assert [r.id for r in repo.review_queue()] == [new.id]
    assert repo.previous_cycle(new).id == old.id
    assert repo.home_counts(TODAY).waiting_review == 1


def test_recurrences_since_the_review_are_listed_and_more_can_be_linked(repo):
    record = reviewed(repo, "2026-11-21")
    again = repo.add_report(ReportDraft(kind="near_miss", area="Inyección", what_happened="Otra vez la matriz 4"),
                            areas=None)
    assert repo.recurrences_of(record) == []
    repo.link_recurrence(again.id, record.id, by="Luis")
    assert [r.id for r in repo.recurrences_of(record)] == [again.id]
    with pytest.raises(ValidationError):
        repo.link_recurrence(record.id, record.id, by="Luis")


# -- screens ---------------------------------------------------------------------------------


async def open_queue(pilot) -> None:
    """Home 3, Marta's PIN, and the queue with its items."""
    app = pilot.app
    await pilot.press("3")
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press(*"mar", "enter", *"2580", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen) and app.screen.items)


async def open_follow_up(pilot, record_id: str):
    app = pilot.app
    await open_queue(pilot)
    index = [r.id for _s, r in app.screen.items].index(record_id)
    app.screen.query_one("#follow-up-list").highlighted = index
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen) and app.screen.record is not None)


@pytest.fixture
def supervisors(repo):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))


async def test_home_counts_and_closing_a_follow_up_keyboard_only(make_app, repo, supervisors):
    record = reviewed(repo, "2026-11-20")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: "1 vencido · 0 vencen hoy" in text_of(app))
        await open_follow_up(pilot, record.id)
        assert "Colgar un gancho de destrabe" in text_of(app) and "1 de 4" in text_of(app)
        await pilot.press("enter")  # done: yes
        await pilot.press("enter")  # worked: yes
        assert "Ningún registro se vinculó" in text_of(app)
        await pilot.press("enter")  # nothing to link
        await pilot.press(*"Hecho y verificado", "enter")
        await pilot.press("enter")  # close
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen) and not app.screen.items)
        assert "No vence ningún seguimiento en los próximos 7 días." in text_of(app)
    stored = repo.get(record.id)
    assert stored.status == "closed" and stored.follow_ups[-1].notes == "Hecho y verificado"
    assert stored.follow_ups[-1].by == "Marta Ruiz" and stored.history[-1].what == "followed_up"


async def test_extending_asks_a_later_date_and_a_reason(make_app, repo, supervisors):
    record = reviewed(repo, "2026-11-21")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_follow_up(pilot, record.id)
        await pilot.press("down", "enter", "down", "enter", "enter", "enter")  # partly, too early
        await pilot.press("down", "enter")  # extend
        assert "Extender" in text_of(app)
        await pilot.press(*"2026-11-21", "enter", "enter")
        await wait_for(pilot, lambda: "tiene que ser posterior a hoy" in text_of(app))
        app.screen.query_one("#new-date").value = "2026-12-10"
        app.screen.query_one("#reason").focus()
        await pilot.press(*"Falta el gancho", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen))
    stored = repo.get(record.id)
    assert stored.review.follow_up_date == "2026-12-10" and stored.follow_ups[-1].outcome == "extended"
    assert (stored.follow_ups[-1].done, stored.follow_ups[-1].worked) == ("partly", "too_early")


async def test_a_reopened_cycle_reaches_the_review_queue_with_the_previous_action_and_follow_up(
        make_app, repo, supervisors):
    record = reviewed(repo, "2026-11-21")
    again = repo.add_report(ReportDraft(kind="near_miss", area="Inyección", what_happened="Otra vez la matriz 4"),
                            areas=None)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_follow_up(pilot, record.id)
        await pilot.press("enter", "down", "down", "enter")  # made; did not work
        await pilot.press(*again.id.lower().replace("-", ""), "enter")  # linked by its number as typed
        await wait_for(pilot, lambda: again.id in text_of(app) and "Vinculados" in text_of(app))
        await pilot.press("enter", *"Se trabó igual", "enter", "down", "down", "enter")  # reopen
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen))
        assert any("reabierto como" in str(n.message) for n in app._notifications)
        await pilot.press("escape", "2")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewQueueScreen) and app.screen.records)
        new_id = repo.get(record.id).links[-1].id
        assert "nuevo ciclo de un registro anterior" in str(app.screen.query_one("#queue-list").get_option_at_index(
            [r.id for r in app.screen.records].index(new_id)).prompt)
        app.screen.query_one("#queue-list").highlighted = [r.id for r in app.screen.records].index(new_id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewWizard))
        original = str(app.screen.query_one("#original", Static).render())
        assert f"Ciclo anterior {record.id}: «Colgar un gancho de destrabe" in original
        assert "cambio hecho · no funcionó — Se trabó igual" in original
    old = repo.get(record.id)
    assert old.status == "reopened" and old.follow_ups[-1].happened_again
    assert repo.get(new_id).history[0].what == "reopened_from"


async def test_the_follow_up_list_prints_from_the_queue(make_app, repo, supervisors):
    from pathlib import Path

    from kiosk.screens.printing import PrintScreen
    from tests.support.escpos_stream import qr_payloads

    first = reviewed(repo, "2026-11-20")
    second = reviewed(repo, "2026-11-24", area="Envasado")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_queue(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.job is not None and app.screen.job.state == "sent")
        printed = Path(app.screen.job.file).read_bytes()
    assert qr_payloads(printed) == [f"http://kiosk.local:8080/r/{r.id}?k={r.link_token}" for r in (first, second)]


async def test_an_upcoming_follow_up_opens_its_page_not_the_form(make_app, repo, supervisors):
    from kiosk.screens.record import RecordScreen

    record = reviewed(repo, "2026-11-25")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_queue(pilot)
        assert "vence en 4 días" in text_of(app) or "vence en 4 días" in str(
            app.screen.query_one("#follow-up-list").get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
        assert record.id in text_of(app)
        assert "Su seguimiento está pendiente" not in text_of(app)
