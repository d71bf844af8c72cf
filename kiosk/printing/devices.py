"""Printer connections through python-escpos, each with finite timeouts, and plain outcomes.

``deliver`` sends one job's bytes and says what is known afterwards:

- ``sent``: the printer took the data (and, when it answers status requests, was ready
  before and still answering after);
- :class:`PrintFailure` with ``maybe_printed`` False: nothing was sent (off, refused, stuck
  before the first byte, out of paper, cover open) — safe to retry;
- :class:`PrintFailure` with ``maybe_printed`` True: data went out but the end is not known
  (the job is then *unknown*, and the kiosk asks before printing again).

A fresh printer object per job, opened explicitly and always closed (PITFALLS 2.8). Status is
asked with ``DLE EOT`` before and after a job where the connection can read (network, USB,
serial); an empty answer is never taken as "paper OK" (PITFALLS 2.6).

``timeout`` bounds each wait for the printer, never a whole job: a serial line at 9600 baud
needs 19 s for an 18 KB receipt (mostly the raster QR), so serial jobs also get their time on
the wire (:func:`seconds_on_the_line`) wherever they wait for it (fault D6).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.printing.escpos_out import load_escpos

log = logging.getLogger(__name__)

# Real-time status requests (DLE EOT n) and the bits of their one-byte answers (Epson).
_STATUS = {1: b"\x10\x04\x01", 2: b"\x10\x04\x02", 4: b"\x10\x04\x04"}
_OFFLINE = 0x08  # n=1: the printer is offline
_COVER_OPEN = 0x04  # n=2: why offline
_PAPER_END_STOP = 0x20  # n=2: stopped because the paper ran out
_PAPER_NEAR_END = 0x0C  # n=4: the near-end sensor sees the roll ending
_PAPER_END = 0x60  # n=4: no paper

# A serial line carries a byte as 10 bits (start, 8 data, stop: the 8N1 that
# ``serial:DEVICE:BAUD`` opens), so 9600 baud is 960 bytes a second.
_BITS_PER_BYTE = 10
# A printer may hold the line with flow control while it prints, so a serial job may take this
# many times its time on the wire before it is given up although bytes still trickle out.
_LINE_SLACK = 2.0
_RECHECK = 0.1  # seconds between tries while a device takes no data


class PrintFailure(Exception):
    """A job did not print. ``code`` says why in a word the screen can explain:
    off, refused, stuck, no_paper, cover_open, offline, not_found, permission, lost, setup."""

    def __init__(self, code: str, detail: str = "", *, maybe_printed: bool = False) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.maybe_printed = maybe_printed


@dataclass(frozen=True)
class Delivered:
    """A job the printer took. ``note`` is e.g. ``paper_low``; ``path`` a preview's file."""

    note: str = ""
    path: str = ""


@dataclass(frozen=True)
class Target:
    """Where jobs go, parsed from a printer SPEC (see the config)."""

    kind: str  # preview, network, usb, serial, file, cups
    address: str = ""
    number: int = 0  # network port, serial baud rate
    vendor: int = 0
    product: int = 0

    def describe(self) -> str:
        if self.kind == "network":
            return f"{self.address}:{self.number}"
        if self.kind == "usb":
            return f"USB {self.vendor:04x}:{self.product:04x}"
        return self.address or self.kind


_SPEC = re.compile(r"^(?P<kind>preview|network|usb|serial|file|cups)(?::(?P<rest>.+))?$")


def parse_target(spec: str) -> Target:
    """``preview``, ``network:HOST[:PORT]``, ``usb:VID:PID``, ``serial:DEVICE[:BAUD]``,
    ``file:PATH`` or ``cups:NAME``; ValueError if it is none of them."""
    match = _SPEC.match(spec.strip())
    if not match:
        raise ValueError(spec)
    kind, rest = match["kind"], match["rest"] or ""
    if kind == "preview":
        if rest:
            raise ValueError(spec)
        return Target("preview")
    if not rest:
        raise ValueError(spec)
    if kind == "network":
        host, _, port = rest.rpartition(":") if re.search(r":\d+$", rest) else (rest, "", "9100")
        if not host or not 0 < int(port) < 65536:
            raise ValueError(spec)
        return Target("network", host, int(port))
    if kind == "usb":
        parts = rest.split(":")
        if len(parts) != 2 or not all(re.fullmatch(r"(0x)?[0-9a-fA-F]{1,4}", p) for p in parts):
            raise ValueError(spec)
        return Target("usb", vendor=int(parts[0], 16), product=int(parts[1], 16))
    if kind == "serial":
        device, _, baud = rest.rpartition(":") if re.search(r":\d+$", rest) else (rest, "", "9600")
        return Target("serial", device, int(baud))
    return Target(kind, rest)


