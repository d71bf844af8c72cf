"""Record numbers: never handed out twice, never used up by an import (faults report D13)."""

from __future__ import annotations

from kiosk.core import ids
from kiosk.core.records import ReportDraft
from kiosk.storage import open_repository
from tests.support.clock import fixed_clock


def report(repo, text: str = "Se trabó la cinta al arrancar"):
    return repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened=text), areas=None)


def imported(number: int) -> dict:
    return {"id": ids.encode(number), "kind": "error", "area": "Envasado", "what_happened": f"Importado {number:08d}",
            "created_at": "2026-11-20T10:00:00-03:00"}


def test_importing_the_highest_id_leaves_every_later_save_working(data_dir):
    repo = open_repository(data_dir, clock=fixed_clock)
    assert repo.import_doc(imported(ids.HIGHEST)).id == "BM3-GP5"
    first = report(repo)
    assert ids.decode(first.id) == 1
    repo.close()
    again = open_repository(data_dir, clock=fixed_clock)
    assert ids.decode(report(again, "Otra vez la cinta").id) == 2
    assert ids.decode(again.import_doc({k: v for k, v in imported(5).items() if k != "id"}).id) == 3
    assert [r.id for r in again.recent(limit=2)] == ["BM3-GP5", ids.encode(3)]
    again.close()


def test_a_counter_already_at_the_top_hands_out_the_lowest_free_numbers(repo):
    """A folder an older kiosk left with its counter at the last number (D13) saves again."""
    repo.import_doc(imported(1))
    repo.import_doc(imported(3))
    repo.store.commit([("put", "counters", "1", {"records": ids.HIGHEST})])
    numbers = [ids.decode(report(repo, f"Reporte número {n} de la prueba").id) for n in range(3)]
    assert numbers == [2, 4, 5]


def test_new_numbers_follow_the_highest_imported_one(repo):
    for number in (1, 2, 3, 40):
        repo.import_doc(imported(number))
    assert [ids.decode(report(repo, f"Reporte {n} después").id) for n in range(3)] == [41, 42, 43]
