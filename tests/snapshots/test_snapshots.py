"""Snapshots of Home and each quick-report step, in Spanish, at 80x24 and at a kiosk's 160x48.

Review a changed snapshot in the report before accepting it with --snapshot-update.
"""

from __future__ import annotations

import pytest

from kiosk.core import ids
from tests.support.pilot import no_blink, settle, wait_for

SIZES = [(80, 24), (160, 48)]

#: Keys from Home to each step (the report flow), and the text typed on the way.
AREA = ["1", "2", "down", "enter", "enter"]  # a near miss, the first area, no station
STEPS = {
    "home": [],
    "kind": ["1"],
    "area": ["1", "2", "e", "n"],
    "what": [*AREA, "C", "i", "n", "t", "a", "space", "t", "r", "a", "b", "ó"],
    "did": [*AREA, *"Cinta", "space", *"trabada", "enter", "enter"],
    "name": [*AREA, *"Cinta", "space", *"trabada", "enter", "enter", "enter"],
    "confirm": [*AREA, *"Cinta", "space", *"trabada", "enter", "enter", "enter", "enter"],
    "saved": [*AREA, *"Cinta", "space", *"trabada", "enter", "enter", "enter", "enter", "enter"],
}


def settled(run_before):
    """``run_before``, then until the screen stops changing: a scroll to the focused field or
    a scroll bar laid out a refresh late made the same screen differ from run to run (only on
    a busy machine, so only in the whole suite)."""
    async def run(pilot) -> None:
        await run_before(pilot)
        await settle(pilot)

    return run


def seed(repo) -> None:
    repo.import_doc({"id": ids.encode(100), "kind": "error", "area": "Calidad",
                     "what_happened": "Un lote salió sin el control final [/]",
                     "created_at": "2026-11-19T08:00:00-03:00", "occurred_at": "2026-11-19T07:40:00-03:00",
                     "link_token": "T" * 22})
    repo.import_doc({"id": ids.encode(101), "kind": "win", "area": "Envasado",
                     "what_happened": "Cambio de formato en 12 minutos gracias al kit preparado",
                     "created_at": "2026-11-20T09:00:00-03:00", "occurred_at": "2026-11-20T09:00:00-03:00",
                     "status": "shared", "applause": 4, "link_token": "U" * 22,
                     "look_for": {"text": "Preparar el kit de cambio antes de parar la línea", "until": "2026-12-31"}})


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("step", list(STEPS))
def test_screens(snap_compare, make_app, repo, step, size):
    seed(repo)
    app = make_app()

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings"))
                       and "2 registros" in str(app.screen.query_one("#count-learnings").render()))
        for key in STEPS[step]:
            await pilot.press(key)
        if step == "saved":
            from kiosk.screens.saved import SavedScreen

            await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


