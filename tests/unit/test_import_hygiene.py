"""Textual and Rich stay where the screens are: importing (and running) the command line's data
and printing commands, storage, printing and the core loads neither, checked in a fresh
interpreter by what is in ``sys.modules`` (the import contracts check the code; this checks
what actually gets imported, lazy imports and third-party ones included)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import lines, run

#: Module groups that must work without Textual and Rich.
GROUPS = {
    "data commands": ["kiosk.cli", "kiosk.cli.data", "kiosk.cli.supervisors", "kiosk.cli.serve", "kiosk.cli.huddle"],
    "printing": ["kiosk.cli.printing", "kiosk.printing.spool", "kiosk.printing.devices",
                 "kiosk.printing.escpos_out", "kiosk.printing.outcome", "kiosk.printing.slips"],
    "storage": ["kiosk.storage", "kiosk.storage.backup", "kiosk.storage.recovery"],
    "core and views": ["kiosk.core.records", "kiosk.core.reviewing", "kiosk.core.following", "kiosk.core.wins",
                       "kiosk.core.similarity", "kiosk.core.scanning", "kiosk.core.trends",
                       "kiosk.views.exchange", "kiosk.views.seen", "kiosk.views.charts", "kiosk.core.huddle",
                       "kiosk.views.huddle"],
    "config, health, web and demo": ["kiosk.config", "kiosk.health", "kiosk.web", "kiosk.demo.generator"],
}

_CHECK = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
if "kiosk.printing.escpos_out" in sys.argv:
    importlib.import_module("kiosk.printing.escpos_out").load_escpos()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & {"textual", "rich"})))
"""


def loaded_screen_libraries(*modules: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _CHECK, *modules], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found: list[str] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize("group", list(GROUPS))
def test_importing_leaves_textual_and_rich_out(group):
    assert loaded_screen_libraries(*GROUPS[group]) == []


def test_the_check_would_see_them():
    """The same check on the App finds them (so the empty lists above mean something)."""
    assert loaded_screen_libraries("kiosk.app") == ["rich", "textual"]


def test_running_the_data_and_printing_commands_loads_neither(tmp_path: Path):
    """Lazy imports count too: run import, export, check, similar, backup and a test slip in
    one interpreter, then look."""
    data = tmp_path / "d"
    run(["import"], data=data, stdin=lines({"kind": "error", "area": "Envasado",
                                            "what_happened": "Se trabó la cinta dos veces en el turno"}))
    code = f"""
import json, sys
from kiosk.cli import main
data = {str(data)!r}
for args in (["export", "--format", "csv"], ["export", "--format", "md"], ["check"],
             ["similar", "la cinta se trabó otra vez"], ["print-test"], ["print", "--followups"],
             ["backup", {str(tmp_path / "backups")!r}]):
    main([*args, "--data", data])
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & {{"textual", "rich"}})), file=sys.stderr)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1] == "[]"
