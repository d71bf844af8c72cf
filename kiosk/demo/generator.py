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
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
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
    return len(documents)


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
# Plant vocabulary


_AREA_WORDS = {
    "inyeccion": ("inyec", "plastic", "sopl"),
    "envasado": ("envas", "empaq", "fraccion", "embotell", "linea"),
    "prensas": ("prensa", "estamp", "chapa", "corte", "plegad"),
    "matriceria": ("matric", "herramental", "moldes"),
    "mantenimiento": ("manten",),
    "deposito": ("deposit", "logist", "expedic", "almacen", "recepc", "despacho"),
    "calidad": ("calidad", "laborat", "inspecc", "metrolog"),
}

_STATIONS = {
    "inyeccion": ("Inyectora {m}", "Inyectora {m}", "Molino {m}", "Secador de material"),
    "envasado": ("Línea {m}", "Etiquetadora L{m}", "Encajonadora L{m}", "Termoselladora {m}"),
    "prensas": ("Prensa {m}", "Prensa {m}", "Plegadora {m}", "Guillotina"),
    "matriceria": ("Banco de ajuste", "Rectificadora", "Electroerosión", "Fresadora CNC {m}"),
    "mantenimiento": ("Taller", "Pañol", "Compresor {m}", "Sala de calderas"),
    "deposito": ("Muelle {m}", "Autoelevador {m}", "Rack {r}", "Playa de carga"),
    "calidad": ("Laboratorio", "Inspección final", "Metrología", "Recepción de materiales"),
    "": ("Puesto {m}", "Línea {m}", "Pasillo {r}", "Columna {m}"),
}

_PRODUCTS = {
    "inyeccion": (
        "tapas de 38 mm", "baldes de 10 litros", "carcasas de ventilador", "preformas de PET",
        "cajones plásticos",
    ),
    "envasado": (
        "frascos de 500 g", "sachets de 1 litro", "botellas de 1,5 litros",
        "paquetes de yerba de 1 kg", "latas de 400 g",
    ),
    "prensas": ("soportes de chapa", "bisagras", "tapas de tablero", "ménsulas"),
    "matriceria": ("soportes de chapa", "bisagras", "ménsulas", "insertos"),
    "deposito": ("cajas de producto terminado", "bobinas de film", "bolsas de materia prima"),
    "calidad": ("frascos de 500 g", "tapas de 38 mm", "soportes de chapa"),
    "": ("piezas", "unidades", "cajas"),
}

_AMOUNTS = (12, 24, 36, 48, 60, 80, 120, 150, 200, 240, 300, 480, 600)

_FIRST_NAMES = (
    "Juan", "María", "Carlos", "Lucía", "Jorge", "Sofía", "Diego", "Valeria", "Martín",
    "Gabriela", "Pablo", "Florencia", "Sergio", "Romina", "Walter", "Natalia", "Hernán",
    "Carla", "Matías", "Paula", "Gustavo", "Mariela", "Ramón", "Silvina", "Nicolás",
    "Daniela", "Cristian", "Verónica", "Facundo", "Liliana", "Rubén", "Agustina",
)
_INITIALS = "ABCDFGLMNOPQRSTV"
_SUPERVISORS = ("Laura Giménez", "Carlos Ferreyra", "Marcela Sosa", "Diego Acuña", "Gabriel Medina")
_OWNERS = (
    "Jorge Benítez", "Silvia Romero", "Ramón Quiroga", "Andrea Paz", "Hugo Ledesma",
    "Mónica Rivas", "Ezequiel Torres", "Patricia Luna", "Oscar Funes", "Claudia Vera",
)

_OPENERS = (
    "", "", "", "Turno {turno}: ", "A las {hora}, ", "El {fecha} a las {hora}, ", "Aviso: ",
    "Para revisar: ",
)
_CLOSERS = (
    "Lo dejo registrado para que no se repita.",
    "Ya había pasado otras veces.",
    "Aviso para que lo revisen.",
    "Quedó anotado en el cuaderno de novedades.",
    "Se avisó al supervisor del turno.",
)
_WIN_OPENERS = ("", "", "Buena noticia: ", "Turno {turno}: ", "Para compartir: ")
_WIN_CLOSERS = (
    "¡Bien ahí el equipo!",
    "Gracias a todos los que ayudaron.",
    "Se podría copiar en las otras líneas.",
)

_SUMMER = frozenset({11, 12, 1, 2, 3})  # heat in the plant: the southern summer
_PLANT_CONDITIONS = (
    ("workload",
     "El turno trabajaba con {n} personas menos por licencias y el plan de producción era el "
     "mismo."),
    ("environment",
     "La iluminación del sector es baja de noche; hay dos tubos quemados sobre el puesto."),
    ("environment", "Hacía {calor} °C en el sector y los ventiladores no alcanzaban."),  # summer
    ("information",
     "El cambio se avisó de palabra en el cambio de turno y no quedó escrito en el cuaderno de "
     "novedades."),
    ("training",
     "El puesto lo cubría personal que rota desde otro sector y la instrucción no tiene fotos "
     "del paso crítico."),
    ("process", "El plan de producción cambió a mitad de turno para priorizar un pedido urgente."),
    ("other",
     "Era la primera vez que se daba esta situación en el equipo; no había experiencia "
     "registrada."),
)

_DID_NOT_HOLD = (
    "el cambio no se sostuvo cuando rotó el personal del turno",
    "la mejora quedó en una sola línea y no se extendió al resto",
    "cambió el proveedor y la medida dejó de aplicar",
    "el control se fue salteando cuando subió la producción",
    "la acción atacó una condición pero no la principal",
)