#: Keys inside the wizard from question 1 to each step.
WIZARD_STEPS = {
    "what": [],
    "why": ["enter"],
    "practice": ["enter", "enter"],
    "did": ["enter", "enter", "enter", "enter"],
    "change": ["enter", "enter", "enter", "enter", "enter"],
}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("step", [*WIZARD_STEPS, "summary"])
def test_review_wizard(snap_compare, make_app, repo, step, size, language):
    from dataclasses import replace

    from kiosk.core.records import Action, Condition, ReportDraft
    from kiosk.core.reviewing import start_review
    from kiosk.core.supervisors import new_supervisor
    from kiosk.screens.review import ReviewWizard
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", what_happened=(
        "Se trabó la cinta 2 y cayeron cajas al piso [/]"), impact="Media hora de parada"), areas=None)
    draft = replace(start_review(record),
                    why=(Condition("El rodillo de retorno no tiene guarda", "equipment"),),
                    action=Action("Instalar una guarda en el rodillo de retorno", "Mantenimiento", "2026-12-01"))
    repo.save_review_draft(record.id, draft, by="Marta Ruiz")
    app = make_app()

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings"))
                       and "1 registro" in str(app.screen.query_one("#count-learnings").render()))
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(ReviewWizard(repo.get(record.id)))
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewWizard))
        if language == "en":
            await pilot.press("f2")
        keys = WIZARD_STEPS.get(step, [*WIZARD_STEPS["change"], "enter", "enter", "enter", "enter", "enter", "enter"])
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("slip", ["receipt", "review"])
def test_print_preview(snap_compare, make_app, repo, slip, size):
    """The slip as it prints (42 columns, CP858), its QR drawn so a phone can scan it."""
    from kiosk.screens.printing import PrintScreen
    from kiosk.widgets.slip import SlipView, slip_text

    seed(repo)
    repo.import_doc({"id": ids.encode(102), "kind": "near_miss", "area": "Inyección", "station": "Máquina 4",
                     "what_happened": "Se trabó la matriz y casi me pellizco el dedo al destrabarla",
                     "created_at": "2026-11-18T08:00:00-03:00", "occurred_at": "2026-11-18T07:50:00-03:00",
                     "link_token": "V" * 22, "status": "action_open",
                     "review": {"what_happened": "La matriz 4 se trabó con rebaba acumulada.",
                                "why": [{"text": "No hay herramienta para destrabar", "category": "equipment"}],
                                "what_we_did": "Paramos y limpiamos la matriz.",
                                "action": {"text": "Colgar un gancho de destrabe junto a la máquina 4",
                                           "owner": "Mantenimiento", "deadline": "2026-12-01"},
                                "follow_up_date": "2026-12-18", "reviewed_by": "Marta Ruiz",
                                "reviewed_at": "2026-11-18T11:00:00-03:00", "draft": False}})
    app = make_app()

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings"))
                       and "3 registros" in str(app.screen.query_one("#count-learnings").render()))
        app.push_screen(PrintScreen(slip, (ids.encode(102),)))
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        # Laid out, not only set: the slip's lines have their height, and the box around them
        # knows it (its scroll bar); on a busy machine that takes more than one refresh.
        view = app.screen.query_one(SlipView)
        lines = len(slip_text(view.slip).plain.splitlines())
        await wait_for(pilot, lambda: view.size.height == lines and view.parent.virtual_size.height >= lines)

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


def seed_learnings(repo) -> None:
    """A few weeks of records: a weak signal in Envasado, a reviewed one, a win."""
    seed(repo)
    for n, (days, kind, area, text) in enumerate((
            (2, "surprise", "Envasado", "La selladora deja bolsas abiertas al arrancar en frío"),
            (9, "near_miss", "Envasado", "Casi se engancha la manga en la cinta 3"),
            (16, "surprise", "Envasado", "Faltaron cajas de cartón a mitad del turno"),
            (30, "error", "Inyección", "Rebaba en las piezas de la inyectora 5 por molde sucio"),
            (45, "error", "Depósito", "Pallet mal filmado se desarmó en el camión"))):
        when = f"2026-11-{21 - days:02d}T08:00:00-03:00" if days < 21 else (
            "2026-10-22T08:00:00-03:00" if days == 30 else "2026-10-07T08:00:00-03:00")
        repo.import_doc({"id": ids.encode(200 + n), "kind": kind, "area": area, "what_happened": text,
                         "created_at": when, "occurred_at": when, "link_token": "W" * 22})


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["learnings", "record", "trends"])
def test_learnings_screens(snap_compare, make_app, repo, view, size):
    seed_learnings(repo)
    app = make_app()

    async def run_before(pilot) -> None:
        from kiosk.screens.learnings import LearningsScreen
        from kiosk.screens.record import RecordScreen
        from kiosk.screens.trends import TrendsScreen

        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings"))
                       and "7 registros" in str(app.screen.query_one("#count-learnings").render()))
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, LearningsScreen) and app.screen.total == 7)
        if view == "record":
            await pilot.press("tab", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
        elif view == "trends":
            await pilot.press("f8")
            await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.trends is not None)
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


