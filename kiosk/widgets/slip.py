"""A slip drawn on screen as it prints: the same lines, at the paper's width, black on white,
and each QR code drawn with half blocks (one module per column, two per row) so that a phone
can scan it off the screen."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from kiosk.printing.escpos_out import qr_matrix
from kiosk.printing.slips import Line, QRCode, Slip

PAPER = Style(color="black", bgcolor="white")
BOLD = Style(color="black", bgcolor="white", bold=True)
#: Half-block cells for (top dark, bottom dark).
_HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def slip_text(slip: Slip) -> Text:
    """The slip as one Rich Text: a white strip ``max(columns, widest QR)`` wide plus margins."""
    codes = {part.url: qr_matrix(part.url) for part in slip.parts if isinstance(part, QRCode)}
    width = max([slip.columns] + [len(m) for m in codes.values()])
    out = Text(no_wrap=True, overflow="crop", end="")
    blank = " " * (width + 2)
    out.append(blank + "\n", PAPER)
    for part in slip.parts:
        if isinstance(part, Line):
            style = BOLD if part.style in ("bold", "title") else PAPER
            out.append(" " + part.text.ljust(width) + " \n", style)
            continue
        matrix = codes[part.url]
        left = (width - len(matrix)) // 2
        rows = matrix + ([[False] * len(matrix)] if len(matrix) % 2 else [])
        for top, bottom in zip(rows[::2], rows[1::2], strict=True):
            cells = "".join(_HALVES[(a, b)] for a, b in zip(top, bottom, strict=True))
            out.append(" " * (left + 1), PAPER)
            out.append(cells, PAPER)
            out.append(" " * (width - left - len(matrix) + 1) + "\n", PAPER)
    out.append(blank, PAPER)
    return out


class SlipView(Static):
    """Shows one slip; ``show(None)`` clears it."""

    DEFAULT_CSS = """
    SlipView { width: auto; height: auto; }
    """

    def __init__(self, slip: Slip | None = None, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.slip = slip

    def on_mount(self) -> None:
        self.show(self.slip)

    def show(self, slip: Slip | None) -> None:
        self.slip = slip
        self.update(slip_text(slip) if slip is not None else "")
