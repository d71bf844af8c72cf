"""What became of a print job, said so that someone at the kiosk (or at a shell) can act on it."""

from __future__ import annotations

from kiosk.i18n import _
from kiosk.printing.devices import parse_target
from kiosk.printing.spool import PrintJob
from kiosk.views.labels import describe_print_problem, slip_label


def describe_job(job: PrintJob) -> str:
    """One or two sentences on where a job is, in the active language."""
    try:
        where = parse_target(job.printer).describe()
    except ValueError:
        where = job.printer
    what = slip_label(job.slip)
    if job.state in ("queued", "sending"):
        return _("{slip}: printing…").format(slip=what)
    if job.state == "sent":
        if job.file:
            return _("{slip}: saved as {file} (preview mode: no printer is connected; this is "
                     "the slip it would print).").format(slip=what, file=job.file)
        text = _("{slip}: printed. Please take it from the printer.").format(slip=what)
        if job.note == "paper_low":
            text += " " + _("The paper roll is running low.")
        return text
    if job.state == "unknown":
        return _("{slip}: sent, but the printer did not confirm it. Did it come out? "
                 "Y: yes, it printed · N: no, print it again (marked as a copy).").format(slip=what)
    return (_("{slip}: not printed.").format(slip=what) + " "
            + describe_print_problem(job.problem, where, job.detail) + " "
            + _("R: try again."))
