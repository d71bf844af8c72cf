"""A work item as pages (:class:`kiosk.views.onepage.Block`): its debrief — wins, opportunities,
lessons, applause, who took part — and the look back before it starts ("lo que ya aprendimos").

Both are the same blocks on the kiosk's screen, in the Markdown export and on a slip. Names of
who wrote an entry are for the kiosk and exports; slips never show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk import i18n
from kiosk.core.text import shorten
from kiosk.core.work import ENTRY_KINDS, LOOK_FOR, Entry, EntryKind, WorkItem
from kiosk.i18n import N_, _
from kiosk.views.dates import format_date
from kiosk.views.labels import FIELD_LABELS
from kiosk.views.onepage import ANONYMOUS, Block

WORK_ITEM = N_("Work item")
ENTRY_LABELS = {EntryKind.WIN: N_("Win"), EntryKind.OPPORTUNITY: N_("Opportunity"), EntryKind.LESSON: N_("Lesson")}
ENTRY_HEADINGS = {EntryKind.WIN: N_("Wins"), EntryKind.OPPORTUNITY: N_("Opportunities"),
                  EntryKind.LESSON: N_("Lessons")}
STATE_LABELS = {"open": N_("in progress"), "closed": N_("closed")}


def work_title(item: WorkItem, tr: Callable[[str], str] = _) -> str:
    return f"{item.id} · {tr(WORK_ITEM)} · {item.title}"


def entry_line(entry: Entry, *, show_names: bool = True, tr: Callable[[str], str] = _) -> str:
    """An entry as one line: its text, who (or anonymous), applause and what it became."""
    line = entry.text
    if show_names:
        line += f" ({entry.by or tr(ANONYMOUS)})"
    if entry.applause:
        line += " · " + tr("applauded ×{n}").format(n=entry.applause)
    if entry.became == LOOK_FOR:
        line += " → " + tr("look-for")
    elif entry.became:
        line += " → " + entry.became
    return line


def took_part(item: WorkItem, tr: Callable[[str], str] = _) -> str:
    """Who took part, as the debrief says it: people by name counted, the rest as entries
    without a name (an operator may write several)."""
    named, anonymous = item.people
    text = tr("{n} by name").format(n=named)
    if anonymous:
        text += " · " + tr("{n} entries without a name").format(n=anonymous)
    return text


def work_page(item: WorkItem, *, show_names: bool = True, translate: Callable[[str], str] | None = None,
              language: str = "") -> list[Block]:
    """The one-page debrief: the work, then wins, opportunities and lessons (each with its
    applause and what the debrief made of it), the applause, who took part, look-fors."""
    tr = translate or _
    language = language or i18n.language()
    area_label = FIELD_LABELS["area"]
    blocks = [Block("title", work_title(item, tr)),
              Block("field", item.area, tr(area_label)),
              Block("field", tr(STATE_LABELS.get(item.state, item.state)), tr("State"))]
    if item.starts or item.ends:
        blocks.append(Block("field", " – ".join(format_date(day, language) if day else "…"
                                                for day in (item.starts, item.ends)), tr("Dates")))
    if item.description:
        blocks.append(Block("text", item.description))
    for kind in ENTRY_KINDS:
        entries = item.entries_of(kind)
        blocks.append(Block("heading", f"{tr(ENTRY_HEADINGS[kind])} ({len(entries)})"))
        blocks += [Block("bullet", entry_line(e, show_names=show_names, tr=tr)) for e in entries] or [
            Block("text", "-")]
    blocks.append(Block("field", str(item.applause), tr("Applause")))
    blocks.append(Block("field", took_part(item, tr), tr("Took part")))
    for line in item.look_fors:
        areas = ", ".join(line.areas) if line.areas else tr("every area")
        blocks.append(Block("quote", f"{line.text} ({areas})", tr("Look for")))
    if item.closed_at:
        closed = format_date(item.closed_at, language, with_time=True)
        blocks.append(Block("field", f"{closed} · {item.closed_by}" if show_names else closed, tr("Closed")))
    return blocks


# -- looking back before the work starts ---------------------------------------------------------


@dataclass(frozen=True)
class LookBack:
    """One thing already learned like the work about to start."""

    kind: str  # "lesson", "win" (a work item's), "record", "team"
    ref: str  # the record's, team's or work item's id
    text: str
    change: str = ""  # the change agreed, if any
    worked: str = ""  # a record's last follow-up (FOLLOW_UP_WORKED) or a team change's state
    look_for: str = ""


def look_back(repo, item: WorkItem, *, limit: int = 3) -> list[LookBack]:
    """What the plant already learned like ``item`` (its title and description): the closed
    work items' lessons and wins, the records (with the change agreed and whether it worked)
    and the shared Learning Teams, by the matching of "seen this before?". Call it off the UI
    thread."""
    from kiosk.views.seen import look_up

    text = f"{item.title}. {item.description}".strip()
    found: list[LookBack] = []
    for other, index in repo.similar_entries(text, kinds=(EntryKind.LESSON, EntryKind.WIN), area=item.area,
                                             exclude=item.id, limit=limit, loose=True):
        entry = other.entries[index]
        found.append(LookBack(entry.kind.value, other.id, entry.text,
                              look_for=next((line.text for line in other.look_fors if line.text == entry.text), "")))
    for seen in look_up(repo, text, area=item.area):
        record = repo.get(seen.id)
        found.append(LookBack("record", seen.id, seen.what, seen.change, seen.worked,
                              record.look_for.text if record is not None and record.look_for else ""))
    for team in repo.similar_teams(text, area=item.area, limit=2, loose=True):
        change = team.changes[0] if team.changes else None
        found.append(LookBack("team", team.id, team.title, change.action.text if change else "",
                              change.state if change else "", team.look_fors[0].text if team.look_fors else ""))
    return found


LOOK_BACK_LABELS = {"lesson": N_("Lesson"), "win": N_("Win"), "record": N_("Record"), "team": N_("Learning Team")}
TEAM_CHANGE_WORKED = {"closed": N_("done"), "open": N_("not followed up yet"), "reopened": N_("did not do it")}


def look_back_lines(found: Sequence[LookBack], tr: Callable[[str], str] = _) -> list[tuple[str, str]]:
    """Each thing as (heading line, the lines under it), as the screen and the slip say it."""
    from kiosk.views.onepage import WORKED_LABELS

    lines = []
    for thing in found:
        head = f"{tr(LOOK_BACK_LABELS[thing.kind])} {thing.ref}: {thing.text}"
        under = []
        if thing.change:
            if thing.kind == "team":
                state = tr(TEAM_CHANGE_WORKED.get(thing.worked, thing.worked))
            else:
                state = tr(WORKED_LABELS[thing.worked]) if thing.worked else tr("not followed up yet")
            under.append(tr("Change: {action}").format(action=shorten(thing.change, 90)) + f" · {state}")
        if thing.look_for and thing.look_for != thing.text:
            under.append(tr("Look for: {text}").format(text=thing.look_for))
        lines.append((head, "\n".join(under)))
    return lines
