"""Pure core: text hygiene, ids, the record model, configuration."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.config import Config, ConfigError, example_config, parse_config
from kiosk.core import ids
from kiosk.core.records import (
    KINDS,
    Record,
    ReportDraft,
    ValidationError,
    clean_report,
    new_record,
    record_from_doc,
    record_to_doc,
)
from kiosk.core.text import clean_text, fold, inert
from tests.support.clock import NOW

CONTROL = [chr(c) for c in [*range(0, 9), *range(11, 32), 0x7F, *range(0x80, 0xA0)]]


@given(st.text())
def test_clean_text_never_leaves_control_characters_and_is_idempotent(value):
    for multiline in (False, True):
        cleaned = clean_text(value, multiline=multiline)
        assert not any(c in cleaned for c in CONTROL)
        assert clean_text(cleaned, multiline=multiline) == cleaned
        if not multiline:
            assert "\n" not in cleaned


def test_clean_text_examples():
    assert clean_text("Jose\u0301") == "José"
    assert clean_text("  a\x1b[31m b\u202e  ") == "a[31m b"
    assert clean_text("uno\r\n\r\n\r\n\r\ndos", multiline=True) == "uno\n\ndos"
    assert inert("x\x9b2J\x07y") == "x2Jy"


def test_fold_is_accent_and_case_insensitive():
    assert fold("Presión HIDRÁULICA Ñandú") == fold("presion hidraulica nandu") == "presion hidraulica nandu"
    assert fold("Straße") == "strasse"


def test_ids_round_trip_are_unique_and_forgiving():
    seen = {ids.encode(n) for n in range(1, 20001)}
    assert len(seen) == 20000
    some = ids.encode(1234)
    assert ids.decode(some) == 1234
    assert ids.normalise(some.lower().replace("-", " ")) == some
    assert all(ch in ids.ALPHABET + "-" for ch in some) and len(some) == 7


def test_ids_catch_every_single_typo():
    some = ids.encode(777).replace("-", "")
    for position in range(len(some)):
        for symbol in ids.ALPHABET:
            if symbol != some[position]:
                with pytest.raises(ids.InvalidId):
                    ids.decode(some[:position] + symbol + some[position + 1:])
    for bad in ("", "ABC", "O0I-1L2", "QPC-GB8X"):
        with pytest.raises(ids.InvalidId):
            ids.decode(bad)


def test_report_rules():
    draft = ReportDraft(kind="error", area="Calidad", what_happened="  Se rompió \x1b algo  ")
    cleaned = clean_report(draft, ("Calidad",))
    assert cleaned.what_happened == "Se rompió algo"
    with pytest.raises(ValidationError) as error:
        clean_report(ReportDraft(kind="error", area="Otra", what_happened="Se rompió algo"), ("Calidad",))
    assert error.value.field == "area"
    with pytest.raises(ValidationError) as error:
        clean_report(ReportDraft(kind="oops", area="Calidad", what_happened="Se rompió algo"), None)
    assert error.value.field == "kind"
    with pytest.raises(ValidationError) as error:
        clean_report(ReportDraft(kind="error", area="Calidad", what_happened="x" * 601), None)
    assert error.value.code == "too_long"


def test_record_documents_round_trip_with_every_part():
    from kiosk.core.records import Action, Condition, FollowUp, HistoryEntry, Link, LookFor, Review

    base = new_record(clean_report(ReportDraft(kind="error", area="A", what_happened="Algo pasó en la línea"), None),
                      record_id=ids.encode(5), now=NOW)
    full = Record(**{**base.__dict__,
        "status": "closed",
        "review": Review(what_happened="x", why=(Condition("falta de luz", "environment"),),
                         action=Action("Instalar luminaria", "Mantenimiento", "2026-12-01"),
                         follow_up_date="2026-12-21", participants=("Ana", "Luis"), draft=False),
        "follow_ups": (FollowUp(at="2026-12-21T10:00:00-03:00", by="Sup", done="yes", worked="yes"),),
        "look_for": LookFor("Mirar la luz", "2027-01-01"),
        "links": (Link(ids.encode(3), "recurrence_of"),),
        "history": (*base.history, HistoryEntry(at="2026-12-21T10:00:00-03:00", by="Sup", what="closed")),
    })
    doc = record_to_doc(full)
    assert next(iter(doc)) == "id"
    assert record_from_doc(doc) == full
    with pytest.raises(ValidationError):
        record_from_doc({**doc, "extra": 1})
    assert len(base.link_token) >= 22 and base.link_token.isascii()
    assert set(KINDS) == {"error", "near_miss", "surprise", "win"}


def test_config_defaults_and_example_agree():
    import tomllib

    assert parse_config(tomllib.loads(example_config())) == Config(source="(config)")
    assert Config().follow_up_days == 30 and Config().idle_timeout == 120
    with pytest.raises(ConfigError) as error:
        parse_config({"idle_timeout": 20, "idle_warning": 30}, "k.toml")
    assert error.value.key == "idle_warning"


def test_deploy_example_config_is_valid_and_complete():
    from pathlib import Path

    from kiosk.config import _SCHEMA, load_config

    path = Path(__file__).resolve().parents[2] / "deploy" / "kiosk.example.toml"
    config = load_config(path)
    assert config == Config(source=str(path))
    import tomllib

    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    keys = {k for k, v in raw.items() if not isinstance(v, dict)}
    keys |= {f"{section}.{k}" for section, table in raw.items() if isinstance(table, dict) for k in table}
    assert keys == set(_SCHEMA)
