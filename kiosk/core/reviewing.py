"""The four-question review as rules (pure Python): budgets, drafts, and the one-action contract.

A review starts as a draft prefilled from the report, is saved at every step, and is finished
only when it has at least one contributing condition and exactly one concrete action with an
owner and a deadline after today, not after the follow-up date (review date + follow-up days).
:func:`keep_draft` and :func:`conclude` give the records to store; the repository stores them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from kiosk.core.records import (
    LOOK_FOR_MAX,
    Action,
    Condition,
    HistoryEntry,
    LookFor,
    Record,
    Review,
    Status,
    ValidationError,
    record_from_doc,
    record_to_doc,
    with_history,
)
from kiosk.core.review_rules import vague_phrase
from kiosk.core.text import clean_text

#: Characters per answer, so that the whole review fits one printed page and one 80 mm slip.
BUDGETS = {
    "recurrence_note": 300,
    "what_happened": 500,
    "condition": 160,
    "work_as_imagined": 200,
    "work_as_done": 200,
    "what_we_did": 300,
    "action": 200,
    "owner": 60,
}
MAX_CONDITIONS = 5


def start_review(record: Record) -> Review:
    """The draft a supervisor starts from: the report's own words, or the draft already saved."""
    if record.review is not None and record.review.draft:
        return record.review
    what = record.what_happened + (f"\n{record.impact}" if record.impact else "")
    return Review(what_happened=what[: BUDGETS["what_happened"]], what_we_did=record.what_we_did, draft=True)


def change_that_held(earlier: Record | None) -> bool:
    """Was the earlier record's change closed as working? (Then its recurrence must ask why
    the change did not hold, before anything else.)"""
    return bool(
        earlier is not None and earlier.status == Status.CLOSED and earlier.review is not None
        and earlier.review.action.text and earlier.follow_ups
        and earlier.follow_ups[-1].worked == "yes"
    )


def default_follow_up(today: date, follow_up_days: int) -> str:
    return (today + timedelta(days=follow_up_days)).isoformat()


def clean_review(review: Review) -> Review:
    """Normalise every answer and check the budgets (a draft may be incomplete)."""
    def text(name: str, value: str, budget: int, multiline: bool = True) -> str:
        cleaned = clean_text(value, multiline=multiline)
        if len(cleaned) > budget:
            raise ValidationError(name, "too_long", max=budget, length=len(cleaned))
        return cleaned

    conditions = tuple(
        Condition(text("condition", c.text, BUDGETS["condition"]), c.category)
        for c in review.why if clean_text(c.text)
    )
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError("why", "too_many", max=MAX_CONDITIONS)
    return replace(
        review,
        recurrence_note=text("recurrence_note", review.recurrence_note, BUDGETS["recurrence_note"]),
        what_happened=text("what_happened", review.what_happened, BUDGETS["what_happened"]),
        why=conditions,
        work_as_imagined=text("work_as_imagined", review.work_as_imagined, BUDGETS["work_as_imagined"]),
        work_as_done=text("work_as_done", review.work_as_done, BUDGETS["work_as_done"]),
        what_we_did=text("what_we_did", review.what_we_did, BUDGETS["what_we_did"]),
        action=Action(
            text=text("action", review.action.text, BUDGETS["action"], multiline=False),
            owner=text("owner", review.action.owner, BUDGETS["owner"], multiline=False),
            deadline=review.action.deadline.strip(),
        ),
        participants=tuple(p for p in (clean_text(p)[:60] for p in review.participants) if p),
        look_for=text("look_for", review.look_for, LOOK_FOR_MAX, multiline=False),
    )


