"""The December 2026 walk, on the admin's screens (items 7, 8, 17, 23, 24, 25, 28 and 39):
keyboard only, at the smallest kiosk size (80x24) where the walk tripped."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kiosk.config import load_config
from kiosk.core.records import Action, Condition, ReportDraft, Review
from kiosk.core.reviewing import finish_review
from kiosk.core.supervisors import new_supervisor
from kiosk.screens.admin import AdminScreen
from kiosk.screens.dialogs.supervisor import FirstAdminDialog, NewSupervisorDialog
from kiosk.screens.follow_ups import FollowUpQueueScreen, FollowUpScreen
from tests.support.clock import NOW, FakeMonotonic
from tests.support.pilot import screen_text, type_text, wait_for

SMALL = (80, 24)


def drawn(app) -> list[str]:
    """The rows of the current screen as the terminal shows them (what is in view, not what
    is scrolled away)."""
    update = app.screen._compositor.render_update(full=True)
    return ["".join(segment.text for segment in strip) for strip in update.strips]


def in_view(app, *fragments: str) -> bool:
    rows = drawn(app)
    return all(any(fragment in row for row in rows) for fragment in fragments)


@pytest.fixture
def admin(repo):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))


async def open_admin(pilot) -> AdminScreen:
    app = pilot.app
    await pilot.press("9")
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press("enter", *"2580", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and app.screen.supervisors)
    return app.screen


async def type_idle_timeout(pilot, value: str) -> None:
    """From the first field (areas): Enter twice to the idle timeout, rub it out, type."""
    await pilot.press("enter", "enter")
    assert pilot.app.screen.focused.id == "set-idle_timeout"
    await pilot.press("end", *["backspace"] * 6)
    await type_text(pilot, value)


# -- item 7: the shortest idle timeout ---------------------------------------------------------


async def test_the_documented_minimum_idle_timeout_saves_and_its_warning_comes_at_half(
        make_app, repo, admin, tmp_path):
    clock = FakeMonotonic()
    app = make_app(monotonic=clock)
    app.config_file = tmp_path / "kiosk.toml"
    async with app.run_test(size=SMALL) as pilot:
        await open_admin(pilot)
        await type_idle_timeout(pilot, "15")
        assert in_view(app, "«¿Seguís ahí?»", "7 s antes")  # the warning, derived and shown
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: in_view(app, "Configuración guardada"))
        assert load_config(app.config_file).idle_timeout == 15
        assert app.config.idle_warning <= 15 // 2
        await pilot.press("escape", "9")  # back to Home, still signed in, and in again
        await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and app.screen.supervisors)
        await type_idle_timeout(pilot, "16")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: in_view(app, "Configuración guardada") and app.config.idle_timeout == 16)
        clock.advance(1)
        app.idle_tick()
        await pilot.pause()
        assert not app._notifications  # not 1 s after a key: at least half the timeout first
        clock.advance(6.5)
        app.idle_tick()
        await pilot.pause()
        assert not app._notifications  # nor before half of it
        clock.advance(1)
        app.idle_tick()
        await pilot.pause()
        assert [n.title for n in app._notifications] == ["¿Seguís ahí?"]
    saved = load_config(app.config_file)
    assert saved.idle_timeout == 16 and saved.idle_warning == 8


# -- item 8: messages in view, with the field's own name ----------------------------------------


async def test_a_settings_error_is_in_view_names_the_field_as_shown_and_focuses_it(make_app, repo, admin, tmp_path):
    app = make_app()
    app.config_file = tmp_path / "kiosk.toml"
    async with app.run_test(size=SMALL) as pilot:
        admin_screen = await open_admin(pilot)
        await type_idle_timeout(pilot, "1")
        await pilot.press("tab", "tab", "tab")  # on to the last field, the idle one scrolled away
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: in_view(app, "No se guardó"))
        text = screen_text(app)
        assert "idle_timeout" not in text
        assert "Segundos sin tocar una tecla antes de volver al inicio" in text and "entre 15 y 3600" in text
        assert app.screen.focused is admin_screen.query_one("#set-idle_timeout")
        await pilot.pause()
        assert in_view(app, "No se guardó", "│  1 ")  # the message and the field in error, both in view
        assert not app.config_file.exists()
        await pilot.press("backspace", "4", "5", "ctrl+s")
        await wait_for(pilot, lambda: in_view(app, "Configuración guardada"))
        assert not in_view(app, "No se guardó")
    assert load_config(app.config_file).idle_timeout == 45


async def test_removing_the_last_admin_says_why_in_view(make_app, repo, admin):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_admin(pilot)
        for _ in range(6):
            await pilot.press("tab")
        assert app.screen.focused.id == "supervisor-list"
        await pilot.press("delete")
        await wait_for(pilot, lambda: in_view(app, "única"))


# -- items 24, 25, 39: health and printer in people's words ------------------------------------


async def test_health_says_it_in_spanish_with_gigabytes_and_local_dates(make_app, repo, admin, monkeypatch):
    import kiosk.health
    from kiosk.screens.health import HealthScreen

    monkeypatch.setattr(kiosk.health, "free_mb", lambda folder: 84224.0)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        spooler = app.printing()
        record = repo.add_report(ReportDraft(kind="error", area="Calidad", what_happened="Un lote sin control"),
                                 areas=None)
        spooler.process(spooler.request("receipt", (record.id,), language="es_AR", by="Marta Ruiz").number)
        await open_admin(pilot)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, HealthScreen) and "Disco" in screen_text(app))
        text = screen_text(app)
        assert "Disco libre: 84 GB" in text
        assert "sin carpeta de copias configurada" in text and "dir configurado" not in text
        assert "Último trabajo de impresión: impreso (21/11/2026 10:00)" in text
        assert "Impresora: ninguna, solo vista previa" in text
        assert "Registro de actividad (log):" in text and "Registro:" not in text
        for jargon in ("preview", "sent", "MB"):
            assert jargon not in text.replace("kiosk.toml", ""), jargon


def test_free_disk_in_gigabytes_with_a_decimal_comma_under_ten(monkeypatch):
    from kiosk import i18n
    from kiosk.health import free_disk

    assert [free_disk(mb) for mb in (84224.0, 9840.0, 5120.0, 850.4, 0.0)] == [
        "84 GB", "9,8 GB", "5,1 GB", "850 MB", "0 MB"]
    i18n.set_language("en")
    assert free_disk(5120.0) == "5.1 GB"


async def test_the_printer_screen_says_the_setting_in_words(make_app, repo, admin):
    from kiosk.screens.printer_admin import PrinterAdminScreen

    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_admin(pilot)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PrinterAdminScreen))
        text = screen_text(app)
        assert "ninguna, solo vista previa" in text and "espera hasta 5 s" in text
        for jargon in ("preview", "default", "5.0"):
            assert jargon not in text, jargon


# -- items 17, 23, 25: follow-ups -------------------------------------------------------------


def reviewed(repo, follow_up: str, *, action="Colgar un gancho de destrabe junto a la máquina 4",
             owner="Mantenimiento", deadline: str | None = None):
    record = repo.add_report(ReportDraft(kind="error", area="Inyección", what_happened="Se trabó la matriz 4"),
                             areas=None)
    deadline = deadline or (date.fromisoformat(follow_up) - timedelta(days=1)).isoformat()
    review = Review(what_happened="Se trabó la matriz 4", why=(Condition("No hay herramienta", "equipment"),),
                    action=Action(action, owner, deadline), follow_up_date=follow_up, draft=True)
    at = datetime.combine(date.fromisoformat(follow_up) - timedelta(days=30), NOW.timetz())
    done = finish_review(review, by="Marta Ruiz", now=at, follow_up_days=30)
    return repo.finish_review(record.id, done, by="Marta Ruiz")


async def open_queue(pilot) -> None:
    app = pilot.app
    await pilot.press("3")
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press("enter", *"2580", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen) and app.screen.items)


async def test_follow_up_rows_fit_80_columns_with_the_owner_whole(make_app, repo, admin):
    long_action = ("Poner una bandeja de 'OT cerradas' en cada puesto que retire las órdenes del tablero "
                   "antes del cambio de turno")
    reviewed(repo, "2026-11-20", action=long_action, owner="Hugo Ledesma")
    reviewed(repo, "2026-11-21", action="Colgar un gancho", owner="María de los Ángeles Fernández Quiroga")
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_queue(pilot)
        await pilot.pause()
        rows = drawn(app)
        owners = [row for row in rows if "Hugo" in row or "María de los" in row]
        assert len(owners) == 2, rows
        assert all(row.startswith(" │    ") for row in owners), owners  # indented under the record's line
        assert any("Hugo Ledesma" in row and "Poner una bandeja" in row for row in owners), owners
        assert any("Fernández Quiroga" in row and "Colgar" in row for row in owners), owners
        assert not any(row.startswith(" │ Ledesma") or row.startswith(" │ Quiroga") for row in rows)


async def test_follow_up_dates_read_and_type_the_local_way(make_app, repo, admin):
    record = reviewed(repo, "2026-11-21", deadline="2026-11-20")
    again = repo.add_report(ReportDraft(kind="near_miss", area="Inyección", what_happened="Otra vez la matriz 4"),
                            areas=None)
    repo.link_recurrence(again.id, record.id, by="Marta Ruiz")
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_queue(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen) and app.screen.record is not None)
        assert "Plazo: 20/11/2026 · Seguimiento: 21/11/2026" in screen_text(app)
        await pilot.press("down", "enter", "down", "enter")  # partly, too early
        assert f"{again.id} · 21/11/2026" in screen_text(app)
        await pilot.press("enter", "enter", "down", "enter")  # nothing more to link, no notes, extend
        new_date = app.screen.query_one("#new-date")
        assert app.screen.focused is new_date
        assert "05/12/2026" in str(new_date.placeholder)  # an example in the future, written the local way
        assert "AAAA" not in screen_text(app)
        await type_text(pilot, "2026-99")
        await pilot.press("enter")
        await type_text(pilot, "Falta el gancho")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "día/mes/año" in screen_text(app))
        assert "p. ej. 05/12/2026" in screen_text(app)
        new_date.focus()
        await pilot.press("end", *["backspace"] * 10)
        await type_text(pilot, "10/12/2026")
        assert new_date.value == "10/12/2026"  # the "/" is kept
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen))
        assert any("el próximo seguimiento es el 10/12/2026" in str(n.message) for n in app._notifications)
    assert repo.get(record.id).review.follow_up_date == "2026-12-10"


async def test_a_follow_up_date_without_a_year_is_the_next_one(make_app, repo, admin):
    record = reviewed(repo, "2026-11-21")
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_queue(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen) and app.screen.record is not None)
        await pilot.press("down", "enter", "down", "enter", "enter", "enter", "down", "enter")
        await type_text(pilot, "5/1")
        await pilot.press("enter")
        await type_text(pilot, "Falta el proveedor")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpQueueScreen))
    assert repo.get(record.id).review.follow_up_date == "2027-01-05"


async def test_a_due_follow_up_asks_no_pin_of_a_signed_in_supervisor(make_app, repo, admin):
    from kiosk.screens.record import RecordScreen

    reviewed(repo, "2026-11-21")
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_queue(pilot)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
        due = str(app.screen.query_one("#record-due").render())
        assert "F lo abre" in due and "PIN" not in due
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen))


async def test_a_due_follow_up_says_a_pin_is_asked_when_nobody_is_signed_in(make_app, repo, admin):
    from kiosk.screens.record import RecordScreen

    record = reviewed(repo, "2026-11-21")
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: "Reportar algo" in screen_text(app))
        app.push_screen(RecordScreen(record.id))
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.record is not None)
        due = str(app.screen.query_one("#record-due").render())
        assert "F lo abre" in due and "PIN" in due


# -- item 28: the supervisor dialogs at 80x24 --------------------------------------------------


def fits(app, dialog) -> bool:
    box = dialog.query_one(".dialog").region
    footer_row = app.size.height - 1
    return (dialog.max_scroll_y == 0 and box.y >= 0 and box.bottom <= footer_row
            and box.x > 0 and abs(box.x - (app.size.width - box.right)) <= 1)


async def test_the_first_admin_dialog_fits_80x24_and_its_error_clears_when_the_pin_is_retyped(make_app, repo):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("0")
        await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminDialog))
        await pilot.pause()
        assert fits(app, app.screen), app.screen.query_one(".dialog").region
        await type_text(pilot, "Marta")
        await pilot.press("enter", *"2580", "enter", *"2581", "enter")
        await wait_for(pilot, lambda: in_view(app, "Los dos PIN son distintos"))
        assert fits(app, app.screen)
        await pilot.press("2")
        await pilot.pause()
        assert "Los dos PIN son distintos" not in screen_text(app)
        await pilot.press(*"580", "enter")
        await wait_for(pilot, lambda: "¿Salir del kiosco?" in screen_text(app))


async def test_the_add_supervisor_dialog_is_centred_above_the_footer(make_app, repo, admin):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_admin(pilot)
        app.screen.query_one("#supervisor-list").focus()
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, NewSupervisorDialog))
        await pilot.pause()
        assert fits(app, app.screen), app.screen.query_one(".dialog").region
        await type_text(pilot, "Marta Ruiz")
        await pilot.press("enter")  # a name in use is said at once, before any PIN
        await wait_for(pilot, lambda: in_view(app, "Ya hay"))
        assert app.screen.focused is app.screen.query_one("#admin-name")
        await type_text(pilot, "Luis")  # (the name typed over)
        await pilot.pause()
        assert not in_view(app, "Ya hay")
        await pilot.press("enter", *"135", "enter")  # a short PIN too
        await wait_for(pilot, lambda: in_view(app, "4 a 8 dígitos"))
        assert app.screen.focused is app.screen.query_one("#admin-pin") and not app.screen.query_one("#admin-pin").value
        await pilot.press(*"1357", "enter", *"1357", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and len(app.screen.supervisors) == 2)
        assert [s.name for s in repo.supervisors()] == ["Marta Ruiz", "Luis"]
