"""Import and export: JSON lines in, JSON lines / JSON / CSV / Markdown out.

Export writes exactly the stored documents (``kiosk.core.records.record_to_doc``), so an export
imported into an empty folder exports identically. CSV is for spreadsheets in a Spanish locale:
UTF-8 with a byte-order mark and ``;`` between fields; nested parts are flattened into columns.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from kiosk.core.records import FollowUp, Kind, Record, ValidationError, record_to_doc
from kiosk.i18n import _, ngettext
from kiosk.views.labels import describe_error, kind_label
from kiosk.views.onepage import LOOK_FOR, as_markdown, one_page

FORMATS = ("jsonl", "json", "csv", "md")


CSV_COLUMNS = (
    "id", "kind", "area", "station", "occurred_at", "created_at", "reporter", "what_happened",
    "impact", "what_we_did", "status", "why", "action", "action_owner", "action_deadline",
    "follow_up_date", "last_follow_up", "look_for", "applause", "links",
)


def _json_line(record: Record) -> str:
    return json.dumps(record_to_doc(record), ensure_ascii=False)


def write_jsonl(records: Iterable[Record], out: IO[str]) -> None:
    for record in records:
        out.write(_json_line(record) + "\n")


def write_json(records: Iterable[Record], out: IO[str]) -> None:
    docs = [record_to_doc(r) for r in records]
    out.write(json.dumps(docs, ensure_ascii=False, indent=2) + "\n")


def csv_row(record: Record) -> dict[str, str]:
    review = record.review
    follow_up = record.follow_ups[-1] if record.follow_ups else None
    return {
        "id": record.id,
        "kind": record.kind,
        "area": record.area,
        "station": record.station,
        "occurred_at": record.occurred_at,
        "created_at": record.created_at,
        "reporter": record.reporter,
        "what_happened": record.what_happened,
        "impact": record.impact,
        "what_we_did": record.what_we_did,
        "status": record.status,
        "why": " | ".join(f"{c.category}: {c.text}" for c in review.why) if review else "",
        "action": review.action.text if review else "",
        "action_owner": review.action.owner if review else "",
        "action_deadline": review.action.deadline if review else "",
        "follow_up_date": review.follow_up_date if review else "",
        "last_follow_up": f"{follow_up.outcome} {follow_up.at}" if follow_up else "",
        "look_for": record.look_for.text if record.look_for else "",
        "applause": str(record.applause),
        "links": " ".join(f"{link.rel}:{link.id}" for link in record.links),
    }


def write_csv(records: Iterable[Record], out: IO[str], delimiter: str = ";") -> None:
    out.write("\ufeff")  # the BOM makes spreadsheets read UTF-8 instead of the locale's code page
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(csv_row(record))


def record_page(record: Record, *, show_reporter: bool = True) -> str:
    """The one-page text of a record, as Markdown (kiosk.views.onepage has the page itself)."""
    return as_markdown(one_page(record, show_reporter=show_reporter))


def write_md(records: Iterable[Record], out: IO[str]) -> None:
    first = True
    for record in records:
        if not first:
            out.write("\n---\n\n")
        out.write(record_page(record))
        first = False


def month_summary(records: Iterable[Record], month: str) -> str:
    """A month for managers, as Markdown: what was reported, the changes agreed, what worked
    and what did not (follow-ups of the month), and the wins. ``month`` is YYYY-MM."""
    from collections import Counter

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
        lines.append(_("By area") + ": " + ", ".join(f"{a} {n}" for a, n in areas.most_common()))
    lines += ["", "## " + _("Changes agreed ({n})").format(n=len(reviewed)), ""]
    lines += [f"- **{r.id}** · {r.area}: {action.text} — {action.owner}, {action.deadline}"
              for r, action in ((r, r.review.action) for r in reviewed if r.review is not None)] or ["-"]
    groups: dict[str, list[tuple[Record, FollowUp]]] = {"worked": [], "not": [], "early": []}
    for r, f in checks:
        group = "not" if f.worked == "no" or f.outcome == "reopened" else "worked" if f.worked == "yes" else "early"
        groups[group].append((r, f))
    for title, items in ((_("What worked"), groups["worked"]), (_("What did not work"), groups["not"]),
                         (_("Too early to tell, or extended"), groups["early"])):
        lines += ["", f"## {title} ({len(items)})", ""]
        lines += [f"- **{r.id}** · {r.area}: {r.review.action.text if r.review else r.what_happened}"
                  + (f" — {f.notes}" if f.notes else "") for r, f in items] or ["-"]
    lines += ["", "## " + _("Wins ({n})").format(n=len(wins)), ""]
    lines += [f"- **{r.id}** · {r.area}: {r.what_happened}" + (f" (+{r.applause})" if r.applause else "")
              for r in wins] or ["-"]
    looks = [r for r in records if r.look_for is not None and r.look_for.until[:7] >= month
             and (r.review and r.review.reviewed_at[:7] == month)]
    if looks:
        lines += ["", "## " + _(LOOK_FOR), ""] + [f"- {r.look_for.text}" for r in looks if r.look_for is not None]
    return "\n".join(lines) + "\n"


WRITERS: dict[str, Callable[[Iterable[Record], IO[str]], None]] = {
    "jsonl": write_jsonl,
    "json": write_json,
    "csv": write_csv,
    "md": write_md,
}


def parse_lines(stream: IO[bytes]) -> Iterator[tuple[int, object | str]]:
    """(line number, document) for each non-blank line; a reason string instead of the
    document when the line is not a JSON object. Reads one line at a time (never ahead), so a
    caller writing through a pipe gets each answer before it sends the next line."""
    number = 0
    while True:
        raw = stream.readline()
        if not raw:
            return
        number += 1
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield number, _("the line is not UTF-8")
            continue
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, _("not valid JSON ({error})").format(error=exc.msg)
            continue
        except ValueError:  # a number longer than Python turns into an int (4 300 digits)
            yield number, _("a number in the line has too many digits")
            continue
        except RecursionError:  # lists or objects nested thousands deep
            yield number, _("the line is nested too deeply")
            continue
        if not isinstance(doc, dict):
            yield number, _("each line must be one JSON object")
            continue
        yield number, doc


def import_reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return describe_error(error)
    return _("a value has the wrong type or size ({error})").format(error=type(error).__name__)
