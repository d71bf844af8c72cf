"""Demo data: a year of realistic Spanish records for ``kiosk run --demo``, screenshots and trials.

:func:`demo_documents` builds the records as documents in exactly the export/import format
(:func:`kiosk.core.records.record_to_doc`), fully determined by a seed: ids are numbered in the order
the records were reported, link tokens come from the same seeded generator, and every date is
placed relative to ``today`` so the demo always looks current. :func:`seed_demo` imports them
into an empty data folder.

The records are planned first (when, which kind and area, which state, review and follow-up
dates), then written from scenario templates of a small Argentine plant (inyección, envasado,
prensas, matricería, mantenimiento, depósito, calidad), matched to the configured areas by
their names; areas the scenarios do not know get the plant-wide ones (orden y limpieza, OT,
calibraciones, cortes de energía, elementos de protección). Contributing conditions always
describe the work and its conditions, never a person.
"""

from __future__ import annotations

import base64
import random
import tomllib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from importlib import resources
from typing import TYPE_CHECKING, Any

from kiosk.core import ids
from kiosk.core.records import (
    CONDITION_CATEGORIES,
    KINDS,
    LINK_TOKEN_BYTES,
    OPEN_STATUSES,
    REPORT_LIMITS,
    Action,
    Condition,
    FollowUp,
    HistoryEntry,
    Kind,
    Link,
    LookFor,
    Outcome,
    Record,
    Review,
    Status,
    record_to_doc,
)
from kiosk.core.text import fold

if TYPE_CHECKING:
    from kiosk.storage.repository import Repository

#: Argentina: UTC-3 all year (no daylight saving time).
ARGENTINA = timezone(timedelta(hours=-3))

#: Areas of the demo plant, for callers without configured areas.
DEMO_AREAS = (
    "Inyección",
    "Envasado",
    "Prensas",
    "Matricería",
    "Mantenimiento",
    "Depósito",
    "Calidad",
)

#: Days between a review and its follow-up (SPEC section 3).
FOLLOW_UP_DAYS = 30
#: Days of history the demo covers, ending today.
DEMO_DAYS = 365

_KIND_SHARE = {"error": 0.35, "near_miss": 0.30, "surprise": 0.15, "win": 0.20}
_ANONYMOUS_SHARE = 0.40
_STATION_SHARE = 0.70
#: Nothing is dated after this time of ``today``: the demo is usually seeded at the start of a day.
_LATEST_TODAY = time(7, 30)
WIN_STATES = ("reported", "acknowledged", "shared")
_REVIEWED = OPEN_STATUSES | {Status.CLOSED, Status.REOPENED}
_SYSTEM = "system"
_OPERATOR = "operator"


# ---------------------------------------------------------------------------------------------
# Public API


def demo_documents(
    areas: tuple[str, ...],
    today: date,
    *,
    seed: int = 7,
    count: int = 240,
    tz: tzinfo = ARGENTINA,
) -> list[dict[str, Any]]:
    """``count`` records of the 365 days up to ``today``, oldest first, as import documents.

    The same arguments always give the same documents. With the default count (anything from
    about 30 records up) every kind, area and state appears, including follow-ups due today and
    overdue, reopened cycles and look-fors still being shared today.
    """
    areas = tuple(dict.fromkeys(areas))
    if not areas:
        raise ValueError("demo data needs at least one area")
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    rng = random.Random(seed)
    plans = _plan(rng, areas, today, count, tz)
    writer = _Writer(rng, today, tz)
    return [record_to_doc(writer.record(plan)) for plan in plans]


def seed_demo(
    repo: Repository,
    areas: tuple[str, ...],
    today: date,
    *,
    seed: int = 7,
    count: int = 240,
    tz: tzinfo = ARGENTINA,
) -> int:
    """Import the demo records into an empty repository; returns how many were imported.

    Raises ValueError if the repository already holds records: demo data never mixes with real
    reports.
    """
    existing = repo.count()
    if existing > 0:
        raise ValueError(
            f"demo data goes only into an empty data folder; this one has {existing} records"
        )
    documents = demo_documents(areas, today, seed=seed, count=count, tz=tz)
    for document in documents:
        repo.import_doc(document)
    last = max((ids.decode(document["id"]) for document in documents), default=0)
    teams = demo_teams(areas, today, first_number=last + 1, records=documents, tz=tz)
    for team in teams:
        repo.import_team(team)
    for item in demo_work_items(areas, today, first_number=last + 1 + len(teams), tz=tz):
        repo.import_work_item(item)
    seed_huddles(repo, areas, today, tz=tz)
    return len(documents)


#: The demo's huddle habit: (area group, weekdays held in each of the last three weeks, every
#: how many a learning was shared).
_HUDDLE_HABIT = (("inyeccion", 4, 2), ("envasado", 2, 3))


