"""The follow-up as rules (pure Python): when one is due, and what each outcome does.

Thirty days (``follow_up_days``) after a review the kiosk asks: was the change made, did it
work, has it happened again? On that day the kiosk marks the record ``follow_up_due``
(:func:`mark_due`). Three outcomes, each appended to the record's follow-ups and history:

- **close** — the cycle ends;
- **extend** — a new follow-up date (after today) with a reason;
- **reopen** — this cycle ends as ``reopened`` and a *new record* starts the next one: it
  waits in the review queue (``reported``), linked both ways (``reopened_as`` /
  ``reopened_from``), so its review shows the previous action and this follow-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from kiosk.core.records import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_OUTCOMES,
    FOLLOW_UP_WORKED,
    OPEN_STATUSES,
    UPCOMING_DAYS,
    FollowUp,
    HistoryEntry,
    Link,
    Outcome,
    Record,
    ReportDraft,
    Status,
    ValidationError,
    new_record,
    with_history,
)
from kiosk.core.text import clean_text

NOTES_MAX = 600
REASON_MAX = 300
#: Who marks a follow-up as due: the kiosk itself (its history says "the kiosk").
SYSTEM = "system"


def due_state(record: Record, today: date, upcoming_days: int = UPCOMING_DAYS) -> str | None:
    """'overdue', 'today', 'upcoming' (within ``upcoming_days``), or None."""
    when = record.follow_up_date
    if record.status not in OPEN_STATUSES or when is None:
        return None
    if when < today:
        return "overdue"
    if when == today:
        return "today"
    if when <= today + timedelta(days=upcoming_days):
        return "upcoming"
    return None


def is_due(record: Record, today: date) -> bool:
    return due_state(record, today) in ("overdue", "today")


def mark_due(record: Record, now: datetime) -> Record | None:
    """The record marked ``follow_up_due`` once its follow-up date has come, or None if it is
    not due (or already marked)."""
    if record.status != Status.ACTION_OPEN or not is_due(record, now.date()):
        return None
    stamp = now.isoformat(timespec="seconds")
    return with_history(replace(record, status=Status.FOLLOW_UP_DUE),
                        HistoryEntry(at=stamp, by=SYSTEM, what="follow_up_due", fields=("status",)))


def recurrences_since_review(record: Record, others: list[Record]) -> list[Record]:
    """Records linked as recurring ``record`` after its review (the answer to "has it happened
    again?" that the kiosk already knows)."""
    since = record.review.reviewed_at if record.review is not None else ""
    return [
        other for other in others
        if any(link.rel == "recurrence_of" and link.id == record.id for link in other.links)
        and other.created_at >= since
    ]


def check_follow_up(follow_up: FollowUp, today: date) -> FollowUp:
    """A cleaned follow-up, or ValidationError naming the rule it breaks."""
    if follow_up.done not in FOLLOW_UP_DONE:
        raise ValidationError("done", "required")
    if follow_up.worked not in FOLLOW_UP_WORKED:
        raise ValidationError("worked", "required")
    if follow_up.outcome not in FOLLOW_UP_OUTCOMES:
        raise ValidationError("outcome", "required")
    notes = clean_text(follow_up.notes, multiline=True)
    if len(notes) > NOTES_MAX:
        raise ValidationError("notes", "too_long", max=NOTES_MAX, length=len(notes))
    reason = clean_text(follow_up.reason, multiline=True)
    if len(reason) > REASON_MAX:
        raise ValidationError("reason", "too_long", max=REASON_MAX, length=len(reason))
    new_date = follow_up.new_date.strip()
    if follow_up.outcome == Outcome.EXTENDED:
        try:
            when = date.fromisoformat(new_date)
        except ValueError:
            raise ValidationError("new_date", "bad_date", value=new_date) from None
        if when <= today:
            raise ValidationError("new_date", "not_after_today")
        if len(reason) < 3:
            raise ValidationError("reason", "required")
    else:
        new_date = ""
    return replace(follow_up, outcome=Outcome(follow_up.outcome), notes=notes, reason=reason, new_date=new_date)


def apply_follow_up(record: Record, follow_up: FollowUp, *, by: str, now: datetime,
                    new_id: str | None = None) -> tuple[Record, Record | None]:
    """The record after this follow-up, and for a reopen the new record of the next cycle
    (``new_id`` is its number, given by the repository)."""
    if record.status not in OPEN_STATUSES or record.review is None:
        raise ValidationError("status", "unknown", value=record.status)
    follow_up = check_follow_up(follow_up, now.date())
    stamp = now.isoformat(timespec="seconds")
    follow_up = replace(follow_up, at=stamp, by=by)
    follow_ups = (*record.follow_ups, follow_up)
    entry = HistoryEntry(at=stamp, by=by, what="followed_up", fields=("follow_ups", "status"))
    if follow_up.outcome == Outcome.EXTENDED:
        review = replace(record.review, follow_up_date=follow_up.new_date)
        updated = replace(record, follow_ups=follow_ups, review=review, status=Status.ACTION_OPEN,
                          history=(*record.history, replace(entry, fields=("follow_ups", "review.follow_up_date"))))
        return updated, None
    if follow_up.outcome == Outcome.CLOSED:
        return replace(record, follow_ups=follow_ups, status=Status.CLOSED, history=(*record.history, entry)), None
    if not new_id:
        raise ValueError("a reopen needs the new record's id")
    draft = ReportDraft(kind=record.kind, area=record.area, what_happened=record.what_happened,
                        impact=record.impact, station=record.station, occurred_at=record.occurred_at)
    reopened = replace(new_record(draft, record_id=new_id, now=now, actor=by),
                       links=(Link(record.id, "reopened_from"),),
                       history=(HistoryEntry(at=stamp, by=by, what="reopened_from", fields=("links",)),))
    updated = replace(record, follow_ups=follow_ups, status=Status.REOPENED,
                      links=(*record.links, Link(new_id, "reopened_as")),
                      history=(*record.history, replace(entry, fields=("follow_ups", "status", "links"))))
    return updated, reopened


def add_recurrence(later: Record, earlier_id: str, *, by: str, now: datetime) -> Record:
    """Mark ``later`` as the same thing happening again as ``earlier_id``."""
    if later.id == earlier_id:
        raise ValidationError("id", "same_record", value=earlier_id)
    if any(link.id == earlier_id and link.rel == "recurrence_of" for link in later.links):
        return later
    stamp = now.isoformat(timespec="seconds")
    return replace(later, links=(*later.links, Link(earlier_id, "recurrence_of")),
                   history=(*later.history, HistoryEntry(at=stamp, by=by, what="linked", fields=("links",))))


def add_not_same(record: Record, other_ids: Iterable[str], *, by: str, now: datetime) -> Record:
    """Note that the suggested ``other_ids`` are not the same thing as ``record`` (a supervisor
    said so): they are not suggested for it again, and matching learns from the pair."""
    known = {link.id for link in record.links}
    new = [Link(other, "not_same") for other in dict.fromkeys(other_ids) if other != record.id and other not in known]
    if not new:
        return record
    stamp = now.isoformat(timespec="seconds")
    return replace(record, links=(*record.links, *new),
                   history=(*record.history, HistoryEntry(at=stamp, by=by, what="linked", fields=("links",))))
