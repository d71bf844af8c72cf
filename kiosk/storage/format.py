"""The data folder's file formats: journal lines and snapshots, and the names of the files.

Layout of a data folder::

    kiosk.json              the snapshot, a plain TinyDB JSON file ({table: {doc_id: doc}})
    kiosk.json.1 … .N       previous snapshots (generations), newest first
    journal-<seq>.log       journal segments; each line is one transaction with seq > <seq>
    kiosk.lock              held (flock) by the one writer; says who it is
    damaged/                anything found damaged at start is moved here, never deleted

A journal line is ``<json>\\t<crc32>\\n``: one whole transaction, ``{"seq": n, "ops": [...]}``.
A snapshot is TinyDB's JSON with one document per line, a ``_meta`` table first (its sequence
number and schema version) and a ``_checksum`` table last.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from io import BufferedReader
from pathlib import Path
from typing import Any

import orjson

from kiosk.storage.packed import PACKED_PARTS, pack
from kiosk.storage.packed import default as packed_json

SNAPSHOT = "kiosk.json"
LOCK = "kiosk.lock"
DAMAGED = "damaged"
META_TABLE = "_meta"
CHECKSUM_TABLE = "_checksum"
_SEGMENT = re.compile(r"^journal-(\d{12})\.log$")
_GENERATION = re.compile(r"^kiosk\.json\.(\d+)$")

#: One change of a transaction: ``("put", table, key, doc)`` or ``("del", table, key)``.
Op = tuple[Any, ...]
#: Every table of a data folder: ``{table: {key: document}}``.
Tables = dict[str, dict[str, Any]]
Entry = dict[str, Any]


def segment_name(seq: int) -> str:
    """The journal segment whose entries follow sequence number ``seq``."""
    return f"journal-{seq:012d}.log"


def list_segments(folder: Path) -> dict[int, Path]:
    """The journal segments in ``folder`` by the sequence number they start after."""
    found = {}
    for entry in os.scandir(folder) if folder.is_dir() else ():
        match = _SEGMENT.match(entry.name)
        if match:
            found[int(match.group(1))] = Path(entry.path)
    return found


def list_generations(folder: Path) -> list[Path]:
    """The older snapshots in ``folder``, newest (``kiosk.json.1``) first."""
    found = []
    for entry in os.scandir(folder) if folder.is_dir() else ():
        match = _GENERATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), Path(entry.path)))
    return [path for _, path in sorted(found)]


def generation_number(path: Path) -> int:
    return int(path.name.rsplit(".", 1)[1])


# ---------------------------------------------------------------------------------------------
# Journal lines


def check_ops(ops: Iterable[Op]) -> None:
    """Refuse a malformed transaction before anything is written: once in the journal, an
    operation that cannot be applied would stop every later open of the folder, and a key
    that is not a string would make the next snapshot invalid JSON."""
    for op in ops:
        if not isinstance(op, (tuple, list)) or not op:
            raise ValueError(f"not a journal operation: {op!r}")
        if op[0] == "put":
            shape_ok = len(op) == 4 and isinstance(op[3], dict)
        elif op[0] == "del":
            shape_ok = len(op) == 3
        else:
            shape_ok = False
        if not shape_ok or not isinstance(op[1], str) or not isinstance(op[2], str):
            raise ValueError(f"malformed journal operation: {op!r}")
        if op[1] == META_TABLE:
            raise ValueError(f"{META_TABLE} is the snapshot's own table")


def encode_entry(seq: int, ops: Iterable[Op]) -> bytes:
    body = orjson.dumps({"seq": seq, "ops": [list(op) for op in ops]}, default=packed_json)
    return body + b"\t" + b"%08x" % zlib.crc32(body) + b"\n"


def decode_entry(line: bytes) -> Entry | None:
    """The transaction on one journal line, or None if the line is damaged."""
    body, sep, crc = line.rstrip(b"\n").rpartition(b"\t")
    if not sep or len(crc) != 8:
        return None
    try:
        if int(crc, 16) != zlib.crc32(body):
            return None
        entry = orjson.loads(body)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        return None
    if not isinstance(entry.get("ops"), list):
        return None
    for op in entry["ops"]:
        # Held until replayed, like a snapshot's documents: packed as read (a 16 MB segment
        # was 70 MB of objects at start).
        if isinstance(op, list) and len(op) == 4 and op[0] == "put" and op[1] in PACKED_PARTS:
            op[3] = pack(op[3], PACKED_PARTS[op[1]])
    return entry


@dataclass
class Segment:
    """One journal file and what was read from it."""

    path: Path
    base: int
    entries: list[Entry] = field(default_factory=list)
    good_size: int = 0  # bytes up to the end of the last good line
    size: int = 0
    damaged_lines: int = 0
    torn_tail: bool = False  # a last line without its newline: an unacknowledged save
    tail: bytes = b""  # the end (checksum and newline) of the last good line read


def read_segment(path: Path, base: int, offset: int = 0) -> Segment:
    data = path.read_bytes()[offset:] if offset else path.read_bytes()
    segment = Segment(path=path, base=base, size=offset + len(data), good_size=offset)
    position = 0
    while position < len(data):
        end = data.find(b"\n", position)
        if end < 0:
            segment.torn_tail = True
            break
        entry = decode_entry(data[position : end + 1])
        if entry is None:
            segment.damaged_lines += 1
        else:
            segment.entries.append(entry)
            segment.good_size = offset + end + 1
            segment.tail = data[max(position, end - 9) : end + 1]
        position = end + 1
    return segment


# ---------------------------------------------------------------------------------------------
# Snapshots


def snapshot_chunks(tables: Tables, meta: dict[str, Any]) -> Iterator[bytes]:
    """The snapshot as TinyDB JSON with one document per line, streamed a document at a time
    (low memory; the GIL is released between documents so the screen stays responsive).

    The line layout — ``{"_meta":{…}`` / ``,"table":{`` / ``"key":{doc}`` / ``,"key":{doc}`` /
    ``}`` / ``}`` — is still plain JSON for TinyDB, and lets :func:`read_snapshot` parse one
    document at a time instead of the whole file at once. The last table, ``_checksum``, holds
    the CRC-32 of every byte before it, so a change that still parses (a flipped digit in a
    counter) is caught at start like any other damage.
    """
    crc = 0

    def summed(chunk: bytes) -> bytes:
        nonlocal crc
        crc = zlib.crc32(chunk, crc)
        return chunk

    yield summed(b"{" + orjson.dumps(META_TABLE) + b":" + orjson.dumps({"1": meta}) + b"\n")
    for name in sorted(tables):
        if name in (META_TABLE, CHECKSUM_TABLE):
            continue
        yield summed(b"," + orjson.dumps(name) + b":{\n")
        separator = b""
        buffer: list[bytes] = []
        for key, doc in tables[name].items():
            buffer.append(separator + orjson.dumps(key) + b":" + orjson.dumps(doc, default=packed_json) + b"\n")
            separator = b","
            if len(buffer) >= 256:
                yield summed(b"".join(buffer))
                buffer.clear()
        buffer.append(b"}\n")
        yield summed(b"".join(buffer))
    yield b"," + orjson.dumps(CHECKSUM_TABLE) + b':{\n"1":{"crc32":"%08x"}\n}\n}\n' % crc


_TABLE_LINE = re.compile(rb'^,("(?:[^"\\]|\\.)*"):\{$')


def read_snapshot(path: Path, packed: Mapping[str, tuple[str, ...]] = PACKED_PARTS) -> tuple[Tables, dict[str, Any]]:
    """Parse and check one snapshot; raises ValueError if it is damaged in any way. The parts
    ``packed`` names are packed as each document is read (:mod:`kiosk.storage.packed`).

    Snapshots in our line layout are parsed a document at a time: parsing 40 MB in one call
    holds the file, the parser's own tree and the result at once (peak +90 MB at 25k records).
    Any other valid TinyDB file (e.g. one written by TinyDB itself) is parsed whole.
    """
    with path.open("rb") as handle:
        first = handle.readline()
        if not first.strip() and not first and not handle.read(1):
            raise ValueError("empty file")
        if first.startswith(b'{"_meta":') and first.endswith(b"}\n"):
            tables = _read_lines(first, handle, packed)
        else:
            handle.seek(0)
            tables = _read_whole(handle)
            tables.pop(CHECKSUM_TABLE, None)  # reformatted by hand: it can no longer be checked
            for name, parts in packed.items():
                rows = tables.get(name)
                if isinstance(rows, dict):
                    for key, doc in rows.items():
                        rows[key] = pack(doc, parts)
    meta = tables.pop(META_TABLE, {}).get("1")
    if not isinstance(meta, dict) or not isinstance(meta.get("seq"), int):
        raise ValueError("missing sequence number")
    return tables, meta


def _read_whole(handle: BufferedReader) -> Tables:
    data = bytearray(os.fstat(handle.fileno()).st_size)  # one buffer, no growing copies
    handle.readinto(data)
    if not data or data.isspace():  # (not strip(): that would copy the whole file)
        raise ValueError("empty file")
    tables = orjson.loads(data)
    del data
    if not isinstance(tables, dict):
        raise ValueError("not a JSON object")
    for name, rows in tables.items():
        if not isinstance(rows, dict):
            raise ValueError(f"table {name!r} is not an object")
    return tables


def _read_lines(first: bytes, handle: BufferedReader, packed: Mapping[str, tuple[str, ...]]) -> Tables:
    tables: Tables = orjson.loads(first[:-1] + b"}")
    if not isinstance(tables.get(META_TABLE), dict):
        raise ValueError("bad _meta line")
    loads = orjson.loads
    crc = zlib.crc32(first)
    summed: int | None = None  # the CRC of everything before the checksum table
    rows: dict[str, Any] | None = None
    expected_first = True
    for line in handle:
        before, crc = crc, zlib.crc32(line, crc)
        if rows is None:
            if line == b"}\n":
                if handle.read(1).strip():
                    raise ValueError("data after the end")
                check = tables.pop(CHECKSUM_TABLE, {}).get("1", {})
                if summed is None or check.get("crc32") != f"{summed:08x}":
                    raise ValueError("checksum mismatch")
                return tables
            match = _TABLE_LINE.match(line.rstrip(b"\n"))
            if match is None:
                raise ValueError("bad table line")
            name = loads(match.group(1))
            if name == CHECKSUM_TABLE:
                if summed is not None:
                    raise ValueError("two checksums")
                summed = before
            rows = tables.setdefault(name, {})
            parts = packed.get(name, ())
            expected_first = True
        elif line == b"}\n":
            rows = None
        else:
            if not line.endswith(b"\n"):
                raise ValueError("cut short")
            if expected_first == line.startswith(b","):
                raise ValueError("bad separator")
            body = line[1:-1] if not expected_first else line[:-1]
            expected_first = False
            item = loads(b"{" + body + b"}")
            if len(item) != 1:
                raise ValueError("bad document line")
            if parts:
                for key, doc in item.items():
                    rows[key] = pack(doc, parts)
            else:
                rows.update(item)
    raise ValueError("cut short")


def read_snapshot_seq(path: Path) -> int:
    """The sequence number of a snapshot, without parsing all of it when possible."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    match = re.match(rb'\{"_meta":\{"1":(\{[^{}]*\})', head)
    if match:
        return int(orjson.loads(match.group(1))["seq"])
    return read_snapshot(path)[1]["seq"]
