"""A strict reader of ESC/POS byte streams, as python-escpos 3.1 produces them.

``parse(data)`` turns the bytes sent to a printer into a list of typed items (commands, text
runs, decoded images, native QR codes). It is strict on purpose: unknown or truncated commands,
out-of-range arguments and any control byte inside text (other than LF) raise
:class:`StreamError`, so a test that parses a slip also proves that user text injected nothing.

Text bytes are decoded with the code page selected by the last ``ESC t n``, using the same
tables python-escpos encodes with (``escpos.capabilities``). ``ESC @`` resets the printer to its
power-on code page, which the stream cannot know, so by default it also clears the selection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import ClassVar, Literal, TypeVar

import zxingcpp
from escpos.capabilities import CAPABILITIES, get_profile
from PIL import Image

ESC = 0x1B
GS = 0x1D
DLE = 0x10
FS = 0x1C
LF = 0x0A
EOT = 0x04
NUL = 0x00

# Inverting every bit turns ESC/POS dot data (1 = printed) into PIL "1" pixels (1 = white).
_INVERT = bytes(0xFF - value for value in range(256))


class StreamError(ValueError):
    """The stream is not something python-escpos would send: unknown, truncated or unsafe bytes."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"offset {offset}: {reason}")
        self.offset = offset
        self.reason = reason


# --- Items ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Init:
    """ESC @: initialise the printer (resets styles and the code page)."""

    name: ClassVar[str] = "INIT"


@dataclass(frozen=True)
class CodePage:
    """ESC t n: select character code table ``n`` (``encoding`` is its capabilities name)."""

    n: int
    encoding: str
    name: ClassVar[str] = "CODEPAGE"


@dataclass(frozen=True)
class Bold:
    """ESC E n: emphasised mode on or off."""

    on: bool
    name: ClassVar[str] = "BOLD"


@dataclass(frozen=True)
class Underline:
    """ESC - n: underline off (0/48), 1-dot (1/49) or 2-dot (2/50)."""

    n: int
    name: ClassVar[str] = "UNDERLINE"


@dataclass(frozen=True)
class Size:
    """GS ! n: character size, as width and height multipliers (1-8)."""

    width: int
    height: int
    name: ClassVar[str] = "SIZE"


@dataclass(frozen=True)
class PrintMode:
    """ESC ! n: print mode bits; python-escpos uses it for normal/double size text."""

    n: int
    name: ClassVar[str] = "PRINT_MODE"

    @property
    def double_height(self) -> bool:
        """Bit 4: double height."""
        return bool(self.n & 0x10)

    @property
    def double_width(self) -> bool:
        """Bit 5: double width."""
        return bool(self.n & 0x20)


@dataclass(frozen=True)
class Align:
    """ESC a n: justification (0/48 left, 1/49 center, 2/50 right)."""

    n: int
    name: ClassVar[str] = "ALIGN"

    @property
    def side(self) -> str:
        """``"left"``, ``"center"`` or ``"right"``."""
        return ("left", "center", "right")[self.n % 48]


@dataclass(frozen=True)
class Font:
    """ESC M n: character font (0 = A, 1 = B, ...)."""

    n: int
    name: ClassVar[str] = "FONT"


@dataclass(frozen=True)
class Text:
    """A run of printable characters, decoded with ``code_page`` (None: none selected, ASCII)."""

    text: str
    code_page: int | None
    name: ClassVar[str] = "TEXT"


@dataclass(frozen=True)
class LineFeed:
    """LF: print the line buffer and feed one line."""

    name: ClassVar[str] = "LF"


@dataclass(frozen=True)
class Feed:
    """ESC d n (``n`` lines) or ESC J n (``n`` motion units, "dots")."""

    n: int
    unit: Literal["lines", "dots"]
    name: ClassVar[str] = "FEED"


@dataclass(frozen=True)
class LineSpacing:
    """ESC 2 (default spacing: both fields None) or ESC 3/A/+ n (``n``/``divisor`` inch)."""

    n: int | None
    divisor: int | None
    name: ClassVar[str] = "LINE_SPACING"


