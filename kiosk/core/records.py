"""Records and their life: the pure-Python heart of the kiosk (no Textual, no files).

A record is one event — an error, a near miss, a surprise or a win. It later gains a review
(the four questions), follow-ups 30 days on, an optional look-for line, applause, links to
similar records, a secret link token for its QR code, and an append-only history.

Every fact that the rest of the code needs (kinds, states, text limits, categories) is defined
here once. Documents stored on disk and exported are produced by :func:`record_to_doc` and read
back by :func:`record_from_doc`, so the export format and the storage format are the same thing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from kiosk.core.text import clean_text

#: Version of the document layout; bump it and add a step to ``kiosk.storage.migrations``.
#: 2: Learning Teams (a table of their own, numbered in the records' family).
SCHEMA_VERSION = 3


class Kind(StrEnum):
    """What kind of event a record is."""

    ERROR = "error"
    NEAR_MISS = "near_miss"
    SURPRISE = "surprise"
    WIN = "win"


class Status(StrEnum):
    """Where a record is in its life. Wins follow ``reported → acknowledged → shared``; the
    rest the review cycle ``reported → in_review → action_open → follow_up_due → closed``
    (or ``reopened``, which starts a new linked record)."""

    REPORTED = "reported"
    IN_REVIEW = "in_review"
    ACTION_OPEN = "action_open"
    FOLLOW_UP_DUE = "follow_up_due"
    CLOSED = "closed"
    REOPENED = "reopened"
    ACKNOWLEDGED = "acknowledged"
    SHARED = "shared"


class Outcome(StrEnum):
    """How a follow-up ends its cycle."""

    CLOSED = "closed"
    EXTENDED = "extended"
    REOPENED = "reopened"


KINDS = tuple(Kind)
STATUSES = tuple(Status)
_KIND_OF: dict[str, Kind] = {kind.value: kind for kind in Kind}
_STATUS_OF: dict[str, Status] = {status.value: status for status in Status}
#: Reports waiting for their review (and wins waiting to be acknowledged).
WAITING_STATUSES = frozenset({Status.REPORTED, Status.IN_REVIEW})
#: Records whose one change is being carried out: they have a follow-up date.
OPEN_STATUSES = frozenset({Status.ACTION_OPEN, Status.FOLLOW_UP_DUE})

#: Categories of contributing conditions. There is deliberately no category for a person.
CONDITION_CATEGORIES = (
    "process",
    "equipment",
    "materials",
    "information",
    "environment",
    "workload",
    "training",
    "other",
)

LINK_RELATIONS = ("similar", "recurrence_of", "reopened_from", "reopened_as", "not_same", "work_item")
FOLLOW_UP_DONE = ("yes", "partly", "no")
FOLLOW_UP_WORKED = ("yes", "too_early", "no")
FOLLOW_UP_OUTCOMES = tuple(Outcome)
#: Days ahead that the follow-up queue and the follow-up list show as coming up.
UPCOMING_DAYS = 7
#: A look-for line: one line every team sees on Home.
LOOK_FOR_MAX = 200
#: The longest value a history entry keeps (a superseded review is cut to this).
HISTORY_VALUE_MAX = 600


@dataclass(frozen=True)
class Limit:
    """Length rules for one field of the quick report."""

    max_chars: int
    min_chars: int = 0

    @property
    def required(self) -> bool:
        return self.min_chars > 0


#: Per-field limits of a report; sized so a receipt and the one-page review stay one page.
REPORT_LIMITS: dict[str, Limit] = {
    "area": Limit(60, 1),
    "station": Limit(40),
    "what_happened": Limit(600, 10),
    "impact": Limit(300),
    "what_we_did": Limit(300),
    "reporter": Limit(60),
}
MULTILINE_FIELDS = frozenset({"what_happened", "impact", "what_we_did"})

#: Link tokens carry 128 bits of randomness (PITFALLS 4.3), URL-safe ASCII.
LINK_TOKEN_BYTES = 16


class ValidationError(ValueError):
    """A field breaks a rule. ``field`` names it and ``code`` says which rule, for messages."""

    def __init__(self, field_name: str, code: str, **params: Any) -> None:
        super().__init__(f"{field_name}: {code} {params or ''}".strip())
        self.field = field_name
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Condition:
    """One contributing condition of the 'why', with its category (never a person)."""

    text: str
    category: str = "other"


@dataclass(frozen=True)
class Action:
    """The one change: one concrete action, one owner, one deadline."""

    text: str = ""
    owner: str = ""
    deadline: str = ""  # ISO date


@dataclass(frozen=True)
class Review:
    """The four questions, answered by a supervisor (or a draft of them)."""

    what_happened: str = ""
    why: tuple[Condition, ...] = ()
    work_as_imagined: str = ""
    work_as_done: str = ""
    what_we_did: str = ""
    action: Action = field(default_factory=Action)
    follow_up_date: str = ""  # ISO date
    participants: tuple[str, ...] = ()
    participant_count: int = 0
    recurrence_note: str = ""
    win_note: str = ""
    #: The look-for line typed so far, kept with a draft; a finished review moves it to the
    #: record's ``look_for`` (with the date it is shown until) and leaves this empty.
    look_for: str = ""
    reviewed_by: str = ""
    reviewed_at: str = ""  # ISO datetime; empty while a draft
    draft: bool = True


@dataclass(frozen=True)
class FollowUp:
    """One check of the change, normally 30 days after the review."""

    at: str
    by: str
    done: str  # FOLLOW_UP_DONE
    worked: str  # FOLLOW_UP_WORKED
    happened_again: bool = False
    notes: str = ""
    outcome: Outcome = Outcome.CLOSED
    new_date: str = ""
    reason: str = ""


@dataclass(frozen=True)
class LookFor:
    """A one-line 'look for …' shared with every team until a date."""

    text: str
    until: str  # ISO date


@dataclass(frozen=True)
class Link:
    """A link to another record, e.g. the same thing seen before."""

    id: str
    rel: str = "similar"


@dataclass(frozen=True)
class AfterAction:
    """What an after-action review's session found, kept with its record for the one-page
    view, the slips and the exports: how many took part and the session's lines, never the
    accounts (they stay with the review)."""

    participants: int = 0
    facts: tuple[str, ...] = ()
    differ: tuple[str, ...] = ()
    sustain: tuple[str, ...] = ()
    improve: tuple[str, ...] = ()
    to_success: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """Who changed what, when. Appended, never rewritten."""

    at: str
    by: str
    what: str
    fields: tuple[str, ...] = ()
    #: What a field was set to, where the entry says so: a value that lost to a later change
    #: made at another kiosk at the same time ("changed also at kiosk X to …"). Stored only
    #: when there is one, so documents without it are as they always were.
    value: str = ""


@dataclass(frozen=True)
class Record:
    """One event and everything learned from it."""

    id: str
    kind: Kind
    area: str
    what_happened: str
    created_at: str
    occurred_at: str
    station: str = ""
    reporter: str = ""
    impact: str = ""
    what_we_did: str = ""
    status: Status = Status.REPORTED
    review: Review | None = None
    follow_ups: tuple[FollowUp, ...] = ()
    look_for: LookFor | None = None
    applause: int = 0
    links: tuple[Link, ...] = ()
    after_action: AfterAction | None = None
    link_token: str = ""
    history: tuple[HistoryEntry, ...] = ()

    @property
    def is_win(self) -> bool:
        return self.kind == Kind.WIN

    @property
    def follow_up_date(self) -> date | None:
        if self.review is None or not self.review.follow_up_date:
            return None
        return date.fromisoformat(self.review.follow_up_date)


#: Field order of exported documents: ``id`` first, then the record's fields as declared.
RECORD_FIELDS = tuple(f.name for f in fields(Record))


def new_link_token() -> str:
    return secrets.token_urlsafe(LINK_TOKEN_BYTES)


#: The shortest token of :data:`LINK_TOKEN_BYTES` random bytes in unpadded base64url (22).
LINK_TOKEN_MIN_CHARS = -(-LINK_TOKEN_BYTES * 4 // 3)
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def check_imported_token(token: Any) -> None:
    """Refuse an imported link token that is not what :func:`new_link_token` makes: unpadded
    base64url of at least 16 bytes. The token is the only secret of the record's QR link, so
    a short one can be guessed, and characters such as ``#``, ``&`` or a space cut it off or
    change it inside the URL printed on the slip (faults report D15). Refused rather than
    replaced: QR codes already printed with it would stop working without anyone knowing."""
    if (
        not isinstance(token, str)
        or not LINK_TOKEN_MIN_CHARS <= len(token) <= 64
        or len(token) % 4 == 1  # no base64 text has this length
        or not _URLSAFE.issuperset(token)
    ):
        raise ValidationError("link_token", "weak", min=LINK_TOKEN_MIN_CHARS)


# ---------------------------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class ReportDraft:
    """What an operator typed in the quick report, before it becomes a record (``kind`` is a
    :class:`Kind` once :func:`clean_report` has checked it)."""

    kind: str
    area: str
    what_happened: str
    impact: str = ""
    what_we_did: str = ""
    reporter: str = ""
    station: str = ""
    occurred_at: str = ""


def clean_report(draft: ReportDraft, areas: tuple[str, ...] | None = None) -> ReportDraft:
    """Normalise every field and check the rules; raises :class:`ValidationError`.

    ``areas`` restricts the area to the configured list (the screen); import passes ``None``
    because history may use areas no longer configured.
    """
    kind = _KIND_OF.get(draft.kind) if isinstance(draft.kind, str) else None
    if kind is None:
        raise ValidationError("kind", "unknown", value=draft.kind)
    values: dict[str, str] = {}
    for name, limit in REPORT_LIMITS.items():
        raw = getattr(draft, name)
        if not isinstance(raw, str):
            raise ValidationError(name, "not_text")
        text = clean_text(raw, multiline=name in MULTILINE_FIELDS)
        if limit.required and not text:
            raise ValidationError(name, "required")
        if text and len(text) < limit.min_chars:
            raise ValidationError(name, "too_short", min=limit.min_chars)
        if len(text) > limit.max_chars:
            raise ValidationError(name, "too_long", max=limit.max_chars, length=len(text))
        values[name] = text
    if areas is not None and values["area"] not in areas:
        raise ValidationError("area", "unknown", value=values["area"])
    if not isinstance(draft.occurred_at, str):
        raise ValidationError("occurred_at", "not_text")
    occurred = draft.occurred_at.strip()
    if occurred:
        occurred = _check_datetime("occurred_at", occurred)
    return replace(draft, kind=kind, occurred_at=occurred, **values)


def new_record(
    draft: ReportDraft, *, record_id: str, now: datetime, actor: str = "operator"
) -> Record:
    """A fresh record from a cleaned draft."""
    stamp = now.isoformat(timespec="seconds")
    return Record(
        id=record_id,
        kind=Kind(draft.kind),
        area=draft.area,
        station=draft.station,
        what_happened=draft.what_happened,
        impact=draft.impact,
        what_we_did=draft.what_we_did,
        reporter=draft.reporter,
        created_at=stamp,
        occurred_at=draft.occurred_at or stamp,
        status=Status.REPORTED,
        link_token=new_link_token(),
        history=(HistoryEntry(at=stamp, by=actor, what="reported"),),
    )


def with_history(record: Record, entry: HistoryEntry) -> Record:
    """The record with one more line of history (appended, never rewritten)."""
    return replace(record, history=(*record.history, entry))


def _check_datetime(name: str, value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(name, "bad_datetime", value=value) from None
    if _CANONICAL_DATETIME.fullmatch(value) is not None and not value.endswith("-00:00"):
        return value  # written so already: isoformat() each time was a sixth of an import
    return parsed.isoformat(timespec="seconds")


#: A date and time as ``isoformat(timespec="seconds")`` writes it (``-00:00`` aside, which it
#: writes ``+00:00``).
_CANONICAL_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d)?", re.ASCII)


# ---------------------------------------------------------------------------------------------
# Documents: the one mapping between records and JSON (storage, export, import).


def record_to_doc(record: Record) -> dict[str, Any]:
    """A JSON-ready dict with the fields in their declared order."""
    # Most values are plain text: taken as they are, without a call each (an import turns
    # every record it takes into a document, a sixth of its time before).
    return {name: value if (value := getattr(record, name)).__class__ in _SCALARS else _to_json(value)
            for name in RECORD_FIELDS}


def _to_json(value: Any) -> Any:
    if value.__class__ in _SCALARS:
        return value
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    names = _PART_FIELDS.get(type(value))  # (``fields()`` each time was a tenth of an import)
    if names is not None:
        out = {name: item if (item := getattr(value, name)).__class__ in _SCALARS else _to_json(item)
               for name in names}
        if out.get("value") == "" and value.__class__ is HistoryEntry:
            del out["value"]
        return out
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
    return value


def as_json(value: Any) -> Any:
    """Any part of the documents (a team, a review, a work item and what they hold) as JSON
    types: a dataclass as a dict in its fields' order, a tuple as a list, a StrEnum as its text.
    (Records have their own, quicker :func:`record_to_doc`.)"""
    if isinstance(value, tuple):
        return [as_json(v) for v in value]
    if isinstance(value, HistoryEntry):
        return _to_json(value)
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: as_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    return value


_SCALARS = frozenset({str, int, bool, float, type(None)})
#: The field names of each part of a record, in their declared order, looked up once.
_PART_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls))
    for cls in (Review, Condition, Action, FollowUp, LookFor, Link, HistoryEntry, AfterAction)
}


_NESTED = {
    "review": Review,
    "look_for": LookFor,
    "after_action": AfterAction,
}
_LISTS = {
    "follow_ups": FollowUp,
    "links": Link,
    "history": HistoryEntry,
}


#: The report's own fields, which an imported document gets checked and cleaned as if typed.
REPORT_FIELDS = ("kind", "area", "what_happened", "impact", "what_we_did", "reporter", "station")


def report_checked(doc: Mapping[str, Any]) -> tuple[dict[str, Any], ReportDraft]:
    """A document from outside (an import, another kiosk of the plant) with its report's
    fields checked and cleaned as if typed (any area); ValidationError names the field.
    Also returns the cleaned draft (its ``occurred_at`` normalised)."""
    draft = ReportDraft(**{name: doc.get(name, "") for name in (*REPORT_FIELDS, "occurred_at")})
    cleaned = clean_report(draft, None)
    return {**doc, **{name: getattr(cleaned, name) for name in REPORT_FIELDS}}, cleaned


def record_from_doc(doc: Mapping[str, Any]) -> Record:
    """Rebuild a record from a stored or imported document; raises ValidationError."""
    unknown = set(doc) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError(sorted(unknown)[0], "unknown_field")
    values: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        if name not in doc:
            continue
        value = doc[name]
        if name in _NESTED:
            value = None if value is None else _build(_NESTED[name], value, name)
        elif name in _LISTS:
            if not isinstance(value, list):
                raise ValidationError(name, "not_list")
            value = tuple(_build(_LISTS[name], item, name) for item in value)
        values[name] = value
    # Known codes become their enum members here; anything else stays as it is, for
    # _check_types to refuse with the right reason.
    kind, status = values.get("kind"), values.get("status")
    if isinstance(kind, str) and kind in _KIND_OF:
        values["kind"] = _KIND_OF[kind]
    if isinstance(status, str) and status in _STATUS_OF:
        values["status"] = _STATUS_OF[status]
    try:
        record = Record(**values)
    except TypeError as exc:  # a required field is missing
        missing = next((n for n in ("id", "kind", "area", "what_happened") if n not in values), "")
        raise ValidationError(missing or "record", "required") from exc
    _check_types(record)
    return record


#: Rules for the fields of the nested parts: (kind, limit or choices). Kinds: "text" (one
#: line, up to N characters), "long" (paragraphs, up to N), "date", "datetime", "count",
#: "flag", "names" (a list of short texts), "choice".
_PART_RULES: dict[type, dict[str, tuple[str, Any]]] = {
    Condition: {"text": ("long", 600), "category": ("choice", CONDITION_CATEGORIES)},
    Action: {"text": ("long", 600), "owner": ("text", 80), "deadline": ("date", None)},
    Review: {
        "what_happened": ("long", 1000), "work_as_imagined": ("long", 600),
        "work_as_done": ("long", 600), "what_we_did": ("long", 600),
        "follow_up_date": ("date", None), "participants": ("names", 80),
        "participant_count": ("count", None), "recurrence_note": ("long", 600),
        "win_note": ("long", 600), "look_for": ("text", LOOK_FOR_MAX), "reviewed_by": ("text", 80),
        "reviewed_at": ("datetime", None), "draft": ("flag", None),
    },
    FollowUp: {
        "at": ("datetime", None), "by": ("text", 80), "done": ("choice", FOLLOW_UP_DONE),
        "worked": ("choice", FOLLOW_UP_WORKED), "happened_again": ("flag", None),
        "notes": ("long", 600), "outcome": ("choice", FOLLOW_UP_OUTCOMES),
        "new_date": ("date", None), "reason": ("long", 300),
    },
    LookFor: {"text": ("text", LOOK_FOR_MAX), "until": ("date", None)},
    Link: {"id": ("text", 20), "rel": ("choice", LINK_RELATIONS)},
    HistoryEntry: {"at": ("datetime", None), "by": ("text", 80), "what": ("text", 80),
                   "fields": ("names", 40), "value": ("long", HISTORY_VALUE_MAX)},
    AfterAction: {"participants": ("count", None), "facts": ("names", 200), "differ": ("names", 200),
                  "sustain": ("names", 200), "improve": ("names", 200), "to_success": ("names", 200)},
}
#: Each part's fields, and its text fields with (several lines?, at most this many characters).
_PART_NAMES = {cls: frozenset(names) for cls, names in _PART_FIELDS.items()}
_PART_TEXTS = {cls: {key: (kind == "long", limit) for key, (kind, limit) in rules.items() if kind in ("text", "long")}
               for cls, rules in _PART_RULES.items()}
#: The largest count (applause, participants) a record may hold.
MAX_COUNT = 1_000_000


def _build(cls: type, value: Any, name: str) -> Any:
    """One nested part from a document: every field type-checked, cleaned and within limits,
    so nothing imported can later break a screen, a search or a slip."""
    if not isinstance(value, dict) and not isinstance(value, Mapping):  # (dict: the quick check)
        raise ValidationError(name, "not_object")
    if not _PART_NAMES[cls].issuperset(value):
        unknown = set(value).difference(_PART_NAMES[cls])
        raise ValidationError(f"{name}.{sorted(unknown)[0]}", "unknown_field")
    rules = _PART_RULES[cls]
    texts = _PART_TEXTS[cls]
    args: dict[str, Any] = {}
    for key, raw in value.items():
        text_rule = texts.get(key)
        if text_rule is not None and raw.__class__ is str:
            # Most fields, and nearly all the time of an import: checked here, without the
            # call below (anything wrong goes the long way, which says what).
            multiline, limit = text_rule
            text = clean_text(raw, multiline=multiline)
            if len(text) <= limit:
                args[key] = text
                continue
        rule = rules.get(key)
        if rule is None:  # a review's why and action: parts of their own
            where = f"{name}.{key}"
            if key == "why":
                if not isinstance(raw, list):
                    raise ValidationError(where, "not_list")
                args[key] = tuple(_build(Condition, c, where) for c in raw)
            else:
                args[key] = _build(Action, raw, where)
            continue
        args[key] = _checked(f"{name}.{key}", raw, *rule)
    try:
        return cls(**args)
    except TypeError as exc:
        raise ValidationError(name, "incomplete") from exc


def _checked(where: str, value: Any, kind: str, rule: Any) -> Any:
    if kind in ("text", "long"):
        if not isinstance(value, str):
            raise ValidationError(where, "not_text")
        value = clean_text(value, multiline=kind == "long")
        if len(value) > rule:
            raise ValidationError(where, "too_long", max=rule, length=len(value))
        return value
    if kind == "names":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(where, "not_list")
        names = tuple(clean_text(v)[:rule] for v in value)
        return tuple(n for n in names if n)
    if kind == "choice":
        if value not in rule:
            raise ValidationError(where, "unknown", value=value)
        return rule[rule.index(value)]  # the choice itself (an enum member, for outcomes)
    if kind == "flag":
        if not isinstance(value, bool):
            raise ValidationError(where, "not_flag")
        return value
    if kind == "count":
        _check_count(where, value)
        return value
    if not isinstance(value, str):
        raise ValidationError(where, "not_text")
    if value:
        if kind == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValidationError(where, "bad_date", value=value) from None
        else:
            value = _check_datetime(where, value)
    return value


def _check_count(where: str, value: Any) -> None:
    """A count is a whole number from 0 to MAX_COUNT; ``max`` lets the message say so."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(where, "not_integer", max=MAX_COUNT)
    if not 0 <= value <= MAX_COUNT:
        raise ValidationError(where, "out_of_range", max=MAX_COUNT)


def _check_types(record: Record) -> None:
    for name in ("id", "kind", "area", "what_happened", "created_at", "occurred_at", "station",
                 "reporter", "impact", "what_we_did", "status", "link_token"):
        if not isinstance(getattr(record, name), str):
            raise ValidationError(name, "not_text")
    if record.kind not in KINDS:
        raise ValidationError("kind", "unknown", value=record.kind)
    if record.status not in STATUSES:
        raise ValidationError("status", "unknown", value=record.status)
    _check_count("applause", record.applause)
    for name in ("created_at", "occurred_at"):
        _check_datetime(name, getattr(record, name))
    if not record.link_token.isascii() or not record.link_token.isprintable() or len(record.link_token) > 64:
        raise ValidationError("link_token", "not_ascii")
