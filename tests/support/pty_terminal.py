"""A kiosk process in a real pseudo-terminal (used by the pty tests and by the soak)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time


class Terminal:
    """A kiosk process on the slave side of a pty, 100x30, read from the master side."""

    def __init__(self, args: list[str], env: dict[str, str], *, controlling: bool = True) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            # The child takes the pty as its controlling terminal; it is single-threaded then.
            preexec_fn=(lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0)) if controlling else None,  # noqa: PLW1509
        )
        os.close(slave)
        self.output = b""

    def read_until(self, needle: bytes, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while needle not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        return needle in self.output

    def drain(self, seconds: float) -> None:
        self.read_until(b"\x00never\x00", timeout=seconds)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        if self.master >= 0:
            os.close(self.master)


def kiosk_env(term: str = "xterm-256color") -> dict[str, str]:
    """The environment of a kiosk under test: no KIOSK_ settings leaking in, no animations."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(TERM=term, TEXTUAL_ANIMATIONS="none")
    return env