@dataclass(frozen=True)
class Raster:
    """GS v 0: raster bit image; ``image`` is mode "1", black = printed dot."""

    image: Image.Image = field(compare=False, repr=False)
    mode: int
    width_bytes: int
    height: int
    name: ClassVar[str] = "RASTER"


@dataclass(frozen=True)
class Graphics:
    """GS ( L function 112: store a raster graphic (printed by GRAPHICS_PRINT)."""

    image: Image.Image = field(compare=False, repr=False)
    x_scale: int
    y_scale: int
    name: ClassVar[str] = "GRAPHICS"


@dataclass(frozen=True)
class ColumnImage:
    """ESC * m: one stripe (8 or 24 dots high) of a column-format bit image."""

    image: Image.Image = field(compare=False, repr=False)
    m: int
    name: ClassVar[str] = "COLUMN_IMAGE"


@dataclass(frozen=True)
class NativeQr:
    """GS ( k function 180: store QR data, with the settings of functions 165/167/169.

    ``model`` is 1, 2 or 3 (micro) and ``ec_level`` 0-3 (L, M, Q, H), as in
    ``escpos.constants``; each is None when the stream did not set it.
    """

    payload: str
    module_size: int | None
    ec_level: int | None
    model: int | None
    name: ClassVar[str] = "NATIVE_QR"


@dataclass(frozen=True)
class Cut:
    """GS V m (``feed`` None) or GS V m n (feed ``n`` then cut)."""

    m: int
    feed: int | None
    name: ClassVar[str] = "CUT"

    @property
    def partial(self) -> bool:
        """True for the partial-cut variants."""
        return self.m in (1, 49, 66, 98, 104)


@dataclass(frozen=True)
class StatusQuery:
    """DLE EOT n: real-time status request (1 printer, 2 offline cause, 3 error, 4 paper)."""

    n: int
    name: ClassVar[str] = "STATUS"


@dataclass(frozen=True)
class Barcode:
    """GS k m: hardware barcode of symbology ``m`` with its raw data."""

    symbology: int
    data: bytes
    name: ClassVar[str] = "BARCODE"


@dataclass(frozen=True)
class Command:
    """Any other recognised command, by name, with its numeric arguments."""

    name: str
    args: tuple[int, ...] = ()


Item = (
    Init
    | CodePage
    | Bold
    | Underline
    | Size
    | PrintMode
    | Align
    | Font
    | Text
    | LineFeed
    | Feed
    | LineSpacing
    | Raster
    | Graphics
    | ColumnImage
    | NativeQr
    | Cut
    | StatusQuery
    | Barcode
    | Command
)

ItemT = TypeVar("ItemT")


@dataclass
class Stream:
    """The parsed stream: ``items`` in the order the printer receives them."""

    items: list[Item]

    def of(self, kind: type[ItemT]) -> list[ItemT]:
        """Every item of one type, in order."""
        return [item for item in self.items if isinstance(item, kind)]

    def text(self) -> str:
        """All text runs and line feeds joined (LF becomes "\\n")."""
        return "".join(
            item.text if isinstance(item, Text) else "\n"
            for item in self.items
            if isinstance(item, (Text, LineFeed))
        )

    def lines(self) -> list[str]:
        """``text()`` split on "\\n"."""
        return self.text().split("\n")

    def images(self) -> list[Image.Image]:
        """Every printed image (mode "1", black = dot), as it lands on paper.

        python-escpos splits tall images into fragments and column images into stripes;
        adjacent pieces of one image are joined back together.
        """
        return [block for block in _printed_blocks(self.items) if isinstance(block, Image.Image)]

    def code_pages(self) -> list[int]:
        """The ``n`` of every ESC t n, in order."""
        return [item.n for item in self.of(CodePage)]

    def commands(self) -> list[str]:
        """The name of every item, in order (TEXT and LF included)."""
        return [item.name for item in self.items]


# --- Parser --------------------------------------------------------------------------------


Allowed = Sequence[int] | None


