"""Markdown export against forged structure and HTML (faults report D17): a value, however
written, stays text — it never makes a heading, a rule, a link, an image, a code block, a table
or raw HTML, so every record is exactly one ``## `` section wherever the file is rendered."""

from __future__ import annotations

import itertools

import pytest

from kiosk.core import ids
from tests.support.cli import lines, run

HOSTILE = (
    "Texto normal\n\n---\n\n## QPC-GB8 · Error · Falso\n\n# Título falso\n\nSubrayado falso\n===\n"
    "<script>alert(1)</script> [clic](javascript:alert(1)) ![img](javascript:alert(2)) "
    "<javascript:alert(3)> <img src=x onerror=alert(4)> `código` &lt;script&gt; \\[x](javascript:y)\n"
    "```\n~~~\n> cita falsa\n| a | b |\n|---|---|\n* * *\n1. lista falsa\n+ otra\n[ref]: javascript:alert(5)\n"
    "**negrita** _itálica_ fin"
)
ONE_LINE = "## <b>x</b> [a](javascript:z) `c` | d * e _ f"

#: Parts of the text that the single-line and short fields keep (cut to their limits).
PIECES = itertools.cycle([ONE_LINE, "--- <script>x", "# [y](javascript:1)", "=== > ~~~ ```", "1. <i>x</i>"])


def short(limit: int) -> str:
    return next(PIECES)[:limit]


def hostile_record(number: int) -> dict:
    when = "2026-11-10T08:00:00-03:00"
    return {
        "id": ids.encode(number), "kind": "error", "area": short(60), "station": short(40),
        "reporter": short(60), "what_happened": HOSTILE[:600], "impact": HOSTILE[:300],
        "what_we_did": HOSTILE[:300], "created_at": when, "occurred_at": when, "status": "closed",
        "review": {
            "what_happened": HOSTILE, "work_as_imagined": HOSTILE[:600], "work_as_done": HOSTILE[:600],
            "what_we_did": HOSTILE[:600], "recurrence_note": HOSTILE[:600], "win_note": HOSTILE[:600],
            "why": [{"text": HOSTILE[:600], "category": "equipment"}],
            "action": {"text": HOSTILE[:600], "owner": short(80), "deadline": "2026-11-20"},
            "follow_up_date": "2026-12-10", "participants": [short(80)], "participant_count": 1,
            "reviewed_by": short(80), "reviewed_at": "2026-11-11T09:00:00-03:00", "draft": False,
        },
        "follow_ups": [{"at": "2026-12-10T09:00:00-03:00", "by": short(80), "done": "yes", "worked": "yes",
                        "notes": HOSTILE[:600], "outcome": "closed", "reason": HOSTILE[:300]}],
        "look_for": {"text": short(200), "until": "2026-12-31"},
        "links": [{"id": short(20), "rel": "similar"}],
        "history": [{"at": when, "by": short(80), "what": short(80), "fields": [short(40)]}],
    }


@pytest.fixture
def exported(tmp_path):
    """Five hostile records and one plain one, exported as Markdown."""
    data = tmp_path / "d"
    docs = [hostile_record(n) for n in range(1, 6)]
    docs.append({"kind": "win", "area": "Envasado", "what_happened": "Cambiamos el rollo en dos minutos"})
    result = run(["import", "-"], data=data, stdin=lines(*docs))
    assert result.returncode == 0, result.stderr.decode()
    out = run(["export", "--format", "md"], data=data)
    assert out.returncode == 0, out.stderr.decode()
    return len(docs), out.stdout.decode("utf-8")


def test_values_cannot_forge_headings_rules_links_or_html_in_the_source(exported):
    count, text = exported
    source_lines = text.splitlines()
    assert sum(line.startswith("## ") for line in source_lines) == count
    assert sum(line.startswith("# ") for line in source_lines) == 0
    assert sum(line == "---" for line in source_lines) == count - 1  # only the record boundaries
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "](javascript:" not in text and "<javascript:" not in text
    assert "Cambiamos el rollo en dos minutos" in text  # plain text stays as it was


def test_rendered_by_a_commonmark_parser_each_record_is_one_section_of_text(exported):
    markdown_it = pytest.importorskip("markdown_it")
    count, text = exported
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<h2>") == count and html.count("<h1>") == 0
    assert html.count("<hr />") == count - 1
    for tag in ("<script", "<img", "<a ", "<pre", "<code", "<table", "<b>", "<i>", "<em>", "<ol", "<h3>Subrayado"):
        assert tag not in html, tag
    assert 'href="javascript' not in html and 'src="javascript' not in html
    assert html.count("<blockquote>") == count - 1  # the look-for lines, none forged
    # The hostile text itself is all there, shown as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[clic](javascript:alert(1))" in html
    assert "## QPC-GB8 · Error · Falso" in html


