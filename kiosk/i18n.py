"""Languages: gettext catalogs for es_AR (the default) and en, switchable while running.

Source strings are English msgids wrapped in ``_()``; ``N_()`` marks strings that are
translated later (binding descriptions, tables of labels). The active language is process-wide
because the kiosk is one screen for one person at a time; ``set_language`` switches it and the
app then re-renders every visible string.

Maintenance: ``python -m kiosk.i18n extract`` updates the .po files from the source,
``python -m kiosk.i18n compile`` writes the .mo files (both need Babel, a test dependency).
"""

from __future__ import annotations

import gettext
import sys
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("es_AR", "en")
DEFAULT_LANGUAGE = "es_AR"

_catalogs: dict[str, gettext.NullTranslations] = {}
_active: gettext.NullTranslations = gettext.NullTranslations()
_active_code = ""


def _catalog(code: str) -> gettext.NullTranslations:
    if code not in _catalogs:
        _catalogs[code] = gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[code], fallback=True
        )
    return _catalogs[code]


def set_language(code: str) -> None:
    """Make ``code`` (one of LANGUAGES) the language of every string from now on."""
    global _active, _active_code  # noqa: PLW0603 - the language is process-wide (one screen, one person)
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}")
    _active = _catalog(code)
    _active_code = code


def language() -> str:
    return _active_code


def translator(code: str):
    """``gettext`` of one language, whatever the active one is (slips render in the language
    they were asked in, on the printer's thread, while the screen may switch)."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}")
    return _catalog(code).gettext


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _active.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


set_language(DEFAULT_LANGUAGE)


# -- maintenance (Babel) -------------------------------------------------------------------


def _po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract_template():
    """All messages in the source, as a Babel catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project="learning-kiosk", charset="utf-8")
    package = Path(__file__).parent
    # ``tr`` is a translator of one language (kiosk.i18n.translator), as slips use it.
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "tr": None}
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(package), method_map=method_map, keywords=keywords
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def extract() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = extract_template()
    for code in LANGUAGES:
        path = _po_path(code)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=code)
        else:
            catalog = Catalog(locale=code, project="learning-kiosk", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=False)


def compiled_catalog(code: str) -> bytes:
    """The .mo bytes for a language's .po file."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with _po_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_catalogs() -> None:
    for code in LANGUAGES:
        _po_path(code).with_suffix(".mo").write_bytes(compiled_catalog(code))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        extract()
    elif command == "compile":
        compile_catalogs()
    else:
        sys.exit("usage: python -m kiosk.i18n extract|compile")
