"""Learning Teams as rules (pure Python): Learn → Soak → Solve → Share (SPEC section 9).

A Learning Team brings the people who do the work together, with a facilitator, to understand
*work as done* before anyone proposes a fix. It is used for a piece of **work**, a **change**
(new machine, rule or process) or **events** (records, e.g. a weak signal of several).

- **Learn**: short notes, each through a lens (went smoothly, had to adapt, …). No fixes yet: a
  note that reads as one (:func:`reads_as_fix`) is parked as an idea for Solve.
- **Soak**: a pause of at least ``soak_hours``; anyone may add a reflection. Solve cannot open
  before it ends (:func:`soak_ends`).
- **Solve**: the defences the team already has, then changes, each under the review's
  one-action contract and followed up like a review's change (close / extend / reopen).
- **Share**: the story's look-for lines, each for some areas or all; then the team is closed.

Every function returns a new :class:`Team` with a line of history; the repository stores it.
:func:`team_to_doc` and :func:`team_from_doc` are the one mapping to JSON (storage, export and
import), and the second checks every field, as :func:`kiosk.core.records.record_from_doc` does.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from kiosk.core.following import check_follow_up
from kiosk.core.records import (
    HISTORY_VALUE_MAX,
    LOOK_FOR_MAX,
    MAX_COUNT,
    Action,
    FollowUp,
    HistoryEntry,
    Outcome,
    Record,
    ValidationError,
    as_json,
    check_imported_token,
    new_link_token,
)
from kiosk.core.review_rules import find_phrases
from kiosk.core.reviewing import check_one_action, default_follow_up
from kiosk.core.text import clean_text, fold


class Use(StrEnum):
    """What a team learns from."""

    WORK = "work"
    CHANGE = "change"
    EVENT = "event"


class Phase(StrEnum):
    """Where a team is: ``learn → soak → solve → share → closed``."""

    LEARN = "learn"
    SOAK = "soak"
    SOLVE = "solve"
    SHARE = "share"
    CLOSED = "closed"


USES = tuple(Use)
PHASES = tuple(Phase)
#: The lenses of a Learn note, in the order of their keys (1 to 9).
LENSES = ("smooth", "adapt", "easy", "hard", "good_day", "bad_day", "procedure", "actual", "surprise")
#: A reflection added while the team soaks (no lens chosen: anyone, no PIN).
REFLECTION = "reflection"
NOTE_LENSES = (*LENSES, REFLECTION)
#: The two lenses set side by side: work as imagined and work as done.
PROCEDURE, ACTUAL = "procedure", "actual"

TITLE_MIN, TITLE_MAX = 5, 120
#: A note stays short: one or two lines said aloud, readable on a slip.
NOTE_MAX = 200
IDEA_MAX = 200
DEFENCE_MAX = 160
NAME_MAX = 60
MAX_NOTES = 500
MAX_LOOK_FORS = 3
MAX_CHANGES = 5
MAX_DEFENCES = 10
MAX_RECORDS = 50
MAX_PARTICIPANTS = 40
#: A team's hours of soak, unless the admin set ``soak_hours``.
SOAK_HOURS = 24
#: Who writes in a team without signing in.
ANONYMOUS = ""

CHANGE_OPEN, CHANGE_CLOSED, CHANGE_REOPENED = "open", "closed", "reopened"
CHANGE_STATES = (CHANGE_OPEN, CHANGE_CLOSED, CHANGE_REOPENED)


@dataclass(frozen=True)
class Note:
    """One thing said in Learn (or a reflection while soaking)."""

    text: str
    lens: str
    by: str  # a name, or "" for anonymous
    at: str
    phase: str = Phase.LEARN


@dataclass(frozen=True)
class Idea:
    """A fix said too early, parked for Solve."""

    text: str
    by: str
    at: str


@dataclass(frozen=True)
class Change:
    """One change agreed in Solve: the review's one action, with its own follow-up."""

    action: Action
    follow_up_date: str  # ISO date
    state: str = CHANGE_OPEN
    follow_ups: tuple[FollowUp, ...] = ()
    by: str = ""
    at: str = ""


