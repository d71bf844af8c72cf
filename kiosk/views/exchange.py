"""Import and export: JSON lines in, JSON lines / JSON / CSV / Markdown out.

Export writes exactly the stored documents (``kiosk.core.records.record_to_doc``), so an export
imported into an empty folder exports identically. The writers take the stored documents
themselves: rebuilding 25 000 records with every rule checked again, only to turn them back into
the same dicts, took most of an export's 5–10 s. CSV is for spreadsheets in a Spanish locale:
UTF-8 with a byte-order mark and ``;`` between fields; nested parts are flattened into columns,
and a cell a spreadsheet would take for a formula starts with ``'``. Markdown is the one-page
text of each record, every value escaped so that it stays text.
"""

from __future__ import annotations

import csv
import functools
import gc
import json
import math
import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import MISSING, fields
from datetime import date, datetime, timedelta
from typing import IO, Any, TypeVar

import orjson

from kiosk import i18n
from kiosk.core.huddle import Huddle, weekly_counts
from kiosk.core.records import (
    RECORD_FIELDS,
    Action,
    Condition,
    FollowUp,
    HistoryEntry,
    Kind,
    Link,
    LookFor,
    Record,
    Review,
    ValidationError,
    record_from_doc,
    record_to_doc,
)
from kiosk.core.teams import Phase, PracticePair, Team
from kiosk.core.trends import week_starts
from kiosk.core.work import ENTRY_KINDS, EntryKind, WorkItem
from kiosk.i18n import _, ngettext
from kiosk.storage.packed import unpacked
from kiosk.views.dates import format_date
from kiosk.views.labels import describe_error, field_label, kind_label
from kiosk.views.onepage import LOOK_FOR, as_markdown, markdown_text, one_page
from kiosk.views.story import team_page

FORMATS = ("jsonl", "json", "csv", "md")

#: Documents written per ``write`` call: one call per record was a good part of an export.
_CHUNK = 500

_Part = TypeVar("_Part")

#: Stored documents, in the export order (see ``Repository.all_docs``).
Docs = Iterable[Mapping[str, Any]]


CSV_COLUMNS = (
    "id", "kind", "area", "station", "occurred_at", "created_at", "reporter", "what_happened",
    "impact", "what_we_did", "status", "why", "action", "action_owner", "action_deadline",
    "follow_up_date", "last_follow_up", "look_for", "applause", "links",
)

#: How a cell begins when a spreadsheet takes it for a formula (OWASP "CSV Injection"). The
#: kiosk's text cleaning strips a leading TAB or CR, which exposes the ``=`` behind it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def exported(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """A stored document as the export writes it: ``record_to_doc``'s fields in its order. A
    document saved by this kiosk is that already; one from an older layout (a field missing
    anywhere, or another order) is rebuilt, which fills in what it lacks."""
    if tuple(doc) == RECORD_FIELDS and _parts_complete(doc):
        return doc
    return record_to_doc(record_from_doc(doc))


def _parts_complete(doc: Mapping[str, Any]) -> bool:
    """Whether every nested part has all its fields (a stored part never has unknown ones)."""
    count = _FIELD_COUNTS
    review = doc["review"]
    if review is not None and (
        len(review) != count[Review] or len(review["action"]) != count[Action]
        or any(len(c) != count[Condition] for c in review["why"])
    ):
        return False
    look_for = doc["look_for"]
    return (
        (look_for is None or len(look_for) == count[LookFor])
        and all(len(f) == count[FollowUp] for f in doc["follow_ups"])
        and all(len(link) == count[Link] for link in doc["links"])
        and all(len(h) == count[HistoryEntry] for h in doc["history"])
    )


def _chunks(docs: Docs, *, as_exported: bool = True) -> Iterator[list[Mapping[str, Any]]]:
    """The documents a chunk at a time, unpacked (packed parts stay packed until then);
    ``as_exported``: in the export's layout (:func:`exported`), which a page built from the
    record does not need."""
    chunk: list[Mapping[str, Any]] = []
    for doc in docs:
        chunk.append(exported(unpacked(doc)) if as_exported else unpacked(doc))
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_jsonl(docs: Docs, out: IO[str]) -> None:
    """One compact JSON object per line (orjson: five times json.dumps' speed)."""
    for chunk in _chunks(docs):
        out.write(b"".join(orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE) for doc in chunk).decode())


