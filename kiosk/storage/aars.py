"""After-action reviews in and out (rules in :mod:`kiosk.core.aar`).

An after-action review is numbered in the records' family, like a Learning Team. Its codes are
stored only as digests keyed by a salt of this data folder (made with the first review); the
kiosk's wrong-code count and lockout are a document of their own, so they survive a restart.
Nothing here hands an account's text to anything but the session (:meth:`aar_for_session`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from kiosk.core import ids
from kiosk.core.aar import (
    Aar,
    AarPhase,
    CodeTries,
    aar_from_doc,
    aar_to_doc,
    add_finding,
    code_key,
    find_code,
    finish_session,
    give_account,
    normalise_code,
    open_aar,
    open_session,
    replace_code,
    summary,
    try_code,
)
from kiosk.core.records import HistoryEntry, ValidationError, record_to_doc, with_history
from kiosk.storage.aggregate import Aggregate
from kiosk.storage.format import Op
from kiosk.storage.records import RECORDS

log = logging.getLogger(__name__)

AARS = "aars"
#: One document: the code salt of this folder, and the kiosk's wrong codes in a row.
AAR_CODES = "aar_codes"
_CODES_DOC = "1"
_COUNTERS, _COUNTER_DOC = "counters", "1"


class CodeRefused(Exception):
    """A code opened nothing: wrong, used, replaced, or the account screen is locked
    (``locked_until``). The same for each, so a try tells nobody which codes exist."""

    def __init__(self, locked_until: str = "") -> None:
        super().__init__(locked_until or "no such code")
        self.locked_until = locked_until


class AarsRepository(Aggregate):
    """The after-action reviews of one data folder."""

    _next_number: Callable[..., int]
    _counters_after: Callable[[int], dict[str, Any]]
    _rebuild_reserved: Callable[[], None]
    _reserve: Callable[[str, Any, Any], None]

    def _rebuild_aars(self) -> None:
        rows = self._rows(AARS)
        self._aar_by_id: dict[str, str] = {doc["id"]: key for key, doc in rows.items()}
        self._rebuild_reserved()

    def _on_aar_change(self, table: str, key: str, old: Any, new: Any) -> None:
        if table != AARS:
            return
        self._reserve(key, old, new)
        if old is not None:
            self._aar_by_id.pop(old.get("id"), None)
        if new is not None:
            self._aar_by_id[new["id"]] = key

    # -- reading -------------------------------------------------------------------------

    def aar(self, aar_id: str) -> Aar | None:
        """The review with this id, accounts included: for the session and the rules only."""
        try:
            canonical = ids.normalise(aar_id)
        except ids.InvalidId:
            return None
        with self.store.lock:
            key = self._aar_by_id.get(canonical)
            doc = self._rows(AARS)[key] if key is not None else None
        return aar_from_doc(doc) if doc is not None else None

    def aars(self) -> list[Aar]:
        """Every after-action review, the newest first."""
        with self.store.lock:
            rows = sorted(self._rows(AARS).items(), key=lambda kv: int(kv[0]), reverse=True)
        return [aar_from_doc(doc) for _key, doc in rows]

    def aars_of(self, record_id: str) -> list[Aar]:
        with self.store.lock:
            docs = [doc for doc in self._rows(AARS).values() if doc.get("record_id") == record_id]
        return [aar_from_doc(doc) for doc in docs]

    def aar_docs(self) -> list[dict[str, Any]]:
        """Every stored document in number order (the JSON-lines export; accounts included:
        they are the plant's data and must survive a backup)."""
        with self.store.lock:
            rows = self._rows(AARS)
            return [rows[str(number)] for number in sorted(map(int, rows))]

    def accounts_waiting(self) -> list[tuple[int, int]]:
        """(accounts in, participants) of every review still taking accounts: what Home may
        say about them (nothing else), oldest first."""
        with self.store.lock:
            rows = sorted(self._rows(AARS).items(), key=lambda kv: int(kv[0]))
            return [(sum(1 for p in doc.get("participants", ()) if p.get("account") is not None),
                     len(doc.get("participants", ())))
                    for _key, doc in rows if doc.get("phase") == AarPhase.ACCOUNTS]

    def code_tries(self) -> CodeTries:
        with self.store.lock:
            doc = self._rows(AAR_CODES).get(_CODES_DOC, {})
        return CodeTries(int(doc.get("failures", 0)), str(doc.get("locked_until", "")))

    # -- writing -------------------------------------------------------------------------

    def _salt(self) -> str:
        with self.store.lock:
            return str(self._rows(AAR_CODES).get(_CODES_DOC, {}).get("salt", ""))

    def _codes_doc(self, **changes: Any) -> dict[str, Any]:
        doc = dict(self._rows(AAR_CODES).get(_CODES_DOC, {}))
        doc.update(changes)
        return doc

    def open_aar(self, record_id: str, names: Iterable[str], *, facilitator: str) -> tuple[Aar, list[str]]:
        """Open one on a record; returns it and each participant's code, to print now."""
        with self.store.lock:
            record = self.get(record_id)  # type: ignore[attr-defined]
            if record is None:
                raise ValidationError("record", "invalid", value=record_id)
            salt = self._salt() or secrets.token_hex(16)
            number = self._next_number()
            aar, codes = open_aar(aar_id=ids.encode(number), record=record, facilitator=facilitator, names=names,
                                  now=self.clock(), salt=salt)
            self.store.commit([("put", AARS, str(number), aar_to_doc(aar)),
                               ("put", _COUNTERS, _COUNTER_DOC, self._counters_after(number)),
                               ("put", AAR_CODES, _CODES_DOC, self._codes_doc(salt=salt))])
        log.info("after-action review %s opened on %s (%d participants)", aar.id, record.id, len(aar.participants))
        return aar, codes

    def _put(self, aar: Aar, *extra: Op) -> Aar:
        with self.store.lock:
            key = self._aar_by_id.get(aar.id)
            if key is None:
                raise ValidationError("id", "invalid", value=aar.id)
            self.store.commit([("put", AARS, key, aar_to_doc(aar)), *extra])
        return aar

    def _require_aar(self, aar_id: str) -> Aar:
        aar = self.aar(aar_id)
        if aar is None:
            raise ValidationError("id", "invalid", value=aar_id)
        return aar

    def use_code(self, typed: str) -> tuple[Aar, int]:
        """The review and participant a code opens; raises :class:`CodeRefused` (the same for a
        wrong, used or replaced code) and counts the try, durably, before answering."""
        with self.store.lock:
            now = self.clock()
            tries = self.code_tries()
            locked = tries.locked_at(now)
            if locked is not None:
                raise CodeRefused(locked.isoformat(timespec="seconds"))
            canonical, salt = normalise_code(typed), self._salt()
            found: tuple[Aar, int] | None = None
            if canonical is not None and salt:
                key = code_key(canonical, salt)
                for doc in self._rows(AARS).values():
                    if doc.get("phase") != AarPhase.ACCOUNTS:
                        continue
                    aar = aar_from_doc(doc)
                    index = find_code(aar, key)
                    if index is not None:
                        found = (aar, index)
                        break
            after = try_code(tries, found is not None, now)
            if after != tries:
                self.store.commit([("put", AAR_CODES, _CODES_DOC, self._codes_doc(
                    failures=after.failures, locked_until=after.locked_until))])
        if found is None:
            log.info("an account code opened nothing (locked until: %s)", after.locked_until or "-")
            raise CodeRefused(after.locked_until)
        return found

    def give_account(self, aar_id: str, index: int, answers: Iterable[str], *, named: bool,
                     via: str = "self") -> Aar:
        with self.store.lock:
            aar = give_account(self._require_aar(aar_id), index, answers, named=named, via=via, now=self.clock())
            return self._put(aar)

    def replace_aar_code(self, aar_id: str, index: int, *, by: str) -> tuple[Aar, str]:
        with self.store.lock:
            aar, code = replace_code(self._require_aar(aar_id), index, now=self.clock(), salt=self._salt(), by=by)
            return self._put(aar), code

    def open_aar_session(self, aar_id: str, *, by: str) -> Aar:
        with self.store.lock:
            aar = self._put(open_session(self._require_aar(aar_id), by=by, now=self.clock()))
        log.info("after-action review %s: session opened (%d accounts)", aar.id, aar.accounts_in)
        return aar

    def add_aar_finding(self, aar_id: str, kind: str, text: str, accounts: Iterable[int] = (), *, by: str) -> Aar:
        with self.store.lock:
            return self._put(add_finding(self._require_aar(aar_id), kind, text, accounts, by=by, now=self.clock()))

    def finish_aar_session(self, aar_id: str, *, by: str) -> Aar:
        """End the session and, in the same transaction, keep what it found with the record."""
        with self.store.lock:
            now = self.clock()
            aar = finish_session(self._require_aar(aar_id), by=by, now=now)
            record = self.get(aar.record_id)  # type: ignore[attr-defined]
            extra: list[Op] = []
            if record is not None:
                noted = with_history(replace(record, after_action=summary(aar)), HistoryEntry(
                    at=now.isoformat(timespec="seconds"), by=by, what="after_action_review", fields=("after_action",)))
                extra.append(("put", RECORDS, self._by_id[record.id], record_to_doc(noted)))  # type: ignore[attr-defined]
            return self._put(aar, *extra)

    def import_aar(self, doc: Any) -> Aar:
        """Store an exported after-action review as it was (its id free in the records' family)."""
        aar = aar_from_doc(doc)
        try:
            number = ids.decode(aar.id)
        except ids.InvalidId:
            raise ValidationError("id", "invalid", value=aar.id) from None
        with self.store.lock:
            canonical = ids.encode(number)
            taken = self.get(canonical) is not None or number in self._reserved_set()  # type: ignore[attr-defined]
            if taken:
                raise ValidationError("id", "exists", value=canonical)
            stored = aar_to_doc(aar) | {"id": canonical}
            self.store.commit([("put", AARS, str(number), stored),
                               ("put", _COUNTERS, _COUNTER_DOC, self._counters_after(number))])
        return aar_from_doc(stored)
