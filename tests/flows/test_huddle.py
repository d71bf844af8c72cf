"""The huddle at shift start (issue 17, points 6 and 7), keyboard only: open it for an area,
read what happened, ``n`` another learning, ``s`` marks it shared (stored, counted), ``p``
prints the slip whose QRs are the records' addresses."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from kiosk.screens.dialogs.choose import ChooseDialog
from kiosk.screens.huddle import HuddleScreen, start_huddle
from kiosk.screens.printing import PrintScreen
from tests.support.escpos_stream import qr_payloads
from tests.support.huddle import NAMES, page_url, seed_huddle
from tests.support.pilot import footer_text, screen_text, wait_for


def shown(app, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", Static).render())


async def open_huddle(pilot, app) -> None:
    await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings")))
    start_huddle(app.screen)
    await wait_for(pilot, lambda: isinstance(app.screen, ChooseDialog))
    await pilot.press("enter")  # the kiosk's own area is first
    await wait_for(pilot, lambda: isinstance(app.screen, HuddleScreen) and app.screen.view is not None)


async def test_a_huddle_shows_the_area_shares_one_learning_and_prints_its_slip(make_app, repo):
    seeded = seed_huddle(repo)
    app = make_app(home_area="Envasado")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_huddle(pilot, app)
        assert app.screen.area == "Envasado"
        text = screen_text(app)
        assert "Ronda · Envasado" in text and "5:00" in shown(app, "huddle-clock")
        assert "LO QUE PASÓ EN LAS ÚLTIMAS 24 HORAS" in text
        assert "Error" not in shown(app, "lines-0") and "Casi accidente 1 · Logro 1" in shown(app, "lines-0")
        assert "Se trabó la cinta 2 [bold]y cayeron cajas[/]" in text  # markup shown as typed
        assert f"{seeded['work']} Primer lote del cliente nuevo [/]" in text
        assert "Oportunidad: Falta un carro para las bobinas" in text
        assert "3 sorpresas o casi accidentes en 30 días" in text
        assert f"{seeded['reviewed']} Separar las etiquetas por cliente (vencido)" in text
        assert "Rebaba en las matrices al arrancar" in text
        assert not any(name in text for name in NAMES)
        # The oldest learning first: the reviewed record's look-for (October), then the lesson.
        assert "Mirar la etiqueta contra la orden" in shown(app, "share-text")
        assert "n Otro" in footer_text(app) and "s Lo compartimos" in footer_text(app)
        await pilot.press("n")
        assert "Pedir la etiqueta del cliente un día antes" in shown(app, "share-text")
        await pilot.press("s")
        await wait_for(pilot, lambda: "Compartido: 1 aprendizaje" in shown(app, "share-said"))
        # Shared once and counted; the next proposal is the win, then round to the look-for.
        (huddle,) = repo.huddles("Envasado")
        assert [s.ref for s in huddle.shared] == [f"{seeded['work']}#0"]
        assert "Salió a la primera [b]sin[/b] retrabajo" in shown(app, "share-text")
        await pilot.press("n")
        assert "Mirar la etiqueta contra la orden" in shown(app, "share-text")

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.job is not None
                       and app.screen.job.state == "sent")
        slip = app.screen.slip
        assert "- Lección: Pedir la etiqueta" in "\n".join(slip.text_lines())
        assert not any(name in "\n".join(slip.text_lines()) for name in NAMES)
        printed = qr_payloads(Path(app.screen.job.file).read_bytes())
        # The look-fors (the newest first), the lesson shared (its work item's debrief), then the
        # follow-up due.
        assert printed == [page_url(seeded["other"], "D"), page_url(seeded["reviewed"], "B"),
                           page_url(seeded["work"], "W"), page_url(seeded["reviewed"], "B")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HuddleScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HuddleScreen))
        # Opened again within two hours: the same huddle, not a second one.
        await open_huddle(pilot, app)
        assert len(repo.huddles("Envasado")) == 1


async def test_the_countdown_never_blocks_and_says_when_time_is_up(make_app, repo):
    from tests.support.clock import FakeMonotonic

    seed_huddle(repo)
    clock = FakeMonotonic()
    app = make_app(monotonic=clock, home_area="Envasado", language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_huddle(pilot, app)
        assert shown(app, "huddle-clock") == "5:00"
        clock.advance(61)
        await wait_for(pilot, lambda: shown(app, "huddle-clock") == "3:59")
        clock.advance(240)
        await wait_for(pilot, lambda: shown(app, "huddle-clock") == "Time is up")
        # Nothing else happens: the keys still work, and the idle reset waits for the crew.
        await pilot.press("n")
        assert isinstance(app.screen, HuddleScreen)
        clock.advance(app.config.idle_timeout + 5)
        await wait_for(pilot, lambda: not isinstance(app.screen, HuddleScreen), timeout=5)


async def test_trends_count_huddles_held_and_learnings_shared_per_area(make_app, repo):
    from kiosk.screens.trends import TrendsScreen

    seed_huddle(repo)
    huddle = repo.open_huddle("Envasado")
    repo.share_in_huddle(huddle.id, repo.huddle_candidates("Envasado", huddle.started.date())[0])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#count-learnings")))
        app.push_screen(TrendsScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.trends is not None)
        charts = shown(app, "charts").splitlines()
        at = charts.index("Rondas hechas por semana, y aprendizajes compartidos")
        assert charts[at + 1].startswith("  Envasado") and charts[at + 1].endswith("1  compartidos 1")
        assert max(len(line) for line in charts) <= 76


async def test_from_home_on_the_demo_year_a_huddle_shares_the_oldest_learning_and_prints_it(make_app, repo):
    """Home's 7 on the demo generator's data (records, teams, work items with entries, three
    weeks of huddles): Inyección's huddle proposes the oldest learning its past huddles did not
    share, `s` counts it, and the slip's QR codes decode to pages of this kiosk."""
    from kiosk.config import Config
    from kiosk.demo.generator import seed_demo
    from kiosk.screens.home import HomeScreen

    seed_demo(repo, Config().areas, repo.clock().date())
    before = {h.id for h in repo.huddles("Inyección")}
    expected = repo.huddle_candidates("Inyección", repo.clock().date())
    app = make_app(home_area="Inyección")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and "7" in footer_text(app))
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HuddleScreen) and app.screen.view is not None)
        proposal = app.screen.view.proposals[0]
        assert proposal.ref not in {s.ref for h in repo.huddles("Inyección") for s in h.shared}
        assert proposal.ref in {c.ref for c in expected}
        assert proposal.text.split()[0] in shown(app, "share-text")
        await pilot.press("s")
        await wait_for(pilot, lambda: "Compartido: 1 aprendizaje" in shown(app, "share-said"))
        (new,) = [h for h in repo.huddles("Inyección") if h.id not in before]
        assert [s.ref for s in new.shared] == [proposal.ref]
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.job is not None
                       and app.screen.job.state == "sent")
        printed = qr_payloads(Path(app.screen.job.file).read_bytes())
        assert printed and all(url.startswith("http://kiosk.local:8080/r/") for url in printed)
        for url in printed:  # each opens a page of this kiosk: its id with its own token
            page_id, token = url.split("/r/")[1].split("?k=")
            page = repo.get(page_id) or repo.team(page_id) or repo.work_item(page_id)
            assert page is not None and page.link_token == token
        people = {e.by for item in repo.work_items() for e in item.entries if e.by}
        people |= {item.opened_by for item in repo.work_items()}
        assert people and not any(name in "\n".join(app.screen.slip.text_lines()) for name in people)
