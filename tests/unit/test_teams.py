"""Learning Teams' rules (kiosk.core.teams) and their storage: phases in order, the soak
against a fixed clock, fixes parked, the one-action contract on every change, look-fors by area,
documents that read back, and the same journal as records."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kiosk.core import ids
from kiosk.core.records import SCHEMA_VERSION, Action, FollowUp, Outcome, ReportDraft, ValidationError
from kiosk.core.teams import (
    CHANGE_CLOSED,
    CHANGE_REOPENED,
    LENSES,
    Phase,
    add_change,
    add_defence,
    add_note,
    end_learn,
    end_solve,
    follow_up_change,
    look_fors_for,
    open_team,
    park_idea,
    practice_pairs,
    reads_as_fix,
    share,
    side_by_side,
    soak_ends,
    start_solve,
    team_from_doc,
    team_to_doc,
)
from kiosk.storage import open_repository
from tests.support.clock import NOW

SOAK = 24


def a_team(use="work", records=()):
    return open_team(team_id="QPC-GB8", title="Cambio de formato en la línea 2", use=use, area="Envasado",
                     facilitator="Marta Ruiz", now=NOW, records=records, participants=["Ana", "Beto"])


def soaking():
    team = add_note(a_team(), text="Cuando falta la llave pedimos la de la 1", lens="adapt", by="Ana", now=NOW)
    return end_learn(team, by="Marta Ruiz", now=NOW)


def solving():
    return start_solve(soaking(), by="Marta Ruiz", now=NOW + timedelta(hours=SOAK), soak_hours=SOAK)


GOOD = Action(text="Poner un carro para el molde junto a la inyectora 2", owner="Jefe de mantenimiento",
              deadline="2026-12-05")


# -- phases ------------------------------------------------------------------------------------


def test_a_team_goes_learn_soak_solve_share_closed_in_that_order_only():
    team = a_team()
    assert team.phase == Phase.LEARN and team.people == 2
    with pytest.raises(ValidationError) as empty:
        end_learn(team, by="M", now=NOW)
    assert empty.value.field == "notes"
    with pytest.raises(ValidationError):
        start_solve(team, by="M", now=NOW, soak_hours=SOAK)  # not from Learn
    with pytest.raises(ValidationError):
        add_change(team, GOOD, by="M", now=NOW, follow_up_days=30)  # no changes in Learn
    team = solving()
    with pytest.raises(ValidationError):
        add_note(team, text="otra nota más", lens="adapt", by="", now=NOW)  # Learn is over
    with pytest.raises(ValidationError) as no_change:
        end_solve(team, by="M", now=NOW)
    assert no_change.value.field == "changes"
    team = end_solve(add_change(team, GOOD, by="M", now=NOW + timedelta(days=1), follow_up_days=30), by="M",
                     now=NOW + timedelta(days=1))
    team = share(team, [("Mirá si el carro está junto a la 2 antes del cambio", ())], by="M",
                 now=NOW + timedelta(days=1), share_days=30)
    assert team.phase == Phase.CLOSED
    assert [p.phase for p in team.phases] == ["learn", "soak", "solve", "share", "closed"]
    assert [h.what for h in team.history] == ["team_opened", "note_added", "soak_started", "solve_started",
                                              "change_added", "share_started", "shared"]


def test_solve_is_refused_one_second_before_the_soak_ends_and_allowed_at_its_end():
    team = soaking()
    ends = soak_ends(team, SOAK)
    assert ends == NOW + timedelta(hours=24)
    with pytest.raises(ValidationError) as early:
        start_solve(team, by="M", now=ends - timedelta(seconds=1), soak_hours=SOAK)
    assert early.value.code == "soaking" and early.value.params["until"] == "2026-11-22T10:00:00-03:00"
    assert start_solve(team, by="M", now=ends, soak_hours=SOAK).phase == Phase.SOLVE
    # The admin's soak_hours is the rule: 48 hours is still soaking a day later.
    with pytest.raises(ValidationError):
        start_solve(team, by="M", now=ends, soak_hours=48)


def test_while_soaking_anyone_adds_reflections_and_ideas():
    team = add_note(soaking(), text="En el turno noche es peor", lens="adapt", by="", now=NOW)
    assert team.notes[-1].lens == "reflection" and team.notes[-1].phase == "soak" and team.notes[-1].by == ""
    team = park_idea(team, text="Habría que tener dos llaves", by="", now=NOW)
    assert team.ideas[-1].text == "Habría que tener dos llaves"


def test_notes_need_a_lens_and_stay_within_their_budget():
    with pytest.raises(ValidationError) as lens:
        add_note(a_team(), text="algo pasó", lens="fix", by="", now=NOW)
    assert lens.value.field == "lens"
    with pytest.raises(ValidationError) as long:
        add_note(a_team(), text="x" * 201, lens="adapt", by="", now=NOW)
    assert long.value.code == "too_long" and long.value.params["max"] == 200
    team = add_note(a_team(), text="  dos\x1b[2J   espacios  ", lens="surprise", by="", now=NOW)
    assert team.notes[-1].text == "dos[2J espacios"
    for lens_name in LENSES:
        assert add_note(a_team(), text="una nota", lens=lens_name, by="", now=NOW).notes[-1].lens == lens_name


def test_an_event_team_needs_records_and_a_title_and_a_known_use():
    with pytest.raises(ValidationError) as records:
        a_team(use="event")
    assert records.value.field == "records"
    assert a_team(use="event", records=["QPC-GB8"]).records == ("QPC-GB8",)
    with pytest.raises(ValidationError):
        a_team(use="blame")
    with pytest.raises(ValidationError) as title:
        open_team(team_id="QPC-GB8", title="abc", use="work", area="Envasado", facilitator="M", now=NOW)
    assert title.value.field == "title"


# -- fixes are parked --------------------------------------------------------------------------


@pytest.mark.parametrize("text, phrase", [
    ("Hay que poner un sensor", "hay que"),
    ("HABRÍA QUE cambiar el molde", "habría que"),
    ("habria que cambiar el molde", "habría que"),
    ("Deberiamos pedir otra llave", "deberíamos"),
    ("falta poner un cartel", "falta poner"),
    ("We should add a guard", "we should"),
    ("Fix the belt tension", "fix"),
])
def test_a_note_that_reads_as_a_fix_is_found_with_any_accents_and_capitals(text, phrase):
    from kiosk.core.text import fold

    assert fold(reads_as_fix(text, "adapt") or "") == fold(phrase)


@pytest.mark.parametrize("text", [
    "Cuando falta la llave pedimos la de la línea 1",
    "We fixed it by hand with the spare key",  # done, not a fix proposed
    "El arreglo duró dos turnos",
    "Chayque y Deberíamo no son palabras",
])
def test_what_people_did_is_not_taken_for_a_fix(text):
    assert reads_as_fix(text, "adapt") is None


def test_the_procedure_lens_is_written_as_what_must_be_done_and_is_never_a_fix():
    assert reads_as_fix("Hay que bloquear la máquina antes de abrir", "procedure") is None
    assert reads_as_fix("Hay que bloquear la máquina antes de abrir", "actual") == "hay que"


# -- Solve: the one-action contract on every change ------------------------------------------------


@pytest.mark.parametrize("action, field, code", [
    (Action(text="", owner="Juan", deadline="2026-12-05"), "action", "required"),
    (Action(text="Tener más cuidado con el molde", owner="Juan", deadline="2026-12-05"), "action", "vague"),
    (Action(text="Poner un carro", owner="", deadline="2026-12-05"), "owner", "required"),
    (Action(text="Poner un carro", owner="Juan", deadline=""), "deadline", "required"),
    (Action(text="Poner un carro", owner="Juan", deadline="2026-11-22"), "deadline", "not_after_today"),
    (Action(text="Poner un carro", owner="Juan", deadline="2027-02-01"), "deadline", "after_follow_up"),
])
def test_every_change_keeps_the_one_action_contract(action, field, code):
    team = solving()
    now = NOW + timedelta(hours=SOAK)
    with pytest.raises(ValidationError) as broken:
        add_change(team, action, by="M", now=now, follow_up_days=30)
    assert (broken.value.field, broken.value.code) == (field, code)


def test_a_change_gets_its_follow_up_date_and_is_followed_up_like_a_review():
    now = NOW + timedelta(hours=SOAK)
    team = add_defence(solving(), text="El checklist de arranque ya se usa", by="M", now=now)
    team = add_change(team, GOOD, by="M", now=now, follow_up_days=30)
    assert team.defences == ("El checklist de arranque ya se usa",)
    assert team.changes[0].follow_up_date == "2026-12-22" and team.changes[0].state == "open"
    later = datetime.fromisoformat("2026-12-22T09:00:00-03:00")
    extended = follow_up_change(team, 0, FollowUp(at="", by="", done="partly", worked="too_early",
                                                  outcome=Outcome.EXTENDED, new_date="2027-01-10",
                                                  reason="Falta una rueda"), by="M", now=later)
    assert extended.changes[0].follow_up_date == "2027-01-10" and extended.changes[0].state == "open"
    closed = follow_up_change(extended, 0, FollowUp(at="", by="", done="yes", worked="yes"), by="M", now=later)
    assert closed.changes[0].state == CHANGE_CLOSED
    with pytest.raises(ValidationError):
        follow_up_change(closed, 0, FollowUp(at="", by="", done="yes", worked="yes"), by="M", now=later)
    shared = share(end_solve(team, by="M", now=now), [("Mirá el carro", ())], by="M", now=now, share_days=30)
    reopened = follow_up_change(shared, 0, FollowUp(at="", by="", done="yes", worked="no", outcome=Outcome.REOPENED),
                                by="M", now=later)
    assert reopened.changes[0].state == CHANGE_REOPENED and reopened.phase == Phase.SOLVE
    assert reopened.look_fors == shared.look_fors  # the story stays shared


def test_look_fors_are_shown_in_the_areas_they_are_for_until_their_date():
    now = NOW + timedelta(hours=SOAK)
    team = end_solve(add_change(solving(), GOOD, by="M", now=now, follow_up_days=30), by="M", now=now)
    team = share(team, [("Mirá el carro del molde", ["Inyección"]), ("Pedí la llave antes", []), ("", ["x"])],
                 by="M", now=now, share_days=30)
    day = now.date()
    assert [line.text for line in look_fors_for(team, "Inyección", day)] == ["Mirá el carro del molde",
                                                                             "Pedí la llave antes"]
    assert [line.text for line in look_fors_for(team, "Envasado", day)] == ["Pedí la llave antes"]
    assert len(look_fors_for(team, "", day)) == 2  # a kiosk with no area of its own shows every line
    assert look_fors_for(team, "Inyección", day + timedelta(days=31)) == []
    with pytest.raises(ValidationError):
        share(end_solve(add_change(solving(), GOOD, by="M", now=now, follow_up_days=30), by="M", now=now),
              [("", ())], by="M", now=now, share_days=30)


def test_procedure_and_practice_are_paired_side_by_side_and_totalled():
    team = a_team()
    for text, lens in (("Cambiar el molde entre dos", "procedure"), ("Lo cambia uno solo", "actual"),
                       ("Bloquear antes de abrir", "procedure")):
        team = add_note(team, text=text, lens=lens, by="", now=NOW)
    assert side_by_side(team) == [("Cambiar el molde entre dos", "Lo cambia uno solo"),
                                  ("Bloquear antes de abrir", "")]
    pairs = practice_pairs([], [team])
    assert [(p.area, p.says, p.does, p.source) for p in pairs] == [
        ("Envasado", "Cambiar el molde entre dos", "Lo cambia uno solo", "QPC-GB8"),
        ("Envasado", "Bloquear antes de abrir", "", "QPC-GB8")]


# -- documents -------------------------------------------------------------------------------------


def test_a_document_reads_back_as_the_same_team_and_bad_ones_are_refused_by_name():
    now = NOW + timedelta(hours=SOAK)
    team = share(end_solve(add_change(add_defence(solving(), text="El checklist", by="M", now=now), GOOD, by="M",
                                      now=now, follow_up_days=30), by="M", now=now),
                 [("Mirá el carro", ["Envasado"])], by="M", now=now, share_days=30)
    assert team_from_doc(team_to_doc(team)) == team
    doc = team_to_doc(team)
    for change, field in ((lambda d: d.update(use="blame"), "use"),
                          (lambda d: d["notes"][0].update(lens="x"), "notes.0.lens"),
                          (lambda d: d.update(extra=1), "extra"),
                          (lambda d: d.update(link_token="short"), "link_token"),
                          (lambda d: d["changes"][0].update(follow_up_date="mañana"), "changes.0.follow_up_date"),
                          (lambda d: d.update(participant_count=-1), "participant_count")):
        broken = team_to_doc(team)
        change(broken)
        with pytest.raises(ValidationError) as refused:
            team_from_doc(broken)
        assert refused.value.field == field
    doc["notes"][0]["text"] = "sin\x07 campana"
    assert team_from_doc(doc).notes[0].text == "sin campana"


# -- storage ---------------------------------------------------------------------------------------


def test_teams_are_numbered_in_the_records_family_never_twice_and_survive_a_restart(tmp_path):
    clock = [NOW]
    repo = open_repository(tmp_path / "data", clock=lambda: clock[0])
    record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", what_happened="Se trabó la cinta 2"),
                             areas=None)
    team = repo.open_team(title="La cinta 2 se traba", use="event", area="Envasado", facilitator="Marta",
                          records=[record.id.lower()])
    after = repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened="Otra vez la cinta 2"),
                            areas=None)
    assert team.records == (record.id,)
    assert ids.decode(record.id) < ids.decode(team.id) < ids.decode(after.id)
    assert repo.get(team.id) is None and repo.team(team.id.lower()) == team
    with pytest.raises(ValidationError) as unknown:
        repo.open_team(title="Una que no existe", use="event", area="Envasado", facilitator="M",
                       records=[ids.encode(5000)])
    assert unknown.value.field == "records"
    repo.add_team_note(team.id, text="Se traba cuando llueve", lens="surprise")
    repo.end_team_learn(team.id, by="Marta")
    with pytest.raises(ValidationError):
        repo.start_team_solve(team.id, by="Marta", soak_hours=SOAK)
    repo.close()
    clock[0] = NOW + timedelta(hours=SOAK)
    again = open_repository(tmp_path / "data", clock=lambda: clock[0])
    assert again.team(team.id).phase == Phase.SOAK and again.team(team.id).notes[0].text == "Se traba cuando llueve"
    solved = again.start_team_solve(team.id, by="Marta", soak_hours=SOAK)
    assert solved.phase == Phase.SOLVE
    with pytest.raises(ValidationError) as taken:
        again.import_team(team_to_doc(solved))
    assert taken.value.code == "exists"
    again.close()


def test_a_data_folder_of_schema_1_is_upgraded_and_an_older_kiosk_refuses_one_with_teams(tmp_path):
    from kiosk.storage.errors import NewerSchema
    from kiosk.storage.files import write_atomic
    from kiosk.storage.format import read_snapshot, snapshot_chunks

    folder = tmp_path / "data"
    folder.mkdir()
    write_atomic(folder / "kiosk.json", snapshot_chunks({"records": {}, "counters": {}}, {"seq": 1, "schema": 1}))
    repo = open_repository(folder, clock=lambda: NOW)
    repo.open_team(title="Cambio de formato", use="work", area="Envasado", facilitator="M")
    repo.store.compact()
    repo.close()
    tables, meta = read_snapshot(folder / "kiosk.json")
    assert meta["schema"] == SCHEMA_VERSION and len(tables["teams"]) == 1
    # A kiosk of schema 1 upgrades nothing newer: it refuses the folder instead of dropping teams.
    from kiosk.storage.migrations import upgrade_tables

    with pytest.raises(NewerSchema):
        upgrade_tables(tables, meta["schema"], 1)
