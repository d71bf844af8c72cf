"""'Have we seen this before?' as both the report and the review show it: up to three past
records like this one, with the change agreed on each and whether it worked."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.text import shorten
from kiosk.i18n import _, ngettext
from kiosk.views.dates import show_date

#: The keys that mark suggestion 1, 2 or 3 as the same thing.
SAME_KEYS = ("f5", "f6", "f7")


@dataclass(frozen=True)
class Seen:
    """A past record like the one at hand."""

    id: str
    area: str
    when: str
    what: str
    change: str
    worked: str  # FOLLOW_UP_WORKED of its last follow-up, or ""
    again: int  # records already linked as it happening again


def look_up(repo, text: str, *, area: str = "", station: str = "", exclude: str = "",
            linked: frozenset[str] = frozenset()) -> list[Seen]:
    """The suggestions for ``text`` (call it off the UI thread). Records already tied to
    ``exclude`` are left out: those in ``linked`` (the cycle it reopened, say) and those
    already marked as it happening again — suggesting them again only invites a second link."""
    seen = []
    for match in repo.similar(text, area=area, station=station, exclude=exclude):
        record = match.record
        if record is None or record.id in linked or (exclude and any(link.id == exclude for link in record.links)):
            continue
        review = record.review if record.review is not None and not record.review.draft else None
        seen.append(Seen(
            id=record.id, area=record.area, when=record.occurred_at[:10], what=record.what_happened,
            change=review.action.text if review else "",
            worked=record.follow_ups[-1].worked if record.follow_ups else "",
            again=repo.times_again(record.id)))
    return seen


@dataclass(frozen=True)
class Lesson:
    """A lesson a closed work item's debrief kept, like the text at hand."""

    item_id: str
    title: str
    text: str


def lessons_like(repo, text: str, *, area: str = "") -> list[Lesson]:
    """The closed work items' lessons most like ``text`` (call it off the UI thread)."""
    return [Lesson(item.id, item.title, item.entries[index].text)
            for item, index in repo.similar_lessons(text, area=area)]


def describe(seen: list[Seen], same_as: str, lessons: list[Lesson] | tuple[Lesson, ...] = ()) -> str:
    """The suggestions as lines, the one marked as the same thing ticked; then the lessons
    already learned like it (nothing to mark: they are there to be read)."""
    from kiosk.views.onepage import WORKED_LABELS

    lines = [_("Have we seen this before? If one of these is the same thing, press its key:")] if seen else []
    for key, item in zip(SAME_KEYS, seen, strict=False):  # at most three keys
        mark = "√ " if item.id == same_as else ""
        when = show_date(item.when) if item.when else "-"
        line = f"{mark}{key.upper()}  {item.id} · {item.area} · {when} — {shorten(item.what, 40)}"
        if item.change:
            line += "\n      " + _("Change: {action}").format(action=shorten(item.change, 44))
            line += " · " + (_(WORKED_LABELS[item.worked]) if item.worked else _("not followed up yet"))
        if item.again:
            line += " · " + ngettext("happened again {n} time", "happened again {n} times",
                                     item.again).format(n=item.again)
        lines.append(line)
    if same_as:
        lines.append(_("Marked as the same as {id}: it counts as happening again.").format(id=same_as))
    if lessons:
        lines.append(_("What we already learned in similar work:"))
        lines += [f"  • {shorten(lesson.text, 64)}\n    " + _("(work {id}: {title})").format(
            id=lesson.item_id, title=shorten(lesson.title, 44)) for lesson in lessons]
    return "\n".join(lines)