# -- the screens supervisors and admins use -----------------------------------------------------


def _reviewed_doc(number: int, *, area: str, what: str, action: str, owner: str, follow_up: str) -> dict:
    return {"id": ids.encode(number), "kind": "error", "area": area, "what_happened": what,
            "created_at": "2026-10-15T08:00:00-03:00", "occurred_at": "2026-10-15T07:30:00-03:00",
            "link_token": "F" * 21 + str(number % 10), "status": "action_open",
            "review": {"what_happened": what, "why": [{"text": "No hay un paso de control", "category": "process"}],
                       "what_we_did": "Se separó el lote.",
                       "action": {"text": action, "owner": owner, "deadline": "2026-11-10"},
                       "follow_up_date": follow_up, "reviewed_by": "Marta Ruiz",
                       "reviewed_at": "2026-10-15T11:00:00-03:00", "draft": False}}


def seed_follow_ups(repo) -> None:
    """Follow-ups overdue, due today and coming up (Home's clock: 21/11/2026)."""
    seed(repo)
    for number, area, what, action, owner, follow_up in (
            (300, "Inyección", "Rebaba en las tapas de la inyectora 3", "Limpiar el molde en cada cambio de turno",
             "Mantenimiento", "2026-11-18"),
            (301, "Envasado", "Etiquetas con el lote anterior", "Agregar el control de la primera etiqueta",
             "Calidad", "2026-11-21"),
            (302, "Depósito", "Pallet mal filmado", "Marcar en el piso la zona de filmado", "Depósito",
             "2026-11-25")):
        repo.import_doc(_reviewed_doc(number, area=area, what=what, action=action, owner=owner,
                                      follow_up=follow_up))


def add_supervisors(repo) -> None:
    from kiosk.core.supervisors import new_supervisor
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    repo.add_supervisor(new_supervisor("Luis Díaz", "1357", admin=False, now=NOW))


async def _home_ready(pilot, app) -> None:
    await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings"))
                   and "registros" in str(app.screen.query_one("#count-learnings").render()))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["queue", "follow-up"])
def test_follow_ups(snap_compare, make_app, repo, view, size):
    from kiosk.screens.follow_ups import FollowUpQueueScreen, FollowUpScreen

    seed_follow_ups(repo)
    add_supervisors(repo)
    app = make_app()

    async def run_before(pilot) -> None:
        await _home_ready(pilot, app)
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        if view == "queue":
            app.push_screen(FollowUpQueueScreen())
            await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen) and len(app.screen.items) == 3)
        else:
            app.push_screen(FollowUpScreen(ids.encode(300)))
            await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen) and app.screen.record is not None)
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("dialog", ["pin", "first-admin"])
def test_sign_in_dialogs(snap_compare, make_app, repo, dialog, size):
    """Home's 2 (review) asks for a supervisor's PIN; with no admin yet, 0 creates the first."""
    from kiosk.screens.dialogs.pin import PinDialog
    from kiosk.screens.dialogs.supervisor import FirstAdminDialog

    seed(repo)
    if dialog == "pin":
        add_supervisors(repo)
    app = make_app()

    async def run_before(pilot) -> None:
        await _home_ready(pilot, app)
        if dialog == "pin":
            await pilot.press("2")
            await wait_for(pilot, lambda: isinstance(app.screen, PinDialog)
                           and app.screen.query_one("#names").option_count)
        else:
            await pilot.press("0")
            await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminDialog))
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["admin", "printer", "health"])
def test_admin_screens(snap_compare, make_app, repo, monkeypatch, view, size):
    """The admin screen, its printer screen (with one print job) and health. Health shows the
    folder of an installed kiosk and a fixed free space, so the picture is the same anywhere."""
    from pathlib import Path

    import kiosk.health
    import kiosk.screens.health
    from kiosk.screens.admin import AdminScreen
    from kiosk.screens.health import HealthScreen
    from kiosk.screens.printer_admin import PrinterAdminScreen

    real_facts = kiosk.health.facts
    monkeypatch.setattr(kiosk.health, "free_mb", lambda folder: 5120.0)
    monkeypatch.setattr(kiosk.screens.health, "facts",
                        lambda folder, *args, **kwargs: real_facts(Path("/var/lib/learning-kiosk"), *args, **kwargs))
    seed(repo)
    add_supervisors(repo)
    app = make_app()

    async def run_before(pilot) -> None:
        await _home_ready(pilot, app)
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(AdminScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and len(app.screen.supervisors) == 2)
        if view == "printer":
            spooler = app.printing()
            spooler.process(spooler.request("receipt", (ids.encode(100),), language="es_AR", by="Marta Ruiz").number)
            await pilot.press("f7")
            await wait_for(pilot, lambda: isinstance(app.screen, PrinterAdminScreen) and app.screen.jobs)
        elif view == "health":
            await pilot.press("f8")
            await wait_for(pilot, lambda: isinstance(app.screen, HealthScreen)
                           and "Registro" in str(app.screen.query_one("#health-facts").render()))
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


