"""Sealed until the session: accounts holding a canary word are looked for on every screen the
kiosk can show (with the data present), in every slip's bytes, on the record page, in search,
"seen this before?" (the screens and `kiosk similar`), trends and every export but JSON lines;
absent everywhere before the session opens, then on the session's screen."""

from __future__ import annotations

from pathlib import Path

from kiosk.app import KioskApp
from kiosk.config import Config
from kiosk.core.records import ReportDraft
from kiosk.core.supervisors import new_supervisor
from kiosk.storage import open_repository
from tests.support.cli import run
from tests.support.clock import NOW
from tests.support.pilot import type_text, wait_for

CANARY = "zorzalito"


def seal(data: Path) -> tuple[str, str]:
    repo = open_repository(data, clock=lambda: NOW)
    try:
        repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
        record = repo.add_report(ReportDraft(kind="near_miss", area="Envasado", what_happened="La cinta se movió "
                                             "sola con la mano adentro"), areas=None)
        repo.add_report(ReportDraft(kind="surprise", area="Envasado", what_happened="Otra vez la cinta se movió "
                                    "sola"), areas=None)
        aar, _codes = repo.open_aar(record.id, ["Ana Gómez", "Luis Paz"], facilitator="Marta Ruiz")
        for index in range(2):
            repo.give_account(aar.id, index, [f"{CANARY} pregunta {q}" for q in range(6)], named=index == 0)
        repo.open_team(title="La cinta que se mueve sola", use="event", area="Envasado", facilitator="Marta Ruiz",
                       records=[record.id])
        return record.id, aar.id
    finally:
        repo.close()


def screens(record_id: str, aar_id: str):
    """Every screen of the kiosk, built the way its keys build it."""
    from kiosk.screens.aar import AarScreen, AccountScreen, CodeScreen
    from kiosk.screens.admin import AdminScreen
    from kiosk.screens.follow_ups import FollowUpQueueScreen
    from kiosk.screens.health import HealthScreen
    from kiosk.screens.learnings import LearningsScreen
    from kiosk.screens.practice import PracticeScreen
    from kiosk.screens.printer_admin import PrinterAdminScreen
    from kiosk.screens.printing import PrintScreen
    from kiosk.screens.record import RecordScreen
    from kiosk.screens.report import ReportScreen
    from kiosk.screens.review_queue import ReviewQueueScreen
    from kiosk.screens.teams import StoryScreen, TeamsScreen
    from kiosk.screens.trends import TrendsScreen

    return [ReportScreen, ReviewQueueScreen, FollowUpQueueScreen, LearningsScreen, TrendsScreen, PracticeScreen,
            TeamsScreen, AdminScreen, HealthScreen, PrinterAdminScreen, CodeScreen,
            lambda: RecordScreen(record_id), lambda: AarScreen(aar_id),
            lambda: AccountScreen(aar_id, 1, via="interview"),  # an interview shows no account given with a code
            lambda: PrintScreen("receipt", (record_id,)), lambda: PrintScreen("invitations", (aar_id,)),
            lambda: StoryScreen(aar_id)]


async def test_no_screen_slip_page_search_or_export_shows_an_account_until_the_session(tmp_path):
    data = tmp_path / "data"
    record_id, aar_id = seal(data)
    repo = open_repository(data, clock=lambda: NOW)
    app = KioskApp(config=Config(match_by_meaning=False), repo=repo, clock=lambda: NOW)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: bool(app.screen.query("#accounts"))
                           and "relatos 2 de 2" in str(app.screen.query_one("#accounts").render()))
            assert CANARY not in app.export_screenshot()
            app.supervisor = repo.find_supervisor("Marta Ruiz")  # names and history shown, as to supervisors
            for make in screens(record_id, aar_id):
                app.push_screen(make())
                await pilot.pause(0.3)
                await pilot.pause()
                assert CANARY not in app.export_screenshot(), make
                app.pop_screen()
            # The report's "seen this before?" and the learnings' search, typed.
            from kiosk.screens.learnings import LearningsScreen

            app.push_screen(LearningsScreen())
            await wait_for(pilot, lambda: isinstance(app.screen, LearningsScreen))
            await type_text(pilot, CANARY[:6])
            await wait_for(pilot, lambda: app.screen.answered is not None and app.screen.answered[0] == CANARY[:6])
            assert app.screen.total == 0
            app.pop_screen()
            # After the session opens, the accounts are there: on the session's screen.
            from kiosk.screens.aar import AarScreen
            from kiosk.screens.aar_session import SessionScreen

            app.push_screen(AarScreen(aar_id))
            await wait_for(pilot, lambda: isinstance(app.screen, AarScreen) and app.screen.aar is not None)
            await pilot.press("s", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.aar is not None
                           and app.screen.aar.phase == "session")
            await pilot.pause()
            assert CANARY in app.export_screenshot()
    finally:
        assert not app.recovered_errors, app.recovered_errors
        repo.close()


def test_no_slip_page_search_trend_or_export_has_an_account(tmp_path):
    from kiosk.core.trends import compute
    from kiosk.printing.escpos_out import render
    from kiosk.printing.slips import Paper, follow_up_list, receipt, story_slip
    from kiosk.views.exchange import month_summary
    from kiosk.views.onepage import as_text, one_page
    from kiosk.web import page_html

    data = tmp_path / "data"
    record_id, _aar_id = seal(data)
    repo = open_repository(data, clock=lambda: NOW, writer=False)
    try:
        record = repo.get(record_id)
        team = repo.teams()[0]
        texts = [as_text(one_page(record)), page_html(record, "es_AR"), page_html(record, "en"),
                 month_summary(repo.all_records(), "2026-11", repo.teams(), repo.practice_pairs()),
                 repr(compute(repo.all_records(), NOW.date())), repr(repo.search(CANARY[:5])),
                 repr(repo.similar(f"{CANARY} pregunta cero con la cinta")), repr(repo.practice_pairs())]
        for slip in (receipt(record, Paper(), NOW), story_slip(team, Paper(), NOW),
                     follow_up_list(repo.follow_ups_until(NOW.date()), Paper(), NOW, until=NOW.date())):
            texts.append(render(slip).decode("cp858", "replace"))
        assert not [text for text in texts if CANARY in text]
        assert repo.search(CANARY[:5]).total == 0
    finally:
        repo.close()
    for args in (["export", "--format", "md"], ["export", "--format", "md", "--month", "2026-11"],
                 ["export", "--format", "csv"], ["export", "--format", "json"], ["similar", CANARY]):
        result = run(args, data=data)
        assert result.returncode == 0 and CANARY not in result.stdout.decode(), args
    # The plant's data, kept for a backup: in the JSON-lines export, and only there.
    assert CANARY in run(["export", "--format", "jsonl"], data=data).stdout.decode()
