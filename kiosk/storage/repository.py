"""The repository: the one small interface through which the screens and the command line read
and write a data folder (SPEC section 8: a replicating store can later sit behind it).

It joins one class per aggregate, each in its own module: :mod:`~kiosk.storage.records`,
:mod:`~kiosk.storage.teams`, :mod:`~kiosk.storage.aars`, :mod:`~kiosk.storage.work`,
:mod:`~kiosk.storage.huddles`, :mod:`~kiosk.storage.supervisors` and
:mod:`~kiosk.storage.print_jobs`.
Thread-safe; call it from workers, not from the UI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.core.records import SCHEMA_VERSION
from kiosk.core.teams import PracticePair, practice_pairs
from kiosk.storage.aars import AarsRepository
from kiosk.storage.aggregate import Clock
from kiosk.storage.huddles import HuddlesRepository
from kiosk.storage.journal import JournalStore
from kiosk.storage.migrations import upgrade_tables
from kiosk.storage.packed import unpack
from kiosk.storage.print_jobs import PrintJobsRepository
from kiosk.storage.records import RECORDS, RecordsRepository, record_from_doc
from kiosk.storage.supervisors import SupervisorsRepository
from kiosk.storage.teams import TeamsRepository
from kiosk.storage.work import WorkRepository


class Repository(RecordsRepository, TeamsRepository, AarsRepository, WorkRepository, HuddlesRepository,
                 SupervisorsRepository, PrintJobsRepository):
    """Everything in one data folder."""

    def __init__(self, store: JournalStore, clock: Clock, *, id_series: int = 0) -> None:
        self.store = store
        self.clock = clock
        self._pending_pins = {}
        self._init_records()
        #: The admin's id series (1 to 64), or 0: the folder's own (see ``_series``).
        self.id_series = id_series
        with store.lock:
            upgraded = upgrade_tables(store.tables, store.schema, SCHEMA_VERSION)
            store.schema = SCHEMA_VERSION
            self._rebuild_indexes()
            self._rebuild_teams()
            self._rebuild_aars()
            self._rebuild_work()
        store.add_listener(self._on_change, self._rebuild_indexes)
        store.add_listener(self._on_team_change, self._rebuild_teams)
        store.add_listener(self._on_aar_change, self._rebuild_aars)
        store.add_listener(self._on_work_change, self._rebuild_work)
        if upgraded and store.writer:
            store.compact()  # the upgraded documents become the new snapshot

    def practice_pairs(self) -> list[PracticePair]:
        """Every "procedure says / we actually do" pair, from reviews and Learning Teams, the
        newest first (only the records whose review has one are rebuilt)."""
        with self.store.lock:
            docs = list(self._rows(RECORDS).values())
        with_pairs = []
        for doc in docs:
            review = unpack(doc.get("review")) or {}
            if not review.get("draft", True) and (review.get("work_as_imagined") or review.get("work_as_done")):
                with_pairs.append(record_from_doc(doc))
        return practice_pairs(with_pairs, self.teams())

    def refresh(self) -> bool:
        """Readers: take in records saved by the running kiosk."""
        return self.store.refresh()

    def close(self) -> None:
        self.store.close()


def open_repository(
    folder: Path | str, *, clock: Clock, writer: bool = True, command: str = "kiosk", id_series: int = 0,
    **store_args: Any,
) -> Repository:
    """Open a data folder as its writer (the kiosk, import) or as a reader (export)."""
    store = JournalStore(folder, writer=writer, command=command, **store_args)
    try:
        return Repository(store, clock, id_series=id_series)
    except BaseException:
        store.close(compact=False)  # e.g. data from a newer kiosk: leave it as it is, unlocked
        raise


def load_repository(store: JournalStore, clock: Clock, *, id_series: int = 0) -> Repository:
    """The repository of a store created with ``load=False`` (reads the data now)."""
    if not store.loaded:
        store.load()
    return Repository(store, clock, id_series=id_series)
