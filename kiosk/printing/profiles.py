"""Printer models and their code pages, from python-escpos's own database.

The database is read directly (a 96 KB JSON file, ~3 ms) instead of importing python-escpos,
whose import parses it as YAML (~0.2 s) and configures logging: the configuration can then be
checked before any screen starts, and the character map of a code page is known without it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

#: Font A is 12 dots wide: the printable width of a paper of N columns is N * 12 dots.
DOTS_PER_COLUMN = 12

#: The letters every slip needs; a code page without them cannot be configured.
SPANISH = "áéíóúüñÁÉÍÓÚÜÑ¿¡€"


@lru_cache(maxsize=1)
def _database() -> dict[str, Any]:
    path = os.environ.get("ESCPOS_CAPABILITIES_FILE")
    if not path:
        spec = importlib.util.find_spec("escpos")  # locates the package without running it
        if spec is None or not spec.submodule_search_locations:
            raise LookupError("python-escpos is not installed")
        path = str(Path(next(iter(spec.submodule_search_locations))) / "capabilities.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Profile:
    """What the kiosk needs to know about one printer model."""

    name: str
    code_pages: dict[str, int]  # code page name -> the n of ESC t n
    pixels: int | None  # printable width in dots, when the database knows it
    columns: int | None  # characters per line in font A, when known
    native_qr: bool
    cuts: bool


def profile_names() -> list[str]:
    return sorted(_database()["profiles"])


@cache
def profile(name: str) -> Profile:
    """The model called ``name`` ('' is python-escpos's default); KeyError if unknown."""
    data = _database()["profiles"][name or "default"]
    pages = {page: int(number) for number, page in data.get("codePages", {}).items()
             if page != "Unknown"}
    pixels = data.get("media", {}).get("width", {}).get("pixels")
    font_a = data.get("fonts", {}).get("0", {}).get("columns")
    features = data.get("features", {})
    return Profile(
        name=name or "default",
        code_pages=pages,
        pixels=pixels if isinstance(pixels, int) else None,
        columns=font_a if isinstance(font_a, int) else None,
        native_qr=bool(features.get("qrCode")),
        cuts=bool(features.get("paperFullCut") or features.get("paperPartCut")),
    )


@cache
def character_map(page: str) -> dict[str, int]:
    """Every non-ASCII character the code page has, with its byte (0x80–0xFF).

    Built the way python-escpos's encoder builds it, so what is in this map is exactly what
    ``text()`` sends as one byte instead of a '?'."""
    encoding = _database()["encodings"].get(page)
    if encoding is None:
        raise KeyError(page)
    if "data" in encoding:
        chars = "".join(encoding["data"])
        return {char: 0x80 + i for i, char in enumerate(chars) if char != " "}
    codec = encoding.get("python_encode")
    if not codec:
        raise KeyError(page)
    found: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            continue
        if char.isprintable() and char not in found:
            found[char] = byte
    return found


def check(profile_name: str, page: str, columns: int) -> tuple[str, str] | None:
    """Why this printer setting cannot work, as (key, reason); None when it can.

    Reasons are English facts; the config module words them for the admin."""
    try:
        model = profile(profile_name)
    except KeyError:
        return "printer.profile", "unknown_profile"
    if page not in model.code_pages:
        return "printer.code_page", "page_not_in_profile"
    try:
        known = character_map(page)
    except KeyError:
        return "printer.code_page", "page_unusable"
    if any(char not in known for char in SPANISH):
        return "printer.code_page", "page_lacks_spanish"
    if model.pixels is not None and columns * DOTS_PER_COLUMN > model.pixels:
        return "printer.columns", "too_wide"
    return None


def paper_dots(profile_name: str, columns: int) -> int:
    """The printable width in dots: the columns in font A, within what the model can print."""
    model = profile(profile_name)
    wanted = columns * DOTS_PER_COLUMN
    return min(wanted, model.pixels) if model.pixels else wanted
