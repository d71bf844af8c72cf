"""What the Linux console can draw.

The console font deploy/README.md recommends (Debian's Vietnamese Terminus, from
console-setup) has Latin-1, box drawing, the block elements █ ▀ ▄ ▌ ▐ ░ ▒ ▓ ■ and arrows, but
not ⏎ or the eighth blocks (▁…▇); the Uni2/Uni3 Terminus fonts lack ▀ ▄ ▌ ▐ ▓. Every
character the kiosk draws is in :data:`CONSOLE_GLYPHS` (a pty test checks it under
``TERM=linux``), and Textual keeps to the 16 ANSI colours there by itself.
"""

from __future__ import annotations

import os

#: Non-ASCII characters a common console font has (WGL4 subset the kiosk may draw).
CONSOLE_GLYPHS = frozenset(
    "".join(chr(c) for c in range(0xA0, 0x100))  # Latin-1: á é í ó ú ü ñ Ñ ¿ ¡ « » · …
    + "─│┌┐└┘├┤┬┴┼━┃┏┓┗┛═║╔╗╚╝╭╮╯╰"  # box drawing
    + "█▀▄▌▐░▒▓■"  # blocks
    + "←↑→↓↔↕"  # arrows
    + "–—‘’“”…•€√"  # punctuation, euro
)


def on_linux_console() -> bool:
    return os.environ.get("TERM", "") == "linux"


def use_console_glyphs() -> None:
    """Scroll bars without the eighth blocks (their thumbs end on whole cells): call once
    before the app starts, on the Linux console only."""
    from textual.scrollbar import ScrollBarRender

    ScrollBarRender.VERTICAL_BARS = ["▄"] * 4 + [" "] * 4
    ScrollBarRender.HORIZONTAL_BARS = ["█"] * 4 + [" "] * 4


#: The console's theme: Textual's dark one, with the accent (titles, Home's digits) and the
#: warnings in colours that stay themselves in 16 colours. Textual's orange became bold bright
#: red there, which on a black console reads as an error banner (walk item 36).
CONSOLE_THEME = "kiosk-console"


def console_theme():  # -> textual.theme.Theme (imported here: the core never loads Textual)
    from dataclasses import replace

    from textual.theme import BUILTIN_THEMES

    return replace(BUILTIN_THEMES["textual-dark"], name=CONSOLE_THEME, accent="#00FFFF", warning="#FFFF00")
