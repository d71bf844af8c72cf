"""What a huddle shows, gathered once for its screen, its slip and ``kiosk huddle``.

:func:`gather` reads the data folder (call it off the UI thread); :func:`huddle_sections` words it
in the active language as short lines, readable from two metres at 80 columns. Nothing here
names a person: no reporter, no owner, no author of an entry (SPEC section 2, "context stays
inside the room"), since the screen is read by the whole crew and the slip goes on the board.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.core.huddle import Candidate, Huddle, Shared, Window, current, in_window, proposals, shared_refs, window
from kiosk.core.records import KINDS, Record
from kiosk.core.teams import Team, TeamLookFor
from kiosk.core.text import fold, shorten
from kiosk.core.trends import SIGNAL_DAYS, WeakSignal, compute
from kiosk.core.work import EntryKind, WorkItem
from kiosk.i18n import N_, _, ngettext
from kiosk.views.dates import show_date
from kiosk.views.labels import kind_label
from kiosk.views.work import ENTRY_LABELS

if TYPE_CHECKING:
    from kiosk.storage import Repository

#: A line of the huddle fits 80 columns with the screen's padding and an indent.
LINE = 70
#: At most this many "what happened" lines (the newest), work items, and entries of each.
HAPPENED_LINES, WORK_LINES, ENTRY_LINES = 4, 4, 2

#: What a huddle can share (a work item's entry, or a look-for).
SHARE_LABELS = {"lesson": ENTRY_LABELS[EntryKind.LESSON], "win": ENTRY_LABELS[EntryKind.WIN],
                "look_for": N_("Look for")}


@dataclass(frozen=True)
class HuddleView:
    """Everything one huddle of ``area`` shows, as of ``now``."""

    area: str
    now: datetime
    span: Window
    #: The huddle under way (None: ``kiosk huddle`` reads without starting one).
    huddle: Huddle | None
    #: The area's records that happened in the window, oldest first.
    records: tuple[Record, ...]
    #: The area's open work items, the newest first.
    items: tuple[WorkItem, ...]
    signals: tuple[WeakSignal, ...]
    #: The area's follow-ups due today or overdue (records, then Learning Teams' changes).
    follow_ups: tuple[Record, ...]
    changes: tuple[tuple[Team, int], ...]
    #: Look-fors shown in the area today: records' (shared with every area), then Learning
    #: Teams' and work items' debriefs'.
    look_fors: tuple[Record, ...]
    team_look_fors: tuple[tuple[Team | WorkItem, TeamLookFor], ...]
    #: The learnings not shared yet, in the order the kiosk proposes them.
    proposals: tuple[Candidate, ...]
    #: The pages (records, teams, work items) of the learnings shared in this huddle, by id,
    #: for their QR.
    pages: dict[str, Record | Team | WorkItem]

    @property
    def shared(self) -> tuple[Shared, ...]:
        return self.huddle.shared if self.huddle is not None else ()

    def look_for_pages(self) -> list[tuple[str, Record | Team | WorkItem]]:
        """Each look-for shown in the area once (several records may carry the same line), with
        the page its QR opens: records' first (the newest first), then Learning Teams' and work
        items'."""
        found: dict[str, tuple[str, Record | Team | WorkItem]] = {}
        for record in self.look_fors:
            if record.look_for is not None:
                found.setdefault(fold(record.look_for.text), (record.look_for.text, record))
        for team, line in self.team_look_fors:
            found.setdefault(fold(line.text), (line.text, team))
        return list(found.values())


def gather(repo: Repository, area: str, now: datetime, *, huddle: Huddle | None = None,
           started: bool = True) -> HuddleView:
    """The huddle of ``area`` now. ``huddle``: the one under way; ``started=False`` (the
    command line) reads the one opening would continue, if any, without starting one."""
    today = now.date()
    huddles = repo.huddles(area)
    if huddle is None and not started:
        huddle = current(huddles, area, now)
    span = window(huddles, area, now)
    since = min(span.since.date(), today - timedelta(days=SIGNAL_DAYS))
    recent = repo.records_since(since.isoformat())
    records = tuple(r for r in recent if r.area == area and in_window(r, span))
    signals = tuple(s for s in compute(recent, today, weeks=1).signals if s.area == area)
    follow_ups = tuple(r for r in repo.follow_ups_until(today) if r.area == area)
    changes = tuple((team, i) for team, i in repo.team_changes_due(today) if team.area == area)
    items = tuple(item for item in repo.open_work_items(area) if item.area == area)
    candidates = repo.huddle_candidates(area, today)
    fresh = tuple(proposals(candidates, shared_refs(huddles, area)))
    pages: dict[str, Record | Team | WorkItem] = {}
    for shared in huddle.shared if huddle is not None else ():
        page = repo.get(shared.source) or repo.team(shared.source) or repo.work_item(shared.source)
        if page is not None:
            pages[shared.source] = page
    return HuddleView(area, now, span, huddle, records, items, signals, follow_ups, changes,
                      tuple(repo.look_fors(today)),
                      (*repo.team_look_fors(area, today), *repo.work_look_fors(area, today)), fresh, pages)


# -- words --------------------------------------------------------------------------------------


def share_label(kind: str) -> str:
    return _(SHARE_LABELS.get(kind, kind))


def window_line(span: Window) -> str:
    if span.capped:
        return _("What happened in the last 7 days")
    if span.after_huddle:
        return _("What happened since the last huddle ({when})").format(
            when=show_date(span.since, with_time=True))
    return _("What happened in the last 24 hours")


