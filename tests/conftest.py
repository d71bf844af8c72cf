"""Fixtures only (helpers are in tests/support): the language, a data folder, a repository on it,
and a kiosk App built as the command line builds it."""

from __future__ import annotations

import os

# Before Textual is imported anywhere: no animations, deterministic rendering.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.pop("KIOSK_CONFIG", None)
os.environ.pop("KIOSK_DATA", None)

from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.config import Config
from kiosk.printing.escpos_out import load_escpos
from tests.support.clock import fixed_clock

# python-escpos imported the way the kiosk does it (no log handler on the terminal, no
# temporary folder left behind), before any test module imports it directly.
load_escpos()


@pytest.fixture(autouse=True)
def default_language():
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture(autouse=True)
def first_id_series(monkeypatch):
    """Fixed ids: a new data folder opened in the test's process numbers in series 1 (the
    kiosk draws one at random; tests that check the draw undo this)."""
    from kiosk.storage import records

    monkeypatch.setattr(records, "choose_series", lambda: 1, raising=False)


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
        # The sentence model only where a test asks for it (it costs a second and 120 MB).
        config_values.setdefault("match_by_meaning", False)
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
