"""After-action reviews as rules (pure Python): private accounts first, then a group session
(SPEC section 10).

An after-action review is opened on a record (any kind, wins too) with the people involved.
Each gets a one-time **account code** (printed on an invitation slip) and gives their account
privately: what was supposed to happen, what actually happened as they saw it, what they did
and why it made sense, what helped, what got in the way, what they would keep or change. Until
the facilitator opens the session the accounts are **sealed**: nothing but this module and the
session screen reads them, and the codes stop working once the session opens. The session marks
facts agreed, perspectives that differ, behaviours to sustain and to improve (and, for a
failure, what would turn it into a success), and ends in the record's four questions, prefilled
(:func:`review_prefill`).

Codes: nine symbols of the record ids' alphabet (28 symbols: 43 bits) and a check symbol,
written ``XXX-XXX-XXXX``; only a keyed digest is stored (:func:`code_key`), so the data folder
never holds a usable code. Wrong codes count per kiosk: five in a row lock the account screen
for five minutes (:func:`try_code`), like a supervisor's PIN.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from kiosk.core.ids import ALPHABET
from kiosk.core.records import (
    HISTORY_VALUE_MAX,
    AfterAction,
    Condition,
    HistoryEntry,
    Kind,
    Record,
    Review,
    ValidationError,
    as_json,
)
from kiosk.core.text import clean_text, fold


class AarPhase(StrEnum):
    ACCOUNTS = "accounts"
    SESSION = "session"
    DONE = "done"


#: The account's questions, in order, and each answer's budget.
QUESTIONS = ("supposed", "actual", "did_why", "helped", "hindered", "keep_change")
ANSWER_MAX = {"supposed": 300, "actual": 500, "did_why": 400, "helped": 300, "hindered": 300, "keep_change": 300}
#: The session's lists: facts agreed, perspectives that differ, behaviours and conditions that
#: helped (to sustain) and got in the way (to improve), and what would turn a failure around.
FINDINGS = ("facts", "differ", "sustain", "improve", "to_success")
FINDING_MAX = 200
MAX_FINDINGS = 12
MAX_PARTICIPANTS = 20
NAME_MAX = 60

CODE_OPEN, CODE_USED, CODE_REPLACED = "open", "used", "replaced"
CODE_STATES = (CODE_OPEN, CODE_USED, CODE_REPLACED)
#: Symbols of a code before its check symbol: 28**9 is about 2**43.
CODE_DIGITS = 9
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 5, 9, 11, 13, 15, 17, 19)  # odd, not multiples of 7: invertible modulo 28
MAX_WRONG_CODES = 5
CODE_LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class Account:
    """One person's account: an answer per question, shown with their name or not."""

    answers: tuple[str, ...]
    named: bool = False
    via: str = "self"  # "self" (with the code) or "interview" (the facilitator typed it)
    at: str = ""

    def answer(self, question: str) -> str:
        return self.answers[QUESTIONS.index(question)]


@dataclass(frozen=True)
class Participant:
    name: str
    code_key: str = ""
    code_state: str = CODE_OPEN
    account: Account | None = None


@dataclass(frozen=True)
class Finding:
    """One line of the session, with the participants (by position) it comes from."""

    text: str
    accounts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Aar:
    id: str
    record_id: str
    event: str  # the event in one line, as the invitation says it (no names)
    win: bool
    facilitator: str
    created_at: str
    participants: tuple[Participant, ...] = ()
    phase: AarPhase = AarPhase.ACCOUNTS
    facts: tuple[Finding, ...] = ()
    differ: tuple[Finding, ...] = ()
    sustain: tuple[Finding, ...] = ()
    improve: tuple[Finding, ...] = ()
    to_success: tuple[Finding, ...] = ()
    history: tuple[HistoryEntry, ...] = ()

    @property
    def accounts_in(self) -> int:
        return sum(1 for p in self.participants if p.account is not None)

    def shown_as(self, index: int, anonymous: str = "participant {n}") -> str:
        """How the session names participant ``index``: their name if they chose it."""
        person = self.participants[index]
        if person.account is not None and person.account.named:
            return person.name
        return anonymous.format(n=index + 1)


AAR_FIELDS = tuple(f.name for f in fields(Aar))


# -- codes -------------------------------------------------------------------------------------


def _check(digits: str) -> str:
    return ALPHABET[sum(w * _VALUE[d] for w, d in zip(_WEIGHTS, digits, strict=True)) % len(ALPHABET)]


def new_code() -> str:
    """A fresh account code, e.g. ``K7Q-3XH-9BCD`` (the last symbol checks the others)."""
    digits = "".join(secrets.choice(ALPHABET) for _ in range(CODE_DIGITS))
    full = digits + _check(digits)
    return f"{full[:3]}-{full[3:6]}-{full[6:]}"


