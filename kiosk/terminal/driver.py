"""The kiosk's terminal driver: Textual's Linux driver, told to stop when its terminal is gone.

When the terminal goes away without a SIGHUP reaching the kiosk (a pty whose other side is
closed while the kiosk is not its session's controlling process, a hung-up console, stdin at
end of file), reading it returns nothing, or fails with EIO, at once and for ever. Textual
8.2.8's input thread then goes round its loop without waiting, at full CPU, and the kiosk
never notices. Here an empty or failed read ends input and asks the App to stop, so that
systemd starts a kiosk on a working console.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from typing import Protocol, runtime_checkable

from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver


@runtime_checkable
class WatchesItsTerminal(Protocol):
    """An App that wants to know when its terminal is gone (the kiosk stops, as on SIGHUP)."""

    def terminal_gone(self) -> None:
        """The terminal's input ended for good."""


class KioskDriver(LinuxDriver):
    def run_input_thread(self) -> None:
        """Textual's input loop, less the spin: keys are parsed exactly as Textual does."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not self.exit_event.is_set():
                if selector.select(0.1):
                    try:
                        data = os.read(self.fileno, 4096)
                    except OSError:  # EIO: the pty's other side is closed
                        data = b""
                    if not data:
                        app = self._app
                        app.call_later(app.terminal_gone if isinstance(app, WatchesItsTerminal) else app.exit)
                        return
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
