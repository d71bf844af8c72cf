"""The huddle's rules and storage (issue 17, points 6 and 8): its window since the last huddle
or the last 24 hours, one huddle within two hours, the learning to share oldest first without
those already shared, ``n`` round the list, weekly counts, and the JSON-lines exchange."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from kiosk.core import ids
from kiosk.core.huddle import (
    Candidate,
    Huddle,
    current,
    huddle_from_doc,
    huddle_to_doc,
    next_proposal,
    proposals,
    record_candidates,
    share,
    start_huddle,
    team_candidates,
    weekly_counts,
    window,
    work_candidates,
)
from kiosk.core.records import LookFor, ReportDraft, ValidationError
from kiosk.core.teams import TeamLookFor
from kiosk.core.trends import week_starts
from kiosk.storage import open_repository
from tests.support.cli import run
from tests.support.clock import NOW


def started(number: int, area: str, hours_ago: float) -> Huddle:
    return start_huddle(number=number, area=area, now=NOW - timedelta(hours=hours_ago))


def candidate(ref: str, hours_ago: float, kind: str = "lesson") -> Candidate:
    return Candidate(ref, kind, f"texto {ref}", (NOW - timedelta(hours=hours_ago)).isoformat(), ref.split("#")[0])


def test_the_window_runs_since_the_last_huddle_or_the_last_24_hours_and_at_most_a_week():
    first = window([], "Envasado", NOW)
    assert (first.since, first.until, first.after_huddle) == (NOW - timedelta(hours=24), NOW, False)
    # Another area's huddle does not count; the area's last one does.
    huddles = [started(1, "Envasado", 30), started(2, "Envasado", 20), started(3, "Inyección", 3)]
    since_last = window(huddles, "Envasado", NOW)
    assert since_last.since == NOW - timedelta(hours=20) and since_last.after_huddle
    # While a huddle is under way (started 1 h ago), its window is still since the one before.
    running = [*huddles, started(4, "Envasado", 1)]
    assert window(running, "Envasado", NOW).since == NOW - timedelta(hours=20)
    after_holiday = window([started(1, "Envasado", 24 * 12)], "Envasado", NOW)
    assert after_holiday.since == NOW - timedelta(days=7) and after_holiday.capped


def test_opening_within_two_hours_continues_the_same_huddle():
    huddles = [started(1, "Envasado", 1.9), started(2, "Inyección", 0.5)]
    assert current(huddles, "Envasado", NOW).id == "H1"
    assert current([started(1, "Envasado", 2)], "Envasado", NOW) is None
    assert current(huddles, "Pintura", NOW) is None
    with pytest.raises(ValidationError):
        start_huddle(number=1, area="  ", now=NOW)


def test_proposals_are_oldest_first_whatever_the_kind_without_those_shared_and_n_wraps():
    found = [candidate("B#0", 5, "win"), candidate("A", 50, "look_for"), candidate("C#1", 10), candidate("D#0", 1)]
    order = proposals(found, shared=["C#1"])
    assert [c.ref for c in order] == ["A", "B#0", "D#0"]
    assert [next_proposal(i, 3) for i in range(3)] == [1, 2, 0] and next_proposal(0, 0) == 0
    # An imported entry without an offset still sorts (as UTC) instead of failing.
    naive = Candidate("E#0", "lesson", "sin zona", "2026-11-01T08:00:00", "E")
    assert [c.ref for c in proposals([*found, naive], shared=[])][:2] == ["E#0", "A"]
    huddle = share(started(1, "Envasado", 0), order[0], already=[], now=NOW)
    assert [(s.ref, s.kind, s.text) for s in huddle.shared] == [("A", "look_for", "texto A")]
    with pytest.raises(ValidationError):  # counted once, in this huddle or an earlier one
        share(huddle, order[0], already=[], now=NOW)
    with pytest.raises(ValidationError):
        share(started(2, "Envasado", 0), order[1], already=["B#0"], now=NOW)


def test_candidates_are_the_areas_lessons_wins_and_look_fors(tmp_path):
    repo = open_repository(tmp_path / "data", clock=lambda: NOW)
    try:
        item = repo.open_work_item(title="Cambio de formato", area="Envasado", opened_by="Marta")
        for kind, text in (("lesson", "Pedir etiquetas antes"), ("opportunity", "Falta un carro"),
                           ("win", "Salió a la primera")):
            repo.add_work_entry(item.id, kind=kind, text=text)
        other = repo.open_work_item(title="Molde nuevo", area="Inyección", opened_by="Marta")
        repo.add_work_entry(other.id, kind="lesson", text="Precalentar el molde")
        items = repo.work_items()
    finally:
        repo.close()
    found = work_candidates(items, "Envasado")
    assert [(c.ref, c.kind) for c in found] == [(f"{item.id}#0", "lesson"), (f"{item.id}#2", "win")]
    assert {c.source for c in found} == {item.id}


def test_look_for_candidates_are_the_areas_and_still_shown():
    from kiosk.core.records import Record
    from kiosk.core.teams import Team, Use

    def record(rid, area, until):
        return Record(id=rid, kind="near_miss", area=area, what_happened="x", created_at=NOW.isoformat(),
                      occurred_at=NOW.isoformat(), look_for=LookFor("Mirar el sensor", until))

    today = NOW.date()
    records = [record("AAA-001", "Envasado", "2026-12-01"), record("AAA-002", "Envasado", "2026-11-01"),
               record("AAA-003", "Inyección", "2026-12-01")]
    assert [c.ref for c in record_candidates(records, "Envasado", today)] == ["AAA-001"]
    team = Team(id="TTT-001", title="Cambios", use=Use.WORK, area="Envasado", facilitator="x",
                created_at=NOW.isoformat(),
                look_fors=(TeamLookFor("para todos", "2026-12-01"), TeamLookFor("para Inyección", "2026-12-01",
                                                                                   ("Inyección",)),
                           TeamLookFor("vencido", "2026-11-01", ("Envasado",))))
    assert [c.ref for c in team_candidates([team], "Envasado", today)] == ["TTT-001#0"]
    assert [c.ref for c in team_candidates([team], "Inyección", today)] == ["TTT-001#1"]


def test_weekly_counts_of_huddles_held_and_learnings_shared_per_area():
    weeks = week_starts(NOW.date(), 3)
    assert weeks[-1].weekday() == 0 and weeks[-1] <= NOW.date() < weeks[-1] + timedelta(days=7)
    one = share(started(1, "Envasado", 0), candidate("A", 1), already=[], now=NOW)
    huddles = [one, started(2, "Envasado", 24 * 7), started(3, "Inyección", 24 * 8),
               started(4, "Envasado", 24 * 30)]  # (too old: not in the weeks)
    counts = weekly_counts(huddles, weeks)
    assert list(counts) == ["Envasado", "Inyección"]
    assert [(w.held, w.shared) for w in counts["Envasado"]] == [(0, 0), (1, 0), (1, 1)]
    assert [(w.held, w.shared) for w in counts["Inyección"]] == [(0, 0), (1, 0), (0, 0)]


def test_documents_read_back_and_refuse_what_does_not_fit():
    huddle = share(started(7, "Envasado", 0), candidate("A", 1), already=[], now=NOW)
    assert huddle_from_doc(huddle_to_doc(huddle)) == huddle
    for change, field in ((lambda d: d.update(id="X7"), "id"), (lambda d: d.update(area=""), "area"),
                          (lambda d: d.update(started_at="2026-11-21T10:00:00"), "started_at"),
                          (lambda d: d["shared"][0].update(kind="blame"), "shared.0.kind"),
                          (lambda d: d.update(extra=1), "extra")):
        doc = json.loads(json.dumps(huddle_to_doc(huddle)))
        change(doc)
        with pytest.raises(ValidationError) as refused:
            huddle_from_doc(doc)
        assert refused.value.field == field


def test_stored_once_within_two_hours_shared_once_and_exported_and_imported_back(tmp_path):
    data, other = tmp_path / "data", tmp_path / "other"
    now = [NOW - timedelta(days=1)]
    repo = open_repository(data, clock=lambda: now[0])
    try:
        yesterday = repo.open_huddle("Envasado")
        now[0] = NOW
        record = repo.add_report(ReportDraft(kind="win", area="Envasado", what_happened="Lote listo antes"),
                                 areas=None)
        item = repo.open_work_item(title="Primer lote del cliente", area="Envasado", opened_by="Marta")
        repo.add_work_entry(item.id, kind="lesson", text="Pedir la etiqueta un día antes")
        huddle = repo.open_huddle("Envasado")
        assert huddle.id != yesterday.id
        now[0] = NOW + timedelta(minutes=90)
        assert repo.open_huddle("Envasado") == huddle  # the same one: counted once
        found = repo.huddle_candidates("Envasado", NOW.date())
        assert [c.ref for c in found] == [f"{item.id}#0"]
        shared = repo.share_in_huddle(huddle.id, found[0])
        assert [s.ref for s in shared.shared] == [f"{item.id}#0"]
        with pytest.raises(ValidationError):
            repo.share_in_huddle(huddle.id, found[0])
        assert [h.id for h in repo.huddles("Envasado")] == [yesterday.id, huddle.id]
        assert record.id
    finally:
        repo.close()
    exported = run(["export", "--format", "jsonl"], data=data).stdout.decode()
    lines = [json.loads(line) for line in exported.splitlines()]
    assert [line.get("type") for line in lines] == [None, "work_item", "huddle", "huddle"]
    assert lines[-1]["shared"][0]["text"] == "Pedir la etiqueta un día antes"
    assert run(["import", "-"], data=other, stdin=exported).returncode == 0
    assert run(["export", "--format", "jsonl"], data=other).stdout.decode() == exported
    again = run(["import", "-"], data=other, stdin=exported)
    assert again.returncode == 1 and b"huddle" not in again.stdout



def seeded_and_shared(repo):
    from tests.support.huddle import seed_huddle

    seeded = seed_huddle(repo)
    huddle = repo.open_huddle("Envasado")
    lesson = next(c for c in repo.huddle_candidates("Envasado", NOW.date()) if c.kind == "lesson")
    look_for = next(c for c in repo.huddle_candidates("Envasado", NOW.date()) if c.kind == "look_for")
    repo.share_in_huddle(huddle.id, lesson)
    repo.share_in_huddle(huddle.id, look_for)
    return seeded


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_the_slip_fits_the_paper_names_nobody_and_has_a_qr_per_page(repo, columns):
    from kiosk.printing.slips import Paper, huddle_slip
    from kiosk.views.huddle import gather
    from tests.support.huddle import NAMES, page_url

    seeded = seeded_and_shared(repo)
    # The same line on an older record of another area is printed once, with the newest's page.
    repo.import_doc({"id": ids.encode(150), "kind": "error", "area": "Calidad", "what_happened": "Etiqueta cambiada",
                     "created_at": "2026-09-01T08:00:00-03:00", "occurred_at": "2026-09-01T08:00:00-03:00",
                     "link_token": "Z" * 22,
                     "look_for": {"text": "MIRAR la etiqueta contra la orden", "until": "2026-12-31"}})
    slip = huddle_slip(gather(repo, "Envasado", NOW, started=False), Paper(columns=columns), NOW)
    lines = slip.text_lines()
    assert all(len(line) <= columns for line in lines if not line.startswith("[QR"))
    text = "\n".join(lines)
    assert not any(name in text for name in NAMES)
    assert "Lección: Pedir la etiqueta" in " ".join(text.split())
    reviewed, other = page_url(seeded["reviewed"], "B"), page_url(seeded["other"], "D")
    work = page_url(seeded["work"], "W")
    # The two look-fors; the two learnings shared (the lesson: its work item's debrief); the
    # follow-up due.
    assert slip.urls() == [other, reviewed, work, reviewed, reviewed]


def test_kiosk_huddle_says_the_area_as_text_starts_none_and_refuses_an_unknown_area(tmp_path):
    from tests.support.huddle import NAMES, seed_huddle

    data = tmp_path / "data"
    repo = open_repository(data, clock=lambda: NOW)
    try:
        seeded = seed_huddle(repo)
    finally:
        repo.close()
    shown = run(["huddle", "envasado"], data=data)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout.decode()
    assert text.startswith("Ronda de inicio: Envasado\n")
    assert f"{seeded['reviewed']} Separar las etiquetas por cliente (vencido)" in text
    assert "UN APRENDIZAJE PARA COMPARTIR\nPrestá atención" in text and "Mirar la etiqueta contra la orden" in text
    assert not any(name in text for name in NAMES)
    as_json = json.loads(run(["huddle", "Envasado", "--json"], data=data).stdout)
    assert as_json["huddle"] is None and as_json["follow_ups_due"][0]["overdue"] is True
    assert [c["kind"] for c in as_json["to_share"]] == ["look_for", "lesson", "win"]
    assert not any(name in json.dumps(as_json, ensure_ascii=False) for name in NAMES)
    unknown = run(["huddle", "Pintura"], data=data)
    assert unknown.returncode == 2 and "No hay un área Pintura. Las áreas son: Inyección, Envasado" in \
        unknown.stderr.decode()
    printed = run(["huddle", "Envasado", "--print"], data=data)
    assert printed.returncode == 0, printed.stderr
    assert f"[QR http://kiosk.local:8080/r/{seeded['reviewed']}?k={'B' * 22}]" in printed.stdout.decode()
    repo = open_repository(data, clock=lambda: NOW)
    try:
        assert repo.huddles() == []  # read-only: no huddle started, none counted
    finally:
        repo.close()


def test_the_monthly_summary_counts_huddles_and_learnings_shared_per_area_per_week():
    from kiosk.views.exchange import month_summary

    one = share(started(1, "Envasado", 0), candidate("A", 1), already=[], now=NOW)
    huddles = [one, started(2, "Envasado", 24 * 6), started(3, "Inyección", 24 * 3),
               start_huddle(number=4, area="Envasado", now=NOW - timedelta(days=40))]  # (October)
    text = month_summary([], "2026-11", huddles=huddles)
    assert "## Rondas de inicio (3)" in text
    assert "| Área | 26/10/2026 | 02/11/2026 | 09/11/2026 | 16/11/2026 | 23/11/2026 | 30/11/2026 |" in text
    assert "| Envasado | 0 / 0 | 0 / 0 | 1 / 0 | 1 / 1 | 0 / 0 | 0 / 0 |" in text  # (a Sunday, a Saturday)
    assert "| Inyección | 0 / 0 | 0 / 0 | 0 / 0 | 1 / 0 | 0 / 0 | 0 / 0 |" in text
    assert "## Rondas de inicio (0)\n\n-" in month_summary([], "2026-10", huddles=huddles[:3])


def test_the_screen_and_text_say_the_window(tmp_path):
    from kiosk.views.huddle import gather, huddle_text

    now = [NOW - timedelta(days=1, hours=2)]
    repo = open_repository(tmp_path / "data", clock=lambda: now[0])
    try:
        first = gather(repo, "Envasado", now[0], huddle=repo.open_huddle("Envasado"))
        assert "LO QUE PASÓ EN LAS ÚLTIMAS 24 HORAS" in huddle_text(first)
        now[0] = NOW
        later = huddle_text(gather(repo, "Envasado", NOW, huddle=repo.open_huddle("Envasado")))
        assert "LO QUE PASÓ DESDE LA ÚLTIMA RONDA (20/11/2026 08:00)" in later
        now[0] = NOW + timedelta(days=9)
        assert "LO QUE PASÓ EN LOS ÚLTIMOS 7 DÍAS" in huddle_text(gather(repo, "Envasado", now[0], started=False))
    finally:
        repo.close()
