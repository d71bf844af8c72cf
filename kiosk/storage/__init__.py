"""Storage: the only code that knows files. See journal.py for the design."""

from kiosk.storage.journal import (
    DataDamaged,
    DataFolderBusy,
    JournalStore,
    OpenReport,
    StorageError,
    StorageFull,
)
from kiosk.storage.repository import (
    HomeCounts,
    Repository,
    SearchPage,
    load_repository,
    open_repository,
)

__all__ = [
    "DataDamaged",
    "DataFolderBusy",
    "HomeCounts",
    "JournalStore",
    "OpenReport",
    "Repository",
    "SearchPage",
    "StorageError",
    "StorageFull",
    "load_repository",
    "open_repository",
]