def write_typed_jsonl(docs: Docs, out: IO[str], kind: str) -> None:
    """Documents of another aggregate than records (Learning Teams, after-action reviews), one
    a line, each with ``"type": kind`` first (``kiosk import`` tells them from records by it)."""
    for doc in docs:
        out.write(orjson.dumps({"type": kind, **doc}, option=orjson.OPT_APPEND_NEWLINE).decode())


def write_json(docs: Docs, out: IO[str]) -> None:
    """One JSON array, indented by two (the same text as ``json.dumps(indent=2)``), written a
    chunk at a time instead of as one string of the whole export."""
    first = True
    for chunk in _chunks(docs):
        # Newlines inside strings are escaped, so every newline is layout: indent each by two.
        items = ",\n".join("  " + orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode().replace("\n", "\n  ")
                           for doc in chunk)
        out.write(("[\n" if first else ",\n") + items)
        first = False
    out.write("[]\n" if first else "\n]\n")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that begins like a formula (after any spaces)
    gets a leading ``'``, which spreadsheets show as text and do not evaluate (faults report D4)."""
    if value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(doc: Mapping[str, Any]) -> list[str]:
    """The cells of one stored document, in the order of :data:`CSV_COLUMNS`."""
    review = doc.get("review") or {}
    action = review.get("action") or {}
    follow_ups = doc.get("follow_ups") or ()
    follow_up = follow_ups[-1] if follow_ups else None
    cells = [
        doc.get("id", ""),
        doc.get("kind", ""),
        doc.get("area", ""),
        doc.get("station", ""),
        doc.get("occurred_at", ""),
        doc.get("created_at", ""),
        doc.get("reporter", ""),
        doc.get("what_happened", ""),
        doc.get("impact", ""),
        doc.get("what_we_did", ""),
        doc.get("status", ""),
        " | ".join(f"{c.get('category', '')}: {c.get('text', '')}" for c in review.get("why", ())),
        action.get("text", ""),
        action.get("owner", ""),
        action.get("deadline", ""),
        review.get("follow_up_date", ""),
        f"{follow_up.get('outcome', '')} {follow_up.get('at', '')}" if follow_up else "",
        (doc.get("look_for") or {}).get("text", ""),
        str(doc.get("applause", 0)),
        " ".join(f"{link.get('rel', '')}:{link.get('id', '')}" for link in doc.get("links", ())),
    ]
    return [csv_cell(str(cell)) for cell in cells]


def write_csv(docs: Docs, out: IO[str], delimiter: str = ";") -> None:
    out.write("\ufeff")  # the BOM makes spreadsheets read UTF-8 instead of the locale's code page
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for chunk in _chunks(docs):
        writer.writerows(csv_row(doc) for doc in chunk)


def record_page(record: Record, *, show_reporter: bool = True) -> str:
    """The one-page text of a record as the screen shows it (as plain text, so values are left
    as typed); what leaves the kiosk as a file is :func:`record_markdown`."""
    return as_markdown(one_page(record, show_reporter=show_reporter), escape=False)


def record_markdown(record: Record, *, show_reporter: bool = True) -> str:
    """The one-page text of a record as Markdown for a file: every value escaped, so none can
    make a heading, a rule, a link or HTML wherever the file is rendered (faults report D17)."""
    return as_markdown(one_page(record, show_reporter=show_reporter), escape=True)


