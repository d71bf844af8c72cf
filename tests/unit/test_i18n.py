"""Every message has a Spanish translation, and the shipped .mo files match the .po files."""

from __future__ import annotations

from babel.messages.pofile import read_po

from kiosk import i18n


def _catalog(code: str):
    with i18n._po_path(code).open("rb") as handle:
        return read_po(handle, locale=code)


def test_every_message_in_the_source_has_a_spanish_translation():
    template = i18n.extract_template()
    spanish = _catalog("es_AR")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = spanish.get(message.id)
        strings = translated.string if translated else None
        if not translated or not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id)
    assert missing == [], f"run `python -m kiosk.i18n extract`, translate, then `make locale`: {missing}"


def test_no_fuzzy_or_obsolete_spanish_entries():
    spanish = _catalog("es_AR")
    assert [m.id for m in spanish if m.fuzzy and m.id] == []


def test_compiled_catalogs_are_up_to_date():
    for code in i18n.LANGUAGES:
        shipped = i18n._po_path(code).with_suffix(".mo").read_bytes()
        assert shipped == i18n.compiled_catalog(code), f"run `make locale` for {code}"


def test_placeholders_survive_translation():
    import re

    spanish = _catalog("es_AR")
    for message in spanish:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{[^}]*\}", ids[0]))
        for text in strings:
            assert set(re.findall(r"\{[^}]*\}", text)) == wanted, message.id


def test_switching_language():
    i18n.set_language("en")
    assert i18n._("Report something") == "Report something"
    i18n.set_language("es_AR")
    assert i18n._("Report something") == "Reportar algo"
    assert i18n.ngettext("{n} record", "{n} records", 2).format(n=2) == "2 registros"


def test_no_message_is_hidden_inside_an_f_string():
    """Babel cannot see _("…") inside an f-string: such a message never reaches the catalog
    and stays English on screen. Keep the msgid in an N_() constant and write _(CONSTANT)."""
    import re
    from pathlib import Path

    hidden = re.compile(r"""\{_\(\s*["']|\{ngettext\(\s*["']""")
    offenders = []
    for path in (Path(i18n.__file__).parent).rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if hidden.search(line):
                offenders.append(f"{path.name}:{number}")
    assert offenders == []