def finish_review(
    review: Review, *, by: str, now: datetime, follow_up_days: int, recurrence: bool = False
) -> Review:
    """The finished review, or ValidationError naming what is missing or not allowed.
    ``recurrence``: the record repeats a change that was closed as working, so the review must
    say why that change did not hold."""
    review = clean_review(review)
    today = now.date()
    if recurrence and not review.recurrence_note:
        raise ValidationError("recurrence_note", "required")
    if not review.what_happened:
        raise ValidationError("what_happened", "required")
    if not review.why:
        raise ValidationError("why", "required")
    follow_up = review.follow_up_date or default_follow_up(today, follow_up_days)
    check_one_action(review.action, follow_up, today)
    return replace(
        review, follow_up_date=follow_up, draft=False, reviewed_by=by,
        reviewed_at=now.isoformat(timespec="seconds"),
    )


def check_one_action(action: Action, follow_up: str, today: date) -> None:
    """The one-action contract, for a review's change and a Learning Team's: a concrete action
    (no "tener más cuidado"), one owner, a deadline after today and not after the follow-up
    date, itself after today. Raises ValidationError naming the first rule broken."""
    if not action.text:
        raise ValidationError("action", "required")
    vague = vague_phrase(action.text)
    if vague is not None:
        raise ValidationError("action", "vague", phrase=vague)
    if not action.owner:
        raise ValidationError("owner", "required")
    deadline = _date("deadline", action.deadline)
    follow_up_day = _date("follow_up_date", follow_up)
    if follow_up_day <= today:
        raise ValidationError("follow_up_date", "not_after_today")
    if deadline <= today:
        raise ValidationError("deadline", "not_after_today")
    if deadline > follow_up_day:
        raise ValidationError("deadline", "after_follow_up", follow_up=follow_up)


def _date(name: str, value: str) -> date:
    if not value:
        raise ValidationError(name, "required")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(name, "bad_date", value=value) from None


def keep_draft(record: Record, review: Review, *, by: str, now: datetime) -> Record:
    """The record with a review in progress: a report that was waiting is now in review."""
    status = Status.IN_REVIEW if record.status == Status.REPORTED else record.status
    changed = replace(record, review=replace(review, draft=True), status=status)
    entry = HistoryEntry(at=now.isoformat(timespec="seconds"), by=by, what="review_draft_saved", fields=("review",))
    last = changed.history[-1] if changed.history else None
    if last is not None and last.what == entry.what and last.by == by:
        # One line per sitting, not per question answered (walk item 11: a review wrote ~20
        # "draft saved" lines and the one-page view ran to several screens): the sitting's line
        # stays as it was, saying when it began. (It once moved on to the latest save, the one
        # place a history was rewritten: kiosks of a plant unite their histories, so a line
        # taken back at one kiosk stays at the others, and the kiosks would never agree.)
        return changed
    return with_history(changed, entry)


def conclude(record: Record, review: Review, *, earlier: Record | None, by: str, now: datetime,
             look_for: str = "", share_days: int = 30) -> tuple[Record, Record | None]:
    """The record with its finished review (see :func:`finish_review`): the action is open.
    ``look_for``: a line Home shows every team for ``share_days`` days. When the record repeats
    ``earlier``, whose change was closed as working, why that change did not hold is noted on
    ``earlier`` too: it is returned changed, to be stored in the same transaction."""
    changed = replace(record, review=replace(review, look_for=""), status=Status.ACTION_OPEN)
    if look_for.strip():
        until = (now.date() + timedelta(days=share_days)).isoformat()
        # Through a document and back: the line is cleaned and checked like an import.
        changed = record_from_doc(record_to_doc(replace(changed, look_for=LookFor(text=look_for, until=until))))
    stamp = now.isoformat(timespec="seconds")
    fields = ("review", "status") + (("look_for",) if changed.look_for else ())
    changed = with_history(changed, HistoryEntry(at=stamp, by=by, what="reviewed", fields=fields))
    if earlier is None or earlier.review is None or not review.recurrence_note:
        return changed, None
    note = f"{record.id}: {review.recurrence_note}"
    old_note = earlier.review.recurrence_note
    joined = f"{old_note}\n{note}" if old_note else note
    noted = replace(earlier, review=replace(earlier.review, recurrence_note=joined))
    noted = with_history(noted, HistoryEntry(at=stamp, by=by, what="recurrence_noted",
                                             fields=("review.recurrence_note",)))
    return changed, noted
