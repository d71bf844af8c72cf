"""A slip as the exact bytes of one print job, made by python-escpos's Dummy printer.

Every job: ``ESC @`` (initialise), ``ESC t n`` (the configured code page), the lines, the QR
codes, feed and cut. Text goes through ``Escpos.text`` with the code page forced, and every
character in it is one the page has (``paper_text``), so nothing becomes '?' and no control
byte from a person's text reaches the printer. Bold and double height never change the font
(``ESC M`` resets the code page on some clones), and the width stays the same.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import qrcode
from PIL import Image

from kiosk.printing.profiles import paper_dots
from kiosk.printing.slips import Line, QRCode, Slip

log = logging.getLogger(__name__)

_import_lock = threading.Lock()


def load_escpos() -> ModuleType:
    """Import python-escpos the safe way and return its ``printer`` module.

    Call only after the kiosk's logging is set up (its import calls ``logging.basicConfig``,
    a no-op then, instead of a handler that writes on the kiosk's screen). Its import also
    makes a temporary folder for a cache on every start; that folder is made inside one of
    ours and removed, and the cache is kept in the kiosk's own cache folder instead.
    """
    with _import_lock:
        import sys

        if "escpos.printer" in sys.modules:
            return sys.modules["escpos.printer"]
        if not logging.getLogger().handlers:
            logging.getLogger().addHandler(logging.NullHandler())
        if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
            cache = _cache_folder()
            if cache is not None:  # else its cache goes in the private folder, removed below
                os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        private = tempfile.mkdtemp(prefix="kiosk-escpos-")
        saved = tempfile.tempdir
        tempfile.tempdir = private
        try:
            import escpos.printer
        finally:
            tempfile.tempdir = saved
            shutil.rmtree(private, ignore_errors=True)
        return escpos.printer


def _cache_folder() -> Path | None:
    """The kiosk user's own cache folder (never a shared one: python-escpos unpickles what it
    finds there, PITFALLS 4.5), or None if it cannot be made."""
    from platformdirs import user_cache_path

    folder = user_cache_path("learning-kiosk", appauthor=False) / "escpos"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder


@dataclass(frozen=True)
class Rendering:
    """How one printer model gets its jobs."""

    profile: str = ""
    native_qr: bool = False


def qr_matrix(url: str, border: int = 4) -> list[list[bool]]:
    """The QR code of ``url`` at error correction M, with a quiet zone of ``border`` modules."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def qr_module_dots(modules: int, dots: int) -> int:
    """Dots per module: the code takes about 60% of the paper's width, 2–8 dots a module."""
    return max(2, min(8, (dots * 3 // 5) // modules))


def qr_image(url: str, dots: int) -> Image.Image:
    """A 1-bit image of the QR code sized for a paper ``dots`` wide (quiet zone included)."""
    matrix = qr_matrix(url)
    count = len(matrix)
    size = qr_module_dots(count, dots)
    modules = Image.new("1", (count, count), 1)
    modules.putdata([0 if dark else 1 for row in matrix for dark in row])
    return modules.resize((count * size, count * size), Image.Resampling.NEAREST)


def render(slip: Slip, rendering: Rendering = Rendering()) -> bytes:
    """The bytes of one job for ``slip``."""
    printer_module = load_escpos()
    printer = printer_module.Dummy(profile=rendering.profile or None)
    dots = paper_dots(rendering.profile, slip.columns)
    # The model's width as the job's width: image() then centres QR codes on the paper (and no
    # longer print()s a warning about an unknown width). A copy: the database is shared.
    data = copy.deepcopy(printer.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = dots
    printer.profile.profile_data = data

    printer.hw("INIT")
    printer.charcode(slip.code_page)
    for part in slip.parts:
        if isinstance(part, Line):
            if part.style == "title":
                printer.set(bold=True, double_height=True)
            elif part.style == "bold":
                printer.set(bold=True)
            printer.text(part.text + "\n")
            if part.style == "title":
                printer.set(normal_textsize=True, bold=False)
            elif part.style == "bold":
                printer.set(bold=False)
        elif isinstance(part, QRCode):
            _qr(printer, part.url, dots, rendering.native_qr)
    printer.cut()  # feeds first; a model without a cutter only feeds
    return printer.output


def _qr(printer: Any, url: str, dots: int, native: bool) -> None:
    from escpos.constants import QR_ECLEVEL_M

    if native:
        modules = len(qr_matrix(url))
        printer.set(align="center")
        printer.qr(url, ec=QR_ECLEVEL_M, size=min(16, qr_module_dots(modules, dots)), native=True)
        printer.text("\n")
        printer.set(align="left")
        return
    printer.image(qr_image(url, dots), center=True)
    printer.text("\n")