@dataclass(frozen=True)
class TeamLookFor:
    """A look-for line of the story, for some areas (none: every area) until a date."""

    text: str
    until: str
    areas: tuple[str, ...] = ()

    def is_for(self, area: str) -> bool:
        return not self.areas or not area or area in self.areas


@dataclass(frozen=True)
class Draft:
    """What a facilitator had typed in one field and not saved yet (kept by an idle reset)."""

    field: str
    text: str


@dataclass(frozen=True)
class PhaseStart:
    phase: str
    at: str


@dataclass(frozen=True)
class Team:
    """One Learning Team and everything it learned."""

    id: str
    title: str
    use: Use
    area: str
    facilitator: str
    created_at: str
    records: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    participant_count: int = 0
    phase: Phase = Phase.LEARN
    phases: tuple[PhaseStart, ...] = ()
    notes: tuple[Note, ...] = ()
    ideas: tuple[Idea, ...] = ()
    defences: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    look_fors: tuple[TeamLookFor, ...] = ()
    link_token: str = ""
    drafts: tuple[Draft, ...] = ()
    history: tuple[HistoryEntry, ...] = ()

    def draft(self, name: str) -> str:
        return next((d.text for d in self.drafts if d.field == name), "")

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED

    def began(self, phase: Phase) -> datetime | None:
        """When the team last entered ``phase``."""
        for start in reversed(self.phases):
            if start.phase == phase:
                return datetime.fromisoformat(start.at)
        return None

    def notes_in(self, lens: str) -> list[Note]:
        return [note for note in self.notes if note.lens == lens]

    @property
    def people(self) -> int:
        """How many took part: the names, or the count given."""
        return max(len(self.participants), self.participant_count)


TEAM_FIELDS = tuple(f.name for f in fields(Team))


# -- rules ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def fix_phrases() -> tuple[str, ...]:
    text = resources.files("kiosk.core").joinpath("team_rules.toml").read_text(encoding="utf-8")
    return tuple(tomllib.loads(text)["fix_phrases"])


def reads_as_fix(text: str, lens: str = "") -> str | None:
    """The phrase that makes a Learn note read as a fix ("hay que…", "we should…"), or None.
    A "procedure says" note is written as what must be done, so it is never one."""
    if lens == PROCEDURE:
        return None
    found = find_phrases(fix_phrases(), text)
    return found[0] if found else None


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _text(name: str, value: str, limit: int, *, minimum: int = 1, multiline: bool = False) -> str:
    text = clean_text(value, multiline=multiline)
    if len(text) < minimum:
        raise ValidationError(name, "required" if not text else "too_short", min=minimum)
    if len(text) > limit:
        raise ValidationError(name, "too_long", max=limit, length=len(text))
    return text


