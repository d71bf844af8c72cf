"""Supervisors in and out: names, PIN hashes, failed tries and lockouts, durably.

The rules (scrypt hashes, five tries, five minutes) are in :mod:`kiosk.core.supervisors`.
"""

from __future__ import annotations

import logging

from kiosk.core.records import ValidationError
from kiosk.core.supervisors import PinCheck, Supervisor, same_name, supervisor_from_doc, supervisor_to_doc, try_pin
from kiosk.storage.aggregate import Aggregate
from kiosk.storage.errors import StorageError

log = logging.getLogger(__name__)

SUPERVISORS = "supervisors"


class SupervisorsRepository(Aggregate):
    """The supervisors of one data folder, in the order they were added."""

    #: Supervisors whose last PIN try could not be stored, by key, in the state it left them.
    _pending_pins: dict[str, Supervisor]

    def supervisors(self) -> list[Supervisor]:
        """Every supervisor, in the order they were added."""
        with self.store.lock:
            rows = sorted(self._rows(SUPERVISORS).items(), key=lambda kv: int(kv[0]))
        return [supervisor_from_doc(doc) for _, doc in rows]

    def has_admin(self) -> bool:
        return any(s.admin for s in self.supervisors())

    def find_supervisor(self, name: str) -> Supervisor | None:
        with self.store.lock:
            key = self._supervisor_key(name)
            return supervisor_from_doc(self._rows(SUPERVISORS)[key]) if key is not None else None

    def add_supervisor(self, supervisor: Supervisor) -> None:
        with self.store.lock:
            if self._supervisor_key(supervisor.name) is not None:
                raise ValidationError("name", "exists", value=supervisor.name)
            key = str(max(map(int, self._rows(SUPERVISORS)), default=0) + 1)
            self.store.commit([("put", SUPERVISORS, key, supervisor_to_doc(supervisor))])
        log.info("supervisor %r added (admin: %s)", supervisor.name, supervisor.admin)

    def remove_supervisor(self, name: str) -> None:
        """Remove one; the last admin cannot be removed (nobody could leave the kiosk)."""
        with self.store.lock:
            key = self._supervisor_key(name)
            if key is None:
                raise ValidationError("name", "unknown", value=name)
            rows = self._rows(SUPERVISORS)
            doc = rows[key]
            admins = [d for d in rows.values() if d.get("admin")]
            if doc.get("admin") and len(admins) == 1:
                raise ValidationError("name", "last_admin", value=doc["name"])
            self.store.commit([("del", SUPERVISORS, key)])
        log.info("supervisor %r removed", doc["name"])

    def check_supervisor_pin(self, name: str, pin: str) -> PinCheck | None:
        """Try a PIN (about 50 ms, run it off the UI thread) and store the new failure count or
        lockout durably; None if there is no such supervisor.

        Fails closed (fault report D3): when a try cannot be stored (a full disk), it raises the
        StorageError, and that supervisor's state stays pending in memory, counting on from
        there: every later try must first store it, or it is refused too, the right PIN
        included. Otherwise a full disk would allow endless guesses, as it once did."""
        with self.store.lock:
            key = self._supervisor_key(name)
            if key is None:
                return None
            stored = supervisor_from_doc(self._rows(SUPERVISORS)[key])
        pending = self._pending_pins.get(key)
        supervisor = pending if pending is not None else stored
        result = try_pin(supervisor, pin, self.clock())
        if not result.ok:
            log.info("wrong PIN for supervisor %r (locked until: %s)", name, result.locked_until)
        if result.supervisor != stored or pending is not None:
            try:
                with self.store.lock:
                    self.store.commit([("put", SUPERVISORS, key, supervisor_to_doc(result.supervisor))])
            except StorageError:
                # A right PIN refused here resets nothing: the wrong tries before it still count.
                self._pending_pins[key] = supervisor if result.ok else result.supervisor
                log.warning("a PIN try for supervisor %r could not be stored: refused", name)
                raise
        self._pending_pins.pop(key, None)
        return result

    def _supervisor_key(self, name: str) -> str | None:
        with self.store.lock:
            for key, doc in self._rows(SUPERVISORS).items():
                if same_name(doc["name"], name):
                    return key
        return None