def test_the_month_summary_escapes_values_too(tmp_path):
    data = tmp_path / "d"
    docs = [hostile_record(n) for n in range(1, 4)]
    docs.append({"kind": "win", "area": "## <b>x</b>", "what_happened": HOSTILE[:600], "applause": 2,
                 "occurred_at": "2026-11-12T08:00:00-03:00"})
    assert run(["import", "-"], data=data, stdin=lines(*docs)).returncode == 0
    out = run(["export", "--format", "md", "--month", "2026-11"], data=data)
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode("utf-8")
    assert "<script" not in text and "](javascript:" not in text and "<b>" not in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert len(headings) == len([line for line in headings if line.startswith(("# ", "## "))])
    assert sum(line.startswith("# ") for line in text.splitlines()) == 1


def test_one_record_s_page_is_escaped_too(tmp_path):
    data = tmp_path / "d"
    assert run(["import", "-"], data=data, stdin=lines(hostile_record(7))).returncode == 0
    out = run(["export", "--format", "md", "--record", ids.encode(7)], data=data)
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode("utf-8")
    assert sum(line.startswith("## ") for line in text.splitlines()) == 1
    assert "<script" not in text and "](javascript:" not in text and "\n---\n" not in text


def test_pages_built_in_forked_processes_are_the_same_bytes_in_the_same_order():
    """From 5 000 records the Markdown export builds its pages in one process per core (25 000
    in 1.7 s instead of 2.2-2.4 on two cores): the file must not change by a byte."""
    import io

    import orjson

    from kiosk.config import Config
    from kiosk.demo.generator import demo_documents
    from kiosk.storage.packed import PACKED_PARTS, pack
    from kiosk.views.exchange import write_md
    from tests.support.clock import NOW

    made = orjson.loads(orjson.dumps(demo_documents(Config().areas, NOW.date(), seed=3, count=1_200)))
    docs = [pack(doc, PACKED_PARTS["records"]) if n % 2 else doc for n, doc in enumerate(made)]  # as stored
    alone, forked = io.StringIO(), io.StringIO()
    write_md(docs, alone, workers=1)
    write_md(docs, forked, workers=2)
    assert forked.getvalue() == alone.getvalue()
    assert alone.getvalue().count("\n---\n\n") == len(docs) - 1
    assert [line for line in alone.getvalue().splitlines() if line.startswith("## ")][-1].startswith(
        f"## {docs[-1]['id']} ")


def test_forked_page_builders_end_even_when_the_process_keeps_a_python_sigterm_handler(tmp_path):
    """CI hung here: a kiosk run earlier in the same process had left its SIGTERM handler; the
    forked builders inherited it, took the pool's SIGTERM as "stop the kiosk" and never ended,
    so the export waited for them for ever. Run in a child with a deadline, so that a hang fails
    (without the fix it hung one run in two by hand here: a race)."""
    import sys
    import textwrap

    from tests.support.processes import run_bounded

    script = textwrap.dedent("""
        import io, signal, time
        import orjson
        from kiosk.config import Config
        from kiosk.demo.generator import demo_documents
        from kiosk.views.exchange import write_md
        from tests.support.clock import NOW

        signal.signal(signal.SIGTERM, lambda number, frame: time.sleep(3600))  # a handler that never ends
        docs = orjson.loads(orjson.dumps(demo_documents(Config().areas, NOW.date(), seed=3, count=300)))
        out = io.StringIO()
        write_md(docs, out, workers=2)
        print(out.getvalue().count("\\n---\\n\\n") + 1)
    """)
    done = run_bounded([sys.executable, "-c", script], timeout=60, capture_output=True, cwd=str(tmp_path.parent),
                       env={**__import__("os").environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__)
                                                                         .resolve().parents[2])})
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().strip() == "300"


async def test_the_kiosk_gives_back_the_stop_signals_handlers_when_it_ends(make_app):
    import signal

    def before(number, frame):
        return None

    previous = signal.signal(signal.SIGTERM, before)
    try:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert signal.getsignal(signal.SIGTERM) == app._on_stop_signal
        assert signal.getsignal(signal.SIGTERM) is before
    finally:
        signal.signal(signal.SIGTERM, previous)