def _names(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        name = clean_text(value)[:NAME_MAX]
        if name and fold(name) not in seen:
            seen[fold(name)] = name
    return tuple(seen.values())


def _logged(team: Team, now: datetime, by: str, what: str, *changed: str) -> Team:
    entry = HistoryEntry(at=_stamp(now), by=by or "operator", what=what, fields=tuple(changed))
    return replace(team, history=(*team.history, entry))


def _phase(team: Team, phase: Phase, now: datetime) -> Team:
    return replace(team, phase=phase, phases=(*team.phases, PhaseStart(phase, _stamp(now))))


def _require_phase(team: Team, *phases: Phase) -> None:
    if team.phase not in phases:
        raise ValidationError("phase", "wrong_phase", phase=team.phase)


def open_team(*, team_id: str, title: str, use: str, area: str, facilitator: str, now: datetime,
              records: Iterable[str] = (), participants: Iterable[str] = (), participant_count: int = 0) -> Team:
    """A new team in Learn. A team learning from events needs at least one record."""
    if use not in USES:
        raise ValidationError("use", "unknown", value=use)
    linked = tuple(dict.fromkeys(records))
    if use == Use.EVENT and not linked:
        raise ValidationError("records", "required")
    if len(linked) > MAX_RECORDS:
        raise ValidationError("records", "too_many", max=MAX_RECORDS)
    names = _names(participants)
    if len(names) > MAX_PARTICIPANTS:
        raise ValidationError("participants", "too_many", max=MAX_PARTICIPANTS)
    if isinstance(participant_count, bool) or not isinstance(participant_count, int) or not (
            0 <= participant_count <= MAX_COUNT):
        raise ValidationError("participant_count", "out_of_range", max=MAX_COUNT)
    stamp = _stamp(now)
    team = Team(
        id=team_id, title=_text("title", title, TITLE_MAX, minimum=TITLE_MIN), use=Use(use),
        area=_text("area", area, 60), facilitator=_text("facilitator", facilitator, NAME_MAX),
        created_at=stamp, records=linked, participants=names, participant_count=participant_count,
        phase=Phase.LEARN, phases=(PhaseStart(Phase.LEARN, stamp),), link_token=new_link_token(),
    )
    return _logged(team, now, team.facilitator, "team_opened", "phase")


def add_note(team: Team, *, text: str, lens: str, by: str, now: datetime) -> Team:
    """A note in Learn through one of :data:`LENSES`; while soaking, a reflection (any lens
    given is kept as a reflection's). Fixes are not refused here: the screen asks first (see
    :func:`reads_as_fix`) and parks them with :func:`park_idea`."""
    _require_phase(team, Phase.LEARN, Phase.SOAK)
    if len(team.notes) >= MAX_NOTES:
        raise ValidationError("notes", "too_many", max=MAX_NOTES)
    if team.phase == Phase.SOAK:
        lens = REFLECTION
    elif lens not in LENSES:
        raise ValidationError("lens", "unknown", value=lens)
    note = Note(text=_text("note", text, NOTE_MAX, multiline=True), lens=lens, by=clean_text(by)[:NAME_MAX],
                at=_stamp(now), phase=team.phase)
    return _logged(replace(team, notes=(*team.notes, note)), now, note.by, "note_added", "notes")


def park_idea(team: Team, *, text: str, by: str, now: datetime) -> Team:
    """A fix said in Learn or while soaking, kept for Solve, which shows it first."""
    _require_phase(team, Phase.LEARN, Phase.SOAK, Phase.SOLVE)
    if len(team.ideas) >= MAX_NOTES:
        raise ValidationError("ideas", "too_many", max=MAX_NOTES)
    idea = Idea(text=_text("idea", text, IDEA_MAX, multiline=True), by=clean_text(by)[:NAME_MAX], at=_stamp(now))
    return _logged(replace(team, ideas=(*team.ideas, idea)), now, idea.by, "idea_parked", "ideas")


def end_learn(team: Team, *, by: str, now: datetime) -> Team:
    """The facilitator ends Learn: the team soaks. Learn must have heard something."""
    _require_phase(team, Phase.LEARN)
    if not team.notes:
        raise ValidationError("notes", "required")
    return _logged(_phase(team, Phase.SOAK, now), now, by, "soak_started", "phase")


def soak_ends(team: Team, soak_hours: int) -> datetime | None:
    """When the team's soak ends (None if it has not soaked)."""
    began = team.began(Phase.SOAK)
    return None if began is None else began + timedelta(hours=soak_hours)


def start_solve(team: Team, *, by: str, now: datetime, soak_hours: int) -> Team:
    """Solve opens once the soak has lasted ``soak_hours``: not one second before."""
    _require_phase(team, Phase.SOAK)
    ends = soak_ends(team, soak_hours)
    if ends is not None and now < ends:
        raise ValidationError("phase", "soaking", until=_stamp(ends))
    return _logged(_phase(team, Phase.SOLVE, now), now, by, "solve_started", "phase")


def add_defence(team: Team, *, text: str, by: str, now: datetime) -> Team:
    """One defence the team already has (what already keeps work going well)."""
    _require_phase(team, Phase.SOLVE)
    if len(team.defences) >= MAX_DEFENCES:
        raise ValidationError("defences", "too_many", max=MAX_DEFENCES)
    defence = _text("defence", text, DEFENCE_MAX)
    return _logged(replace(team, defences=(*team.defences, defence)), now, by, "defence_added", "defences")


def remove_defence(team: Team, index: int, *, by: str, now: datetime) -> Team:
    _require_phase(team, Phase.SOLVE)
    if not 0 <= index < len(team.defences):
        raise ValidationError("defences", "unknown", value=index)
    kept = team.defences[:index] + team.defences[index + 1:]
    return _logged(replace(team, defences=kept), now, by, "defence_removed", "defences")


def add_change(team: Team, action: Action, *, by: str, now: datetime, follow_up_days: int,
               follow_up_date: str = "") -> Team:
    """One change under the one-action contract of the review (concrete, one owner, a deadline
    after today and not after its follow-up date), followed up like a review's change."""
    _require_phase(team, Phase.SOLVE)
    if len([c for c in team.changes if c.state != CHANGE_REOPENED]) >= MAX_CHANGES:
        raise ValidationError("changes", "too_many", max=MAX_CHANGES)
    today = now.date()
    cleaned = Action(text=_text("action", action.text, 200, minimum=0),
                     owner=_text("owner", action.owner, NAME_MAX, minimum=0), deadline=action.deadline.strip())
    follow_up = follow_up_date or default_follow_up(today, follow_up_days)
    check_one_action(cleaned, follow_up, today)
    change = Change(action=cleaned, follow_up_date=follow_up, by=by, at=_stamp(now))
    return _logged(replace(team, changes=(*team.changes, change)), now, by, "change_added", "changes")


def remove_change(team: Team, index: int, *, by: str, now: datetime) -> Team:
    """A change taken back while still in Solve (not once it is being followed up)."""
    _require_phase(team, Phase.SOLVE)
    if not 0 <= index < len(team.changes) or team.changes[index].follow_ups:
        raise ValidationError("changes", "unknown", value=index)
    kept = team.changes[:index] + team.changes[index + 1:]
    return _logged(replace(team, changes=kept), now, by, "change_removed", "changes")


def end_solve(team: Team, *, by: str, now: datetime) -> Team:
    """Solve ends with at least one open change: the team writes its story (Share)."""
    _require_phase(team, Phase.SOLVE)
    if not any(c.state == CHANGE_OPEN for c in team.changes):
        raise ValidationError("changes", "required")
    return _logged(_phase(team, Phase.SHARE, now), now, by, "share_started", "phase")


def share(team: Team, look_fors: Iterable[tuple[str, Iterable[str]]], *, by: str, now: datetime,
          share_days: int) -> Team:
    """The story goes out: one to three look-for lines, each for some areas (none: all), shown
    on Home for ``share_days`` days. The team is closed; its changes stay followed up."""
    _require_phase(team, Phase.SHARE)
    until = (now.date() + timedelta(days=share_days)).isoformat()
    lines = []
    for text, areas in look_fors:
        if not clean_text(text):
            continue
        lines.append(TeamLookFor(text=_text("look_for", text, LOOK_FOR_MAX, minimum=5), until=until,
                                 areas=tuple(dict.fromkeys(a for a in (clean_text(x) for x in areas) if a))))
    if not lines:
        raise ValidationError("look_for", "required")
    if len(lines) > MAX_LOOK_FORS:
        raise ValidationError("look_for", "too_many", max=MAX_LOOK_FORS)
    shared = replace(_phase(team, Phase.CLOSED, now), look_fors=tuple(lines))
    return _logged(shared, now, by, "shared", "phase", "look_fors")


def keep_drafts(team: Team, texts: Mapping[str, str]) -> Team:
    """The team with what was typed and not saved kept as drafts (no line of history: a draft
    is no decision). Empty texts clear their drafts."""
    kept = {d.field: d.text for d in team.drafts}
    for name, text in texts.items():
        cleaned = clean_text(text, multiline=True)[:600]
        if cleaned:
            kept[clean_text(name)[:40]] = cleaned
        else:
            kept.pop(name, None)
    return replace(team, drafts=tuple(Draft(name, text) for name, text in kept.items()))


def look_fors_for(team: Team, area: str, today: date) -> list[TeamLookFor]:
    """The team's look-for lines shown today in ``area`` ("": any area)."""
    iso = today.isoformat()
    return [line for line in team.look_fors if line.until >= iso and line.is_for(area)]


def change_due(change: Change, today: date) -> bool:
    return change.state == CHANGE_OPEN and change.follow_up_date <= today.isoformat()


def follow_up_change(team: Team, index: int, follow_up: FollowUp, *, by: str, now: datetime) -> Team:
    """The follow-up of one change, with a review's outcomes: **close** (done), **extend** (a
    new date after today, with a reason) or **reopen**: the change did not do it, and the team
    goes back to Solve to agree another (the story and its look-fors stay)."""
    if not 0 <= index < len(team.changes) or team.changes[index].state != CHANGE_OPEN:
        raise ValidationError("changes", "unknown", value=index)
    follow_up = replace(check_follow_up(follow_up, now.date()), at=_stamp(now), by=by)
    change = team.changes[index]
    done = (*change.follow_ups, follow_up)
    if follow_up.outcome == Outcome.EXTENDED:
        change = replace(change, follow_ups=done, follow_up_date=follow_up.new_date)
    elif follow_up.outcome == Outcome.CLOSED:
        change = replace(change, follow_ups=done, state=CHANGE_CLOSED)
    else:
        change = replace(change, follow_ups=done, state=CHANGE_REOPENED)
    changed = replace(team, changes=(*team.changes[:index], change, *team.changes[index + 1:]))
    if follow_up.outcome == Outcome.REOPENED and team.phase != Phase.SOLVE:
        changed = _phase(changed, Phase.SOLVE, now)
    return _logged(changed, now, by, "followed_up", "changes")


def side_by_side(team: Team) -> list[tuple[str, str]]:
    """The "procedure says / we actually do" notes, paired in the order they were said (a
    side with fewer notes is left empty)."""
    says = [n.text for n in team.notes_in(PROCEDURE)]
    does = [n.text for n in team.notes_in(ACTUAL)]
    width = max(len(says), len(does))
    return [(says[i] if i < len(says) else "", does[i] if i < len(does) else "") for i in range(width)]


@dataclass(frozen=True)
class PracticePair:
    """Work as imagined beside work as done: what the procedure says and what we actually do,
    from a review (``source`` is the record's id) or a Learning Team (the team's)."""

    area: str
    at: str
    says: str
    does: str
    source: str


def practice_pairs(records: Iterable[Record], teams: Iterable[Team]) -> list[PracticePair]:
    """Every "procedure says / we actually do" pair of finished reviews and of teams, the
    newest first (a plant sees where its procedures and its practice part ways)."""
    pairs = []
    for record in records:
        review = record.review
        if review is not None and not review.draft and (review.work_as_imagined or review.work_as_done):
            pairs.append(PracticePair(record.area, review.reviewed_at or record.created_at, review.work_as_imagined,
                                      review.work_as_done, record.id))
    for team in teams:
        says, does = team.notes_in(PROCEDURE), team.notes_in(ACTUAL)
        for i in range(max(len(says), len(does))):
            when = max(n.at for n in (says[i:i + 1] + does[i:i + 1]))
            pairs.append(PracticePair(team.area, when, says[i].text if i < len(says) else "",
                                      does[i].text if i < len(does) else "", team.id))
    pairs.sort(key=lambda pair: pair.at, reverse=True)
    return pairs


# -- documents -----------------------------------------------------------------------------


def team_to_doc(team: Team) -> dict[str, Any]:
    """A JSON-ready dict, fields in their declared order (storage and export)."""
    return {name: as_json(getattr(team, name)) for name in TEAM_FIELDS}


_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d)?", re.ASCII)


