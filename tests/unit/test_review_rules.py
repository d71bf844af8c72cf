"""One concrete action; gentle hints for blame words and names — in Spanish and English."""

from __future__ import annotations

import pytest

from kiosk.core.review_rules import blame_hints, rules, vague_phrase


@pytest.mark.parametrize("action", [
    "Tener más cuidado al cargar", "TENER MAS CUIDADO", "Prestar más atención en el turno",
    "Recordar a todos el procedimiento", "Concientizar al personal", "tratar de no apurarse",
    "Be more careful with the press", "pay attention to the gauge", "Remind everyone", "Try to check",
])
def test_vague_actions_are_caught_in_both_languages(action):
    assert vague_phrase(action) is not None


@pytest.mark.parametrize("action", [
    "Instalar un sensor de presión en la prensa 3",
    "Pintar la línea de paso peatonal frente al depósito",
    "Agregar al checklist de arranque el control del nivel de aceite",
    "Mount a guard on the conveyor's return roller",
    "Intentona",  # a word that only starts like a vague one
])
def test_concrete_actions_pass(action):
    assert vague_phrase(action) is None


def test_blame_words_and_names_give_hints():
    assert blame_hints("Fue culpa de turno noche") == ["culpa de"]
    assert blame_hints("Se olvidó de cerrar la válvula") == ["se olvidó", "olvidó"]
    assert blame_hints("He should have known") == ["should have"]
    assert blame_hints("Luis Díaz no cerró la guarda", ["Luis Díaz"]) == ["Luis Díaz"]
    assert blame_hints("luis diaz no cerró la guarda", ["Luis Díaz"]) == ["Luis Díaz"]
    assert blame_hints("Luis no cerró la guarda", ["Luis Díaz"]) == ["Luis"]
    assert blame_hints("Faltaba luz en el pasillo", ["Luz Gómez"]) == []
    assert blame_hints("La guarda estaba floja y el sensor sin calibrar", ["Luis Díaz"]) == []


def test_the_lists_come_from_one_data_file():
    loaded = rules()
    assert "tener más cuidado" in loaded.vague_actions and "careless" in loaded.blame_words
    from kiosk.core.text import fold

    for phrases in (loaded.vague_actions, loaded.blame_words):
        assert len({fold(p) for p in phrases}) == len(phrases), "a phrase is listed twice"
