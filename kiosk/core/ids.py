"""Record ids that people can read aloud, type and scan: ``K7Q-3XH``.

An id encodes a per-data-folder counter that only grows (it is stored and journaled with the
record, so ids are never reused after a deletion or a restart). The numbers are split into
:data:`SERIES_COUNT` series; a data folder numbers inside its own (set by the admin, or drawn at
random when the folder is new), so two kiosks of one plant do not hand out the same ids. The counter is scrambled by an
invertible affine map so consecutive reports do not look alike, written with 28 symbols that
have no vowels (no words) and none of 0/O, 1/I/L, and ends with a check symbol that catches
any single mistyped symbol and most swaps of neighbours.
"""

from __future__ import annotations

import re

ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"
_BASE = len(ALPHABET)
_DIGITS = 5
_SPACE = _BASE**_DIGITS  # 17 210 368 ids per data folder
#: The highest record number an id can hold.
HIGHEST = _SPACE - 1
#: The number space is cut into this many series of :data:`SERIES_SIZE` numbers each.
SERIES_COUNT = 64
SERIES_SIZE = _SPACE // SERIES_COUNT  # 268 912: decades of reports for one kiosk
_MULT = 3_405_691  # coprime with _SPACE (28 = 2*2*7): odd and not a multiple of 7
_OFFSET = 8_675_309
_INVERSE = pow(_MULT, -1, _SPACE)
_WEIGHTS = (1, 3, 5, 9, 11)
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-_.]")


class InvalidId(ValueError):
    """The text is not a well-formed record id (wrong symbols, length or check symbol)."""


def _check_symbol(digits: str) -> str:
    # Weights are invertible modulo 28, so every single mistyped symbol changes the check;
    # neighbouring weights differ, so most swaps of neighbours (about 93%) do too.
    total = sum(w * _VALUE[d] for w, d in zip(_WEIGHTS, digits, strict=True))
    return ALPHABET[total % _BASE]


def encode(number: int) -> str:
    """Id for counter value ``number`` (1-based)."""
    if not 1 <= number < _SPACE:
        raise ValueError(f"record number out of range: {number}")
    value = (number * _MULT + _OFFSET) % _SPACE
    digits = ""
    for _ in range(_DIGITS):
        value, rest = divmod(value, _BASE)
        digits = ALPHABET[rest] + digits
    full = digits + _check_symbol(digits)
    return f"{full[:3]}-{full[3:]}"


def decode(text: str) -> int:
    """Counter value of an id typed by a person: case, spaces and dashes do not matter."""
    compact = _SEPARATORS.sub("", text).upper()
    if len(compact) != _DIGITS + 1 or any(c not in _VALUE for c in compact):
        raise InvalidId(text)
    digits, check = compact[:-1], compact[-1]
    if _check_symbol(digits) != check:
        raise InvalidId(text)
    value = 0
    for d in digits:
        value = value * _BASE + _VALUE[d]
    number = ((value - _OFFSET) * _INVERSE) % _SPACE
    if number == 0:
        raise InvalidId(text)
    return number


def series_range(series: int) -> tuple[int, int]:
    """The first and last record number of ``series`` (1 to :data:`SERIES_COUNT`)."""
    if not 1 <= series <= SERIES_COUNT:
        raise ValueError(f"id series out of range: {series}")
    return max(1, (series - 1) * SERIES_SIZE), series * SERIES_SIZE - 1


def normalise(text: str) -> str:
    """The canonical spelling of a typed id (raises InvalidId)."""
    return encode(decode(text))
