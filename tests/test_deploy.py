"""deploy/install.sh into a temporary root, twice: everything in place, nothing duplicated,
the admin's configuration and data kept, and the installed kiosk working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def install(root: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run(["sh", str(REPO / "deploy" / "install.sh"), "--root", str(root), "--source", str(REPO),
                           *extra], capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.slow
def test_the_install_script_is_complete_and_idempotent(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc" / "group").write_text("root:x:0:\nlp:x:7:\ndialout:x:20:\n")
    for name in ("shadow", "gshadow"):
        (root / "etc" / name).touch()

    first = install(root, "--printer-usb", "04b8:0202")
    assert first.returncode == 0, first.stderr[-2000:]
    passwd = (root / "etc" / "passwd").read_text()
    assert passwd.count("\nkiosk:") == 1 and ":/usr/sbin/nologin" in passwd.split("\nkiosk:")[1].splitlines()[0]
    etc = root / "etc"
    units = etc / "systemd" / "system"
    service = (units / "learning-kiosk.service").read_text()
    for line in ("User=kiosk", "TTYPath=/dev/tty1", "Restart=always", "StandardInput=tty",
                 "ExecStart=/opt/learning-kiosk/venv/bin/kiosk run", "Environment=TERM=linux"):
        assert line in service
    assert (units / "learning-kiosk-backup.timer").read_text().count("OnCalendar=daily") == 1
    assert os.readlink(units / "ctrl-alt-del.target") == "/dev/null"
    assert "ConditionPathExists=!/etc/learning-kiosk/kiosk.toml" in (
        units / "getty@tty1.service.d" / "learning-kiosk.conf").read_text()
    rule = (etc / "udev" / "rules.d" / "70-learning-kiosk-printer.rules").read_text()
    assert 'ATTRS{idVendor}=="04b8", ATTRS{idProduct}=="0202", MODE="0660", GROUP="kiosk"' in rule
    assert "MODE=\"0666\"" not in rule and "GROUP=\"kiosk\"" in rule
    config = etc / "learning-kiosk" / "kiosk.toml"
    assert 'dir = "/var/backups/learning-kiosk"' in config.read_text()

    kiosk = root / "opt" / "learning-kiosk" / "venv" / "bin" / "kiosk"
    data = root / "var" / "lib" / "learning-kiosk"
    printed = subprocess.run([str(kiosk), "print-test", "--printer", "preview", "--data", str(data),
                              "--config", str(config)], capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0 and "¿Añadir café? ¡Sí! Ñandú €" in printed.stdout

    config.write_text(config.read_text().replace('language = "es_AR"', 'language = "en"'))
    second = install(root)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "configuration kept" in second.stdout
    assert 'language = "en"' in config.read_text()  # the admin's settings survive an upgrade
    assert (root / "etc" / "passwd").read_text() == passwd  # no second user
    assert (root / "etc" / "group").read_text().count("kiosk:x:") == 1
    assert (data / "prints").is_dir()  # the data stays


def test_the_install_script_refuses_a_bad_usb_id(tmp_path):
    result = install(tmp_path / "root", "--printer-usb", "epson")
    assert result.returncode == 2 and "VID:PID" in result.stderr
