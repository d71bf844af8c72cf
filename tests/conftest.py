"""Shared fixtures: a fixed clock, a data folder, and a kiosk app built like __main__ does."""

from __future__ import annotations

import os

# Before Textual is imported anywhere: no animations, deterministic rendering.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.pop("KIOSK_CONFIG", None)
os.environ.pop("KIOSK_DATA", None)

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.config import Config
from kiosk.printing.escpos_out import load_escpos

# python-escpos imported the way the kiosk does it (no log handler on the terminal, no
# temporary folder left behind), before any test module imports it directly.
load_escpos()

ART = timezone(timedelta(hours=-3))
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=ART)


def fixed_clock() -> datetime:
    return NOW


class FakeMonotonic:
    """A monotonic clock the test moves by hand (idle timeout tests)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def default_language():
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def repo(data_dir: Path):
    from kiosk.storage import open_repository

    repository = open_repository(data_dir, clock=fixed_clock)
    yield repository
    repository.close()


@pytest.fixture
def make_app(repo):
    """Build a KioskApp on the test repository; keyword arguments override the config."""
    from kiosk.app import KioskApp

    built = []

    def build(monotonic=None, **config_values):
        kwargs = {"config": Config(**config_values), "repo": repo, "clock": fixed_clock}
        if monotonic is not None:
            kwargs["monotonic"] = monotonic
        app = KioskApp(**kwargs)
        built.append(app)
        return app

    yield build
    # The kiosk comes back from unexpected errors instead of exiting; in tests every one of
    # them is a failure (unless the test empties the list, having caused it on purpose).
    for app in built:
        assert not app.recovered_errors, app.recovered_errors


async def wait_for(pilot, predicate, timeout: float = 5.0) -> None:
    """Let the app run until ``predicate()`` holds (no fixed sleeps in tests)."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.01)


def no_blink(app) -> None:
    """Cursor blink off on every input so screenshots are stable."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
