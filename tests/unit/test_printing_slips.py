"""Slips on paper: layouts, the exact bytes of each job, QR codes that lead back to the record,
Spanish that decodes exactly, and no control byte from anyone's text.

Golden files in ``tests/unit/golden`` are the reviewed bytes of each slip at each width; after an
intended change, regenerate them with ``UPDATE_GOLDEN=1 make test`` and look at the diff of
``tests/unit/golden/*.txt`` (the text each one prints)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.records import Action, Condition, LookFor, ReportDraft, Review, clean_report, new_record
from kiosk.printing import profiles
from kiosk.printing.escpos_out import Rendering, render
from kiosk.printing.slips import (
    Line,
    Paper,
    QRCode,
    follow_up_list,
    receipt,
    record_url,
    review_page,
)
from kiosk.printing.slips import (
    test_slip as make_test_slip,
)
from kiosk.printing.text import paper_text, wrap
from tests.support.clock import NOW
from tests.support.escpos_stream import CodePage, Init, Text, parse, qr_payloads

GOLDEN = Path(__file__).parent / "golden"
TOKEN = "Zq8xW2kP4mRt7vYb1nC3dA"
WIDTHS = (32, 42, 48)
SPANISH = "¿Agregar café? ¡Sí! Ñandú €"


def a_record(**changes):
    draft = clean_report(ReportDraft(
        kind="near_miss", area="Inyección", station="Máquina 4", reporter="Ana Gómez",
        what_happened="Se trabó la matriz y casi me pellizco el dedo al destrabarla con la mano. "
                      "¿Agregar café? ¡Sí! Ñandú €",
        impact="Media hora de parada"))
    record = new_record(draft, record_id="QPC-GB8", now=NOW)
    return replace(record, link_token=TOKEN, **changes)


def a_reviewed_record():
    review = Review(
        what_happened="La matriz 4 se trabó con rebaba acumulada; al destrabarla a mano casi hubo un pellizco.",
        why=(Condition("No hay una herramienta para destrabar a mano", "equipment"),
             Condition("La limpieza de rebaba no está en el checklist del turno", "process")),
        what_we_did="Paramos la máquina y limpiamos la matriz con la herramienta de mantenimiento.",
        action=Action(text="Poner un gancho de destrabe colgado junto a la máquina 4", owner="Mantenimiento",
                      deadline="2026-12-01"),
        follow_up_date="2026-12-21", reviewed_by="Marta Ruiz", reviewed_at=NOW.isoformat(), draft=False)
    return a_record(review=review, status="action_open",
                    look_for=LookFor(text="Rebaba en las matrices al arrancar el turno", until="2026-12-21"))


def slips_at(columns: int):
    paper = Paper(columns=columns)
    reviewed = a_reviewed_record()
    other = replace(reviewed, id="7GK-XGX", link_token="Bq8xW2kP4mRt7vYb1nC3dZ", area="Envasado")
    return {
        "receipt": receipt(a_record(), paper, NOW),
        "receipt-copy": receipt(a_record(), paper, NOW, copy=2),
        "review": review_page(reviewed, paper, NOW),
        "followups": follow_up_list([reviewed, other], paper, NOW, until=date(2026, 12, 28)),
        "test": make_test_slip(paper, NOW, printer="network:192.168.0.50:9100", profile="TM-T20II"),
    }


# -- layouts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", WIDTHS)
def test_every_line_fits_the_paper_and_nothing_is_cut_off(columns):
    for name, slip in slips_at(columns).items():
        for part in slip.parts:
            if isinstance(part, Line):
                assert len(part.text) <= columns, (name, part.text)
    review = slips_at(columns)["review"]
    printed = " ".join(p.text for p in review.parts if isinstance(p, Line))
    for word in "Poner un gancho de destrabe colgado junto a la máquina 4".split():
        assert word in printed.split()


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400), st.integers(8, 64))
def test_wrapping_keeps_every_word_and_only_breaks_words_longer_than_a_line(text, width):
    lines = wrap(text, width)
    assert all(len(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())
    for word in text.split():
        if len(word) <= width:
            assert any(word in line.split() for line in lines)


def test_the_receipt_says_what_the_spec_asks_and_never_the_reporter():
    slip = slips_at(42)["receipt"]
    text = "\n".join(slip.text_lines())
    for expected in ("¡GRACIAS POR AVISAR!", "Registro QPC-GB8", "Tipo: Casi accidente", "Área: Inyección",
                     "Puesto o máquina: Máquina 4", "Cuándo pasó: 21/11/2026 10:00"):
        assert expected in text
    assert "Ana Gómez" not in text  # slips are pinned on boards
    assert slip.urls() == [f"http://kiosk.local:8080/r/QPC-GB8?k={TOKEN}"]
    assert "COPIA" not in text


@pytest.mark.parametrize("columns", WIDTHS)
def test_every_record_code_has_its_link_printed_under_it_to_type_when_it_will_not_scan(columns):
    # Walk item 29: the README said "the URL must read exactly as printed under the code", and
    # no slip printed it.
    for name, slip in slips_at(columns).items():
        if name == "test":
            continue
        parts = list(slip.parts)
        codes = [i for i, part in enumerate(parts) if isinstance(part, QRCode)]
        assert codes, name
        for i in codes:
            url = parts[i].url
            lines = []
            for part in parts[i + 1:]:
                if not isinstance(part, Line) or len("".join(lines)) >= len(url):
                    break
                lines.append(part.text)
            assert "".join(lines) == url, (name, lines)
            assert all(len(line) <= columns for line in lines)


def test_reprints_are_marked_as_copies_at_the_top_and_the_bottom():
    lines = slips_at(42)["receipt-copy"].text_lines()
    marks = [i for i, line in enumerate(lines) if "*** COPIA Nº 2 ***" in line]
    assert len(marks) == 2 and marks[0] < 3 and marks[1] > len(lines) - 4


def flat(slip) -> str:
    """The slip's text with line breaks undone (what a person reads)."""
    return " ".join(" ".join(slip.text_lines()).split())