def seed_huddles(repo: Repository, areas: tuple[str, ...], today: date, *, tz: tzinfo = ARGENTINA) -> None:
    """Past huddles at 06:00 on weekdays of the last three weeks (today's is left for the person
    trying the kiosk), some sharing the oldest learning of the area known by then."""
    from kiosk.core import huddle as rules

    number = 0
    for group, per_week, every in _HUDDLE_HABIT:
        area = next((a for a in areas if _group_for(a) == group), "")
        if not area:
            continue
        held = 0
        for back in range(21, 0, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= per_week:
                continue
            moment = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=6)
            number += 1
            held += 1
            huddle = rules.start_huddle(number=number, area=area, now=moment)
            if held % every == 0:
                done = rules.shared_refs(repo.huddles(area), area)
                known = [c for c in repo.huddle_candidates(area, day) if datetime.fromisoformat(c.at) <= moment]
                fresh = rules.proposals(known, done)
                if fresh:
                    huddle = rules.share(huddle, fresh[0], already=done, now=moment + timedelta(minutes=3))
            repo.import_huddle(rules.huddle_to_doc(huddle))


def demo_teams(areas: tuple[str, ...], today: date, *, first_number: int, records: list[dict[str, Any]],
               tz: tzinfo = ARGENTINA) -> list[dict[str, Any]]:
    """The demo's Learning Teams as import documents, numbered from ``first_number``: one shared
    three weeks before ``today`` (its change due in a week), one soaking since this morning."""
    from kiosk.core import teams as rules

    found = []
    for index, raw in enumerate(_WORDS["teams"]):
        group_areas = [a for a in areas if _group_for(a) == raw["group"]]
        area = group_areas[0] if group_areas else areas[index % len(areas)]
        shared = index == 0
        start = datetime.combine(today - timedelta(days=23 if shared else 1), datetime.min.time(), tz) + timedelta(
            hours=14)
        facilitator = _SUPERVISORS[index % len(_SUPERVISORS)]
        linked = [doc["id"] for doc in records if doc["area"] == area][-3:] if shared else []
        team = rules.open_team(team_id=ids.encode(first_number + index), title=raw["title"], use=raw["use"],
                               area=area, facilitator=facilitator, now=start, records=linked,
                               participants=raw["participants"])
        team = replace(team, link_token=_token(random.Random(first_number + index)))
        moment = start
        for lens, text in raw["notes"]:
            moment += timedelta(minutes=4)
            team = rules.add_note(team, text=text, lens=lens, by=raw["participants"][len(team.notes) % 2], now=moment)
        for text in raw["ideas"]:
            team = rules.park_idea(team, text=text, by="", now=moment)
        if shared:
            team = rules.end_learn(team, by=facilitator, now=moment)
            for text in raw["reflections"]:
                team = rules.add_note(team, text=text, lens="", by="", now=moment + timedelta(hours=20))
            moment += timedelta(days=2)
            team = rules.start_solve(team, by=facilitator, now=moment, soak_hours=24)
            for text in raw["defences"]:
                team = rules.add_defence(team, text=text, by=facilitator, now=moment)
            for action, owner in raw["changes"]:
                team = rules.add_change(team, Action(action, owner, (moment.date() + timedelta(days=14)).isoformat()),
                                        by=facilitator, now=moment, follow_up_days=FOLLOW_UP_DAYS)
            team = rules.end_solve(team, by=facilitator, now=moment)
            team = rules.share(team, [(line, ()) for line in raw["look_fors"]], by=facilitator, now=moment,
                               share_days=FOLLOW_UP_DAYS)
        else:  # Learn ended this morning: it soaks through the day
            team = rules.end_learn(team, by=facilitator, now=datetime.combine(today, datetime.min.time(), tz)
                                   + timedelta(hours=7))
        found.append(rules.team_to_doc(team))
    return found


def demo_work_items(areas: tuple[str, ...], today: date, *, first_number: int,
                    tz: tzinfo = ARGENTINA) -> list[dict[str, Any]]:
    """The demo's work items as import documents, numbered from ``first_number``: two closed
    with their debrief (one lesson shared as a look-for), one running since yesterday, one
    started this morning."""
    from kiosk.core import work as rules

    found = []
    for index, raw in enumerate(_WORDS["work_items"]):
        group_areas = [a for a in areas if _group_for(a) == raw["group"]]
        area = group_areas[0] if group_areas else areas[index % len(areas)]
        supervisor = _SUPERVISORS[(index + 2) % len(_SUPERVISORS)]
        start = datetime.combine(today - timedelta(days=raw["days_ago"]), datetime.min.time(), tz) + timedelta(hours=6)
        item = rules.open_work(item_id=ids.encode(first_number + index), title=raw["title"], area=area,
                               opened_by=supervisor, now=start, description=raw["description"],
                               starts=start.date().isoformat())
        item = replace(item, link_token=_token(random.Random(first_number + index)))
        for kind, text, by, hours in raw["entries"]:
            item = rules.add_entry(item, kind=kind, text=text, by=by, now=start + timedelta(hours=hours))
        for position, times in enumerate(raw["applause"]):
            for _ in range(times):
                item = rules.applaud_entry(item, position, now=start)
        if raw["closed"]:
            end = start + timedelta(hours=max(hours for *_rest, hours in raw["entries"]) + 2)
            item = rules.close_work(item, by=supervisor, now=end)
            for position in raw["look_fors"]:
                item = rules.lesson_to_look_for(item, position, (), by=supervisor, now=end,
                                                share_days=2 * FOLLOW_UP_DAYS)
        found.append(rules.work_to_doc(item))
    return found


