"""Print jobs: stored before they are sent, sent by one worker thread, with plain outcomes.

A job's life: ``queued → sending → sent | failed | unknown``. It is stored (durably, in the
``print_jobs`` table) before any byte goes to the printer and after each change, so a job
cut short by a crash or a power cut is found at the next start as *unknown* — printed or
not, nobody knows — and never silently sent again. *failed* means nothing was printed and
Retry is safe; *unknown* means the kiosk must ask before printing again, and a reprint is
marked as a copy so a late original and the reprint can be told apart (PITFALLS 2.6).

The slip is laid out when the job is sent, from the record as it is then, in the language the
job was asked in.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.core.records import UPCOMING_DAYS
from kiosk.printing import slips
from kiosk.printing.devices import Delivered, PrintFailure, deliver, parse_target, time_allowed
from kiosk.printing.settings import PrinterConfig, SpoolSettings
from kiosk.storage import Repository

log = logging.getLogger(__name__)


class JobState(StrEnum):
    """Where a print job is: ``queued → sending → sent | failed | unknown``."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


FINISHED = frozenset({JobState.SENT, JobState.FAILED, JobState.UNKNOWN})
#: Jobs that may have put paper out: a later job for the same slip is a copy.
_MAYBE_PRINTED = frozenset({JobState.SENT, JobState.UNKNOWN})
#: Finished jobs kept in the data folder (older ones are dropped at start).
KEEP_JOBS = 500
PRINTS_FOLDER = "prints"


@dataclass(frozen=True)
class PrintJob:
    """One slip to print, and what became of it."""

    number: int
    slip: str  # slips.SLIP_KINDS
    records: tuple[str, ...] = ()
    language: str = "es_AR"
    printer: str = "preview"
    state: JobState = JobState.QUEUED
    attempts: int = 0
    copy: int = 0  # 0: the original; n: the nth copy
    created_at: str = ""
    updated_at: str = ""
    problem: str = ""  # PrintFailure.code of the last attempt
    detail: str = ""  # the technical reason, for the log and the admin
    note: str = ""  # e.g. paper_low
    file: str = ""  # preview mode: where the slip was saved
    by: str = ""
    until: str = ""  # follow-up list: up to this date
    maybe_printed: int = 0  # attempts of this job that may have put paper out

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["records"] = list(self.records)
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> PrintJob:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in doc.items() if k in known}
        values["records"] = tuple(values.get("records", ()))
        if "state" in values:
            values["state"] = JobState(values["state"])
        return cls(**values)


Listener = Callable[[PrintJob], None]