def seconds_on_the_line(target: Target, size: int) -> float:
    """The least time ``size`` bytes need on the wire: what a serial line's baud rate allows;
    0 for every other connection, whose wire is never what makes a slip slow."""
    if target.kind != "serial" or target.number <= 0:
        return 0.0
    return size * _BITS_PER_BYTE / target.number


def time_allowed(target: Target, size: int, timeout: float) -> float:
    """The longest ``deliver`` of ``size`` bytes should take, every step using its whole
    timeout; past it the spooler gives the job up as stuck. A serial job may wait for its time
    on the wire while it is written (``_LINE_SLACK`` times) and again for the answer after it."""
    return timeout * 5 + 2 + (_LINE_SLACK + 1) * seconds_on_the_line(target, size)


class Stalled(TimeoutError):
    """The printer stopped taking data: nothing for a whole timeout, or not all of a job by its
    deadline. ``sent`` bytes of that write had gone out, so 0 means it printed nothing of it."""

    def __init__(self, message: str, sent: int) -> None:
        super().__init__(message)
        self.sent = sent


def _write_all(fd: int, data: bytes, timeout: float, *, what: str, deadline: float | None = None,
               taken: Callable[[int], None] | None = None) -> None:
    """Write ``data`` to the non-blocking ``fd`` as fast as the printer takes it. ``timeout``
    counts from the last byte taken (a wake-up that lets no byte in does not restart it), so a
    slow printer never times out while it keeps taking data and a stuck one fails ``timeout``
    seconds after its last byte; ``deadline`` (monotonic) bounds the whole write. ``taken`` is
    told the size of every piece the device took."""
    view = memoryview(data)
    sent = 0
    idle_until = time.monotonic() + timeout
    while sent < len(data):
        try:
            written = os.write(fd, view[sent:])
        except BlockingIOError:
            until = idle_until if deadline is None else min(idle_until, deadline)
            wait = until - time.monotonic()
            if wait <= 0:
                why = f"nothing for {timeout} s" if until == idle_until else "not all in time"
                raise Stalled(f"{what} took {sent} of {len(data)} bytes, then {why}", sent) from None
            # Try again at least every _RECHECK s: a pseudo-terminal makes room without waking
            # a writer that waits for it, so select() alone would sit out the whole wait.
            select.select([], [fd], [], min(wait, _RECHECK))
            continue
        sent += written
        idle_until = time.monotonic() + timeout
        if taken is not None:
            taken(written)


# -- connections ----------------------------------------------------------------------------


