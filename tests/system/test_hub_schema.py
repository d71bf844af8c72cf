"""The plant hub's schema on a real PostgreSQL (issue 18, first part): `kiosk hub init` creates it
and upgrades idempotently, `add-kiosk` makes one role per kiosk whose password is said once, row-
level security refuses a kiosk writing a change as another (and anybody changing one), a change
sent twice is stored once, the reader's role reads the records view and nothing else, and no
message carries a password."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from kiosk.config import ConfigError, parse_config
from tests.support.cli import run
from tests.support.postgres import Postgres

INSERT = ("INSERT INTO kiosk_hub.changes (kiosk, kiosk_seq, tbl, key, doc, hlc) VALUES (%s, %s, %s, %s, %s, %s)"
          " ON CONFLICT (kiosk, kiosk_seq) DO NOTHING")


@pytest.fixture(scope="module")
def pg():
    server = Postgres().start()
    yield server
    server.close()


def hub(tmp_path: Path, pg: Postgres, *args: str, role: str = "postgres", password_file: str = ""):
    """`kiosk hub ...` with a config naming the hub (the owner over the socket by default)."""
    url = pg.admin_url() if role == "postgres" else pg.url(role)
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hub]\nurl = "{url}"\nkiosk_name = "office"\npassword_file = "{password_file}"\n'
                      'sslmode = "disable"\n', encoding="utf-8")
    return run(["hub", *args, "--config", str(config)], data=tmp_path / "no-data-folder")


def test_init_creates_and_upgrades_idempotently_and_status_says_so(tmp_path, pg):
    first = hub(tmp_path, pg, "init")
    assert first.returncode == 0, first.stderr.decode()
    again = hub(tmp_path, pg, "init")
    said = again.stdout.decode()
    assert again.returncode == 0 and "versión 2" in said and "(estaba en la 2)" in said
    status = hub(tmp_path, pg, "status")
    assert status.returncode == 0 and "esquema versión 2" in status.stdout.decode()
    assert not (tmp_path / "no-data-folder").exists()  # the hub's commands need no data folder


def test_a_hub_at_version_1_is_upgraded_keeping_its_changes(tmp_path, pg):
    from kiosk.hub import schema

    url = pg.new_database("older")
    with psycopg.connect(url) as conn:  # what the first release's init made
        with conn.cursor() as cur:
            cur.execute(f"CREATE SCHEMA {schema.SCHEMA}")
            cur.execute(f"CREATE TABLE {schema.SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL)")
            schema.STEPS[0](cur)
            cur.execute(f"INSERT INTO {schema.SCHEMA}.meta VALUES ('schema', '1')")
            cur.execute(f"INSERT INTO {schema.SCHEMA}.kiosks (name, role) VALUES ('prensas', 'kiosk_prensas')")
            cur.execute(INSERT, ("prensas", 1, "records", "1", json.dumps({"id": "QPC-GB8"}), "1.0.prensas"))
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hub]\nurl = "{url}"\nkiosk_name = "office"\nsslmode = "disable"\n', encoding="utf-8")
    upgraded = run(["hub", "init", "--config", str(config)], data=tmp_path / "none")
    assert upgraded.returncode == 0 and "(estaba en la 1)" in upgraded.stdout.decode()
    with psycopg.connect(url) as conn:
        assert conn.execute(f"SELECT kiosk, doc, versions FROM {schema.SCHEMA}.changes").fetchall() == [
            ("prensas", {"id": "QPC-GB8"}, {})]
        # The series column is there: the kiosk that was there gets one when it adds again.
        made = run(["hub", "add-kiosk", "prensas", "--password-file", str(tmp_path / "p"), "--config", str(config)],
                   data=tmp_path / "none")
        assert made.returncode == 0 and "id_series = 1" in made.stdout.decode()


def test_a_kiosk_writes_only_its_own_changes_each_once_and_the_reader_only_reads(tmp_path, pg):
    assert hub(tmp_path, pg, "init").returncode == 0
    secrets = {}
    for name in ("prensas", "deposito"):
        file = tmp_path / f"{name}.pass"
        made = hub(tmp_path, pg, "add-kiosk", name, "--password-file", str(file))
        assert made.returncode == 0, made.stderr.decode()
        assert (file.stat().st_mode & 0o777) == 0o600
        secrets[name] = file.read_text().strip()
        assert secrets[name] not in made.stdout.decode()
    said = hub(tmp_path, pg, "add-reader", "oficina")
    assert said.returncode == 0
    reader_password = said.stdout.decode().strip().splitlines()[-1]

    doc = json.dumps({"id": "QPC-GB8", "kind": "error", "area": "Prensas", "status": "reported",
                      "occurred_at": "2026-11-21T10:00:00-03:00", "created_at": "2026-11-21T10:00:00-03:00",
                      "what_happened": "Se trabó la prensa 2"})
    with psycopg.connect(pg.url("kiosk_prensas"), password=secrets["prensas"]) as conn:
        for _attempt in range(2):  # sent twice (a retry after a lost answer): stored once
            conn.execute(INSERT, ("prensas", 1, "records", "1", doc, "1732193000000.0.prensas"))
        conn.commit()
        assert conn.execute("SELECT count(*) FROM kiosk_hub.changes").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(INSERT, ("deposito", 1, "records", "1", doc, "1732193000000.0.deposito"))
        conn.rollback()
        for statement in ("UPDATE kiosk_hub.changes SET doc = NULL", "DELETE FROM kiosk_hub.changes"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
    with psycopg.connect(pg.url("kiosk_reader_oficina"), password=reader_password) as conn:
        row = conn.execute("SELECT id, kind, area, what_happened, last_changed_at_kiosk FROM kiosk_hub.records"
                           ).fetchone()
        assert row == ("QPC-GB8", "error", "Prensas", "Se trabó la prensa 2", "prensas")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM kiosk_hub.changes")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(INSERT, ("prensas", 2, "records", "2", doc, "x"))
    status = hub(tmp_path, pg, "status")
    assert "kiosco prensas: 1 cambios" in status.stdout.decode() or "prensas: 1" in status.stdout.decode()


def test_a_wrong_password_or_a_stopped_hub_is_said_without_the_password(tmp_path, pg):
    assert hub(tmp_path, pg, "init").returncode == 0
    assert hub(tmp_path, pg, "add-kiosk", "calidad", "--password-file", str(tmp_path / "ok.pass")).returncode == 0
    wrong = tmp_path / "wrong.pass"
    wrong.write_text("not-the-password-4711\n")
    refused = hub(tmp_path, pg, "status", role="kiosk_calidad", password_file=str(wrong))
    assert refused.returncode == 1 and "not-the-password-4711" not in refused.stderr.decode()
    assert "El hub no responde" in refused.stderr.decode()


def test_the_hub_configuration_is_checked_and_never_echoes_a_password():
    with pytest.raises(ConfigError) as leaked:
        parse_config({"hub": {"url": "postgresql://kiosk_a:s3cret@office/plant", "kiosk_name": "a"}})
    assert "s3cret" not in str(leaked.value) and leaked.value.key == "hub.url"
    with pytest.raises(ConfigError) as nameless:
        parse_config({"hub": {"url": "postgresql://kiosk_a@office/plant"}})
    assert nameless.value.key == "hub.kiosk_name"
    with pytest.raises(ConfigError):
        parse_config({"hub": {"url": "postgresql://kiosk_a@office/plant", "kiosk_name": "Prensa 1"}})
    with pytest.raises(ConfigError):
        parse_config({"hub": {"sslmode": "sometimes"}})
    ok = parse_config({"hub": {"url": "postgresql://kiosk_a@office:5432/plant", "kiosk_name": "prensas",
                               "sslmode": "verify-full", "sslrootcert": "/etc/learning-kiosk/plant.crt"}})
    assert ok.hub.kiosk_name == "prensas" and parse_config({}).hub.url == ""
