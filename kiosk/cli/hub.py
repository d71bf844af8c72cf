"""``kiosk hub``: the plant hub that several kiosks share (:mod:`kiosk.hub`).

``init`` creates or upgrades the schema and its roles (run as the database's owner, e.g. on the
office machine over its Unix socket); ``add-kiosk`` and ``add-reader`` make a LOGIN role and say
its password once (or write it to a file only its owner reads); ``status`` says whether the hub
answers, its schema and its kiosks. A password never reaches a log or an error message.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.cli.common import Args
from kiosk.config import Config
from kiosk.i18n import _


def cmd_hub(args: Args, config: Config, folder: Path) -> int:
    from kiosk.hub import schema
    from kiosk.hub.connect import HubUnavailable, connect

    if args.hub_command == "sync":
        return sync_once(config, folder, wait=args.wait)
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
            if action == "add-kiosk":
                role, series = schema.add_kiosk(conn, args.name, password, getattr(args, "series", 0) or 0)
                print(_("Kiosk {name} numbers in id series {series}: set storage.id_series = {series} in its "
                        "configuration before its first report.").format(name=args.name, series=series))
            else:
                role = schema.add_reader(conn, args.name, password)
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
        if config.hub.kiosk_name and folder.is_dir() and version == schema.VERSION:
            _local_status(config, folder, conn)
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


def _local_status(config: Config, folder: Path, conn: Any) -> None:
    """This kiosk's side: its changes waiting, how far it has pulled, when it last did."""
    from kiosk.cli.common import open_reader
    from kiosk.hub.sync import hub_position
    from kiosk.storage.sync import sync_state

    repo = open_reader(config, folder)
    if repo is None:
        return
    try:
        state = sync_state(repo.store)
    finally:
        repo.close()
    newest, _own = hub_position(conn, config.hub.kiosk_name)
    cursor = int(state.get("cursor", 0))
    print(_("This kiosk ({name}): {waiting} changes waiting to be sent; {behind} of the hub's changes "
            "not pulled yet (pulled up to {cursor} of {newest}).").format(
        name=config.hub.kiosk_name, waiting=state["waiting"], behind=max(0, newest - cursor), cursor=cursor,
        newest=newest))
    from datetime import datetime

    from kiosk.views.dates import show_date

    for key, text in (("pushed_at", _("Last sent to the hub: {when}.")),
                      ("pulled_at", _("Last received from the hub: {when}."))):
        if state.get(key):
            print(text.format(when=show_date(datetime.fromisoformat(state[key]).astimezone(), with_time=True)))


def sync_once(config: Config, folder: Path, *, wait: float = 60.0) -> int:
    """One push-and-pull round; with the kiosk running on this folder, wait (up to ``wait``
    seconds) for its own. The exit status: 0 in step, 1 not (said on stderr), 2 no hub."""
    from kiosk.cli.common import open_writer
    from kiosk.hub.connect import HubUnavailable, connect
    from kiosk.hub.sync import HubOutOfDate, SeriesTaken, SyncWorker, sync_round
    from kiosk.storage import DataFolderBusy

    if not config.hub.url:
        print(_("No hub is configured: set [hub] url (and kiosk_name) in the configuration, or give --url."),
              file=sys.stderr)
        return 2
    try:
        repo = open_writer(config, folder, "kiosk hub sync", raise_busy=True)
    except DataFolderBusy as exc:
        return _wait_for_running(config, folder, exc.holder, wait)
    if repo is None:
        return 1
    try:
        worker = SyncWorker.for_repository(repo, config.hub)
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - shown[0] >= 1.0 or done == total:
                shown[0] = time.monotonic()
                print(_("Pulled {done} of {total} changes…").format(done=done, total=total), flush=True)

        try:
            with connect(config.hub, autocommit=True) as conn:
                result = sync_round(conn, worker.hook, worker.series, progress)
        except HubUnavailable as exc:
            print(_("The hub does not answer: {detail}").format(detail=exc), file=sys.stderr)
            return 1
        except SeriesTaken as exc:
            print(series_taken_message(exc.series, exc.holder), file=sys.stderr)
            return 1
        except HubOutOfDate as exc:
            print(_("Not synced: {detail}. Run 'kiosk hub init' on the hub with this version.").format(detail=exc),
                  file=sys.stderr)
            return 1
        except DataFolderBusy:  # (a kiosk started meanwhile; it syncs by itself)
            return 0
        except Exception as exc:
            import psycopg

            if not isinstance(exc, psycopg.Error):
                raise
            print(_("The hub does not answer: {detail}").format(detail=str(exc).strip().splitlines()[0]),
                  file=sys.stderr)
            return 1
        print(_("In step with the hub: {pushed} changes sent, {pulled} received ({changed} changed here).").format(
            pushed=result.pushed, pulled=result.pulled, changed=result.changed))
        if result.refused:
            print(_("{count} received changes did not pass the checks and were left out (see the log).").format(
                count=result.refused), file=sys.stderr)
        return 0
    finally:
        repo.close()


def series_taken_message(series: int, holder: str) -> str:
    return _("Not synced: kiosk {holder} already numbers its records in id series {series}, as this one "
             "does. Two kiosks numbering alike would mix their records: give this kiosk a series of its own "
             "(kiosk hub add-kiosk says a free one; storage.id_series) before it sends anything.").format(
        holder=holder, series=series)


def _wait_for_running(config: Config, folder: Path, holder: dict[str, Any], wait: float) -> int:
    """The kiosk running on this folder syncs by itself: wait until it has sent everything and
    received everything the hub had when this command started."""
    from kiosk.cli.common import open_reader
    from kiosk.hub.connect import HubUnavailable, connect
    from kiosk.hub.sync import hub_position
    from kiosk.storage.sync import sync_state

    try:
        with connect(config.hub, autocommit=True) as conn:
            newest, _own = hub_position(conn, config.hub.kiosk_name)
    except HubUnavailable as exc:
        print(_("The hub does not answer: {detail}").format(detail=exc), file=sys.stderr)
        return 1
    repo = open_reader(config, folder)
    if repo is None:
        return 1
    print(_("The kiosk running here (pid {pid}) syncs by itself; waiting for it to be in step…").format(
        pid=holder.get("pid", "?")), flush=True)
    deadline = time.monotonic() + max(0.0, wait)
    try:
        while True:
            repo.store.refresh()
            state = sync_state(repo.store)
            if state["waiting"] == 0 and int(state.get("cursor", 0)) >= newest:
                print(_("In step with the hub."))
                return 0
            if time.monotonic() >= deadline:
                print(_("Not in step yet: {waiting} changes waiting to be sent, pulled up to {cursor} of {newest}. "
                        "Is the hub reachable from the kiosk? (kiosk hub status)").format(
                    waiting=state["waiting"], cursor=state.get("cursor", 0), newest=newest), file=sys.stderr)
                return 1
            time.sleep(0.2)
    finally:
        repo.close()