def _printer_classes() -> tuple[Any, type[Any], type[Any]]:
    """python-escpos's File and Serial, with the timeouts 3.1 lacks (PITFALLS 2.5, 2.7)."""
    printer = load_escpos()
    from escpos.printer import File, Serial  # (imported the safe way by load_escpos just now)

    class TimedFile(File):
        """A device file opened non-blocking: a printer that stops taking data makes a
        write time out instead of blocking the worker for ever."""

        def __init__(self, devfile: str, timeout: float, **kwargs: Any) -> None:
            super().__init__(devfile, **kwargs)
            self.timeout = timeout
            self._fd: int | None = None

        def open(self, raise_not_found: bool = True) -> None:
            flags = os.O_WRONLY | os.O_NONBLOCK | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
            self._fd = os.open(self.devfile, flags, 0o644)
            self.device = self

        def _raw(self, msg: bytes) -> None:
            assert self._fd is not None
            _write_all(self._fd, msg, self.timeout, what=self.devfile)

        def flush(self) -> None:
            pass

        def close(self) -> None:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._device = False

    class TimedSerial(Serial):
        """A serial port whose every wait is bounded and sized for its baud rate.

        python-escpos writes a job with one pyserial ``write()``, which 3.1 leaves without a
        write timeout (blocked for ever while flow control holds the line) and which, given one,
        bounds the whole job: at 9600 baud every receipt was cut off after ``timeout`` seconds
        (D6). Here ``timeout`` bounds each wait for the port to take more, the job as a whole
        also gets its time on the wire, and a status answer is awaited until the line can have
        carried everything sent before the request. pyserial's own blocking calls (``read(16)``
        waits out its timeout even for a one-byte answer; ``flush()`` is tcdrain, unbounded)
        are not used."""

        _device: Any  # pyserial's Serial once open; False before and after
        _line_free_at = 0.0  # monotonic time by which the wire can have carried every byte taken

        def open(self, raise_not_found: bool = True) -> None:
            super().open(raise_not_found)
            self._line_free_at = 0.0
            if self._device:
                os.set_blocking(self._device.fileno(), False)

        def _bytes_per_second(self) -> float:
            return max(int(self.baudrate), 1) / _BITS_PER_BYTE

        def _taken(self, size: int) -> None:
            self._line_free_at = max(self._line_free_at, time.monotonic()) + size / self._bytes_per_second()

        def _raw(self, msg: bytes) -> None:
            assert self._device
            deadline = time.monotonic() + self.timeout + _LINE_SLACK * len(msg) / self._bytes_per_second()
            _write_all(self._device.fileno(), msg, self.timeout, what=self.devfile, deadline=deadline,
                       taken=self._taken)

        def _read(self) -> bytes:
            """A status answer as soon as it comes; b"" if none came ``timeout`` seconds after
            the line can have carried the request (the printer reads it behind the job)."""
            assert self._device
            fd = self._device.fileno()
            wait = max(0.0, self._line_free_at - time.monotonic()) + self.timeout
            if not select.select([fd], [], [], wait)[0]:
                return b""
            return os.read(fd, 16)

        def _queued(self) -> int:
            """Bytes the port holds that have not left it; 0 when it cannot say (a
            pseudo-terminal always says 0)."""
            try:
                return int(self._device.out_waiting) if self._device else 0
            except OSError:
                return 0

        def drain(self) -> None:
            """Wait until the port has sent everything it took — a slip is not delivered while
            it sits in the port's buffer — for its time on the wire plus ``timeout``."""
            deadline = max(self._line_free_at, time.monotonic()) + self.timeout
            while queued := self._queued():
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{self.devfile} still holds {queued} bytes the printer did not take")
                time.sleep(0.05)

        def close(self) -> None:
            """Close without waiting: whatever the port still holds after a failed job is
            dropped, so that it cannot come out later in front of the next slip, and so that
            closing does not wait for a printer that takes nothing."""
            device = self._device
            if device and device.is_open:
                try:
                    if self._queued():
                        device.reset_output_buffer()
                finally:
                    device.close()
            self._device = False

    return printer, TimedFile, TimedSerial


def connect(target: Target, *, profile: str, timeout: float) -> Any:
    """An opened python-escpos printer for ``target``; PrintFailure if it cannot be opened."""
    printer, TimedFile, TimedSerial = _printer_classes()
    kwargs = {"profile": profile or None}
    try:
        if target.kind == "network":
            device = printer.Network(target.address, port=target.number, timeout=timeout, **kwargs)
        elif target.kind == "usb":
            device = printer.Usb(target.vendor, target.product, timeout=int(timeout * 1000), **kwargs)
        elif target.kind == "serial":
            device = TimedSerial(target.address, baudrate=target.number, timeout=timeout, **kwargs)
        elif target.kind == "file":
            device = TimedFile(target.address, timeout, **kwargs)
        elif target.kind == "cups":
            device = printer.LP(target.address, **kwargs)
        else:
            raise PrintFailure("setup", f"no connection for {target.kind}")
        device.open()
    except PrintFailure:
        raise
    except Exception as error:
        raise _opening_failure(error, target) from error
    return device


def _opening_failure(error: BaseException, target: Target) -> PrintFailure:
    cause = error.__context__ if error.__context__ is not None else error
    detail = f"{type(error).__name__}: {error}".strip()
    name = type(error).__name__
    if isinstance(cause, ConnectionRefusedError):
        return PrintFailure("refused", detail)
    if isinstance(cause, (TimeoutError, socket.timeout)):
        return PrintFailure("off", detail)
    if isinstance(cause, socket.gaierror):
        return PrintFailure("off", detail)
    if isinstance(cause, PermissionError) or getattr(cause, "errno", None) in (errno.EACCES, errno.EPERM):
        return PrintFailure("permission", detail)
    if isinstance(cause, FileNotFoundError) and target.kind == "cups":
        return PrintFailure("setup", "CUPS's lp and lpstat commands are not installed")
    if (isinstance(cause, FileNotFoundError) or name == "USBNotFoundError"
            or getattr(cause, "errno", None) in (errno.ENOENT, errno.ENODEV)):
        return PrintFailure("not_found", detail)
    if name == "NoBackendError":
        return PrintFailure("setup", "libusb is not installed")
    if getattr(cause, "errno", None) == errno.EBUSY:
        return PrintFailure("refused", detail)
    if isinstance(cause, OSError):  # unreachable host, no such device, no reader on a pipe
        return PrintFailure("off", detail)
    if name == "DeviceNotFoundError":
        return PrintFailure("not_found", detail)
    return PrintFailure("setup", detail)


