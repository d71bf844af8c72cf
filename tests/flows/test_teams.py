"""A whole Learning Team of each use, keyboard only (Pilot): open → Learn (notes through four
lenses and more, a fix kept for Solve) → soak (a reflection from Home with no PIN; Solve refused
before its time) → Solve → Share → the printed story's QR decoded → its change in the follow-up
queue when due, followed up and closed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from kiosk.app import KioskApp
from kiosk.config import Config
from kiosk.core.records import ReportDraft
from kiosk.core.supervisors import new_supervisor
from kiosk.core.teams import Phase
from kiosk.screens.dialogs.confirm import ConfirmDialog
from kiosk.screens.follow_ups import FollowUpQueueScreen, TeamChangeFollowUpScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.printing import PrintScreen
from kiosk.screens.team_learn import LearnScreen
from kiosk.screens.team_solve import ShareScreen, SolveScreen
from kiosk.screens.teams import NewTeamScreen, ReflectionScreen, TeamsScreen
from kiosk.screens.trends import TrendsScreen
from kiosk.storage import open_repository
from tests.support.clock import NOW
from tests.support.escpos_stream import qr_payloads
from tests.support.pilot import type_text, wait_for


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def kiosk(tmp_path: Path):
    """A kiosk whose clock the test moves (the soak is a day), with one supervisor."""
    clock = Clock()
    repo = open_repository(tmp_path / "data", clock=clock)
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    apps = []

    def build():
        app = KioskApp(config=Config(match_by_meaning=False), repo=repo, clock=clock)
        apps.append(app)
        return app

    yield build, repo, clock
    for app in apps:
        assert not app.recovered_errors, app.recovered_errors
    repo.close()


async def sign_in(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press(*"mar", "enter", *"2580", "enter")


async def open_new_team(pilot, use_key: str, title: str, records: str = "") -> None:
    app = pilot.app
    await pilot.press("5")
    await wait_for(pilot, lambda: isinstance(app.screen, TeamsScreen))
    await pilot.press("n")
    await sign_in(pilot)
    await wait_for(pilot, lambda: isinstance(app.screen, NewTeamScreen))
    await pilot.press(use_key)
    await type_text(pilot, title)
    await pilot.press("enter")
    await pilot.press("down", "enter")  # Envasado, the second area
    if records:
        await type_text(pilot, records)
    await pilot.press("enter")
    await type_text(pilot, "Ana, Beto")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen) and app.screen.team is not None)


async def note(pilot, lens: str, text: str) -> int:
    app = pilot.app
    before = len(app.screen.team.notes)
    await pilot.press(lens)
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) or (
        isinstance(app.screen, LearnScreen) and len(app.screen.team.notes) > before and not app.screen.saving))
    return before


async def whole_team(build, repo, clock, use_key: str, use: str, records: str = "") -> None:
    app = build()
    async with app.run_test(size=(100, 40)) as pilot:
        title = {"work": "Cambio de formato", "change": "La envolvedora", "event": "La cinta 2"}[use]
        await open_new_team(pilot, use_key, title, records)
        team_id = app.screen.team.id
        assert "Aprender" in text_of(app) and "Sin soluciones todavía" in text_of(app)
        await note(pilot, "2", "Sin llave 2 usamos la 1")
        assert app.screen.team.notes[-1].text.endswith("la 1")  # the digits after the lens are typed
        await note(pilot, "7", "Hay que cambiarlo entre dos")  # a procedure: no question
        await note(pilot, "8", "Lo cambia uno solo")
        await note(pilot, "1", "Arrancó en 10 min")
        await note(pilot, "4", "Habría que poner un carro")
        assert isinstance(app.screen, ConfirmDialog) and "¿Lo guardamos para Resolver?" in text_of(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen) and len(app.screen.team.ideas) == 1)
        team = repo.team(team_id)
        assert {n.lens for n in team.notes} == {"adapt", "procedure", "actual", "smooth"}
        assert team.ideas[0].text == "Habría que poner un carro"
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        assert "22/11/2026 10:00" in text_of(app)  # soaks until, in local time
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("x")  # the supervisor signs out: the rest is anyone's

        # Soak: a reflection from Home, no PIN; Solve refused before its time.
        await wait_for(pilot, lambda: "Reposando" in text_of(app))
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamsScreen) and app.screen.teams)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReflectionScreen) and app.screen.team is not None)
        await type_text(pilot, "De noche falta la llave")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(repo.team(team_id).notes) == 5)
        assert repo.team(team_id).notes[-1].lens == "reflection" and repo.team(team_id).notes[-1].by == ""
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamsScreen))
        await pilot.press("s")
        await sign_in(pilot)
        await wait_for(pilot, lambda: any("Resolver abre el" in str(n.message) for n in app._notifications))
        assert repo.team(team_id).phase == Phase.SOAK and isinstance(app.screen, TeamsScreen)

        # A day later: Solve.
        clock.now = NOW + timedelta(hours=24)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SolveScreen) and app.screen.team is not None)
        shown = text_of(app)
        assert shown.index("Habría que poner un carro") < shown.index("Defensas que ya tenemos")
        assert "De noche falta la llave" in shown
        await type_text(pilot, "El checklist ya se usa")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(repo.team(team_id).defences) == 1 and not app.screen.saving)
        await pilot.press("enter")  # an empty defence: on to the change
        await type_text(pilot, "Tener más cuidado")
        await pilot.press("enter")
        await type_text(pilot, "Mantenimiento")
        await pilot.press("enter")
        await type_text(pilot, "10/12/2026")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "pide esforzarse" in text_of(app))
        assert not repo.team(team_id).changes
        app.screen.query_one("#a-text").value = ""
        app.screen.query_one("#a-text").focus()
        await type_text(pilot, "Poner un carro al molde")
        await pilot.press("enter", "enter", "enter")
        await wait_for(pilot, lambda: len(repo.team(team_id).changes) == 1)
        change = repo.team(team_id).changes[0]
        assert change.action.deadline == "2026-12-10" and change.follow_up_date == "2026-12-22"
        await wait_for(pilot, lambda: not app.screen.saving)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareScreen) and app.screen.team is not None)

        # Share: a look-for for one area, then the story prints with its QR.
        await type_text(pilot, "Mirá el carro del molde")
        await pilot.press("enter")
        await type_text(pilot, "envasado")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        team = repo.team(team_id)
        assert team.phase == Phase.CLOSED and team.look_fors[0].areas == ("Envasado",)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.job is not None and app.screen.job.state == "sent")
        printed = Path(app.screen.job.file).read_bytes()
        assert qr_payloads(printed) == [f"http://kiosk.local:8080/r/{team_id}?k={team.link_token}"]
        assert "Marta Ruiz" not in str(app.screen.query_one("#slip", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamsScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen)
                       and "carro del molde" in " ".join(app.screen._look_fors))

        # Its follow-up, in the same queue as the records', when due.
        clock.now = NOW + timedelta(days=32)
        app.screen.load()
        await wait_for(pilot, lambda: "1 vencido" in text_of(app))
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen) and app.screen.items)
        assert "Equipo de aprendizaje" in text_of(app) or "Poner un carro" in str(
            app.screen.query_one("#follow-up-list").get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamChangeFollowUpScreen) and app.screen.team is not None)
        assert "Poner un carro al molde" in text_of(app)
        await pilot.press("enter", "enter")  # made: yes; worked: yes
        await type_text(pilot, "Se usa")
        await pilot.press("enter", "enter")  # close
        await wait_for(pilot, lambda: repo.team(team_id).changes[0].state == "closed")
        assert repo.team(team_id).changes[0].follow_ups[0].notes == "Se usa"


async def test_a_team_learning_from_work_from_open_to_its_closed_change(kiosk):
    build, repo, clock = kiosk
    await whole_team(build, repo, clock, "1", "work")


@pytest.mark.slow  # (the same screens as learning from work; about 30 s of typing each)
async def test_a_team_learning_from_a_change(kiosk):
    build, repo, clock = kiosk
    await whole_team(build, repo, clock, "2", "change")


@pytest.mark.slow
async def test_a_team_learning_from_events_needs_its_records(kiosk):
    build, repo, clock = kiosk
    record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", what_happened="Se trabó la cinta 2"),
                             areas=None)
    await whole_team(build, repo, clock, "3", "event", records=record.id.lower())
    (team,) = repo.teams()
    assert team.use == "event" and team.records == (record.id,)


async def test_a_weak_signal_opens_a_learning_team_on_its_records(kiosk):
    build, repo, _clock = kiosk
    made = [repo.add_report(ReportDraft(kind="surprise", area="Envasado", what_happened=f"Se trabó la cinta {n}",
                                        occurred_at=(NOW - timedelta(days=n)).isoformat()), areas=None)
            for n in range(1, 4)]
    app = build()
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(TrendsScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.trends is not None)
        await pilot.press("t")
        await sign_in(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, NewTeamScreen))
        await pilot.press("enter", "enter", "enter", "enter")  # event · its title · Envasado · its records
        await type_text(pilot, "6")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen) and app.screen.team is not None)
    (team,) = repo.teams()
    assert team.use == "event" and team.area == "Envasado" and team.participant_count == 6
    assert set(team.records) == {r.id for r in made}


async def test_an_idle_reset_keeps_the_note_being_typed_and_the_lens(kiosk):
    build, repo, _clock = kiosk
    team = repo.open_team(title="Cambio de formato", use="work", area="Envasado", facilitator="Marta Ruiz")
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(LearnScreen(team.id))
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen) and app.screen.team is not None)
        await pilot.press("6")
        await type_text(pilot, "Un día malo sin")
        app.reset_to_home()
        await wait_for(pilot, lambda: repo.team(team.id).draft("note") == "Un día malo sin")
        assert isinstance(app.screen, HomeScreen) and app.supervisor is None
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(LearnScreen(team.id))
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen) and app.screen.team is not None)
        assert app.screen.query_one("#note").text == "Un día malo sin" and app.screen.lens == "bad_day"
        await type_text(pilot, " llave")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(repo.team(team.id).notes) == 1)
    stored = repo.team(team.id)
    assert stored.notes[0].text == "Un día malo sin llave" and stored.notes[0].lens == "bad_day"
    assert stored.drafts == ()