# ---------------------------------------------------------------------------------------------
# Planning: when, what and in which state, before any text is written.


@dataclass
class _Plan:
    created: datetime
    occurred: datetime
    kind: str = "error"
    area: str = ""
    scenario: _Scenario | None = None
    status: str = ""
    forced: bool = False
    #: Days from the report to the review (or to the saved draft of an ``in_review`` record).
    review_lag: int = 0
    #: Days from the follow-up date to the follow-up itself (closed records).
    follow_up_delay: int = 0
    reopened_as: _Plan | None = None
    reopened_from: _Plan | None = None
    follow_up_at: datetime | None = None
    look_for_until: date | None = None
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def day(self) -> date:
        return self.created.date()

    def review_day(self) -> date:
        return self.day() + timedelta(days=self.review_lag)

    def follow_up_day(self) -> date:
        return self.review_day() + timedelta(days=FOLLOW_UP_DAYS)


def _plan(
    rng: random.Random, areas: tuple[str, ...], today: date, count: int, tz: tzinfo
) -> list[_Plan]:
    anchors = _ANCHOR_AGES[: max(0, count - 20)]
    plans = [_slot(rng, today, tz, anchors[i] if i < len(anchors) else None) for i in range(count)]
    plans.sort(key=lambda p: p.created)
    for plan, kind in zip(plans, _kinds(rng, count), strict=True):
        plan.kind = kind
    for plan, area in zip(plans, _areas(rng, areas, count), strict=True):
        plan.area = area
    _pair_reopened(rng, plans, today)
    _force_states(plans, today)
    for plan in plans:
        if not plan.status:
            _natural_state(rng, plan, today)
    _choose_dates(rng, plans, today)
    _choose_look_fors(rng, plans, today)
    plans.sort(key=lambda p: p.created)
    groups = {area: _groups_of(area) for area in areas}
    for number, plan in enumerate(plans, start=1):
        plan.id = ids.encode(number)
        if plan.scenario is None:
            plan.scenario = _pick_scenario(rng, plan.kind, groups[plan.area])
            if plan.reopened_as is not None:
                plan.reopened_as.scenario = plan.scenario
    return plans


#: Ages (days, inclusive ranges) of a few reports, so that even a small demo has a report in
#: every window a state needs: just reported, under review, action open, follow-up due.
_ANCHOR_AGES = (
    (0, 1), (0, 3), (2, 9), (2, 12), (3, 20), (5, 25), (8, 25),
    (31, 40), (32, 41), (35, 80), (40, 90), (50, 200),
)


def _slot(
    rng: random.Random, today: date, tz: tzinfo, ages: tuple[int, int] | None = None
) -> _Plan:
    """A report time: more reports lately (the habit grew), fewer on Sundays, most by day."""
    first = today - timedelta(days=DEMO_DAYS - 1)
    while True:
        if ages is not None:
            days_ago = rng.randint(*ages)
        elif rng.random() < 0.4:
            days_ago = rng.randrange(DEMO_DAYS)
        else:
            days_ago = min(DEMO_DAYS - 1, int(rng.triangular(0, DEMO_DAYS, 0)))
        day = today - timedelta(days=days_ago)
        if day.weekday() == 6 and ages is None and rng.random() < 0.75:
            continue
        break
    if day == today:
        minute_of_day = rng.randint(20, _LATEST_TODAY.hour * 60 + _LATEST_TODAY.minute - 10)
    else:
        shift = rng.choices((6, 14, 22), weights=(46, 37, 17))[0]
        minute_of_day = (shift * 60 + rng.randrange(8 * 60)) % (24 * 60)
    hour, minute = divmod(minute_of_day, 60)
    created = datetime.combine(day, time(hour, minute, rng.randrange(60)), tz)
    roll = rng.random()
    if roll < 0.6:
        delay = timedelta(minutes=rng.randint(3, 40))
    elif roll < 0.9:
        delay = timedelta(minutes=rng.randint(41, 300))
    else:
        delay = timedelta(hours=rng.randint(16, 40))
    occurred = (created - delay).replace(second=0)
    start = datetime.combine(first, time(0, 0), tz)
    if occurred < start:
        occurred = start
    return _Plan(created=created, occurred=occurred)


def _kinds(rng: random.Random, count: int) -> list[Kind]:
    """Kinds in the demo's proportions (wins about a fifth), every kind at least once."""
    kinds = [k for k in KINDS for _ in range(round(count * _KIND_SHARE[k]))][:count]
    while len(kinds) < count:
        kinds.append(rng.choices(KINDS, weights=[_KIND_SHARE[k] for k in KINDS])[0])
    rng.shuffle(kinds)
    for kind in KINDS:
        if kind not in kinds and count >= len(KINDS):
            commonest = max(KINDS, key=kinds.count)
            kinds[kinds.index(commonest)] = kind
    return kinds


def _areas(rng: random.Random, areas: tuple[str, ...], count: int) -> list[str]:
    """Every area once, then some areas report more than others, shuffled."""
    weights = [rng.uniform(0.6, 1.6) for _ in areas]
    chosen = list(areas[:count])
    chosen += rng.choices(areas, weights=weights, k=max(0, count - len(chosen)))
    rng.shuffle(chosen)
    return chosen


