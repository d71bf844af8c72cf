"""The review rules and their storage: drafts that survive, the one-action contract."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kiosk.core.records import Action, Condition, ReportDraft, Review, ValidationError
from kiosk.core.reviewing import BUDGETS, finish_review, start_review
from tests.support.clock import NOW


def report(repo, text="La cinta 2 se trabó y cayeron cajas al piso", kind="near_miss"):
    return repo.add_report(ReportDraft(kind=kind, area="Envasado", what_happened=text, impact="Media hora"), areas=None)


def complete(review: Review, **action) -> Review:
    values = {"text": "Instalar un sensor de atasco en la cinta 2", "owner": "Mantenimiento",
              "deadline": (NOW.date() + timedelta(days=10)).isoformat(), **action}
    return replace(review, why=(Condition("El rodillo de retorno no tiene guarda", "equipment"),),
                   action=Action(**values))


def test_start_prefills_from_the_report(repo):
    record = report(repo)
    draft = start_review(record)
    assert draft.draft and draft.what_happened == "La cinta 2 se trabó y cayeron cajas al piso\nMedia hora"


def test_the_one_action_contract():
    base = start_review(replace_record())
    finished = finish_review(complete(base), by="Marta", now=NOW, follow_up_days=30)
    assert not finished.draft and finished.follow_up_date == "2026-12-21" and finished.reviewed_by == "Marta"
    cases = [
        (complete(base, text="Tener más cuidado con la cinta"), "action", "vague"),
        (complete(base, text="Be more careful"), "action", "vague"),
        (complete(base, owner=""), "owner", "required"),
        (complete(base, deadline=NOW.date().isoformat()), "deadline", "not_after_today"),
        (complete(base, deadline="2027-01-05"), "deadline", "after_follow_up"),
        (complete(base, deadline="pronto"), "deadline", "bad_date"),
        (replace(complete(base), why=()), "why", "required"),
        (replace(complete(base), what_happened="x" * (BUDGETS["what_happened"] + 1)), "what_happened", "too_long"),
    ]
    for review, field, code in cases:
        with pytest.raises(ValidationError) as error:
            finish_review(review, by="Marta", now=NOW, follow_up_days=30)
        assert (error.value.field, error.value.code) == (field, code)


def replace_record():
    from kiosk.core import ids
    from kiosk.core.records import new_record

    return new_record(ReportDraft(kind="error", area="A", what_happened="Algo pasó en la línea"),
                      record_id=ids.encode(1), now=NOW)


def test_drafts_survive_reopening_and_finishing_opens_the_action(repo, data_dir):
    from kiosk.storage import open_repository
    from tests.support.clock import fixed_clock

    record = report(repo)
    assert [r.id for r in repo.review_queue()] == [record.id]
    draft = complete(start_review(record))
    repo.save_review_draft(record.id, draft, by="Marta")
    repo.close()
    repo = open_repository(data_dir, clock=fixed_clock)
    try:
        stored = repo.get(record.id)
        assert stored.status == "in_review" and stored.review.draft and stored.review.why == draft.why
        assert start_review(stored) == stored.review  # resumed by anyone
        finished = finish_review(stored.review, by="Luis", now=NOW, follow_up_days=30)
        done = repo.finish_review(record.id, finished, by="Luis")
        assert done.status == "action_open" and repo.review_queue() == []
        assert [h.what for h in done.history] == ["reported", "review_draft_saved", "reviewed"]
        assert repo.home_counts(NOW.date() + timedelta(days=30)).follow_ups_due == 1
    finally:
        repo.close()


def test_queue_is_oldest_first_with_wins_to_acknowledge(repo):
    first = report(repo, "Primera cosa que pasó en la línea")
    win = repo.add_report(ReportDraft(kind="win", area="Envasado", what_happened="Un cambio muy rápido"), areas=None)
    second = report(repo, "Segunda cosa que pasó en la línea")
    assert [r.id for r in repo.review_queue()] == [first.id, win.id, second.id]
    repo.acknowledge_win(win.id, note="El kit estaba listo", look_for="", share_days=30, by="Marta")
    assert [r.id for r in repo.review_queue()] == [first.id, second.id]
    assert repo.get(win.id).status == "acknowledged"
