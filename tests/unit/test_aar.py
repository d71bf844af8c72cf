"""After-action reviews' rules and storage (issue 16, first part): account codes, the kiosk's
lockout on wrong codes (surviving a restart), accounts sealed until the session, the session's
lines, the review prefilled from it, and documents that read back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import ids
from kiosk.core.aar import (
    ALPHABET,
    CODE_DIGITS,
    QUESTIONS,
    AarPhase,
    aar_from_doc,
    aar_to_doc,
    new_code,
    normalise_code,
    review_prefill,
)
from kiosk.core.records import ReportDraft, Review, ValidationError
from kiosk.storage import open_repository
from kiosk.storage.aars import CodeRefused
from tests.support.clock import NOW

ANSWERS = ("Que la cinta arrancara sola", "Se trabó con una caja rota", "Paré con la seta porque era lo más rápido",
           "El compañero de la otra línea", "No había repuesto de rodillos", "Mantendría la parada de a dos")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def setup(tmp_path):
    clock = Clock()
    repo = open_repository(tmp_path / "data", clock=clock)
    record = repo.add_report(ReportDraft(kind="error", area="Envasado", reporter="Ana Gómez",
                                         what_happened="Se trabó la cinta 2 y cayeron cajas al pasillo"), areas=None)
    yield repo, clock, record, tmp_path / "data"
    repo.close()


# -- codes ---------------------------------------------------------------------------------------


def test_a_code_has_at_least_40_bits_and_reads_back_however_it_is_typed():
    code = new_code()
    assert len(code) == 12 and code[3] == code[7] == "-"
    assert len(ALPHABET) ** CODE_DIGITS >= 2**40
    assert normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")
    assert len({new_code() for _ in range(2000)}) == 2000


@given(st.data())
def test_the_check_symbol_catches_every_single_mistyped_symbol(data):
    code = new_code()  # a real one, then one symbol changed anywhere
    compact = code.replace("-", "")
    position = data.draw(st.integers(0, len(compact) - 1))
    other = data.draw(st.sampled_from([c for c in ALPHABET if c != compact[position]]))
    wrong = compact[:position] + other + compact[position + 1:]
    assert normalise_code(wrong) is None


def test_typos_wrong_lengths_and_foreign_symbols_are_not_codes():
    for text in ("", "ABC", "AAA-AAA-AAAAA", "0OO-III-LLLL", "QPC-GB8"):
        assert normalise_code(text) is None


# -- storage and rules ---------------------------------------------------------------------------


def test_codes_open_their_own_account_once_and_the_session_seals_them_shut(setup):
    repo, _clock, record, _data = setup
    aar, codes = repo.open_aar(record.id, ["Ana Gómez", "Luis Paz", "ana gómez", "Julián Ríos"],
                               facilitator="Marta Ruiz")
    assert [p.name for p in aar.participants] == ["Ana Gómez", "Luis Paz", "Julián Ríos"] and len(codes) == 3
    assert aar.event == "Envasado: Se trabó la cinta 2 y cayeron cajas al pasillo" and not aar.win
    assert all(code.replace("-", "") not in str(aar_to_doc(aar)) for code in codes)  # only digests kept
    assert ids.decode(aar.id) == ids.decode(record.id) + 1  # the records' family
    found, index = repo.use_code(codes[1].lower())
    assert (found.id, index) == (aar.id, 1)
    repo.give_account(aar.id, index, ANSWERS, named=False)
    repo.give_account(aar.id, 0, (*ANSWERS[:5], "Cambiaría el repuesto"), named=True, via="interview")
    again, _ = repo.use_code(codes[1])  # the same code may come back and change it
    repo.give_account(again.id, 1, ("",) * 5 + ("Solo esto",), named=False)
    assert repo.aar(aar.id).participants[1].account.answer("keep_change") == "Solo esto"
    assert repo.aar(aar.id).accounts_in == 2
    with pytest.raises(ValidationError):
        repo.add_aar_finding(aar.id, "facts", "La caja estaba rota", by="Marta Ruiz")  # no session yet
    session = repo.open_aar_session(aar.id, by="Marta Ruiz")
    assert session.phase == AarPhase.SESSION and {p.code_state for p in session.participants} == {"used"}
    for code in codes:
        with pytest.raises(CodeRefused) as refused:
            repo.use_code(code)
        assert refused.value.locked_until == ""  # (three wrong tries: not locked yet)
    with pytest.raises(ValidationError):
        repo.give_account(aar.id, 2, ANSWERS, named=False)


def test_five_wrong_codes_lock_the_kiosk_for_five_minutes_even_across_a_restart(setup):
    repo, clock, record, data = setup
    _aar, codes = repo.open_aar(record.id, ["Ana Gómez"], facilitator="Marta Ruiz")
    wrong = new_code()
    for _ in range(4):
        with pytest.raises(CodeRefused) as refused:
            repo.use_code(wrong)
        assert refused.value.locked_until == ""
    with pytest.raises(CodeRefused) as fifth:
        repo.use_code("ABC")  # not even a code: counts the same
    assert fifth.value.locked_until == "2026-11-21T10:05:00-03:00"
    repo.close()
    again = open_repository(data, clock=clock)
    try:
        with pytest.raises(CodeRefused) as locked:
            again.use_code(codes[0])  # the right code too, while locked
        assert locked.value.locked_until == "2026-11-21T10:05:00-03:00"
        clock.now = NOW + timedelta(minutes=5)
        _aar, index = again.use_code(codes[0])
        assert index == 0 and again.code_tries().failures == 0
    finally:
        again.close()


def test_a_replaced_code_stops_working_and_the_new_one_opens_the_same_account(setup):
    repo, _clock, record, _data = setup
    aar, codes = repo.open_aar(record.id, ["Ana Gómez", "Luis Paz"], facilitator="Marta Ruiz")
    _aar, new = repo.replace_aar_code(aar.id, 0, by="Marta Ruiz")
    with pytest.raises(CodeRefused):
        repo.use_code(codes[0])
    assert repo.use_code(new)[1] == 0 and repo.use_code(codes[1])[1] == 1


def test_the_session_lines_then_the_review_prefilled_from_them(setup):
    repo, _clock, record, _data = setup
    aar, _codes = repo.open_aar(record.id, ["Ana Gómez", "Luis Paz"], facilitator="Marta Ruiz")
    repo.give_account(aar.id, 0, ANSWERS, named=True)
    with pytest.raises(ValidationError) as empty:
        repo.give_account(aar.id, 1, ("", "", "", "", "", ""), named=False)
    assert empty.value.field == "answers"
    with pytest.raises(ValidationError) as long:
        repo.give_account(aar.id, 1, ("x" * 301, "", "", "", "", ""), named=False)
    assert long.value.field == "supposed"
    repo.open_aar_session(aar.id, by="Marta Ruiz")
    for kind, text in (("facts", "La caja venía rota del proveedor"), ("differ", "Si la parada fue a tiempo"),
                       ("sustain", "Parar con la seta enseguida"), ("improve", "No hay rodillos de repuesto"),
                       ("to_success", "Repuesto en el pañol de la línea")):
        repo.add_aar_finding(aar.id, kind, text, [0, 7], by="Marta Ruiz")
    with pytest.raises(ValidationError):
        repo.add_aar_finding(aar.id, "blame", "x", by="Marta Ruiz")
    done = repo.finish_aar_session(aar.id, by="Marta Ruiz")
    assert done.phase == AarPhase.DONE and done.facts[0].accounts == (0,)
    assert done.shown_as(0) == "Ana Gómez" and done.shown_as(1) == "participant 2"
    review = review_prefill(done, Review(what_happened="Se trabó la cinta"))
    assert review.what_happened == "- La caja venía rota del proveedor\n- Si la parada fue a tiempo"
    assert [c.text for c in review.why] == ["No hay rodillos de repuesto"]
    assert review.what_we_did == "- Parar con la seta enseguida\n- Repuesto en el pañol de la línea"
    assert review.participant_count == 2 and review.draft and not review.action.text


def test_documents_read_back_and_an_import_keeps_the_number_free(setup, tmp_path):
    repo, _clock, record, _data = setup
    aar, _codes = repo.open_aar(record.id, ["Ana Gómez"], facilitator="Marta Ruiz")
    repo.give_account(aar.id, 0, ANSWERS, named=False)
    stored = repo.aar(aar.id)
    assert aar_from_doc(aar_to_doc(stored)) == stored
    with pytest.raises(ValidationError) as taken:
        repo.import_aar(aar_to_doc(stored))
    assert taken.value.code == "exists"
    other = open_repository(tmp_path / "other", clock=lambda: NOW)
    try:
        assert other.import_aar(aar_to_doc(stored)) == stored
        new = other.add_report(ReportDraft(kind="error", area="Envasado", what_happened="Otra vez la cinta"),
                               areas=None)
        assert ids.decode(new.id) > ids.decode(stored.id)
    finally:
        other.close()
    broken = aar_to_doc(stored)
    broken["participants"][0]["account"]["answers"] = ["x"] * len(QUESTIONS) + ["y"]
    with pytest.raises(ValidationError):
        aar_from_doc(broken)


def test_kiosk_aar_list_says_how_many_accounts_are_in_and_never_what_they_say(setup):
    import json

    from tests.support.cli import run

    repo, _clock, record, data = setup
    aar, _codes = repo.open_aar(record.id, ["Ana Gómez", "Luis Paz"], facilitator="Marta Ruiz")
    repo.give_account(aar.id, 0, (*ANSWERS[:5], "una frase canaria"), named=False)
    repo.close()
    result = run(["aar", "list"], data=data)
    assert result.returncode == 0, result.stderr.decode()
    line = result.stdout.decode().strip()
    assert line.startswith(f"{aar.id}  {record.id}  accounts  1/2  Envasado: Se trabó la cinta 2")
    assert "canaria" not in line
    listed = json.loads(run(["aar", "list", "--json"], data=data).stdout)
    assert listed == {"id": aar.id, "record": record.id, "phase": "accounts", "event": aar.event, "accounts": 1,
                      "participants": 2}
    printed = run(["print", aar.id, "--slip", "invitations", "--printer", "preview"], data=data)
    assert printed.returncode == 0, printed.stderr.decode()
    assert "TU RELATO" in printed.stdout.decode() and "Luis Paz" in printed.stdout.decode()