def _pair_reopened(rng: random.Random, plans: list[_Plan], today: date) -> None:
    """Some follow-ups reopened the record as a new cycle, reported at the follow-up itself."""
    wanted = max(1, len(plans) // 30)
    targets = [p for p in plans if p.kind != "win" and p.day() < today]
    rng.shuffle(targets)
    used: set[int] = set()
    for target in targets:
        if wanted == 0:
            break
        if id(target) in used:
            continue
        low = target.day() - timedelta(days=44)
        high = target.day() - timedelta(days=FOLLOW_UP_DAYS + 1)
        sources = [
            p for p in plans
            if p.kind != "win" and id(p) not in used and low <= p.day() <= high
        ]
        if not sources:
            continue
        source = rng.choice(sources)
        used.update((id(source), id(target)))
        gap = (target.day() - source.day()).days - FOLLOW_UP_DAYS
        source.review_lag = rng.randint(1, min(8, gap))
        source.status = "reopened"
        source.forced = True
        source.reopened_as = target
        target.reopened_from = source
        target.kind = source.kind
        target.area = source.area
        target.created = datetime.combine(
            target.day(), time(rng.randint(9, 15), rng.randrange(60), rng.randrange(60)),
            target.created.tzinfo,
        )
        target.occurred = (target.created - timedelta(minutes=rng.randint(5, 30))).replace(second=0)
        source.follow_up_at = target.created - timedelta(minutes=rng.randint(2, 9))
        wanted -= 1


def _age(plan: _Plan, today: date) -> int:
    return (today - plan.day()).days


def _force_states(plans: list[_Plan], today: date) -> None:
    """Make sure every state shows up, with follow-ups due today as well as overdue ones."""
    newest = sorted(plans, key=lambda p: p.created, reverse=True)

    kinds = Counter(p.kind for p in plans)

    def take(win: bool, status: str, ages: range, n: int = 1, *, due_today: bool = False) -> None:
        free = [p for p in newest if not p.forced and _age(p, today) in ages]
        right = [p for p in free if (p.kind == "win") == win]
        # Too few of the right kind at that age: borrow others whose kind is not the last one.
        right += [
            p for p in free
            if (p.kind == "win") != win and kinds[p.kind] > 1 and p.reopened_from is None
        ]
        for plan in right[:n]:
            if (plan.kind == "win") != win:
                kinds[plan.kind] -= 1
                plan.kind = "near_miss" if plan.kind == "win" else "win"
                kinds[plan.kind] += 1
            plan.status = status
            plan.forced = True
            if due_today:
                plan.review_lag = _age(plan, today) - FOLLOW_UP_DAYS
                plan.extra["due_today"] = True

    take(False, "reported", range(0, DEMO_DAYS), 3)
    take(False, "in_review", range(2, 21), 2)
    take(False, "action_open", range(2, 26), 2)
    take(False, "follow_up_due", range(FOLLOW_UP_DAYS + 2, FOLLOW_UP_DAYS + 12), 2, due_today=True)
    take(False, "follow_up_due", range(FOLLOW_UP_DAYS + 5, 90), 3)
    take(False, "closed", range(FOLLOW_UP_DAYS + 3, DEMO_DAYS), 1)
    take(True, "reported", range(0, DEMO_DAYS), 1)
    take(True, "acknowledged", range(2, DEMO_DAYS), 1)
    take(True, "shared", range(2, DEMO_DAYS), 1)


def _natural_state(rng: random.Random, plan: _Plan, today: date) -> None:
    age = _age(plan, today)
    if plan.kind == "win":
        if age <= 1:
            plan.status = "reported"
        elif age <= 6:
            plan.status = rng.choices(WIN_STATES, weights=(50, 35, 15))[0]
        else:
            plan.status = rng.choice(("acknowledged", "shared"))
        return
    if age <= 1:
        options = {"reported": 1}
    elif age <= 9:
        options = {"reported": 40, "in_review": 30, "action_open": 30}
    elif age <= 20:
        options = {"reported": 8, "in_review": 17, "action_open": 75}
    elif age <= 29:
        options = {"in_review": 5, "action_open": 95}
    elif age <= 45:
        options = {"action_open": 35, "follow_up_due": 30, "closed": 35}
    elif age <= 90:
        options = {"follow_up_due": 12, "closed": 88}
    else:
        options = {"follow_up_due": 3, "closed": 97}
    feasible = {s: w for s, w in options.items() if _lag_range(s, age)}
    if feasible:
        plan.status = rng.choices(list(feasible), weights=list(feasible.values()))[0]
    else:
        plan.status = "reported"


def _lag_range(status: str, age: int) -> tuple[int, int] | None:
    """Review lags (days after the report) that put a record of this age in this state."""
    if status == "in_review":
        low, high = 1, min(5, age - 1)
    elif status == "action_open":  # reviewed before today, follow-up date still ahead
        low, high = max(1, age - FOLLOW_UP_DAYS + 1), min(14, age - 1)
    elif status == "follow_up_due":  # follow-up date today or past
        low, high = 1, min(14, age - FOLLOW_UP_DAYS)
    elif status in ("closed", "reopened"):  # followed up before today
        low, high = 1, min(10, age - FOLLOW_UP_DAYS - 1)
    elif status in ("acknowledged", "shared"):
        low, high = 1, min(6, age - 1)
    else:
        return (0, 0)
    return (low, high) if low <= high else None


def _choose_dates(rng: random.Random, plans: list[_Plan], today: date) -> None:
    for plan in plans:
        age = _age(plan, today)
        if plan.status == "reopened":
            continue  # paired with its new cycle already
        if plan.extra.get("due_today"):
            continue  # follow-up date is exactly today
        span = _lag_range(plan.status, age)
        if span is None:  # a forced state the age does not allow: fall back to a reachable one
            plan.status = "reported" if plan.kind != "win" or age < 2 else "acknowledged"
            span = _lag_range(plan.status, age) or (0, 0)
        low, high = span
        plan.review_lag = min(high, low + int(rng.expovariate(1 / 3))) if high > low else low
        if plan.status == "closed":
            room = (today - plan.follow_up_day()).days - 1
            plan.follow_up_delay = min(room, int(rng.expovariate(1 / 2)))


def _choose_look_fors(rng: random.Random, plans: list[_Plan], today: date) -> None:
    """Shared wins and some reviews carry a look-for; a few are still shared today."""
    for plan in plans:
        if plan.status == "shared":
            plan.look_for_until = plan.review_day() + timedelta(days=rng.randint(20, 45))
        elif plan.status in _REVIEWED and rng.random() < 0.22:
            plan.look_for_until = plan.review_day() + timedelta(days=rng.randint(20, 60))
    candidates = [
        p for p in sorted(plans, key=lambda p: p.created, reverse=True)
        if p.status in _REVIEWED or p.status == "shared"
    ]
    active = sum(1 for p in plans if p.look_for_until and p.look_for_until >= today)
    for plan in candidates:
        if active >= 4:
            break
        if plan.look_for_until is None or plan.look_for_until < today:
            plan.look_for_until = today + timedelta(days=rng.randint(5, 25))
            active += 1


# ---------------------------------------------------------------------------------------------
# Writing: texts, review, follow-ups, links and history for each planned record.


class _Writer:
    """Turns plans into records, remembering earlier ones to link similar events."""

    def __init__(self, rng: random.Random, today: date, tz: tzinfo) -> None:
        self.rng = rng
        self.today = today
        self.tz = tz
        self.seen: dict[tuple[str, str], list[_Plan]] = {}

    # -- one record --------------------------------------------------------------------

    def record(self, plan: _Plan) -> Record:
        rng = self.rng
        scenario = plan.scenario
        assert scenario is not None
        values = self._values(plan, scenario)
        if plan.reopened_from is not None:  # the same machine and product as the first cycle
            first = plan.reopened_from.extra["values"]
            values.update({key: first[key] for key in ("m", "m2", "r", "producto", "station")})
        plan.extra["values"] = values
        station = values["station"] if rng.random() < _STATION_SHARE or plan.reopened_from else ""
        reporter = ""
        if plan.reopened_from is not None:
            reporter = plan.reopened_from.extra["follow_up_by"]
        elif rng.random() >= _ANONYMOUS_SHARE:
            reporter = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_INITIALS)}."
        template = rng.choice(scenario.reports)
        core = _fill(template, values)
        impact = _fill(rng.choice(scenario.impacts), values)
        did = _fill(rng.choice(scenario.did), values)
        plan.extra.update(core=core, impact=impact, did=did)
        links = self._links(plan)
        what_happened = self._report_text(plan, core, template)
        review = self._review(plan, values)
        follow_ups = self._follow_ups(plan, values, review)
        look_for = None
        if plan.look_for_until is not None:
            look_for = LookFor(
                text=_fill(rng.choice(scenario.look_for), values),
                until=plan.look_for_until.isoformat(),
            )
        applause = 0
        if plan.kind == "win":
            applause = rng.randint(0, 4) if plan.status == "reported" else rng.randint(2, 12)
        record = Record(
            id=plan.id,
            kind=Kind(plan.kind),
            area=plan.area,
            station=station,
            what_happened=_limit(what_happened, "what_happened"),
            impact=_limit(impact, "impact") if rng.random() < 0.85 else "",
            what_we_did=_limit(did, "what_we_did") if rng.random() < 0.75 else "",
            reporter=_limit(reporter, "reporter"),
            created_at=_stamp(plan.created),
            occurred_at=_stamp(plan.occurred),
            status=Status(plan.status),
            review=review,
            follow_ups=follow_ups,
            look_for=look_for,
            applause=applause,
            links=links,
            link_token=_token(rng),
            history=(),
        )
        record = _with_history(record, self._history(plan, record))
        self.seen.setdefault((scenario.key, plan.area), []).append(plan)
        return record

    def _values(self, plan: _Plan, scenario: _Scenario) -> dict[str, str]:
        rng = self.rng
        machine, other = rng.sample(range(1, 9), 2)
        hour = plan.occurred.hour
        shift = "mañana" if 6 <= hour < 14 else "tarde" if 14 <= hour < 22 else "noche"
        minutes = rng.choice((10, 15, 20, 25, 30, 40, 45, 50, 60, 75, 90))
        amount, amount2 = rng.sample(_AMOUNTS, 2)
        day_number = DEMO_DAYS - (self.today - plan.day()).days
        products = _PRODUCTS.get(scenario.groups[0] if scenario.groups else "", _PRODUCTS[""])
        values = {
            "m": str(machine),
            "m2": str(other),
            "r": rng.choice("ABCDEFG"),
            "lote": f"{plan.created:%y%m}-{rng.randint(10, 98)}",
            "ot": str(18000 + day_number * 11 + rng.randrange(11)),
            "min": str(minutes),
            "min2": str(minutes + rng.choice((20, 30, 40, 55))),
            "horas": str(rng.randint(2, 12)),
            "cant": str(amount),
            "cant2": str(amount2),
            "n": str(rng.randint(2, 5)),
            "dias": str(rng.randint(35, 240)),
            "temp": str(rng.randint(6, 12)),
            "calor": str(rng.randint(32, 39)),
            "hora": f"{plan.occurred:%H:%M}",
            "hora_control": f"{plan.occurred + timedelta(minutes=rng.randint(20, 90)):%H:%M}",
            "turno": shift,
            "fecha": f"{plan.occurred:%d/%m}",
            "producto": rng.choice(products),
        }
        station_templates = scenario.stations or _STATIONS.get(_group_for(plan.area), _STATIONS[""])
        values["station"] = _fill(rng.choice(station_templates), values)
        return values

    def _report_text(self, plan: _Plan, core: str, template: str) -> str:
        rng = self.rng
        if plan.reopened_from is not None:
            return _cap(f"Nuevo ciclo abierto en el seguimiento de {plan.reopened_from.id}: {core}")
        all_openers = _WIN_OPENERS if plan.kind == "win" else _OPENERS
        closers = _WIN_CLOSERS if plan.kind == "win" else _CLOSERS
        values = plan.extra["values"]
        # An opener never repeats what the report itself says (the shift, the time).
        openers = [o for o in all_openers if not ("{turno}" in o and "{turno}" in template)]
        text = _fill(rng.choice(openers), values) + core
        if rng.random() < 0.35:
            text += " " + rng.choice(closers)
        return _cap(text)

    def _links(self, plan: _Plan) -> tuple[Link, ...]:
        rng = self.rng
        links: list[Link] = []
        if plan.reopened_from is not None:
            links.append(Link(id=plan.reopened_from.id, rel="reopened_from"))
        if plan.reopened_as is not None:
            links.append(Link(id=plan.reopened_as.id, rel="reopened_as"))
        assert plan.scenario is not None
        earlier = [
            p for p in self.seen.get((plan.scenario.key, plan.area), ())
            if p is not plan.reopened_from and p is not plan.reopened_as
        ]
        if earlier and plan.reopened_from is None and rng.random() < 0.4:
            previous = earlier[-1]
            rel = "similar"
            if (
                previous.status == "closed"
                and previous.follow_up_at is not None
                and previous.follow_up_at < plan.created
            ):
                rel = "recurrence_of"
                plan.extra["recurs"] = previous
            links.append(Link(id=previous.id, rel=rel))
            if len(earlier) > 1 and rng.random() < 0.2:
                links.append(Link(id=earlier[-2].id, rel="similar"))
        return tuple(links)

    def _review(self, plan: _Plan, values: dict[str, str]) -> Review | None:
        rng = self.rng
        if plan.status == "reported":
            return None
        scenario = plan.scenario
        assert scenario is not None
        supervisor = rng.choice(_SUPERVISORS)
        plan.extra["supervisor"] = supervisor
        place = values["station"] if rng.random() < 0.7 else plan.area
        facts = (
            f"El {plan.occurred:%d/%m/%Y} a las {plan.occurred:%H:%M}, en {place}: "
            f"{plan.extra['core']} {plan.extra['impact']}"
        )
        participants, participant_count = self._participants()
        review_day = plan.review_day()
        at = self._daytime(review_day, not_before=plan.created + timedelta(minutes=30))
        if plan.status == "in_review":
            plan.extra["draft_at"] = at
            why: tuple[Condition, ...] = ()
            if rng.random() < 0.5:
                why = tuple(self._conditions(scenario, values, 1, plan.occurred.month))
            return Review(
                what_happened=_limit(facts, "what_happened"),
                why=why,
                participants=participants,
                participant_count=participant_count,
                reviewed_by=supervisor,
                draft=True,
            )
        plan.extra["reviewed_at"] = at
        if plan.review_lag >= 2 and rng.random() < 0.3:
            next_day = plan.day() + timedelta(days=1)
            plan.extra["draft_at"] = self._daytime(next_day, not_before=plan.created)
        if plan.kind == "win":
            return Review(
                what_happened=_limit(facts, "what_happened"),
                win_note=_fill(rng.choice(scenario.wins), values),
                participants=participants,
                participant_count=participant_count,
                reviewed_by=supervisor,
                reviewed_at=_stamp(at),
                draft=False,
            )
        follow_up = plan.follow_up_day()
        deadline = review_day + timedelta(days=rng.randint(5, FOLLOW_UP_DAYS - 5))
        action = Action(
            text=_fill(rng.choice(scenario.actions), values),
            owner=rng.choice(_OWNERS),
            deadline=deadline.isoformat(),
        )
        imagined = done = ""
        if scenario.imagined and rng.random() < 0.6:
            imagined, done = _fill(scenario.imagined, values), _fill(scenario.done, values)
        recurrence = ""
        previous = plan.extra.get("recurs")
        if previous is not None:
            recurrence = (
                f"El cambio de {previous.id} se cerró como efectivo, "
                f"pero {rng.choice(_DID_NOT_HOLD)}."
            )
        elif plan.reopened_from is not None:
            recurrence = (
                f"Sigue al seguimiento de {plan.reopened_from.id}: {rng.choice(_DID_NOT_HOLD)}."
            )
        return Review(
            what_happened=_limit(facts, "what_happened"),
            why=tuple(self._conditions(scenario, values, 3, plan.occurred.month)),
            work_as_imagined=imagined,
            work_as_done=done,
            what_we_did=_limit(plan.extra["did"], "what_we_did"),
            action=action,
            follow_up_date=follow_up.isoformat(),
            participants=participants,
            participant_count=participant_count,
            recurrence_note=recurrence,
            reviewed_by=supervisor,
            reviewed_at=_stamp(at),
            draft=False,
        )

    def _conditions(self, scenario: _Scenario, values: dict[str, str], at_most: int, month: int):
        rng = self.rng
        wanted = rng.choices((1, 2, 3), weights=(30, 45, 25))[0]
        wanted = min(wanted, at_most, len(scenario.why))
        chosen = rng.sample(scenario.why, wanted)
        if wanted < at_most and rng.random() < 0.3:
            extra = rng.choice(_PLANT_CONDITIONS)
            if "{calor}" not in extra[1] or month in _SUMMER:
                chosen.append(extra)
        for category, text in chosen:
            yield Condition(text=_fill(text, values), category=category)

    def _participants(self) -> tuple[tuple[str, ...], int]:
        rng = self.rng
        if rng.random() < 0.3:
            return (), rng.randint(3, 8)
        names = []
        for first in rng.sample(_FIRST_NAMES, rng.randint(2, 4)):
            names.append(f"{first} {rng.choice(_INITIALS)}.")
        return tuple(names), len(names)

    def _follow_ups(
        self, plan: _Plan, values: dict[str, str], review: Review | None
    ) -> tuple[FollowUp, ...]:
        rng = self.rng
        if plan.status not in ("closed", "reopened") or review is None:
            return ()
        by = rng.choice(_SUPERVISORS) if rng.random() < 0.3 else review.reviewed_by
        plan.extra["follow_up_by"] = by
        if plan.status == "closed":
            day = plan.follow_up_day() + timedelta(days=plan.follow_up_delay)
            reviewed = datetime.fromisoformat(review.reviewed_at)
            plan.follow_up_at = self._daytime(day, not_before=reviewed)
            deadline = _dmy(review.action.deadline)
            notes = _fill(rng.choice(_CLOSED_NOTES), dict(values, deadline=deadline))
            at = _stamp(plan.follow_up_at)
            return (FollowUp(at=at, by=by, done="yes", worked="yes", notes=notes),)
        assert plan.follow_up_at is not None and plan.reopened_as is not None
        return (
            FollowUp(
                at=_stamp(plan.follow_up_at),
                by=by,
                done=rng.choice(("yes", "partly")),
                worked="no",
                happened_again=True,
                notes=_fill(rng.choice(_REOPENED_NOTES), values),
                outcome=Outcome.REOPENED,
                reason=(
                    f"Se abre un ciclo nuevo ({plan.reopened_as.id}) "
                    "para revisar las condiciones de nuevo."
                ),
            ),
        )

    def _history(self, plan: _Plan, record: Record) -> list[HistoryEntry]:
        reporter = _OPERATOR if plan.reopened_from is None else record.reporter
        entries = [HistoryEntry(at=record.created_at, by=reporter, what="reported")]
        supervisor = plan.extra.get("supervisor", "")
        review_fields = ("review", "status")
        if "draft_at" in plan.extra:
            at = _stamp(plan.extra["draft_at"])
            entries.append(HistoryEntry(at, supervisor, "review_draft_saved", review_fields))
        if "reviewed_at" in plan.extra:
            at = plan.extra["reviewed_at"]
            what = "acknowledged" if plan.kind == "win" else "reviewed"
            entries.append(HistoryEntry(_stamp(at), supervisor, what, review_fields))
            if record.look_for is not None:
                later = _stamp(at + timedelta(minutes=3))
                if plan.kind == "win":
                    entries.append(HistoryEntry(later, supervisor, "shared", ("look_for", "status")))
                else:
                    entries.append(HistoryEntry(later, supervisor, "look_for_added", ("look_for",)))
        if plan.status in ("follow_up_due", "closed", "reopened"):
            due = _stamp(datetime.combine(plan.follow_up_day(), time(6, 0), self.tz))
            entries.append(HistoryEntry(due, _SYSTEM, "follow_up_due", ("status",)))
        if record.follow_ups:
            check = record.follow_ups[-1]
            changed: tuple[str, ...] = ("follow_ups", "status")
            if check.outcome == "reopened":
                changed += ("links",)
            entries.append(HistoryEntry(check.at, check.by, "followed_up", changed))
        return entries

    def _daytime(self, day: date, *, not_before: datetime) -> datetime:
        """A supervisor's working time on ``day`` (08:00–17:00), after ``not_before``."""
        rng = self.rng
        clock = time(rng.randint(8, 16), rng.randrange(60), rng.randrange(60))
        at = datetime.combine(day, clock, self.tz)
        if at <= not_before:
            at = not_before + timedelta(minutes=rng.randint(15, 90), seconds=rng.randrange(60))
        return at


