"""A real PostgreSQL server for the hub's tests, started and stopped by the tests themselves.

It uses Debian's binaries (``/usr/lib/postgresql/<version>/bin``, or ``KIOSK_PG_BIN``) on a
fresh cluster in a temporary folder: the superuser ``postgres`` on a Unix socket (trust, as
an admin on the office machine), every other role over TCP on 127.0.0.1 with SCRAM passwords,
as kiosks connect. A test run as root runs the server as the ``postgres`` user (initdb and the
server refuse root). Nothing is skipped: without the binaries the fixture fails and says why.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def binaries() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: ``KIOSK_PG_BIN``, else the newest Debian
    PostgreSQL, else the ones on PATH."""
    wanted = os.environ.get("KIOSK_PG_BIN")
    if wanted:
        return Path(wanted)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if debian:
        return debian[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError("the hub's tests need PostgreSQL's server binaries (Debian: apt install postgresql), "
                       "or KIOSK_PG_BIN naming their folder")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Postgres:
    """One throwaway cluster with a database ``plant``."""

    def __init__(self, *, crash_safe: bool = False) -> None:
        #: Commits durable before they are acknowledged (synchronous_commit on, as PostgreSQL
        #: ships): needed where the test kills PostgreSQL; otherwise off, for speed.
        self.crash_safe = crash_safe
        self.bin = binaries()
        # A short path: a Unix socket's name may not exceed about 100 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data, self.sockets = self.root / "data", self.root / "s"
        self.port = _free_port()
        self._user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        self.sockets.mkdir()
        if self._user is not None:
            for path in (self.root, self.sockets):
                os.chown(path, self._user.pw_uid, self._user.pw_gid)

    def _run(self, *args: str) -> None:
        def as_postgres() -> None:
            if self._user is not None:
                os.setgid(self._user.pw_gid)
                os.setuid(self._user.pw_uid)

        result = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True, timeout=120,
                                preexec_fn=as_postgres, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.decode(errors='replace')[-2000:]}")

    def start(self) -> Postgres:
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth-local=trust",
                      "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")
        # fsync off: the tests kill processes, never the machine, and the page cache survives that.
        options = (f"-k {self.sockets} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c synchronous_commit={'on' if self.crash_safe else 'off'} -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "start")
        self._ensure_database()
        return self

    def _ensure_database(self, name: str = "plant") -> None:
        import psycopg

        with psycopg.connect(self.admin_url("postgres"), autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')

    def new_database(self, name: str) -> str:
        """Another empty database on this cluster (a plant of its own); its owner's address."""
        self._ensure_database(name)
        return self.admin_url(name)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def close(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def admin_url(self, database: str = "plant") -> str:
        """The superuser over the Unix socket (``kiosk hub init`` on the office machine)."""
        return f"postgresql://postgres@/{database}?host={self.sockets}&port={self.port}"

    def url(self, role: str, database: str = "plant") -> str:
        """A role over TCP, as a kiosk connects (its password from its password_file)."""
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"
