"""``kiosk print`` and ``kiosk print-test``: one slip, sent now; the outcome is said plainly and
is the exit status."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk import i18n
from kiosk.cli.common import Args, store_args, system_clock
from kiosk.config import Config
from kiosk.i18n import _
from kiosk.printing.outcome import describe_job
from kiosk.printing.spool import PrintSpooler
from kiosk.storage import DataFolderBusy, Repository, StorageError, open_repository


def open_for_printing(config: Config, folder: Path, command: str, *, testing: bool = False,
                      ) -> tuple[Repository | None, bool] | None:
    """The data folder for one print command: (repository, whether its job is stored), or None
    after saying why not. While the kiosk runs, a read-only view (the job is not in its list);
    a test slip prints without the data."""
    repo: Repository | None = None
    store_jobs = True
    try:
        repo = open_repository(folder, clock=system_clock, writer=True, command=f"kiosk {command}",
                               **store_args(config))
    except DataFolderBusy:
        # The kiosk is running: print anyway from a read-only view; the job is not in its list.
        store_jobs = False
        print(_("The kiosk is running on this data folder: this slip is printed, but it is not "
                "added to the kiosk's list of print jobs."), file=sys.stderr)
        try:
            repo = open_repository(folder, clock=system_clock, writer=False, **store_args(config))
        except (StorageError, OSError) as exc:
            if not testing:
                print(_("Cannot read the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
                return None
    except (StorageError, OSError) as exc:
        if not testing:
            print(_("Cannot read the data in {folder}: {error}").format(folder=folder, error=exc), file=sys.stderr)
            return None
    return repo, store_jobs


def print_now(repo: Repository | None, config: Config, folder: Path, kind: str, records: tuple[str, ...], *,
              store_jobs: bool) -> int:
    """Send one slip now and say how it went; the exit status."""
    spooler = PrintSpooler(repo, config, folder, system_clock, store_jobs=store_jobs)
    job = spooler.process(spooler.request(kind, records, language=i18n.language(), by="command line").number)
    if job.state == "sent":
        print(describe_job(job))
        if job.file:
            print("\n".join(spooler.layout(job).text_lines()))
        return 0
    print(describe_job(job).replace(_("R: try again."), "").strip(), file=sys.stderr)
    if job.detail:
        print(f"({job.detail})", file=sys.stderr)
    return 1


def cmd_print(args: Args, config: Config, folder: Path) -> int:
    testing = args.command == "print-test"
    opened = open_for_printing(config, folder, args.command, testing=testing)
    if opened is None:
        return 1
    repo, store_jobs = opened
    try:
        records: tuple[str, ...] = ()
        if testing:
            kind = "test"
        elif args.followups:
            kind = "followups"
        else:
            if args.slip == "invitations":  # an after-action review's: each with a new code
                if not store_jobs:
                    print(_("The kiosk is running on this data folder: print the invitations from its screen "
                            "(a new code must be saved with each)."), file=sys.stderr)
                    return 1
                aar = repo.aar(args.id) if repo is not None else None
                if aar is None:
                    print(_("There is no after-action review {id}.").format(id=args.id), file=sys.stderr)
                    return 1
                kind, records = args.slip, (aar.id,)
            elif args.slip in ("soak", "story"):  # a Learning Team's slips
                team = repo.team(args.id) if repo is not None else None
                if team is None:
                    print(_("There is no Learning Team {id}.").format(id=args.id), file=sys.stderr)
                    return 1
                kind, records = args.slip, (team.id,)
            elif args.slip == "lookback":  # a work item's look back, to take to the line
                item = repo.work_item(args.id) if repo is not None else None
                if item is None:
                    print(_("There is no work item {id}.").format(id=args.id), file=sys.stderr)
                    return 1
                kind, records = args.slip, (item.id,)
            else:
                record = repo.get(args.id) if repo is not None else None
                if record is None:
                    print(_("There is no record {id}.").format(id=args.id), file=sys.stderr)
                    return 1
                kind, records = args.slip, (record.id,)
        return print_now(repo, config, folder, kind, records, store_jobs=store_jobs)
    finally:
        if repo is not None:
            repo.close()
