"""The one-page view of a record, as data: the same page on the kiosk's screen, in the
Markdown export and on the phone page behind the QR code, each drawing it its own way.

``show_reporter`` (and the history, which names supervisors) is for supervisors and exports;
operators and phones never see names. Texts are in the active language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk import i18n
from kiosk.core.records import Record
from kiosk.i18n import N_, _
from kiosk.views.dates import format_date
from kiosk.views.labels import (
    ACTOR_LABELS,
    CONDITION_LABELS,
    FIELD_LABELS,
    HISTORY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
)

QUESTIONS = (N_("What happened?"), N_("Why did it happen?"), N_("What did we do?"),
             N_("What are we changing?"))
ANONYMOUS = N_("anonymous")
LOOK_FOR = N_("Look for")
HISTORY = N_("History")
FOLLOW_UPS = N_("Follow-ups")
DONE_LABELS = {"yes": N_("change made"), "partly": N_("change partly made"), "no": N_("change not made")}
WORKED_LABELS = {"yes": N_("it worked"), "too_early": N_("too early to tell"), "no": N_("it did not work")}
OUTCOME_LABELS = {"closed": N_("closed"), "extended": N_("extended to {date}"), "reopened": N_("reopened")}


@dataclass(frozen=True)
class Block:
    """One piece of the page. ``kind``: title, field (label + text), heading, text (a
    paragraph), line (continues the paragraph before it), bullet, note (label + text),
    noteline (a note continuing the one before), quote."""

    kind: str
    text: str
    label: str = ""


def one_page(record: Record, *, show_reporter: bool = True,
             translate: Callable[[str], str] | None = None, language: str = "") -> list[Block]:
    """``translate`` and ``language``: the gettext of one language (kiosk.i18n.translator) and
    its code, for a page made off the screen's thread, e.g. for a phone; by default the active
    language."""
    tr = translate or _
    language = language or i18n.language()

    def when(value: str) -> str:
        return format_date(value, language, with_time=True)

    def day(value: str) -> str:
        return format_date(value[:10], language) if value else "-"

    def label(table: dict[str, str], key: str) -> str:
        return tr(table[key]) if key in table else key

    def field_label(name: str) -> str:
        return label(FIELD_LABELS, name)

    blocks = [
        Block("title", f"{record.id} · {label(KIND_LABELS, record.kind)} · {record.area}"),
        Block("field", label(STATUS_LABELS, record.status), field_label("status")),
        Block("field", when(record.occurred_at), field_label("occurred_at")),
        Block("field", when(record.created_at), field_label("created_at")),
    ]
    if record.station:
        blocks.append(Block("field", record.station, field_label("station")))
    if show_reporter:
        blocks.append(Block("field", record.reporter or tr(ANONYMOUS), field_label("reporter")))
    blocks += [Block("heading", tr(QUESTIONS[0])), Block("text", record.what_happened)]
    if record.impact:
        blocks.append(Block("note", record.impact, field_label("impact")))
    review = record.review
    if review and review.recurrence_note:
        blocks.append(Block("note", review.recurrence_note, field_label("recurrence_note")))
    if review and not review.draft:
        blocks.append(Block("heading", tr(QUESTIONS[1])))
        blocks += [Block("bullet", f"{c.text} ({label(CONDITION_LABELS, c.category)})") for c in review.why] or [
            Block("bullet", "")]
        if review.work_as_imagined or review.work_as_done:
            blocks += [Block("note", review.work_as_imagined or "-", field_label("work_as_imagined")),
                       Block("noteline", review.work_as_done or "-", field_label("work_as_done"))]
        blocks += [Block("heading", tr(QUESTIONS[2])), Block("text", review.what_we_did or record.what_we_did or "-")]
        blocks += [Block("heading", tr(QUESTIONS[3])), Block("text", review.action.text or "-")]
        blocks.append(Block("text", tr("Owner: {owner} · Deadline: {deadline} · Follow-up: {follow_up}").format(
            owner=review.action.owner or "-", deadline=day(review.action.deadline),
            follow_up=day(review.follow_up_date))))
        if review.participants and show_reporter:  # names are for supervisors, like the reporter's
            blocks.append(Block("line", tr("Participants: {names}").format(names=", ".join(review.participants))))
        elif review.participant_count or review.participants:
            count = review.participant_count or len(review.participants)
            blocks.append(Block("line", tr("Participants: {count}").format(count=count)))
    elif record.what_we_did:
        blocks += [Block("heading", tr(QUESTIONS[2])), Block("text", record.what_we_did)]
    if record.follow_ups:
        blocks.append(Block("heading", tr(FOLLOW_UPS)))
        for follow_up in record.follow_ups:
            outcome = tr(OUTCOME_LABELS[follow_up.outcome]).format(date=day(follow_up.new_date))
            line = (f"{day(follow_up.at)} · {tr(DONE_LABELS[follow_up.done])} · "
                    f"{tr(WORKED_LABELS[follow_up.worked])} · {outcome}")
            if follow_up.happened_again:
                line += " · " + tr("it happened again")
            for part in (follow_up.reason, follow_up.notes):
                if part:
                    line += f" — {part}"
            blocks.append(Block("bullet", line))
    if record.look_for:
        blocks.append(Block("quote", record.look_for.text, tr(LOOK_FOR)))
    if show_reporter and record.history:  # who changed what is for supervisors, like names
        blocks.append(Block("heading", tr(HISTORY)))
        blocks += [Block("bullet", f"{when(h.at)} · {label(ACTOR_LABELS, h.by)} · "
                                   f"{label(HISTORY_LABELS, h.what)}")
                   for h in record.history]
    return blocks


def as_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    previous = ""
    for block in blocks:
        if block.kind == "title":
            lines += [f"## {block.text}", ""]
        elif block.kind == "field":
            lines.append(f"- **{block.label}:** {block.text}")
        elif block.kind == "heading":
            lines += ["", f"### {block.text}", ""]
        elif block.kind == "bullet":
            lines.append(f"- {block.text}" if block.text else "-")
        elif block.kind in ("note", "noteline"):
            if block.kind == "note":
                lines.append("")
            lines.append(f"**{block.label}:** {block.text}")
        elif block.kind == "quote":
            lines += ["", f"> {block.label}: {block.text}"]
        elif block.kind == "line":
            lines.append(block.text)
        else:
            if previous == "text":
                lines.append("")
            lines.append(block.text)
        previous = block.kind
    return "\n".join(lines) + "\n"


def as_text(blocks: list[Block]) -> str:
    """Plain lines for the screen (the caller shows them inert)."""
    lines: list[str] = []
    for block in blocks:
        if block.kind == "title":
            lines += [block.text, ""]
        elif block.kind == "field":
            lines.append(f"{block.label}: {block.text}")
        elif block.kind == "heading":
            lines += ["", block.text.upper()]
        elif block.kind == "bullet":
            lines.append(f"• {block.text}" if block.text else "•")
        elif block.kind in ("note", "noteline", "quote"):
            lines.append(f"{block.label}: {block.text}")
        else:
            lines.append(block.text)
    return "\n".join(lines)
