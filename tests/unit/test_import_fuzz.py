"""``kiosk import`` under fuzzing: any bytes, any JSON (deep nesting, huge numbers, wrong types,
lone surrogates) on any line. No line may stop the import, and every good line is imported."""

from __future__ import annotations

import io
import json
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.cli.data import import_lines
from kiosk.core.records import KINDS, RECORD_FIELDS
from kiosk.storage import open_repository
from tests.support.clock import fixed_clock

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

#: Lines nobody would write but a broken file, a hostile one or a wrong tool can hold.
NASTY = st.sampled_from([
    b'{"kind": "win", "area": "A", "what_happened": "Un numero enorme", "applause": ' + b"9" * 5000 + b"}",
    b"[" * 30_000,
    b'{"a": ' * 30_000,
    b'{"kind": "error", "area": "A", "what_happened": "sustituto \\ud800 suelto en el medio"}',
    b'{"kind": "error", "area": "A", "what_happened": "x", "review": {"why": [[[[[]]]]]}}',
    b'{"kind": "error", "area": "A", "what_happened": "Un texto largo suficiente", "applause": NaN}',
    b'{"kind": "error", "area": "A", "what_happened": "Un texto largo suficiente", "applause": 1e999}',
    b"\xff\xfe\x00\x01 no es UTF-8",
    b'"solo un texto"',
    b"",
])

GOOD = st.builds(
    lambda kind, area, words: {"kind": kind, "area": area, "what_happened": "Pasó esto: " + words},
    st.sampled_from(KINDS),
    st.sampled_from(["Envasado", "Depósito", "Calidad", "Línea 1"]),
    st.text(alphabet="abcdefghijklmnñopqrstuvwxyzáéíóú ", min_size=1, max_size=200),
)

#: A report's fields with values of any type: mostly refused, sometimes fine.
WRONG_TYPES = st.fixed_dictionaries(
    {"kind": st.sampled_from(KINDS), "area": st.just("Envasado"), "what_happened": st.just("Algo que pasó hoy")},
    optional={name: JSON for name in RECORD_FIELDS if name not in ("kind", "area", "what_happened")},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(
    st.one_of(
        GOOD.map(lambda doc: ("good", json.dumps(doc, ensure_ascii=False).encode())),
        WRONG_TYPES.map(lambda doc: ("any", json.dumps(doc).encode())),
        JSON.map(lambda value: ("any", json.dumps(value).encode())),
        NASTY.map(lambda line: ("any", line)),
        st.binary(max_size=60).map(lambda raw: ("any", raw.replace(b"\n", b" "))),
    ),
    min_size=1, max_size=12,
))
def test_no_line_stops_the_import_and_every_good_line_is_imported(lines):
    source = io.BytesIO(b"\n".join(line for _kind, line in lines) + b"\n")
    oks: list[str] = []
    errors: list[tuple[int, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        repo = open_repository(folder, clock=fixed_clock)
        try:
            failed = import_lines(repo, source, ok=oks.append, error=lambda line, why: errors.append((line, why)))
            stored = repo.count()
        finally:
            repo.close()
    good = [number for number, (kind, _line) in enumerate(lines, 1) if kind == "good"]
    refused = {number for number, _why in errors}
    assert not refused & set(good), errors
    assert len(oks) >= len(good) and stored == len(oks)
    assert failed == len(errors) and all(why for _n, why in errors)
    assert len(oks) + len(errors) == sum(1 for _kind, line in lines if line.strip())
