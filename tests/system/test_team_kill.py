"""A Learning Team's saves go through the same journal as records: a writer killed with
SIGKILL at any moment loses no acknowledged note, reflection or report, and the team reads."""

from __future__ import annotations

import random
from pathlib import Path

from kiosk.storage import open_repository
from tests.support.storage import Child, clock

TEAM_WRITER = '''
import sys
from datetime import datetime, timedelta, timezone

from kiosk.core.records import ReportDraft
from kiosk.storage import open_repository


def clock():
    return datetime(2026, 11, 21, 10, 0, tzinfo=timezone(timedelta(hours=-3)))


folder = sys.argv[1]
print("ready", flush=True)
repo = open_repository(folder, clock=clock, id_series=1, compact_bytes=20_000, command="team-writer")
teams = repo.teams()
team = teams[0] if teams else repo.open_team(title="Cambio de formato", use="work", area="Envasado",
                                               facilitator="Marta")
n = len(team.notes)
print(f"open {team.id} {n}", flush=True)
while True:
    n += 1
    repo.add_team_note(team.id, text=f"Nota número {n} sobre cómo se hace", lens="adapt", by="")
    print(f"note {n}", flush=True)
    record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", what_happened=f"Reporte {n} de la cinta"),
                             areas=None)
    print(f"ok {record.id}", flush=True)
'''


def test_a_killed_writer_loses_no_acknowledged_team_note(tmp_path: Path):
    folder = tmp_path / "data"
    script = tmp_path / "team_writer.py"
    script.write_text(TEAM_WRITER, encoding="utf-8")
    rng = random.Random(15)
    notes: set[int] = set()
    records: set[str] = set()
    team_id = ""
    for round_number in range(6):
        child = Child(script, folder, stderr_path=tmp_path / f"child{round_number}.err")
        try:
            assert child.readline() == "ready"
            _open, team_id, _count = child.readline().split()
            for _ in range(rng.randint(5, 40)):
                kind, value = child.readline().split()
                if kind == "note":
                    notes.add(int(value))
                else:
                    records.add(value)
        finally:
            child.close()  # SIGKILL, wherever it was
    repo = open_repository(folder, clock=clock)
    try:
        team = repo.team(team_id)
        assert team is not None
        stored = {int(note.text.split()[2]) for note in team.notes}
        assert notes <= stored
        assert all(repo.get(record_id) is not None for record_id in records)
        assert len({note.text for note in team.notes}) == len(team.notes)  # no note twice
        assert repo.store.report.healthy
    finally:
        repo.close()
