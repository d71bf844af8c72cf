"""Hostile text: what a paste, a scanner, an import or a prankster can put into a record.

Every entry starts with a tag (``H01`` …) so a check can tell which ones a screen shows. The
kiosk must show each one as the literal text it is (markup never acts, escape sequences never
reach the terminal) and never send any of it to a printer as a command.
"""

from __future__ import annotations

HOSTILE = [
    "H01 [@click=app.quit]salir[/] [@click=app.exit]x[/]",
    "H02 [b]negrita[/b] [link=https://evil.example]enlace[/link] [red on white]rojo [/",
    "H03 \x1b]52;c;QUJD\x07 portapapeles OSC 52",
    "H04 \x1b[2J\x1b[H\x1b[31m borrar pantalla \x1b[0m",
    "H05 \x9b2J CSI de 8 bits \x9d0;titulo\x9c",
    "H06 \x1bP+q544e\x1b\\ DCS y \x1b_APC\x1b\\ y \x1b^PM\x1b\\",
    "H07 línea\r\nvolver\rCR \x08\x08 BS \x07 BEL \x00 NUL \x7f DEL \x0b VT \x0c FF",
    "H08 \u202eotcefed\u202c bidi \u2066aislado\u2069 \u200fRLM",
    "H09 ce\u0301dula, pin\u0303a, Presio\u0301n (acentos descompuestos)",
    "H10 Z\u0337\u0322\u031ba\u0335l\u0338g\u0336o\u0334 marcas apiladas" + "\u0301" * 40,
    "H11 👩\u200d🔧 emoji ZWJ \u200b ancho cero \ufeff BOM \u00ad guion",
    "H12 全角テキスト 한국어 ancho doble ＡＢＣ",
    "H13 %s %d {0} {record.id} $variable \\N{BULLET} %(name)s",
    "H14 <script>alert(1)</script> &amp; &lt;b&gt; \"comillas\" 'simples'",
    "H15 \x1b%G\x1b(0lqqk\x1b(B cambio de juego de caracteres",
    "H16 \x1d\x56\x00 GS V corte \x1b@ ESC @ \x10\x04\x01 DLE EOT \x1b\x70\x00\x19\xfa cajón",
    "H17 ../../etc/passwd C:\\Windows\\system32 /dev/tty1",
    "H18 " + "muy largo " * 400,
    "H19 \u2028separador\u2029párrafo\x85NEL",
    "H20 [/] ] [ [[ ]] \\[escapado] [on] [not bold]",
]