class PrintSpooler:
    """The one printer worker of a kiosk (or of one ``kiosk print`` command)."""

    def __init__(
        self,
        repo: Repository | None,
        config: SpoolSettings,
        folder: Path,
        clock: Callable[[], datetime],
        *,
        printer: PrinterConfig | None = None,
        on_change: Listener | None = None,
        store_jobs: bool = True,
    ) -> None:
        self.repo = repo
        self.config = config
        self.printer = printer or config.printer
        self.folder = Path(folder)
        self.clock = clock
        self.on_change = on_change or (lambda job: None)
        self.store_jobs = store_jobs
        self._lock = threading.Lock()
        self._jobs: dict[int, PrintJob] = {}
        #: Invitations as printed, with their new codes, by job number (never stored).
        self._issued: dict[int, slips.Slip] = {}
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._load()

    # -- the jobs ------------------------------------------------------------------------

    def _load(self) -> None:
        """Jobs from earlier runs. One left *sending* may have printed: it becomes unknown; one
        left *queued* was never sent: it becomes failed, to be retried by a person."""
        docs = self.repo.print_jobs() if self.repo is not None else {}
        jobs = {n: PrintJob.from_doc(doc) for n, doc in docs.items()}
        stamp = self._now()
        for number, job in jobs.items():
            if job.state == JobState.SENDING:
                jobs[number] = replace(job, state=JobState.UNKNOWN, problem="interrupted", updated_at=stamp,
                                       maybe_printed=job.maybe_printed + 1)
            elif job.state == JobState.QUEUED:
                jobs[number] = replace(job, state=JobState.FAILED, problem="interrupted", updated_at=stamp)
        self._jobs = jobs
        if not self.store_jobs or self.repo is None:
            return
        for number, job in jobs.items():
            if docs[number] != job.to_doc():
                self.repo.put_print_job(number, job.to_doc())
        finished = sorted(n for n, job in jobs.items() if job.finished)
        old = finished[: max(0, len(finished) - KEEP_JOBS)]
        if old:
            self.repo.remove_print_jobs(old)
            for number in old:
                del self._jobs[number]

    def issued(self, number: int) -> slips.Slip | None:
        """The invitations job ``number`` printed, with the codes it made (this run only)."""
        with self._lock:
            return self._issued.get(number)

    def job(self, number: int) -> PrintJob | None:
        with self._lock:
            return self._jobs.get(number)

    def jobs(self) -> list[PrintJob]:
        with self._lock:
            return [self._jobs[n] for n in sorted(self._jobs)]

    def last_job(self, slip: str, records: tuple[str, ...]) -> PrintJob | None:
        """The newest job for this slip of these records, if any."""
        with self._lock:
            numbers = [n for n, job in self._jobs.items() if job.slip == slip and job.records == tuple(records)]
            return self._jobs[max(numbers)] if numbers else None

    def next_copy(self, slip: str, records: tuple[str, ...], *, excluding: int = 0) -> int:
        """The copy number the next print of this slip gets (0: it is the first)."""
        if slip not in ("receipt", "review"):
            return 0
        with self._lock:
            return sum(1 for n, job in self._jobs.items()
                       if n != excluding and job.slip == slip and job.records == records
                       and job.state in _MAYBE_PRINTED)

    # -- asking ---------------------------------------------------------------------------

    def request(self, slip: str, records: tuple[str, ...] = (), *, language: str, by: str = "operator",
                until: date | None = None) -> PrintJob:
        """Queue a slip; returns at once (the worker stores it, then sends it)."""
        if slip not in slips.SLIP_KINDS:
            raise ValueError(slip)
        stamp = self._now()
        with self._lock:
            number = max(self._jobs, default=0) + 1
            job = PrintJob(
                number=number, slip=slip, records=tuple(records), language=language,
                printer=self.printer.spec, created_at=stamp, updated_at=stamp, by=by,
                until=(until or self._until()).isoformat() if slip == "followups" else "",
            )
            self._jobs[number] = job
        self.on_change(job)
        self._queue.put(number)
        return job

    def retry(self, number: int) -> PrintJob:
        """Send a finished job again (the screen asks first when its outcome was unknown)."""
        with self._lock:
            job = self._jobs[number]
            if not job.finished:
                return job
            job = replace(job, state=JobState.QUEUED, problem="", detail="", note="", updated_at=self._now(),
                          printer=self.printer.spec)
            self._jobs[number] = job
        self.on_change(job)
        self._queue.put(number)
        return job

    def confirm(self, number: int) -> PrintJob | None:
        """A person saw the slip of an *unknown* job come out: it is sent. (A durable write.)"""
        job = self.job(number)
        if job is None or job.state != JobState.UNKNOWN:
            return job
        job = self._update(job, state=JobState.SENT, note="confirmed")
        self._save(job)
        return job

    def reconfigure(self, config: SpoolSettings) -> None:
        """New settings from the admin screen (the printer itself changes only at restart)."""
        self.config = config

    def layout(self, job: PrintJob, *, copy: int | None = None, issue: bool = False) -> slips.Slip:
        """The slip of ``job`` as it would print now (the preview screen shows this)."""
        now = self.clock()
        paper = slips.Paper(columns=self.printer.columns, code_page=self.printer.code_page,
                            language=job.language, base_url=self.config.link_base_url)
        copy = job.copy if copy is None else copy
        if job.slip == "test":
            return slips.test_slip(paper, now, printer=self.printer.spec, profile=self.printer.profile)
        repo = self.repo
        if repo is None:  # (only a test slip prints without the data)
            raise PrintFailure("missing", "the data could not be read")
        if job.slip == "followups":
            until = date.fromisoformat(job.until) if job.until else self._until()
            return slips.follow_up_list(repo.follow_ups_until(until), paper, now, until=until,
                                        changes=repo.team_changes_due(until))
        if job.slip == "invitations":
            return self._invitations(job, paper, now, issue=issue)
        if job.slip == "lookback":
            return self._look_back(job, paper, now)
        if job.slip == "huddle":  # ``records``: the area (a huddle prints what it shows now)
            from kiosk.views.huddle import gather

            if not job.records:
                raise PrintFailure("missing", "no area")
            return slips.huddle_slip(gather(repo, job.records[0], now, started=False), paper, now)
        if job.slip in slips.TEAM_SLIPS:
            team = repo.team(job.records[0]) if job.records else None
            if team is None:
                raise PrintFailure("no_team", f"no team {job.records[:1]}")
            return (slips.soak_slip if job.slip == "soak" else slips.story_slip)(team, paper, now)
        record = repo.get(job.records[0]) if job.records else None
        if record is None:
            raise PrintFailure("missing", f"no record {job.records[:1]}")
        if job.slip == "receipt":
            return slips.receipt(record, paper, now, copy=copy)
        try:
            return slips.review_page(record, paper, now, copy=copy)
        except ValueError as error:
            raise PrintFailure("no_review", str(error)) from error

    def _look_back(self, job: PrintJob, paper: slips.Paper, now: datetime) -> slips.Slip:
        """A work item's look back, as found now: ``job.records`` is the work item's id."""
        from kiosk.views.work import look_back

        repo = self.repo
        item = repo.work_item(job.records[0]) if repo is not None and job.records else None
        if repo is None or item is None:
            raise PrintFailure("missing", f"no work item {job.records[:1]}")
        found = look_back(repo, item)
        pages = {thing.ref: page for thing in found
                 if (page := repo.get(thing.ref) or repo.team(thing.ref) or repo.work_item(thing.ref)) is not None}
        return slips.look_back_slip(item, found, pages, paper, now)

    def _invitations(self, job: PrintJob, paper: slips.Paper, now: datetime, *, issue: bool) -> slips.Slip:
        """An after-action review's invitations: ``job.records`` is the review's id, then the
        positions of the participants to invite (none: everyone whose account is still to
        come). Codes exist only as digests, so a printed invitation gets a new code, which
        replaces the one before (a lost slip is replaced by printing it again); a preview shows
        the slip with its codes hidden and issues none."""
        repo = self.repo
        aar = repo.aar(job.records[0]) if repo is not None and job.records else None
        if aar is None:
            raise PrintFailure("missing", f"no after-action review {job.records[:1]}")
        if aar.phase != "accounts":
            raise PrintFailure("session_open", f"{aar.id} is past its accounts")
        chosen = [int(n) for n in job.records[1:] if n.isdigit() and int(n) < len(aar.participants)] or [
            i for i, person in enumerate(aar.participants) if person.account is None]
        codes: dict[int, str] = {}
        if issue and repo is not None:
            for index in chosen:
                aar, codes[index] = repo.replace_aar_code(aar.id, index, by=job.by or "operator")
        return slips.invitations(aar, chosen, codes, paper, now)

    def preview(self, slip: str, records: tuple[str, ...] = (), *, language: str,
                until: date | None = None) -> slips.Slip:
        """The slip a new job would print, copy mark included."""
        job = PrintJob(number=0, slip=slip, records=tuple(records), language=language,
                       until=(until or self._until()).isoformat() if slip == "followups" else "")
        return self.layout(job, copy=self.next_copy(slip, job.records))

    # -- sending --------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="printer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            number = self._queue.get()
            if number is None:
                return
            try:
                self.process(number)
            except Exception:
                log.exception("print job %s failed unexpectedly", number)

    def process(self, number: int) -> PrintJob:
        """Store, send and store the outcome of one queued job (the worker's whole task; the
        command line calls it directly). Returns the job as it ended."""
        job = self.job(number)
        assert job is not None
        try:
            self._save(job)  # durable before anything is sent
        except Exception as error:
            return self._finish(job, JobState.FAILED, PrintFailure("storage", str(error)))
        copy = 0
        if job.slip in ("receipt", "review"):
            copy = self.next_copy(job.slip, job.records, excluding=number) + job.maybe_printed
        job = self._update(job, state=JobState.SENDING, attempts=job.attempts + 1, copy=copy)
        try:
            self._save(job)
        except Exception as error:
            return self._finish(job, JobState.FAILED, PrintFailure("storage", str(error)))
        try:
            slip = self.layout(job, issue=True)
            if job.slip == "invitations":  # its codes exist nowhere else: the screen may show them
                with self._lock:
                    self._issued[number] = slip
            data = self.render(slip)
            delivered = self._deliver_in_time(job, data)
        except PrintFailure as failure:
            return self._finish(job, JobState.UNKNOWN if failure.maybe_printed else JobState.FAILED, failure)
        except Exception as error:
            log.exception("print job %s", number)
            return self._finish(job, JobState.FAILED, PrintFailure("setup", repr(error)))
        return self._finish(job, JobState.SENT, None, delivered)

    def render(self, slip: slips.Slip) -> bytes:
        from kiosk.printing.escpos_out import Rendering, render

        return render(slip, Rendering(profile=self.printer.profile, native_qr=self.printer.native_qr))

    def _deliver_in_time(self, job: PrintJob, data: bytes) -> Delivered:
        """``deliver`` with a hard deadline: each step has its own timeout, and this catches a
        driver that ignores them (the thread is then left behind; the job is unknown). A slow
        serial line adds the job's time on the wire (``time_allowed``)."""
        target = parse_target(self.printer.spec)
        preview = self.folder / PRINTS_FOLDER / _file_name(job)
        outcome: list[Delivered | BaseException] = []

        def send() -> None:
            try:
                outcome.append(deliver(data, target, profile=self.printer.profile,
                                       timeout=self.printer.timeout,
                                       check_status=self.printer.check_status, preview_file=preview))
            except BaseException as error:
                outcome.append(error)

        sender = threading.Thread(target=send, name=f"print-{job.number}", daemon=True)
        sender.start()
        sender.join(time_allowed(target, len(data), self.printer.timeout))
        if not outcome:
            raise PrintFailure("stuck", "the printer did not finish in time", maybe_printed=True)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _finish(self, job: PrintJob, state: JobState, failure: PrintFailure | None,
                delivered: Delivered | None = None) -> PrintJob:
        changes: dict[str, Any] = {"state": state}
        if state in _MAYBE_PRINTED:
            changes["maybe_printed"] = job.maybe_printed + 1
        if failure is not None:
            changes.update(problem=failure.code, detail=failure.detail)
        if delivered is not None:
            changes.update(note=delivered.note, file=delivered.path)
        job = self._update(job, **changes)
        log.info("print job %s (%s %s) on %s: %s %s", job.number, job.slip, ",".join(job.records),
                 job.printer, state, failure or "")
        try:
            self._save(job)
        except Exception:
            log.exception("could not store the outcome of print job %s", job.number)
        return job

    def _update(self, job: PrintJob, **changes: Any) -> PrintJob:
        job = replace(job, updated_at=self._now(), **changes)
        with self._lock:
            self._jobs[job.number] = job
        self.on_change(job)
        return job

    def _save(self, job: PrintJob) -> None:
        if self.store_jobs and self.repo is not None:
            self.repo.put_print_job(job.number, job.to_doc())

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _until(self) -> date:
        return self.clock().date() + timedelta(days=UPCOMING_DAYS)


def _file_name(job: PrintJob) -> str:
    # (a huddle's slip names its area, which may hold any letter: only ids' characters stay)
    tail = "-" + re.sub(r"[^0-9A-Za-z-]+", "_", job.records[0]) if len(job.records) == 1 else ""
    return f"{job.number:06d}-{job.slip}{tail}-{job.attempts}.bin"
