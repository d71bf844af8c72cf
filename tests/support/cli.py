"""The ``kiosk`` command, run as a real subprocess on a data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.processes import run_bounded

KIOSK = [sys.executable, "-m", "kiosk"]


def run(args: list[str], *, data: Path, stdin: str | bytes | None = None, env: dict[str, str] | None = None,
        **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIOSK_DATA", "INVOCATION_ID")}
    full_env.update(env or {})
    if isinstance(stdin, str):
        stdin = stdin.encode()
    return run_bounded(
        [*KIOSK, *args, "--data", str(data)], input=stdin, capture_output=True, env=full_env,
        timeout=60, **kwargs,
    )


def lines(*docs: Any) -> str:
    """Documents as JSON lines, as ``kiosk import`` reads them."""
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