@dataclass(frozen=True)
class _Spec:
    """A fixed-length command: allowed values per argument byte (None: any) and its builder."""

    label: str
    allowed: tuple[Allowed, ...]
    build: Callable[[tuple[int, ...]], Item]


def _simple(name: str, *allowed: Allowed) -> _Spec:
    """Spec for a command that becomes ``Command(name, args)``."""
    return _Spec(name, allowed, lambda args: Command(name, args))


_ESC_SPECS: dict[int, _Spec] = {
    ord("@"): _Spec("ESC @", (), lambda a: Init()),
    ord("E"): _Spec("ESC E", ((0, 1),), lambda a: Bold(a[0] == 1)),
    ord("-"): _Spec("ESC -", ((0, 1, 2, 48, 49, 50),), lambda a: Underline(a[0])),
    ord("!"): _Spec("ESC !", (None,), lambda a: PrintMode(a[0])),
    ord("a"): _Spec("ESC a", ((0, 1, 2, 48, 49, 50),), lambda a: Align(a[0])),
    ord("M"): _Spec(
        "ESC M", ((0, 1, 2, 3, 4, 48, 49, 50, 51, 52, 97, 98),), lambda a: Font(a[0])
    ),
    ord("d"): _Spec("ESC d", (None,), lambda a: Feed(a[0], "lines")),
    ord("J"): _Spec("ESC J", (None,), lambda a: Feed(a[0], "dots")),
    ord("2"): _Spec("ESC 2", (), lambda a: LineSpacing(None, None)),
    ord("3"): _Spec("ESC 3", (None,), lambda a: LineSpacing(a[0], 180)),
    ord("A"): _Spec("ESC A", (range(0, 86),), lambda a: LineSpacing(a[0], 60)),
    ord("+"): _Spec("ESC +", (None,), lambda a: LineSpacing(a[0], 360)),
    ord("G"): _simple("DOUBLE_STRIKE", (0, 1)),
    ord("{"): _simple("FLIP", (0, 1)),
    ord("r"): _simple("COLOR", (0, 1, 48, 49)),
    ord("p"): _simple("CASH_DRAWER", (0, 1, 48, 49), None, None),
    ord("B"): _simple("BUZZER", range(1, 10), range(1, 10)),
    ord("="): _simple("SELECT_PERIPHERAL", None),
}

_ESC_C_SPECS: dict[int, _Spec] = {
    ord("0"): _simple("PAPER_TYPE", None),
    ord("3"): _simple("PAPER_SENSOR_OUT", None),
    ord("4"): _simple("PAPER_SENSOR_STOP", None),
    ord("5"): _simple("PANEL_BUTTONS", (0, 1)),
}

_GS_SPECS: dict[int, _Spec] = {
    # Width and height nibbles are each 0-7 (1x to 8x).
    ord("!"): _Spec(
        "GS !",
        (tuple(n for n in range(0x78) if not n & 0x88),),
        lambda a: Size((a[0] >> 4) + 1, (a[0] & 0x0F) + 1),
    ),
    ord("B"): _simple("INVERT", (0, 1)),
    ord("b"): _simple("SMOOTH", (0, 1)),
    ord("|"): _simple("DENSITY", range(0, 9)),
    ord("H"): _simple("BARCODE_HRI", (0, 1, 2, 3, 48, 49, 50, 51)),
    ord("f"): _simple("BARCODE_FONT", (0, 1, 2, 3, 4, 48, 49, 50, 51, 52, 97, 98)),
    ord("h"): _simple("BARCODE_HEIGHT", range(1, 256)),
    ord("w"): _simple("BARCODE_WIDTH", (*range(1, 7), *range(68, 77))),
}

_CUT_PLAIN = (0, 1, 48, 49)
_CUT_WITH_FEED = (65, 66, 97, 98, 103, 104)


@cache
def _code_page_numbers(profile: str) -> dict[int, str]:
    """ESC t number -> encoding name, for a capabilities profile."""
    return {int(n): name for name, n in get_profile(profile).get_code_pages().items()}