class _Reader:
    """Reads one document part by part, each value checked, or a ValidationError naming it."""

    def __init__(self, doc: Any, where: str, allowed: Iterable[str]) -> None:
        if not isinstance(doc, Mapping):
            raise ValidationError(where or "team", "not_object")
        unknown = set(doc) - set(allowed)
        if unknown:
            raise ValidationError(f"{where}{sorted(unknown)[0]}", "unknown_field")
        self.doc, self.where = doc, where

    def _name(self, key: str) -> str:
        return f"{self.where}{key}"

    def text(self, key: str, limit: int, *, multiline: bool = False, required: bool = False,
             default: str = "") -> str:
        value = self.doc.get(key, default)
        if not isinstance(value, str):
            raise ValidationError(self._name(key), "not_text")
        text = clean_text(value, multiline=multiline)
        if required and not text:
            raise ValidationError(self._name(key), "required")
        if len(text) > limit:
            raise ValidationError(self._name(key), "too_long", max=limit, length=len(text))
        return text

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.doc.get(key, default)
        if value not in choices:
            raise ValidationError(self._name(key), "unknown", value=value)
        return str(value)

    def when(self, key: str, *, required: bool = True) -> str:
        value = self.doc.get(key, "")
        if not isinstance(value, str):
            raise ValidationError(self._name(key), "not_text")
        if not value and not required:
            return ""
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(self._name(key), "bad_datetime", value=value) from None
        return value if _DATETIME.fullmatch(value) else _stamp(parsed)

    def day(self, key: str, *, required: bool = True) -> str:
        value = self.doc.get(key, "")
        if not isinstance(value, str):
            raise ValidationError(self._name(key), "not_text")
        if not value and not required:
            return ""
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError(self._name(key), "bad_date", value=value) from None
        return value

    def count(self, key: str) -> int:
        value = self.doc.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise ValidationError(self._name(key), "out_of_range", max=MAX_COUNT)
        return value

    def items(self, key: str, most: int) -> list[Any]:
        value = self.doc.get(key, [])
        if not isinstance(value, list):
            raise ValidationError(self._name(key), "not_list")
        if len(value) > most:
            raise ValidationError(self._name(key), "too_many", max=most)
        return value

    def names(self, key: str, most: int, limit: int) -> tuple[str, ...]:
        values = self.items(key, most)
        if not all(isinstance(v, str) for v in values):
            raise ValidationError(self._name(key), "not_list")
        return tuple(t for t in (clean_text(v)[:limit] for v in values) if t)