def test_the_one_pager_has_the_four_answers_the_action_owner_deadline_and_follow_up():
    text = flat(slips_at(48)["review"])
    for expected in ("¿Qué pasó?", "¿Por qué pasó?", "¿Qué hicimos?", "¿Qué vamos a cambiar?",
                     "- No hay una herramienta para destrabar a mano (Equipos o herramientas)",
                     "Poner un gancho de destrabe colgado junto a la máquina 4",
                     "Responsable: Mantenimiento", "Plazo: 01/12/2026", "Fecha de seguimiento: 21/12/2026",
                     "Prestá atención", "Rebaba en las matrices al arrancar el turno"):
        assert expected in text, expected
    assert "Ana Gómez" not in text and "Marta Ruiz" not in text


def test_a_draft_review_has_no_one_pager():
    with pytest.raises(ValueError):
        review_page(a_record(review=Review(what_happened="borrador")), Paper(), NOW)


def test_the_follow_up_list_marks_overdue_and_today_and_has_one_qr_per_record():
    paper = Paper(columns=42)
    overdue = replace(a_reviewed_record(), review=replace(a_reviewed_record().review, follow_up_date="2026-11-20"))
    today = replace(a_reviewed_record(), id="7GK-XGX", review=replace(a_reviewed_record().review,
                                                                      follow_up_date="2026-11-21"))
    slip = follow_up_list([overdue, today], paper, NOW, until=date(2026, 11, 28))
    text = "\n".join(slip.text_lines())
    assert "20/11/2026 (vencido)" in text and "21/11/2026 (hoy)" in text
    assert len(slip.urls()) == 2
    empty = follow_up_list([], paper, NOW, until=date(2026, 11, 28))
    assert "No vence ningún seguimiento hasta el 28/11/2026." in flat(empty)


def test_slips_are_in_the_language_they_were_asked_in():
    slip = receipt(a_record(), Paper(language="en"), NOW)
    text = "\n".join(slip.text_lines())
    assert "THANK YOU FOR REPORTING!" in text and "Kind: Near miss" in text and "21/11/2026" not in text


