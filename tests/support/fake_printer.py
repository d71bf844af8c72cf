"""A loopback TCP "port 9100" printer for tests, served from one background thread.

Modes:

* ``"ok"``: reads everything and answers each real-time status request ``DLE EOT n``
  (n = 1..4) with one status byte, even when the request is split across ``recv()`` calls;
* ``"silent"``: reads everything, never answers;
* ``"mute"``: accepts connections but never reads nor answers (sockets stay open until stop);
* ``"slow"``: answers like ``"ok"`` but reads in small chunks, ``read_delay`` seconds apart.

A job is one connection's bytes, complete when the client closes its side.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

MODES = ("ok", "mute", "silent", "slow")
DLE_EOT = b"\x10\x04"
_READ_SIZE = 65536
_SLOW_READ_SIZE = 64


class StatusScanner:
    """Finds ``DLE EOT n`` (n = 1..4) in a byte stream fed in arbitrary chunks."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> list[int]:
        """The ``n`` of every request completed by ``chunk``, in order."""
        data = self._pending + chunk
        found: list[int] = []
        index = 0
        while True:
            hit = data.find(DLE_EOT, index)
            if hit < 0:
                # A trailing DLE may start a request that the next chunk completes.
                self._pending = data[-1:] if data.endswith(DLE_EOT[:1]) else b""
                return found
            if hit + 2 >= len(data):
                self._pending = data[hit:]
                return found
            n = data[hit + 2]
            if 1 <= n <= 4:
                found.append(n)
                index = hit + 3
            else:
                index = hit + 1


@dataclass
class _Client:
    """One accepted connection and what it has sent so far."""

    sock: socket.socket
    data: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    scanner: StatusScanner = field(default_factory=StatusScanner)
    next_read: float = 0.0
    events: int = 0


