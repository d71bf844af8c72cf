"""Print jobs on real connections: a loopback port-9100 printer, a pseudo-terminal as a serial
port, device files, CUPS's lp command, and preview files — with every failure ending plainly
within the timeout, stored before anything is sent, and never reprinted without asking."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.core.records import ReportDraft
from kiosk.printing.spool import PrintJob, PrintSpooler
from tests.support.escpos_stream import parse, qr_payloads
from tests.support.fake_printer import FakePrinter, refused_port
from tests.support.printers import TIMEOUT, spooler_for


@pytest.fixture
def record(repo):
    draft = ReportDraft(kind="error", area="Inyección", what_happened="Se trabó la matriz ¿otra vez? ¡Sí!")
    return repo.add_report(draft, areas=None)


def print_now(spooler: PrintSpooler, kind: str = "receipt", records=()) -> tuple[PrintJob, float]:
    started = time.monotonic()
    job = spooler.process(spooler.request(kind, tuple(records), language="es_AR").number)
    return job, time.monotonic() - started


def job_bytes(data: bytes) -> bytes:
    """A network job as sent: status requests (DLE EOT n) before and after the slip."""
    return data.replace(b"\x10\x04\x01", b"").replace(b"\x10\x04\x04", b"")


# -- network ---------------------------------------------------------------------------------


def test_a_job_reaches_a_network_printer_whole_and_decodes(repo, record):
    with FakePrinter("ok") as printer:
        spooler = spooler_for(repo, f"network:127.0.0.1:{printer.port}")
        job, _ = print_now(spooler, records=[record.id])
        (received,) = printer.wait_for_jobs(1)
    assert job.state == "sent" and job.attempts == 1 and job.copy == 0
    assert printer.status_queries[:2] == [1, 4] and printer.status_queries[-1] == 1  # ready before, alive after
    assert job_bytes(received) == spooler.render(spooler.layout(job))
    stream = parse(received)
    assert "Se trabó la matriz" not in stream.text()  # a receipt has no story, just the record
    assert f"Registro {record.id}" in stream.text()
    assert qr_payloads(received) == [f"http://kiosk.local:8080/r/{record.id}?k={record.link_token}"]
    assert repo.print_jobs()[job.number]["state"] == "sent"


def test_a_refused_port_fails_at_once_and_retry_works_once_the_printer_is_back(repo, record):
    port = refused_port()
    spooler = spooler_for(repo, f"network:127.0.0.1:{port}")
    job, took = print_now(spooler, records=[record.id])
    assert job.state == "failed" and job.problem == "refused" and took < TIMEOUT
    with FakePrinter("ok", port=port) as printer:
        again = spooler.process(spooler.retry(job.number).number)
        printer.wait_for_jobs(1)
    assert again.state == "sent" and again.attempts == 2 and again.copy == 0  # the failed try printed nothing


@pytest.mark.parametrize("mode", ["mute", "silent"])
def test_a_printer_that_accepts_but_never_answers_fails_within_the_timeout_with_nothing_sent(repo, record, mode):
    with FakePrinter(mode) as printer:
        spooler = spooler_for(repo, f"network:127.0.0.1:{printer.port}")
        job, took = print_now(spooler, records=[record.id])
        time.sleep(0.1)
        received = printer.received
    assert job.state == "failed" and job.problem == "stuck"
    assert took < TIMEOUT * 2
    assert received in (b"", b"\x10\x04\x01")  # only the status request, never the slip


@pytest.mark.parametrize(("online", "cause", "paper", "problem"), [
    (0x1A, 0x32, 0x72, "no_paper"),   # offline, stopped at paper end, no paper
    (0x1A, 0x16, 0x12, "cover_open"),  # offline, cover open
    (0x1A, 0x12, 0x12, "offline"),
    (0x12, 0x12, 0x72, "no_paper"),   # online yet the roll is out
])
def test_what_the_printer_reports_is_said_and_nothing_is_sent(repo, record, online, cause, paper, problem):
    with FakePrinter("ok", online=online, offline_cause=cause, paper=paper) as printer:
        spooler = spooler_for(repo, f"network:127.0.0.1:{printer.port}")
        job, _ = print_now(spooler, records=[record.id])
        printer.wait_for_jobs(1)
        received = printer.received
    assert job.state == "failed" and job.problem == problem
    assert len(received) <= 9  # status requests only


def test_paper_running_low_prints_and_says_so(repo, record):
    with FakePrinter("ok", paper=0x1E) as printer:
        spooler = spooler_for(repo, f"network:127.0.0.1:{printer.port}")
        job, _ = print_now(spooler, records=[record.id])
        printer.wait_for_jobs(1)
    assert job.state == "sent" and job.note == "paper_low"


class AnswersOnlyBeforeTheJob:
    """A printer that is ready before the job and silent after it: the job's outcome is
    unknown. It also checks that the job was stored as *sending* before the slip arrived."""

    def __init__(self, repo) -> None:
        self.repo = repo
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.states_seen: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                answered = 0
                data = b""
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                    while answered < 2 and data.count(b"\x10\x04") > answered:
                        conn.sendall(b"\x12")
                        answered += 1
                    if len(data) > 100 and not self.states_seen:
                        jobs = self.repo.print_jobs()
                        self.states_seen.append(jobs[max(jobs)]["state"])

    def close(self) -> None:
        self.server.close()


def test_an_unconfirmed_job_is_unknown_never_resent_alone_and_a_reprint_is_a_copy(repo, record):
    printer = AnswersOnlyBeforeTheJob(repo)
    try:
        spooler = spooler_for(repo, f"network:127.0.0.1:{printer.port}")
        job, took = print_now(spooler, records=[record.id])
        assert job.state == "unknown" and job.problem == "stuck" and took < TIMEOUT * 3
        assert printer.states_seen == ["sending"]  # stored before the first byte of the slip
        # The person says it did not come out: printed again, marked as a copy.
        with FakePrinter("ok") as good:
            spooler.printer = replace(spooler.printer, spec=f"network:127.0.0.1:{good.port}")
            again = spooler.process(spooler.retry(job.number).number)
            (received,) = good.wait_for_jobs(1)
    finally:
        printer.close()
    assert again.state == "sent" and again.copy == 1
    assert "*** COPIA Nº 1 ***" in parse(received).text()


def test_jobs_cut_short_by_a_restart_are_unknown_or_failed_never_sent_again(repo, record):
    spooler = spooler_for(repo, "preview")
    base = {"slip": "receipt", "records": [record.id], "language": "es_AR", "printer": "preview", "attempts": 1}
    repo.put_print_job(7, {**base, "number": 7, "state": "sending"})
    repo.put_print_job(8, {**base, "number": 8, "state": "queued", "attempts": 0})
    restarted = spooler_for(repo, "preview")
    assert restarted.job(7).state == "unknown" and restarted.job(7).problem == "interrupted"
    assert restarted.job(8).state == "failed"
    assert repo.print_jobs()[7]["state"] == "unknown"
    assert spooler.next_copy("receipt", (record.id,)) == 0
    assert restarted.next_copy("receipt", (record.id,)) == 1  # the unknown one may have printed


def test_a_person_confirming_an_unknown_job_makes_it_sent(repo, record):
    repo.put_print_job(3, {"number": 3, "slip": "receipt", "records": [record.id], "state": "sending"})
    spooler = spooler_for(repo, "preview")
    assert spooler.confirm(3).state == "sent"
    assert repo.print_jobs()[3]["note"] == "confirmed"


# -- other connections ----------------------------------------------------------------------


def test_preview_saves_each_job_as_a_bin_file_in_the_data_folder(repo, record):
    spooler = spooler_for(repo, "preview")
    job, _ = print_now(spooler, records=[record.id])
    path = Path(job.file)
    assert job.state == "sent" and path.parent == repo.store.folder / "prints"
    assert path.read_bytes() == spooler.render(spooler.layout(job))
    second, _ = print_now(spooler, records=[record.id])
    assert second.copy == 1 and Path(second.file) != path


def test_a_file_printer_gets_the_bytes_and_a_pipe_with_no_reader_is_off(repo, record, tmp_path):
    target = tmp_path / "lp0"
    spooler = spooler_for(repo, f"file:{target}", check_status=False)
    job, _ = print_now(spooler, records=[record.id])
    assert job.state == "sent" and target.read_bytes() == spooler.render(spooler.layout(job))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    job, took = print_now(spooler_for(repo, f"file:{fifo}", check_status=False), records=[record.id])
    assert job.state == "failed" and job.problem == "off" and took < TIMEOUT


def test_a_serial_printer_through_a_pseudo_terminal(repo, record):
    master, slave = os.openpty()
    import tty

    tty.setraw(slave)
    received = bytearray()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            received.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        spooler = spooler_for(repo, f"serial:{os.ttyname(slave)}:19200", check_status=False)
        job, _ = print_now(spooler, records=[record.id])
        expected = spooler.render(spooler.layout(job))
        deadline = time.monotonic() + 5
        while len(received) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        done.set()
        os.close(slave)
        os.close(master)
    assert job.state == "sent" and bytes(received) == expected


def test_a_missing_serial_device_is_not_found(repo, record):
    job, _ = print_now(spooler_for(repo, "serial:/dev/ttyNOPE0"), records=[record.id])
    assert job.state == "failed" and job.problem == "not_found"


def test_cups_through_the_lp_command(repo, record, tmp_path, monkeypatch):
    """python-escpos's LP printer runs CUPS's own commands; here they are small stand-ins that
    keep what lp would queue (CUPS itself is not on this machine)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "queued.bin"
    (bin_dir / "lpstat").write_text("#!/bin/sh\n"
                                    "case \"$1\" in -e) echo kiosk;; -v) echo 'device for kiosk: usb://EPSON/TM-T20II';;"
                                    " -d) echo 'system default destination: kiosk';; esac\n")
    (bin_dir / "lp").write_text(f"#!/bin/sh\ncat >> {out}\n")
    for tool in ("lpstat", "lp"):
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    spooler = spooler_for(repo, "cups:kiosk", check_status=False)
    job, _ = print_now(spooler, records=[record.id])
    assert job.state == "sent"
    assert out.read_bytes().startswith(spooler.render(spooler.layout(job)))
    job, _ = print_now(spooler_for(repo, "cups:other", check_status=False), records=[record.id])
    assert job.state == "failed" and job.problem == "not_found"


def test_python_escpos_never_writes_on_the_terminal_nor_leaves_temporary_folders(tmp_path):
    """Its import calls logging.basicConfig() and makes a temporary folder; its errors are
    logged. With the kiosk's logging set up first, none of that reaches the screen."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = (
        "import logging, pathlib, sys\n"
        "from kiosk.cli import setup_logging\n"
        f"setup_logging(pathlib.Path({str(tmp_path / 'data')!r}))\n"
        "from kiosk.printing.devices import deliver, parse_target, PrintFailure\n"
        "try:\n"
        f"    deliver(b'x', parse_target('network:127.0.0.1:{refused_port()}'), timeout=0.5)\n"
        "except PrintFailure as e:\n"
        "    pass\n"
    )
    env = {**os.environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert list(temp.iterdir()) == []
