"""Learning Teams in and out: each change of a team is one journal transaction.

A team's number comes from the same counter as the records' (its id is in the same family and
is never a record's), so the counter document is written with a new team, as with a report.
The rules are in :mod:`kiosk.core.teams`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from kiosk.core import ids
from kiosk.core.records import Action, FollowUp, ValidationError
from kiosk.core.teams import (
    Phase,
    Team,
    TeamLookFor,
    add_change,
    add_defence,
    add_note,
    change_due,
    end_learn,
    end_solve,
    follow_up_change,
    keep_drafts,
    look_fors_for,
    open_team,
    park_idea,
    remove_change,
    remove_defence,
    share,
    start_solve,
    team_from_doc,
    team_to_doc,
)
from kiosk.storage.aggregate import Aggregate
from kiosk.storage.format import Op

log = logging.getLogger(__name__)

TEAMS = "teams"
#: The tables (and counter document) shared with records.
_COUNTERS, _COUNTER_DOC = "counters", "1"


class TeamsRepository(Aggregate):
    """The Learning Teams of one data folder."""

    # The records' numbering, from RecordsRepository (joined in Repository).
    _next_number: Callable[..., int]
    _counters_after: Callable[[int], dict[str, Any]]
    _rebuild_reserved: Callable[[], None]
    _reserve: Callable[[str, Any, Any], None]

    def _rebuild_teams(self) -> None:
        rows = self._rows(TEAMS)
        self._team_by_id: dict[str, str] = {doc["id"]: key for key, doc in rows.items()}
        self._rebuild_reserved()

    def _on_team_change(self, table: str, key: str, old: Any, new: Any) -> None:
        if table != TEAMS:
            return
        self._reserve(key, old, new)
        if old is not None:
            self._team_by_id.pop(old.get("id"), None)
        if new is not None:
            self._team_by_id[new["id"]] = key

    # -- reading -------------------------------------------------------------------------

    def team(self, team_id: str) -> Team | None:
        """The team with this id as a person typed it, or None."""
        try:
            canonical = ids.normalise(team_id)
        except ids.InvalidId:
            return None
        with self.store.lock:
            key = self._team_by_id.get(canonical)
            doc = self._rows(TEAMS)[key] if key is not None else None
        return team_from_doc(doc) if doc is not None else None

    def teams(self, *, phases: Iterable[str] = ()) -> list[Team]:
        """Every team (of some phases only), the newest first."""
        wanted = frozenset(phases)
        with self.store.lock:
            rows = sorted(self._rows(TEAMS).items(), key=lambda kv: int(kv[0]), reverse=True)
            docs = [doc for _key, doc in rows if not wanted or doc.get("phase") in wanted]
        return [team_from_doc(doc) for doc in docs]

    def similar_teams(self, text: str, *, area: str = "", limit: int = 2, loose: bool = False) -> list[Team]:
        """The shared Learning Teams whose story is most like ``text`` (title, changes and
        look-fors), best first."""
        from kiosk.core.similarity import Candidate
        from kiosk.storage.work import closest

        teams = {team.id: team for team in self.teams(phases=(Phase.CLOSED,))}
        candidates = [Candidate(team.id, team.area, "", team.created_at, " ".join(
            [team.title, *(c.action.text for c in team.changes), *(line.text for line in team.look_fors)]), team.title)
            for team in teams.values()]
        return [teams[team_id] for team_id in closest(self, text, candidates, area=area, limit=limit, loose=loose)]

    def open_teams(self) -> list[Team]:
        return self.teams(phases=(Phase.LEARN, Phase.SOAK, Phase.SOLVE, Phase.SHARE))

    def team_docs(self) -> list[dict[str, Any]]:
        """Every stored team document in the export order (by number); not to be changed."""
        with self.store.lock:
            rows = self._rows(TEAMS)
            return [rows[str(number)] for number in sorted(map(int, rows))]

    def team_look_fors(self, area: str, today: date) -> list[tuple[Team, TeamLookFor]]:
        """The look-fors of shared teams shown today in ``area`` ("": every area), newest first."""
        iso = today.isoformat()
        with self.store.lock:  # (only the teams with a line still shown are read whole)
            docs = [doc for doc in self._rows(TEAMS).values()
                    if any(line.get("until", "") >= iso for line in doc.get("look_fors", ()))]
        found = []
        for team in sorted((team_from_doc(doc) for doc in docs), key=lambda t: t.created_at, reverse=True):
            found += [(team, line) for line in look_fors_for(team, area, today)]
        return found

    def team_changes_due(self, until: date) -> list[tuple[Team, int]]:
        """(team, index of the change) for every open change whose follow-up is due on or
        before ``until``, the most overdue first."""
        iso = until.isoformat()
        with self.store.lock:  # (only the teams with a change due are read whole)
            docs = [doc for doc in self._rows(TEAMS).values()
                    if any(change.get("state") == "open" and change.get("follow_up_date", "") <= iso
                           for change in doc.get("changes", ()))]
        due = []
        for team in map(team_from_doc, docs):
            due += [(change.follow_up_date, team.id, index, team)
                    for index, change in enumerate(team.changes) if change_due(change, until)]
        due.sort(key=lambda item: item[:3])
        return [(team, index) for _day, _id, index, team in due]

    def team_count(self) -> int:
        with self.store.lock:
            return len(self._rows(TEAMS))

    # -- writing -------------------------------------------------------------------------

    def open_team(self, *, title: str, use: str, area: str, facilitator: str, records: Iterable[str] = (),
                  participants: Iterable[str] = (), participant_count: int = 0) -> Team:
        """Open a team in Learn, with a new number of the record family."""
        with self.store.lock:
            linked = []
            for typed in records:
                record = self.get(typed)  # type: ignore[attr-defined]
                if record is None:
                    raise ValidationError("records", "invalid", value=typed)
                linked.append(record.id)
            number = self._next_number()
            team = open_team(team_id=ids.encode(number), title=title, use=use, area=area, facilitator=facilitator,
                             now=self.clock(), records=linked, participants=participants,
                             participant_count=participant_count)
            self.store.commit([("put", TEAMS, str(number), team_to_doc(team)),
                               ("put", _COUNTERS, _COUNTER_DOC, self._counters_after(number))])
        log.info("learning team %s opened (%s, %s)", team.id, team.use, team.area)
        return team

    def _change_team(self, team_id: str, change: Callable[[Team], Team]) -> Team:
        with self.store.lock:
            team = self.team(team_id)
            if team is None:
                raise ValidationError("id", "invalid", value=team_id)
            changed = change(team)
            self.store.commit([("put", TEAMS, self._team_by_id[team.id], team_to_doc(changed))])
        return changed

    def keep_team_drafts(self, team_id: str, texts: dict[str, str]) -> Team:
        """Keep what a facilitator typed and did not save (an idle reset, Esc)."""
        return self._change_team(team_id, lambda t: keep_drafts(t, texts))

    def add_team_note(self, team_id: str, *, text: str, lens: str, by: str = "") -> Team:
        return self._change_team(team_id, lambda t: add_note(t, text=text, lens=lens, by=by, now=self.clock()))

    def park_team_idea(self, team_id: str, *, text: str, by: str = "") -> Team:
        return self._change_team(team_id, lambda t: park_idea(t, text=text, by=by, now=self.clock()))

    def end_team_learn(self, team_id: str, *, by: str) -> Team:
        team = self._change_team(team_id, lambda t: end_learn(t, by=by, now=self.clock()))
        log.info("learning team %s soaks", team.id)
        return team

    def start_team_solve(self, team_id: str, *, by: str, soak_hours: int) -> Team:
        return self._change_team(team_id, lambda t: start_solve(t, by=by, now=self.clock(), soak_hours=soak_hours))

    def add_team_defence(self, team_id: str, text: str, *, by: str) -> Team:
        return self._change_team(team_id, lambda t: add_defence(t, text=text, by=by, now=self.clock()))

    def remove_team_defence(self, team_id: str, index: int, *, by: str) -> Team:
        return self._change_team(team_id, lambda t: remove_defence(t, index, by=by, now=self.clock()))

    def add_team_change(self, team_id: str, action: Action, *, by: str, follow_up_days: int,
                        follow_up_date: str = "") -> Team:
        return self._change_team(team_id, lambda t: add_change(
            t, action, by=by, now=self.clock(), follow_up_days=follow_up_days, follow_up_date=follow_up_date))

    def remove_team_change(self, team_id: str, index: int, *, by: str) -> Team:
        return self._change_team(team_id, lambda t: remove_change(t, index, by=by, now=self.clock()))

    def end_team_solve(self, team_id: str, *, by: str) -> Team:
        return self._change_team(team_id, lambda t: end_solve(t, by=by, now=self.clock()))

    def share_team(self, team_id: str, look_fors: Iterable[tuple[str, Iterable[str]]], *, by: str,
                   share_days: int) -> Team:
        lines = [(text, tuple(areas)) for text, areas in look_fors]
        team = self._change_team(team_id, lambda t: share(t, lines, by=by, now=self.clock(), share_days=share_days))
        log.info("learning team %s shared", team.id)
        return team

    def follow_up_team_change(self, team_id: str, index: int, follow_up: FollowUp, *, by: str) -> Team:
        team = self._change_team(team_id, lambda t: follow_up_change(t, index, follow_up, by=by, now=self.clock()))
        log.info("follow-up of change %d of team %s: %s", index + 1, team.id, follow_up.outcome)
        return team

    def import_team(self, doc: Any) -> Team:
        """Store an exported team as it was (its id must be free in the record family)."""
        team = team_from_doc(doc)
        try:
            number = ids.decode(team.id)
        except ids.InvalidId:
            raise ValidationError("id", "invalid", value=team.id) from None
        team_id = ids.encode(number)
        with self.store.lock:
            taken = self.get(team_id) is not None or number in self._reserved_set()  # type: ignore[attr-defined]
            if taken:  # (a record, a team or an after-action review has the number)
                raise ValidationError("id", "exists", value=team_id)
            doc = team_to_doc(team)
            doc["id"] = team_id
            ops: list[Op] = [("put", TEAMS, str(number), doc),
                             ("put", _COUNTERS, _COUNTER_DOC, self._counters_after(number))]
            self.store.commit(ops)
        return team_from_doc(doc)
