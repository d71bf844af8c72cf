"""A kiosk of a plant as a process of its own, driven line by line on standard input (the
plant hub's process tests): ``python -m tests.support.hub_kiosk FOLDER NAME SERIES CONFIG_TOML WALL_MS``.

Commands, one per line, each answered with a line starting ``ok``:
``wall +MS`` (its clock moves on), ``report KIND AREA TEXT`` (→ ``ok ID``), ``applaud ID``,
``draft ID BY TEXT`` (a review draft), ``sync`` (one round with the hub → ``ok PUSHED PULLED``),
``waiting`` (→ ``ok N``), ``quit``. Its clock is the one it is given, not the machine's: a
test can run it a week on, or a day ahead."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

from kiosk.config import load_config
from kiosk.core.records import ReportDraft, Review
from kiosk.hub.connect import connect
from kiosk.hub.sync import SyncWorker, sync_round
from kiosk.storage import open_repository

ART = timezone(timedelta(hours=-3))


def main() -> int:
    folder, _name, series, config_file, wall_ms = sys.argv[1:6]
    wall = [int(wall_ms)]
    config = load_config(config_file)
    repo = open_repository(folder, clock=lambda: datetime.fromtimestamp(wall[0] / 1000, ART),
                           id_series=int(series))
    worker = SyncWorker.for_repository(repo, config.hub)
    worker.hook.wall_ms = lambda: wall[0]
    print("ready", flush=True)
    for line in sys.stdin:
        verb, _, rest = line.rstrip("\n").partition(" ")
        if verb == "wall":
            wall[0] += int(rest)
            answer = "ok"
        elif verb == "report":
            kind, area, text = rest.split(" ", 2)
            answer = "ok " + repo.add_report(ReportDraft(kind=kind, area=area, what_happened=text), areas=None).id
        elif verb == "applaud":
            repo.applaud(rest)
            answer = "ok"
        elif verb == "draft":
            record_id, by, text = rest.split(" ", 2)
            repo.save_review_draft(record_id, Review(what_happened=text), by=by.replace("_", " "))
            answer = "ok"
        elif verb == "sync":
            with connect(config.hub, autocommit=True) as conn:
                done = sync_round(conn, worker.hook, worker.series)
            answer = f"ok {done.pushed} {done.pulled}"
        elif verb == "waiting":
            answer = f"ok {worker.hook.waiting()}"
        elif verb == "quit":
            break
        else:
            answer = f"error unknown command {verb!r}"
        print(answer, flush=True)
    worker.hook.flush_sent()
    repo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