def stored_record(doc: Mapping[str, Any]) -> Record:
    """The record of a stored document, built without checking every rule again: stored
    documents were checked and cleaned when they were saved (``record_from_doc`` takes about
    ten times as long, most of a Markdown export). Anything unexpected takes the checked way."""
    try:
        return _assemble(doc)
    except (TypeError, KeyError, AttributeError, ValueError):
        return record_from_doc(doc)


_PARTS = (Record, Review, Condition, Action, FollowUp, LookFor, Link, HistoryEntry)
_FIELDS: dict[type, frozenset[str]] = {cls: frozenset(f.name for f in fields(cls)) for cls in _PARTS}
_FIELD_COUNTS = {cls: len(names) for cls, names in _FIELDS.items()}


def _defaults(cls: type) -> dict[str, Callable[[], Any]]:
    found: dict[str, Callable[[], Any]] = {}
    for f in fields(cls):
        if f.default_factory is not MISSING:
            found[f.name] = f.default_factory
        elif f.default is not MISSING:
            found[f.name] = functools.partial(_same, f.default)
    return found


def _same(value: Any) -> Any:
    return value


#: Each part's defaults, as factories: a document stored before a field was added lacks it.
_DEFAULTS: dict[type, dict[str, Callable[[], Any]]] = {cls: _defaults(cls) for cls in _PARTS}


def _part(cls: type[_Part], values: dict[str, Any]) -> _Part:
    """A frozen dataclass from a dict of its fields, filled as ``copy`` and ``pickle`` fill one:
    its generated ``__init__`` sets each field through ``object.__setattr__``, and that was the
    larger part of rebuilding a record. Unknown fields, or a missing one without a default,
    raise KeyError (the caller then takes the checked way)."""
    names = _FIELDS[cls]
    if values.keys() != names:
        missing = names - values.keys()
        defaults = _DEFAULTS[cls]
        if not names.issuperset(values) or not missing <= defaults.keys():
            raise KeyError(cls.__name__)
        values = {**values, **{name: defaults[name]() for name in missing}}  # (never the stored dict)
    part = object.__new__(cls)
    part.__dict__.update(values)
    return part


def _assemble(doc: Mapping[str, Any]) -> Record:
    # The parts are read, never changed (``_part`` copies one it must fill in).
    values = dict(doc)
    review = values["review"]
    if review is not None:
        parts = dict(review)
        parts["why"] = tuple(_part(Condition, c) for c in parts["why"])
        parts["action"] = _part(Action, parts["action"])
        parts["participants"] = tuple(parts["participants"])
        values["review"] = _part(Review, parts)
    if values["look_for"] is not None:
        values["look_for"] = _part(LookFor, values["look_for"])
    values["follow_ups"] = tuple(_part(FollowUp, f) for f in values["follow_ups"])
    values["links"] = tuple(_part(Link, link) for link in values["links"])
    values["history"] = tuple(_part(HistoryEntry, {**h, "fields": tuple(h["fields"])}) for h in values["history"])
    return _part(Record, values)


#: From this many records a Markdown export builds its pages in several processes.
MD_PARALLEL_FROM = 5_000
_md_docs: list[Mapping[str, Any]] = []  # the documents, for the forked page builders


def write_md(docs: Docs, out: IO[str], *, workers: int | None = None) -> None:
    """Every record's one page, separated by rules. A page is built from the record, its
    dates, labels and escaping, about 50 µs each: from :data:`MD_PARALLEL_FROM` records the
    pages are built a chunk at a time in forked processes, one per core (two cores: 25 000
    records in 1.5 s instead of 2.2), and written in order, the same bytes."""
    if workers is None:
        docs = docs if isinstance(docs, list) else list(docs)
        workers = min(os.cpu_count() or 1, 4) if len(docs) >= MD_PARALLEL_FROM else 1
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        _md_docs[:] = docs  # (inherited by the forked builders, not sent to them)
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_default_signals)
        try:
            first = True
            for text in pool.imap(_md_pages_of, range(0, len(_md_docs), _CHUNK)):
                out.write(("" if first else "\n---\n\n") + text)
                first = False
            pool.close()  # the builders end on their own once the work is done
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
            _md_docs.clear()
        return
    first = True
    for text in (_md_pages(chunk) for chunk in _chunks(docs, as_exported=False)):
        out.write(("" if first else "\n---\n\n") + text)
        first = False


