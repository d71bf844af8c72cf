"""The kiosk's terminal driver: Textual's Linux driver, made to survive what a floor terminal does.

- **A terminal that goes away.** When the terminal goes away without a SIGHUP reaching the
  kiosk (a pty whose other side is closed while the kiosk is not its session's controlling
  process, a hung-up console, stdin at end of file), reading it returns nothing, or fails with
  EIO, at once and for ever. Textual 8.2.8's input thread then goes round its loop without
  waiting, at full CPU, and the kiosk never notices. Here an empty or failed read ends input and
  asks the App to stop, so that systemd starts a kiosk on a working console.
- **Bytes that are not UTF-8.** A keyboard or scanner set to Latin-1, or a console not in UTF-8
  mode, sends ``ñ`` as the single byte 0xF1. Textual's strict decoder raised on it and the input
  thread died (a traceback on screen, no key working any more). Here such a byte is read as the
  Latin-1 character it is (0xF1 is ``ñ``, 0xE1 ``á``), which is what the person typed; control
  characters among them are stripped by the inputs as usual. The first one is logged.
- **Output the terminal does not take.** Textual writes through a thread with a queue of 30
  writes; when the terminal stopped taking output (or its writer thread died on EIO), every
  later write, and closing the driver, waited for ever, so the kiosk could not even stop.
  Here a write waits only while the writer is alive and making progress, and closing waits a
  bounded time.
- **Anything else in the input thread** ends the kiosk at once (logged), instead of leaving it
  on screen unable to take a key: systemd then starts a fresh one.
"""

from __future__ import annotations

import codecs
import logging
import os
import queue
import selectors
import time
from codecs import getincrementaldecoder
from typing import Protocol, runtime_checkable

from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

log = logging.getLogger("kiosk")

#: Seconds a write may wait for a terminal that takes output slowly (a 9600-baud console)
#: before the terminal counts as gone; and how long closing waits for the last output.
OUTPUT_PATIENCE = 30.0
CLOSE_WAIT = 2.0
#: A byte still waiting for the rest of its character after this pause never gets it.
_PAUSE = 0.1

_LATIN1 = "kiosk-latin1"
_reported = False


def _as_latin1(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Latin-1 (logged once)."""
    global _reported  # noqa: PLW0603 - one warning per process is the point
    if not isinstance(error, UnicodeDecodeError):
        raise error
    if not _reported:
        _reported = True
        log.warning("the terminal sent bytes that are not UTF-8 (%r); read as Latin-1 — is the console or "
                    "the scanner set to UTF-8?", error.object[error.start:error.end])
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error(_LATIN1, _as_latin1)


@runtime_checkable
class WatchesItsTerminal(Protocol):
    """An App that wants to know when its terminal is gone (the kiosk stops, as on SIGHUP)."""

    def terminal_gone(self) -> None:
        """The terminal's input ended for good."""


class KioskDriver(LinuxDriver):
    _output_gone = False

    def run_input_thread(self) -> None:
        """Textual's input loop, less the spin and the strict decoding: keys are parsed
        exactly as Textual does."""
        try:
            self._read_input()
        except Exception:
            log.exception("the terminal's input failed; the kiosk stops (and systemd starts it again)")
            self._stop_app()

    def _read_input(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decoder = getincrementaldecoder("utf-8")(errors=_LATIN1)
        try:
            while not self.exit_event.is_set():
                if selector.select(_PAUSE):
                    try:
                        data = os.read(self.fileno, 4096)
                    except OSError:  # EIO: the pty's other side is closed
                        data = b""
                    if not data:
                        self._stop_app()
                        return
                    text = decoder.decode(data)
                elif decoder.getstate()[0]:
                    text = decoder.decode(b"", final=True)  # a lone lead byte: it was Latin-1
                    decoder.reset()
                else:
                    text = ""
                for event in parser.feed(text) if text else ():
                    self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()

    def _stop_app(self) -> None:
        app = self._app
        app.call_later(app.terminal_gone if isinstance(app, WatchesItsTerminal) else app.exit)

    # -- output ---------------------------------------------------------------------------

    def write(self, data: str) -> None:
        """Queue output for Textual's writer thread, waiting only while it makes progress."""
        writer = self._writer_thread
        if writer is None or self._output_gone:
            return
        # Textual 8.2.8's WriterThread (pinned): a bounded queue the thread drains.
        pending: queue.Queue[str | None] = writer._queue
        deadline = time.monotonic() + OUTPUT_PATIENCE
        while True:
            try:
                pending.put(data, timeout=0.5)
                return
            except queue.Full:
                if writer.is_alive() and time.monotonic() < deadline:
                    continue
                self._output_gone = True
                log.warning("the terminal stopped taking output; the kiosk stops")
                self._stop_app()
                return

    def close(self) -> None:
        """Stop the writer thread, waiting a bounded time for the last output."""
        writer = self._writer_thread
        if writer is None:
            return
        self._writer_thread = None
        try:
            writer._queue.put(None, timeout=CLOSE_WAIT)
        except queue.Full:
            return
        writer.join(CLOSE_WAIT)
