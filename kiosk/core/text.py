"""Text hygiene: everything a person types, scans or imports passes through here.

Stored text is NFC, free of control characters and of bidi overrides, so it can never move
the terminal's cursor, open an OSC clipboard write, or reach a printer as a command. The same
functions run again at render time (defence in depth) — see PITFALLS 4.2.
"""

from __future__ import annotations

import re
import unicodedata

#: C0 controls except \n and \t, DEL, C1 controls, the Unicode bidi overrides/isolates, and
#: lone surrogates (a JSON "\ud800" decodes to one; it is no character and cannot be stored).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]"
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[ \t\u00a0]+")


#: Characters :func:`clean_text` removes or replaces: control characters, bidi controls,
#: surrogates, other newlines, tabs and no-break spaces.
_UNCLEAN_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff"
    "\u2028\u2029\t\u00a0]"
)
#: Whitespace at either end of a line, inside a text (its ends are looked at apart).
_UNCLEAN_LINE_ENDS = re.compile("[^\\S\n]\n|\n[^\\S\n]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC-normalise and strip control characters; single-line text loses its newlines too.

    Tabs become spaces, runs of spaces collapse, and the ends are trimmed. Text that is clean
    already (nearly all of it) is seen to be so and returned as it is: an import cleans every
    text of every record, and the passes of :func:`_clean` were a third of its time.
    """
    text = unicodedata.normalize("NFC", str(value))
    if not text:
        return text
    if (
        _UNCLEAN_CHARS.search(text) is None
        and "  " not in text
        and not text[0].isspace()
        and not text[-1].isspace()
        and (
            "\n" not in text
            or (multiline and "\n\n\n" not in text and _UNCLEAN_LINE_ENDS.search(text) is None)
        )
    ):
        return text
    return _clean(text, multiline=multiline)


def _clean(text: str, *, multiline: bool) -> str:
    """:func:`clean_text` the long way, for text that needs it (NFC already)."""
    text = _NEWLINES.sub("\n", text)
    text = _CONTROL.sub("", text)
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        # Keep paragraphs but never more than one blank line in a row.
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    else:
        text = _SPACES.sub(" ", text.replace("\n", " "))
    return text.strip()


def inert(value: str) -> str:
    """Text that is safe to hand to any widget as plain content (render-time hygiene)."""
    text = unicodedata.normalize("NFC", str(value))
    return _CONTROL.sub("", _NEWLINES.sub("\n", text))


def fold(value: str) -> str:
    """Lower-case, accent-free form used for search: 'Presión' and 'PRESION' fold alike.

    Compatibility decomposition then ASCII: 'Ñandú' → 'nandu', 'ß' → 'ss', '½' → '12';
    symbols without an ASCII form ('€') drop out of both the text and the query alike.
    """
    text = value.casefold()
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def shorten(text: str, limit: int = 160) -> str:
    """One glanceable line: whitespace collapsed, long texts end in an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
