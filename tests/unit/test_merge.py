"""The plant hub's merge (issue 18): hybrid logical clocks that never go back and survive a clock a
day wrong, and a join of two states of a document that is the same whatever the order or
repetition of arrivals, adds applause up, unites follow-ups, links and histories, and keeps the
value a later change replaced readable."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.hlc import MAX_AHEAD_MS, Clock, Stamp, StampError
from kiosk.core.merge import RULES, Versioned, join

DAY = 24 * 3600 * 1000
T0 = 1_763_730_000_000  # 2025-11-21, in milliseconds
RECORDS = RULES["records"]


def test_a_clock_never_goes_back_and_a_clock_a_day_ahead_reorders_nothing():
    slow, fast = Clock("prensas"), Clock("deposito")
    first = slow.now(T0)
    assert slow.now(T0 - 5000) > first  # the wall clock stepped back: the stamp did not
    ahead = fast.now(T0 + DAY)  # this kiosk's clock is a day ahead
    slow.seen(ahead, T0 + 10)
    later = slow.now(T0 + 20)
    assert later > ahead and later.kiosk == "prensas"  # what came after, stamps after
    assert Stamp.parse(later.text()) == later and sorted([later.text(), ahead.text()]) == [ahead.text(),
                                                                                          later.text()]
    with pytest.raises(StampError):
        slow.seen(Stamp(T0 + MAX_AHEAD_MS + DAY, 0, "deposito"), T0)
    with pytest.raises(StampError):
        Stamp.parse("yesterday")


KIOSKS = ("prensas", "deposito", "calidad")
stamps = st.builds(lambda wall, counter, kiosk: Stamp(T0 + wall, counter, kiosk).text(),
                   st.integers(0, 5), st.integers(0, 2), st.sampled_from(KIOSKS))
entries = st.fixed_dictionaries({"at": st.sampled_from(["2025-11-21T10:00:00-03:00", "2025-11-22T09:00:00-03:00"]),
                                 "by": st.sampled_from(KIOSKS), "what": st.sampled_from(["reported", "reviewed"]),
                                 "fields": st.just([])})
follow_ups = st.fixed_dictionaries({"at": st.sampled_from(["2025-12-21T10:00:00-03:00", "2025-12-22T10:00:00-03:00"]),
                                    "worked": st.sampled_from(["yes", "no"])})
links = st.fixed_dictionaries({"id": st.sampled_from(["QPC-GB8", "X7H-G5T"]),
                               "rel": st.sampled_from(["similar", "recurrence_of"])})


@st.composite
def states(draw) -> Versioned:
    counts = draw(st.dictionaries(st.sampled_from(KIOSKS), st.integers(0, 5)))
    doc = {"id": "QPC-GB8", "applause": sum(counts.values()),
           "history": draw(st.lists(entries, max_size=3)), "follow_ups": draw(st.lists(follow_ups, max_size=2)),
           "links": draw(st.lists(links, max_size=2))}
    stamped, context = {}, {}
    for name, values in (("status", ["reported", "reviewed", "closed"]), ("what_happened", ["a", "b"])):
        if draw(st.booleans()):
            doc[name] = draw(st.sampled_from(values))
            stamped[name] = draw(stamps)
            if draw(st.booleans()):
                seen = min(draw(stamps), stamped[name])  # (a replaced value is older)
                context[name] = {Stamp.parse(seen).kiosk: seen}
    return Versioned(doc, stamped, {"applause": counts} if counts else {}, context)


def normal(state: Versioned) -> Versioned:
    return join(state, state, RECORDS)[0]


def same(a: Versioned, b: Versioned) -> bool:
    as_json = lambda v: json.dumps([v.doc, dict(v.stamps), {k: dict(c) for k, c in v.counts.items()},  # noqa: E731
                                    {k: dict(c) for k, c in v.context.items()}], sort_keys=True)
    return as_json(a) == as_json(b)


@settings(max_examples=300, deadline=None)
@given(states(), states(), states())
def test_the_join_is_commutative_associative_and_idempotent(a, b, c):
    a, b, c = normal(a), normal(b), normal(c)
    ab, lost_ab = join(a, b, RECORDS)
    ba, lost_ba = join(b, a, RECORDS)
    assert same(ab, ba) and lost_ab == lost_ba
    assert same(join(ab, c, RECORDS)[0], join(a, join(b, c, RECORDS)[0], RECORDS)[0])
    assert same(join(a, a, RECORDS)[0], a) and join(a, a, RECORDS)[1] == []
    assert same(join(ab, b, RECORDS)[0], ab)  # a state arriving twice changes nothing


@settings(max_examples=200, deadline=None)
@given(states(), states())
def test_nothing_is_lost(a, b):
    merged, lost = join(a, b, RECORDS)
    for entry in [*a.doc["history"], *b.doc["history"]]:
        assert entry in merged.doc["history"]
    for follow_up in [*a.doc["follow_ups"], *b.doc["follow_ups"]]:
        assert follow_up in merged.doc["follow_ups"]
    assert merged.doc["applause"] >= max(a.doc["applause"], b.doc["applause"])
    assert merged.doc["history"] == sorted(merged.doc["history"], key=lambda e: (e["at"], json.dumps(
        e, sort_keys=True, ensure_ascii=False, separators=(",", ":"))))
    for name in ("status", "what_happened"):
        if a.context.get(name) or b.context.get(name):
            continue  # (a value the winner knew and replaced may be dropped: it is older)
        values = {json.dumps(s.doc[name], separators=(",", ":")) for s in (a, b) if name in s.doc}
        kept = {json.dumps(merged.doc[name], separators=(",", ":"))} if name in merged.doc else set()
        kept |= {item.value_json for item in lost if item.field == name}
        assert values <= kept  # the winner, or readable as superseded


def test_applause_on_two_kiosks_adds_up_and_a_later_close_wins_with_the_other_value_kept():
    base = {"id": "QPC-GB8", "status": "reviewed", "applause": 2, "history": [], "follow_ups": [], "links": []}
    reviewed = {"status": {"prensas": Stamp(T0, 0, "prensas").text()}}  # both changed the reviewed record, apart
    at_press = Versioned(base | {"applause": 3, "status": "closed"},
                         {"status": Stamp(T0 + 60_000, 0, "prensas").text()}, {"applause": {"prensas": 3}}, reviewed)
    at_store = Versioned(base | {"applause": 4, "status": "reopened"},
                         {"status": Stamp(T0 + 30_000, 0, "deposito").text()},
                         {"applause": {"prensas": 2, "deposito": 2}}, reviewed)
    merged, lost = join(at_press, at_store, RECORDS)
    assert merged.doc["applause"] == 5 and merged.counts["applause"] == {"deposito": 2, "prensas": 3}
    assert merged.doc["status"] == "closed"
    assert [(item.field, item.kiosk, json.loads(item.value_json)) for item in lost] == [
        ("status", "deposito", "reopened")]


def test_a_local_change_stamps_what_changed_and_counts_this_kiosks_applause():
    from kiosk.core.merge import local_change

    first = local_change(None, {"id": "QPC-GB8", "status": "reported", "applause": 0, "history": []},
                         Stamp(T0, 0, "prensas"), RECORDS)
    assert first.stamps == {"id": Stamp(T0, 0, "prensas").text(), "status": Stamp(T0, 0, "prensas").text()}
    # The other kiosk applauds twice and reviews it; this one applauds once meanwhile.
    theirs = local_change(first, first.doc | {"applause": 2, "status": "reviewed"}, Stamp(T0 + 10, 0, "deposito"),
                          RECORDS)
    mine = local_change(first, first.doc | {"applause": 1}, Stamp(T0 + 20, 0, "prensas"), RECORDS)
    assert theirs.counts == {"applause": {"deposito": 2}} and mine.counts == {"applause": {"prensas": 1}}
    assert mine.stamps["status"] == first.stamps["status"]  # unchanged here: its stamp stays
    merged, lost = join(mine, theirs, RECORDS)
    assert merged.doc["applause"] == 3 and merged.doc["status"] == "reviewed" and lost == []
    # Applauded again here after the merge: only this kiosk's part grows.
    again = local_change(merged, merged.doc | {"applause": 4}, Stamp(T0 + 30, 0, "prensas"), RECORDS)
    assert again.counts["applause"] == {"deposito": 2, "prensas": 2}
    assert same(join(again, theirs, RECORDS)[0], join(theirs, again, RECORDS)[0])
