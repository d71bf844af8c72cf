"""Supervisors and their PINs (pure Python: no Textual, no files).

A PIN is kept only as a slow, salted scrypt hash; the PIN itself is never stored, logged or
exported. Five wrong PINs in a row lock that supervisor out for five minutes, and the lockout
is stored with the supervisor so a restart does not lift it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from kiosk.core.records import ValidationError
from kiosk.core.text import clean_text

PIN_RULE = re.compile(r"^[0-9]{4,8}$")
NAME_MAX = 60
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)

#: scrypt cost: one of the settings OWASP's Password Storage Cheat Sheet gives as equal to its
#: minimum (N=2^17, r=8, p=1), with an eighth of the memory: 16 MiB and ~170 ms per check on a
#: 2-core machine here, where N=2^17 took 128 MiB (a small kiosk PC's memory is for the
#: records). Stored with each hash; a hash made with other settings is made again, with these,
#: the next time its PIN is typed right.
_SCRYPT = {"n": 2**14, "r": 8, "p": 5}


@dataclass(frozen=True)
class PinHash:
    """A salted scrypt hash of a PIN and the parameters it was made with."""

    salt: str
    hash: str
    n: int
    r: int
    p: int

    def matches(self, pin: str) -> bool:
        candidate = _scrypt(pin, bytes.fromhex(self.salt), self.n, self.r, self.p)
        return hmac.compare_digest(candidate, self.hash)


@dataclass(frozen=True)
class Supervisor:
    """A named supervisor; ``admin`` may also change settings and leave the kiosk."""

    name: str
    pin: PinHash
    admin: bool = False
    created_at: str = ""
    failures: int = 0
    locked_until: str = ""  # ISO datetime; empty when not locked

    def locked_at(self, now: datetime) -> datetime | None:
        """Until when this supervisor is locked out, if still locked at ``now``."""
        if not self.locked_until:
            return None
        until = datetime.fromisoformat(self.locked_until)
        return until if until > now else None


@dataclass(frozen=True)
class PinCheck:
    """The result of trying a PIN: whether it matched, the supervisor's new state (to store),
    and when a lockout ends (if one is in force)."""

    ok: bool
    supervisor: Supervisor
    locked_until: datetime | None = None
    attempts_left: int = MAX_FAILURES


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> str:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32).hex()


def check_pin_rule(pin: str) -> None:
    """4 to 8 digits (a keypad and a scanner-free keyboard can both type it)."""
    if not PIN_RULE.match(pin):
        raise ValidationError("pin", "bad_pin")


def check_name(name: str) -> str:
    cleaned = clean_text(name)
    if not cleaned:
        raise ValidationError("name", "required")
    if len(cleaned) > NAME_MAX:
        raise ValidationError("name", "too_long", max=NAME_MAX, length=len(cleaned))
    return cleaned


def hash_pin(pin: str) -> PinHash:
    check_pin_rule(pin)
    salt = secrets.token_bytes(16)
    return PinHash(salt=salt.hex(), hash=_scrypt(pin, salt, **_SCRYPT), **_SCRYPT)


def new_supervisor(name: str, pin: str, *, admin: bool, now: datetime) -> Supervisor:
    return Supervisor(
        name=check_name(name), pin=hash_pin(pin), admin=admin,
        created_at=now.isoformat(timespec="seconds"),
    )


def try_pin(supervisor: Supervisor, pin: str, now: datetime) -> PinCheck:
    """Check a PIN, counting failures; a locked supervisor is refused without checking."""
    locked = supervisor.locked_at(now)
    if locked is not None:
        return PinCheck(False, supervisor, locked, 0)
    if PIN_RULE.match(pin) and supervisor.pin.matches(pin):
        pin_hash = supervisor.pin
        if (pin_hash.n, pin_hash.r, pin_hash.p) != (_SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]):
            pin_hash = hash_pin(pin)  # an older, cheaper hash: raised to today's cost
        return PinCheck(True, replace(supervisor, pin=pin_hash, failures=0, locked_until=""))
    failures = supervisor.failures + 1
    if failures >= MAX_FAILURES:
        until = now + LOCKOUT
        state = replace(supervisor, failures=0, locked_until=until.isoformat(timespec="seconds"))
        return PinCheck(False, state, until, 0)
    return PinCheck(False, replace(supervisor, failures=failures), None, MAX_FAILURES - failures)


def supervisor_to_doc(supervisor: Supervisor) -> dict[str, Any]:
    pin = supervisor.pin
    return {
        "name": supervisor.name,
        "admin": supervisor.admin,
        "pin": {"salt": pin.salt, "hash": pin.hash, "n": pin.n, "r": pin.r, "p": pin.p},
        "created_at": supervisor.created_at,
        "failures": supervisor.failures,
        "locked_until": supervisor.locked_until,
    }


def supervisor_from_doc(doc: Mapping[str, Any]) -> Supervisor:
    return Supervisor(
        name=doc["name"],
        pin=PinHash(**doc["pin"]),
        admin=bool(doc.get("admin", False)),
        created_at=doc.get("created_at", ""),
        failures=int(doc.get("failures", 0)),
        locked_until=doc.get("locked_until", ""),
    )


def same_name(a: str, b: str) -> bool:
    """Names are unique regardless of case and accents ('José' is 'jose')."""
    from kiosk.core.text import fold

    return fold(a).strip() == fold(b).strip()
