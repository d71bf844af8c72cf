"""Kiosks as separate processes on separate data folders, sharing a real PostgreSQL (issue 18):
two kiosks running (``kiosk run`` in a pseudo-terminal, typed at like a keyboard), a third used
from the command line (``kiosk import``, ``kiosk hub sync``), and the office's ``kiosk serve
--hub``. A report typed on one is on the others and on the office's record page; with the hub
stopped, reports are still saved and acknowledged at once, and all of them arrive once it is
back; at the end every kiosk exports the same thing. Also as processes (tests/support/hub_kiosk.py,
driven line by line with a clock of their own): a kiosk cut off for a week with 2 000 changes,
clocks a day apart, a kiosk joining, a kiosk restored from a backup."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kiosk.config import HubConfig
from kiosk.hub import schema
from kiosk.hub.connect import connect
from kiosk.storage import open_repository
from kiosk.storage.packed import unpacked
from tests.support.cli import lines, run
from tests.support.clock import fixed_clock
from tests.support.postgres import Postgres, _free_port
from tests.support.pty_terminal import Terminal, kiosk_env
from tests.support.storage import Child

KIOSK = [sys.executable, "-m", "kiosk"]
SAVED = "¡Gracias! Tu reporte quedó guardado.".encode()


@pytest.fixture(scope="module")
def pg():
    server = Postgres(crash_safe=True).start()
    yield server
    server.close()


def join_plant(pg: Postgres, tmp: Path, database: str, names: list[str]) -> dict[str, Path]:
    """The hub's schema, a role per kiosk, and each kiosk's configuration file."""
    owner = pg.new_database(database)
    configs = {}
    with connect(HubConfig(sslmode="disable"), url=owner) as conn:
        schema.init(conn)
        for name in names:
            password = schema.new_password()
            _role, series = schema.add_kiosk(conn, name, password)
            (tmp / f"{name}.pass").write_text(password + "\n")
            config = tmp / f"{name}.toml"
            config.write_text(
                f'areas = ["Prensas", "Depósito", "Calidad", "Envasado"]\nhome_area = "Prensas"\n'
                f'[storage]\nid_series = {series}\n'
                f'[hub]\nurl = "{pg.url(schema.kiosk_role(name), database)}"\nkiosk_name = "{name}"\n'
                f'password_file = "{tmp / f"{name}.pass"}"\nsslmode = "disable"\n', encoding="utf-8")
            configs[name] = config
    return configs


def kiosk_terminal(tmp: Path, name: str, config: Path) -> Terminal:
    return Terminal([*KIOSK, "run", "--data", str(tmp / name), "--config", str(config)], kiosk_env())


def type_report(term: Terminal, what: str) -> float:
    """A quick near miss in Envasado, typed; returns the seconds until the kiosk said it was saved."""
    for keys in (b"1", b"2", b"env", b"\r", b"\r", what.encode(), b"\r", b"\r", b"\r", b"\r"):
        term.send(keys)
        term.drain(0.25)
    before = len(term.output)
    started = time.monotonic()
    term.send(b"\r")
    assert shows(term, SAVED, since=before, timeout=10), term.output[before:][-1500:]
    took = time.monotonic() - started
    term.send(b"\r")  # back to Home
    term.drain(0.3)
    return took


def shows(term: Terminal, text: bytes, *, since: int, timeout: float) -> bool:
    """Whether ``text`` is drawn after the first ``since`` bytes of the output (within ``timeout``)."""
    deadline = time.monotonic() + timeout
    while text not in term.output[since:] and time.monotonic() < deadline:
        term.drain(0.1)
    return text in term.output[since:]


def records_at(folder: Path) -> dict[str, dict]:
    """What a data folder holds now, read alongside its running writer."""
    repo = open_repository(folder, clock=fixed_clock, writer=False)
    try:
        return {doc["id"]: dict(unpacked(doc)) for doc in repo.all_docs()}
    finally:
        repo.close()


def wait_for(predicate, timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            return -1.0
        time.sleep(0.1)
    return time.monotonic() - started


def with_text(folder: Path, text: str) -> list[dict]:
    return [doc for doc in records_at(folder).values() if doc["what_happened"] == text]


def test_three_kiosks_and_the_office_share_one_learning_base(pg, tmp_path):
    configs = join_plant(pg, tmp_path, "three", ["prensas", "deposito", "calidad", "oficina"])
    port = _free_port()
    office = subprocess.Popen([*KIOSK, "serve", "--hub", "--data", str(tmp_path / "oficina"), "--config",
                               str(configs["oficina"]), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    prensas = kiosk_terminal(tmp_path, "prensas", configs["prensas"])
    deposito = kiosk_terminal(tmp_path, "deposito", configs["deposito"])
    try:
        for term in (prensas, deposito):
            assert term.read_until(b"Hub de la planta: conectado", timeout=60), term.output[-2000:]

        # A report typed at the press shop is at the warehouse, and on the office's page.
        type_report(prensas, "Casi me pisa el autoelevador en el pasillo 2")
        lag = wait_for(lambda: with_text(tmp_path / "deposito", "Casi me pisa el autoelevador en el pasillo 2"), 30)
        assert lag >= 0, "the report never reached the warehouse kiosk"
        doc = with_text(tmp_path / "prensas", "Casi me pisa el autoelevador en el pasillo 2")[0]
        page = f"http://127.0.0.1:{port}/r/{doc['id']}?k={doc['link_token']}"
        assert wait_for(lambda: with_text(tmp_path / "oficina", doc["what_happened"]), 30) >= 0
        with urllib.request.urlopen(page, timeout=10) as answer:
            assert answer.status == 200 and "pasillo 2" in answer.read().decode()

        # The third kiosk, from the command line: its imports go out with one sync round.
        imported = run(["import", "--config", str(configs["calidad"])], data=tmp_path / "calidad", stdin=lines(
            {"kind": "error", "area": "Calidad", "what_happened": "Lote sin etiqueta de control",
             "occurred_at": "2026-11-20T09:00:00-03:00"}))
        assert imported.returncode == 0, imported.stderr.decode()
        synced = run(["hub", "sync", "--config", str(configs["calidad"])], data=tmp_path / "calidad")
        assert synced.returncode == 0, synced.stderr.decode()
        assert "Al día con el hub" in synced.stdout.decode()
        for folder in ("prensas", "deposito"):
            assert wait_for(lambda f=folder: with_text(tmp_path / f, "Lote sin etiqueta de control"), 30) >= 0
        # And it got the others' report in the same round.
        assert with_text(tmp_path / "calidad", "Casi me pisa el autoelevador en el pasillo 2")

        # The hub stops: reports are still saved and acknowledged at once, and the kiosks say
        # they work offline (no dialog).
        pg.stop("immediate")
        try:
            took = [type_report(prensas, f"Sin hub, reporte número {n}") for n in range(3)]
            assert max(took) < 5, took
            assert shows(prensas, "trabajando sin conexión".encode(), since=0, timeout=40), prensas.output[-2000:]
            assert not with_text(tmp_path / "deposito", "Sin hub, reporte número 0")
            status = run(["hub", "sync", "--config", str(configs["calidad"])], data=tmp_path / "calidad")
            assert status.returncode == 1 and "El hub no responde" in status.stderr.decode()
        finally:
            pg.start()
        for n in range(3):
            assert wait_for(lambda n=n: with_text(tmp_path / "deposito", f"Sin hub, reporte número {n}"), 60) >= 0

        # A command's change on a kiosk of the plant (an import) is queued like a save, and goes out
        # with the next round; in the end every kiosk exports the same records.
        again = run(["import", "--config", str(configs["calidad"])], data=tmp_path / "calidad", stdin=lines(
            {"kind": "surprise", "area": "Calidad", "what_happened": "Segundo lote con la etiqueta al revés",
             "occurred_at": "2026-11-20T11:00:00-03:00"}))
        assert again.returncode == 0, again.stderr.decode()
        assert run(["hub", "sync", "--config", str(configs["calidad"])], data=tmp_path / "calidad").returncode == 0
        assert wait_for(lambda: with_text(tmp_path / "deposito", "Segundo lote con la etiqueta al revés"), 30) >= 0

        def exports() -> list[str]:
            return [run(["export", "--format", "jsonl"], data=tmp_path / name).stdout.decode()
                    for name in ("prensas", "deposito", "calidad", "oficina")]

        assert wait_for(lambda: len(set(exports())) == 1, 60) >= 0
        assert len(exports()[0].splitlines()) == 6
    finally:
        for term in (prensas, deposito):
            term.close()
        office.terminate()
        office.wait(timeout=10)


def test_a_kiosk_joining_pulls_everything_and_one_with_data_pushes_its_history(pg, tmp_path):
    configs = join_plant(pg, tmp_path, "joining", ["viejo", "nuevo"])
    docs = [{"kind": "near_miss", "area": "Prensas", "what_happened": f"Casi accidente número {n} en la prensa",
             "occurred_at": "2026-11-20T09:00:00-03:00"} for n in range(1500)]
    # A kiosk that worked alone for years (here: 1 500 records) connects for the first time.
    imported = run(["import", "--config", str(configs["viejo"])], data=tmp_path / "viejo", stdin=lines(*docs))
    assert imported.returncode == 0, imported.stderr.decode()
    pushed = run(["hub", "sync", "--config", str(configs["viejo"])], data=tmp_path / "viejo")
    assert pushed.returncode == 0 and "1500 cambios enviados" in pushed.stdout.decode(), pushed.stdout.decode()
    joined = run(["hub", "sync", "--config", str(configs["nuevo"])], data=tmp_path / "nuevo")
    said = joined.stdout.decode()
    assert joined.returncode == 0 and "1500 recibidos" in said and "Recibidos 1500 de 1500 cambios" in said, said
    status = run(["hub", "status", "--config", str(configs["nuevo"])], data=tmp_path / "nuevo")
    assert "0 cambios esperando para enviarse; 0 cambios del hub sin recibir" in status.stdout.decode()
    assert len(records_at(tmp_path / "nuevo")) == 1500
    old = run(["export", "--format", "jsonl"], data=tmp_path / "viejo").stdout
    assert run(["export", "--format", "jsonl"], data=tmp_path / "nuevo").stdout == old
    assert json.loads(old.splitlines()[0])["area"] == "Prensas"


def test_a_kiosk_restored_from_a_backup_takes_back_what_it_sent_after_it(pg, tmp_path):
    configs = join_plant(pg, tmp_path, "restore", ["prensas"])
    config = ["--config", str(configs["prensas"])]
    data = tmp_path / "prensas"

    def add(text: str) -> str:
        doc = {"kind": "near_miss", "area": "Prensas", "what_happened": text,
               "occurred_at": "2026-11-20T09:00:00-03:00"}
        done = run(["import", *config], data=data, stdin=lines(doc))
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode().split()[1]

    add("Antes de la copia")
    assert run(["hub", "sync", *config], data=data).returncode == 0
    made = run(["backup", str(tmp_path / "copies"), *config], data=data)
    assert made.returncode == 0, made.stderr.decode()
    after = add("Después de la copia")
    assert run(["hub", "sync", *config], data=data).returncode == 0
    copy = sorted((tmp_path / "copies").iterdir())[-1]
    restored = run(["restore", str(copy), *config], data=data)
    said = restored.stdout.decode()
    assert restored.returncode == 0 and "Trayendo del hub" in said and "Al día con el hub" in said, said
    assert after in records_at(data)  # back from the hub before anything new was made
    fresh = add("Primero después de restaurar")
    assert fresh != after


class Driven:
    """A kiosk process of the plant (tests/support/hub_kiosk.py), one command at a time."""

    def __init__(self, tmp: Path, name: str, config: Path, wall_ms: int) -> None:
        import tomllib

        series = tomllib.loads(config.read_text(encoding="utf-8"))["storage"]["id_series"]
        self.name, self.folder = name, tmp / name
        self.child = Child(Path(__file__).parents[1] / "support" / "hub_kiosk.py", self.folder, name, series,
                           config, wall_ms, stderr_path=tmp / f"{name}.err")
        assert self.child.readline(60) == "ready", self.child.stderr()[-800:]

    def __call__(self, command: str) -> str:
        self.child.send(command)
        answer = self.child.readline(60)
        assert answer.startswith("ok"), (command, answer, self.child.stderr()[-800:])
        return answer[3:]

    def close(self) -> None:
        self.child.send("quit")
        self.child.proc.wait(timeout=30)
        self.child.close()


def test_a_kiosk_cut_off_for_a_week_with_2000_changes_rejoins_and_every_kiosk_ends_the_same(pg, tmp_path):
    from collections import Counter

    configs = join_plant(pg, tmp_path, "week", ["prensas", "deposito", "calidad"])
    start = 1_795_000_000_000
    kiosks = {name: Driven(tmp_path, name, configs[name], start) for name in configs}
    prensas, deposito, calidad = kiosks["prensas"], kiosks["deposito"], kiosks["calidad"]
    try:
        wins = [prensas(f"report win Prensas Logro compartido número {n}") for n in range(20)]
        shared = [deposito(f"report near_miss Depósito Casi accidente compartido número {n}") for n in range(20)]
        for _ in range(2):
            for kiosk in kiosks.values():
                kiosk("sync")
        step = 7 * 24 * 3600 * 1000 // 2000
        made: Counter[str] = Counter()
        claps: Counter[str] = Counter()
        last: dict[tuple[str, str], tuple[int, str]] = {}  # (record, kiosk) → (when, its last draft)
        wall = start
        # A week cut off: the quality kiosk makes 2 000 changes while the two others go on between
        # them, to the same wins and the same records, at times spread over the same week.
        for n in range(2000):
            wall += step
            for kiosk in kiosks.values():
                kiosk(f"wall +{step}")
            if n % 4 in (0, 1):
                calidad(f"report near_miss Calidad Semana sin red, reporte número {n}")
                made["reports"] += 1
            elif n % 4 == 2:
                calidad(f"applaud {wins[n % 20]}")
                claps[wins[n % 20]] += 1
                made["claps"] += 1
            else:
                text = f"Borrador de calidad número {n}"
                calidad(f"draft {shared[n % 20]} Rosa_Díaz {text}")
                last[(shared[n % 20], "calidad")] = (wall, text)
                made["drafts"] += 1
            if n % 50 == 25:  # the two others, connected, now and then
                prensas(f"applaud {wins[n % 20]}")
                claps[wins[n % 20]] += 1
                text = f"Borrador del depósito número {n}"
                target = shared[(n // 50) % 5 * 4 + 3]  # among the records the quality kiosk drafts too
                deposito(f"draft {target} Luis_Paz {text}")
                last[(target, "deposito")] = (wall, text)
                prensas("sync")
                deposito("sync")
        assert sum(made.values()) == 2000 and int(calidad("waiting")) >= 2000
        for _ in range(3):  # it rejoins
            for kiosk in kiosks.values():
                kiosk("sync")
    finally:
        for kiosk in kiosks.values():
            kiosk.close()

    exports = [run(["export", "--format", "jsonl"], data=tmp_path / name).stdout for name in kiosks]
    assert exports[0] == exports[1] == exports[2]
    assert len(exports[0].splitlines()) == 40 + made["reports"]  # every report, once
    for name in kiosks:
        docs = records_at(tmp_path / name)
        for win in wins:  # every clap counted, none twice
            assert docs[win]["applause"] == claps[win]
        for record_id in {record for record, _kiosk in last}:
            doc = docs[record_id]
            finals = sorted(value for key, value in last.items() if key[0] == record_id)
            # One "draft saved" line per sitting: each kiosk's supervisor sat at it once.
            assert len([e for e in doc["history"] if e["what"] == "review_draft_saved"]) == len(finals) == 2
            assert doc["review"]["what_happened"] == finals[-1][1]  # the later by the clocks
            kept = [e.get("value", "") for e in doc["history"] if e["what"] == "changed_elsewhere"]
            for _when, text in finals[:-1]:  # and the other kiosk's last draft is still readable
                assert any(text in value for value in kept), (record_id, text, kept)


def test_clocks_a_day_apart_lose_and_reorder_nothing(pg, tmp_path):
    configs = join_plant(pg, tmp_path, "clocks", ["prensas", "adelantado"])
    start, day = 1_795_000_000_000, 24 * 3600 * 1000
    prensas = Driven(tmp_path, "prensas", configs["prensas"], start)
    ahead = Driven(tmp_path, "adelantado", configs["adelantado"], start + day)  # its clock a day ahead
    try:
        made = prensas("report near_miss Prensas Fuga de aceite en la prensa 4")
        for kiosk in (prensas, ahead, prensas):
            kiosk("sync")
        # The kiosk a day ahead changes the draft first; the press shop changes it a second
        # later, after seeing it (its own clock still says "yesterday").
        ahead("draft " + made + " Luis_Paz Fuga chica")
        for kiosk in (ahead, prensas):
            kiosk("sync")
        prensas("wall +1000")
        prensas("draft " + made + " Ana_Gómez Fuga en el retén, cambiado")
        reports = [ahead("report near_miss Prensas Reporte del kiosco adelantado"),
                   prensas("report near_miss Prensas Reporte de prensas")]
        for kiosk in (prensas, ahead, prensas):
            kiosk("sync")
    finally:
        prensas.close()
        ahead.close()
    for name in ("prensas", "adelantado"):
        docs = records_at(tmp_path / name)
        assert docs[made]["review"]["what_happened"] == "Fuga en el retén, cambiado"  # what came after won
        assert not [e for e in docs[made]["history"] if e["what"] == "changed_elsewhere"]
        assert set(reports) <= set(docs)  # nothing lost
    assert (run(["export", "--format", "jsonl"], data=tmp_path / "prensas").stdout
            == run(["export", "--format", "jsonl"], data=tmp_path / "adelantado").stdout)