def test_on_the_linux_console(snap_compare, make_app, repo, monkeypatch):
    """TERM=linux: the glyphs a console font has (Enter spelled out in the footer, scroll bars
    on whole cells) on the report's longest step, with a suggestion from an earlier record."""
    from textual.scrollbar import ScrollBarRender

    monkeypatch.setenv("TERM", "linux")
    for bars in ("VERTICAL_BARS", "HORIZONTAL_BARS"):  # the console's bars are set for the process
        monkeypatch.setattr(ScrollBarRender, bars, list(getattr(ScrollBarRender, bars)))
    seed_learnings(repo)
    app = make_app()

    async def run_before(pilot) -> None:
        await _home_ready(pilot, app)
        for key in ["1", "3", *"env", "enter", "enter", *"Casi", "space", *"se", "space", *"engancha", "space",
                    *"la", "space", *"manga", "space", *"en", "space", *"la", "space", *"cinta"]:
            await pilot.press(key)
        await wait_for(pilot, lambda: bool(app.screen.seen))
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(run_before))


def team_at(repo, phase: str):
    """A Learning Team with notes in several lenses, a parked idea and a reflection, in
    ``phase`` (learn, solve or share); the repository's clock is fixed, the soak is 0 hours."""
    from kiosk.core.records import Action
    from kiosk.core.supervisors import new_supervisor
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    team = repo.open_team(title="Cambio de formato en la línea 2 [/]", use="work", area="Envasado",
                          facilitator="Marta Ruiz", participants=["Ana Gómez", "Luis Paz"])
    for text, lens in (("Con dos personas el cambio sale en 8 minutos", "smooth"),
                       ("Si falta el carro, el molde se levanta a mano", "adapt"),
                       ("El instructivo pide dos personas y guantes", "procedure"),
                       ("De noche lo hace uno solo", "actual"),
                       ("El molde nuevo viene sin la marca de centrado", "surprise")):
        repo.add_team_note(team.id, text=text, lens=lens, by="Ana Gómez")
    repo.park_team_idea(team.id, text="Habría que tener un segundo carro")
    if phase == "learn":
        return team
    repo.end_team_learn(team.id, by="Marta Ruiz")
    repo.add_team_note(team.id, text="En verano el molde se pega más", lens="reflection")
    repo.start_team_solve(team.id, by="Marta Ruiz", soak_hours=0)
    repo.add_team_defence(team.id, "El checklist de arranque ya se usa", by="Marta Ruiz")
    if phase == "solve":
        return team
    repo.add_team_change(team.id, Action("Poner un segundo carro junto a la inyectora 2", "Mantenimiento",
                                         "2026-12-10"), by="Marta Ruiz", follow_up_days=30)
    repo.end_team_solve(team.id, by="Marta Ruiz")
    return team


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("phase", ["learn", "solve", "share"])
def test_learning_team_screens(snap_compare, make_app, repo, phase, size, language):
    from kiosk.screens.team_learn import LearnScreen
    from kiosk.screens.team_solve import ShareScreen, SolveScreen

    team = team_at(repo, phase)
    screen = {"learn": LearnScreen, "solve": SolveScreen, "share": ShareScreen}[phase]
    app = make_app()

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings")))
        app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(screen(team.id))
        await wait_for(pilot, lambda: isinstance(app.screen, screen) and app.screen.team is not None)
        if language == "en":
            await pilot.press("f2")
        if phase == "learn":
            await pilot.press("8")  # a lens chosen, a note half typed
            for key in "Lo cambia uno solo":
                await pilot.press(key if key != " " else "space")
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen_name", ["account", "session"])
def test_after_action_review_screens(snap_compare, make_app, repo, screen_name, size, language):
    from kiosk.core.records import ReportDraft
    from kiosk.core.supervisors import new_supervisor
    from kiosk.screens.aar import AccountScreen
    from kiosk.screens.aar_session import SessionScreen
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    record = repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened=(
        "Se trabó la cinta 2 y cayeron cajas al pasillo [/]")), areas=None)
    aar, _codes = repo.open_aar(record.id, ["Ana Gómez", "Luis Paz", "Julián Ríos"], facilitator="Marta Ruiz")
    repo.give_account(aar.id, 0, ("Que la cinta no pare", "Se trabó con una caja rota", "Corrí a la seta",
                                  "La seta estaba cerca", "No había rodillos", "Pedir repuestos"), named=True)
    repo.give_account(aar.id, 1, ("Seguir el turno", "Cayeron cajas al pasillo", "Avisé por radio", "",
                                  "El apuro del pedido", ""), named=False)
    if screen_name == "session":
        repo.open_aar_session(aar.id, by="Marta Ruiz")
        repo.add_aar_finding(aar.id, "facts", "La caja venía rota del proveedor", [0, 1], by="Marta Ruiz")
        repo.add_aar_finding(aar.id, "differ", "Si había que parar antes", [0], by="Marta Ruiz")
    app = make_app()

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings")))
        if screen_name == "account":
            app.push_screen(AccountScreen(aar.id, 2, via="self"))
            await wait_for(pilot, lambda: isinstance(app.screen, AccountScreen) and app.screen.aar is not None)
        else:
            app.supervisor = repo.find_supervisor("Marta Ruiz")
            app.push_screen(SessionScreen(aar.id))
            await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.aar is not None)
        if language == "en":
            await pilot.press("f2")
        if screen_name == "account":
            for key in "Que arranque":
                await pilot.press(key if key != " " else "space")
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