def _status(device: Any, n: int) -> int | None:
    """The printer's answer to DLE EOT n (its last byte), or None if it said nothing in time.
    NotImplementedError when the connection cannot read at all."""
    device._raw(_STATUS[n])
    try:
        answer = device._read()
    except NotImplementedError:
        raise
    except Exception as error:
        log.info("no status answer: %r", error)
        return None
    if not answer:
        return None
    return answer[-1] if isinstance(answer[-1], int) else ord(answer[-1])


def _check_ready(device: Any) -> str:
    """Before a job: '' (ready), 'paper_low', or a PrintFailure; 'unsupported' if the
    connection cannot read status."""
    try:
        online = _status(device, 1)
    except NotImplementedError:
        return "unsupported"
    if online is None:
        raise PrintFailure("stuck", "no answer to a status request")
    paper = _status(device, 4)
    if online & _OFFLINE:
        cause = _status(device, 2)
        if (paper is not None and paper & _PAPER_END == _PAPER_END) or (cause or 0) & _PAPER_END_STOP:
            raise PrintFailure("no_paper")
        if cause is not None and cause & _COVER_OPEN:
            raise PrintFailure("cover_open")
        raise PrintFailure("offline")
    if paper is not None and paper & _PAPER_END == _PAPER_END:
        raise PrintFailure("no_paper")
    if paper is not None and paper & _PAPER_NEAR_END:
        return "paper_low"
    return ""


def _write_failure(error: BaseException, *, slip_sent: bool = True) -> PrintFailure:
    """Sending failed: a timeout (pyserial's and pyusb's are named so) means the printer stopped
    taking data; anything else, the connection broke. The slip may have printed only if some
    of it went out."""
    name = type(error).__name__
    stuck = isinstance(error, (TimeoutError, socket.timeout)) or "Timeout" in name
    return PrintFailure("stuck" if stuck else "lost", f"{name}: {error}", maybe_printed=slip_sent)


def deliver(data: bytes, target: Target, *, profile: str = "", timeout: float = 5.0,
            check_status: bool = True, preview_file: Path | None = None) -> Delivered:
    """Send one job. See the module's docstring for what the outcomes mean."""
    if target.kind == "preview":
        if preview_file is None:
            raise PrintFailure("setup", "no folder for preview slips")
        return Delivered(path=str(_save_preview(data, preview_file)))
    device = connect(target, profile=profile, timeout=timeout)
    try:
        note = ""
        if check_status:
            try:
                note = _check_ready(device)
            except PrintFailure:
                raise
            except Exception as error:  # a status request failed: nothing of the slip went out
                raise _write_failure(error, slip_sent=False) from error
        try:
            device._raw(data)
            if target.kind == "serial":
                device.drain()  # delivered once it has left the port, not when the port took it
            flush = getattr(device, "flush", None)
            if target.kind == "cups" and flush is not None:
                device._is_closing = True  # LP: flushing hands the job to CUPS; do not reopen
                flush()
        except Exception as error:
            nothing_taken = isinstance(error, Stalled) and error.sent == 0
            raise _write_failure(error, slip_sent=not nothing_taken) from error
        if check_status and note != "unsupported":
            try:
                after = _status(device, 1)
            except Exception as error:
                raise _write_failure(error) from error
            if after is None:
                raise PrintFailure("stuck", "no answer after the job", maybe_printed=True)
        return Delivered(note="" if note == "unsupported" else note)
    finally:
        try:
            device.close()
        except Exception:
            log.debug("closing the printer failed", exc_info=True)


def _save_preview(data: bytes, path: Path) -> Path:
    from kiosk.storage.files import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomic(path, [data])
    except OSError as error:
        raise PrintFailure("setup", f"cannot save {path}: {error.strerror}") from error
    return path
