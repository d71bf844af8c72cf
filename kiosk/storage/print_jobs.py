"""Print jobs in and out: each job's state is stored before its slip is sent and after every
change (:mod:`kiosk.printing.spool` decides what the states mean)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kiosk.storage.aggregate import Aggregate
from kiosk.storage.format import Op

PRINT_JOBS = "print_jobs"


class PrintJobsRepository(Aggregate):
    """The print jobs of one data folder, by number."""

    def print_jobs(self) -> dict[int, dict[str, Any]]:
        """Every stored print job by number (documents; kiosk.printing.spool reads them)."""
        with self.store.lock:
            return {int(key): dict(doc) for key, doc in self._rows(PRINT_JOBS).items()}

    def put_print_job(self, number: int, doc: Mapping[str, Any]) -> None:
        """Store a print job's state durably (before it is sent, and after each change)."""
        with self.store.lock:
            self.store.commit([("put", PRINT_JOBS, str(number), dict(doc))])

    def remove_print_jobs(self, numbers: Iterable[int]) -> None:
        ops: list[Op] = [("del", PRINT_JOBS, str(n)) for n in numbers]
        if ops:
            with self.store.lock:
                self.store.commit(ops)
