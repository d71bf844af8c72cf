"""kill -9 with a plant hub (issue 18): two kiosks save reports and applaud one win while they
sync with a real PostgreSQL, and are killed at random moments — mid-save, mid-push, mid-apply —
over and over, and every tenth time PostgreSQL itself is killed (an immediate shutdown, no
checkpoint: what a crash leaves) in the middle of their transactions. At the end: every
acknowledged report is on both kiosks, once; the applause adds up to every acknowledged clap
(plus at most one per kill that landed between the save and its acknowledgement), never more;
the hub holds each change once; both kiosks export the same thing."""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter

import pytest

from kiosk.config import HubConfig
from kiosk.core.records import ReportDraft
from kiosk.hub import schema
from kiosk.hub.connect import connect
from kiosk.hub.sync import sync_round
from kiosk.storage import open_repository
from kiosk.storage.sync import capture
from tests.support.cli import run
from tests.support.clock import fixed_clock
from tests.support.postgres import Postgres
from tests.support.storage import Child

KILLS = 100

CHILD = '''
import sys, time, uuid
from datetime import datetime
from kiosk.config import HubConfig
from kiosk.core.records import ReportDraft
from kiosk.hub.connect import connect
from kiosk.hub.sync import SyncWorker, sync_round
from kiosk.storage import open_repository

folder, name, series, url, password_file, win = sys.argv[1:7]
repo = open_repository(folder, clock=lambda: datetime.now().astimezone(), id_series=int(series))
config = HubConfig(url=url, kiosk_name=name, password_file=password_file, sslmode="disable")
worker = SyncWorker.for_repository(repo, config)
print("ready", flush=True)
conn = None
while True:
    record = repo.add_report(ReportDraft(kind="near_miss", area="Prensas",
                                         what_happened=f"{name} {uuid.uuid4().hex[:12]}"), areas=None)
    print("ok", record.id, flush=True)
    if repo.get(win) is not None:
        repo.applaud(win)
        print("clap", flush=True)
    try:
        if conn is None:
            conn = connect(config, autocommit=True)
        sync_round(conn, worker.hook, worker.series)
    except Exception as exc:  # the hub killed: try again next time
        print("hub-away", type(exc).__name__, flush=True)
        try:
            conn.close()
        except Exception:
            pass
        conn = None
        time.sleep(0.05)
'''


@pytest.mark.slow
def test_kill_9_of_kiosks_and_of_postgresql_loses_nothing_and_applies_nothing_twice(tmp_path):
    pg = Postgres(crash_safe=True).start()
    rng = random.Random(20261206)
    try:
        owner = pg.admin_url()
        kiosks = {}
        with connect(HubConfig(sslmode="disable"), url=owner) as conn:
            schema.init(conn)
            for name in ("prensas", "deposito"):
                password = schema.new_password()
                _role, series = schema.add_kiosk(conn, name, password)
                (tmp_path / f"{name}.pass").write_text(password + "\n")
                kiosks[name] = (series, HubConfig(url=pg.url(schema.kiosk_role(name)), kiosk_name=name,
                                                  password_file=str(tmp_path / f"{name}.pass"), sslmode="disable"))

        def settle() -> None:
            for _ in range(2):
                for name, (series, config) in kiosks.items():
                    repo = open_repository(tmp_path / name, clock=fixed_clock, id_series=series)
                    try:
                        hook = capture(repo.store, name)
                        with connect(config, autocommit=True) as conn:
                            sync_round(conn, hook, series)
                    finally:
                        repo.close()

        first = open_repository(tmp_path / "prensas", clock=fixed_clock, id_series=kiosks["prensas"][0])
        capture(first.store, "prensas")
        win = first.add_report(ReportDraft(kind="win", area="Prensas", what_happened="Cero accidentes en noviembre"),
                               areas=None).id
        first.close()
        settle()

        script = tmp_path / "child.py"
        script.write_text(CHILD, encoding="utf-8")

        def spawn(name: str, number: int) -> Child:
            series, config = kiosks[name]
            child = Child(script, tmp_path / name, name, series, config.url, config.password_file, win,
                          stderr_path=tmp_path / f"{name}-{number}.err")
            assert child.readline(60) == "ready", child.stderr()[-500:]
            return child

        acked: dict[str, set[str]] = {name: set() for name in kiosks}
        claps = Counter[str]()
        stats = Counter[str]()
        children = {name: spawn(name, 0) for name in kiosks}
        try:
            for kill in range(KILLS):
                time.sleep(rng.uniform(0.05, 0.4))
                if kill % 10 == 9:
                    pg.stop("immediate")  # PostgreSQL killed in the middle of their rounds
                    stats["postgresql killed"] += 1
                    time.sleep(rng.uniform(0.0, 0.5))
                    pg.start()
                    continue
                name = ("prensas", "deposito")[kill % 2]
                child = children[name]
                child.proc.send_signal(signal.SIGKILL)
                lines = child.rest()
                child.close()
                for line in lines:
                    if line.startswith("ok "):
                        acked[name].add(line.split()[1])
                    elif line == "clap":
                        claps[name] += 1
                    elif line.startswith("hub-away"):
                        stats["rounds that met a killed hub"] += 1
                stats[f"{name} killed"] += 1
                children[name] = spawn(name, kill + 1)
        finally:
            for name, child in children.items():
                child.proc.send_signal(signal.SIGKILL)
                for line in child.rest():
                    if line.startswith("ok "):
                        acked[name].add(line.split()[1])
                    elif line == "clap":
                        claps[name] += 1
                child.close()
        settle()

        have = {}
        for name, (series, _config) in kiosks.items():
            repo = open_repository(tmp_path / name, clock=fixed_clock, id_series=series, writer=False)
            try:
                docs = repo.all_docs()
                have[name] = docs
                assert repo.store.report.healthy
            finally:
                repo.close()
        ids = {name: {doc["id"] for doc in docs} for name, docs in have.items()}
        every_ack = acked["prensas"] | acked["deposito"]
        assert every_ack and every_ack <= ids["prensas"] and every_ack <= ids["deposito"], "acknowledged lost"
        assert ids["prensas"] == ids["deposito"]
        texts = Counter(doc["what_happened"] for doc in have["prensas"])
        assert max(texts.values()) == 1  # no report twice
        applause = {name: next(doc for doc in docs if doc["id"] == win)["applause"] for name, docs in have.items()}
        assert applause["prensas"] == applause["deposito"]
        kiosk_kills = stats["prensas killed"] + stats["deposito killed"]
        acked_claps = claps["prensas"] + claps["deposito"]
        assert acked_claps <= applause["prensas"] <= acked_claps + kiosk_kills + 2, (applause, claps, stats)
        with connect(HubConfig(sslmode="disable"), url=owner) as conn:
            rows = conn.execute("SELECT kiosk, kiosk_seq, count(*) FROM kiosk_hub.changes GROUP BY 1, 2 "
                                "HAVING count(*) > 1").fetchall()
            assert rows == []
        exports = [run(["export", "--format", "jsonl"], data=tmp_path / name).stdout for name in kiosks]
        assert exports[0] == exports[1]
        summary = {"kills": KILLS, **stats, "acknowledged reports": len(every_ack), "records": len(ids["prensas"]),
                   "acknowledged claps": acked_claps, "applause": applause["prensas"]}
        print(json.dumps(summary))
    finally:
        pg.close()