def _with_history(record: Record, entries: list[HistoryEntry]) -> Record:
    entries.sort(key=lambda e: datetime.fromisoformat(e.at))
    return replace(record, history=tuple(entries))


# ---------------------------------------------------------------------------------------------
# Small helpers


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _dmy(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m")


def _token(rng: random.Random) -> str:
    """Like :func:`kiosk.core.records.new_link_token`, but from the seeded generator."""
    return base64.urlsafe_b64encode(rng.randbytes(LINK_TOKEN_BYTES)).rstrip(b"=").decode("ascii")


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format_map(values)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _limit(text: str, name: str) -> str:
    limit = REPORT_LIMITS[name].max_chars
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _groups_of(area: str) -> tuple[str, ...]:
    folded = fold(area)
    return tuple(group for group, words in _AREA_WORDS.items() if any(w in folded for w in words))


def _group_for(area: str) -> str:
    groups = _groups_of(area)
    return groups[0] if groups else ""


def _pick_scenario(rng: random.Random, kind: str, groups: tuple[str, ...]) -> _Scenario:
    """An area's own scenarios weigh more than the plant-wide ones."""
    options = [
        s for s in _SCENARIOS
        if s.kind == kind and (not s.groups or set(s.groups) & set(groups))
    ]
    weights = [3 if s.groups else 1 for s in options]
    return rng.choices(options, weights=weights)[0]


# ---------------------------------------------------------------------------------------------
# Plant vocabulary: the words are data, in scenarios.toml beside this module.


@dataclass(frozen=True)
class _Scenario:
    """One kind of event in the plant, with the words to tell it and to learn from it."""

    key: str
    kind: str
    groups: tuple[str, ...]
    reports: tuple[str, ...]
    impacts: tuple[str, ...]
    did: tuple[str, ...]
    look_for: tuple[str, ...]
    why: tuple[tuple[str, str], ...] = ()
    actions: tuple[str, ...] = ()
    wins: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    imagined: str = ""
    done: str = ""


def _load_words() -> dict[str, Any]:
    text = resources.files("kiosk.demo").joinpath("scenarios.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _scenario(raw: dict[str, Any]) -> _Scenario:
    values: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}
    values["why"] = tuple((item["category"], item["text"]) for item in raw.get("why", ()))
    return _Scenario(**values)


_WORDS = _load_words()
_AREA_WORDS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDS["area_words"].items()}
_STATIONS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDS["stations"].items()}
_PRODUCTS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDS["products"].items()}
_FIRST_NAMES: tuple[str, ...] = tuple(_WORDS["people"]["first_names"])
_INITIALS: str = _WORDS["people"]["initials"]
_SUPERVISORS: tuple[str, ...] = tuple(_WORDS["people"]["supervisors"])
_OWNERS: tuple[str, ...] = tuple(_WORDS["people"]["owners"])
_AMOUNTS: tuple[int, ...] = tuple(_WORDS["words"]["amounts"])
_OPENERS: tuple[str, ...] = tuple(_WORDS["words"]["openers"])
_CLOSERS: tuple[str, ...] = tuple(_WORDS["words"]["closers"])
_WIN_OPENERS: tuple[str, ...] = tuple(_WORDS["words"]["win_openers"])
_WIN_CLOSERS: tuple[str, ...] = tuple(_WORDS["words"]["win_closers"])
_DID_NOT_HOLD: tuple[str, ...] = tuple(_WORDS["words"]["did_not_hold"])
_CLOSED_NOTES: tuple[str, ...] = tuple(_WORDS["words"]["closed_notes"])
_REOPENED_NOTES: tuple[str, ...] = tuple(_WORDS["words"]["reopened_notes"])
_PLANT_CONDITIONS: tuple[tuple[str, str], ...] = tuple(
    (item["category"], item["text"]) for item in _WORDS["plant_conditions"])
_SCENARIOS: tuple[_Scenario, ...] = tuple(_scenario(raw) for raw in _WORDS["scenarios"])
_SUMMER = frozenset({11, 12, 1, 2, 3})  # heat in the plant: the southern summer

# Every kind needs plant-wide scenarios, for areas no scenario knows by name.
assert {s.kind for s in _SCENARIOS if not s.groups} == set(KINDS)
assert all(category in CONDITION_CATEGORIES for s in _SCENARIOS for category, _ in s.why)
assert all(category in CONDITION_CATEGORIES for category, _ in _PLANT_CONDITIONS)
