"""Kiosks syncing through a real PostgreSQL (issue 18): a report made on one kiosk is on the
others after a round; applause adds up; a review draft changed on two kiosks at once keeps the
later one and the other in the history ("changed also at kiosk …"), identically everywhere; a
supervisor signs in at any kiosk; a kiosk whose id series another has is refused and syncs
nothing; two things with one number are never mixed; a kiosk back from an older copy takes its
own changes back; and every kiosk exports the same thing.

These run the sync's rounds in the test's own process, each kiosk on its own data folder and
journal (the kiosks as processes — the worker's loop, a week offline, clocks a day apart — are
in test_hub_kiosks.py, and kill -9 in test_hub_kills.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import HubConfig
from kiosk.core import ids
from kiosk.core.records import ReportDraft, Review
from kiosk.core.supervisors import new_supervisor
from kiosk.hub import schema
from kiosk.hub.connect import connect
from kiosk.hub.sync import SeriesTaken, sync_round
from kiosk.storage import Repository, open_repository
from kiosk.storage.packed import unpacked
from kiosk.storage.sync import Capture, capture
from tests.support.cli import run
from tests.support.clock import ART, NOW
from tests.support.postgres import Postgres

T0 = 1_795_000_000_000  # (wall milliseconds: late 2026)


@pytest.fixture(scope="module")
def pg():
    server = Postgres().start()
    yield server
    server.close()


@dataclass
class Kiosk:
    name: str
    repo: Repository
    hook: Capture
    config: HubConfig
    series: int
    wall: list[int]

    def sync(self):
        with connect(self.config, autocommit=True) as conn:
            return sync_round(conn, self.hook, self.series)

    def export(self) -> list[dict]:
        done = run(["export", "--format", "jsonl"], data=self.repo.store.folder)
        assert done.returncode == 0, done.stderr.decode()
        return [json.loads(line) for line in done.stdout.decode().splitlines()]


class Plant:
    """A hub (a database of its own) and kiosks joining it."""

    def __init__(self, pg: Postgres, tmp_path: Path, database: str) -> None:
        self.pg, self.tmp, self.database = pg, tmp_path, database
        self.owner = pg.new_database(database)
        with connect(HubConfig(sslmode="disable"), url=self.owner) as conn:
            schema.init(conn)
        self.kiosks: list[Kiosk] = []

    def kiosk(self, name: str, *, series: int = 0,
              before: Callable[[Repository], None] | None = None) -> Kiosk:
        with connect(HubConfig(sslmode="disable"), url=self.owner) as conn:
            password = schema.new_password()
            _role, given = schema.add_kiosk(conn, name, password, series)
        secret = self.tmp / f"{name}.pass"
        secret.write_text(password + "\n")
        config = HubConfig(url=self.pg.url(schema.kiosk_role(name), self.database), kiosk_name=name,
                           password_file=str(secret), sslmode="disable")
        wall = [T0]
        # The kiosk's clock, as its records' times and its stamps see it.
        repo = open_repository(self.tmp / name, clock=lambda: datetime.fromtimestamp(wall[0] / 1000, ART),
                               id_series=given)
        if before is not None:  # what the kiosk did before it joined the plant
            before(repo)
            repo.move_huddles_into_series()
        made = Kiosk(name, repo, capture(repo.store, name, wall_ms=lambda: wall[0]), config, given, wall)
        self.kiosks.append(made)
        return made

    def settle(self) -> None:
        """Rounds until nobody has anything left to send (two passes: what one pulls may
        make it write a history line the others then get)."""
        for _ in range(3):
            for kiosk in self.kiosks:
                kiosk.sync()

    def close(self) -> None:
        for kiosk in self.kiosks:
            kiosk.repo.close()


@pytest.fixture
def plant(pg, tmp_path, request):
    made = Plant(pg, tmp_path, request.node.name.removeprefix("test_")[:40].lower())
    yield made
    made.close()


def report(kiosk: Kiosk, text: str, kind: str = "near_miss", area: str = "Prensas"):
    return kiosk.repo.add_report(ReportDraft(kind=kind, area=area, what_happened=text), areas=None)


def test_a_report_on_one_kiosk_is_on_the_others_with_applause_adding_up(plant):
    prensas, deposito, calidad = plant.kiosk("prensas"), plant.kiosk("deposito"), plant.kiosk("calidad")
    made = report(prensas, "Cambio de matriz de la prensa 2 en 9 minutos", kind="win")
    other = report(deposito, "Pallet mal apilado en el pasillo 3", area="Depósito")
    assert made.id != other.id  # each kiosk numbers in its own series
    plant.settle()
    for kiosk in plant.kiosks:
        assert kiosk.repo.get(made.id).what_happened == "Cambio de matriz de la prensa 2 en 9 minutos"
        assert kiosk.repo.get(other.id).area == "Depósito"
    # Applause on two kiosks while apart adds up: a counter, each kiosk's part kept.
    prensas.repo.applaud(made.id)
    deposito.repo.applaud(made.id)
    deposito.repo.applaud(made.id)
    plant.settle()
    assert {kiosk.repo.get(made.id).applause for kiosk in plant.kiosks} == {3}
    # "Seen this before?" at the warehouse finds the press shop's report.
    found = calidad.repo.similar("cambio de matriz en la prensa 2")
    assert made.id in [match.record.id for match in found if match.record]
    exports = [kiosk.export() for kiosk in plant.kiosks]
    assert exports[0] == exports[1] == exports[2] and len(exports[0]) == 2


def test_a_review_changed_on_two_kiosks_at_once_keeps_the_later_and_the_other_in_the_history(plant):
    prensas, deposito = plant.kiosk("prensas"), plant.kiosk("deposito")
    made = report(prensas, "Se cortó la luz en la línea 1")
    plant.settle()
    # Apart: each supervisor saves a draft of the review; the warehouse's is later by the clock.
    prensas.repo.save_review_draft(made.id, Review(what_happened="Corte de luz de 10 minutos"), by="Ana Gómez")
    deposito.wall[0] += 60_000
    deposito.repo.save_review_draft(made.id, Review(what_happened="Corte general, 12 minutos"), by="Luis Paz")
    plant.settle()
    for kiosk in plant.kiosks:
        record = kiosk.repo.get(made.id)
        assert record.review.what_happened == "Corte general, 12 minutos"
        kept = [entry for entry in record.history if entry.what == "changed_elsewhere"]
        assert [(entry.by, entry.fields) for entry in kept] == [("prensas", ("review",))]
        assert "Corte de luz de 10 minutos" in kept[0].value
    assert prensas.export() == deposito.export()
    # The hub's records view (what a spreadsheet reads) has the whole merge too: the kiosk that
    # merged sent it on, since it held more than either kiosk had sent.
    with connect(HubConfig(sslmode="disable"), url=plant.owner) as conn:
        (document,) = conn.execute("SELECT document FROM kiosk_hub.records WHERE id = %s", (made.id,)).fetchone()
    assert document["review"]["what_happened"] == "Corte general, 12 minutos"
    assert [entry["by"] for entry in document["history"] if entry["what"] == "changed_elsewhere"] == ["prensas"]
    # A change made after seeing the other is simply newer: nothing more in the history.
    prensas.repo.save_review_draft(made.id, Review(what_happened="Corte general de 12 minutos"), by="Ana Gómez")
    plant.settle()
    record = deposito.repo.get(made.id)
    assert record.review.what_happened == "Corte general de 12 minutos"
    assert len([entry for entry in record.history if entry.what == "changed_elsewhere"]) == 1


def test_a_supervisor_added_at_one_kiosk_signs_in_at_another(plant):
    prensas, deposito = plant.kiosk("prensas"), plant.kiosk("deposito")
    prensas.repo.add_supervisor(new_supervisor("Marta Ruiz", "4711", admin=True, now=NOW))
    deposito.repo.add_supervisor(new_supervisor("Luis Paz", "8080", admin=True, now=NOW))
    plant.settle()
    for kiosk in (prensas, deposito):
        assert sorted(s.name for s in kiosk.repo.supervisors()) == ["Luis Paz", "Marta Ruiz"]
    assert deposito.repo.check_supervisor_pin("marta ruiz", "4711").ok
    # Wrong tries stay where they were typed (a lockout is the kiosk's own).
    assert not deposito.repo.check_supervisor_pin("Luis Paz", "0000").ok
    plant.settle()
    assert prensas.repo.find_supervisor("Luis Paz").failures == 0
    # Removed at one kiosk: removed at every kiosk.
    deposito.repo.remove_supervisor("Marta Ruiz")
    plant.settle()
    assert [s.name for s in prensas.repo.supervisors()] == ["Luis Paz"]


def test_a_kiosk_whose_id_series_another_has_is_refused_and_syncs_nothing(plant):
    prensas = plant.kiosk("prensas", series=5)
    report(prensas, "Se trabó la prensa 2")
    prensas.sync()
    copy = plant.kiosk("copia", series=6)
    copy.series = 5  # (as if its folder numbered in series 5 all along)
    with pytest.raises(SeriesTaken) as refused:
        copy.sync()
    assert refused.value.holder == "prensas"
    assert copy.repo.count() == 0 and copy.hook.cursor == 0


def test_pushing_twice_stores_once_and_a_pull_resumes_from_its_cursor(plant):
    prensas, deposito = plant.kiosk("prensas"), plant.kiosk("deposito")
    for n in range(5):
        report(prensas, f"Casi accidente número {n} con el autoelevador")
    waiting = prensas.hook.pending()
    prensas.sync()
    # A kill after the hub's commit and before the outbox's: the same rows are sent again.
    from kiosk.hub.sync import push

    with connect(prensas.config, autocommit=True) as conn:
        for change in waiting:
            prensas.hook.store.commit([("put", "sync_outbox", f"{change.numbers[-1]:012d}",
                                        {"table": change.table, "key": change.key, "hlc": change.stamp})],
                                      hooked=False)
        assert push(conn, prensas.hook) == 5
        rows = conn.execute("SELECT count(*) FROM kiosk_hub.changes").fetchone()
    assert rows == (5,)
    deposito.sync()
    assert deposito.repo.count() == 5
    cursor = deposito.hook.cursor
    deposito.repo.close()
    reopened = open_repository(deposito.repo.store.folder, clock=lambda: NOW, id_series=deposito.series)
    deposito.repo, deposito.hook = reopened, capture(reopened.store, "deposito", wall_ms=lambda: T0)
    assert deposito.hook.cursor == cursor
    assert deposito.sync().pulled == 0


def test_entries_made_on_two_kiosks_to_one_work_item_are_all_kept_and_huddles_do_not_collide(plant):
    def huddle_before_joining(repo):
        repo.open_huddle("Prensas")

    prensas = plant.kiosk("prensas", before=huddle_before_joining)
    deposito = plant.kiosk("deposito", before=huddle_before_joining)
    item = prensas.repo.open_work_item(title="Prueba de la matriz nueva", area="Prensas", opened_by="Marta Ruiz")
    plant.settle()
    # Apart, at the same moment, each kiosk adds an entry to the same item.
    prensas.repo.add_work_entry(item.id, kind="win", text="Primera pieza buena al tercer golpe", by="Ana")
    deposito.repo.add_work_entry(item.id, kind="lesson", text="Avisar al depósito antes del cambio", by="Luis")
    later = deposito.repo.open_huddle("Depósito")
    plant.settle()
    for kiosk in plant.kiosks:
        entries = kiosk.repo.work_item(item.id).entries
        assert sorted(entry.text for entry in entries) == ["Avisar al depósito antes del cambio",
                                                          "Primera pieza buena al tercer golpe"]
        assert len(kiosk.repo.huddles()) == 3  # both kiosks' first huddles, and the warehouse's
    # Positions are the same on every kiosk: applause at one lands on the same entry at the other.
    position = [e.text for e in deposito.repo.work_item(item.id).entries].index("Avisar al depósito antes del cambio")
    prensas.repo.applaud_work_entry(item.id, position)
    plant.settle()
    assert deposito.repo.work_item(item.id).entries[position].applause == 1
    assert later.id in {huddle.id for huddle in prensas.repo.huddles()}
    assert prensas.export() == deposito.export()


def test_a_kiosk_back_from_an_older_copy_takes_its_own_later_changes_back_and_numbers_on(plant, tmp_path):
    import shutil

    prensas, deposito = plant.kiosk("prensas"), plant.kiosk("deposito")
    for n in range(3):
        report(prensas, f"Antes de la copia, reporte número {n}")
    prensas.sync()
    folder = prensas.repo.store.folder
    prensas.repo.close()
    shutil.copytree(folder, tmp_path / "copy")  # last night's backup
    prensas.repo = open_repository(folder, clock=lambda: NOW, id_series=prensas.series)
    prensas.hook = capture(prensas.repo.store, "prensas", wall_ms=lambda: prensas.wall[0])
    later = [report(prensas, f"Después de la copia, reporte número {n}").id for n in range(3)]
    prensas.sync()
    prensas.repo.close()
    # The disk dies; the kiosk comes back from last night's copy, and a report is made at once.
    shutil.rmtree(folder)
    shutil.copytree(tmp_path / "copy", folder)
    prensas.repo = open_repository(folder, clock=lambda: NOW, id_series=prensas.series)
    prensas.hook = capture(prensas.repo.store, "prensas", wall_ms=lambda: prensas.wall[0] + 10_000)
    assert prensas.repo.get(later[0]) is None
    plant.settle()
    for record_id in later:  # its own changes after the copy, back from the hub
        assert prensas.repo.get(record_id) is not None
    # Its outbox numbers on after what the hub holds: a new change is not taken for an old one.
    fresh = report(prensas, "Primer reporte después de volver de la copia")
    assert fresh.id not in later
    plant.settle()
    assert deposito.repo.get(fresh.id).what_happened == "Primer reporte después de volver de la copia"
    assert prensas.export() == deposito.export()


def test_a_kiosk_joining_shows_how_far_it_has_pulled_while_its_worker_runs(plant):
    from kiosk.hub.sync import SyncWorker

    prensas = plant.kiosk("prensas")
    for n in range(1200):
        report(prensas, f"Casi accidente número {n} en la línea 3")
    prensas.sync()
    nuevo = plant.kiosk("nuevo")
    seen = []
    worker = SyncWorker(nuevo.hook, nuevo.config, nuevo.series, on_status=seen.append)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while worker.status().state != "connected" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    progress = [status.progress for status in seen if status.progress is not None]
    assert progress and progress[-1][1] == 1200 and progress[0][0] < progress[-1][0]  # the health screen's count
    assert worker.status().state == "connected" and nuevo.repo.count() == 1200


def test_two_things_with_one_number_are_never_mixed(plant):
    prensas, deposito = plant.kiosk("prensas"), plant.kiosk("deposito")
    first = report(prensas, "Se trabó la prensa 2")
    plant.settle()
    # As if prensas came back from a copy older than that report, offline, and made another
    # report that took the same number before it reached the hub.
    doc = dict(unpacked(prensas.repo.store.tables["records"][str(ids.decode(first.id))]))
    other = {**doc, "what_happened": "Otra cosa: faltan guantes en el puesto 4",
             "created_at": "2026-11-21T11:30:00-03:00"}
    prensas.repo.store.commit([("put", "records", str(ids.decode(first.id)), other)])
    refused = deposito.sync().refused + prensas.sync().refused + deposito.sync().refused
    assert refused >= 1
    assert deposito.repo.get(first.id).what_happened == "Se trabó la prensa 2"  # not mixed with the other
    assert prensas.repo.get(first.id).what_happened == "Otra cosa: faltan guantes en el puesto 4"


def test_hostile_bytes_from_another_kiosk_are_cleaned_or_refused_like_an_import(plant):
    prensas, deposito = plant.kiosk("prensas"), plant.kiosk("deposito")
    first, second = report(prensas, "Texto de prueba uno"), report(prensas, "Texto de prueba dos")
    plant.settle()
    # A kiosk whose own checks were bypassed (an old version, a hand-edited folder) sends an
    # escape sequence and control bytes in one record, and a text far beyond any limit in another.
    for record, text in ((first, "Se trabó \x1b]52;c;QUJD\x07 la prensa \x1b[2J[@click=app.quit]x[/]\x00"),
                         (second, "x" * 100_000)):
        key = str(ids.decode(record.id))
        doc = dict(unpacked(prensas.repo.store.tables["records"][key]))
        prensas.repo.store.commit([("put", "records", key, {**doc, "what_happened": text})])
    prensas.sync()
    assert deposito.sync().refused == 1  # the one too long: left out, counted, logged
    cleaned = deposito.repo.get(first.id).what_happened
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x00" not in cleaned
    assert "[@click=app.quit]x[/]" in cleaned  # markup stays text (screens show it literally)
    assert deposito.repo.get(second.id).what_happened == "Texto de prueba dos"  # nothing broken
