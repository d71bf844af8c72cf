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


# -- id series: kiosks of one plant do not hand out the same ids (walk item 30) ----------------


def test_kiosks_with_their_own_series_never_hand_out_the_same_id(tmp_path):
    first_ids = []
    for series in (3, 4):
        repo = open_repository(tmp_path / f"kiosk{series}", clock=fixed_clock, id_series=series)
        numbers = [ids.decode(report(repo, f"Reporte {n} del kiosco").id) for n in range(3)]
        low, high = ids.series_range(series)
        assert numbers == [low, low + 1, low + 2] and high - low + 1 == ids.SERIES_SIZE
        first_ids.append(ids.encode(numbers[0]))
        repo.close()
    assert first_ids[0] != first_ids[1]


def test_a_new_folder_draws_its_series_once_and_keeps_it(tmp_path, monkeypatch):
    from kiosk.storage import records

    monkeypatch.setattr(records, "choose_series", lambda: 7)
    repo = open_repository(tmp_path / "d", clock=fixed_clock)
    low, _ = ids.series_range(7)
    assert ids.decode(report(repo).id) == low
    repo.close()
    monkeypatch.setattr(records, "choose_series", lambda: 9)  # a later start draws nothing
    again = open_repository(tmp_path / "d", clock=fixed_clock)
    assert ids.decode(report(again, "Otra vez la cinta").id) == low + 1
    again.close()


def test_the_draw_spreads_over_every_series(monkeypatch):
    from kiosk.storage import records

    monkeypatch.undo()  # the real draw, not the tests' fixed series
    drawn = {records.choose_series() for _ in range(2000)}
    assert drawn == set(range(1, ids.SERIES_COUNT + 1))  # 64 values: all seen (chance of a miss ~1e-12)


def test_ids_imported_from_another_kiosk_do_not_move_the_counter(repo):
    other_low, _ = ids.series_range(2)
    repo.import_doc(imported(other_low + 5))
    assert ids.decode(report(repo).id) == 1
    assert ids.decode(repo.import_doc({k: v for k, v in imported(9).items() if k != "id"}).id) == 2
    repo.import_doc(imported(30))  # one of our own series: numbering goes on after it
    assert ids.decode(report(repo, "Reporte después del 30").id) == 31


def test_a_folder_numbered_before_series_goes_on_where_it_was(data_dir):
    repo = open_repository(data_dir, clock=fixed_clock)
    repo.store.commit([("put", "counters", "1", {"records": 500})])  # as an older kiosk left it
    repo.close()
    again = open_repository(data_dir, clock=fixed_clock)
    assert ids.decode(report(again).id) == 501
    again.close()


def test_an_admin_series_on_an_old_folder_numbers_inside_it(data_dir):
    repo = open_repository(data_dir, clock=fixed_clock)
    repo.store.commit([("put", "counters", "1", {"records": 500})])
    repo.close()
    again = open_repository(data_dir, clock=fixed_clock, id_series=5)
    low, _ = ids.series_range(5)
    assert [ids.decode(report(again, f"Reporte {n} de la serie").id) for n in range(2)] == [low, low + 1]
    again.close()


def test_a_full_series_takes_its_lowest_free_numbers(repo):
    _, high = ids.series_range(1)
    repo.import_doc(imported(high))
    repo.import_doc(imported(2))
    repo.store.commit([("put", "counters", "1", {"records": high, "series": 1})])
    assert [ids.decode(report(repo, f"Reporte {n} al final").id) for n in range(2)] == [1, 3]


def test_the_series_is_a_setting_from_0_to_64():
    from kiosk.config import ConfigError, parse_config

    assert parse_config({"storage": {"id_series": 12}}).storage.id_series == 12
    for bad in (-1, 65, "3"):
        try:
            parse_config({"storage": {"id_series": bad}})
        except ConfigError as error:
            assert "id_series" in str(error)
        else:
            raise AssertionError(bad)