def _default_signals() -> None:
    """In a forked builder: the signals' default actions. A fork inherits the parent's Python
    handlers (a kiosk that ran in this process once left its SIGTERM handler behind), and a
    builder that took SIGTERM as "please stop the kiosk" never ended: the export waited for it
    for ever (seen in CI)."""
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)


def _md_pages_of(start: int) -> str:
    """In a forked builder: the pages of ``_md_docs[start:start + _CHUNK]``."""
    return _md_pages([unpacked(doc) for doc in _md_docs[start:start + _CHUNK]])


def _md_pages(chunk: list[Mapping[str, Any]]) -> str:
    # One language for the whole chunk: each label is looked up once, not once per record.
    translate = functools.lru_cache(maxsize=None)(_)
    language = i18n.language()
    # A page is some fifty short-lived objects and none in a cycle: the cyclic GC would walk
    # them over and over while they are made (a fifth of the time), and free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return "\n---\n\n".join(
            as_markdown(one_page(stored_record(doc), translate=translate, language=language), escape=True)
            for doc in chunk)
    finally:
        if collecting:
            gc.enable()


def month_summary(records: Iterable[Record], month: str, teams: Iterable[Team] = (),
                  pairs: Iterable[PracticePair] = (), work: Iterable[WorkItem] = (),
                  huddles: Iterable[Huddle] = ()) -> str:
    """A month for managers, as Markdown: what was reported, the changes agreed, what worked
    and what did not (follow-ups of the month), and the wins. ``month`` is YYYY-MM. Every value
    goes through :func:`markdown_text`, as in the one-page export."""
    md = markdown_text

    records = list(records)
    reported = [r for r in records if r.occurred_at[:7] == month]
    reviewed = [r for r in records if r.review is not None and not r.review.draft and r.kind != Kind.WIN
                and r.review.reviewed_at[:7] == month]
    checks = [(r, f) for r in records for f in r.follow_ups if f.at[:7] == month]
    wins = [r for r in reported if r.kind == Kind.WIN]
    kinds = Counter(r.kind for r in reported)
    areas = Counter(r.area for r in reported)
    lines = ["# " + _("Learning summary {month}").format(month=month), ""]
    lines.append(ngettext("{n} record reported", "{n} records reported", len(reported)).format(n=len(reported))
                 + ": " + ", ".join(f"{kind_label(k)} {n}" for k, n in kinds.most_common()))
    if areas:
        lines.append(_("By area") + ": " + ", ".join(f"{md(a)} {n}" for a, n in areas.most_common()))
    lines += ["", "## " + _("Changes agreed ({n})").format(n=len(reviewed)), ""]
    lines += [f"- **{r.id}** · {md(r.area)}: {md(action.text)} — {md(action.owner)}, {md(action.deadline)}"
              for r, action in ((r, r.review.action) for r in reviewed if r.review is not None)] or ["-"]
    groups: dict[str, list[tuple[Record, FollowUp]]] = {"worked": [], "not": [], "early": []}
    for r, f in checks:
        group = "not" if f.worked == "no" or f.outcome == "reopened" else "worked" if f.worked == "yes" else "early"
        groups[group].append((r, f))
    for title, items in ((_("What worked"), groups["worked"]), (_("What did not work"), groups["not"]),
                         (_("Too early to tell, or extended"), groups["early"])):
        lines += ["", f"## {title} ({len(items)})", ""]
        lines += [f"- **{r.id}** · {md(r.area)}: {md(r.review.action.text if r.review else r.what_happened)}"
                  + (f" — {md(f.notes)}" if f.notes else "") for r, f in items] or ["-"]
    lines += ["", "## " + _("Wins ({n})").format(n=len(wins)), ""]
    lines += [f"- **{r.id}** · {md(r.area)}: {md(r.what_happened)}" + (f" (+{r.applause})" if r.applause else "")
              for r in wins] or ["-"]
    looks = [r for r in records if r.look_for is not None and r.look_for.until[:7] >= month
             and (r.review and r.review.reviewed_at[:7] == month)]
    if looks:
        lines += ["", "## " + _(LOOK_FOR), ""] + [f"- {md(r.look_for.text)}" for r in looks if r.look_for is not None]
    shared = [t for t in teams if t.phase == Phase.CLOSED
              and (t.began(Phase.CLOSED) or datetime.min).isoformat()[:7] == month]
    lines += ["", "## " + _("Learning Teams shared ({n})").format(n=len(shared)), ""]
    for team in shared:
        lines.append(f"- **{team.id}** · {md(team.area)}: {md(team.title)}")
        lines += [f"  - {md(change.action.text)} — {md(change.action.owner)}, {md(change.action.deadline)}"
                  for change in team.changes]
        lines += [f"  - {_(LOOK_FOR)}: {md(line.text)}" for line in team.look_fors]
    if not shared:
        lines.append("-")
    pairs = list(pairs)
    of_month = [pair for pair in pairs if pair.at[:7] == month]
    lines += ["", "## " + _("The procedure says / we actually do ({n} this month, {total} in all)").format(
        n=len(of_month), total=len(pairs)), ""]
    by_area = Counter(pair.area for pair in pairs)
    if by_area:
        lines.append(_("By area") + ": " + ", ".join(f"{md(a)} {n}" for a, n in by_area.most_common()))
        lines.append("")
    for pair in of_month[:MONTH_PAIRS]:
        lines.append(f"- **{pair.source}** · {md(pair.area)}: " + _("the procedure says {says}; we actually do {does}")
                     .format(says=md(pair.says or "-"), does=md(pair.does or "-")))
    if not of_month:
        lines.append("-")
    lines += work_summary(list(work), month)
    lines += ["", *huddles_markdown(huddles, month)]
    return "\n".join(lines) + "\n"


