"""The admin screen: settings validated and written atomically, supervisors added and removed."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.config import load_config
from kiosk.core.supervisors import new_supervisor
from kiosk.screens.admin import FIELDS, AdminScreen
from tests.support.clock import NOW
from tests.support.pilot import wait_for


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def open_admin(pilot):
    app = pilot.app
    await pilot.press("9")
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press("enter", *"2580", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and app.screen.supervisors)
    return app.screen


async def test_settings_are_validated_and_saved_atomically(make_app, repo, tmp_path):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    app.config_file = tmp_path / "kiosk.toml"
    async with app.run_test(size=(100, 40)) as pilot:
        admin = await open_admin(pilot)
        admin.query_one("#set-follow_up_days").value = "tres"
        await pilot.press("ctrl+s")
        assert ("No se guardó: «Días desde una revisión hasta su seguimiento» tiene que ser un número entero"
                in text_of(app))
        assert app.screen.focused is admin.query_one("#set-follow_up_days")
        assert not app.config_file.exists()
        admin.query_one("#set-follow_up_days").value = "45"
        admin.query_one("#set-areas").value = "Línea 1, Línea 2, \"Depósito\" norte"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Configuración guardada" in text_of(app))
    saved = load_config(app.config_file)
    assert saved.follow_up_days == 45 and saved.areas == ("Línea 1", "Línea 2", '"Depósito" norte')
    assert app.config.follow_up_days == 45
    assert not list(tmp_path.glob(".*.tmp"))


async def test_supervisors_are_added_and_the_last_admin_stays(make_app, repo, tmp_path):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        admin = await open_admin(pilot)
        await pilot.press("f5")  # F5 works on the supervisors list, where Tab leads
        assert isinstance(app.screen, AdminScreen)
        for _ in range(len(FIELDS)):
            await pilot.press("tab")
        assert app.screen.focused is admin.query_one("#supervisor-list")
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Agregar un supervisor" in text_of(app))
        await pilot.press(*"Luis", "enter", *"1357", "enter", *"1357", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and len(app.screen.supervisors) == 2)
        assert [(s.name, s.admin) for s in repo.supervisors()] == [("Marta Ruiz", True), ("Luis", False)]
        admin.query_one("#supervisor-list").focus()
        admin.query_one("#supervisor-list").highlighted = 0
        await pilot.press("delete")
        await wait_for(pilot, lambda: "única persona admin" in text_of(app))
        admin.query_one("#supervisor-list").highlighted = 1
        await pilot.press("delete")  # asks first: Esc keeps Luis
        await wait_for(pilot, lambda: "¿Quitar a Luis?" in text_of(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen))
        assert len(repo.supervisors()) == 2
        await pilot.press("delete")
        await wait_for(pilot, lambda: "¿Quitar a Luis?" in text_of(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and len(app.screen.supervisors) == 1)
        assert "Se quitó a Luis." in text_of(app)
    assert [s.name for s in repo.supervisors()] == ["Marta Ruiz"]


async def test_a_non_admin_cannot_open_it(make_app, repo):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    repo.add_supervisor(new_supervisor("Luis Díaz", "1357", admin=False, now=NOW))
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("9")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
        names = app.screen.query_one("#names")
        assert [str(names.get_option_at_index(i).prompt) for i in range(names.option_count)] == ["Marta Ruiz"]


async def test_no_pin_typed_on_the_screens_reaches_any_file(make_app, repo, data_dir, monkeypatch):
    import logging
    from types import SimpleNamespace

    import kiosk.core.supervisors

    # Salts of zeros: a random salt's hex (or the hash made with it) holds "2580" about once
    # in 700 runs, which this test would take for a PIN that leaked.
    monkeypatch.setattr(kiosk.core.supervisors, "secrets", SimpleNamespace(token_bytes=bytes))
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    log_file = data_dir / "kiosk.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    app = make_app()
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            admin = await open_admin(pilot)
            admin.query_one("#supervisor-list").focus()
            await pilot.press("f6")
            await wait_for(pilot, lambda: "Agregar un admin" in text_of(app))
            await pilot.press(*"Luis", "enter", *"73019468", "enter", *"73019468", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, AdminScreen) and len(app.screen.supervisors) == 2)
            await pilot.press("escape", "9")  # a wrong PIN goes through the log path too
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    repo.close()
    assert "supervisor 'Luis' added" in log_file.read_text(encoding="utf-8")
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"73019468" not in content and b"2580" not in content, path


async def test_signing_out_ends_the_session(make_app, repo):
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_admin(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Sesión iniciada: Marta Ruiz" in text_of(app))
        await pilot.press("x")
        await pilot.pause()
        assert app.supervisor is None and "Sesión iniciada" not in text_of(app)
        await pilot.press("2")  # the next supervisor must sign in again
        await wait_for(pilot, lambda: bool(app.screen.query("#names")))


async def test_a_settings_file_the_kiosk_cannot_write_says_to_edit_it_by_hand(make_app, repo):
    """An installed kiosk runs with /etc read-only (ProtectSystem=strict): /sys stands in for
    a folder nobody may create files in, root included."""
    from pathlib import Path

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    app.config_file = Path("/sys/kiosk.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        admin = await open_admin(pilot)
        admin.query_one("#set-follow_up_days").value = "45"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "No se guardó" in text_of(app))
        assert "no puede escribir /sys/kiosk.toml" in text_of(app)
        assert "a mano" in text_of(app)
    assert app.config.follow_up_days != 45
