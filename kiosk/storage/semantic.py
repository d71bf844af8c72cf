"""The sentence vectors of every record, kept current in the background.

:class:`MeaningIndex` owns the model (:class:`~kiosk.storage.vectors.Encoder`) and the cache
(:class:`~kiosk.storage.vectors.VectorCache`). A worker thread loads the model once Home is up,
makes the vectors the cache lacks (a first start on 25 000 records: a few minutes, in batches,
letting the screen and the saves go first) and then those of every new or changed record, as
the repository tells it. Until a record has its vector, matching simply does not score it by
meaning; if the model cannot load, the kiosk says so (log, health screen) and matches by words.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.core.similarity import Candidate
from kiosk.storage.packed import unpacked
from kiosk.storage.vectors import Encoder, ModelUnavailable, VectorCache, text_hash

log = logging.getLogger(__name__)

#: Records encoded at a time; after each batch the worker rests twice as long as it worked, so
#: that the screen's thread and the saves find the interpreter free (the tokenizer is Python).
BATCH = 16
REST = 2.0
#: While the worker makes vectors, threads hand the interpreter over every 0.2 ms (not
#: every 5): a save waiting for it after its fsync then waits at most that long.
SWITCH_INTERVAL_S = 0.0002
#: Vectors are written to the cache file this many at a time during a build (a kill loses at
#: most these; they are made again).
WRITE_EVERY = 2048


@dataclass(frozen=True)
class MeaningStatus:
    state: str  # "waiting" (not started), "loading", "building", "ready", "off"
    done: int  # records with a current vector
    total: int
    reason: str = ""  # why it is off


class Closeness:
    """One question's cosine similarity to every record with a vector (by record number)."""

    def __init__(self, keys: np.ndarray, scores: np.ndarray, where: Callable[[int], int | None]) -> None:
        self.keys = keys
        self.scores = scores
        self._where = where  # a record's row in the cache

    def top(self, count: int) -> list[int]:
        """The numbers of the ``count`` closest records."""
        if count >= len(self.scores):
            order = np.argsort(-self.scores)
        else:
            part = np.argpartition(-self.scores, count)[:count]
            order = part[np.argsort(-self.scores[part])]
        return [int(key) for key in self.keys[order] if key >= 0]

    def get(self, key: int) -> float | None:
        index = self._where(key)
        if index is None or index >= len(self.keys) or self.keys[index] != key:
            return None  # no vector yet (or made after this question)
        return float(self.scores[index])