def work_summary(items: list[WorkItem], month: str) -> list[str]:
    """The month's continuous debrief, as Markdown lines: entries made by kind, and every work
    item closed in the month with its counts, applause and lessons."""
    from kiosk.views.work import ENTRY_HEADINGS

    md = markdown_text
    made = Counter(e.kind for item in items for e in item.entries if e.at[:7] == month)
    closed = [item for item in items if item.closed_at[:7] == month]
    lines = ["", "## " + _("Work debriefs closed ({n})").format(n=len(closed)), ""]
    lines.append(_("Entries this month") + ": " + ", ".join(
        f"{_(ENTRY_HEADINGS[kind])} {made.get(kind, 0)}" for kind in ENTRY_KINDS))
    lines.append("")
    for item in closed:
        counts = ", ".join(f"{_(ENTRY_HEADINGS[kind])} {len(item.entries_of(kind))}" for kind in ENTRY_KINDS)
        lines.append(f"- **{item.id}** · {md(item.area)}: {md(item.title)} ({counts}; "
                     + _("applause {n}").format(n=item.applause) + ")")
        lines += [f"  - {_(ENTRY_HEADINGS[EntryKind.LESSON])}: {md(e.text)}" for e in item.entries_of(EntryKind.LESSON)]
    if not closed:
        lines.append("-")
    return lines


