"""``kiosk hub``: the plant hub that several kiosks share (:mod:`kiosk.hub`).

``init`` creates or upgrades the schema and its roles (run as the database's owner, e.g. on the
office machine over its Unix socket); ``add-kiosk`` and ``add-reader`` make a LOGIN role and say
its password once (or write it to a file only its owner reads); ``status`` says whether the hub
answers, its schema and its kiosks. A password never reaches a log or an error message.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.cli.common import Args
from kiosk.config import Config
from kiosk.i18n import _


def cmd_hub(args: Args, config: Config, folder: Path) -> int:
    from kiosk.hub import schema
    from kiosk.hub.connect import HubUnavailable, connect

    url = getattr(args, "url", "") or config.hub.url
    if not url:
        print(_("No hub is configured: set [hub] url (and kiosk_name) in the configuration, or give --url."),
              file=sys.stderr)
        return 2
    try:
        conn = connect(config.hub, url=getattr(args, "url", ""))
    except HubUnavailable as exc:
        print(_("The hub does not answer: {detail}").format(detail=exc), file=sys.stderr)
        return 1
    try:
        action = args.hub_command
        if action == "init":
            before, now = schema.init(conn)
            print(_("The hub's schema is at version {now} (it was at {before}).").format(now=now, before=before))
            return 0
        if action in ("add-kiosk", "add-reader"):
            password = schema.new_password()
            add = schema.add_kiosk if action == "add-kiosk" else schema.add_reader
            role = add(conn, args.name, password)
            if args.password_file:
                target = Path(args.password_file)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(password + "\n")
                print(_("Role {role} is ready; its password is in {file}.").format(role=role, file=target))
            else:
                print(_("Role {role} is ready. Its password (shown only now; put it in that kiosk's "
                        "hub.password_file):").format(role=role))
                print(password)
            return 0
        with conn.cursor() as cur:
            version = schema.schema_version(cur)
            kiosks: list[tuple[str, int]] = []
            if version:
                cur.execute(f"SELECT k.name, count(c.id) FROM {schema.SCHEMA}.kiosks k LEFT JOIN "
                            f"{schema.SCHEMA}.changes c ON c.kiosk = k.name GROUP BY k.name ORDER BY k.name")
                kiosks = [(str(name), int(count)) for name, count in cur.fetchall()]
        print(_("The hub answers: schema version {version} (this kiosk knows {known}).").format(
            version=version, known=schema.VERSION))
        for name, count in kiosks:
            print(_("  kiosk {name}: {count} changes").format(name=name, count=count))
        return 0
    except (schema.NewerHub, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:  # psycopg's errors: said without the password (it is not in them)
        import psycopg

        if not isinstance(exc, psycopg.Error):
            raise
        print(_("The hub refused: {detail}").format(detail=str(exc).strip().splitlines()[0]), file=sys.stderr)
        return 1
    finally:
        conn.close()
