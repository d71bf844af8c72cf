"""The kiosk's health at a glance: data, disk, backups, printer, log (admin screen and
``kiosk check``), and the low-disk warning Home shows before the disk is full."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.i18n import _, ngettext

#: Home warns below this much free space on the data folder's disk.
LOW_DISK_MB = 200


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    ok: bool = True

    def line(self) -> str:
        """As ``kiosk check`` and the Health screen show it: flagged with ``!`` when not OK."""
        return ("  " if self.ok else "! ") + f"{self.label}: {self.value}"


def free_mb(folder: Path) -> float:
    try:
        return shutil.disk_usage(folder).free / 1e6
    except OSError:
        return 0.0


def low_disk(folder: Path) -> float | None:
    """Free MB when it is below the warning level, else None."""
    free = free_mb(folder)
    return free if free < LOW_DISK_MB else None


def last_backup(folder: str) -> tuple[str, datetime | None]:
    from kiosk.storage.backup import backups_in

    found = backups_in(Path(folder)) if folder else []
    if not found:
        return "", None
    newest = found[-1]
    return str(newest), datetime.fromtimestamp(newest.stat().st_mtime).astimezone()


def facts(folder: Path, config, *, healthy: bool, records: int, jobs: list, now: datetime) -> list[Fact]:
    """What an admin needs to see, in the active language."""
    from kiosk.config import LOG_FILE
    from kiosk.views.labels import describe_print_problem

    free = free_mb(folder)
    out = [
        Fact(_("Data"), (_("every file reads correctly") if healthy else _("damaged: see 'kiosk check'"))
             + " · " + ngettext("{n} record", "{n} records", records).format(n=records), healthy),
        Fact(_("Free disk"), _("{mb:.0f} MB").format(mb=free), free >= LOW_DISK_MB),
    ]
    path, when = last_backup(config.backup.dir)
    if when is None:
        out.append(Fact(_("Last backup"), _("none yet") + (f" ({config.backup.dir})" if config.backup.dir
                                                           else " · " + _("no [backup] dir set")), False))
    else:
        days = (now - when).days
        out.append(Fact(_("Last backup"), f"{when:%Y-%m-%d %H:%M} · {path}", days <= 2))
    printer = config.printer.spec
    if jobs:
        job = jobs[-1]
        state = job.state if job.state == "sent" else describe_print_problem(job.problem, printer, job.detail)
        out.append(Fact(_("Printer"), _("{printer} · last job: {state} ({when})").format(
            printer=printer, state=state, when=job.updated_at[:16].replace("T", " ")), job.state == "sent"))
    else:
        out.append(Fact(_("Printer"), _("{printer} · no job yet").format(printer=printer)))
    out.append(Fact(_("Log"), str(folder / LOG_FILE)))
    return out