def normalise_code(text: str) -> str | None:
    """The code as typed or scanned (case, spaces and dashes aside), or None if it is not one
    (wrong length, a symbol not in the alphabet, a wrong check symbol)."""
    compact = "".join(c for c in text.upper() if c not in " -_.\t")
    if len(compact) != CODE_DIGITS + 1 or any(c not in _VALUE for c in compact):
        return None
    return compact if _check(compact[:-1]) == compact[-1] else None


def code_key(code: str, salt: str) -> str:
    """What is stored for a code: a digest keyed by the data folder's salt."""
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError("not an account code")
    return hashlib.blake2b(canonical.encode(), key=salt.encode()[:64], digest_size=20).hexdigest()


@dataclass(frozen=True)
class CodeTries:
    """This kiosk's wrong codes in a row, and a lockout in force."""

    failures: int = 0
    locked_until: str = ""

    def locked_at(self, now: datetime) -> datetime | None:
        if not self.locked_until:
            return None
        until = datetime.fromisoformat(self.locked_until)
        return until if until > now else None


def try_code(tries: CodeTries, matched: bool, now: datetime) -> CodeTries:
    """The kiosk's count after one try: a right code resets it, the fifth wrong one in a row
    locks the account screen for five minutes."""
    if matched:
        return CodeTries()
    failures = tries.failures + 1
    if failures >= MAX_WRONG_CODES:
        return CodeTries(0, (now + CODE_LOCKOUT).isoformat(timespec="seconds"))
    return CodeTries(failures, "")


# -- rules ---------------------------------------------------------------------------------------


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _logged(aar: Aar, now: datetime, by: str, what: str, *changed: str) -> Aar:
    return replace(aar, history=(*aar.history, HistoryEntry(_stamp(now), by or "operator", what, tuple(changed))))


def event_line(record: Record, limit: int = 90) -> str:
    """The event in one line for an invitation: the area and what happened, no names."""
    text = " ".join(record.what_happened.split())
    line = f"{record.area}: {text}"
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def open_aar(*, aar_id: str, record: Record, facilitator: str, names: Iterable[str], now: datetime,
             salt: str) -> tuple[Aar, list[str]]:
    """A new after-action review of ``record`` and each participant's code (to print now: only
    their digests are kept)."""
    people: dict[str, str] = {}
    for name in names:
        cleaned = clean_text(name)[:NAME_MAX]
        if cleaned and fold(cleaned) not in people:
            people[fold(cleaned)] = cleaned
    if not people:
        raise ValidationError("participants", "required")
    if len(people) > MAX_PARTICIPANTS:
        raise ValidationError("participants", "too_many", max=MAX_PARTICIPANTS)
    codes = [new_code() for _ in people]
    participants = tuple(Participant(name, code_key(code, salt)) for name, code in zip(people.values(), codes,
                                                                                         strict=True))
    aar = Aar(id=aar_id, record_id=record.id, event=event_line(record), win=record.kind == Kind.WIN,
              facilitator=clean_text(facilitator)[:NAME_MAX], created_at=_stamp(now), participants=participants)
    return _logged(aar, now, aar.facilitator, "aar_opened", "participants"), codes


def find_code(aar: Aar, key: str) -> int | None:
    """The participant whose open code has this digest, if any (accounts phase only)."""
    if aar.phase != AarPhase.ACCOUNTS:
        return None
    for index, person in enumerate(aar.participants):
        if person.code_state == CODE_OPEN and secrets.compare_digest(person.code_key, key):
            return index
    return None


def give_account(aar: Aar, index: int, answers: Iterable[str], *, named: bool, via: str, now: datetime) -> Aar:
    """Store (or replace) participant ``index``'s account; only while accounts are open."""
    if aar.phase != AarPhase.ACCOUNTS:
        raise ValidationError("phase", "wrong_phase", phase=aar.phase)
    texts = tuple(answers)
    if len(texts) != len(QUESTIONS):
        raise ValidationError("answers", "incomplete")
    cleaned = []
    for question, text in zip(QUESTIONS, texts, strict=True):
        value = clean_text(text, multiline=True)
        if len(value) > ANSWER_MAX[question]:
            raise ValidationError(question, "too_long", max=ANSWER_MAX[question], length=len(value))
        cleaned.append(value)
    if not any(cleaned):
        raise ValidationError("answers", "required")
    account = Account(tuple(cleaned), named=named, via=via if via in ("self", "interview") else "self",
                      at=_stamp(now))
    people = list(aar.participants)
    people[index] = replace(people[index], account=account)
    # (The history says that an account came in, never whose words or what they said.)
    return _logged(replace(aar, participants=tuple(people)), now, "operator" if via == "self" else aar.facilitator,
                   "account_given", "participants")


