"""Wins as rules (pure Python): a win needs no action, only an acknowledgement, maybe a look-for
line that shares it with every team, and applause from anyone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from kiosk.core.records import (
    HistoryEntry,
    Kind,
    LookFor,
    Record,
    Review,
    Status,
    ValidationError,
    record_from_doc,
    record_to_doc,
    with_history,
)

#: Who applauds: anyone on the floor, without signing in.
OPERATOR = "operator"


def _only_wins(record: Record) -> None:
    if record.kind != Kind.WIN:
        raise ValidationError("kind", "unknown", value=record.kind)


def acknowledge(record: Record, *, note: str, look_for: str, share_days: int, by: str, now: datetime) -> Record:
    """The supervisor acknowledges a win, with what made it work; a look-for line shares it
    with every team on Home for ``share_days`` days (the win is then ``shared``)."""
    _only_wins(record)
    review = Review(win_note=note, reviewed_by=by, reviewed_at=now.isoformat(timespec="seconds"), draft=False)
    shared = None
    if look_for.strip():
        shared = LookFor(text=look_for, until=(now.date() + timedelta(days=share_days)).isoformat())
    status = Status.SHARED if shared else Status.ACKNOWLEDGED
    changed = record_from_doc(record_to_doc(replace(record, review=review, look_for=shared, status=status)))
    fields = ("review", "status") + (("look_for",) if shared else ())
    return with_history(changed, HistoryEntry(at=now.isoformat(timespec="seconds"), by=by,
                                              what="shared" if shared else "acknowledged", fields=fields))


def applaud(record: Record, *, now: datetime) -> Record:
    """One more applause for a win."""
    _only_wins(record)
    return with_history(replace(record, applause=record.applause + 1),
                        HistoryEntry(at=now.isoformat(timespec="seconds"), by=OPERATOR, what="applauded",
                                     fields=("applause",)))