def work_at(repo):
    """A closed work item with a lesson, and an open one with an entry of each kind, one
    applauded; returns the open one's id (the repository's clock is fixed)."""
    from kiosk.core.supervisors import new_supervisor
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    done = repo.open_work_item(title="Primer lote de tapas del cliente nuevo", area="Inyección",
                               opened_by="Marta Ruiz")
    repo.add_work_entry(done.id, kind="lesson", text="Cambio al molde nuevo de tapas: precalentarlo una hora antes",
                        by="Luis Paz")
    repo.close_work_item(done.id, by="Marta Ruiz")
    item = repo.open_work_item(title="Cambio al molde nuevo de tapas [/]", area="Inyección", opened_by="Marta Ruiz",
                               description="Tres días con el molde de 8 cavidades", starts="2026-11-20")
    for kind, text, by in (("win", "El cambio salió en 30 minutos con el carro preparado", "Ana Gómez"),
                           ("opportunity", "Faltan mangueras con código de color [b]", ""),
                           ("lesson", "Pedir a matricería el molde limpio el día antes", "Luis Paz")):
        repo.add_work_entry(item.id, kind=kind, text=text, by=by)
    repo.applaud_work_entry(item.id, 0)
    return item.id


async def _huddle_shown(pilot, app, language: str) -> None:
    """Home, then the huddle of Envasado with its data (the countdown stands at 5:00: the
    tests' monotonic clock does not move), in ``language``."""
    from kiosk.screens.huddle import HuddleScreen

    await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings")))
    app.push_screen(HuddleScreen("Envasado"))
    await wait_for(pilot, lambda: isinstance(app.screen, HuddleScreen) and app.screen.view is not None)
    if language == "en":
        await pilot.press("f2")
    await pilot.pause()


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen_name", ["entry", "item", "lookback", "debrief"])
def test_work_item_screens(snap_compare, make_app, repo, screen_name, size, language):
    from kiosk.screens import work

    item_id = work_at(repo)
    screen = {"entry": work.EntryScreen, "item": work.WorkItemScreen, "lookback": work.LookBackScreen,
              "debrief": work.DebriefScreen}[screen_name]
    app = make_app()

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings")))
        if screen_name == "debrief":
            app.supervisor = repo.find_supervisor("Marta Ruiz")
        app.push_screen(screen(item_id))
        await wait_for(pilot, lambda: isinstance(app.screen, screen) and app.screen.item is not None)
        if screen_name == "lookback":
            await wait_for(pilot, lambda: bool(app.screen.found))
        if language == "en":
            await pilot.press("f2")
        if screen_name == "entry":
            await pilot.press("3")  # a lesson, half typed
            for key in "Purgar antes":
                await pilot.press(key if key != " " else "space")
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settled(run_before))


