"""A kiosk with a plant hub keeps, in the same journal transaction as each change, the change's
versions and an outbox row (issue 18); a kiosk without one writes exactly what it wrote before."""

from __future__ import annotations

from kiosk.core.hlc import Stamp
from kiosk.core.records import ReportDraft
from kiosk.storage import open_repository
from kiosk.storage.sync import OUTBOX, STATE, VERSIONS, capture, outbox, versioned
from tests.support.clock import NOW

T0 = 1_763_730_000_000


def test_each_change_carries_its_versions_and_an_outbox_row_and_both_survive_a_restart(tmp_path):
    wall = [T0]
    repo = open_repository(tmp_path / "data", clock=lambda: NOW)
    capture(repo.store, "prensas", wall_ms=lambda: wall[0])
    record = repo.add_report(ReportDraft(kind="win", area="Envasado", what_happened="Cambio en 12 minutos"),
                             areas=None)
    key = str(next(iter(repo.store.tables["records"])))
    first = versioned(repo.store, "records", key)
    assert Stamp.parse(first.stamps["what_happened"]) == Stamp(T0, 0, "prensas")
    wall[0] = T0 - 60_000  # the wall clock steps back a minute: the stamps do not
    repo.applaud(record.id)
    repo.applaud(record.id)
    second = versioned(repo.store, "records", key)
    assert second.counts == {"applause": {"prensas": 2}} and second.doc["applause"] == 2
    assert second.stamps["what_happened"] == first.stamps["what_happened"]  # unchanged: the same stamp
    assert [(table, k) for _n, table, k in outbox(repo.store)] == [("records", key)] * 3
    repo.close()

    again = open_repository(tmp_path / "data", clock=lambda: NOW)
    hook = capture(again.store, "prensas", wall_ms=lambda: wall[0])
    assert hook.outbox == 3 and hook.clock.last == Stamp(T0, 2, "prensas")
    again.applaud(record.id)
    assert [number for number, _t, _k in outbox(again.store)] == [f"{n:012d}" for n in (1, 2, 3, 4)]
    assert Stamp.parse(again.store.tables[STATE]["1"]["clock"]) == Stamp(T0, 3, "prensas")
    assert versioned(again.store, "records", key).counts == {"applause": {"prensas": 3}}
    again.close()


def test_without_a_hub_nothing_more_is_written(tmp_path):
    repo = open_repository(tmp_path / "data", clock=lambda: NOW)
    record = repo.add_report(ReportDraft(kind="win", area="Envasado", what_happened="Cambio en 12 minutos"),
                             areas=None)
    repo.applaud(record.id)
    repo.open_work_item(title="Primer lote de tapas", area="Envasado", opened_by="Marta Ruiz")
    assert not {VERSIONS, OUTBOX, STATE} & set(repo.store.tables)
    repo.close()


def test_only_the_tables_that_merge_are_queued(tmp_path):
    repo = open_repository(tmp_path / "data", clock=lambda: NOW)
    capture(repo.store, "prensas", wall_ms=lambda: T0)
    item = repo.open_work_item(title="Primer lote de tapas", area="Envasado", opened_by="Marta Ruiz")
    repo.add_work_entry(item.id, kind="win", text="Salió a la primera", by="")
    tables = [table for _n, table, _k in outbox(repo.store)]
    # (Counters, print jobs, the after-action codes and the sync's own tables never sync.)
    assert tables == ["work_items", "work_entries"]
    repo.close()
