"""The plant hub's figures (issue 18), on a real PostgreSQL started for the run (Debian's binaries,
as the tests use; commits durable as PostgreSQL ships, ``synchronous_commit`` on):

- **initial sync**: a kiosk with 25 000 demo records (reviews, follow-ups, history) connects for
  the first time and pushes its history; then a new kiosk joins the plant and pulls it all
  (goal: each at most 60 s);
- **lag**: from a save acknowledged on kiosk A to the record readable on kiosk B, both running
  their sync worker (LISTEN/NOTIFY) over loopback (goal: p95 at most 2 s);
- **save p95** of a quick report on a 25 000-record kiosk without a hub, and with the hub up,
  slow (a TCP proxy that holds every packet 200 ms each way) and down, side by side (goal:
  unchanged — a save is acknowledged by the local journal, never by the hub).

Run by ``make bench`` (after the others) or alone: ``bench/bench.py --hub`` (this file is
imported by bench.py from its own folder).
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ART = timezone(timedelta(hours=-3))
GOALS = {"initial_s": 60.0, "lag_p95_s": 2.0}


def _clock() -> datetime:
    return datetime.now(ART)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


class SlowProxy:
    """A TCP proxy on loopback that holds every chunk ``delay`` seconds before passing it on,
    each way: a hub across a slow link."""

    def __init__(self, target_port: int, delay: float) -> None:
        self.target_port, self.delay = target_port, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                time.sleep(self.delay)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self.listener.close()


def _kiosk(pg: Any, owner: str, tmp: Path, name: str) -> Any:
    from kiosk.config import HubConfig
    from kiosk.hub import schema
    from kiosk.hub.connect import connect

    with connect(HubConfig(sslmode="disable"), url=owner) as conn:
        password = schema.new_password()
        _role, series = schema.add_kiosk(conn, name, password)
    (tmp / f"{name}.pass").write_text(password + "\n")
    config = HubConfig(url=pg.url(schema.kiosk_role(name)), kiosk_name=name, password_file=str(tmp / f"{name}.pass"),
                       sslmode="disable")
    return config, series


def _draft(n: int) -> Any:
    from kiosk.core.records import ReportDraft

    return ReportDraft(kind="near_miss", area="Envasado", what_happened=f"Casi se cae una caja de la cinta {n}",
                       impact="Nadie lastimado", reporter="Ana")


def _save_p95(repo: Any, saves: int, start: int) -> tuple[float, float]:
    for n in range(50):  # warm-up, not counted
        repo.add_report(_draft(start - 50 + n), areas=None)
    samples = []
    for n in range(saves):
        began = time.perf_counter()
        repo.add_report(_draft(start + n), areas=None)
        samples.append((time.perf_counter() - began) * 1000)
    return percentile(samples, 50), percentile(samples, 95)


def bench_hub(tmp: Path, docs: list[dict[str, Any]], log: Callable[[str], None], *, saves: int = 1000,
              lag_rounds: int = 200) -> dict[str, Any]:
    from kiosk.config import HubConfig
    from kiosk.hub import schema
    from kiosk.hub.connect import connect
    from kiosk.hub.sync import SyncWorker, sync_round
    from kiosk.storage import open_repository
    from tests.support.postgres import Postgres

    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-hub-", dir=tmp))
    pg = Postgres(crash_safe=True).start()
    out: dict[str, Any] = {"records": len(docs)}
    try:
        owner = pg.admin_url()
        with connect(HubConfig(sslmode="disable"), url=owner) as conn:
            schema.init(conn)
        (a_config, a_series), (b_config, b_series) = (_kiosk(pg, owner, work, name) for name in ("prensas", "deposito"))

        log(f"hub: a kiosk with {len(docs)} records, and one without a hub for the baseline")
        for folder in ("prensas", "alone"):
            repo = open_repository(work / folder, clock=_clock, id_series=a_series)
            repo.import_docs(docs)
            repo.close()

        def first_round(name: str, config: HubConfig, series: int) -> tuple[Any, Any, Any, float]:
            """A kiosk's first connection, timed: (its repository, its worker, the round, seconds)."""
            repo = open_repository(work / name, clock=_clock, id_series=series)
            worker = SyncWorker.for_repository(repo, config)
            began = time.perf_counter()
            with connect(config, autocommit=True) as conn:
                done = sync_round(conn, worker.hook, series)
            return repo, worker, done, time.perf_counter() - began

        log("hub: the first connection pushes the kiosk's history")
        a, worker_a, pushed, out["first_push_s"] = first_round("prensas", a_config, a_series)
        out["first_push_changes"] = pushed.pushed

        log("hub: a new kiosk joins the plant and pulls everything")
        b, worker_b, pulled, out["initial_s"] = first_round("deposito", b_config, b_series)
        out["initial_changes"] = pulled.pulled
        out["initial_records"] = b.count()

        log(f"hub: lag from a save on one kiosk to readable on the other ({lag_rounds} saves)")
        arrived: dict[str, float] = {}
        ready = threading.Event()

        def listener(table: str, key: str, old: Any, new: Any) -> None:
            if table == "records" and new is not None and old is None:
                arrived[str(new.get("id"))] = time.perf_counter()
                ready.set()

        b.store.add_listener(listener, lambda: None)
        worker_a.start()
        worker_b.start()
        for worker in (worker_a, worker_b):
            deadline = time.monotonic() + 60
            while worker.status().state != "connected" and time.monotonic() < deadline:
                time.sleep(0.05)
        lags = []
        for n in range(lag_rounds):
            ready.clear()
            began = time.perf_counter()
            record = a.add_report(_draft(n), areas=None)
            while record.id not in arrived and time.perf_counter() - began < 30:
                ready.wait(0.05)
            if record.id in arrived:
                lags.append(arrived[record.id] - began)
            time.sleep(0.02)
        out["lag"] = {"n": len(lags), "of": lag_rounds, "p50_s": percentile(lags, 50), "p95_s": percentile(lags, 95),
                      "max_s": max(lags)}
        worker_b.stop()

        log(f"hub: save p95 without a hub, with the hub up, slow and down ({saves} saves each)")
        alone = open_repository(work / "alone", clock=_clock, id_series=a_series)
        saves_out = {"no hub": _save_p95(alone, saves, 100_000)}
        alone.close()
        saves_out["hub up"] = _save_p95(a, saves, 200_000)
        worker_a.stop()
        # The same kiosk, its worker now going through the slow link.
        proxy = SlowProxy(pg.port, 0.2)
        slow_config = HubConfig(url=f"postgresql://{schema.kiosk_role('prensas')}@127.0.0.1:{proxy.port}/plant",
                                kiosk_name="prensas", password_file=a_config.password_file, sslmode="disable")
        slow = SyncWorker(worker_a.hook, slow_config, a_series)
        slow.start()
        saves_out["hub slow (200 ms)"] = _save_p95(a, saves, 300_000)
        slow_waiting = slow.status().waiting
        slow.stop()
        proxy.close()
        pg.stop("fast")
        down = SyncWorker(worker_a.hook, a_config, a_series)
        down.start()
        saves_out["hub down"] = _save_p95(a, saves, 400_000)
        out["down_state"] = down.status().state
        down.stop()
        out["saves"] = {name: {"p50_ms": p50, "p95_ms": p95} for name, (p50, p95) in saves_out.items()}
        out["slow_waiting_after"] = slow_waiting
        a.close()
        b.close()
    finally:
        pg.close()
        shutil.rmtree(work, ignore_errors=True)
    return out