def _bullet(text: str, width: int = LINE) -> str:
    return "- " + shorten(text, width)


def happened_lines(view: HuddleView) -> list[str]:
    if not view.records:
        return [_("Nothing was reported.")]
    kinds = Counter(r.kind for r in view.records)
    lines = [" · ".join(f"{kind_label(kind)} {kinds[kind]}" for kind in KINDS if kinds[kind])]
    lines += [_bullet(f"{kind_label(r.kind)}: {r.what_happened}")
              for r in reversed(view.records[-HAPPENED_LINES:])]
    left = len(view.records) - HAPPENED_LINES
    if left > 0:
        lines.append(_("and {n} more").format(n=left))  # (the same for 1 and many)
    return lines


def work_lines(view: HuddleView) -> list[str]:
    lines = []
    for item in view.items[:WORK_LINES]:
        lines.append(_bullet(f"{item.id} {item.title}"))
        lines += ["  " + shorten(f"{_(ENTRY_LABELS[e.kind])}: {e.text}", LINE - 2)
                  for e in reversed(item.entries[-ENTRY_LINES:])]
    return lines or [_("No open work items.")]


def signal_lines(view: HuddleView) -> list[str]:
    return [_bullet(ngettext("{n} surprise or near miss in 30 days", "{n} surprises or near misses in 30 days",
                             s.count).format(n=s.count)) for s in view.signals] or [_("None.")]


def due_lines(view: HuddleView) -> list[str]:
    today = view.now.date()
    lines = []
    for record in view.follow_ups:
        late = record.follow_up_date is not None and record.follow_up_date < today
        action = record.review.action.text if record.review is not None else record.what_happened
        lines.append(_bullet(f"{record.id} {action}" + (" " + _("(overdue)") if late else "")))
    for team, index in view.changes:
        change = team.changes[index]
        late = change.follow_up_date < today.isoformat()
        lines.append(_bullet(f"{team.id} {change.action.text}" + (" " + _("(overdue)") if late else "")))
    return lines or [_("None due.")]


def look_for_lines(view: HuddleView) -> list[str]:
    return [_bullet(text) for text, _page in view.look_for_pages()] or [_("None.")]


def proposal_lines(candidate: Candidate | None) -> list[str]:
    """The learning proposed, as the person who shares it reads it aloud."""
    if candidate is None:
        return [_("No learning of this area is waiting to be shared. Tell one thing that went well today.")]
    return [f"{share_label(candidate.kind)} ({candidate.source}):", shorten(candidate.text, 2 * LINE)]


def huddle_sections(view: HuddleView) -> list[tuple[str, list[str]]]:
    """(heading, lines) of everything but the learning to share, in the order a huddle goes."""
    return [
        (window_line(view.span), happened_lines(view)),
        (_("Work under way"), work_lines(view)),
        (_("Weak signals"), signal_lines(view)),
        (_("Follow-ups due"), due_lines(view)),
        (_("Look for"), look_for_lines(view)),
    ]


def huddle_text(view: HuddleView) -> str:
    """The whole huddle as plain text (``kiosk huddle AREA``)."""
    lines = [_("Huddle: {area}").format(area=view.area), show_date(view.now, with_time=True), ""]
    for heading, body in huddle_sections(view):
        lines += [heading.upper(), *body, ""]
    lines.append(_("One learning to share").upper())
    lines += proposal_lines(view.proposals[0] if view.proposals else None)
    if view.shared:
        lines += ["", _("Shared in this huddle").upper()]
        lines += [_bullet(f"{share_label(s.kind)}: {s.text}") for s in view.shared]
    return "\n".join(lines) + "\n"


def huddle_json(view: HuddleView) -> dict[str, Any]:
    """The huddle as data (``kiosk huddle AREA --json``), no names as on the screen; the
    learnings to share in the order the kiosk proposes them."""
    today = view.now.date()
    due = [{"id": r.id, "action": r.review.action.text if r.review else r.what_happened,
            "due": r.follow_up_date.isoformat() if r.follow_up_date else "",
            "overdue": bool(r.follow_up_date and r.follow_up_date < today)} for r in view.follow_ups]
    due += [{"id": team.id, "action": team.changes[i].action.text, "due": team.changes[i].follow_up_date,
             "overdue": team.changes[i].follow_up_date < today.isoformat()} for team, i in view.changes]
    return {
        "area": view.area, "at": view.now.isoformat(timespec="seconds"),
        "since": view.span.since.isoformat(timespec="seconds"), "since_last_huddle": view.span.after_huddle,
        "huddle": view.huddle.id if view.huddle is not None else None,
        "reported": dict(Counter(r.kind.value for r in view.records)),
        "what_happened": [{"id": r.id, "kind": r.kind.value, "text": r.what_happened} for r in view.records],
        "work_items": [{"id": item.id, "title": item.title,
                        "entries": [{"kind": e.kind.value, "text": e.text} for e in item.entries[-ENTRY_LINES:]]}
                       for item in view.items],
        "weak_signals": [{"count": s.count, "ids": list(s.ids)} for s in view.signals],
        "follow_ups_due": due,
        "look_fors": [{"text": text, "id": page.id} for text, page in view.look_for_pages()],
        "to_share": [{"ref": c.ref, "kind": c.kind, "text": c.text, "source": c.source} for c in view.proposals],
        "shared": [{"ref": s.ref, "kind": s.kind, "text": s.text, "source": s.source} for s in view.shared],
    }
