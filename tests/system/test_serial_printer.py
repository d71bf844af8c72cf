"""A serial printer on a pseudo-terminal that takes bytes no faster than its baud rate lets them
through (fault D6): a slow printer that is alive prints every slip whole, QR and cut included; a
stuck one fails within about the timeout; and whether any byte of the slip went out decides
whether the kiosk may print it again without asking."""

from __future__ import annotations

import os
import threading
import time
import tty
from dataclasses import replace
from types import TracebackType

import pytest

from kiosk.core.records import ReportDraft
from kiosk.printing.spool import PrintJob, PrintSpooler
from tests.support.escpos_stream import Cut, parse, qr_payloads
from tests.support.fake_printer import StatusScanner
from tests.support.printers import spooler_for

READY = b"\x10\x04\x01\x10\x04\x04"  # DLE EOT 1 and 4 before the slip: online? paper?
ALIVE = b"\x10\x04\x01"  # DLE EOT 1 after it: still there, so the slip went through
ONLINE_PAPER_OK = b"\x12"


class PtyPrinter:
    """A pseudo-terminal as a serial printer. The kiosk opens the slave side (``path``) as its
    port; a thread takes bytes from the master side at ``rate`` bytes a second, ``TICK``
    seconds' worth at a time — what the wire carries at that baud rate (8N1: baud / 10); after
    late ticks (a busy machine) it catches up, but never by more than ``CATCH_UP`` seconds'
    worth. ``rate`` 0 is a printer that takes nothing: the port stops taking data once the
    pty's buffer (12–17 KB) is full.

    Status requests (DLE EOT n) are answered "online, paper OK" when they are read, that is
    behind every byte sent before them, as on a real line."""

    TICK = 0.1
    CATCH_UP = 1.0

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no line discipline on either side: bytes pass as they are
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self.slave)
        self._received = bytearray()
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._take, name="pty-printer", daemon=True)

    def __enter__(self) -> PtyPrinter:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(5)
        os.close(self.slave)
        os.close(self.master)

    @property
    def received(self) -> bytes:
        with self._changed:
            return bytes(self._received)

    def wait_for(self, size: int, timeout: float) -> bytes:
        """What the printer took, once it has ``size`` bytes or ``timeout`` seconds have passed."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._received) < size and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return bytes(self._received)

    def fill(self) -> bytes:
        """Fill the port with bytes the printer never takes (an earlier job stuck there), until
        it takes no more; returns them."""
        assert not self.rate
        port = os.open(self.path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
        filler = bytearray()
        try:
            for _ in range(2):  # the pty moves data between its buffers a moment later
                while True:
                    try:
                        filler += b"\0" * os.write(port, b"\0" * 4096)
                    except BlockingIOError:
                        break
                time.sleep(0.2)
        finally:
            os.close(port)
        return bytes(filler)

    def pending(self) -> bytes:
        """What the port still holds for a printer that never took it."""
        assert not self.rate
        held = bytearray()
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except BlockingIOError:
                return bytes(held)
            held += chunk

    def _take(self) -> None:
        if not self.rate:
            return
        scanner = StatusScanner()
        budget = max(1, int(self.rate * self.TICK))
        due = time.monotonic()
        while not self._stop.is_set():
            due += self.TICK
            late = time.monotonic() - due
            if late < 0:
                self._stop.wait(-late)
            elif late > self.CATCH_UP:
                due = time.monotonic()
            try:
                chunk = os.read(self.master, budget)
            except BlockingIOError:
                continue
            with self._changed:
                self._received += chunk
                self._changed.notify_all()
            for _ in scanner.feed(chunk):
                os.write(self.master, ONLINE_PAPER_OK)


@pytest.fixture
def record(repo):
    draft = ReportDraft(kind="error", area="Inyección", what_happened="Se trabó la matriz ¿otra vez? ¡Sí!")
    return repo.add_report(draft, areas=None)


def serial_spooler(repo, printer: PtyPrinter, baud: int, *, timeout: float, check_status: bool) -> PrintSpooler:
    spooler = spooler_for(repo, f"serial:{printer.path}:{baud}", check_status=check_status)
    spooler.printer = replace(spooler.printer, timeout=timeout)
    return spooler


def print_receipt(spooler: PrintSpooler, record) -> tuple[PrintJob, bytes, float]:
    """The job as it ended, the slip's bytes, and the seconds the kiosk waited for the outcome."""
    started = time.monotonic()
    job = spooler.process(spooler.request("receipt", (record.id,), language="es_AR").number)
    took = time.monotonic() - started
    return job, spooler.render(spooler.layout(job)), took