def replace_code(aar: Aar, index: int, *, now: datetime, salt: str, by: str) -> tuple[Aar, str]:
    """A new code for participant ``index`` (a lost slip): the old one stops working."""
    if aar.phase != AarPhase.ACCOUNTS:
        raise ValidationError("phase", "wrong_phase", phase=aar.phase)
    code = new_code()
    people = list(aar.participants)
    people[index] = replace(people[index], code_key=code_key(code, salt), code_state=CODE_OPEN)
    return _logged(replace(aar, participants=tuple(people)), now, by, "code_replaced", "participants"), code


def open_session(aar: Aar, *, by: str, now: datetime) -> Aar:
    """The facilitator opens the session: the accounts are read together, every code stops."""
    if aar.phase != AarPhase.ACCOUNTS:
        raise ValidationError("phase", "wrong_phase", phase=aar.phase)
    if not aar.accounts_in:
        raise ValidationError("accounts", "required")
    people = tuple(replace(p, code_state=CODE_USED) for p in aar.participants)
    return _logged(replace(aar, participants=people, phase=AarPhase.SESSION), now, by, "session_opened", "phase")


def add_finding(aar: Aar, kind: str, text: str, accounts: Iterable[int] = (), *, by: str, now: datetime) -> Aar:
    """One line of the session (``kind`` one of :data:`FINDINGS`), linked to accounts."""
    if aar.phase != AarPhase.SESSION:
        raise ValidationError("phase", "wrong_phase", phase=aar.phase)
    if kind not in FINDINGS:
        raise ValidationError("finding", "unknown", value=kind)
    value = clean_text(text)
    if not value:
        raise ValidationError(kind, "required")
    if len(value) > FINDING_MAX:
        raise ValidationError(kind, "too_long", max=FINDING_MAX, length=len(value))
    current: tuple[Finding, ...] = getattr(aar, kind)
    if len(current) >= MAX_FINDINGS:
        raise ValidationError(kind, "too_many", max=MAX_FINDINGS)
    linked = tuple(sorted({i for i in accounts if 0 <= i < len(aar.participants)}))
    lines: dict[str, Any] = {kind: (*current, Finding(value, linked))}
    changed = replace(aar, **lines)
    return _logged(changed, now, by, "finding_added", kind)


def finish_session(aar: Aar, *, by: str, now: datetime) -> Aar:
    """The session ends (into the record's four questions, or a win's note)."""
    if aar.phase != AarPhase.SESSION:
        raise ValidationError("phase", "wrong_phase", phase=aar.phase)
    if not aar.facts:
        raise ValidationError("facts", "required")
    return _logged(replace(aar, phase=AarPhase.DONE), now, by, "session_done", "phase")


def summary(aar: Aar) -> AfterAction:
    """What the record keeps of the session: how many took part and its lines, no account."""
    return AfterAction(participants=len(aar.participants), facts=tuple(f.text for f in aar.facts),
                       differ=tuple(f.text for f in aar.differ), sustain=tuple(f.text for f in aar.sustain),
                       improve=tuple(f.text for f in aar.improve), to_success=tuple(f.text for f in aar.to_success))


def review_prefill(aar: Aar, start: Review) -> Review:
    """The record's review started from the session: agreed facts → what happened (the
    differing perspectives noted after), what got in the way → conditions, what helped and what
    would turn it around → what we did; the one action is left to the review."""
    facts = "\n".join(f"- {f.text}" for f in aar.facts)
    differ = "\n".join(f"- {f.text}" for f in aar.differ)
    what = facts + (f"\n{differ}" if differ else "")
    why = tuple(Condition(f.text[:160], "other") for f in aar.improve[:5])
    did = "\n".join(f"- {f.text}" for f in (*aar.sustain, *aar.to_success))
    return replace(start, what_happened=what[:500] or start.what_happened, why=why or start.why,
                   what_we_did=did[:300] or start.what_we_did, participant_count=len(aar.participants), draft=True)


# -- documents -----------------------------------------------------------------------------------


def aar_to_doc(aar: Aar) -> dict[str, Any]:
    return {name: as_json(getattr(aar, name)) for name in AAR_FIELDS}


