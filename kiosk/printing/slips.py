"""The four slips as data: lines of text already wrapped to the paper, and QR codes.

A :class:`Slip` is what both the printer bytes (``escpos_out``) and the print preview screen
are made from, so the preview is the slip exactly as it prints. Layouts are pure functions of
the records, the paper and the language; every user text passes ``paper_text`` and is wrapped
between words, never cut. Slips never show the reporter's name: they are pinned on boards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.core.aar import Aar
from kiosk.core.records import Record
from kiosk.core.teams import LENSES, REFLECTION, Team, side_by_side
from kiosk.core.work import WorkItem
from kiosk.i18n import translator
from kiosk.printing.text import paper_text, wrap
from kiosk.views.dates import format_date
from kiosk.views.huddle import SHARE_LABELS, HuddleView
from kiosk.views.labels import CONDITION_LABELS, FIELD_LABELS, KIND_LABELS, LENS_LABELS, USE_LABELS
from kiosk.views.onepage import AFTER_ACTION, AFTER_ACTION_LABELS, LOOK_FOR, QUESTIONS
from kiosk.views.work import LookBack, look_back_lines

SLIP_KINDS = ("receipt", "review", "followups", "test", "soak", "story", "invitations", "lookback", "huddle")
#: Slips of a Learning Team (their job names the team, not a record).
TEAM_SLIPS = frozenset({"soak", "story"})

#: Shown in the test slip: every letter Spanish needs on paper.
SPANISH_SAMPLE = "¿Agregar café? ¡Sí! Ñandú €"
SPANISH_LETTERS = "áéíóú ÁÉÍÓÚ üÜ ñÑ ¿ ¡ €"

#: At most this many records on one follow-up list (the rest are counted at the end).
FOLLOW_UP_LIST_MAX = 25
#: At most this many look-fors, and follow-ups, on a huddle's slip (the rest are counted).
HUDDLE_LINES_MAX = 8

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Line:
    """One printed line, at most ``columns`` characters. ``title`` is bold and double height
    (same width), ``bold`` is bold."""

    text: str
    style: str = "normal"


@dataclass(frozen=True)
class QRCode:
    """A QR code for an ASCII URL, centred on the paper."""

    url: str


Part = Line | QRCode


@dataclass(frozen=True)
class Slip:
    kind: str
    columns: int
    code_page: str
    parts: tuple[Part, ...]
    name: str = ""  # e.g. "receipt QPC-GB8", for file names and screens

    def text_lines(self) -> list[str]:
        """The printed text, one entry per line (QR codes as a marker line)."""
        return [p.text if isinstance(p, Line) else f"[QR {p.url}]" for p in self.parts]

    def urls(self) -> list[str]:
        return [p.url for p in self.parts if isinstance(p, QRCode)]


def record_url(base_url: str, record: Record | Team | WorkItem) -> str:
    """The QR payload: ``{base_url}/r/{id}?k={token}``, ASCII only (a Learning Team's id is of
    the records' family, so its page has the same address)."""
    url = f"{base_url.rstrip('/')}/r/{record.id}?k={record.link_token}"
    if not url.isascii():  # the config and the ids guarantee it; never print otherwise
        raise ValueError("link is not ASCII")
    return url


@dataclass
class _Paper:
    """Builds a slip line by line."""

    columns: int
    code_page: str
    tr: Translate
    parts: list[Part] = field(default_factory=list)

    def clean(self, text: str) -> str:
        return paper_text(text, self.code_page)

    def title(self, text: str) -> None:
        for line in wrap(self.clean(text), self.columns):
            self.parts.append(Line(line.center(self.columns).rstrip(), "title"))

    def centre(self, text: str, style: str = "normal") -> None:
        for line in wrap(self.clean(text), self.columns):
            self.parts.append(Line(line.center(self.columns).rstrip(), style))

    def heading(self, text: str) -> None:
        self.blank()
        for line in wrap(self.clean(text), self.columns):
            self.parts.append(Line(line, "bold"))

    def para(self, text: str, indent: str = "", style: str = "normal") -> None:
        for line in wrap(self.clean(text), self.columns, indent) or ["-"]:
            self.parts.append(Line(line, style))

    def field(self, label: str, value: str) -> None:
        """``Label: value``, continued lines indented two spaces."""
        for line in wrap(self.clean(f"{label}: {value}"), self.columns, "  "):
            self.parts.append(Line(line))

    def bullet(self, text: str) -> None:
        lines = wrap(self.clean(text), self.columns - 2)
        for i, line in enumerate(lines):
            self.parts.append(Line(("- " if i == 0 else "  ") + line))

    def rule(self) -> None:
        self.parts.append(Line("-" * self.columns))

    def blank(self) -> None:
        if self.parts and self.parts[-1] != Line(""):
            self.parts.append(Line(""))

    def qr(self, url: str) -> None:
        self.parts.append(QRCode(url))

    def url(self, url: str) -> None:
        """The link as text under its code, cut at the paper's width (a URL has no spaces to
        wrap at): when a code does not scan, it can still be typed (walk item 29)."""
        for start in range(0, len(url), self.columns):
            self.parts.append(Line(url[start : start + self.columns]))

    def copy_mark(self, copy: int) -> None:
        if copy:
            self.centre("*** " + self.tr("COPY No. {number}").format(number=copy) + " ***", "bold")

    def printed_at(self, now: datetime, language: str) -> None:
        self.centre(self.tr("Printed {when}").format(when=format_date(now, language, with_time=True)))

    def slip(self, kind: str, name: str) -> Slip:
        parts = list(self.parts)
        while parts and parts[-1] == Line(""):
            parts.pop()
        return Slip(kind=kind, columns=self.columns, code_page=self.code_page, parts=tuple(parts),
                    name=name)


@dataclass(frozen=True)
class Paper:
    """Everything a layout needs besides the records."""

    columns: int = 42
    code_page: str = "CP858"
    language: str = "es_AR"
    base_url: str = "http://kiosk.local:8080"

    def start(self) -> _Paper:
        return _Paper(self.columns, self.code_page, translator(self.language))


def receipt(record: Record, paper: Paper, now: datetime, *, copy: int = 0) -> Slip:
    """For the person who reported: id, kind, area, when, a thank-you and the QR."""
    p = paper.start()
    tr = p.tr
    p.title(tr("Thank you for reporting!").upper())
    p.copy_mark(copy)
    p.blank()
    p.centre(tr("Record {id}").format(id=record.id), "title")
    p.blank()
    p.field(_label(tr, FIELD_LABELS, "kind"), _label(tr, KIND_LABELS, record.kind))
    p.field(_label(tr, FIELD_LABELS, "area"), record.area)
    if record.station:
        p.field(_label(tr, FIELD_LABELS, "station"), record.station)
    p.field(_label(tr, FIELD_LABELS, "occurred_at"), format_date(record.occurred_at, paper.language, with_time=True))
    p.field(_label(tr, FIELD_LABELS, "created_at"), format_date(record.created_at, paper.language, with_time=True))
    p.blank()
    p.para(tr("Reporting what happens is how we all learn. A supervisor will review it "
              "with the team, looking at conditions, never at people."))
    _qr_block(p, paper, record, tr("Scan the code to follow what happens with it."))
    p.copy_mark(copy)
    p.printed_at(now, paper.language)
    return p.slip("receipt", f"receipt {record.id}")


def review_page(record: Record, paper: Paper, now: datetime, *, copy: int = 0) -> Slip:
    """The one-pager for the machine or the team board: the four answers, the one action with
    its owner and deadline, the follow-up date, and the QR. Wins: what made it work."""
    review = record.review
    if review is None or review.draft:
        raise ValueError(f"{record.id} has no finished review")
    p = paper.start()
    tr = p.tr
    p.title((tr("What we learned") if not record.is_win else tr("A win to share")).upper())
    p.copy_mark(copy)
    p.centre(f"{record.id} · {_label(tr, KIND_LABELS, record.kind)} · {record.area}", "bold")
    if record.station:
        p.centre(record.station)
    p.centre(format_date(record.occurred_at, paper.language, with_time=True))
    p.rule()
    p.heading(tr(QUESTIONS[0]))
    p.para(review.what_happened or record.what_happened)
    if record.is_win:
        p.heading(tr("What made it work"))
        p.para(review.win_note)
    else:
        if review.recurrence_note:
            p.heading(_label(tr, FIELD_LABELS, "recurrence_note"))
            p.para(review.recurrence_note)
        p.heading(tr(QUESTIONS[1]))
        for condition in review.why:
            p.bullet(f"{condition.text} ({_label(tr, CONDITION_LABELS, condition.category)})")
        if not review.why:
            p.para("-")
        p.heading(tr(QUESTIONS[2]))
        p.para(review.what_we_did or record.what_we_did)
        p.heading(tr(QUESTIONS[3]))
        p.para(review.action.text)
        p.blank()
        p.field(_label(tr, FIELD_LABELS, "owner"), review.action.owner or "-")
        p.field(_label(tr, FIELD_LABELS, "deadline"), format_date(review.action.deadline, paper.language))
        p.field(_label(tr, FIELD_LABELS, "follow_up_date"), format_date(review.follow_up_date, paper.language))
    if record.look_for:
        p.heading(tr(LOOK_FOR))
        p.para(record.look_for.text)
    if record.after_action is not None:
        found = record.after_action
        p.heading(tr(AFTER_ACTION))
        p.para(tr("Participants: {count}").format(count=found.participants))
        for key, lines in (("facts", found.facts), ("differ", found.differ), ("sustain", found.sustain),
                           ("improve", found.improve), ("to_success", found.to_success)):
            if lines:
                p.para(tr(AFTER_ACTION_LABELS[key]), style="bold")
                for line in lines:
                    p.bullet(line)
    _qr_block(p, paper, record, tr("Scan the code to see the record and its follow-up."))
    p.copy_mark(copy)
    p.printed_at(now, paper.language)
    return p.slip("review", f"review {record.id}")


def follow_up_list(records: Sequence[Record], paper: Paper, now: datetime, *, until: date,
                   changes: Sequence[tuple[Team, int]] = ()) -> Slip:
    """Follow-ups due up to ``until`` (overdue first), one QR per record; then the Learning
    Teams' changes due (``changes``: the team and the index of its change), the team's QR each."""
    p = paper.start()
    tr = p.tr
    today = now.date()
    p.title(tr("Follow-ups due").upper())
    p.centre(tr("Up to {date}").format(date=format_date(until, paper.language)))
    p.rule()
    shown = list(records)[:FOLLOW_UP_LIST_MAX]
    teams = list(changes)[: max(0, FOLLOW_UP_LIST_MAX - len(shown))]
    if not shown and not teams:
        p.blank()
        p.para(tr("No follow-ups are due until {date}.").format(date=format_date(until, paper.language)))

    def due_line(due: date) -> None:
        when = format_date(due, paper.language)
        if due < today:
            when += " " + tr("(overdue)")
        elif due == today:
            when += " " + tr("(today)")
        p.field(_label(tr, FIELD_LABELS, "follow_up_date"), when)

    for record in shown:
        review = record.review
        p.blank()
        p.para(f"{record.id} · {record.area}", style="bold")
        if record.follow_up_date is not None:
            due_line(record.follow_up_date)
        if review is not None:
            p.field(_label(tr, FIELD_LABELS, "action"), review.action.text or "-")
            p.field(_label(tr, FIELD_LABELS, "owner"), review.action.owner or "-")
        if record.link_token:
            p.qr(record_url(paper.base_url, record))
            p.url(record_url(paper.base_url, record))
        p.rule()
    for team, index in teams:
        change = team.changes[index]
        p.blank()
        p.para(f"{team.id} · {team.area} · {tr('Learning Team')}", style="bold")
        due_line(date.fromisoformat(change.follow_up_date))
        p.field(_label(tr, FIELD_LABELS, "action"), change.action.text or "-")
        p.field(_label(tr, FIELD_LABELS, "owner"), change.action.owner or "-")
        if team.link_token:
            p.qr(record_url(paper.base_url, team))
            p.url(record_url(paper.base_url, team))
        p.rule()
    left = len(records) + len(changes) - len(shown) - len(teams)
    if left > 0:
        p.para(tr("And {count} more: see the follow-ups screen.").format(count=left))
    p.blank()
    p.printed_at(now, paper.language)
    return p.slip("followups", "follow-ups")


def test_slip(paper: Paper, now: datetime, *, printer: str, profile: str) -> Slip:
    """Proves the setting: Spanish letters, the exact width, a QR."""
    p = paper.start()
    tr = p.tr
    p.title(tr("Printer test").upper())
    p.rule()
    p.field(tr("Printer"), printer)
    p.field(tr("Model"), profile or tr("generic"))
    p.field(tr("Code page"), paper.code_page)
    p.field(tr("Columns"), str(paper.columns))
    p.blank()
    p.para(SPANISH_SAMPLE)
    p.para(SPANISH_LETTERS)
    p.parts.append(Line(("1234567890" * 7)[: paper.columns]))
    p.para(tr("If the accents, ñ, ¿, ¡ and € look right and the numbers fill exactly one line, "
              "the code page and the columns are right."))
    p.qr(f"{paper.base_url.rstrip('/')}/")
    p.centre(tr("A phone that scans this code opens {url}").format(url=paper.base_url))
    p.blank()
    p.printed_at(now, paper.language)
    return p.slip("test", "test")


def soak_slip(team: Team, paper: Paper, now: datetime) -> Slip:
    """For people to take to their station while the team soaks: the title, the notes grouped
    by lens (no names), and the QR of the team's page."""
    p = paper.start()
    tr = p.tr
    p.title(tr("Learning Team: let it soak").upper())
    p.centre(f"{team.id} · {team.area}", "bold")
    p.centre(team.title)
    p.rule()
    p.para(tr("What we heard about work as done. Think about it and add a reflection at the kiosk "
              "(no PIN): did we miss something?"))
    _team_notes(p, team, paper)
    _team_qr(p, paper, team, tr("Scan the code to see the team's page."))
    p.printed_at(now, paper.language)
    return p.slip("soak", f"soak {team.id}")


def story_slip(team: Team, paper: Paper, now: datetime) -> Slip:
    """The team's one-page story for the board: what we learned, the defences we have, the
    changes (owners as roles: slips carry no names) and the look-fors."""
    p = paper.start()
    tr = p.tr
    p.title(tr("What a Learning Team learned").upper())
    p.centre(f"{team.id} · {_label(tr, USE_LABELS, team.use)} · {team.area}", "bold")
    p.centre(team.title)
    p.rule()
    _team_notes(p, team, paper)
    if team.defences:
        p.heading(tr("Defences we already have"))
        for defence in team.defences:
            p.bullet(defence)
    if team.changes:
        p.heading(tr("What we are changing"))
        for change in team.changes:
            p.bullet(change.action.text)
            p.field(_label(tr, FIELD_LABELS, "owner"), tr("{area} supervision").format(area=team.area))
            p.field(_label(tr, FIELD_LABELS, "deadline"), format_date(change.action.deadline, paper.language))
            p.field(_label(tr, FIELD_LABELS, "follow_up_date"), format_date(change.follow_up_date, paper.language))
    for line in team.look_fors:
        p.heading(tr(LOOK_FOR))
        p.para(line.text)
        p.para(", ".join(line.areas) if line.areas else tr("every area"))
    _team_qr(p, paper, team, tr("Scan the code to see the whole story."))
    p.printed_at(now, paper.language)
    return p.slip("story", f"story {team.id}")


def look_back_slip(item: WorkItem, found: Sequence[LookBack], pages: Mapping[str, Record | Team | WorkItem],
                   paper: Paper, now: datetime) -> Slip:
    """"Lo que ya aprendimos", to take to the line before the work starts: each thing already
    learned like it, with the change agreed and whether it worked, and its QR (``pages``: what
    each reference opens, by id)."""
    p = paper.start()
    tr = p.tr
    p.title(tr("What we already learned").upper())
    p.centre(f"{item.id} · {item.area}", "bold")
    p.centre(item.title)
    p.rule()
    if not found:
        p.para(tr("Nothing like this work was learned here yet. Its entries will be the first."))
    for (head, under), thing in zip(look_back_lines(found, tr), found, strict=True):
        p.blank()
        p.bullet(head)
        for line in filter(None, under.split("\n")):
            p.para(line, "  ")
        page = pages.get(thing.ref)
        if page is not None and page.link_token:
            p.qr(record_url(paper.base_url, page))
    p.blank()
    p.centre(tr("Add wins, opportunities and lessons at the kiosk while the work runs (6 on Home)."))
    p.printed_at(now, paper.language)
    return p.slip("lookback", f"lookback {item.id}")


def huddle_slip(view: HuddleView, paper: Paper, now: datetime) -> Slip:
    """For the line's board after the huddle: the area's look-fors, the learning shared and the
    follow-ups due, each with the QR of its page (a work item's entry: its work item's
    debrief). No names, no owners: the board is read by everyone."""
    p = paper.start()
    tr = p.tr
    today = now.date()
    p.title(tr("Huddle").upper())
    p.centre(view.area, "bold")
    p.centre(format_date(now, paper.language, with_time=True))
    p.rule()
    p.heading(tr(LOOK_FOR))
    looks = view.look_for_pages()
    for text, page in looks[:HUDDLE_LINES_MAX]:
        p.bullet(text)
        _page_qr(p, paper, page)
    if not looks:
        p.para(tr("None."))
    _more(p, len(looks) - HUDDLE_LINES_MAX)
    p.heading(tr("Shared in this huddle"))
    for shared in view.shared:
        source = view.pages.get(shared.source)
        where = "" if source is not None else f" ({shared.source})"
        p.bullet(f"{_label(tr, SHARE_LABELS, shared.kind)}: {shared.text}{where}")
        if source is not None:
            _page_qr(p, paper, source)
    if not view.shared:
        p.para(tr("Nothing marked shared yet."))
    p.heading(tr("Follow-ups due"))
    due: list[tuple[str, bool, Record | Team]] = [
        (r.review.action.text if r.review else r.what_happened, bool(r.follow_up_date and r.follow_up_date < today), r)
        for r in view.follow_ups]
    due += [(team.changes[i].action.text, team.changes[i].follow_up_date < today.isoformat(), team)
            for team, i in view.changes]
    for text, late, page in due[:HUDDLE_LINES_MAX]:
        p.bullet(f"{page.id} {text}" + (" " + tr("(overdue)") if late else ""))
        _page_qr(p, paper, page)
    if not due:
        p.para(tr("None due."))
    _more(p, len(due) - HUDDLE_LINES_MAX)
    p.blank()
    p.printed_at(now, paper.language)
    return p.slip("huddle", f"huddle {view.area}")


def _page_qr(p: _Paper, paper: Paper, page: Record | Team | WorkItem) -> None:
    if page.link_token:
        p.qr(record_url(paper.base_url, page))


def _more(p: _Paper, left: int) -> None:
    if left > 0:
        p.para(p.tr("And {count} more: see the huddle at the kiosk.").format(count=left))


#: What a hidden code looks like in a preview (codes are made only when the slip prints).
HIDDEN_CODE = "***-***-****"


def account_url(base_url: str, code: str) -> str:
    """The QR of an invitation: the kiosk's scanner opens the account screen with it (the
    record page has no such address: nothing of an account is ever served)."""
    url = f"{base_url.rstrip('/')}/a/{code}"
    if not url.isascii():
        raise ValueError("link is not ASCII")
    return url


def invitations(aar: Aar, chosen: Sequence[int], codes: Mapping[int, str], paper: Paper, now: datetime) -> Slip:
    """One invitation per chosen participant, to cut apart: the event in one line (no other
    names), the code and its QR, what happens to the account. ``codes``: the new code of each
    (missing in a preview: shown hidden)."""
    p = paper.start()
    tr = p.tr
    for number, index in enumerate(chosen):
        if number:
            p.blank()
            p.centre("- - - " + tr("cut here") + " - - -")
            p.blank()
        p.title(tr("Your account").upper())
        p.centre(tr("After-action review {id}").format(id=aar.id), "bold")
        p.rule()
        p.para(aar.event)
        p.blank()
        p.para(tr("For {name}.").format(name=aar.participants[index].name))
        p.para(tr("Before we meet, tell what happened as you saw it, on your own: at the kiosk, press R and "
                  "type this code (or scan it). Nobody reads it before the meeting; there you choose whether "
                  "it shows your name."))
        code = codes.get(index)
        p.blank()
        p.title(code or HIDDEN_CODE)
        if code:
            p.qr(account_url(paper.base_url, code))
        else:
            p.centre(tr("(the code is made when this slip prints)"))
        p.centre(tr("The code works until the meeting starts."))
    p.blank()
    p.printed_at(now, paper.language)
    return p.slip("invitations", f"invitations {aar.id}")


def _team_notes(p: _Paper, team: Team, paper: Paper) -> None:
    tr = p.tr
    for lens in (*LENSES, REFLECTION):
        if lens in ("procedure", "actual"):
            continue
        notes = team.notes_in(lens)
        if notes:
            p.heading(_label(tr, LENS_LABELS, lens))
            for note in notes:
                p.bullet(note.text)
    for says, does in side_by_side(team):
        p.heading(f"{_label(tr, LENS_LABELS, 'procedure')} / {_label(tr, LENS_LABELS, 'actual')}")
        p.para(says or "-")
        p.para(does or "-", "  ")


def _team_qr(p: _Paper, paper: Paper, team: Team, caption: str) -> None:
    if not team.link_token:
        return
    p.blank()
    p.qr(record_url(paper.base_url, team))
    p.url(record_url(paper.base_url, team))
    p.centre(caption)


def _label(tr: Translate, table: Mapping[str, str], key: str) -> str:
    """A label from one of the shared tables, in the slip's language."""
    try:
        return tr(table[key])
    except (KeyError, IndexError):
        return str(key)


def _qr_block(p: _Paper, paper: Paper, record: Record, caption: str) -> None:
    if not record.link_token:
        return
    p.blank()
    p.qr(record_url(paper.base_url, record))
    p.url(record_url(paper.base_url, record))
    p.centre(caption)