def test_the_link_is_ascii_with_the_records_token():
    assert record_url("https://kiosk.planta.local/", a_record()) == f"https://kiosk.planta.local/r/QPC-GB8?k={TOKEN}"
    assert len(a_record().link_token) >= 22  # 128 bits, base64url


# -- text on paper ---------------------------------------------------------------------------


def test_spanish_letters_are_kept_and_others_get_close_equivalents_or_are_dropped():
    assert paper_text(SPANISH, "CP858") == SPANISH
    assert paper_text("“Ojo” — la ‘matriz’… 😀 ő 文字 ﬁn", "CP858") == "\"Ojo\" - la 'matriz'...  o  fin"
    decomposed = unicodedata.normalize("NFD", SPANISH)
    assert paper_text(decomposed, "CP858") == SPANISH
    assert paper_text("a\x1b@b\x1dV\x00\x10\x14\x01c\x7fd\x9be\u202ef", "CP858") == "a@bVcdef"


@pytest.mark.parametrize("page", ["CP858", "ISO_8859-15", "CP1252"])
def test_spanish_decodes_back_exactly_from_the_bytes_with_the_selected_code_page(page):
    profile = "TM-T20II" if page != "CP1252" else "default"
    slip = make_test_slip(Paper(columns=42, code_page=page), NOW, printer="preview", profile=profile)
    stream = parse(render(slip, Rendering(profile=profile)), profile)
    assert stream.code_pages() == [profiles.profile(profile).code_pages[page]]
    assert SPANISH in stream.lines()
    assert "áéíóú ÁÉÍÓÚ üÜ ñÑ ¿ ¡ €" in stream.lines()


def test_a_code_page_without_every_spanish_letter_cannot_be_configured():
    from kiosk.config import ConfigError, parse_config

    with pytest.raises(ConfigError) as error:
        parse_config({"printer": {"code_page": "CP850"}})  # no €
    assert error.value.key == "printer.code_page" and "€" in error.value.problem
    with pytest.raises(ConfigError) as error:
        parse_config({"printer": {"profile": "TM-T88V", "columns": 48}})  # 512 dots: 42 columns
    assert error.value.key == "printer.columns" and "42" in error.value.problem
    with pytest.raises(ConfigError) as error:
        parse_config({"printer": {"profile": "POS-5890", "code_page": "ISO_8859-15"}})
    assert error.value.key == "printer.code_page"
    with pytest.raises(ConfigError) as error:
        parse_config({"printer": {"profile": "TM-T99"}})
    assert error.value.key == "printer.profile" and "TM-T20II" in error.value.problem
    assert parse_config({"printer": {"profile": "POS-5890", "columns": 32}}).printer.code_page == "CP858"


def test_every_job_starts_with_initialise_then_the_code_page():
    for slip in slips_at(32).values():
        stream = parse(render(slip))
        assert isinstance(stream.items[0], Init) and isinstance(stream.items[1], CodePage)
        assert stream.code_pages() == [19]  # CP858 on the default (Epson) profile, once
        assert stream.commands().count("INIT") == 1
        assert stream.commands()[-1] == "CUT"


def test_a_clone_profile_gets_its_own_number_for_the_same_page():
    slip = make_test_slip(Paper(columns=32), NOW, printer="preview", profile="POS-5890")
    stream = parse(render(slip, Rendering(profile="POS-5890")), "POS-5890")
    assert stream.code_pages() == [53]
    assert SPANISH in stream.lines()


def test_the_printed_text_is_exactly_the_preview():
    for slip in slips_at(42).values():
        stream = parse(render(slip))
        printed = [line for line in stream.lines() if line.strip()]
        shown = [p.text for p in slip.parts if isinstance(p, Line) and p.text.strip()]
        assert printed == shown


# -- QR codes --------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", WIDTHS)
def test_qr_codes_in_the_bytes_decode_back_to_the_records_urls(columns):
    url = f"http://kiosk.local:8080/r/QPC-GB8?k={TOKEN}"
    other = "http://kiosk.local:8080/r/7GK-XGX?k=Bq8xW2kP4mRt7vYb1nC3dZ"
    slips = slips_at(columns)
    assert qr_payloads(render(slips["receipt"])) == [url]
    assert qr_payloads(render(slips["review"])) == [url]
    assert qr_payloads(render(slips["followups"])) == [url, other]