def aar_from_doc(doc: Any) -> Aar:
    """An after-action review from a stored or imported document; ValidationError names the field."""
    if not isinstance(doc, Mapping):
        raise ValidationError("aar", "not_object")
    unknown = set(doc) - set(AAR_FIELDS)
    if unknown:
        raise ValidationError(sorted(unknown)[0], "unknown_field")

    def text(value: Any, where: str, limit: int, *, multiline: bool = False) -> str:
        if not isinstance(value, str):
            raise ValidationError(where, "not_text")
        cleaned = clean_text(value, multiline=multiline)
        if len(cleaned) > limit:
            raise ValidationError(where, "too_long", max=limit, length=len(cleaned))
        return cleaned

    def items(value: Any, where: str, most: int) -> list[Any]:
        if not isinstance(value, list) or len(value) > most:
            raise ValidationError(where, "not_list")
        return value

    def when(value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise ValidationError(where, "not_text")
        try:
            return _stamp(datetime.fromisoformat(value))
        except ValueError:
            raise ValidationError(where, "bad_datetime", value=value) from None

    for key in ("id", "record_id", "event", "facilitator", "created_at"):
        if key not in doc:
            raise ValidationError(key, "required")
    people = []
    for i, raw in enumerate(items(doc.get("participants", []), "participants", MAX_PARTICIPANTS)):
        if not isinstance(raw, Mapping) or set(raw) - {"name", "code_key", "code_state", "account"}:
            raise ValidationError(f"participants.{i}", "not_object")
        account = None
        if raw.get("account") is not None:
            acc = raw["account"]
            if not isinstance(acc, Mapping) or set(acc) - {"answers", "named", "via", "at"}:
                raise ValidationError(f"participants.{i}.account", "not_object")
            answers = items(acc.get("answers"), f"participants.{i}.account.answers", len(QUESTIONS))
            if len(answers) != len(QUESTIONS):
                raise ValidationError(f"participants.{i}.account.answers", "incomplete")
            if not isinstance(acc.get("named", False), bool) or acc.get("via", "self") not in ("self", "interview"):
                raise ValidationError(f"participants.{i}.account", "not_valid")
            account = Account(tuple(text(a, f"participants.{i}.account.answers", ANSWER_MAX[q], multiline=True)
                                    for q, a in zip(QUESTIONS, answers, strict=True)),
                              named=acc.get("named", False), via=acc.get("via", "self"),
                              at=when(acc.get("at", ""), f"participants.{i}.account.at") if acc.get("at") else "")
        key = raw.get("code_key", "")
        if not isinstance(key, str) or len(key) > 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValidationError(f"participants.{i}.code_key", "not_valid")
        state = raw.get("code_state", CODE_OPEN)
        if state not in CODE_STATES:
            raise ValidationError(f"participants.{i}.code_state", "unknown", value=state)
        people.append(Participant(text(raw.get("name", ""), f"participants.{i}.name", NAME_MAX), key, state, account))
    found: dict[str, tuple[Finding, ...]] = {}
    for kind in FINDINGS:
        lines = []
        for i, raw in enumerate(items(doc.get(kind, []), kind, MAX_FINDINGS)):
            if not isinstance(raw, Mapping) or set(raw) - {"text", "accounts"}:
                raise ValidationError(f"{kind}.{i}", "not_object")
            linked = raw.get("accounts", [])
            if not isinstance(linked, list) or not all(isinstance(n, int) and not isinstance(n, bool)
                                                       and 0 <= n < len(people) for n in linked):
                raise ValidationError(f"{kind}.{i}.accounts", "not_valid")
            lines.append(Finding(text(raw.get("text", ""), f"{kind}.{i}.text", FINDING_MAX), tuple(linked)))
        found[kind] = tuple(lines)
    history = []
    for i, raw in enumerate(items(doc.get("history", []), "history", 10_000)):
        if not isinstance(raw, Mapping):
            raise ValidationError(f"history.{i}", "not_object")
        names = items(raw.get("fields", []), f"history.{i}.fields", 20)
        history.append(HistoryEntry(when(raw.get("at", ""), f"history.{i}.at"), text(raw.get("by", ""), "by", 80),
                                    text(raw.get("what", ""), "what", 80),
                                    tuple(text(n, "fields", 40) for n in names),
                                    text(raw.get("value", ""), "value", HISTORY_VALUE_MAX)))
    phase = doc.get("phase", AarPhase.ACCOUNTS)
    if phase not in tuple(AarPhase):
        raise ValidationError("phase", "unknown", value=phase)
    win = doc.get("win", False)
    if not isinstance(win, bool):
        raise ValidationError("win", "not_flag")
    return Aar(id=text(doc["id"], "id", 20), record_id=text(doc["record_id"], "record_id", 20),
               event=text(doc["event"], "event", 120), win=win, facilitator=text(doc["facilitator"], "facilitator",
                                                                                    NAME_MAX),
               created_at=when(doc["created_at"], "created_at"), participants=tuple(people), phase=AarPhase(phase),
               facts=found["facts"], differ=found["differ"], sustain=found["sustain"], improve=found["improve"],
               to_success=found["to_success"], history=tuple(history))

