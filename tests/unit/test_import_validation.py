"""Imported documents are checked field by field, nested parts included: nothing imported can
later break Home, search or export, and hostile text is stored clean."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kiosk.core import ids
from kiosk.core.records import ValidationError
from tests.support.clock import NOW

BASE = {"kind": "error", "area": "Calidad", "what_happened": "Un lote salió sin control final",
        "created_at": "2026-11-01T10:00:00-03:00", "occurred_at": "2026-11-01T09:00:00-03:00"}


def full(number: int, **extra):
    return {"id": ids.encode(number), **BASE, **extra}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"review": {"why": 5}}, "review.why"),
        ({"review": {"why": [{"text": "x", "category": "person"}]}}, "review.why.category"),
        ({"review": {"follow_up_date": 7}}, "review.follow_up_date"),
        ({"review": {"follow_up_date": "mañana"}}, "review.follow_up_date"),
        ({"review": {"what_happened": 5}}, "review.what_happened"),
        ({"review": {"draft": "no"}}, "review.draft"),
        ({"review": {"action": {"deadline": "2026-13-45"}}}, "review.action.deadline"),
        ({"look_for": {"text": "Mirar", "until": 5}}, "look_for.until"),
        ({"look_for": {"text": "x" * 1_000_000, "until": "2027-01-01"}}, "look_for.text"),
        ({"applause": 10**20}, "applause"),
        ({"applause": -1}, "applause"),
        ({"follow_ups": [{"at": "ayer", "by": "S", "done": "yes", "worked": "yes"}]}, "follow_ups.at"),
        ({"follow_ups": [{"at": "2026-11-02T10:00:00-03:00", "by": "S", "done": "quizás", "worked": "yes"}]},
         "follow_ups.done"),
        ({"links": [{"id": "X", "rel": "hermano"}]}, "links.rel"),
        ({"history": "todo"}, "history"),
        ({"link_token": "tok\x1b[2Jen"}, "link_token"),
    ],
)
def test_bad_nested_values_are_refused_naming_the_field(repo, extra, field):
    with pytest.raises(ValidationError) as error:
        repo.import_doc(full(3, **extra))
    assert error.value.field == field
    assert repo.count() == 0


def test_nested_text_is_stored_clean_and_home_still_works(repo):
    record = repo.import_doc(full(3, status="action_open", review={
        "what_happened": "Se cortó\x1b]52;c;AAAA\x07 la luz [/]", "draft": False,
        "why": [{"text": "Tablero\x9b2J sin rótulo", "category": "equipment"}],
        "action": {"text": "Rotular el tablero", "owner": "Mantenimiento\x00", "deadline": "2026-11-25"},
        "follow_up_date": "2026-11-21", "participants": ["Ana\x07", "  ", "Luis"],
    }, look_for={"text": "Mirar el rótulo\u202e del tablero", "until": "2026-12-01"}))
    review = record.review
    assert review.what_happened == "Se cortó]52;c;AAAA la luz [/]"
    assert review.why[0].text == "Tablero2J sin rótulo"
    assert review.action.owner == "Mantenimiento"
    assert review.participants == ("Ana", "Luis")
    assert record.look_for.text == "Mirar el rótulo del tablero"
    counts = repo.home_counts(NOW.date())
    assert counts.follow_ups_due == 1 and counts.total == 1
    assert [r.id for r in repo.look_fors(NOW.date())] == [record.id]
    assert repo.search("rotulo").total == 1


def test_a_bad_line_never_stops_the_import(tmp_path):
    lines = [
        json.dumps(full(3, review={"why": 5})),
        json.dumps(full(4, applause=10**30)),
        json.dumps({**BASE, "what_happened": "Esta línea está bien"}),
    ]
    result = subprocess.run([sys.executable, "-m", "kiosk", "import", "--data", str(tmp_path / "d")],
                            input="\n".join(lines).encode(), capture_output=True, timeout=60)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert result.stderr.decode().count("error ") == 2
    assert result.stdout.decode().startswith("ok ")


def test_a_number_too_long_for_python_or_nesting_too_deep_is_a_bad_line_like_any_other(tmp_path):
    """A JSON number of more than 4 300 digits (Python's int-to-string limit) and lists nested
    50 000 deep used to stop the import with a traceback; the lines after them were lost."""
    lines = [
        '{"kind": "win", "area": "Calidad", "what_happened": "Un número enorme", "applause": ' + "7" * 5000 + "}",
        "[" * 50_000,
        json.dumps({**BASE, "what_happened": "Esta línea está bien"}),
    ]
    result = subprocess.run([sys.executable, "-m", "kiosk", "import", "--data", str(tmp_path / "d")],
                            input="\n".join(lines).encode(), capture_output=True, timeout=60)
    errors = result.stderr.decode().splitlines()
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert errors == ["error 1: un número de la línea tiene demasiadas cifras",
                      "error 2: la línea tiene demasiados niveles anidados"]
    assert result.stdout.decode().startswith("ok ") and len(result.stdout.decode().splitlines()) == 1