def huddles_markdown(huddles: Iterable[Huddle], month: str) -> list[str]:
    """The month's huddles as a table: per area (rows) and ISO week (columns, by its Monday),
    huddles held / learnings shared, so a plant sees whether the habit lives."""
    first = date.fromisoformat(f"{month}-01")
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    weeks = week_starts(last, (last - first).days // 7 + 2)
    weeks = tuple(monday for monday in weeks if monday + timedelta(days=6) >= first)
    counts = weekly_counts((h for h in huddles if h.started_at[:7] == month), weeks)
    held = sum(week.held for row in counts.values() for week in row)
    lines = ["## " + _("Huddles ({n})").format(n=held), ""]
    if not counts:
        return [*lines, "-"]
    lines.append(_("Huddles held / learnings shared, per week (the week of the Monday shown)."))
    lines += ["", "| " + " | ".join([_("Area"), *(format_date(monday, i18n.language()) for monday in weeks)]) + " |",
              "|" + " --- |" * (len(weeks) + 1)]
    for area, row in counts.items():
        lines.append("| " + " | ".join([markdown_text(area), *(f"{w.held} / {w.shared}" for w in row)]) + " |")
    return lines


#: The newest "procedure says / we actually do" pairs a month's summary lists.
MONTH_PAIRS = 10


def teams_markdown(teams: Iterable[Team]) -> str:
    """Every Learning Team's story (names included: exports are for supervisors)."""
    return "\n---\n\n".join(as_markdown(team_page(team), escape=True) for team in teams)


WRITERS: dict[str, Callable[[Docs, IO[str]], None]] = {
    "jsonl": write_jsonl,
    "json": write_json,
    "csv": write_csv,
    "md": write_md,
}


def parse_line(raw: bytes, number: int) -> object | str | None:
    """The JSON object on one line, a reason string if it is none, or None for a blank line.
    ``number``: the first line may begin with a byte-order mark. (``kiosk import`` reads the
    lines itself, see ``kiosk.cli.data.import_lines``: it must know when none is waiting.)"""
    if not raw.strip():
        return None
    try:
        # orjson first (about half the time). It reads what Python's reader reads, alike, but
        # for an integer past 64 bits, which it makes a float: no field of a record takes
        # either. What it refuses (NaN, 1e999, a lone surrogate, deep nesting, a byte-order
        # mark) the reader below reads again, to take it or to say what is wrong.
        quick = orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    else:
        if isinstance(quick, dict):
            return quick
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        return _("the line is not UTF-8")
    try:
        doc = _DECODER.decode(text)
    except _NotFinite as exc:
        return _("the line holds {value}, which is not a finite number").format(value=exc.text)
    except json.JSONDecodeError as exc:
        return _("not valid JSON ({error})").format(error=exc.msg)
    except ValueError:  # a number longer than Python turns into an int (4 300 digits)
        return _("a number in the line has too many digits")
    except RecursionError:  # lists or objects nested thousands deep
        return _("the line is nested too deeply")
    if not isinstance(doc, dict):
        return _("each line must be one JSON object")
    return doc


class _NotFinite(ValueError):
    """NaN, Infinity, -Infinity, or a number too large for a float (1e999): Python's JSON
    reader takes them, JSON itself has none, and no field of a record can hold one."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _refuse_constant(text: str) -> float:
    raise _NotFinite(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def import_reason(error: Exception) -> str:
    """Why an import line was refused, in words an admin can act on."""
    if isinstance(error, ValidationError):
        if error.code in ("not_integer", "out_of_range") and "max" in error.params:
            return _("{field} must be a whole number from 0 to {max}.").format(
                field=field_label(error.field), max=error.params["max"])
        if error.code == "weak" and error.field == "link_token":
            return _("{field} must be at least {min} characters of A-Z, a-z, 0-9, '-' and '_', as the kiosk "
                     "makes them (a shorter one can be guessed; other characters break the link). Leave it "
                     "out and the import makes a new one.").format(field=field_label(error.field), **error.params)
        return describe_error(error)
    return _("a value has the wrong type or size ({error})").format(error=type(error).__name__)
