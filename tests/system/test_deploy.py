"""deploy/install.sh into a temporary root, twice: everything in place, nothing duplicated,
the admin's configuration and data kept, nothing left in the checkout, and the installed
kiosk (and kiosk-admin) working."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import run_bounded

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "install.sh"


def install(root: Path, *extra: str, source: Path = REPO, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **env}
    return run_bounded(["sh", str(SCRIPT), "--root", str(root), "--source", str(source), *extra],
                       capture_output=True, text=True, env=env, timeout=600, input=stdin)


def checkout(folder: Path) -> Path:
    """A copy of what install.sh needs from the checkout (so the test can change it)."""
    folder.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, folder / name)
    for name in ("kiosk", "deploy"):
        shutil.copytree(REPO / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def stub_commands(folder: Path) -> Path:
    """`id` says root and `runuser -u USER -- CMD` notes USER and runs CMD as the caller: enough
    to run kiosk-admin as root would, without a kiosk user on this machine."""
    folder.mkdir()
    (folder / "id").write_text('#!/bin/sh\ncase "$1" in -u) echo 0 ;; *) echo root ;; esac\n')
    (folder / "runuser").write_text(
        '#!/bin/sh\n[ "$1" = -u ] && [ "$3" = -- ] || exit 99\n'
        'echo "$2" > "$(dirname "$0")/runuser.user"\nshift 3\nexec "$@"\n')
    for name in ("id", "runuser"):
        (folder / name).chmod(0o755)
    return folder


@pytest.mark.slow
def test_the_install_script_is_complete_and_idempotent(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc" / "group").write_text("root:x:0:\nlp:x:7:\ndialout:x:20:\n")
    for name in ("shadow", "gshadow"):
        (root / "etc" / name).touch()
    source = checkout(tmp_path / "src")
    (source / "kiosk" / "obsolete_module.py").write_text("'''Deleted upstream before the upgrade.'''\n")

    first = install(root, "--printer-usb", "04b8:0202", source=source)
    assert first.returncode == 0, first.stderr[-2000:]
    passwd = (root / "etc" / "passwd").read_text()
    assert passwd.count("\nkiosk:") == 1 and ":/usr/sbin/nologin" in passwd.split("\nkiosk:")[1].splitlines()[0]
    etc = root / "etc"
    units = etc / "systemd" / "system"
    service = (units / "learning-kiosk.service").read_text()
    for line in ("User=kiosk", "TTYPath=/dev/tty1", "Restart=always", "StandardInput=tty", "Type=idle",
                 "ExecStart=/opt/learning-kiosk/venv/bin/kiosk run", "Environment=TERM=linux"):
        assert line in service
    for name in ("learning-kiosk-backup.service", "learning-kiosk-serve.service"):
        unit = (units / name).read_text()
        for line in ("ProtectSystem=strict", "PrivateDevices=yes", "ProtectKernelTunables=yes",
                     "ProtectControlGroups=yes", "RestrictSUIDSGID=yes", "LockPersonality=yes"):
            assert line in unit, (name, line)
    assert (units / "learning-kiosk-backup.timer").read_text().count("OnCalendar=daily") == 1
    assert os.readlink(units / "ctrl-alt-del.target") == "/dev/null"
    assert "\nCtrlAltDelBurstAction=none\n" in (etc / "systemd" / "system.conf.d" / "learning-kiosk.conf").read_text()
    assert "ConditionPathExists=!/etc/learning-kiosk/kiosk.toml" in (
        units / "getty@tty1.service.d" / "learning-kiosk.conf").read_text()
    rule = (etc / "udev" / "rules.d" / "70-learning-kiosk-printer.rules").read_text()
    assert 'ATTRS{idVendor}=="04b8", ATTRS{idProduct}=="0202", MODE="0660", GROUP="kiosk"' in rule
    assert "MODE=\"0666\"" not in rule and "GROUP=\"kiosk\"" in rule
    config = etc / "learning-kiosk" / "kiosk.toml"
    assert 'dir = "/var/backups/learning-kiosk"' in config.read_text()
    app = root / "opt" / "learning-kiosk"
    for doc in ("README.md", "deploy/README.md", "deploy/kiosk.example.toml"):
        assert (app / doc).is_file(), doc
    site = next((app / "venv" / "lib").glob("python3*/site-packages"))
    assert (site / "kiosk" / "obsolete_module.py").is_file()
    # pip built from a clean copy: nothing of the build is left in the checkout
    assert not (source / "build").exists() and not list(source.glob("*.egg-info"))

    kiosk = app / "venv" / "bin" / "kiosk"
    data = root / "var" / "lib" / "learning-kiosk"
    printed = subprocess.run([str(kiosk), "print-test", "--printer", "preview", "--data", str(data),
                              "--config", str(config)], capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0 and "¿Agregar café? ¡Sí! Ñandú €" in printed.stdout

    # kiosk-admin: as root, the kiosk command as the user kiosk, on the installed folders
    admin = root / "usr" / "local" / "bin" / "kiosk-admin"
    assert os.access(admin, os.X_OK)
    wrapper = admin.read_text()
    assert "runuser -u kiosk --" in wrapper and f"KIOSK={kiosk}\n" in wrapper
    stubs = stub_commands(tmp_path / "stubs")
    path = {"PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    checked = subprocess.run([str(admin), "check"], capture_output=True, text=True, timeout=120,
                             env={**os.environ, **path, "KIOSK_DATA": "/nowhere", "KIOSK_CONFIG": "/nowhere.toml"})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[0].endswith(f": {data}")  # "Data folder: …", in the kiosk's language
    assert (stubs / "runuser.user").read_text().strip() == "kiosk"
    helped = subprocess.run([str(admin)], capture_output=True, text=True, timeout=120, env={**os.environ, **path})
    assert helped.returncode == 0 and "print-test" in helped.stdout  # the help

    if shutil.which("systemd-analyze"):
        names = [str(units / n) for n in ("learning-kiosk.service", "learning-kiosk-serve.service",
                                          "learning-kiosk-backup.service", "learning-kiosk-backup.timer")]
        verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *names],
                                  capture_output=True, text=True, timeout=120)
        problems = [line for line in (verified.stdout + verified.stderr).splitlines()
                    if line.strip() and "is not executable" not in line]  # /opt is inside the root
        assert not problems, problems

    config.write_text(config.read_text().replace('language = "es_AR"', 'language = "en"'))
    (source / "kiosk" / "obsolete_module.py").unlink()
    assert "no admin yet" in first.stdout  # the walk's item 38: said, with how to choose one
    second = install(root, "--admin", "Marta Ruiz", source=source, stdin="2580\n")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "admin Marta Ruiz created" in second.stdout
    listed = subprocess.run([str(kiosk), "supervisor", "list", "--data", str(data), "--config", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert "Marta Ruiz" in listed.stdout and "admin" in listed.stdout
    assert "configuration kept" in second.stdout
    assert 'language = "en"' in config.read_text()  # the admin's settings survive an upgrade
    assert (root / "etc" / "passwd").read_text() == passwd  # no second user
    assert (root / "etc" / "group").read_text().count("kiosk:x:") == 1
    assert (data / "prints").is_dir()  # the data stays
    assert not (site / "kiosk" / "obsolete_module.py").exists()  # a module deleted upstream goes
    assert not (source / "build").exists() and not list(source.glob("*.egg-info"))


def test_the_install_script_refuses_a_bad_usb_id(tmp_path):
    result = install(tmp_path / "root", "--printer-usb", "epson")
    assert result.returncode == 2 and "VID:PID" in result.stderr


def test_the_install_script_explains_itself_and_its_mistakes(tmp_path):
    helped = subprocess.run(["sh", str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "--printer-usb" in helped.stdout and "PYTHON=" in helped.stdout
    assert "set -eu" not in helped.stdout and not helped.stdout.startswith("#")
    for args in (["--root"], ["--root", "--no-start"], ["--source"]):
        result = subprocess.run(["sh", str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "needs a value" in result.stderr, args
    old = install(tmp_path / "root", PYTHON="false")
    assert old.returncode == 1 and "Python 3.11 or newer" in old.stderr and "PYTHON=python3.11" in old.stderr
    assert not (tmp_path / "root" / "opt").exists()  # refused before anything was written