def assert_whole_slip(slip: bytes, record) -> None:
    """The slip ends with its cut and its QR code opens the record's page."""
    assert isinstance(parse(slip).items[-1], Cut)
    assert qr_payloads(slip) == [f"http://kiosk.local:8080/r/{record.id}?k={record.link_token}"]


# -- slow but alive -------------------------------------------------------------------------


def test_a_receipt_at_19200_baud_arrives_whole_with_its_qr_and_cut(repo, record):
    """19200 baud is 1920 bytes a second: the receipt (~18 KB, mostly the raster QR) needs about
    10 s on the wire, far longer than the 2 s timeout — which must bound a stall, not the job.
    (Without status checks "sent" means the port took it all; a pty takes most of a slip at
    once, so here that comes long before the printer has read it.)"""
    with PtyPrinter(rate=1920) as printer:
        spooler = serial_spooler(repo, printer, 19200, timeout=2.0, check_status=False)
        job, slip, took = print_receipt(spooler, record)
        received = printer.wait_for(len(slip), timeout=len(slip) / 1920 + 5)
    assert len(slip) > 15_000  # more than a pty takes at once plus 2 s of the line
    assert job.state == "sent" and job.problem == ""
    assert received == slip
    assert_whole_slip(received, record)
    assert took < len(slip) / 1920 + 2.0


@pytest.mark.slow
def test_a_receipt_at_9600_baud_with_status_checks_prints_whole_and_is_confirmed(repo, record):
    """The report's case: 9600 baud (960 bytes a second), the default 5 s timeout and status
    checks. The answer after the job comes only once the printer has read the whole slip
    (~19 s), so the kiosk must wait for it as long as the line needs, and then some."""
    with PtyPrinter(rate=960) as printer:
        spooler = serial_spooler(repo, printer, 9600, timeout=5.0, check_status=True)
        job, slip, took = print_receipt(spooler, record)
        received = printer.received
    assert job.state == "sent" and job.problem == ""
    assert received == READY + slip + ALIVE
    assert_whole_slip(slip, record)
    line_time = len(received) / 960
    assert line_time * 0.95 < took < line_time + 5.0  # confirmed once it went through, not later


# -- stuck ----------------------------------------------------------------------------------

TIMEOUT = 2.0


@pytest.mark.parametrize(("check_status", "port_full", "state"), [
    (True, False, "failed"),    # the status request waits in the port, never answered
    (True, True, "failed"),     # the port takes not even the status request
    (False, False, "unknown"),  # the port took part of the slip, then nothing more
    (False, True, "failed"),    # the port took no byte of the slip: safe to print again
])
def test_a_stuck_serial_printer_fails_within_the_timeout(repo, record, check_status, port_full, state):
    with PtyPrinter(rate=0) as printer:
        filler = printer.fill() if port_full else b""
        spooler = serial_spooler(repo, printer, 9600, timeout=TIMEOUT, check_status=check_status)
        job, slip, took = print_receipt(spooler, record)
        held = printer.pending()
    assert job.state == state and job.problem == "stuck"
    assert job.maybe_printed == (state == "unknown")
    assert TIMEOUT * 0.9 < took < TIMEOUT * 2
    assert held.startswith(filler)
    sent = held[len(filler):]
    if port_full:
        assert sent == b""
    elif check_status:
        assert sent == READY[:3]  # the first question, nothing of the slip
    else:
        assert 0 < len(sent) < len(slip) and slip.startswith(sent)
