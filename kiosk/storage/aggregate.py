"""What every part of the repository stands on: the journal store, the clock, and the tables.

Each aggregate the kiosk keeps (records, supervisors, print jobs; later Learning Teams,
after-action reviews and work items) is one class over this base, in its own module, and
:class:`kiosk.storage.repository.Repository` joins them. Every write is one journal
transaction, so what belongs together changes together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.storage.journal import JournalStore

Clock = Callable[[], datetime]


class Aggregate:
    """One aggregate's access to the store. All reads and writes of the tables hold
    ``store.lock``; documents are replaced, never changed in place."""

    store: JournalStore
    clock: Clock

    def _rows(self, table: str) -> dict[str, Any]:
        """A table's documents by key (the live dict: hold ``store.lock`` while using it)."""
        return self.store.tables.get(table, {})