_CLOSED_NOTES = (
    "Se verificó en el puesto: la acción está implementada y se usa en los tres turnos.",
    "Sin repeticiones en los 30 días; el equipo confirma que el cambio ayuda.",
    "Revisado con el turno {turno}: funciona y queda en la instrucción de trabajo.",
    "La acción se completó el {deadline}. No volvió a pasar.",
    "Hecho y verificado en planta. Se sumó al checklist de arranque.",
)
_REOPENED_NOTES = (
    "Volvió a pasar en el turno {turno}; la acción se hizo pero no alcanzó.",
    "La acción quedó a medias y el problema se repitió dos veces en el mes.",
    "Se repitió con otro producto; la condición de fondo sigue igual.",
)


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


_SCENARIOS: tuple[_Scenario, ...] = (
    _Scenario(
        key="molde_revision",
        kind="error",
        groups=("inyeccion",),
        reports=(
            "se inyectó el lote {lote} en la inyectora {m} con el molde de la revisión anterior; "
            "salieron {cant} {producto} con el encastre viejo.",
            "en la inyectora {m} se arrancó con un molde que no era el de la OT {ot}. Se detectó "
            "recién en el control de las {hora_control}.",
        ),
        impacts=(
            "{cant} piezas separadas para scrap o retrabajo y {min} minutos de máquina parada.",
            "Se perdieron {min} minutos de producción y hubo que moler {cant} piezas.",
        ),
        did=(
            "Se paró la inyectora, se segregaron las piezas con tarjeta roja y se avisó a calidad.",
            "Se retuvo el lote, se cambió el molde y se aprobó la primera pieza con calidad.",
        ),
        look_for=(
            "Verificar la revisión del molde contra la OT antes de arrancar la "
            "inyectora.",
        ),
        why=(
            ("information", "La OT {ot} indica el código del molde pero no el número de revisión."),
            ("process",
             "Los moldes de las dos revisiones están en el mismo rack, sin identificación "
             "visible."),
            ("process", "La primera pieza se aprueba después de arrancar la producción, no antes."),
            ("workload",
             "El cambio de molde se hizo al final del turno {turno}, con el plan del día "
             "atrasado."),
        ),
        actions=(
            "Grabar la revisión en la placa de cada molde y agregar el campo 'revisión' a la OT.",
            "Separar los moldes de revisiones anteriores en un rack con cartel 'NO USAR' y cadena.",
            "Aprobar la primera pieza contra el plano antes de liberar la producción en cada "
            "cambio de molde.",
        ),
        stations=("Inyectora {m}",),
        imagined="El molde se elige por la OT y la primera pieza se aprueba antes de producir.",
        done=(
            "El molde se busca por el nombre en el rack y la primera pieza se mide cuando calidad "
            "pasa por el sector."
        ),
    ),
    _Scenario(
        key="etiqueta_vencimiento",
        kind="error",
        groups=("envasado",),
        reports=(
            "la etiquetadora de la línea {m} imprimió el vencimiento con el año equivocado en "
            "{cant} {producto} del lote {lote}.",
            "salieron {cant} {producto} de la línea {m} con la fecha de elaboración del lote "
            "anterior en la etiqueta.",
        ),
        impacts=(
            "Se reetiquetaron {cant} unidades a mano y el pallet salió {min} minutos tarde.",
            "Producto retenido en depósito hasta reetiquetar; sin reclamos de clientes.",
        ),
        did=(
            "Se frenó la línea, se retuvo el pallet y se reetiquetó a mano.",
            "Se corrigió la fecha en la etiquetadora y se revisaron las cajas ya armadas.",
        ),
        look_for=("Revisar la primera etiqueta impresa después de cada cambio de lote.",),
        why=(
            ("information",
             "La fecha de vencimiento se carga a mano en la etiquetadora en cada cambio de lote."),
            ("equipment",
             "La pantalla de la etiquetadora no muestra la fecha completa antes de imprimir."),
            ("process",
             "No hay control de la primera etiqueta impresa después de un cambio de lote."),
        ),
        actions=(
            "Configurar la etiquetadora de la línea {m} para que calcule el vencimiento desde la "
            "fecha de elaboración.",
            "Agregar al checklist de cambio de lote la primera etiqueta pegada y firmada en la "
            "hoja de control.",
        ),
        stations=("Etiquetadora L{m}", "Línea {m}"),
        imagined="En cada cambio de lote se carga la fecha y se controla la primera etiqueta.",
        done=(
            "El cambio de lote se hace con la línea andando y la primera etiqueta no se mira si la "
            "línea viene atrasada."
        ),
    ),
    _Scenario(
        key="pallet_cliente",
        kind="error",
        groups=("deposito",),
        reports=(
            "se cargó en el camión un pallet de {producto} que era de otro cliente; lo avisó el "
            "cliente al recibir.",
            "en el muelle {m} se despachó un pedido con dos pallets cambiados entre clientes.",
        ),
        impacts=(
            "Reenvío al día siguiente y un reclamo del cliente.",
            "Flete extra para retirar y entregar el pallet correcto.",
        ),
        did=(
            "Se coordinó el retiro con el transporte y se envió el pallet correcto.",
            "Se llamó al cliente, se retiró el pallet y se revisaron los otros pedidos del día.",
        ),
        look_for=(
            "Controlar cliente y remito contra la etiqueta antes de subir cada pallet.",
        ),
        why=(
            ("information",
             "Los remitos de los dos clientes se imprimen juntos y las etiquetas de pallet son "
             "iguales."),
            ("environment",
             "La playa de carga tiene un solo sector de preparación para todos los pedidos."),
            ("workload",
             "Se prepararon {n} camiones en el mismo turno con un autoelevador fuera de servicio."),
        ),
        actions=(
            "Imprimir la etiqueta de pallet con el nombre del cliente en letra grande y color por "
            "zona.",
            "Marcar en el piso de la playa de carga un sector de preparación por cliente.",
            "Leer con el lector de código cada pallet contra el remito antes de subirlo al camión.",
        ),
        stations=("Playa de carga", "Muelle {m}"),
    ),
    _Scenario(
        key="rodamiento_equivocado",
        kind="error",
        groups=("mantenimiento",),
        reports=(
            "se montó un rodamiento de otra medida en la bomba del circuito de refrigeración {m}; "
            "hubo que desarmar de nuevo.",
            "en la OT {ot} se cambió la correa del compresor {m} por una de otro largo; patinó a "
            "la hora.",
        ),
        impacts=(
            "{min} minutos más de parada del equipo.",
            "El equipo estuvo fuera de servicio {horas} horas en lugar de una.",
        ),
        did=(
            "Se desarmó, se buscó el repuesto correcto en el pañol y se rearmó.",
            "Se colocó el repuesto correcto y se probó el equipo media hora con carga.",
        ),
        look_for=("Confirmar el código del repuesto contra la OT antes de desarmar.",),
        why=(
            ("materials", "En el pañol hay dos repuestos parecidos en la misma gaveta."),
            ("information", "La OT {ot} no indica el código del repuesto, solo la descripción."),
            ("environment", "La gaveta está en un estante alto y con poca luz."),
        ),
        actions=(
            "Separar los repuestos por código en gavetas rotuladas con la foto de cada uno.",
            "Agregar el código de repuesto a cada plan de mantenimiento preventivo del sistema de "
            "OT.",
        ),
        stations=("Taller", "Pañol"),
    ),
    _Scenario(
        key="certificado_lote",
        kind="error",
        groups=("calidad",),
        reports=(
            "se liberó el lote {lote} con el certificado de análisis de otro lote.",
            "el certificado de calidad del lote {lote} salió con los valores de viscosidad del "
            "lote anterior.",
        ),
        impacts=(
            "El cliente pidió rehacer el certificado y el lote quedó retenido {horas} horas.",
            "Se reenviaron los certificados de la semana y hubo un reclamo formal.",
        ),
        did=(
            "Se emitió el certificado correcto y se revisaron los certificados de la semana.",
            "Se bloqueó el lote en el sistema hasta corregir el certificado.",
        ),
        look_for=(
            "Comparar el número de lote del certificado con el del análisis antes de "
            "firmar.",
        ),
        why=(
            ("information",
             "La planilla de certificados copia el último lote cargado si no se cambia el número."),
            ("process", "El certificado lo arma y lo firma la misma persona, sin segunda lectura."),
            ("workload", "Ese día se liberaron {cant2} lotes por cierre de mes."),
        ),
        actions=(
            "Bloquear en la planilla la emisión si el número de lote no coincide con el del "
            "análisis.",
            "Agregar una segunda lectura del número de lote antes de firmar cada certificado.",
        ),
        stations=("Laboratorio",),
    ),
    _Scenario(
        key="espesor_chapa",
        kind="error",
        groups=("prensas",),
        reports=(
            "la prensa {m} estampó {cant} {producto} con chapa de 1,6 mm en lugar de 2 mm.",
            "se cargó en la prensa {m} una bobina de otro espesor; las piezas del lote {lote} no "
            "pasan el calibre.",
        ),
        impacts=(
            "{cant} piezas a scrap.",
            "{cant} piezas retenidas y {min} minutos de prensa parada.",
        ),
        did=(
            "Se paró la prensa, se separó el material y se revisó el resto del rack.",
            "Se cambió la bobina y se midió la primera pieza con calibre.",
        ),
        look_for=("Medir el espesor de la chapa en cada cambio de bobina.",),
        why=(
            ("materials",
             "Las bobinas de 1,6 y 2 mm llegan con la misma etiqueta del proveedor y sin color."),
            ("information", "La OT {ot} dice el espesor pero no el código de bobina."),
            ("process", "El espesor se controla cada 500 golpes y no en cada cambio de bobina."),
        ),
        actions=(
            "Pintar una franja de color por espesor en cada bobina al recibirla.",
            "Medir el espesor con calibre en cada cambio de bobina y anotarlo en la hoja de "
            "proceso.",
        ),
        stations=("Prensa {m}",),
    ),
    _Scenario(
        key="matriz_rebaba",
        kind="error",
        groups=("matriceria", "prensas"),
        reports=(
            "la matriz de corte de la prensa {m} volvió de matricería sin el ajuste de la guía; "
            "marcó rebaba en {cant} piezas.",
            "se montó la matriz reparada en la prensa {m} y el punzón quedó desalineado; piezas "
            "con rebaba desde el primer golpe.",
        ),
        impacts=(
            "{cant} piezas rebarbadas a mano y {min} minutos de prensa parada.",
            "Se atrasó el pedido de {producto} medio turno.",
        ),
        did=(
            "Se retiró la matriz, se ajustó la guía y se probó con cinco golpes.",
            "Se volvió a montar la matriz anterior mientras se corregía la reparada.",
        ),
        look_for=("Probar cada matriz reparada con cinco golpes antes de liberarla.",),
        why=(
            ("process",
             "No hay una prueba de golpes registrada antes de devolver la matriz a producción."),
            ("information", "El pedido de reparación decía 'revisar matriz' sin indicar la falla."),
            ("workload", "Había tres matrices urgentes en el banco al mismo tiempo."),
        ),
        actions=(
            "Crear una tarjeta de liberación de matriz con prueba de cinco golpes firmada por "
            "prensas.",
            "Agregar al pedido de reparación una foto de la pieza con la falla marcada.",
        ),
        stations=("Banco de ajuste", "Prensa {m}"),
    ),
    _Scenario(
        key="ot_cantidad",
        kind="error",
        groups=(),
        reports=(
            "la OT {ot} se cargó con {cant} unidades en lugar de {cant2}; se produjo de más "
            "durante el turno {turno}.",
            "se trabajó con una OT vieja impresa que quedó en el puesto; se hicieron {cant} "
            "{producto} que no estaban en el plan.",
        ),
        impacts=(
            "Sobrestock de {cant} unidades y horas de máquina usadas para otro pedido.",
            "Se atrasó un pedido en {horas} horas.",
        ),
        did=(
            "Se frenó la producción y se confirmó la cantidad con planificación.",
            "Se retiraron las OT impresas viejas del puesto y se siguió con la vigente.",
        ),
        look_for=(
            "Confirmar número y cantidad de la OT con el plan del día antes de arrancar.",
        ),
        why=(
            ("information", "La OT se copia de la anterior y el campo cantidad queda precargado."),
            ("process", "Las OT impresas no se retiran del puesto cuando se cierran."),
            ("workload", "El plan se cambió dos veces en el mismo día."),
        ),
        actions=(
            "Dejar vacío el campo cantidad al copiar una OT, para que haya que completarlo.",
            "Poner una bandeja de 'OT cerradas' en cada puesto que retira planificación al final "
            "del turno.",
        ),
    ),
    _Scenario(
        key="calibracion_vencida",
        kind="error",
        groups=(),
        reports=(
            "se estuvo midiendo con un calibre con la calibración vencida hace {n} semanas.",
            "el torquímetro del puesto tenía la calibración vencida; se usó en el lote {lote}.",
        ),
        impacts=(
            "Hubo que volver a medir muestras de {n} lotes.",
            "Lote {lote} retenido hasta verificar con un instrumento calibrado.",
        ),
        did=(
            "Se retiró el instrumento y se reemplazó por uno calibrado de metrología.",
            "Se separaron las muestras y se midieron de nuevo en el laboratorio.",
        ),
        look_for=(
            "Mirar la etiqueta de calibración antes de usar calibres y torquímetros.",
        ),
        why=(
            ("process",
             "La fecha de calibración está en una etiqueta chica que se despega con el uso."),
            ("information",
             "El listado de instrumentos vencidos se manda por correo y no llega al piso."),
            ("equipment", "No hay instrumentos de reemplazo para cubrir los que salen a calibrar."),
        ),
        actions=(
            "Poner un tablero en metrología con los instrumentos y su vencimiento, revisado cada "
            "lunes.",
            "Comprar dos calibres de reemplazo para cubrir los que salen a calibración.",
        ),
    ),
    _Scenario(
        key="autoelevador_peaton",
        kind="near_miss",
        groups=("deposito",),
        reports=(
            "un autoelevador dio marcha atrás en el pasillo {r} mientras pasaba una persona a "
            "pie; frenó a tiempo.",
            "en el cruce del rack {r} un autoelevador con carga alta casi choca a una persona que "
            "salía de la oficina de expedición.",
        ),
        impacts=(
            "Sin lesionados. Podría haber sido un atropello.",
            "Nadie se lastimó; fue un susto grande.",
        ),
        did=(
            "Se detuvo la carga y se avisó al supervisor del turno.",
            "Se cortó el paso por el pasillo {r} con conos hasta terminar la carga.",
        ),
        look_for=(
            "Cruces de autoelevadores con peatones en el depósito; mirar los espejos.",
        ),
        why=(
            ("environment",
             "El pasillo {r} es angosto y lo usan autoelevadores y peatones a la vez."),
            ("equipment", "La alarma de retroceso del autoelevador {m} no suena desde hace días."),
            ("environment", "El espejo convexo del cruce está roto."),
            ("workload", "Se cargaban {n} camiones a la vez en el turno {turno}."),
        ),
        actions=(
            "Pintar una senda peatonal en el pasillo {r} con vallas en el cruce.",
            "Reparar la alarma de retroceso del autoelevador {m} y sumarla al checklist diario.",
            "Cambiar el espejo convexo del cruce del rack {r}.",
        ),
        stations=(
            "Autoelevador {m}",
            "Pasillo {r}",
            "Rack {r}",
        ),
        imagined="Peatones y autoelevadores circulan por sendas separadas.",
        done="Para llegar a la oficina de expedición la única forma es cruzar por el pasillo {r}.",
    ),
    _Scenario(
        key="cinta_arranque",
        kind="near_miss",
        groups=("envasado",),
        reports=(
            "la cinta transportadora de la línea {m} arrancó sola mientras se destrababa una caja "
            "con la mano.",
            "al destrabar un atasco en la encajonadora de la línea {m} la cinta volvió a moverse "
            "sin que nadie la activara.",
        ),
        impacts=(
            "Nadie se lastimó; podría haber atrapado una mano.",
            "Sin lesionados. Riesgo de atrapamiento.",
        ),
        did=(
            "Se bloqueó el tablero y se llamó a mantenimiento.",
            "Se dejó la cinta parada con tarjeta hasta revisar el rearme.",
        ),
        look_for=(
            "Ante un atasco en la cinta, parar y bloquear antes de meter la mano.",
        ),
        why=(
            ("equipment", "El pulsador de parada de la cinta no corta el rearme automático."),
            ("process", "Destrabar cajas sin bloquear es la forma habitual de no parar la línea."),
            ("information",
             "El procedimiento de bloqueo no dice qué hacer con los atascos cortos."),
        ),
        actions=(
            "Instalar un candado de bloqueo con tarjeta en el tablero de la cinta de la línea {m}.",
            "Instalar un pulsador de parada con enclavamiento junto a la zona de atascos de la "
            "línea {m}.",
        ),
        stations=("Línea {m}", "Encajonadora L{m}"),
        imagined="Ante un atasco se para la línea, se bloquea el tablero y se retira la caja.",
        done=(
            "Como hay varios atascos por hora, las cajas se retiran con la línea andando para no "
            "frenar la producción."
        ),
    ),
    _Scenario(
        key="aceite_piso",
        kind="near_miss",
        groups=("inyeccion",),
        reports=(
            "hay una pérdida de aceite hidráulico debajo de la inyectora {m}; una persona casi se "
            "resbala al pasar.",
            "apareció aceite en el paso entre las inyectoras {m} y {m2}; alguien pisó la mancha y "
            "se pudo sostener.",
        ),
        impacts=(
            "Sin lesionados; mancha de aceite de un metro en el paso.",
            "Nadie se cayó, pero el paso quedó resbaladizo.",
        ),
        did=(
            "Se puso material absorbente y se señalizó con conos.",
            "Se limpió la mancha y se cerró el paso hasta que vino mantenimiento.",
        ),
        look_for=(
            "Pérdidas de aceite en el piso de inyección; avisar y señalizar enseguida.",
        ),
        why=(
            ("equipment",
             "La manguera del cilindro de cierre de la inyectora {m} pierde desde hace semanas."),
            ("process",
             "Los avisos de pérdidas se anotan en un cuaderno que mantenimiento revisa una vez "
             "por semana."),
            ("environment", "El sector no tiene bandejas de contención debajo de las máquinas."),
        ),
        actions=(
            "Instalar bandejas de contención debajo de las inyectoras {m} y {m2}.",
            "Cambiar la manguera del cilindro de cierre de la inyectora {m}.",
        ),
        stations=("Inyectora {m}",),
    ),
    _Scenario(
        key="guarda_prensa",
        kind="near_miss",
        groups=("prensas",),
        reports=(
            "la guarda de la prensa {m} estaba abierta y la prensa igual dio un golpe en modo "
            "manual.",
            "la cortina de seguridad de la prensa {m} no detuvo el ciclo al cruzarla con una "
            "pieza en la mano.",
        ),
        impacts=(
            "Sin lesionados. Podría haber sido un atrapamiento.",
            "Nadie se lastimó; riesgo grave de atrapamiento.",
        ),
        did=("Se dejó la prensa fuera de servicio con tarjeta y se llamó a mantenimiento.",),
        look_for=(
            "Probar guardas y cortinas de seguridad al inicio de cada turno en prensas.",
        ),
        why=(
            ("equipment", "El sensor de la guarda estaba puenteado desde una reparación."),
            ("information",
             "No quedó registrado en la OT {ot} que el sensor se había puenteado para probar."),
            ("process",
             "Después de una reparación no se prueban las seguridades antes de devolver la "
             "máquina."),
        ),
        actions=(
            "Agregar la prueba de las seguridades a la entrega de cada OT de prensas, firmada por "
            "quien opera.",
            "Colocar un precinto numerado en los sensores de guarda que solo abre mantenimiento "
            "con registro.",
        ),
        stations=("Prensa {m}",),
    ),
    _Scenario(
        key="tablero_sin_bloqueo",
        kind="near_miss",
        groups=("mantenimiento",),
        reports=(
            "se empezó a trabajar en el tablero del compresor {m} sin bloqueo; desde otro sector "
            "lo iban a energizar.",
            "en la OT {ot} de la sala de calderas se energizó una bomba que estaba en reparación.",
        ),
        impacts=(
            "Sin lesionados. Riesgo eléctrico serio.",
            "Nadie se lastimó; la bomba arrancó con la tapa abierta.",
        ),
        did=(
            "Se cortó la tarea, se bloqueó el tablero y se retomó.",
            "Se cortó la energía general del sector y se revisó la bomba.",
        ),
        look_for=("Candado y tarjeta propios en cada tablero antes de intervenir.",),
        why=(
            ("process", "Los candados de bloqueo están en el pañol, lejos del equipo."),
            ("information",
             "Había dos OT abiertas sobre el mismo equipo y ninguna mostraba la otra."),
            ("workload", "El turno noche tiene un solo electricista para toda la planta."),
        ),
        actions=(
            "Colocar una estación de candados y tarjetas junto a la sala de compresores.",
            "Mostrar en la OT las otras OT abiertas del mismo equipo antes de liberarla.",
        ),
        stations=("Compresor {m}", "Sala de calderas"),
    ),
    _Scenario(
        key="reactivo_sin_rotulo",
        kind="near_miss",
        groups=("calidad",),
        reports=(
            "se encontró un frasco de reactivo sin rótulo en la mesada del laboratorio.",
            "había una botella de agua mineral con solvente en la heladera de muestras.",
        ),
        impacts=(
            "Nadie lo usó; podía tomarse por otra cosa o tocarse sin protección.",
            "Sin consecuencias; riesgo de intoxicación.",
        ),
        did=("Se separó, se identificó y se descartó según la hoja de seguridad.",),
        look_for=("Ningún envase sin rótulo en el laboratorio; rotular al trasvasar.",),
        why=(
            ("materials", "Los frascos para trasvasar no tienen etiquetas preimpresas."),
            ("process", "Los trasvases se hacen en el momento y sin registro."),
        ),
        actions=(
            "Dejar etiquetas preimpresas de trasvase junto a cada reactivo del laboratorio.",
            "Comprar frascos de trasvase con tapa de color por tipo de producto.",
        ),
        stations=("Laboratorio",),
    ),
    _Scenario(
        key="caja_estante",
        kind="near_miss",
        groups=(),
        reports=(
            "se cayó una caja de un estante alto al sacar otra de abajo; no había nadie debajo.",
            "una caja de {producto} quedó colgando del borde del estante superior y cayó al pasar "
            "el zorro.",
        ),
        impacts=(
            "Sin lesionados. La caja pesaba unos {n}0 kg.",
            "Nadie se lastimó; se rompió la caja.",
        ),
        did=(
            "Se ordenó el estante y se avisó al supervisor.",
            "Se bajó el resto de las cajas pesadas al nivel de abajo.",
        ),
        look_for=("Lo pesado va abajo; revisar que nada sobresalga de los estantes.",),
        why=(
            ("environment", "La estantería no tiene tope trasero ni red."),
            ("process", "Las cajas pesadas van arriba porque abajo no entran."),
            ("materials", "Las cajas del proveedor nuevo son más altas y sobresalen del estante."),
        ),
        actions=(
            "Colocar topes traseros en la estantería y marcar en cada estante el peso máximo.",
            "Reordenar la estantería: lo pesado abajo, con un cartel por nivel.",
        ),
    ),
    _Scenario(
        key="cable_pasillo",
        kind="near_miss",
        groups=(),
        reports=(
            "un cable de alimentación cruzaba el pasillo sin protección; una persona tropezó y no "
            "llegó a caerse.",
            "una manguera de aire comprimido quedó cruzada en el paso frente a la columna {m}; "
            "casi hace caer a alguien con una bandeja.",
        ),
        impacts=("Sin lesionados.", "Nadie se cayó; se volcó la bandeja con piezas."),
        did=(
            "Se juntó el cable y se señalizó el paso.",
            "Se retiró la manguera y se colgó del soporte.",
        ),
        look_for=("Cables y mangueras cruzando los pasos; levantarlos o cubrirlos.",),
        why=(
            ("equipment", "No hay tomas en la columna {m}; los equipos se enchufan lejos."),
            ("environment", "Se sumaron equipos portátiles al sector sin un plan de tomas."),
            ("process", "La manguera se usa en dos puestos y no tiene un soporte de guardado."),
        ),
        actions=(
            "Instalar un toma en la columna {m} y un pasacables en el paso.",
            "Colocar un enrollador de manguera en la columna {m}.",
        ),
    ),
    _Scenario(
        key="matafuego_tapado",
        kind="near_miss",
        groups=(),
        reports=(
            "el matafuego de la columna {m} quedó tapado por pallets durante el turno {turno}.",
            "la salida de emergencia del sector estaba bloqueada con cajas de {producto}.",
        ),
        impacts=(
            "Sin consecuencias; en una emergencia no se llegaba al matafuego.",
            "Sin consecuencias; la salida quedó bloqueada varias horas.",
        ),
        did=(
            "Se movieron los pallets y se liberó el acceso.",
            "Se despejó la salida de emergencia enseguida.",
        ),
        look_for=("Matafuegos y salidas de emergencia siempre despejados.",),
        why=(
            ("environment", "Falta lugar para pallets vacíos; se apilan donde hay espacio."),
            ("process", "El retiro de pallets vacíos no tiene horario."),
        ),
        actions=(
            "Demarcar en el piso la zona libre frente a cada matafuego y salida de emergencia.",
            "Fijar un horario de retiro de pallets vacíos al final de cada turno.",
        ),
    ),
    _Scenario(
        key="rechupe_noche",
        kind="surprise",
        groups=("inyeccion",),
        reports=(
            "las piezas de la inyectora {m} salen con rechupe cuando baja la temperatura de "
            "noche, con los mismos parámetros de siempre.",
            "la inyectora {m} cambia el peso de las {producto} entre la mañana y la noche sin "
            "tocar nada.",
        ),
        impacts=(
            "{cant} piezas con rechupe en el turno noche.",
            "Más rechazo de noche; se ajusta a mano cada turno.",
        ),
        did=(
            "Se subió la presión de mantenimiento y se avisó a procesos.",
            "Se separaron las piezas dudosas para control.",
        ),
        look_for=(
            "En noches frías, controlar el peso de las piezas cada hora en inyección.",
        ),
        why=(
            ("environment",
             "El galpón baja {temp} grados de noche y el agua del molde no se regula."),
            ("information", "La hoja de parámetros no tiene ajustes por temperatura ambiente."),
            ("equipment", "El termorregulador del molde está fuera de servicio desde hace meses."),
        ),
        actions=(
            "Reparar el termorregulador del molde de la inyectora {m}.",
            "Agregar a la hoja de parámetros el ajuste para noches frías, validado por procesos.",
        ),
        stations=("Inyectora {m}",),
    ),
    _Scenario(
        key="film_nuevo",
        kind="surprise",
        groups=("envasado",),
        reports=(
            "la termoselladora {m} sella bien con el film del proveedor nuevo a 10 °C menos de lo "
            "indicado.",
            "con el film nuevo los {producto} de la línea {m} salen con arrugas en la soldadura.",
        ),
        impacts=(
            "A la temperatura de la hoja algunos sachets se deforman.",
            "{cant} unidades reprocesadas.",
        ),
        did=(
            "Se ajustó la temperatura y se avisó a calidad.",
            "Se volvió al film anterior hasta revisar el nuevo.",
        ),
        look_for=("Al cambiar de proveedor de film, probar la temperatura de sellado.",),
        why=(
            ("materials",
             "El film nuevo tiene otra formulación y la ficha técnica no llegó a planta."),
            ("information",
             "La hoja de parámetros es una sola para todos los proveedores de film."),
        ),
        actions=(
            "Agregar a la hoja de parámetros la temperatura por proveedor de film, validada por "
            "calidad.",
            "Pedir la ficha técnica al proveedor y probar cada film nuevo en una corrida corta "
            "antes de aprobarlo.",
        ),
        stations=("Termoselladora {m}",),
    ),
    _Scenario(
        key="inventario_fantasma",
        kind="surprise",
        groups=("deposito",),
        reports=(
            "en el inventario del rack {r} aparecieron {n} pallets de materia prima que el "
            "sistema daba como consumidos.",
            "el sistema marca stock de {producto} en el rack {r} pero la posición está vacía.",
        ),
        impacts=(
            "Se compró material que ya había en planta.",
            "Un pedido se atrasó porque el material no estaba.",
        ),
        did=("Se ajustó el stock y se avisó a compras.", "Se hizo un conteo del rack completo."),
        look_for=("Toda devolución al depósito va con remito.",),
        why=(
            ("information",
             "Los consumos se cargan al final del turno desde una planilla en papel."),
            ("process", "Las devoluciones de la línea al depósito no tienen remito."),
        ),
        actions=(
            "Crear un remito de devolución de línea a depósito, con lectura de código en el "
            "muelle.",
            "Hacer un conteo cíclico semanal del rack {r} durante tres meses.",
        ),
        stations=("Rack {r}",),
    ),
    _Scenario(
        key="corte_energia",
        kind="surprise",
        groups=(),
        reports=(
            "después de un corte de luz de {min} minutos, al volver la energía saltó la térmica "
            "general.",
            "volvió la luz tras un corte y los equipos arrancaron todos juntos; se cortó de nuevo.",
        ),
        impacts=(
            "{horas} horas de producción perdida entre los dos cortes.",
            "Se perdió el material que estaba en proceso.",
        ),
        did=(
            "Se arrancaron los equipos de a uno con mantenimiento.",
            "Se esperó la estabilización y se arrancó por sectores.",
        ),
        look_for=(
            "Después de un corte de luz, arrancar los equipos de a uno según la "
            "secuencia.",
        ),
        why=(
            ("equipment", "Los equipos grandes arrancan solos al volver la tensión."),
            ("information", "No hay una secuencia de arranque escrita para después de un corte."),
        ),
        actions=(
            "Escribir y pegar en el tablero general la secuencia de arranque después de un corte, "
            "probada con mantenimiento.",
            "Instalar relés de arranque demorado en los {n} equipos más grandes.",
        ),
    ),
    _Scenario(
        key="guantes_nuevos",
        kind="surprise",
        groups=(),
        reports=(
            "los guantes anticorte del lote nuevo se rompen a las pocas horas de uso.",
            "los protectores auditivos nuevos no quedan bien con el casco y se salen.",
        ),
        impacts=(
            "Se usan {n} pares por turno en lugar de uno.",
            "Varios puestos trabajan sin protección auditiva parte del turno.",
        ),
        did=(
            "Se repartieron los guantes del stock anterior.",
            "Se pidieron protectores del modelo anterior.",
        ),
        look_for=("Si un elemento de protección no sirve, avisar el mismo día.",),
        why=(
            ("materials", "Cambió el proveedor por precio y no se probaron en planta."),
            ("process", "La compra de elementos de protección no pasa por seguridad e higiene."),
        ),
        actions=(
            "Probar una muestra en cada puesto antes de aprobar un cambio de proveedor de "
            "elementos de protección.",
        ),
    ),
    _Scenario(
        key="balanza_diferencia",
        kind="surprise",
        groups=("calidad", "envasado"),
        reports=(
            "el control de peso en la línea {m} y el del laboratorio difieren en 8 g para el "
            "mismo lote {lote}.",
            "la balanza de la línea {m} da pesos distintos según si la puerta del sector está "
            "abierta.",
        ),
        impacts=(
            "Se rechazaron {cant} unidades que estaban bien.",
            "Duda sobre el peso de los lotes de la semana.",
        ),
        did=("Se verificó con una pesa patrón y se reajustó.",),
        look_for=("Verificar la balanza con la pesa patrón al inicio del turno.",),
        why=(
            ("equipment",
             "La balanza de línea se calibra cada seis meses; la del laboratorio, cada mes."),
            ("environment", "La balanza está al lado de la puerta y le llega corriente de aire."),
        ),
        actions=(
            "Cerrar la balanza de la línea {m} con una mampara y verificarla con pesa patrón al "
            "inicio de cada turno.",
        ),
        stations=("Línea {m}", "Laboratorio"),
    ),
    _Scenario(
        key="cambio_molde_rapido",
        kind="win",
        groups=("inyeccion",),
        reports=(
            "cambio de molde en la inyectora {m} en {min} minutos, contra los {min2} de siempre.",
            "se arrancó la inyectora {m} con la primera pieza aprobada al primer intento después "
            "del cambio de molde.",
        ),
        impacts=("Se ganaron casi {min} minutos de producción.", "Cero scrap en el arranque."),
        did=("Se compartió en la reunión de arranque del turno.",),
        look_for=("Preparar el carro y precalentar el molde antes de parar la máquina.",),
        wins=(
            "El molde llegó precalentado en el carro y con las mangueras identificadas por color.",
            "Todo el equipo tenía el checklist de cambio impreso y las herramientas preparadas "
            "antes de parar.",
        ),
        stations=("Inyectora {m}",),
    ),
    _Scenario(
        key="linea_sin_atascos",
        kind="win",
        groups=("envasado",),
        reports=(
            "la línea {m} hizo el turno {turno} completo sin paradas por atascos.",
            "récord de la línea {m}: {cant} cajas de {producto} en el turno sin una sola parada.",
        ),
        impacts=(
            "Se cumplió el plan con una hora de margen.",
            "Mejor eficiencia del mes en la línea.",
        ),
        did=("Se anotó el ajuste en la hoja de formato.",),
        look_for=("Regular las guías con la plantilla del formato en cada cambio.",),
        wins=(
            "Las guías de la encajonadora se regularon con la plantilla nueva del formato.",
            "Se limpiaron los sensores al inicio del turno, como pidió el equipo en la última "
            "revisión.",
        ),
        stations=("Línea {m}", "Encajonadora L{m}"),
    ),
    _Scenario(
        key="pedido_sin_errores",
        kind="win",
        groups=("deposito",),
        reports=(
            "se preparó el pedido grande de fin de mes ({cant} cajas) sin errores de picking.",
            "semana completa sin reclamos de despacho desde que se lee cada pallet en el muelle.",
        ),
        impacts=("Cero reclamos y el camión salió en horario.", "Se ahorraron fletes de reenvío."),
        did=("Se felicitó al equipo en la reunión semanal.",),
        look_for=("Leer cada pallet contra el remito; funciona.",),
        wins=(
            "La lectura de código de cada pallet contra el remito.",
            "Los sectores de preparación marcados por cliente en el piso.",
        ),
        stations=("Playa de carga", "Muelle {m}"),
    ),
    _Scenario(
        key="vibracion_detectada",
        kind="win",
        groups=("mantenimiento",),
        reports=(
            "en la ruta de inspección se detectó vibración en el motor de la cinta {m}; se cambió "
            "el rodamiento en la parada programada.",
            "se encontró a tiempo una fisura en la correa del compresor {m} durante el preventivo.",
        ),
        impacts=(
            "Se evitó una parada no programada de varias horas.",
            "Cero horas de parada imprevista.",
        ),
        did=("Se registró en la OT {ot} con fotos.",),
        look_for=(
            "Ruidos o vibraciones nuevas, avisar a mantenimiento aunque la máquina ande.",
        ),
        wins=(
            "La ruta semanal de inspección con medidor de vibración.",
            "El preventivo se hizo en fecha porque se respetó la ventana de parada acordada con "
            "producción.",
        ),
        stations=("Taller", "Compresor {m}"),
    ),
    _Scenario(
        key="cero_reclamos",
        kind="win",
        groups=("calidad",),
        reports=(
            "cero reclamos de clientes por etiquetado en el mes.",
            "la auditoría del cliente no encontró observaciones en el laboratorio.",
        ),
        impacts=("Primera vez en el año.", "Se renovó la certificación del cliente."),
        did=("Se compartió el resultado con todos los turnos.",),
        look_for=("El control de la primera etiqueta evita reclamos; sostenerlo.",),
        wins=(
            "El control de la primera etiqueta en cada cambio de lote.",
            "Las etiquetas preimpresas de trasvase y el orden de la mesada.",
        ),
        stations=("Inspección final", "Laboratorio"),
    ),
    _Scenario(
        key="golpes_matriz",
        kind="win",
        groups=("prensas", "matriceria"),
        reports=(
            "la matriz de la prensa {m} pasó los {cant}000 golpes sin afilar gracias al plan de "
            "lubricación nuevo.",
            "se reparó en el día la matriz de la prensa {m} con repuestos estandarizados; no se "
            "frenó el pedido.",
        ),
        impacts=("Menos paradas por afilado.", "El pedido de {producto} salió en fecha."),
        did=("Se anotó en la ficha de la matriz.",),
        look_for=("Lubricar las matrices según las marcas de color en cada cambio.",),
        wins=(
            "El plan de lubricación con marcas de color en cada punto.",
            "Los punzones y resortes estandarizados en el pañol de matricería.",
        ),
        stations=("Prensa {m}", "Banco de ajuste"),
    ),
    _Scenario(
        key="idea_orden",
        kind="win",
        groups=(),
        reports=(
            "se ordenaron las herramientas del puesto con siluetas en el tablero; ahora se "
            "encuentran en segundos.",
            "sugerencia del turno {turno}: un carro con todo lo necesario para el cambio de "
            "formato; se ahorraron {min} minutos.",
        ),
        impacts=("Se ahorran unos {min} minutos por turno.", "Menos idas y vueltas al pañol."),
        did=("Se copió la idea en otro puesto.",),
        look_for=(
            "Siluetas en el tablero de herramientas; devolver cada una a su lugar.",
        ),
        wins=(
            "La idea salió del propio equipo del puesto y se probó enseguida.",
            "Se dio tiempo en la reunión de arranque para probar la propuesta.",
        ),
    ),
    _Scenario(
        key="dias_sin_accidentes",
        kind="win",
        groups=(),
        reports=(
            "el sector cumplió {dias} días sin accidentes con tiempo perdido.",
            "se reportaron más casi accidentes que nunca este mes y todos tuvieron respuesta.",
        ),
        impacts=("Mejor marca del sector.", "El equipo ve que reportar sirve."),
        did=("Se festejó con facturas en el cambio de turno.",),
        look_for=("Reportar un casi accidente ayuda a todos; seguir haciéndolo.",),
        wins=(
            "Reportar sin buscar culpables hace que los casi accidentes se cuenten y se resuelvan.",
            "Las revisiones se hacen rápido y se ve el cambio en el puesto.",
        ),
    ),
)

# Every kind needs plant-wide scenarios, for areas no scenario knows by name.
assert {s.kind for s in _SCENARIOS if not s.groups} == set(KINDS)
assert all(category in CONDITION_CATEGORIES for s in _SCENARIOS for category, _ in s.why)
assert all(category in CONDITION_CATEGORIES for category, _ in _PLANT_CONDITIONS)