def test_qr_images_fit_the_paper_of_the_profile():
    for profile, columns in (("POS-5890", 32), ("TM-T88V", 42), ("TM-T20II", 48)):
        stream = parse(render(slips_at(columns)["receipt"], Rendering(profile=profile)), profile)
        (image,) = stream.images()
        assert image.width <= profiles.paper_dots(profile, columns)


def test_native_qr_is_an_option_per_printer():
    data = render(slips_at(42)["receipt"], Rendering(native_qr=True))
    stream = parse(data)
    assert "NATIVE_QR" in stream.commands() and "RASTER" not in stream.commands()
    assert qr_payloads(data) == [f"http://kiosk.local:8080/r/QPC-GB8?k={TOKEN}"]


# -- no injection ----------------------------------------------------------------------------

_OURS = {"INIT", "CODEPAGE", "PRINT_MODE", "BOLD", "TEXT", "LF", "RASTER", "FEED", "CUT", "ALIGN", "NATIVE_QR"}

hostile = st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Co", "L", "M", "N", "P", "S", "Z"]),
                  min_size=1, max_size=300)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(what=hostile, area=hostile, action=hostile, look=hostile)
def test_no_user_text_ever_puts_a_control_byte_in_the_stream(what, area, action, look):
    record = a_reviewed_record()
    record = replace(record, area=area, what_happened=what,
                     review=replace(record.review, what_happened=what,
                                    action=replace(record.review.action, text=action)),
                     look_for=LookFor(text=look, until="2026-12-21"))
    for slip in (receipt(record, Paper(columns=32), NOW), review_page(record, Paper(columns=48), NOW)):
        stream = parse(render(slip))  # strict: a stray control byte raises StreamError
        assert set(stream.commands()) <= _OURS
        assert stream.commands().count("INIT") == 1 and stream.commands().count("CUT") == 1
        assert stream.code_pages() == [19]
        for item in stream.of(Text):
            assert all(ch.isprintable() for ch in item.text), repr(item.text)


def test_known_escape_sequences_are_printed_inert():
    evil = "evil\x1b@\x1dV\x00\x10\x14\x01\x00\x05 end [bold]x[/] \x1b]52;c;aGk=\x07 \x9b2J"
    slip = receipt(replace(a_record(), area=evil), Paper(), NOW)
    stream = parse(render(slip))
    assert stream.commands().count("INIT") == 1
    assert any("evil@V end [bold]x[/] ]52;c;aGk= 2J" in line for line in stream.lines())


# -- golden bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("name", ["receipt", "receipt-copy", "review", "followups", "test"])
def test_golden_bytes(name, columns):
    """The exact bytes of each slip at each width, reviewed once (see the module docstring)."""
    data = render(slips_at(columns)[name])
    path = GOLDEN / f"{name}-{columns}.bin"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
        path.with_suffix(".txt").write_text(parse(data).text(), encoding="utf-8")
    assert path.exists(), "run with UPDATE_GOLDEN=1 once and review the files"
    assert data == path.read_bytes()
    assert isinstance(slips_at(columns)[name].parts[-1], (Line, QRCode))


def test_the_one_page_view_writes_dates_the_way_people_there_do():
    """The record's page (screen, export, phone) said 2026-11-21T10:00:00-03:00."""
    from kiosk.i18n import translator
    from kiosk.views.dates import format_date
    from kiosk.views.onepage import as_text, one_page

    record = a_reviewed_record()
    spanish = as_text(one_page(record, translate=translator("es_AR"), language="es_AR"))
    assert "Cuándo pasó: 21/11/2026 10:00" in spanish
    assert "Plazo: 01/12/2026 · Seguimiento: 21/12/2026" in spanish
    assert "T10:00:00" not in spanish
    english = as_text(one_page(record, translate=translator("en"), language="en"))
    assert "When it happened: 2026-11-21 10:00" in english and "Deadline: 2026-12-01" in english
    assert format_date("ayer a la tarde", "es_AR") == "ayer a la tarde"  # an import may hold anything
    assert format_date("", "es_AR") == "-"
