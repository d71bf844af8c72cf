"""Storage: the only code that knows the data folder's files.

Read in this order: ``format`` (the files), ``files`` (atomic writes), ``journal`` (the store:
saves, snapshots, readers), ``recovery`` (what a start does with damage), ``errors``; then the
repository (``repository``) and its aggregates (``records``, ``supervisors``, ``print_jobs``),
with ``search`` (the word index) and ``migrations``; ``backup`` copies and restores a folder.
"""

from kiosk.storage.errors import DataDamaged, DataFolderBusy, NewerSchema, StorageError, StorageFull
from kiosk.storage.journal import JournalStore
from kiosk.storage.records import HomeCounts, SearchPage
from kiosk.storage.recovery import OpenReport
from kiosk.storage.repository import Repository, load_repository, open_repository

__all__ = [
    "DataDamaged",
    "DataFolderBusy",
    "HomeCounts",
    "JournalStore",
    "NewerSchema",
    "OpenReport",
    "Repository",
    "SearchPage",
    "StorageError",
    "StorageFull",
    "load_repository",
    "open_repository",
]