def render_hub(result: dict[str, Any]) -> str:
    lag = result["lag"]
    lines = [
        "## The plant hub (issue 18)",
        "",
        f"PostgreSQL 15 on loopback, commits durable; a kiosk of {result['records']:,} demo records.",
        "",
        "| figure | measured | goal | verdict |",
        "|---|---|---|---|",
        f"| first connection: the kiosk's history pushed ({result['first_push_changes']:,} changes) "
        f"| {result['first_push_s']:.1f} s | — | — |",
        f"| initial sync: a new kiosk pulls {result['initial_changes']:,} changes "
        f"({result['initial_records']:,} records) | {result['initial_s']:.1f} s | ≤ {GOALS['initial_s']:.0f} s "
        f"| {'PASS' if result['initial_s'] <= GOALS['initial_s'] else 'FAIL'} |",
        f"| lag, save on A → readable on B (p50 / p95 / max, {lag['n']} of {lag['of']}) "
        f"| {lag['p50_s'] * 1000:.0f} / {lag['p95_s'] * 1000:.0f} / {lag['max_s'] * 1000:.0f} ms "
        f"| p95 ≤ {GOALS['lag_p95_s']:.0f} s | {'PASS' if lag['p95_s'] <= GOALS['lag_p95_s'] else 'FAIL'} |",
        "",
        "| a quick report's save | p50 | p95 | p95 against no hub |",
        "|---|---|---|---|",
    ]
    base = result["saves"]["no hub"]["p95_ms"]
    for name, figures in result["saves"].items():
        lines.append(f"| {name} | {figures['p50_ms']:.3f} ms | {figures['p95_ms']:.3f} ms "
                     f"| {figures['p95_ms'] / base:.2f}× |")
    lines.append("")
    lines.append(f"(With the hub down the worker said '{result['down_state']}'; through the slow link "
                 f"{result['slow_waiting_after']} changes were still waiting when the saves ended.)")
    return "\n".join(lines)
