"""Subprocesses that cannot hang a test run.

``subprocess.run(..., timeout=...)`` kills only the process it started: a grandchild (pip under
a shell script, a worker the kiosk forked) keeps the output pipes open, and the run then waits
for them forever. Here the command gets its own process group, and a timeout kills the group.
"""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any


def run_bounded(args: list[str], *, timeout: float, input: bytes | str | None = None,  # noqa: A002
                capture_output: bool = False, check: bool = False, **kwargs: Any) -> subprocess.CompletedProcess:
    if capture_output:
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    with subprocess.Popen(args, start_new_session=True, **kwargs) as process:
        try:
            out, err = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.communicate(timeout=30)
            raise
    done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    if check:
        done.check_returncode()
    return done
