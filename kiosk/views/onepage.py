"""The one-page view of a record, as data: the same page on the kiosk's screen, in the
Markdown export and on the phone page behind the QR code, each drawing it its own way.

``show_reporter`` (and the history, which names supervisors) is for supervisors and exports;
operators and phones never see names. Texts are in the active language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from kiosk import i18n
from kiosk.core.records import Record
from kiosk.i18n import N_, _
from kiosk.views.dates import format_date
from kiosk.views.labels import (
    ACTOR_LABELS,
    CONDITION_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    history_line,
)

QUESTIONS = (N_("What happened?"), N_("Why did it happen?"), N_("What did we do?"),
             N_("What are we changing?"))
ANONYMOUS = N_("anonymous")
LOOK_FOR = N_("Look for")
HISTORY = N_("History")
FOLLOW_UPS = N_("Follow-ups")
DONE_LABELS = {"yes": N_("change made"), "partly": N_("change partly made"), "no": N_("change not made")}
WORKED_LABELS = {"yes": N_("it worked"), "too_early": N_("too early to tell"), "no": N_("it did not work")}
AFTER_ACTION = N_("After-action review")
AFTER_ACTION_LABELS = {
    "facts": N_("Facts we agree on"),
    "differ": N_("Where perspectives differ"),
    "sustain": N_("What helped: to sustain"),
    "improve": N_("What got in the way: to improve"),
    "to_success": N_("What would turn it into a success"),
}
OUTCOME_LABELS = {"closed": N_("closed"), "extended": N_("extended to {date}"), "reopened": N_("reopened")}


class Block(NamedTuple):
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
    review = record.review
    reviewed = review is not None and not review.draft
    # A finished review's "what happened" is the supervisor's version, which starts from the
    # report and its impact: the page shows that one everywhere (walk item 10), as the slip does.
    if reviewed and review is not None and review.what_happened:
        blocks += [Block("heading", tr(QUESTIONS[0])), Block("text", review.what_happened)]
    else:
        blocks += [Block("heading", tr(QUESTIONS[0])), Block("text", record.what_happened)]
        if record.impact:
            blocks.append(Block("note", record.impact, field_label("impact")))
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
    if record.after_action is not None:
        found = record.after_action
        blocks.append(Block("heading", tr(AFTER_ACTION)))
        blocks.append(Block("text", tr("Participants: {count}").format(count=found.participants)))
        for key, lines in (("facts", found.facts), ("differ", found.differ), ("sustain", found.sustain),
                           ("improve", found.improve), ("to_success", found.to_success)):
            if lines:
                blocks.append(Block("note", lines[0], tr(AFTER_ACTION_LABELS[key])))
                blocks += [Block("noteline", line, tr(AFTER_ACTION_LABELS[key])) for line in lines[1:]]
    if show_reporter and record.history:  # who changed what is for supervisors, like names
        blocks.append(Block("heading", tr(HISTORY)))
        blocks += [Block("bullet", f"{when(h.at)} · {label(ACTOR_LABELS, h.by)} · {history_line(h, tr)}")
                   for h in record.history]
    return blocks


#: Characters that are Markdown or HTML wherever they are, and what each becomes: escaped, or
#: a character reference where a backslash would leave the text readable as syntax
#: (``](javascript:`` stays a link to a lax renderer; ``&#93;(javascript:`` is nothing to any).
#: The backslash goes first, before the replacements bring their own.
_MD_REPLACEMENTS = (
    ("\\", "\\\\"), ("`", "\\`"), ("*", "\\*"), ("_", "\\_"), ("|", "\\|"),
    ("[", "&#91;"), ("]", "&#93;"), ("<", "&lt;"), (">", "&gt;"),
)
#: An ``&`` that would start a character reference of the user's own (``&lt;``, ``&#60;``).
_MD_REFERENCE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: What makes a block at the start of a line: headings, rules, setext underlines, lists,
#: fences (``*``, ``_``, backticks and ``>`` are already escaped wherever they are). Matched
#: after a newline (the text gets one in front) — a literal the search skips to quickly.
_MD_LINE_START = re.compile(r"(\n[ \t]*)([#=+~-]|\d+(?=[.)]))")
#: Joins values escaped together: each starts a line, and no cleaned text holds a NUL.
_MD_JOIN = "\x00\n"


def markdown_text(value: str) -> str:
    """``value`` as Markdown that renders as exactly this text: whatever someone typed (or an
    import brought), it never becomes a heading, a rule, a list, a link, an image, code, a
    table or HTML, and so never a forged record in an export (faults report D17).

    Plain ``in`` and ``replace`` instead of one regular expression: a tenth of the time."""
    if "&" in value:
        value = _MD_REFERENCE.sub("&amp;", value)
    for char, replacement in _MD_REPLACEMENTS:
        if char in value:
            value = value.replace(char, replacement)
    return _MD_LINE_START.sub(_escape_line_start, "\n" + value)[1:]


def markdown_texts(values: list[str]) -> list[str]:
    """:func:`markdown_text` of each value, in one pass over them all (a page has some fifty
    values, most of them short: one call each was a third of a Markdown export)."""
    joined = _MD_JOIN.join(values)
    if joined.count("\x00") != len(values) - 1:  # (never, for cleaned text) a NUL of a value's own
        return [markdown_text(value) for value in values]
    return markdown_text(joined).split(_MD_JOIN)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark = match.groups()
    return f"{indent}{mark}\\" if mark[0].isdigit() else f"{indent}\\{mark}"


def as_markdown(blocks: list[Block], *, escape: bool = True) -> str:
    """The page as Markdown. ``escape``: every text is :func:`markdown_text` (for anything
    that leaves the kiosk as Markdown); without it the texts are as typed, for the screen,
    which shows the page as plain text."""
    items: Iterable[tuple[str, str, str]]
    if escape:
        escaped = markdown_texts([part for block in blocks for part in (block.text, block.label)])
        items = zip([block.kind for block in blocks], escaped[0::2], escaped[1::2], strict=True)
    else:
        items = ((block.kind, block.text, block.label) for block in blocks)
    lines: list[str] = []
    previous = ""
    for kind, text, label in items:
        if kind == "title":
            lines += [f"## {text}", ""]
        elif kind == "field":
            lines.append(f"- **{label}:** {text}")
        elif kind == "heading":
            lines += ["", f"### {text}", ""]
        elif kind == "bullet":
            lines.append(f"- {text}" if text else "-")
        elif kind in ("note", "noteline"):
            if kind == "note":
                lines.append("")
            lines.append(f"**{label}:** {text}")
        elif kind == "quote":
            lines += ["", f"> {label}: {text}"]
        elif kind == "line":
            lines.append(text)
        else:
            if previous == "text":
                lines.append("")
            lines.append(text)
        previous = kind
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
