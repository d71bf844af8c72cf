"""What text becomes on paper.

Every string that reaches a slip passes :func:`paper_text` first: NFC, no control characters
of any kind (C0 but line feed, DEL, C1, bidi and zero-width format characters), and only
letters the job's code page has — others become a close equivalent (typographic quotes and
dashes, ellipsis, accented letters from other alphabets) or are dropped, never a '?' or
garbage. Only the kiosk's own code emits printer commands (PITFALLS 4.1).
"""

from __future__ import annotations

import textwrap
import unicodedata
from functools import lru_cache

from kiosk.printing.profiles import character_map

#: Close equivalents for characters that common code pages lack.
_EQUIVALENTS = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
    "‹": "<", "›": ">",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "…": "...", "•": "*", "‣": "*", "◦": "*",
    "\t": " ", "\u00a0": " ", "\u2007": " ", "\u202f": " ",
    "™": "TM", "℃": "°C", "≤": "<=", "≥": ">=", "≠": "!=", "×": "x", "÷": "/",
}


@lru_cache(maxsize=8)
def _allowed(page: str) -> frozenset[str]:
    return frozenset(character_map(page))


def paper_text(text: str, page: str) -> str:
    """``text`` made safe and exact for a printer using code page ``page``."""
    allowed = _allowed(page)
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")):
        out.append(_one(char, allowed))
    return "".join(out)


def _one(char: str, allowed: frozenset[str]) -> str:
    if char == "\n" or " " <= char <= "~":
        return char
    if char in allowed:
        return char
    if char in _EQUIVALENTS:
        return "".join(c for c in _EQUIVALENTS[char] if c in allowed or " " <= c <= "~")
    if unicodedata.category(char)[0] in "CZ":  # controls, format, separators, unassigned
        return " " if unicodedata.category(char) == "Zs" else ""
    # Letters from other alphabets: their base letter when the page has it (ő → o, ﬁ → fi).
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if (" " <= c <= "~" or c in allowed)
                   and not unicodedata.combining(c))
    return kept


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Lines of at most ``width`` characters, broken between words; a word longer than a line
    is split, never cut off. Blank lines between paragraphs are kept (one at most)."""
    lines: list[str] = []
    for given in text.split("\n"):
        paragraph = " ".join(given.split())
        if not paragraph:
            if lines and lines[-1] != "":
                lines.append("")
            continue
        lines += textwrap.wrap(
            paragraph, width, subsequent_indent=indent, break_long_words=True,
            break_on_hyphens=False,
        )
    while lines and lines[-1] == "":
        lines.pop()
    return lines
