"""The kiosk in a real pseudo-terminal: control keys arrive as the bytes a keyboard sends
(ctrl+c is 0x03, ctrl+z 0x1a, ctrl+\\ 0x1c), and must neither stop, suspend nor quit it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.pty_terminal import Terminal, kiosk_env

INERT = {"ctrl+c": b"\x03", "ctrl+q": b"\x11", "ctrl+p": b"\x10", "ctrl+z": b"\x1a", "ctrl+\\": b"\x1c"}


@pytest.fixture
def kiosk_terminal(tmp_path):
    data = tmp_path / "d"
    hostile = {"kind": "win", "area": "Envasado", "status": "shared", "id": "QPC-GB8",
               "created_at": "2026-11-20T09:00:00-03:00", "occurred_at": "2026-11-20T09:00:00-03:00",
               "what_happened": "Ganamos \x1b]52;c;QUJD\x07 y \x1b[2J [@click=app.quit]x[/]"}
    subprocess.run([sys.executable, "-m", "kiosk", "import", "--data", str(data)],
                   input=json.dumps(hostile).encode(), check=True, capture_output=True, timeout=60)
    env = kiosk_env()
    terminal = Terminal([sys.executable, "-m", "kiosk", "run", "--data", str(data)], env)
    yield terminal
    terminal.close()


def test_control_keys_do_not_stop_suspend_or_quit_the_kiosk(kiosk_terminal):
    term = kiosk_terminal
    assert term.read_until(b"Reportar"), term.output[-2000:]
    for name, key in INERT.items():
        term.send(key)
        term.drain(0.4)
        assert term.process.poll() is None, f"{name} ended the kiosk"
    # Still answering keys: leaving needs an admin, created here as the first one.
    term.send(b"0")
    assert term.read_until(b"Crear la primera persona admin")
    for text in (b"Marta", b"2580", b"2580"):
        term.send(text)
        term.drain(0.2)
        term.send(b"\r")
        term.drain(0.3)
    assert term.read_until("¿Salir del kiosco?".encode())
    term.send(b"\r")
    assert term.process.wait(timeout=15) == 0
    term.drain(0.3)
    assert b"ctrl+q" not in term.output.lower()  # Textual's own quit hint never appeared


def test_escape_sequences_in_stored_text_never_reach_the_terminal(kiosk_terminal):
    term = kiosk_terminal
    assert term.read_until(b"Logro")
    term.drain(1.0)
    assert b"\x1b]52" not in term.output and b"QUJD" not in term.output.split(b"Ganamos")[0]
    assert b"[@click=app.quit]x[/]" in term.output  # the markup is shown literally
    assert term.process.poll() is None


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_ends_the_kiosk_cleanly_with_the_terminal_restored(tmp_path, name):
    import signal

    data = tmp_path / "d"
    env = kiosk_env()
    term = Terminal([sys.executable, "-m", "kiosk", "run", "--data", str(data)], env)
    try:
        assert term.read_until(b"Reportar"), term.output[-2000:]
        term.drain(0.5)
        term.process.send_signal(getattr(signal, name))
        status = term.process.wait(timeout=10)
        term.drain(0.3)
    finally:
        term.close()
    assert status == 0
    assert b"\x1b[?1049l" in term.output  # the alternate screen left: the terminal is restored
    assert f"stopping on {name}" in (data / "kiosk.log").read_text()
    check = subprocess.run([sys.executable, "-m", "kiosk", "check", "--data", str(data)], capture_output=True,
                           timeout=60)
    assert check.returncode == 0, check.stdout


def test_a_terminal_that_vanishes_without_a_signal_ends_the_kiosk(tmp_path):
    """The pty's other side closes while it is not the kiosk's controlling terminal (as when a
    terminal multiplexer is killed): no SIGHUP comes, every read returns nothing; the kiosk
    must stop rather than spin on it."""
    data = tmp_path / "d"
    env = kiosk_env()
    term = Terminal([sys.executable, "-m", "kiosk", "run", "--data", str(data)], env, controlling=False)
    try:
        assert term.read_until(b"Reportar"), term.output[-2000:]
        term.drain(0.5)
        os.close(term.master)
        term.master = -1
        status = term.process.wait(timeout=15)
    finally:
        term.close()
    assert status == 0
    assert "the terminal is gone" in (data / "kiosk.log").read_text()


@pytest.mark.slow
def test_on_the_linux_console_only_16_colours_and_glyphs_its_fonts_have(tmp_path):
    """TERM=linux: Home, a report, learnings, trends, a record and its print preview."""
    import re

    from kiosk.terminal.console import CONSOLE_GLYPHS

    env = kiosk_env("linux")
    term = Terminal([sys.executable, "-m", "kiosk", "run", "--demo", "--data", str(tmp_path / "d")], env)
    try:
        assert term.read_until(b"Reportar", timeout=60), term.output[-2000:]
        term.drain(1.0)
        for keys in (b"1", b"1", b"\r", b"\x1b", b"\x1b", b"\x1b", b"4", b"\x1b[19~", b"\x1b",
                     b"\t", b"\r", b"p", b"\x1b", b"\x1b", b"\x1b"):
            term.send(keys)
            term.drain(0.6)
        assert term.process.poll() is None
    finally:
        term.close()
    text = term.output.decode("utf-8", "replace")
    colours = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        numbers = [int(p) for p in params.split(";") if p]
        assert 38 not in numbers and 48 not in numbers, params  # no 256-colour or RGB colours
        colours.update(n for n in numbers if 30 <= n <= 49 or 90 <= n <= 107)
    assert colours, "no colours at all?"
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]", "", text)
    missing = {ch for ch in drawn if ord(ch) > 127 and ch not in CONSOLE_GLYPHS}
    assert not missing, "".join(sorted(missing))
    for seen in ("Paso 1 de 6", "Tendencias", "semanas", "imprime"):  # every screen was drawn
        assert seen in drawn, seen
