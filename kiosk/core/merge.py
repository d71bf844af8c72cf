"""Merging two kiosks' states of one document, the same on every kiosk (pure Python).

Two kiosks may change the same record while apart: a follow-up closed on one, applause on the
other, the same review draft on both. Each synced document travels with its **versions**: the
stamp (:mod:`kiosk.core.hlc`) of the last change of each plain field, and each kiosk's
contribution to each counter. :func:`join` merges two such states so that every kiosk ends
with the same document whatever order the states arrive in, and however often (the join is
commutative, associative and idempotent — a state-based CRDT):

- a **counter** (applause) adds up: each kiosk's count is kept, the document shows the sum;
- a **set** (follow-ups, links) is the union of both, each element known by its identity;
- the **history** is the union of both histories, in time order;
- a **plain field** changed on both takes the value of the later change by stamp (the kiosk
  breaks ties); the other value is not lost: when the two changes were made at once (neither
  kiosk knew the other's), it is returned as a :class:`Superseded`, which the caller writes into
  the history ("changed also at kiosk X to …"), and which a later join with the same states
  gives again, identically.

Which fields are which is :data:`RULES`, per table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from typing import Any

from kiosk.core.hlc import Stamp

Doc = dict[str, Any]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Rules:
    """How one table's documents merge."""

    counters: frozenset[str] = frozenset()
    #: field → the identity of an element (elements with the same identity are one).
    sets: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    #: Sets whose elements are in time order (their "at"), as the history is; the others are
    #: in the order of their identities.
    in_time: frozenset[str] = frozenset()
    history: str = ""
    #: Fields kept by each kiosk for itself and never merged (e.g. drafts of a local screen).
    local: frozenset[str] = frozenset()


def _by_json(element: Any) -> str:
    return _canonical(element)


def _history_order(entry: Any) -> tuple[str, str]:
    return (str(entry.get("at", "")) if isinstance(entry, Mapping) else "", _canonical(entry))


def _link(link: Any) -> str:
    return f"{link.get('rel')}:{link.get('id')}" if isinstance(link, Mapping) else _canonical(link)


def _keyed(name: str) -> Callable[[Any], str]:
    def identity(element: Any) -> str:
        return str(element.get(name)) if isinstance(element, Mapping) else _canonical(element)
    return identity


#: Every table that syncs, and how its documents merge. Lists that only grow (notes, ideas,
#: phases, a team's records and participants) are sets; lists edited in place as a whole (a
#: team's changes, an after-action review's participants and findings) are plain fields: the
#: later edit wins and the other stays readable in the history. Not here, so never synced:
#: print jobs, counters, the after-action codes' salt and tries, the sync tables themselves.
RULES: dict[str, Rules] = {
    "records": Rules(counters=frozenset({"applause"}), history="history", in_time=frozenset({"follow_ups"}),
                     sets={"follow_ups": _by_json, "links": _link}),
    "work_items": Rules(history="history", sets={"look_fors": _by_json}),
    "work_entries": Rules(counters=frozenset({"applause"})),
    "teams": Rules(history="history", in_time=frozenset({"notes", "ideas", "phases"}),
                   sets={"notes": _by_json, "ideas": _by_json, "phases": _by_json, "records": _by_json,
                         "participants": _by_json, "look_fors": _by_json},
                   local=frozenset({"drafts"})),
    "aars": Rules(history="history"),
    # A supervisor's failed tries and lockout are the kiosk's where they were typed.
    "supervisors": Rules(local=frozenset({"failures", "locked_until"})),
    "huddles": Rules(sets={"shared": _keyed("ref")}, in_time=frozenset({"shared"})),
}


@dataclass(frozen=True)
class Versioned:
    """A document with its versions: ``stamps`` (field → stamp text of its last change) and
    ``counts`` (counter field → kiosk → that kiosk's count)."""

    doc: Doc
    stamps: Mapping[str, str] = field(default_factory=dict)
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    #: field → what the kiosk that wrote its value knew of the field then: kiosk → the newest
    #: stamp of that kiosk's values it had seen. A value the winner had not seen was written
    #: at the same time as it (concurrently), and stays readable as superseded.
    context: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class Superseded:
    """A plain field's value that lost to a later change on another kiosk."""

    field: str
    stamp: str
    value_json: str

    @property
    def kiosk(self) -> str:
        return Stamp.parse(self.stamp).kiosk if self.stamp else ""


