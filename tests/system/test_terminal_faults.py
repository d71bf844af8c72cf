"""A floor terminal misbehaving, through a real pseudo-terminal: bytes that are not UTF-8 (a
Latin-1 keyboard or scanner, a console not in UTF-8 mode, line noise), and a terminal that goes
away while the kiosk is busy. The kiosk must keep taking keys, lose nothing, and always stop
when asked or when its terminal is gone."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.core import ids
from tests.support.processes import run_bounded
from tests.support.pty_terminal import Terminal, kiosk_env

KIOSK = [sys.executable, "-m", "kiosk"]


def start(data: Path, *, controlling: bool = True) -> Terminal:
    term = Terminal([*KIOSK, "run", "--data", str(data)], kiosk_env(), controlling=controlling)
    assert term.read_until(b"Reportar"), term.output[-2000:]
    term.drain(0.5)
    return term


def saved_texts(data: Path) -> list[str]:
    done = run_bounded([*KIOSK, "export", "--format", "jsonl", "--data", str(data)], capture_output=True,
                          timeout=60, check=True)
    return [json.loads(line)["what_happened"] for line in done.stdout.decode().splitlines()]


def type_report(term: Terminal, text: bytes) -> None:
    """Home → an error in Envasado, no station → ``text`` as what happened → save (no other
    field)."""
    for key in (b"1", b"1", b"env", b"\r", b"\r"):
        term.send(key)
        term.drain(0.4)
    term.send(text)
    term.drain(0.6)
    for _ in range(5):
        term.send(b"\r")
        term.drain(0.4)
    assert term.read_until("número es".encode()), term.output[-3000:]


@pytest.mark.parametrize("bad", [
    pytest.param(b"\xf1", id="alone"),
    pytest.param(bytes(random.Random(7).randrange(0x80, 0x100) for _ in range(64)), id="burst"),
    pytest.param(b"\xc3\xf1\xb1", id="inside-a-multibyte-character"),
])
def test_bytes_that_are_not_utf8_never_stop_the_keys(tmp_path, bad):
    data = tmp_path / "d"
    term = start(data)
    try:
        term.send(bad)
        term.drain(1.0)
        assert term.process.poll() is None
        assert b"Traceback" not in term.output and b"UnicodeDecodeError" not in term.output
        type_report(term, b"Se trab\xf3 la cinta y la m\xe1quina par\xf3")  # typed on a Latin-1 keyboard
        term.send(b"\r")
        term.drain(0.5)
        term.process.send_signal(signal.SIGTERM)
        assert term.process.wait(timeout=10) == 0
    finally:
        term.close()
    assert saved_texts(data) == ["Se trabó la cinta y la máquina paró"]
    assert "not UTF-8" in (data / "kiosk.log").read_text(encoding="utf-8")


def test_a_scan_with_a_byte_that_is_not_utf8_is_refused_plainly_and_the_next_one_opens(tmp_path):
    data = tmp_path / "d"
    record = {"id": ids.encode(7), "kind": "error", "area": "Envasado", "what_happened": "Se trabó la cinta dos",
              "created_at": "2026-11-20T09:00:00-03:00", "occurred_at": "2026-11-20T08:40:00-03:00",
              "link_token": "tzRA6lSpMSnZYugHFUyJBA"}
    run_bounded([*KIOSK, "import", "--data", str(data)], input=json.dumps(record).encode(), check=True,
                   capture_output=True, timeout=60)
    url = f"http://kiosk.local:8080/r/{record['id']}?k={record['link_token']}".encode()
    term = start(data)
    try:
        term.send(url[:25] + b"\xf1" + url[25:] + b"\r")
        assert term.read_until(b"no es un ticket", timeout=10), term.output[-2000:]
        term.send(url + b"\r")
        assert term.read_until(b"Se trab", timeout=10)
        assert term.process.poll() is None
    finally:
        term.close()


# -- a terminal that goes away while the kiosk is busy ------------------------------------------


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    """25 000 records, written straight as a snapshot (as the benchmark does)."""
    from kiosk.core.records import SCHEMA_VERSION, ReportDraft, new_record, record_to_doc
    from kiosk.storage.files import write_atomic
    from kiosk.storage.format import snapshot_chunks
    from tests.support.clock import NOW

    folder = tmp_path_factory.mktemp("big") / "data"
    folder.mkdir()
    docs = {}
    for n in range(1, 25_001):
        draft = ReportDraft(kind="error", area=("Envasado", "Depósito", "Calidad")[n % 3],
                            what_happened=f"Se trabó la cinta {n} al arrancar el turno y cayeron cajas",
                            impact="Media hora de parada", station=f"Línea {n % 7}")
        docs[str(n)] = record_to_doc(new_record(draft, record_id=ids.encode(n), now=NOW))
    write_atomic(folder / "kiosk.json", snapshot_chunks(
        {"records": docs, "counters": {"1": {"records": 25_000}}},
        {"seq": 0, "schema": SCHEMA_VERSION, "written_at": NOW.isoformat()}))
    return folder


@pytest.mark.slow
def test_closing_the_terminal_at_any_moment_of_a_big_start_always_ends_the_kiosk(big_folder, tmp_path):
    """50 times: start the kiosk on 25 000 records, close its terminal at a random moment of
    the start (drawing Home, loading, indexing), and the process is gone within seconds, the
    data folder unlocked and healthy."""
    import shutil

    rng = random.Random(20261206)
    slowest = 0.0
    for attempt in range(50):
        data = tmp_path / f"d{attempt}"
        shutil.copytree(big_folder, data)
        term = Terminal([*KIOSK, "run", "--data", str(data)], kiosk_env(), controlling=attempt % 2 == 0)
        try:
            time.sleep(rng.uniform(0.0, 4.0))
            os.close(term.master)
            term.master = -1
            closed = time.monotonic()
            try:
                term.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pytest.fail(f"attempt {attempt}: the kiosk was still running 15 s after its terminal closed")
            slowest = max(slowest, time.monotonic() - closed)
        finally:
            term.close()
        check = run_bounded([*KIOSK, "check", "--data", str(data)], capture_output=True, timeout=120)
        assert check.returncode == 0, (attempt, check.stdout.decode()[-1000:])
        second = run_bounded([*KIOSK, "import", "--data", str(data)], input=b"", capture_output=True, timeout=120)
        assert second.returncode == 0, (attempt, second.stderr.decode())  # the lock was released
        shutil.rmtree(data)
    assert slowest < 10, slowest
