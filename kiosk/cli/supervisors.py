"""``kiosk supervisor add|list|remove``: supervisors and their PINs, with the kiosk stopped."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.cli.common import Args, open_writer, system_clock
from kiosk.config import Config
from kiosk.core.records import ValidationError
from kiosk.core.supervisors import new_supervisor
from kiosk.i18n import _
from kiosk.storage import StorageError
from kiosk.views.labels import describe_error


def read_pin() -> str:
    """The PIN from the terminal (asked twice, not shown), or the first line of a pipe."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(_("PIN (4 to 8 digits): "))
        if getpass.getpass(_("The same PIN again: ")) != first:
            raise ValueError(_("The two PINs are different."))
        return first
    return sys.stdin.readline().strip()


def cmd_supervisor(args: Args, config: Config, folder: Path) -> int:
    repo = open_writer(config, folder, f"kiosk supervisor {args.action}")
    if repo is None:
        return 1
    try:
        if args.action == "list":
            now = system_clock()
            for supervisor in repo.supervisors():
                role = _("admin") if supervisor.admin else _("supervisor")
                locked = supervisor.locked_at(now)
                note = _(" (locked until {time})").format(time=locked.strftime("%H:%M")) if locked else ""
                print(f"{supervisor.name}\t{role}{note}")
            return 0
        if args.action == "remove":
            repo.remove_supervisor(args.name)
            print(_("Removed {name}.").format(name=args.name))
            return 0
        pin = read_pin()
        repo.add_supervisor(new_supervisor(args.name, pin, admin=args.admin, now=system_clock()))
        print(_("Added {name}.").format(name=args.name))
        return 0
    except ValidationError as exc:
        print(describe_error(exc), file=sys.stderr)
        return 1
    except (ValueError, StorageError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        repo.close()