def _follow_up(doc: Any, where: str) -> FollowUp:
    read = _Reader(doc, where, [f.name for f in fields(FollowUp)])
    flag = read.doc.get("happened_again", False)
    if not isinstance(flag, bool):
        raise ValidationError(f"{where}happened_again", "not_flag")
    return FollowUp(at=read.when("at"), by=read.text("by", NAME_MAX), done=read.choice("done", ("yes", "partly", "no")),
                    worked=read.choice("worked", ("yes", "too_early", "no")), happened_again=flag,
                    notes=read.text("notes", 600, multiline=True),
                    outcome=Outcome(read.choice("outcome", tuple(Outcome), Outcome.CLOSED)),
                    new_date=read.day("new_date", required=False), reason=read.text("reason", 300, multiline=True))


def team_from_doc(doc: Any) -> Team:
    """A team from a stored or imported document; raises ValidationError naming the field."""
    read = _Reader(doc, "", TEAM_FIELDS)
    for key in ("id", "title", "use", "area", "facilitator", "created_at"):
        if key not in read.doc:
            raise ValidationError(key, "required")
    notes = []
    for i, item in enumerate(read.items("notes", MAX_NOTES)):
        part = _Reader(item, f"notes.{i}.", [f.name for f in fields(Note)])
        notes.append(Note(text=part.text("text", NOTE_MAX, multiline=True, required=True),
                          lens=part.choice("lens", NOTE_LENSES), by=part.text("by", NAME_MAX), at=part.when("at"),
                          phase=part.choice("phase", (Phase.LEARN, Phase.SOAK), Phase.LEARN)))
    ideas = []
    for i, item in enumerate(read.items("ideas", MAX_NOTES)):
        part = _Reader(item, f"ideas.{i}.", [f.name for f in fields(Idea)])
        ideas.append(Idea(text=part.text("text", IDEA_MAX, multiline=True, required=True),
                          by=part.text("by", NAME_MAX), at=part.when("at")))
    changes = []
    for i, item in enumerate(read.items("changes", 50)):
        part = _Reader(item, f"changes.{i}.", [f.name for f in fields(Change)])
        action = _Reader(part.doc.get("action", {}), f"changes.{i}.action.", ("text", "owner", "deadline"))
        changes.append(Change(
            action=Action(text=action.text("text", 200, required=True), owner=action.text("owner", NAME_MAX),
                          deadline=action.day("deadline", required=False)),
            follow_up_date=part.day("follow_up_date"), state=part.choice("state", CHANGE_STATES, CHANGE_OPEN),
            follow_ups=tuple(_follow_up(f, f"changes.{i}.follow_ups.{j}.")
                             for j, f in enumerate(part.items("follow_ups", 100))),
            by=part.text("by", NAME_MAX), at=part.when("at", required=False)))
    look_fors = []
    for i, item in enumerate(read.items("look_fors", MAX_LOOK_FORS)):
        part = _Reader(item, f"look_fors.{i}.", ("text", "until", "areas"))
        look_fors.append(TeamLookFor(text=part.text("text", LOOK_FOR_MAX, required=True), until=part.day("until"),
                                     areas=part.names("areas", 100, 60)))
    phases = []
    for i, item in enumerate(read.items("phases", 100)):
        part = _Reader(item, f"phases.{i}.", ("phase", "at"))
        phases.append(PhaseStart(part.choice("phase", PHASES), part.when("at")))
    history = []
    for i, item in enumerate(read.items("history", 10_000)):
        part = _Reader(item, f"history.{i}.", ("at", "by", "what", "fields", "value"))
        history.append(HistoryEntry(at=part.when("at"), by=part.text("by", 80), what=part.text("what", 80),
                                    fields=part.names("fields", 20, 40),
                                    value=part.text("value", HISTORY_VALUE_MAX, multiline=True)))
    drafts = []
    for i, item in enumerate(read.items("drafts", 20)):
        part = _Reader(item, f"drafts.{i}.", ("field", "text"))
        drafts.append(Draft(part.text("field", 40, required=True), part.text("text", 600, multiline=True)))
    token = read.doc.get("link_token", "")
    if token:
        check_imported_token(token)
    records = read.names("records", MAX_RECORDS, 20)
    use = Use(read.choice("use", USES))
    if use == Use.EVENT and not records:
        raise ValidationError("records", "required")
    return Team(
        id=read.text("id", 20, required=True), title=read.text("title", TITLE_MAX, required=True), use=use,
        area=read.text("area", 60, required=True), facilitator=read.text("facilitator", NAME_MAX, required=True),
        created_at=read.when("created_at"), records=records,
        participants=read.names("participants", MAX_PARTICIPANTS, NAME_MAX),
        participant_count=read.count("participant_count"), phase=Phase(read.choice("phase", PHASES, Phase.LEARN)),
        phases=tuple(phases), notes=tuple(notes), ideas=tuple(ideas),
        defences=read.names("defences", MAX_DEFENCES, DEFENCE_MAX), changes=tuple(changes),
        look_fors=tuple(look_fors), link_token=str(token), drafts=tuple(drafts), history=tuple(history),
    )
