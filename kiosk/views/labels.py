"""Display names for the model's codes, and messages for its errors, in the active language.

One table per fact; screens, slips, exports and the command line all use these.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kiosk.core.records import REPORT_LIMITS, HistoryEntry, ValidationError
from kiosk.core.text import shorten
from kiosk.i18n import N_, _, language, ngettext
from kiosk.views.dates import format_date

KIND_LABELS = {
    "error": N_("Error"),
    "near_miss": N_("Near miss"),
    "surprise": N_("Surprise"),
    "win": N_("Win"),
}

KIND_HINTS = {
    "error": N_("Something went wrong"),
    "near_miss": N_("It almost went wrong"),
    "surprise": N_("Something unexpected"),
    "win": N_("Something went well"),
}

STATUS_LABELS = {
    "reported": N_("Waiting for review"),
    "in_review": N_("In review"),
    "action_open": N_("Change under way"),
    "follow_up_due": N_("Follow-up due"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
    "acknowledged": N_("Acknowledged"),
    "shared": N_("Shared"),
}

CONDITION_LABELS = {
    "process": N_("Process or procedure"),
    "equipment": N_("Equipment or tools"),
    "materials": N_("Materials"),
    "information": N_("Information or communication"),
    "environment": N_("Environment"),
    "workload": N_("Workload or time"),
    "training": N_("Training or knowledge"),
    "other": N_("Other"),
}

HISTORY_LABELS = {
    "reported": N_("reported"),
    "changed_elsewhere": N_("changed also at kiosk {kiosk}: {field} to “{value}”"),
    "review_draft_saved": N_("review draft saved"),
    "reviewed": N_("reviewed"),
    "acknowledged": N_("acknowledged"),
    "shared": N_("shared"),
    "look_for_added": N_("look-for added"),
    "follow_up_due": N_("follow-up due"),
    "followed_up": N_("followed up"),
    "applauded": N_("applauded"),
    "recurrence_noted": N_("recurrence noted"),
    "reopened_from": N_("reopened from an earlier cycle"),
    "linked": N_("linked as happening again"),
    "edited": N_("edited"),
    "team_opened": N_("Learning Team opened"),
    "note_added": N_("note added"),
    "idea_parked": N_("idea parked for Solve"),
    "soak_started": N_("Learn ended: soak started"),
    "solve_started": N_("Solve started"),
    "defence_added": N_("defence added"),
    "defence_removed": N_("defence removed"),
    "change_added": N_("change agreed"),
    "change_removed": N_("change taken back"),
    "share_started": N_("Solve ended: story being written"),
    "after_action_review": N_("after-action review held"),
}

#: What a Learning Team learns from.
USE_LABELS = {
    "work": N_("Work"),
    "change": N_("A change"),
    "event": N_("Events"),
}
USE_HINTS = {
    "work": N_("A task as it is really done, e.g. a changeover"),
    "change": N_("A new machine, rule or process: how will people adapt?"),
    "event": N_("One or more records, or a weak signal of several"),
}
#: Where a Learning Team is.
PHASE_LABELS = {
    "learn": N_("Learn"),
    "soak": N_("Soak"),
    "solve": N_("Solve"),
    "share": N_("Share"),
    "closed": N_("Shared"),
}
#: The lenses of a Learn note, and a reflection added while soaking.
LENS_LABELS = {
    "smooth": N_("Went smoothly"),
    "adapt": N_("Had to adapt"),
    "easy": N_("Made it easy"),
    "hard": N_("Made it hard"),
    "good_day": N_("A good day"),
    "bad_day": N_("A bad day"),
    "procedure": N_("The procedure says"),
    "actual": N_("We actually do"),
    "surprise": N_("Surprise"),
    "reflection": N_("Reflection while soaking"),
}
CHANGE_STATE_LABELS = {"open": N_("under way"), "closed": N_("closed"), "reopened": N_("reopened: back to Solve")}

FIELD_LABELS = {
    "id": N_("Id"),
    "kind": N_("Kind"),
    "area": N_("Area"),
    "station": N_("Station or machine"),
    "what_happened": N_("What happened"),
    "impact": N_("Impact"),
    "what_we_did": N_("What we did right away"),
    "reporter": N_("Name"),
    "occurred_at": N_("When it happened"),
    "created_at": N_("Reported"),
    "status": N_("Status"),
    "link_token": N_("Link token"),
    "applause": N_("Applause"),
    "record": N_("Record"),
    "pin": N_("PIN"),
    "action": N_("The action"),
    "owner": N_("Owner"),
    "deadline": N_("Deadline"),
    "follow_up_date": N_("Follow-up date"),
    "condition": N_("Condition"),
    "recurrence_note": N_("Why the change did not hold"),
    "work_as_imagined": N_("What the procedure says"),
    "work_as_done": N_("What we actually do"),
    "title": N_("Title"),
    "use": N_("Learning from"),
    "facilitator": N_("Facilitator"),
    "records": N_("Records"),
    "participants": N_("Participants"),
    "participant_count": N_("Participants"),
    "note": N_("The note"),
    "idea": N_("The idea"),
    "defence": N_("The defence"),
    "look_for": N_("Look-for line"),
    "notes": N_("Notes"),
    "changes": N_("Changes"),
    "defences": N_("Defences"),
    "lens": N_("Lens"),
    "phase": N_("Phase"),
    "after_action": N_("After-action review"),
    "answers": N_("The answers"),
    "accounts": N_("The accounts"),
    "supposed": N_("What was supposed to happen"),
    "actual": N_("What actually happened"),
    "did_why": N_("What I did, and why"),
    "helped": N_("What helped"),
    "hindered": N_("What got in the way"),
    "keep_change": N_("What I would keep or change"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


ACTOR_LABELS = {"operator": N_("an operator"), "import": N_("import"), "system": N_("the kiosk")}


def condition_label(category: str) -> str:
    return _(CONDITION_LABELS.get(category, category))


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def field_label(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def describe_error(error: ValidationError, *, today: date | None = None) -> str:
    """A sentence a person can act on, naming the field. ``today``: dates' examples are then
    in the future and written the local way (a screen knows the day; an import line does not)."""
    label = field_label(error.field)
    params = error.params
    code = error.code
    if code == "required":
        return _("{field} is required.").format(field=label)
    if code == "too_short":
        return _("{field} needs at least {min} characters.").format(field=label, **params)
    if code == "too_long":
        return _("{field} is too long: {length} characters, the limit is {max}.").format(
            field=label, **params
        )
    if code == "unknown" and error.field == "kind":
        return _("Unknown kind {value!r}: use error, near_miss, surprise or win.").format(**params)
    if code == "bad_pin":
        return _("A PIN is 4 to 8 digits.")
    if code == "exists" and error.field == "name":
        return _("There is already a supervisor named {value}.").format(**params)
    if code == "unknown" and error.field == "name":
        return _("There is no supervisor named {value}.").format(**params)
    if code == "last_admin":
        return _("{value} is the only admin and cannot be removed: add another admin first.").format(**params)
    if code == "unknown" and error.field == "area":
        return _("Unknown area {value!r}.").format(**params)
    if code == "unknown":
        return _("{field} has an unknown value {value!r}.").format(field=label, **params)
    if code == "unknown_field":
        return _("Unknown field {field!r}.").format(field=error.field)
    if code == "bad_datetime":
        return _("{field} is not a date and time like 2026-11-21T14:30:00-03:00.").format(
            field=label
        )
    if code == "invalid" and error.field == "id":
        return _("{value!r} is not a valid record id.").format(**params)
    if code == "exists":
        return _("A record with id {value} already exists.").format(**params)
    if code == "soaking":
        from kiosk.views.dates import show_date

        return _("The team is still soaking: Solve opens on {until}.").format(
            until=show_date(params.get("until", ""), with_time=True))
    if code == "wrong_phase":
        return _("That cannot be done while the team is in {phase}.").format(
            phase=_(PHASE_LABELS.get(params.get("phase", ""), "-")))
    if code == "too_many":
        return _("{field}: at most {max}.").format(field=label, **params)
    if code == "vague":
        return _("{field}: \"{phrase}\" asks people to try harder; say what will change instead.").format(
            field=label, **params)
    if code == "not_after_today":
        return _("{field} must be after today.").format(field=label)
    if code == "after_follow_up":
        from kiosk.views.dates import show_date

        return _("{field} must not be after the follow-up date ({follow_up}).").format(
            field=label, follow_up=show_date(params.get("follow_up", "")))
    if code == "bad_date":
        if today is not None:
            from kiosk.views.dates import example_date

            return _("{field} must be a date, e.g. {example}.").format(field=label, example=example_date(today))
        return _("{field} is not a date like 2026-11-21.").format(field=label)
    if code in ("not_text", "not_list", "not_object", "not_integer", "not_ascii", "not_flag"):
        return _("{field} has the wrong type.").format(field=label)
    return _("{field} is not valid.").format(field=label)


def limit_hint(name: str) -> str:
    """'Required, 10 to 600 characters' / 'Optional, up to 300 characters'."""
    limit = REPORT_LIMITS[name]
    if limit.required:
        return _("Required, {min} to {max} characters").format(min=limit.min_chars, max=limit.max_chars)
    return _("Optional, up to {max} characters").format(max=limit.max_chars)


def recovery_lines(report, *, repaired: bool = True) -> list[str]:
    """What opening the data found (and, for the writer, did), for people."""
    lines = []
    if report.restored_from and repaired:
        lines.append(_("The main data file was damaged. Restored the copy {copy} written at {when}, "
                       "then {count} later saves from the journal.").format(
            copy=report.restored_from, when=report.snapshot_written_at or "?", count=report.replayed))
    elif report.restored_from:
        lines.append(_("The main data file is damaged. The newest good copy is {copy}, written at "
                       "{when}, with {count} later saves in the journal.").format(
            copy=report.restored_from, when=report.snapshot_written_at or "?", count=report.replayed))
    for finding in report.damaged:
        lines.append(_("Damaged: {finding}").format(finding=describe_finding(finding)))
    for path in report.moved_aside:
        lines.append(_("The damaged file was kept at {path}").format(path=path))
    if report.missing_seqs:
        lines.append(_("{count} saves could not be recovered.").format(count=report.missing_seqs))
    lost_journal = any(f.file.startswith("journal-") and f.problem in ("missing", "cut_short") for f in report.damaged)
    if lost_journal and not report.missing_seqs:
        when = report.snapshot_written_at
        lines.append(_("Saves made after {when} may be lost: check the latest reports.").format(
            when=format_date(when, language(), with_time=True) if when else "?"))
    return lines


def describe_finding(finding) -> str:
    """One damaged file, in words (the technical detail stays in the log)."""
    if finding.problem == "missing":
        return _("{file} is missing").format(file=finding.file)
    if finding.problem == "damaged_lines":
        return ngettext("{file}: {count} save is damaged", "{file}: {count} saves are damaged",
                        finding.count).format(file=finding.file, count=finding.count)
    if finding.problem == "cut_short":
        return _("{file} is cut short").format(file=finding.file)
    return _("{file} cannot be read").format(file=finding.file)


def describe_storage_problem(error: Exception) -> str:
    """What went wrong with the data, for a message on screen."""
    import errno as errno_codes

    from kiosk.storage.errors import DataDamaged, NewerSchema, StorageError, StorageFull

    if isinstance(error, NewerSchema):
        return _("the data was written by a newer version of the kiosk (data version {found}, "
                 "this kiosk reads up to {supported})").format(found=error.found, supported=error.supported)
    if isinstance(error, DataDamaged):
        return _("the data is damaged and no good copy was found")
    if isinstance(error, StorageFull):
        return _("the disk is full")
    if isinstance(error, StorageError) and error.errno is not None:
        return _("system error {code}").format(code=errno_codes.errorcode.get(error.errno, error.errno))
    return type(error).__name__


# -- printing ---------------------------------------------------------------------------------

SLIP_LABELS = {
    "receipt": N_("Receipt"),
    "review": N_("One-page review"),
    "followups": N_("Follow-up list"),
    "test": N_("Test slip"),
    "soak": N_("Soak slip"),
    "story": N_("Learning Team story"),
    "invitations": N_("Invitations"),
    "lookback": N_("What we already learned"),
    "huddle": N_("Huddle slip"),
}

#: What went wrong with a print job, said so that someone at the kiosk can act on it.
PRINT_PROBLEMS = {
    "off": N_("The printer does not answer ({where}). Check that it is on and its cable is in."),
    "refused": N_("The printer ({where}) refused the connection: it may be busy with another job, "
                  "or the address or port is wrong."),
    "stuck": N_("The printer ({where}) is connected but not taking the slip: it may be stuck, "
                "out of paper or have its cover open."),
    "no_paper": N_("The printer is out of paper. Put in a new roll, then try again."),
    "cover_open": N_("The printer's cover is open. Close it, then try again."),
    "offline": N_("The printer says it is not ready (offline). Check its lights, then try again."),
    "not_found": N_("The printer was not found ({where}). Check the cable and the printer setting."),
    "permission": N_("The kiosk is not allowed to use the printer ({where}). The admin must give "
                     "it access (see the README, printers)."),
    "lost": N_("The connection to the printer ({where}) broke during the slip."),
    "setup": N_("The printer setting does not work: {detail}"),
    "storage": N_("The print job could not be saved, so nothing was sent: {detail}"),
    "missing": N_("That record does not exist."),
    "no_team": N_("That Learning Team does not exist."),
    "session_open": N_("The meeting of that after-action review has started: its codes no longer work, so "
                       "there is nothing to invite to."),
    "no_review": N_("That record has no finished review yet: print its receipt instead."),
    "interrupted": N_("The kiosk stopped before this slip was finished."),
}


def describe_print_problem(code: str, where: str = "", detail: str = "") -> str:
    template = PRINT_PROBLEMS.get(code, N_("The slip was not printed: {detail}"))
    return _(template).format(where=where, detail=detail or code)


def slip_label(kind: str) -> str:
    return _(SLIP_LABELS.get(kind, kind))


def history_line(entry: HistoryEntry, tr: Callable[[str], str] = _) -> str:
    """What one history entry says (after who and when): a superseded value names its kiosk,
    its field and the value, shortened to one line."""
    text = tr(HISTORY_LABELS[entry.what]) if entry.what in HISTORY_LABELS else entry.what
    if entry.what != "changed_elsewhere":
        return text
    field = entry.fields[0] if entry.fields else ""
    named = tr(FIELD_LABELS[field]) if field in FIELD_LABELS else field
    return text.format(kiosk=entry.by, field=named, value=shorten(entry.value, 120))
