"""The hub's schema in PostgreSQL: created and upgraded by ``kiosk hub init``, one step per
version (never edit a released step), with its roles.

- ``kiosk_hub.changes``: every change a kiosk pushes, once: ``UNIQUE (kiosk, kiosk_seq)`` makes a
  change sent twice stored once; ``id`` (a sequence) is the cursor the others pull from. Row-level
  security lets a kiosk's role insert only rows that name itself, and nobody update or delete.
- ``kiosk_hub.kiosks``: each kiosk's name and its login role (``kiosk_<name>``).
- ``kiosk_hub.records``: the documented read-only view for a spreadsheet or BI tool, one row per
  record, its main columns and the whole document as JSONB, for the role group
  ``kiosk_hub_readers``: the newest copy a kiosk sent, which is the whole merge once the kiosks
  are in step (a kiosk whose merge holds more than what it received sends it on).
- A trigger NOTIFYs ``kiosk_hub_changes`` on every new change, for kiosks that LISTEN.

Roles are the cluster's, not the database's: the two groups (``kiosk_hub_kiosks``,
``kiosk_hub_readers``) are NOLOGIN; a kiosk or a reader is a LOGIN role in one of them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

SCHEMA = "kiosk_hub"
KIOSKS_GROUP, READERS_GROUP = "kiosk_hub_kiosks", "kiosk_hub_readers"
CHANNEL = "kiosk_hub_changes"
NAME = re.compile(r"[a-z][a-z0-9_]{0,29}")
#: Advisory lock key held while the schema is created or upgraded (two inits wait in turn).
INIT_LOCK = 0x6B696F736B
#: Advisory lock key held by each push until it commits (schema version 2), and + 1 by a claim.
PUSH_LOCK = 0x6B696F736C

Step = Callable[[Any], None]


def _v1(cur: Any) -> None:
    """Version 1: kiosks, changes with row-level security, the notify trigger, the records view."""
    for group in (KIOSKS_GROUP, READERS_GROUP):
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (group,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE ROLE "{group}" NOLOGIN')
    cur.execute(f"""
        CREATE TABLE {SCHEMA}.kiosks (
            name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{{0,29}}$'),
            role name NOT NULL UNIQUE,
            added_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE {SCHEMA}.changes (
            id bigserial PRIMARY KEY,
            kiosk text NOT NULL REFERENCES {SCHEMA}.kiosks (name),
            kiosk_seq bigint NOT NULL CHECK (kiosk_seq > 0),
            tbl text NOT NULL CHECK (tbl ~ '^[a-z_]{{1,40}}$'),
            key text NOT NULL CHECK (length(key) BETWEEN 1 AND 40),
            doc jsonb,
            hlc text NOT NULL CHECK (length(hlc) BETWEEN 1 AND 60),
            received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            UNIQUE (kiosk, kiosk_seq)
        );
        CREATE INDEX changes_by_document ON {SCHEMA}.changes (tbl, key, id);
        ALTER TABLE {SCHEMA}.changes ENABLE ROW LEVEL SECURITY;
        CREATE POLICY changes_read ON {SCHEMA}.changes FOR SELECT TO {KIOSKS_GROUP} USING (true);
        CREATE POLICY changes_own ON {SCHEMA}.changes FOR INSERT TO {KIOSKS_GROUP}
            WITH CHECK (kiosk = (SELECT k.name FROM {SCHEMA}.kiosks k WHERE k.role = current_user));
        CREATE FUNCTION {SCHEMA}.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{CHANNEL}', NEW.kiosk);
                RETURN NULL;
            END
        $$;
        CREATE TRIGGER changes_notify AFTER INSERT ON {SCHEMA}.changes
            FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.notify_change();
        CREATE VIEW {SCHEMA}.records AS
            SELECT DISTINCT ON (c.key)
                   c.doc ->> 'id' AS id,
                   c.doc ->> 'kind' AS kind,
                   c.doc ->> 'area' AS area,
                   c.doc ->> 'station' AS station,
                   c.doc ->> 'status' AS status,
                   (c.doc ->> 'occurred_at')::timestamptz AS occurred_at,
                   (c.doc ->> 'created_at')::timestamptz AS created_at,
                   c.doc ->> 'what_happened' AS what_happened,
                   c.doc -> 'review' -> 'action' ->> 'text' AS action,
                   c.doc -> 'review' -> 'action' ->> 'deadline' AS action_deadline,
                   c.kiosk AS last_changed_at_kiosk,
                   c.doc AS document
              FROM {SCHEMA}.changes c
             WHERE c.tbl = 'records' AND c.doc IS NOT NULL
             ORDER BY c.key, c.id DESC;
        COMMENT ON VIEW {SCHEMA}.records IS
            'One row per record: its main columns and the whole document (JSONB), read-only.';
        GRANT USAGE ON SCHEMA {SCHEMA} TO {KIOSKS_GROUP}, {READERS_GROUP};
        GRANT SELECT ON {SCHEMA}.kiosks TO {KIOSKS_GROUP};
        GRANT SELECT, INSERT ON {SCHEMA}.changes TO {KIOSKS_GROUP};
        GRANT USAGE ON SEQUENCE {SCHEMA}.changes_id_seq TO {KIOSKS_GROUP};
        GRANT SELECT ON {SCHEMA}.records TO {READERS_GROUP};
    """)


def _v2(cur: Any) -> None:
    """Version 2: each change's versions (the merge's stamps and counts) beside its document;
    pushes one after another, so that the ids the others pull by become visible in their
    order; and each kiosk's id series, claimed once (two kiosks never number alike)."""
    cur.execute(f"""
        ALTER TABLE {SCHEMA}.changes ADD COLUMN versions jsonb NOT NULL DEFAULT '{{}}'::jsonb;
        -- A pull reads the changes after its cursor (the id). Ids are taken when a row is
        -- inserted and seen when its transaction commits: two pushes at once could commit in
        -- the other order, and a puller that saw the later id first would step over the
        -- earlier one for ever. One push at a time (a lock held until commit) rules that out;
        -- the trigger takes it before any id is drawn, whatever the client does.
        CREATE FUNCTION {SCHEMA}.one_push_at_a_time() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock({PUSH_LOCK});
                RETURN NULL;
            END
        $$;
        CREATE TRIGGER changes_in_order BEFORE INSERT ON {SCHEMA}.changes
            FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.one_push_at_a_time();
        ALTER TABLE {SCHEMA}.kiosks ADD COLUMN series integer UNIQUE CHECK (series BETWEEN 1 AND 64);
        -- A kiosk claims its id series: it gets it if nobody has it, and learns who has it
        -- otherwise. (SECURITY DEFINER: a kiosk may set its own series and nothing else.)
        CREATE FUNCTION {SCHEMA}.claim_series(wanted integer) RETURNS text
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
            DECLARE
                me text;
                holder text;
            BEGIN
                SELECT name INTO me FROM {SCHEMA}.kiosks WHERE role = session_user;
                IF me IS NULL THEN
                    RAISE EXCEPTION 'role % is no kiosk of this hub', session_user;
                END IF;
                PERFORM pg_advisory_xact_lock({PUSH_LOCK} + 1);
                SELECT name INTO holder FROM {SCHEMA}.kiosks WHERE series = wanted;
                IF holder IS NULL THEN
                    UPDATE {SCHEMA}.kiosks SET series = wanted WHERE name = me;
                    RETURN me;
                END IF;
                RETURN holder;
            END
        $$;
        REVOKE ALL ON FUNCTION {SCHEMA}.claim_series(integer) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION {SCHEMA}.claim_series(integer) TO {KIOSKS_GROUP};
        GRANT SELECT ON {SCHEMA}.meta TO {KIOSKS_GROUP};
    """)


