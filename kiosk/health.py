"""The kiosk's health at a glance: data, disk, backups, printer, log (admin screen and
``kiosk check``), and the low-disk warning Home shows before the disk is full."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.i18n import N_, _, language, ngettext

#: Home warns below this much free space on the data folder's disk.
LOW_DISK_MB = 200


#: A print job's state, in words (the printer screen's list and Health).
JOB_STATES = {
    "queued": N_("waiting"),
    "sending": N_("printing"),
    "sent": N_("printed"),
    "failed": N_("not printed"),
    "unknown": N_("not confirmed"),
}

#: The kinds of printer setting (``[printer] spec``), in words; ``{where}`` is the rest of it.
PRINTER_KINDS = {
    "preview": N_("none, preview only (slips are saved as files)"),
    "network": N_("network, {where}"),
    "usb": N_("USB, {where}"),
    "serial": N_("serial port, {where}"),
    "file": N_("writes to the file {where}"),
    "cups": N_("CUPS, {where}"),
}


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    ok: bool = True
    hint: str = ""  # what to do about it, on a line of its own

    def line(self) -> str:
        """As ``kiosk check`` and the Health screen show it: flagged with ``!`` when not OK."""
        line = ("  " if self.ok else "! ") + f"{self.label}: {self.value}"
        return line + (f"\n    {self.hint}" if self.hint else "")


def decimal(value: float, places: int = 1) -> str:
    """A number with at most ``places`` decimals, written the local way (5,1 in Spanish)."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if language() == "es_AR" else text


def free_disk(mb: float) -> str:
    """Free space as people read it: 850 MB, 5,1 GB (one decimal under 10 GB), 84 GB."""
    if mb < 1000:
        return _("{amount} MB").format(amount=f"{mb:.0f}")
    gb = mb / 1000  # (decimal units, as disks are sold and as free_mb counts)
    return _("{amount} GB").format(amount=decimal(gb, 1 if gb < 9.95 else 0))


def printer_words(spec: str) -> str:
    """The printer setting (``network:10.0.0.5:9100``) as an admin says it."""
    kind, _sep, where = spec.partition(":")
    if kind not in PRINTER_KINDS:
        return spec
    return _(PRINTER_KINDS[kind]).format(where=where)


def job_state(state: str) -> str:
    return _(JOB_STATES[state]) if state in JOB_STATES else state


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


def matching_fact(config, status, learned: tuple[int, int]) -> Fact:
    """How "have we seen this before?" matches: by meaning (the vectors made so far) or by
    words only (and why), and how many pairs the plant has taught it."""
    same, different = learned
    taught = _("learned: {same} same, {different} not the same").format(same=same, different=different)
    if not config.match_by_meaning:
        return Fact(_("Similar records"), _("by words only (match_by_meaning = false)") + " · " + taught)
    if status is None or status.state in ("waiting", "loading"):
        return Fact(_("Similar records"), _("loading the sentence model…") + " · " + taught)
    if status.state == "off":
        return Fact(_("Similar records"), _("by words only: the sentence model did not load ({reason})").format(
            reason=status.reason) + " · " + taught, False, hint=_("See the log file; reinstall the kiosk."))
    if status.done < status.total:
        return Fact(_("Similar records"), _("by meaning · vectors {done} of {total}, being made").format(
            done=status.done, total=status.total) + " · " + taught)
    return Fact(_("Similar records"), _("by meaning · vectors {done} of {total}").format(
        done=status.done, total=status.total) + " · " + taught)


def facts(folder: Path, config, *, healthy: bool, records: int, jobs: list, now: datetime,
          matching: Fact | None = None) -> list[Fact]:
    """What an admin needs to see, in the active language."""
    from kiosk.config import LOG_FILE
    from kiosk.views.dates import format_date
    from kiosk.views.labels import describe_print_problem

    free = free_mb(folder)
    out = [
        Fact(_("Data"), (_("every file reads correctly") if healthy else _("damaged: see 'kiosk check'"))
             + " · " + ngettext("{n} record", "{n} records", records).format(n=records), healthy),
        Fact(_("Free disk"), free_disk(free), free >= LOW_DISK_MB),
    ]
    path, when = last_backup(config.backup.dir)
    if when is None and config.backup.dir:
        out.append(Fact(_("Last backup"), _("none yet") + f" ({config.backup.dir})", False))
    elif when is None:
        # The admin must type this one in kiosk.toml, so the hint names the key.
        out.append(Fact(_("Last backup"), _("none yet") + " · " + _("no backup folder set"), False,
                        hint=_("Set it in kiosk.toml: [backup] dir")))
    else:
        days = (now - when).days
        out.append(Fact(_("Last backup"), f"{format_date(when, language(), with_time=True)} · {path}", days <= 2))
    printer = printer_words(config.printer.spec)
    out.append(Fact(_("Printer"), printer))
    if jobs:
        job = jobs[-1]
        state = describe_print_problem(job.problem, printer, job.detail) if job.problem and job.state != "sent" \
            else job_state(job.state)
        out.append(Fact(_("Last print job"), _("{state} ({when})").format(
            state=state, when=format_date(job.updated_at, language(), with_time=True)), job.state == "sent"))
    else:
        out.append(Fact(_("Last print job"), _("no print job yet")))
    if matching is not None:
        out.append(matching)
    out.append(Fact(_("Log file"), str(folder / LOG_FILE)))
    return out