def test_work_item_on_the_linux_console(snap_compare, make_app, repo, monkeypatch):
    """TERM=linux: the work item's page with its entries (the applause mark, the arrows of what
    an entry became) in the glyphs a console font has."""
    from textual.scrollbar import ScrollBarRender

    from kiosk.screens.work import WorkItemScreen

    monkeypatch.setenv("TERM", "linux")
    for bars in ("VERTICAL_BARS", "HORIZONTAL_BARS"):
        monkeypatch.setattr(ScrollBarRender, bars, list(getattr(ScrollBarRender, bars)))
    item_id = work_at(repo)
    repo.turn_into_look_for(item_id, 2, ("Inyección",), by="Marta Ruiz", share_days=30)
    app = make_app()

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings")))
        app.push_screen(WorkItemScreen(item_id))
        await wait_for(pilot, lambda: isinstance(app.screen, WorkItemScreen) and app.screen.item is not None)
        no_blink(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(run_before))


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_huddle(snap_compare, make_app, repo, size, language):
    """The huddle at shift start: the learning to share and the countdown on top, then what
    happened, the work under way, weak signals, follow-ups due and look-fors; no names, markup
    shown as typed."""
    from tests.support.clock import FakeMonotonic
    from tests.support.huddle import seed_huddle

    seed_huddle(repo)
    app = make_app(monotonic=FakeMonotonic(), home_area="Envasado")
    assert snap_compare(app, terminal_size=size, run_before=settled(lambda pilot: _huddle_shown(pilot, app, language)))


def test_huddle_on_the_linux_console(snap_compare, make_app, repo, monkeypatch):
    """The huddle with TERM=linux: its box, countdown and scroll bar in a console font's glyphs."""
    from textual.scrollbar import ScrollBarRender

    from tests.support.clock import FakeMonotonic
    from tests.support.huddle import seed_huddle

    monkeypatch.setenv("TERM", "linux")
    for bars in ("VERTICAL_BARS", "HORIZONTAL_BARS"):  # the console's bars are set for the process
        monkeypatch.setattr(ScrollBarRender, bars, list(getattr(ScrollBarRender, bars)))
    seed_huddle(repo)
    app = make_app(monotonic=FakeMonotonic(), home_area="Envasado")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(lambda pilot: _huddle_shown(pilot, app, "es")))
