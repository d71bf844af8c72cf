"""Where ``--data`` and ``--config`` go, and a folder that is not there (fault report D5, D18)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import KIOSK, lines


def kiosk(args: list[str], home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command as an admin types it, with a throw-away HOME (the default data folder)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIOSK_DATA", "INVOCATION_ID")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"))
    return subprocess.run([*KIOSK, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)


REPORT = {"kind": "error", "area": "Envasado", "what_happened": "Se trabó la cinta 2 otra vez"}


@pytest.mark.parametrize("before", [True, False], ids=["before-the-command", "after-the-command"])
def test_data_and_config_work_on_either_side_of_the_command(tmp_path: Path, before: bool) -> None:
    wanted = tmp_path / "wanted"
    place = ["--data", str(wanted)]
    imported = kiosk([*place, "import", "-"] if before else ["import", "-", *place], tmp_path, lines(REPORT))
    assert imported.returncode == 0, imported.stderr
    assert (wanted / "kiosk.json").exists() or any(wanted.glob("journal-*.log"))
    assert not (tmp_path / ".local" / "share" / "learning-kiosk").exists()  # nothing in the default
    export = kiosk([*place, "export", "--format", "jsonl"] if before else ["export", "--format", "jsonl", *place],
                   tmp_path)
    assert "Se trabó la cinta 2 otra vez" in export.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("idioma = 'es'\n", encoding="utf-8")
    options = [*place, "--config", str(bad)]
    checked = kiosk([*options, "check"] if before else ["check", *options], tmp_path)
    assert checked.returncode == 2 and "idioma" in checked.stderr


def test_check_of_a_folder_that_is_not_there_is_an_error_and_makes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "existe"
    for command in (["check"], ["export", "--format", "csv"], ["similar", "cinta"], ["supervisor", "list"]):
        result = kiosk([*command, "--data", str(missing)], tmp_path)
        assert result.returncode == 1, (command, result.stdout)
        assert "no existe" in result.stderr and "OK" not in result.stdout
        assert not missing.exists() and not missing.parent.exists()


def test_readers_work_when_the_log_cannot_be_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert kiosk(["import", "-", "--data", str(data)], tmp_path, lines(REPORT)).returncode == 0
    log = data / "kiosk.log"
    log.unlink()
    log.mkdir()  # a log nobody can open for writing, whoever runs the test (root included)
    checked = kiosk(["check", "--data", str(data)], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Se trabó" in kiosk(["export", "--format", "jsonl", "--data", str(data)], tmp_path).stdout
