"""Parts of stored documents kept in memory as their compact JSON, not as Python objects.

A record's review, follow-ups and history are two thirds of its JSON and are read only when the
record itself is shown, searched or exported. As dicts, lists and strings they cost about four
times their JSON in memory (25 000 records as the demo makes them: 183 MB of objects for 50 MB
of JSON); kept as bytes they cost their JSON, and the kiosk fits a small PC (issue 13 item 18:
≤ 250 MB at 25 000 records). They are unpacked where they are read (:func:`unpacked`), written
into snapshots and journal lines as they are (:func:`default`, no decoding), and compare equal
to the value they hold, so a document reads the same packed or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

#: The tables whose documents have packed parts, and which parts.
PACKED_PARTS: dict[str, tuple[str, ...]] = {"records": ("review", "follow_ups", "history")}


class Packed(bytes):
    """A JSON value as its compact bytes (an exact-size copy: orjson's own output keeps a
    larger buffer, which held three times the text)."""

    __slots__ = ()

    def value(self) -> Any:
        return orjson.loads(memoryview(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Packed):
            return bytes.__eq__(self, other)
        if isinstance(other, bytes):
            return False
        return bool(orjson.loads(memoryview(self)) == other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = bytes.__hash__

    def __repr__(self) -> str:
        return f"Packed({orjson.loads(memoryview(self))!r})"


def pack(doc: Any, names: tuple[str, ...]) -> Any:
    """``doc`` with its parts ``names`` packed (a new dict; ``doc`` is left as it is). Anything
    that is not a document, and empty parts, stay as they are."""
    if not isinstance(doc, dict):
        return doc
    packed: dict[str, Any] | None = None
    for name in names:
        value = doc.get(name)
        if value and isinstance(value, (dict, list)):
            if packed is None:
                packed = dict(doc)
            packed[name] = Packed(orjson.dumps(value))
    return packed if packed is not None else doc


def unpack(value: Any) -> Any:
    """A part as Python objects, packed or not."""
    return orjson.loads(memoryview(value)) if isinstance(value, Packed) else value


#: Every name a packed part may have (looked at, instead of each value of a document).
_PART_NAMES = tuple(sorted({name for names in PACKED_PARTS.values() for name in names}))


def unpacked(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """The document with every part as Python objects (itself if none is packed)."""
    packed = [name for name in _PART_NAMES if isinstance(doc.get(name), Packed)]
    if not packed:
        return doc
    out = dict(doc)
    for name in packed:
        out[name] = orjson.loads(memoryview(out[name]))
    return out


def default(value: Any) -> Any:
    """For ``orjson.dumps(default=...)``: a packed part is written as the JSON it holds."""
    if isinstance(value, Packed):
        return orjson.Fragment(bytes(value))
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