@cache
def _high_half(encoding: str) -> tuple[str | None, ...] | None:
    """Characters for bytes 0x80-0xFF in ``encoding`` (None where undefined), or None if unknown."""
    spec = CAPABILITIES["encodings"].get(encoding, {})
    if "data" in spec:
        chars = tuple("".join(spec["data"]))
        if len(chars) != 128:
            raise ValueError(f"capabilities data for {encoding} has {len(chars)} characters")
        return chars
    if "python_encode" in spec:
        table: list[str | None] = []
        for value in range(0x80, 0x100):
            try:
                table.append(bytes([value]).decode(spec["python_encode"]))
            except UnicodeDecodeError:
                table.append(None)
        return tuple(table)
    return None


def _bits_image(data: bytes, width: int, height: int) -> Image.Image:
    """A mode "1" image from ESC/POS dot rows (MSB first, 1 = printed, black)."""
    return Image.frombytes("1", (width, height), data.translate(_INVERT))


class _Parser:
    """One pass over the bytes; state is the selected code page and the QR settings."""

    def __init__(self, data: bytes, profile: str, init_resets_code_page: bool) -> None:
        self.data = data
        self.pos = 0
        self.items: list[Item] = []
        self.profile = profile
        self.code_pages = _code_page_numbers(profile)
        self.init_resets_code_page = init_resets_code_page
        self.code_page: int | None = None
        self.table: tuple[str | None, ...] | None = None
        self.text: list[str] = []
        self.qr_model: int | None = None
        self.qr_size: int | None = None
        self.qr_ec: int | None = None

    # helpers

    def take(self, start: int, count: int, what: str) -> bytes:
        """The next ``count`` bytes, or a truncation error for the command at ``start``."""
        end = self.pos + count
        if end > len(self.data):
            raise StreamError(
                start, f"truncated {what}: needs {end - start} bytes, {len(self.data) - start} left"
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def emit(self, item: Item) -> None:
        """Append an item after the pending text run."""
        self.flush_text()
        self.items.append(item)

    def flush_text(self) -> None:
        """Close the pending text run, if any."""
        if self.text:
            self.items.append(Text("".join(self.text), self.code_page))
            self.text.clear()

    def run_spec(self, start: int, spec: _Spec) -> None:
        """Read and validate a fixed-length command's arguments, then emit its item."""
        args = tuple(self.take(start, len(spec.allowed), spec.label))
        for index, (value, allowed) in enumerate(zip(args, spec.allowed, strict=True)):
            if allowed is not None and value not in allowed:
                raise StreamError(
                    start, f"{spec.label}: argument {index + 1} = {value} out of range"
                )
        item = spec.build(args)
        if isinstance(item, Init):
            self.reset()
        self.emit(item)

    def reset(self) -> None:
        """ESC @ state reset."""
        self.qr_model = self.qr_size = self.qr_ec = None
        if self.init_resets_code_page:
            self.code_page = None
            self.table = None

    # main loop

    def parse(self) -> list[Item]:
        """Parse the whole buffer."""
        data = self.data
        while self.pos < len(data):
            start = self.pos
            byte = data[start]
            if byte == ESC:
                self.flush_text()
                self.pos += 1
                self.esc(start)
            elif byte == GS:
                self.flush_text()
                self.pos += 1
                self.gs(start)
            elif byte == DLE:
                self.flush_text()
                self.pos += 1
                self.dle(start)
            elif byte == FS:
                raise StreamError(start, "unknown FS command")
            elif byte == LF:
                self.emit(LineFeed())
                self.pos += 1
            elif byte < 0x20 or byte == 0x7F:
                raise StreamError(start, f"control byte 0x{byte:02x} in text")
            else:
                self.text.append(self.char(start, byte))
                self.pos += 1
        self.flush_text()
        return self.items

    def char(self, offset: int, byte: int) -> str:
        """Decode one text byte with the active code page."""
        if byte < 0x80:
            return chr(byte)
        if self.code_page is None:
            raise StreamError(offset, f"byte 0x{byte:02x} in text but no code page selected")
        if self.table is None:
            raise StreamError(
                offset,
                f"byte 0x{byte:02x} in text but code page {self.code_page} has no known table",
            )
        decoded = self.table[byte - 0x80]
        if decoded is None:
            raise StreamError(
                offset, f"byte 0x{byte:02x} is undefined in code page {self.code_page}"
            )
        return decoded

    # ESC

    def esc(self, start: int) -> None:
        """ESC commands."""
        command = self.take(start, 1, "ESC command")[0]
        if command in _ESC_SPECS:
            self.run_spec(start, _ESC_SPECS[command])
        elif command == ord("t"):
            n = self.take(start, 1, "ESC t")[0]
            if n not in self.code_pages:
                raise StreamError(
                    start, f"ESC t {n}: no such code page in profile {self.profile!r}"
                )
            self.code_page = n
            self.table = _high_half(self.code_pages[n])
            self.emit(CodePage(n, self.code_pages[n]))
        elif command == ord("c"):
            sub = self.take(start, 1, "ESC c")[0]
            if sub not in _ESC_C_SPECS:
                raise StreamError(start, f"unknown command ESC c 0x{sub:02x}")
            self.run_spec(start, _ESC_C_SPECS[sub])
        elif command == ord("*"):
            self.column_image(start)
        elif command == ord("D"):
            self.tab_stops(start)
        else:
            raise StreamError(start, f"unknown command ESC 0x{command:02x}")

    def column_image(self, start: int) -> None:
        """ESC * m nL nH d1...dk: one stripe of a column-format image."""
        m, low, high = self.take(start, 3, "ESC *")
        if m not in (0, 1, 32, 33):
            raise StreamError(start, f"ESC *: mode {m} out of range")
        width = low + 256 * high
        if width == 0:
            raise StreamError(start, "ESC *: zero width")
        per_column = 3 if m >= 32 else 1
        dots = self.take(start, width * per_column, "ESC * data")
        stripe = _bits_image(dots, per_column * 8, width).transpose(Image.Transpose.TRANSPOSE)
        self.emit(ColumnImage(stripe, m))

    def tab_stops(self, start: int) -> None:
        """ESC D n1...nk NUL: horizontal tab positions, strictly ascending."""
        stops: list[int] = []
        while True:
            value = self.take(start, 1, "ESC D")[0]
            if value == NUL:
                break
            if (stops and value <= stops[-1]) or len(stops) == 32:
                raise StreamError(start, "ESC D: tab stops not ascending or more than 32")
            stops.append(value)
        self.emit(Command("TAB_STOPS", tuple(stops)))

    # GS

    def gs(self, start: int) -> None:
        """GS commands."""
        command = self.take(start, 1, "GS command")[0]
        if command in _GS_SPECS:
            self.run_spec(start, _GS_SPECS[command])
        elif command == ord("V"):
            m = self.take(start, 1, "GS V")[0]
            if m in _CUT_PLAIN:
                self.emit(Cut(m, None))
            elif m in _CUT_WITH_FEED:
                self.emit(Cut(m, self.take(start, 1, "GS V m n")[0]))
            else:
                raise StreamError(start, f"GS V: cut mode {m} out of range")
        elif command == ord("v"):
            self.raster(start)
        elif command == ord("("):
            function = self.take(start, 1, "GS (")[0]
            low, high = self.take(start, 2, "GS ( length")
            body = self.take(start, low + 256 * high, "GS ( data")
            if function == ord("L"):
                self.graphics(start, body)
            elif function == ord("k"):
                self.symbol(start, body)
            else:
                raise StreamError(start, f"unknown command GS ( 0x{function:02x}")
        elif command == ord("k"):
            self.barcode(start)
        else:
            raise StreamError(start, f"unknown command GS 0x{command:02x}")

    def raster(self, start: int) -> None:
        """GS v 0 m xL xH yL yH d1...dk: raster bit image."""
        zero, m, x_low, x_high, y_low, y_high = self.take(start, 6, "GS v 0")
        if zero != ord("0"):
            raise StreamError(start, f"unknown command GS v 0x{zero:02x}")
        if m not in (0, 1, 2, 3, 48, 49, 50, 51):
            raise StreamError(start, f"GS v 0: mode {m} out of range")
        width_bytes = x_low + 256 * x_high
        height = y_low + 256 * y_high
        if width_bytes == 0 or height == 0:
            raise StreamError(start, "GS v 0: empty image")
        dots = self.take(start, width_bytes * height, "GS v 0 data")
        self.emit(Raster(_bits_image(dots, width_bytes * 8, height), m, width_bytes, height))

    def graphics(self, start: int, body: bytes) -> None:
        """GS ( L: function 112 (store raster graphics) and 50 (print it)."""
        if len(body) < 2 or body[0] != ord("0"):
            raise StreamError(start, "GS ( L: unsupported m")
        function = body[1]
        if function == ord("2"):
            if len(body) != 2:
                raise StreamError(start, "GS ( L 50: wrong length")
            self.emit(Command("GRAPHICS_PRINT"))
            return
        if function != ord("p"):
            raise StreamError(start, f"GS ( L: unsupported function {function}")
        if len(body) < 10:
            raise StreamError(start, "GS ( L 112: header too short")
        tone, x_scale, y_scale, color = body[2:6]
        width = body[6] + 256 * body[7]
        height = body[8] + 256 * body[9]
        if tone != ord("0") or {x_scale, y_scale} - {1, 2} or color not in range(49, 53):
            raise StreamError(start, "GS ( L 112: parameter out of range")
        dots = body[10:]
        if width == 0 or height == 0 or len(dots) != (width + 7) // 8 * height:
            raise StreamError(start, f"GS ( L 112: {len(dots)} data bytes for {width}x{height}")
        image = _bits_image(dots, (width + 7) // 8 * 8, height).crop((0, 0, width, height))
        self.emit(Graphics(image, x_scale, y_scale))

    def symbol(self, start: int, body: bytes) -> None:
        """GS ( k with cn = 49: the QR code functions 165, 167, 169, 180 and 181."""
        if len(body) < 2 or body[0] != ord("1"):
            raise StreamError(start, "GS ( k: only QR codes (cn = 49) are supported")
        function, args = body[1], body[2:]
        if function == 65:
            if len(args) != 2 or args[0] not in (49, 50, 51) or args[1] != 0:
                raise StreamError(start, "GS ( k 165: bad QR model")
            self.qr_model = args[0] - 48
            self.emit(Command("QR_MODEL", (self.qr_model,)))
        elif function == 67:
            if len(args) != 1 or not 1 <= args[0] <= 16:
                raise StreamError(start, "GS ( k 167: bad QR module size")
            self.qr_size = args[0]
            self.emit(Command("QR_SIZE", (self.qr_size,)))
        elif function == 69:
            if len(args) != 1 or args[0] not in (48, 49, 50, 51):
                raise StreamError(start, "GS ( k 169: bad QR error correction level")
            self.qr_ec = args[0] - 48
            self.emit(Command("QR_EC", (self.qr_ec,)))
        elif function == 80:
            if len(args) < 2 or args[0] != ord("0"):
                raise StreamError(start, "GS ( k 180: empty or malformed QR data")
            try:
                payload = args[1:].decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = f"GS ( k 180: QR data is not UTF-8 ({exc.reason})"
                raise StreamError(start, reason) from None
            self.emit(NativeQr(payload, self.qr_size, self.qr_ec, self.qr_model))
        elif function == 81:
            if args != b"0":
                raise StreamError(start, "GS ( k 181: malformed print request")
            self.emit(Command("QR_PRINT"))
        else:
            raise StreamError(start, f"GS ( k: unsupported QR function {function}")

    def barcode(self, start: int) -> None:
        """GS k m: function A (data ends with NUL) or function B (length byte, then data)."""
        m = self.take(start, 1, "GS k")[0]
        if m <= 6:
            end = self.data.find(b"\x00", self.pos)
            if end < 0:
                raise StreamError(start, "truncated GS k: missing NUL terminator")
            data = self.take(start, end - self.pos, "GS k data")
            self.pos += 1
        elif 65 <= m <= 79:
            length = self.take(start, 1, "GS k length")[0]
            data = self.take(start, length, "GS k data")
        else:
            raise StreamError(start, f"GS k: symbology {m} out of range")
        if not data:
            raise StreamError(start, "GS k: empty barcode")
        self.emit(Barcode(m, data))

    # DLE

    def dle(self, start: int) -> None:
        """DLE EOT n: real-time status transmission."""
        command, n = self.take(start, 2, "DLE command")
        if command != EOT:
            raise StreamError(start, f"unknown command DLE 0x{command:02x}")
        if not 1 <= n <= 4:
            raise StreamError(start, f"DLE EOT {n}: out of range")
        self.emit(StatusQuery(n))


def parse(data: bytes, profile: str = "default", *, init_resets_code_page: bool = True) -> Stream:
    """Parse an ESC/POS byte stream strictly; raises :class:`StreamError` on anything unexpected.

    With ``init_resets_code_page`` (the default), ESC @ forgets the selected code page, so
    non-ASCII text after it needs a new ESC t (the printer falls back to its power-on table).
    """
    return Stream(_Parser(bytes(data), profile, init_resets_code_page).parse())


# --- Images and QR codes -------------------------------------------------------------------


def _image_of(item: Item) -> tuple[str, int, Image.Image] | None:
    """(kind, join key, image) for image items; adjacent items with equal kind and key join."""
    if isinstance(item, Raster):
        return ("raster", item.mode * 65536 + item.width_bytes, item.image)
    if isinstance(item, Graphics):
        return ("graphics", item.image.width, item.image)
    if isinstance(item, ColumnImage):
        return ("column", item.m * 65536 + item.image.width, item.image)
    return None


def _is_glue(kind: str, item: Item) -> bool:
    """Items that python-escpos puts between the pieces of one image."""
    if kind == "graphics":
        return isinstance(item, Command) and item.name == "GRAPHICS_PRINT"
    if kind == "column":
        return isinstance(item, LineFeed)
    return False


def _stack(pieces: list[Image.Image]) -> Image.Image:
    """Pieces of one image, top to bottom."""
    if len(pieces) == 1:
        return pieces[0]
    width = max(piece.width for piece in pieces)
    canvas = Image.new("1", (width, sum(piece.height for piece in pieces)), 1)
    top = 0
    for piece in pieces:
        canvas.paste(piece, (0, top))
        top += piece.height
    return canvas


def _printed_blocks(items: Sequence[Item]) -> Iterator[Image.Image | NativeQr]:
    """Printed images (joined from their pieces) and native QR codes, in stream order."""
    pieces: list[Image.Image] = []
    group: tuple[str, int] | None = None
    for item in items:
        found = _image_of(item)
        if found is not None:
            kind, key, image = found
            if group != (kind, key) and pieces:
                yield _stack(pieces)
                pieces = []
            group = (kind, key)
            pieces.append(image)
            continue
        if group is not None and _is_glue(group[0], item):
            continue
        if pieces:
            yield _stack(pieces)
            pieces = []
        group = None
        if isinstance(item, NativeQr):
            yield item
    if pieces:
        yield _stack(pieces)


def decode_qr(image: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp finds in ``image``, top to bottom, left to right."""
    gray = image.convert("L")
    margin = max(16, min(gray.size) // 8)
    canvas = Image.new("L", (gray.width + 2 * margin, gray.height + 2 * margin), 255)
    canvas.paste(gray, (margin, margin))
    found = zxingcpp.read_barcodes(
        canvas, formats=[zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode]
    )
    found.sort(key=lambda code: (code.position.top_left.y, code.position.top_left.x))
    return [code.text for code in found]


def qr_payloads(data: bytes, profile: str = "default") -> list[str]:
    """Every QR code in the stream, in order: decoded from printed images or native QR data."""
    payloads: list[str] = []
    for block in _printed_blocks(parse(data, profile).items):
        if isinstance(block, NativeQr):
            payloads.append(block.payload)
        else:
            payloads.extend(decode_qr(block))
    return payloads
