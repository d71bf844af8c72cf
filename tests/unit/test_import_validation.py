"""Imported documents are checked field by field, nested parts included: nothing imported can
later break Home, search or export, and hostile text is stored clean."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- without an id, every field is taken or the line is refused (faults report D14) ---------


def bare(**extra):
    """A line without an id: the import numbers it."""
    return {**BASE, **extra}


def test_a_record_without_id_keeps_its_review_status_follow_ups_and_the_rest(repo):
    """An admin moving records from another tool has no ids of ours; nothing may be dropped."""
    doc = bare(
        status="follow_up_due", applause=3, station="Prensa 2", reporter="Ana",
        review={"what_happened": "Se cortó la luz", "draft": False, "reviewed_by": "Marta",
                "reviewed_at": "2026-11-02T10:00:00-03:00", "follow_up_date": "2026-11-20",
                "why": [{"text": "Tablero sin rótulo", "category": "equipment"}],
                "action": {"text": "Rotular el tablero", "owner": "Mantenimiento", "deadline": "2026-11-15"}},
        follow_ups=[{"at": "2026-11-20T10:00:00-03:00", "by": "Marta", "done": "partly", "worked": "too_early",
                     "notes": "Falta un rótulo", "outcome": "extended", "new_date": "2026-12-20"}],
        look_for={"text": "Mirar el rótulo", "until": "2026-12-01"},
        links=[{"id": ids.encode(9), "rel": "similar"}],
        history=[{"at": "2026-11-01T10:00:00-03:00", "by": "operator", "what": "reported"},
                 {"at": "2026-11-02T10:00:00-03:00", "by": "Marta", "what": "reviewed"}],
        link_token="Bq8xW2kP4mRt7vYb1nC3dZ",
    )
    record = repo.import_doc(doc)
    stored = repo.get(record.id)
    assert stored == record
    assert stored.status == "follow_up_due" and stored.applause == 3
    assert stored.review.action.owner == "Mantenimiento" and not stored.review.draft
    assert [f.outcome for f in stored.follow_ups] == ["extended"]
    assert stored.look_for.text == "Mirar el rótulo" and stored.links[0].id == ids.encode(9)
    assert [h.what for h in stored.history] == ["reported", "reviewed"]
    assert stored.link_token == "Bq8xW2kP4mRt7vYb1nC3dZ"
    assert stored.created_at == BASE["created_at"] and stored.occurred_at == BASE["occurred_at"]
    assert repo.home_counts(NOW.date()).follow_ups_overdue == 1
    # A bare report is still what it was: a new report, reported now by the import.
    report = repo.import_doc({"kind": "win", "area": "Calidad", "what_happened": "Un logro de la semana"})
    assert report.status == "reported" and report.review is None and report.applause == 0
    assert [(h.by, h.what) for h in report.history] == [("import", "reported")]
    assert len(report.link_token) == 22 and report.created_at == NOW.isoformat(timespec="seconds")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"review": "texto"}, "review"),
        ({"follow_ups": {}}, "follow_ups"),
        ({"status": "archivado"}, "status"),
        ({"look_for": {"text": "Mirar"}}, "look_for"),
        ({"applause": 10**30}, "applause"),
        ({"applause": -1}, "applause"),
        ({"applause": 2.5}, "applause"),
        ({"applause": float("nan")}, "applause"),
        ({"applause": float("inf")}, "applause"),
        ({"history": [{"at": "ayer", "by": "x", "what": "y"}]}, "history.at"),
        ({"occurred_at": 5}, "occurred_at"),  # (stopped the whole import with a traceback)
    ],
)
def test_without_id_a_bad_field_is_refused_not_dropped(repo, extra, field):
    with pytest.raises(ValidationError) as error:
        repo.import_doc(bare(**extra))
    assert error.value.field == field
    assert repo.count() == 0


def import_text(repo, text: str) -> tuple[list[str], list[tuple[int, str]]]:
    import io

    from kiosk.cli.data import import_lines

    oks: list[str] = []
    errors: list[tuple[int, str]] = []
    import_lines(repo, io.BytesIO(text.encode()), ok=oks.append, error=lambda n, why: errors.append((n, why)))
    return oks, errors


def test_absurd_applause_and_numbers_json_does_not_have_are_refused_with_a_reason(repo):
    good = json.dumps(bare(what_happened="Esta línea está bien"))
    lines = [json.dumps(bare(applause=10**30)), json.dumps(bare(applause=-5)),
             json.dumps(bare(applause=float("nan"))), json.dumps(bare(applause=float("inf"))),
             json.dumps(bare(applause=float("-inf"))), json.dumps(bare()).replace("}", ', "applause": 1e999}'),
             good]
    oks, errors = import_text(repo, "\n".join(lines))
    assert len(oks) == 1 and repo.count() == 1
    assert [n for n, _why in errors] == [1, 2, 3, 4, 5, 6]
    assert all("1000000" in why for _n, why in errors[:2]), errors
    for (_n, why), value in zip(errors[2:], ["NaN", "Infinity", "-Infinity", "1e999"], strict=True):
        assert value in why, why


# -- link tokens have the kiosk's own shape and strength (faults report D15) ----------------


@pytest.mark.parametrize("token", ["a", "a b#c&d", "x" * 21, "+/" * 11, "A" * 21 + "=", "A" * 25,
                                   "Bq8xW2kP4mRt7vYb1nC3d\u00e9", "A" * 65])
@pytest.mark.parametrize("with_id", [True, False])
def test_a_weak_or_unsafe_link_token_is_refused(repo, token, with_id):
    doc = full(3, link_token=token) if with_id else bare(link_token=token)
    with pytest.raises(ValidationError) as error:
        repo.import_doc(doc)
    assert (error.value.field, error.value.code) == ("link_token", "weak")
    assert repo.count() == 0


def test_tokens_of_the_kiosk_s_own_shape_are_kept_and_an_empty_or_missing_one_is_made(repo):
    for number, token in enumerate(["Bq8xW2kP4mRt7vYb1nC3dZ", "A" * 22, "a-b_" * 8, "Z" * 64], start=10):
        assert repo.import_doc(full(number, link_token=token)).link_token == token
    first = repo.import_doc(full(3, link_token=""))
    second = repo.import_doc(full(4))
    assert len(first.link_token) == 22 and len(second.link_token) == 22
    assert first.link_token != second.link_token


def test_the_reason_for_a_weak_token_says_what_to_do(repo):
    oks, errors = import_text(repo, json.dumps(full(3, link_token="a b#c&d")))
    assert not oks and len(errors) == 1 and "22" in errors[0][1]


# -- the quick paths of the import's checks give exactly what the long way gives -------------


TEXT_PIECES = st.sampled_from([
    "a", "Ñ", "e\u0301", " ", "  ", "\t", "\n", "\n\n\n", "\r", "\r\n", "\u00a0", "\u2003", "\u3000", "\x85",
    "\u2028", "\x1b", "\x00", "\u202e", "\x0c", "\ud800", "x y", "-", "#",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXT_PIECES, max_size=12).map("".join), st.booleans())
def test_clean_text_takes_the_quick_way_only_for_text_the_long_way_would_leave_alone(text, multiline):
    import unicodedata

    from kiosk.core.text import _clean, clean_text

    long_way = _clean(unicodedata.normalize("NFC", text), multiline=multiline)
    assert clean_text(text, multiline=multiline) == long_way
    assert clean_text(long_way, multiline=multiline) == long_way


@pytest.mark.parametrize("value", [
    "2026-11-20T08:00:00-03:00", "2026-11-20T08:00:00", "2026-11-20T08:00:00+00:00", "2026-11-20T08:00:00-00:00",
    "2026-11-20T08:00:00Z", "2026-11-20 08:00:00-03:00", "2026-11-20T08:00:00.250-03:00", "2026-11-20T08:00-03:00",
    "2026-11-20T08:00:00+05:45", "2026-11-20",
])
def test_a_date_and_time_is_stored_as_isoformat_writes_it(repo, value):
    from datetime import datetime

    from kiosk.core.records import _check_datetime

    assert _check_datetime("at", value) == datetime.fromisoformat(value).isoformat(timespec="seconds")