class MeaningIndex:
    """Sentence vectors for the records of one data folder."""

    def __init__(self, folder: Path, *, encoder: Encoder | None = None, may_rewrite: bool = True) -> None:
        self.encoder = encoder or Encoder()
        self.cache = VectorCache(folder, self.encoder.version, may_rewrite=may_rewrite)
        self._state = "waiting"
        self._reason = ""
        self._rows: Callable[[], Mapping[str, Any]] | None = None
        self._dirty: set[str] = set()
        self._all_dirty = True
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._total = 0
        self._lock = threading.Lock()

    # -- state ------------------------------------------------------------------------------

    def status(self) -> MeaningStatus:
        with self._lock:
            return MeaningStatus(self._state, len(self.cache), self._total, self._reason)

    @property
    def usable(self) -> bool:
        """Whether meaning can be asked now (the model is loaded and some vectors exist)."""
        return self._state in ("building", "ready")

    # -- keeping it current -----------------------------------------------------------------

    def attach(self, rows: Callable[[], Mapping[str, Any]]) -> None:
        """``rows``: a snapshot of the records table (key → document), taken under the store's lock."""
        self._rows = rows

    def changed(self, key: str) -> None:
        """A record was added, changed or removed (called from the repository, under its lock)."""
        with self._lock:
            self._dirty.add(key)
        self._wake.set()

    def changed_all(self) -> None:
        """The records were read again (a reader's reload): check every vector."""
        with self._lock:
            self._all_dirty = True
        self._wake.set()

    def start(self) -> None:
        """Load the model and build in a background thread (returns at once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="meaning-index", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def build_now(self) -> None:
        """Load and build in this thread (the command line: ``kiosk similar``)."""
        if self._prepare():
            self._catch_up(pause=0.0)

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def _prepare(self) -> bool:
        with self._lock:
            self._state = "loading"
        try:
            self.encoder.load()
        except ModelUnavailable as exc:
            log.warning("sentence model unavailable, matching by words only: %s", exc)
            with self._lock:
                self._state, self._reason = "off", str(exc)
            self._ready.set()
            return False
        self.cache.load()
        if self.cache.damaged:
            log.warning("vector cache had %d damaged entries: made again", self.cache.damaged)
        with self._lock:
            self._state = "building"
        return True

    def _run(self) -> None:
        try:
            if not self._prepare():
                return
            while not self._stop.is_set():
                self._catch_up(pause=REST)
                self._wake.wait()
                self._wake.clear()
        except Exception:  # never take the kiosk down: matching falls back to words
            log.exception("the meaning index stopped")
            with self._lock:
                self._state, self._reason = "off", "error"
            self._ready.set()

    def _catch_up(self, *, pause: float) -> None:
        if self._rows is None:
            return
        with self._lock:
            everything, self._all_dirty = self._all_dirty, False
            dirty, self._dirty = self._dirty, set()
        rows = self._rows()
        keys = list(rows) if everything else [key for key in dirty if key in rows]
        gone = [int(key) for key in dirty if key not in rows]
        if gone:
            self.cache.forget(gone)
        if everything:
            present = {int(key) for key in rows}
            self.cache.forget([key for key in self.cache.keys() if key not in present])
        with self._lock:
            self._total = len(rows)
        started = time.perf_counter()
        switch = sys.getswitchinterval()
        if pause and len(keys) > BATCH:
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        made = 0
        try:
            for start in range(0, len(keys), BATCH * 8):
                work = time.perf_counter()
                todo: list[tuple[int, bytes, str]] = []
                for key in keys[start:start + BATCH * 8]:
                    text = Candidate.of(unpacked(rows[key])).meaning_text
                    digest = text_hash(text)
                    if self.cache.hash_of(int(key)) != digest:
                        todo.append((int(key), digest, text))
                if pause:
                    time.sleep((time.perf_counter() - work) * pause)
                for first in range(0, len(todo), BATCH):
                    if self._stop.is_set():
                        return
                    work = time.perf_counter()
                    batch = todo[first:first + BATCH]
                    vectors = self.encoder.encode([text for _, _, text in batch])
                    self.cache.append(((key, digest, vector) for (key, digest, _), vector
                                       in zip(batch, vectors, strict=True)), write=False)
                    made += len(batch)
                    if self.cache.unwritten >= WRITE_EVERY:
                        self.cache.flush()
                    if pause:
                        time.sleep((time.perf_counter() - work) * pause)
        finally:
            self.cache.flush()
            sys.setswitchinterval(switch)
        if made:
            log.info("%d sentence vectors made in %.1f s", made, time.perf_counter() - started)
        with self._lock:
            self._state = "ready"
        self._ready.set()

    # -- asking -----------------------------------------------------------------------------

    def closeness(self, text: str) -> Closeness:
        """How close in meaning ``text`` (already in floor words) is to every record with a vector."""
        if self._thread is None and (self._dirty or self._all_dirty):
            self._catch_up(pause=0.0)  # no worker (the command line): made now
        query = self.encoder.encode([text])[0]
        return Closeness(*self.cache.scores(query), self.cache.row_of)

    def residual(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """How close in meaning each pair of texts is."""
        if not pairs:
            return []
        vectors = self.encoder.encode([a for a, _ in pairs] + [b for _, b in pairs])
        half = len(pairs)
        return [float(np.dot(vectors[i], vectors[half + i])) for i in range(half)]