def _stamp(stamps: Mapping[str, str], name: str) -> tuple[int, int, str]:
    text = stamps.get(name, "")
    if not text:
        return (-1, -1, "")
    found = Stamp.parse(text)
    return (found.wall, found.counter, found.kiosk)


def join(a: Versioned, b: Versioned, rules: Rules) -> tuple[Versioned, list[Superseded]]:
    """The merge of two states of one document, and the plain values that lost (sorted).

    ``join(a, b)`` equals ``join(b, a)``; ``join(join(a, b), c)`` equals ``join(a, join(b, c))``
    (documents and versions; the superseded values of a chain are those of every step); and
    ``join(a, a)`` is ``a``. Fields in ``rules.local`` keep ``a``'s value (the receiving kiosk's).
    """
    doc: Doc = {}
    stamps: dict[str, str] = {}
    context: dict[str, dict[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    lost: list[Superseded] = []
    names = list(a.doc) + [name for name in b.doc if name not in a.doc]
    for name in names:
        mine, theirs = a.doc.get(name), b.doc.get(name)
        if name in rules.local:
            doc[name] = mine if name in a.doc else theirs
        elif name in rules.counters:
            merged = {kiosk: max(a.counts.get(name, {}).get(kiosk, 0), b.counts.get(name, {}).get(kiosk, 0))
                      for kiosk in sorted(set(a.counts.get(name, {})) | set(b.counts.get(name, {})))}
            counts[name] = merged
            doc[name] = sum(merged.values()) if merged else max(mine or 0, theirs or 0)
        elif name in rules.sets or name == rules.history:
            identity = rules.sets.get(name, _by_json)
            elements: dict[str, Any] = {}
            for element in [*(mine or []), *(theirs or [])]:
                known = elements.setdefault(identity(element), element)
                if known is not element and _canonical(element) > _canonical(known):
                    elements[identity(element)] = element  # one identity, two contents: both pick alike
            if name == rules.history or name in rules.in_time:
                doc[name] = sorted(elements.values(), key=_history_order)
            else:
                doc[name] = [elements[key] for key in sorted(elements)]
        else:
            first, second = _stamp(a.stamps, name), _stamp(b.stamps, name)
            if name not in b.doc or (name in a.doc and first >= second):
                winner, loser = (a, b) if name in a.doc else (b, a)
            else:
                winner, loser = b, a
            if name in a.doc and name in b.doc and first == second and _canonical(mine) != _canonical(theirs):
                # The same stamp with two values cannot come from one change: take the greater
                # by its JSON, so that both kiosks still agree.
                winner, loser = (a, b) if _canonical(mine) > _canonical(theirs) else (b, a)
            doc[name] = winner.doc.get(name)
            if winner.stamps.get(name) or loser.stamps.get(name):
                stamps[name] = max(winner.stamps.get(name, ""), loser.stamps.get(name, ""),
                                   key=lambda text: _stamp({name: text}, name))
            # (One change seen twice has one context; should two disagree, the union, on both sides.)
            known = (_newest_each(a.context.get(name, {}), b.context.get(name, {})) if first == second
                     else dict(winner.context.get(name, {})))
            if known:
                context[name] = known
            # The losing value was not known where the winning change was made: two changes at
            # once, and the loser stays readable. A value the winner had seen is simply older.
            lost_stamp = loser.stamps.get(name, "")
            concurrent = bool(lost_stamp) and not _seen(winner.context.get(name, {}), lost_stamp)
            if name in loser.doc and concurrent and _canonical(loser.doc.get(name)) != _canonical(doc[name]):
                lost.append(Superseded(name, lost_stamp, _canonical(loser.doc.get(name))))
    return Versioned(doc, stamps, counts, context), sorted(lost)


def _order(text: str) -> tuple[int, int, str]:
    return _stamp({"": text}, "")


def _newest_each(*contexts: Mapping[str, str]) -> dict[str, str]:
    """Per kiosk, the newest stamp any of ``contexts`` has seen."""
    out: dict[str, str] = {}
    for known in contexts:
        for kiosk, text in known.items():
            if kiosk not in out or _order(text) > _order(out[kiosk]):
                out[kiosk] = text
    return dict(sorted(out.items()))


def _seen(known: Mapping[str, str], text: str) -> bool:
    """Whether a context has seen the value stamped ``text`` (or a later one of its kiosk)."""
    stamp = Stamp.parse(text)
    have = known.get(stamp.kiosk, "")
    return bool(have) and _order(have) >= _order(text)


def local_change(before: Versioned | None, after: Doc, stamp: Stamp, rules: Rules) -> Versioned:
    """The versions of a document this kiosk just changed from ``before`` (None: a new one) to
    ``after``: every plain field whose value changed gets ``stamp``; a counter's growth is this
    kiosk's (``stamp.kiosk``) contribution; sets and the history need no versions (they unite).
    A counter that went down (an imported document, say) lowers this kiosk's own part only."""
    previous = before.doc if before is not None else {}
    stamps = dict(before.stamps) if before is not None else {}
    context = {name: dict(known) for name, known in (before.context if before is not None else {}).items()}
    counts = {name: dict(parts) for name, parts in (before.counts if before is not None else {}).items()}
    for name, value in after.items():
        if name in rules.local or name in rules.sets or name == rules.history:
            continue
        if name in rules.counters:
            parts = counts.setdefault(name, {})
            others = sum(count for kiosk, count in parts.items() if kiosk != stamp.kiosk)
            parts[stamp.kiosk] = max(0, int(value or 0) - others)
            if not parts[stamp.kiosk]:
                del parts[stamp.kiosk]
            continue
        if name not in previous or _canonical(previous[name]) != _canonical(value):
            if stamps.get(name):  # what this kiosk knew: the value it replaced, and all that one knew
                old = stamps[name]
                context[name] = _newest_each(context.get(name, {}), {Stamp.parse(old).kiosk: old})
            stamps[name] = stamp.text()
    return Versioned(dict(after), stamps, counts, context)


#: The ``what`` of a history entry that keeps a value which lost to a later change elsewhere.
CHANGED_ELSEWHERE = "changed_elsewhere"
#: How much of a superseded value its history entry keeps (the records' limit for it).
_VALUE_MAX = 600


def keep_superseded(history: list[Any], lost: list[Superseded]) -> list[Any] | None:
    """``history`` with entries that keep the ``lost`` values readable, in time order; None
    if it holds them all already. The same on every kiosk: when (the losing change's stamp,
    written in the time zone of the history's newest entry), where (its kiosk), which field,
    and the value (text as it was; a part such as a review as its texts), cut to what a
    history entry holds."""
    zone: tzinfo = UTC
    for entry in reversed(history):
        at = entry.get("at", "") if isinstance(entry, Mapping) else ""
        try:
            found = datetime.fromisoformat(at).tzinfo if at else None
        except ValueError:
            found = None
        if found is not None:
            offset = found.utcoffset(None) or timedelta(0)
            zone = timezone(offset)
            break
    known = {_canonical(entry) for entry in history}
    out: list[Doc] = []
    for value in lost:
        stamp = Stamp.parse(value.stamp)
        text = _readable(json.loads(value.value_json))
        entry = {"at": datetime.fromtimestamp(stamp.wall / 1000, zone).isoformat(timespec="seconds"),
                 "by": stamp.kiosk, "what": CHANGED_ELSEWHERE, "fields": [value.field],
                 "value": " ".join(text.split())[:_VALUE_MAX]}
        if _canonical(entry) not in known:
            known.add(_canonical(entry))
            out.append(entry)
    return sorted([*history, *out], key=_history_order) if out else None


def _readable(value: Any) -> str:
    """A value as people read it: text as it is, a part (a review) as its texts in order."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return " · ".join(part for item in value.values() if (part := _readable(item)))
    if isinstance(value, list):
        return " · ".join(part for item in value if (part := _readable(item)))
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


def normal_form(doc: Doc, rules: Rules) -> Doc:
    """``doc`` with its sets and history in the order a join gives them (the form every kiosk
    keeps, so that their documents are equal). Quick for what a save usually holds — lists
    already in order, without repeats — and the join's own work for the rest."""
    out = doc
    for name in (*rules.sets, *((rules.history,) if rules.history else ())):
        items = doc.get(name)
        if not isinstance(items, list) or len(items) < 2:
            continue
        if name == rules.history or name in rules.in_time:
            keys = [str(item.get("at", "")) if isinstance(item, Mapping) else "" for item in items]
        else:
            identity = rules.sets[name]
            keys = [identity(item) for item in items]
        if all(first < second for first, second in pairwise(keys)):
            continue  # in order, and no two alike: as the join would give it
        whole = Versioned({name: items})
        if out is doc:
            out = dict(doc)
        out[name] = join(whole, whole, rules)[0].doc[name]
    return out