#: ``STEPS[n]`` takes the schema from version n to n + 1.
STEPS: dict[int, Step] = {0: _v1, 1: _v2}
VERSION = len(STEPS)


def schema_version(cur: Any) -> int:
    """The hub's schema version (0: none yet)."""
    cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.meta",))
    row = cur.fetchone()
    if row is None or row[0] is None:
        return 0
    cur.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'schema'")
    found = cur.fetchone()
    return int(found[0]) if found else 0


class NewerHub(Exception):
    """The hub's schema is newer than this kiosk knows: upgrade the kiosk first."""


def init(conn: Any) -> tuple[int, int]:
    """Create or upgrade the schema and its roles, in one transaction (an advisory lock makes a
    second ``kiosk hub init`` wait). Returns (version before, version now)."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (INIT_LOCK,))
        before = schema_version(cur)
        if before > VERSION:
            raise NewerHub(f"the hub's schema is version {before}; this kiosk knows up to {VERSION}")
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL)")
        for version in range(before, VERSION):
            STEPS[version](cur)
        cur.execute(f"INSERT INTO {SCHEMA}.meta (key, value) VALUES ('schema', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(VERSION),))
    return before, VERSION


def kiosk_role(name: str) -> str:
    return f"kiosk_{name}"


def reader_role(name: str) -> str:
    return f"kiosk_reader_{name}"


def new_password() -> str:
    return secrets.token_urlsafe(24)


def _login_role(cur: Any, role: str, group: str, password: str) -> None:
    from psycopg import sql

    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
    verb = "ALTER" if cur.fetchone() is not None else "CREATE"
    cur.execute(sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
        sql.Identifier(role), sql.Literal(password)))
    cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))


def _check_name(name: str, what: str) -> None:
    if not NAME.fullmatch(name):
        raise ValueError(f"a {what}'s name is lowercase letters, digits and _, starting with a letter: {name!r}")


def _check_version(cur: Any) -> None:
    if schema_version(cur) < VERSION:
        raise NewerHub("the hub's schema is older than this kiosk's: run kiosk hub init first")


def add_kiosk(conn: Any, name: str, password: str, series: int = 0) -> tuple[str, int]:
    """A kiosk joins the plant: its LOGIN role (``kiosk_<name>``, in the kiosks' group), its row
    in ``kiosks`` and its id series (``series``, or the lowest free one); again for the same
    name, a new password and the series it has. Returns the role and the series."""
    _check_name(name, "kiosk")
    role = kiosk_role(name)
    with conn.transaction(), conn.cursor() as cur:
        _check_version(cur)
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK + 1,))
        _login_role(cur, role, KIOSKS_GROUP, password)
        cur.execute(f"SELECT series FROM {SCHEMA}.kiosks WHERE name = %s", (name,))
        row = cur.fetchone()
        if row is not None and row[0] is not None and not series:
            return role, int(row[0])
        cur.execute(f"SELECT name, series FROM {SCHEMA}.kiosks WHERE series IS NOT NULL")
        taken = {int(found): str(holder) for holder, found in cur.fetchall()}
        if series and taken.get(series, name) != name:
            raise ValueError(f"id series {series} is kiosk {taken[series]}'s")
        free = sorted(set(range(1, 65)) - set(taken))
        if not series and not free:
            raise ValueError("all 64 id series are taken")
        chosen = series or free[0]
        cur.execute(f"INSERT INTO {SCHEMA}.kiosks (name, role, series) VALUES (%s, %s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET series = excluded.series", (name, role, chosen))
    return role, chosen


def add_reader(conn: Any, name: str, password: str) -> str:
    """A read-only role for the records view (a spreadsheet, a BI tool). Returns the role."""
    _check_name(name, "reader")
    role = reader_role(name)
    with conn.transaction(), conn.cursor() as cur:
        _check_version(cur)
        _login_role(cur, role, READERS_GROUP, password)
    return role