class FakePrinter:
    """A fake network printer on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(
        self,
        mode: str = "ok",
        *,
        port: int = 0,
        online: int = 0x12,
        offline_cause: int = 0x12,
        paper: int = 0x12,
        read_delay: float = 0.0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.read_delay = read_delay
        self._requested_port = port
        self._status = {1: online, 2: offline_cause, 3: 0x12, 4: paper}
        self._lock = threading.Condition()
        self._clients: list[_Client] = []
        self._jobs: list[bytes] = []
        self._queries: list[int] = []
        self._listener: socket.socket | None = None
        self._port = port
        self._selector: selectors.BaseSelector | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._error: BaseException | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakePrinter:
        """Bind, listen and start serving in a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("FakePrinter already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", self._requested_port))
            listener.listen(16)
        except OSError:
            listener.close()
            raise
        listener.setblocking(False)
        self._listener = listener
        self._port = int(listener.getsockname()[1])
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(listener, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(
            target=self._serve, name=f"FakePrinter:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listener and every client socket, and join the thread."""
        thread = self._thread
        if thread is None or self._stopping.is_set():
            return
        self._stopping.set()
        assert self._wake_w is not None
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        thread.join(timeout=5.0)
        if thread.is_alive():
            raise RuntimeError("FakePrinter thread did not stop")
        self._wake_w.close()
        if self._error is not None:
            raise RuntimeError("FakePrinter thread failed") from self._error

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- observations ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The listening port (the requested one before start)."""
        return self._port

    @property
    def received(self) -> bytes:
        """Every byte read so far, connection after connection (in accept order)."""
        with self._lock:
            return b"".join(bytes(client.data) for client in self._clients)

    @property
    def jobs(self) -> list[bytes]:
        """One entry per connection the client has closed, in completion order."""
        with self._lock:
            return list(self._jobs)

    @property
    def connections(self) -> int:
        """How many connections were accepted."""
        with self._lock:
            return len(self._clients)

    @property
    def status_queries(self) -> list[int]:
        """The ``n`` of every DLE EOT n read so far (answered or not)."""
        with self._lock:
            return list(self._queries)

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Block until ``count`` jobs are complete; returns all jobs, raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._jobs) < count:
                if self._error is not None:
                    raise RuntimeError("FakePrinter thread failed") from self._error
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping.is_set():
                    raise TimeoutError(
                        f"{len(self._jobs)} of {count} jobs after {timeout}s "
                        f"({len(self._clients)} connections)"
                    )
                self._lock.wait(remaining)
            return list(self._jobs)

    # --- server thread ---------------------------------------------------------------------

    def _serve(self) -> None:
        """Selector loop: accept, read, answer; close everything on stop."""
        assert self._selector is not None
        try:
            while not self._stopping.is_set():
                for key, _ in self._selector.select(self._select_timeout()):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        continue
                    else:
                        self._service(key.data, key.events)
                self._resume_slow_readers()
        except BaseException as exc:  # surfaced by stop() and wait_for_jobs()
            with self._lock:
                self._error = exc
                self._lock.notify_all()
        finally:
            self._close_all()

    def _select_timeout(self) -> float | None:
        """Time until the next slow reader may read again (None: wait for events)."""
        waiting = [c.next_read for c in self._open_clients() if not c.events & selectors.EVENT_READ]
        if self.mode != "slow" or not waiting:
            return None
        return max(0.0, min(waiting) - time.monotonic())

    def _open_clients(self) -> list[_Client]:
        """Clients whose socket is still open."""
        return [client for client in self._clients if client.sock.fileno() >= 0]

    def _accept(self) -> None:
        """Accept every pending connection."""
        assert self._listener is not None
        while True:
            try:
                sock, _ = self._listener.accept()
            except BlockingIOError:
                return
            sock.setblocking(False)
            client = _Client(sock)
            with self._lock:
                self._clients.append(client)
            if self.mode != "mute":
                self._set_events(client, selectors.EVENT_READ)

    def _service(self, client: _Client, events: int) -> None:
        """Handle readiness of one client socket."""
        if events & selectors.EVENT_WRITE:
            self._flush(client)
        if events & selectors.EVENT_READ and client.sock.fileno() >= 0:
            self._read(client)

    def _read(self, client: _Client) -> None:
        """Read one chunk; finish the job on EOF, answer status requests."""
        size = _SLOW_READ_SIZE if self.mode == "slow" else _READ_SIZE
        try:
            chunk = client.sock.recv(size)
        except BlockingIOError:
            return
        except OSError:  # e.g. reset by a client that closed with unread status bytes
            chunk = b""
        if not chunk:
            self._finish(client)
            return
        queries = client.scanner.feed(chunk)
        with self._lock:
            client.data += chunk
            self._queries.extend(queries)
        if self.mode in ("ok", "slow"):
            client.outbox += bytes(self._status[n] for n in queries)
            self._flush(client)
        if self.mode == "slow":
            client.next_read = time.monotonic() + self.read_delay
            self._set_events(client, client.events & ~selectors.EVENT_READ)

    def _flush(self, client: _Client) -> None:
        """Send queued answers without blocking; wait for EVENT_WRITE if the buffer is full."""
        if client.outbox:
            try:
                sent = client.sock.send(client.outbox)
                del client.outbox[:sent]
            except BlockingIOError:
                pass
            except OSError:  # the client is gone; its EOF finishes the job
                client.outbox.clear()
        if client.outbox:
            self._set_events(client, client.events | selectors.EVENT_WRITE)
        else:
            self._set_events(client, client.events & ~selectors.EVENT_WRITE)

    def _resume_slow_readers(self) -> None:
        """Re-enable reading for slow clients whose delay has passed."""
        if self.mode != "slow":
            return
        now = time.monotonic()
        for client in self._open_clients():
            if not client.events & selectors.EVENT_READ and client.next_read <= now:
                self._set_events(client, client.events | selectors.EVENT_READ)

    def _set_events(self, client: _Client, events: int) -> None:
        """Register, modify or unregister a client socket in the selector."""
        assert self._selector is not None
        if events == client.events:
            return
        if not client.events:
            self._selector.register(client.sock, events, client)
        elif not events:
            self._selector.unregister(client.sock)
        else:
            self._selector.modify(client.sock, events, client)
        client.events = events

    def _finish(self, client: _Client) -> None:
        """The client closed its side: record the job and close ours."""
        self._set_events(client, 0)
        client.sock.close()
        with self._lock:
            self._jobs.append(bytes(client.data))
            self._lock.notify_all()

    def _close_all(self) -> None:
        """Close the selector, listener, wake socket and every client socket."""
        if self._selector is not None:
            self._selector.close()
        for sock in (self._listener, self._wake_r):
            if sock is not None:
                sock.close()
        with self._lock:
            for client in self._clients:
                client.sock.close()
            self._lock.notify_all()


def refused_port() -> int:
    """A loopback port with nothing listening on it (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
