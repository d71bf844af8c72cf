"""Keyboard-only Pilot tests of the kiosk: the report flow, language, idle reset, lockdown."""

from __future__ import annotations

import errno

from kiosk.core import ids
from kiosk.screens.home import HomeScreen
from kiosk.screens.report import ReportScreen
from kiosk.screens.saved import SavedScreen
from kiosk.widgets.inputs import ReportTextArea
from tests.support.clock import FakeMonotonic
from tests.support.pilot import footer_text, screen_text, type_text, wait_for, walk_to_confirm


def no_space(fd, data):
    """os.write on a full disk."""
    raise OSError(errno.ENOSPC, "No space left on device")


async def test_full_report_flow_saves_and_thanks(make_app, repo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert "Reportar algo" in screen_text(app)
        await walk_to_confirm(pilot, did="Paramos", name="Ana G.")
        assert "Paso 6 de 6" in screen_text(app)
        assert "Casi accidente" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        record = app.screen.record
        assert record.id in screen_text(app)
        assert "¡Gracias!" in screen_text(app)
        stored = repo.get(record.id)
        assert stored.kind == "near_miss"
        assert stored.area == "Envasado"
        assert stored.what_happened == "Cinta trabó"
        assert stored.impact == "Una hora"
        assert stored.what_we_did == "Paramos"
        assert stored.reporter == "Ana G."
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)


async def test_anonymous_report_and_empty_optional_fields(make_app, repo):
    app = make_app()
    async with app.run_test() as pilot:
        await walk_to_confirm(pilot, impact="")
        assert "anónimo" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        stored = repo.get(app.screen.record.id)
        assert stored.reporter == "" and stored.impact == "" and stored.what_we_did == ""


async def test_required_field_is_explained_and_blocks_the_step(make_app, repo):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "1")
        await pilot.press("down", "enter", "enter")  # first area, no station
        await pilot.press("enter", "enter")  # empty "what happened", then try to move on
        assert "Paso 3 de 6" in screen_text(app)
        assert "Qué pasó es obligatorio." in screen_text(app)
        await type_text(pilot, "corto")
        await pilot.press("enter", "enter")
        assert "necesita al menos 10 caracteres" in screen_text(app)
        assert repo.count() == 0


async def test_area_filter_ignores_accents_and_requires_a_match(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "3")
        await type_text(pilot, "deposito")
        await pilot.press("enter")
        report = app.screen
        assert isinstance(report, ReportScreen) and report.area == "Depósito"
        await pilot.press("escape")
        await type_text(pilot, "zzz")
        await pilot.press("enter")
        assert "Elegí un área de la lista" in screen_text(app)
        assert "Paso 2 de 6" in screen_text(app)


async def test_escape_goes_back_step_by_step_to_home(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "4", "down", "enter", "enter")
        assert "Paso 3 de 6" in screen_text(app)
        await pilot.press("escape")
        assert "Paso 2 de 6" in screen_text(app) and app.focused.id == "station"
        await pilot.press("escape")
        assert "Paso 2 de 6" in screen_text(app) and app.focused.id == "area-filter"
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, HomeScreen)  # nothing typed: nothing to ask


async def test_escape_never_throws_away_a_typed_report_without_asking(make_app, repo):
    # Walk item 13: Esc Esc Esc from step 3 lost the text with no question.
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")
        await type_text(pilot, "Se trabó la cinta")
        await pilot.press(*["escape"] * 4)
        await wait_for(pilot, lambda: "¿Descartar el reporte?" in screen_text(app))
        await pilot.press("escape")  # the safe answer: back to the report, text kept
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert "Paso 1 de 6" in screen_text(app)
        assert app.screen.query_one("#what_happened", ReportTextArea).text == "Se trabó la cinta"
        await pilot.press("escape")
        await wait_for(pilot, lambda: "¿Descartar el reporte?" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
    assert repo.count() == 0


async def test_a_quick_enter_on_the_area_step_files_nothing_by_default(make_app):
    # Walk item 22: Enter took the first area (Inyección) for anyone in a hurry.
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "1", "enter")
        assert "Paso 2 de 6" in screen_text(app)
        assert "Elegí un área de la lista" in screen_text(app)
        assert app.screen.area == ""


async def test_the_report_asks_for_the_station_with_the_configured_list(make_app, repo):
    # Walk item 21 / issue point 27: records, the page and "seen before?" use the station.
    app = make_app(stations=("Inyectora 3", "Inyectora 4", "Línea 2"))
    async with app.run_test() as pilot:
        await pilot.press("1", "1")
        await type_text(pilot, "env")
        await pilot.press("enter")
        stations = app.screen.query_one("#stations")
        assert "Puesto o máquina" in screen_text(app) and stations.display and stations.option_count == 3
        await type_text(pilot, "iny")
        await pilot.press("down", "enter")  # the second match
        await type_text(pilot, "Se trabó el molde 14")
        await pilot.press("enter", "enter", "enter", "enter")
        assert "Puesto o máquina: Inyectora 4" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        assert repo.get(app.screen.record.id).station == "Inyectora 4"
        # A name that is not on the list is taken as typed.
        await pilot.press("enter", "1", "1")
        await type_text(pilot, "env")
        await pilot.press("enter")
        await type_text(pilot, "Prensa vieja")
        await pilot.press("enter")
        await type_text(pilot, "Otra vez el molde")
        await pilot.press("enter", "enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        assert repo.get(app.screen.record.id).station == "Prensa vieja"


async def test_hostile_text_is_stored_clean_and_shown_literally(make_app, repo):
    app = make_app()
    hostile = "[@click=app.quit]x[/] [b]negrita[/b] \x1b]52;c;AAAA\x07 \x9b2J fin"
    async with app.run_test() as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")
        area = app.screen.query_one("#what_happened", ReportTextArea)
        await pilot.press("x")  # something typed, then the paste
        app.screen.query_one("#what_happened").post_message(
            __import__("textual.events", fromlist=["Paste"]).Paste(hostile)
        )
        await pilot.pause()
        assert "\x1b" not in area.text and "\x9b" not in area.text
        await pilot.press("enter", "enter", "enter", "enter")
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        stored = repo.get(app.screen.record.id)
        assert stored.what_happened.startswith("x[@click=app.quit]x[/] [b]negrita[/b]")
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in stored.what_happened)
        assert app.is_running


async def test_huge_paste_is_clipped_with_a_message(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")
        from textual.events import Paste

        app.screen.query_one("#what_happened").post_message(Paste("á" * 1_000_000))
        await pilot.pause()
        area = app.screen.query_one("#what_happened", ReportTextArea)
        assert len(area.text) == 600
        assert "quedaron afuera 999400 caracteres" in screen_text(app)


async def test_decomposed_accents_are_stored_composed(make_app, repo):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")
        from textual.events import Paste

        app.screen.query_one("#what_happened").post_message(Paste("Jose\u0301 vio la presio\u0301n alta"))
        await pilot.pause()
        await pilot.press("enter", "enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        assert repo.get(app.screen.record.id).what_happened == "José vio la presión alta"


async def test_f2_switches_every_visible_string_and_the_footer(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        # (the footer is composed once its keys are known: wait for it, never a fixed pause)
        await wait_for(pilot, lambda: "Salir" in footer_text(app) and "English" in footer_text(app))
        assert "Reportar algo" in screen_text(app)
        await pilot.press("f2")
        await wait_for(pilot, lambda: "Exit" in footer_text(app) and "Español" in footer_text(app))
        assert "Report something" in screen_text(app)
        assert "Reportar algo" not in screen_text(app)
        await pilot.press("1")
        assert "Step 1 of 6" in screen_text(app)
        await wait_for(pilot, lambda: "Next" in footer_text(app))
        await pilot.press("f2")
        await wait_for(pilot, lambda: "Siguiente" in footer_text(app))
        assert "Paso 1 de 6" in screen_text(app)
        assert "Casi accidente" in str(app.screen.query_one("#kinds").get_option_at_index(1).prompt)


async def test_inert_keys_do_nothing(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1")
        stack = list(app.screen_stack)
        for key in ("ctrl+c", "ctrl+q", "ctrl+p", "ctrl+z", "ctrl+backslash"):
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running, key
            assert list(app.screen_stack) == stack, key
        assert app.use_command_palette is False


async def test_exit_without_an_admin_creates_the_first_one(make_app, repo):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("0")
        await wait_for(pilot, lambda: "Crear la primera persona admin" in screen_text(app))
        await type_text(pilot, "Marta")
        await pilot.press("enter", *"2580", "enter", *"2581", "enter")
        await wait_for(pilot, lambda: "Los dos PIN son distintos" in screen_text(app))
        await pilot.press(*"2580", "enter")
        await wait_for(pilot, lambda: "¿Salir del kiosco?" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0
    assert [s.name for s in repo.supervisors() if s.admin] == ["Marta"]


async def test_exit_needs_an_admin_pin_and_says_how_many_tries_are_left(make_app, repo):
    from kiosk.core.supervisors import new_supervisor
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    repo.add_supervisor(new_supervisor("Luis Díaz", "1357", admin=False, now=NOW))
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("0")
        await wait_for(pilot, lambda: "Salir del kiosco: PIN de admin" in screen_text(app))
        names = app.screen.query_one("#names")
        assert [str(names.get_option_at_index(i).prompt) for i in range(names.option_count)] == ["Marta Ruiz"]
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen) and app.is_running  # cancelled
        await pilot.press("0")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")))
        await type_text(pilot, "mar")
        await pilot.press("enter", *"1111", "enter")
        await wait_for(pilot, lambda: "Te quedan 4 intentos" in screen_text(app))
        await pilot.press(*"2580", "enter")
        await wait_for(pilot, lambda: "¿Salir del kiosco?" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_with_an_admin_signed_in_exit_still_asks_and_esc_stays(make_app, repo):
    # Walk item 12: one `0` on Home, with an admin still signed in, left the kiosk at once.
    from kiosk.core.supervisors import new_supervisor
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("9")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")))
        await pilot.press("enter", *"2580", "enter")
        await wait_for(pilot, lambda: app.supervisor is not None and not isinstance(app.screen, HomeScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("0")
        await wait_for(pilot, lambda: "¿Salir del kiosco?" in screen_text(app))
        await wait_for(pilot, lambda: "Salir" in footer_text(app))
        assert "English" in footer_text(app) and "Quedarse" in footer_text(app)  # F2 keeps its own words
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, HomeScreen)
        await pilot.press("0")
        await wait_for(pilot, lambda: "¿Salir del kiosco?" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_five_wrong_pins_lock_out_plainly(make_app, repo):
    from kiosk.core.supervisors import new_supervisor
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("0")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
        await pilot.press("enter")
        for _attempt in range(5):
            await pilot.press(*"9999", "enter")
            await wait_for(pilot, lambda: not app.screen.checking)
        assert "el acceso de Marta Ruiz queda bloqueado hasta las 10:05" in screen_text(app)
        await pilot.press(*"2580", "enter")  # the right PIN no longer opens it
        await wait_for(pilot, lambda: not app.screen.checking)
        assert app.is_running and "bloqueado hasta las 10:05" in screen_text(app)


async def test_a_try_that_cannot_be_recorded_is_refused_even_with_the_right_pin(make_app, repo, monkeypatch):
    # Fault report D3: on a full disk the dialog hung on "Verificando…", the failures were never
    # counted, and the right PIN still opened after any number of guesses.
    from kiosk.core.supervisors import new_supervisor
    from kiosk.storage import journal
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("0")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
        await pilot.press("enter")
        with monkeypatch.context() as full:
            full.setattr(journal.os, "write", no_space)
            for pin in ("1111", "2222", "2580"):
                await pilot.press(*pin, "enter")
                await wait_for(pilot, lambda: not app.screen.checking)
                assert "no pudo registrar este intento (el disco está lleno)" in screen_text(app)
            assert app.is_running and app.supervisor is None
        # Space again: the pending count is stored first, then it goes on from there.
        await pilot.press(*"3333", "enter")
        await wait_for(pilot, lambda: not app.screen.checking)
        assert "Te quedan 2 intentos" in screen_text(app)  # 1111, 2222 and 3333; the refused 2580 not
        assert repo.find_supervisor("Marta Ruiz").failures == 3
        await pilot.press(*"2580", "enter")
        await wait_for(pilot, lambda: "¿Salir del kiosco?" in screen_text(app))


async def test_idle_timeout_warns_then_resets_input_and_language(make_app, repo):
    clock = FakeMonotonic()
    app = make_app(monotonic=clock, idle_timeout=60, idle_warning=15)
    async with app.run_test() as pilot:
        await pilot.press("f2", "1", "1", "down", "enter", "enter")
        await type_text(pilot, "a medias")
        clock.advance(44)
        app.idle_tick()
        assert not app._notifications  # not yet
        clock.advance(2)
        app.idle_tick()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("No activity" in m for m in messages)
        clock.advance(15)
        app.idle_tick()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Reportar algo" in screen_text(app)  # default language again
        await pilot.press("1")
        assert "Paso 1 de 6" in screen_text(app)
        await pilot.press("1", "enter")
        assert app.screen.query_one("#what_happened", ReportTextArea).text == ""
        assert repo.count() == 0


async def test_the_idle_warning_counts_down_one_at_a_time_and_never_comes_right_after_a_key(make_app):
    # Walk items 7 and 35: at a 16 s timeout "¿Seguís ahí?" came 1 s after each key; "en 15 s"
    # never counted down; two identical warnings once piled up.
    clock = FakeMonotonic()
    app = make_app(monotonic=clock, idle_timeout=16, idle_warning=15)
    async with app.run_test() as pilot:
        await pilot.press("1")
        clock.advance(7)
        app.idle_tick()
        assert not app._notifications  # half the timeout at most: not after 1 s
        clock.advance(1.5)
        app.idle_tick()
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            "Sin actividad: en 8 s el kiosco vuelve al inicio y descarta lo escrito. Apretá cualquier tecla "
            "para seguir."]
        for _second in range(3):
            clock.advance(1)
            app.idle_tick()
            await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1 and "en 5 s" in messages[0]
        await pilot.press("escape")  # a key: no warning left
        await pilot.pause()
        assert not app._notifications


async def test_activity_postpones_the_idle_reset(make_app):
    clock = FakeMonotonic()
    app = make_app(monotonic=clock, idle_timeout=60, idle_warning=15)
    async with app.run_test() as pilot:
        await pilot.press("1")
        clock.advance(50)
        app.idle_tick()
        await pilot.press("1")  # activity
        clock.advance(50)
        app.idle_tick()
        assert isinstance(app.screen, ReportScreen)


async def test_full_disk_keeps_the_report_on_screen_for_retry(make_app, repo, monkeypatch):
    import kiosk.storage.journal as journal

    real_write = journal.os.write

    app = make_app()
    async with app.run_test() as pilot:
        await walk_to_confirm(pilot)
        monkeypatch.setattr(journal.os, "write", no_space)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "disco está lleno" in screen_text(app))
        assert isinstance(app.screen, ReportScreen)
        assert repo.count() == 0
        monkeypatch.setattr(journal.os, "write", real_write)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedScreen))
        assert repo.count() == 1


async def test_home_counts_and_highlights(make_app, repo):
    repo.import_doc({"kind": "error", "area": "Calidad", "what_happened": "Un lote salió sin control"})
    repo.import_doc({
        "id": ids.encode(7), "kind": "win", "area": "Envasado", "what_happened": "Cambio de formato en 12 minutos",
        "created_at": "2026-11-20T09:00:00-03:00", "occurred_at": "2026-11-20T09:00:00-03:00",
        "status": "shared", "applause": 4,
        "look_for": {"text": "Preparar el kit de cambio antes de parar la línea", "until": "2026-12-31"},
    })
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: "2 registros" in screen_text(app))
        text = screen_text(app)
        assert "1 espera" in text
        assert "Prestá atención: Preparar el kit de cambio" in text
        assert "Logro: Envasado: Cambio de formato en 12 minutos (+4)" in text


async def test_damaged_data_at_start_is_restored_and_said(data_dir):
    """The kiosk loads after its first frame; it repairs, then says what it restored."""
    from kiosk.app import KioskApp
    from kiosk.config import Config
    from kiosk.screens.dialogs.notice import NoticeDialog
    from kiosk.storage import JournalStore, load_repository, open_repository
    from tests.support.clock import fixed_clock

    first = open_repository(data_dir, clock=fixed_clock)
    from kiosk.core.records import ReportDraft

    saved = first.add_report(ReportDraft(kind="error", area="Calidad", what_happened="Registro antes del daño"),
                             areas=None)
    first.close()  # writes a snapshot: kiosk.json.1 is the older generation
    (data_dir / "kiosk.json").write_bytes(b"\x00" * 100)

    store = JournalStore(data_dir, load=False)
    app = KioskApp(config=Config(), clock=fixed_clock, load_repo=lambda: load_repository(store, fixed_clock))
    try:
        async with app.run_test() as pilot:
            # (the dialog's text is there once it is composed, not the moment it is pushed)
            await wait_for(pilot, lambda: isinstance(app.screen, NoticeDialog) and screen_text(app))
            text = screen_text(app)
            assert "El kiosco reparó sus datos" in text and "Se restauró la copia kiosk.json.1" in text
            await pilot.press("enter")
            await wait_for(pilot, lambda: "1 registro" in screen_text(app))
            assert app.repo.get(saved.id) is not None
    finally:
        store.close()
    assert list((data_dir / "damaged").iterdir())


async def test_no_good_copy_means_no_start_and_nothing_changed(data_dir):
    from kiosk.app import KioskApp
    from kiosk.config import Config
    from kiosk.storage import JournalStore, load_repository
    from tests.support.clock import fixed_clock

    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.json").write_bytes(b"{garbage")
    store = JournalStore(data_dir, load=False)
    app = KioskApp(config=Config(), clock=fixed_clock, load_repo=lambda: load_repository(store, fixed_clock))
    clock = FakeMonotonic()
    app.monotonic = clock
    try:
        async with app.run_test() as pilot:
            await wait_for(pilot, lambda: "El kiosco no puede iniciar" in screen_text(app))
            assert "los datos están dañados y no se encontró ninguna copia buena" in screen_text(app)
            clock.advance(10_000)
            app.idle_tick()  # the idle reset must not dismiss it: the kiosk has to exit
            await pilot.pause()
            assert "El kiosco no puede iniciar" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: not app.is_running)
    finally:
        store.close()
    assert app.return_code == 1 and "no puede iniciar" in app.fatal_message
    assert (data_dir / "kiosk.json").read_bytes() == b"{garbage"


async def test_f2_keeps_a_save_error_on_screen(make_app, repo, monkeypatch):
    import kiosk.storage.journal as journal

    app = make_app()
    async with app.run_test() as pilot:
        await walk_to_confirm(pilot)
        monkeypatch.setattr(journal.os, "write", no_space)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "disco está lleno" in screen_text(app))
        await pilot.press("f2")
        await pilot.pause()
        assert "disco está lleno" in screen_text(app)  # still there, and the page is in English
        assert "Step 6 of 6" in screen_text(app)


async def test_idle_reset_waits_for_a_save_in_progress(make_app):
    clock = FakeMonotonic()
    app = make_app(monotonic=clock, idle_timeout=60, idle_warning=15)
    async with app.run_test() as pilot:
        await walk_to_confirm(pilot)
        app.screen.saving = True  # as while the save worker runs
        clock.advance(1000)
        app.idle_tick()
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        app.screen.saving = False
        app.idle_tick()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_long_texts_on_home_are_one_glanceable_line(make_app, repo):
    repo.import_doc({"kind": "win", "area": "Envasado", "what_happened": "Muy bien " * 60})
    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: "Logro:" in screen_text(app))
        line = next(text for text in screen_text(app).splitlines() if text.startswith("Logro:"))
        assert line.endswith("…") and len(line) <= 170


async def test_idle_timeout_signs_the_supervisor_out(make_app, repo):
    from kiosk.core.supervisors import new_supervisor
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Luis Díaz", "1357", admin=False, now=NOW))
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    clock = FakeMonotonic()
    app = make_app(monotonic=clock, idle_timeout=60, idle_warning=15)
    signed = []
    async with app.run_test() as pilot:
        app.with_supervisor(signed.append, admin=False, title="Sign in")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
        await pilot.press("enter", *"1357", "enter")
        await wait_for(pilot, lambda: app.supervisor is not None)
        assert [s.name for s in signed] == ["Luis Díaz"]
        app.with_supervisor(signed.append, admin=False, title="Sign in")  # still signed in: no PIN
        assert len(signed) == 2 and isinstance(app.screen, HomeScreen)
        await pilot.press("1")  # somewhere other than a clean Home
        clock.advance(61)
        app.idle_tick()
        await pilot.pause()
        assert app.supervisor is None and isinstance(app.screen, HomeScreen)


async def test_a_paste_into_a_one_line_field_is_inserted_once(make_app):
    from textual.events import Paste

    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("1", "1", "down", "enter", "enter")
        await pilot.press("enter", "enter", "enter")  # (empty "what happened": stays; then on)
        app.screen.step = 4  # the name step
        await pilot.pause()
        app.screen.query_one("#reporter").post_message(Paste("Ana Gómez"))
        await pilot.pause()
        assert app.screen.query_one("#reporter").value == "Ana Gómez"


async def test_a_screen_below_80x24_shows_a_notice_and_the_kiosk_comes_back(make_app):
    from kiosk.screens.too_small import TooSmallScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")  # in the middle of a report
        await pilot.pause()
        report = app.screen
        await pilot.resize_terminal(60, 20)
        await wait_for(pilot, lambda: isinstance(app.screen, TooSmallScreen))
        assert "demasiado chica" in screen_text(app) or "demasiado pequeña" in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.screen is report)


async def test_an_unexpected_error_in_a_screen_goes_back_home_and_says_so(make_app, data_dir):
    from kiosk.screens.report import ReportScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))

        def broken(index: int) -> None:
            raise RuntimeError("a bug in a screen")

        app.screen.action_pick_kind = broken
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app._notifications)
        assert "Algo salió mal" in str(list(app._notifications)[-1].message)
        assert app.is_running
        await pilot.press("1")  # and the kiosk goes on
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert [str(e) for e in app.recovered_errors] == ["a bug in a screen"]
        app.recovered_errors.clear()


async def test_keys_for_a_screen_that_is_not_up_or_already_closed_do_nothing(make_app):
    """Found by the soak: keys typed fast reach a screen before its widgets are mounted, or
    after it closed, and its actions found no widgets (NoMatches): the kiosk reset to Home."""
    from kiosk.screens.learnings import LearningsScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        early = LearningsScreen()
        app.push_screen(early)
        assert not early.is_mounted
        assert await app._dispatch_action(early, "filter", ("kind",)) is True  # before its widgets: nothing
        await wait_for(pilot, lambda: early.is_mounted)
        app.pop_screen()
        await pilot.pause()
        assert await app._dispatch_action(early, "open", ()) is True  # after it closed: nothing
        app.set_language("en")  # only screens that are up are retranslated
        app.push_screen(LearningsScreen())
        app.set_language("es_AR")
        await pilot.pause()
        assert isinstance(app.screen, LearningsScreen)
    assert not app.recovered_errors


async def test_an_error_in_a_screen_closed_meanwhile_is_logged_not_shown(make_app):
    from textual.css.query import NoMatches

    from kiosk.screens.learnings import LearningsScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = LearningsScreen()
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.is_mounted)
        app.pop_screen()
        await pilot.pause()
        try:
            screen.query_one("#learn-search")
        except NoMatches as error:
            app._handle_exception(error)
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, HomeScreen)
        assert not app._notifications
        assert len(app.closed_screen_errors) == 1
    assert not app.recovered_errors


async def test_a_screen_opened_while_the_kiosk_leaves_does_not_crash_it(make_app):
    """Found by the soak: a key after the admin's Exit opened a screen that could no longer
    mount its widgets; its errors ended the kiosk with a traceback instead of a clean exit."""
    from kiosk.screens.follow_ups import FollowUpQueueScreen
    from kiosk.screens.learnings import LearningsScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.exit()
        app.push_screen(LearningsScreen())
        app.push_screen(FollowUpQueueScreen())
    assert app.return_code == 0 and app._exception is None
    assert not app.recovered_errors


async def test_a_late_close_never_closes_the_screen_under_it_and_home_comes_back(make_app):
    """Found by the soak: a review's save finished after the screen had been left and popped
    whatever was on top, Home included; the recovery then failed on an empty stack."""
    from kiosk.screens.base import leave
    from kiosk.screens.learnings import LearningsScreen
    from kiosk.screens.trends import TrendsScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        learnings, trends = LearningsScreen(), TrendsScreen()
        app.push_screen(learnings)
        app.push_screen(trends)
        await pilot.pause()
        leave(learnings)  # not the one shown: nothing happens
        assert app.screen is trends
        leave(trends)
        assert app.screen is learnings
        app.pop_screen()
        app.pop_screen()  # Home itself gone (what the late save used to do)
        await pilot.pause()
        app._recover(home_failed=False)
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.is_mounted)
        assert len(app.screen_stack) == 2
        app.pop_screen()
        app.reset_to_home()
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.is_mounted)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, LearningsScreen))


async def test_a_dialog_answered_after_it_was_covered_or_closed_closes_nothing(make_app, repo):
    """Found by the full soak: a dialog's answer that arrives from the background (then the
    win dialog's save; now the PIN check) after the dialog was no longer on top dismissed it
    anyway: ScreenStackError, and the kiosk reset. And the admin screen's footer asked which
    keys apply before its list existed."""
    from kiosk.core.supervisors import new_supervisor
    from kiosk.screens.admin import AdminScreen
    from kiosk.screens.dialogs.pin import PinDialog, PinResult
    from kiosk.screens.trends import TrendsScreen
    from tests.support.clock import NOW

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    marta = repo.find_supervisor("Marta Ruiz")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = PinDialog("PIN")
        app.push_screen(dialog)
        await wait_for(pilot, lambda: dialog.is_mounted)
        trends = TrendsScreen()
        app.push_screen(trends)
        await pilot.pause()
        dialog.post_message(PinResult(marta, ""))
        await pilot.pause()
        assert app.screen is trends
        app.pop_screen()
        app.pop_screen()
        await pilot.pause()
        dialog.post_message(PinResult(marta, ""))  # closed meanwhile: nothing
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert AdminScreen().check_action("add", ()) is False  # before its widgets exist
    assert not app.recovered_errors


async def test_page_keys_before_a_list_is_laid_out_do_nothing():
    """Found by the soak: Textual 8.2.8's OptionList raised KeyError on page up/down while its
    line cache was still empty."""
    from textual.app import App

    from kiosk.widgets.inputs import KioskOptionList

    class Lists(App):
        def compose(self):
            yield KioskOptionList("uno", "dos", id="hidden")

    app = Lists()
    async with app.run_test() as pilot:
        options = app.query_one(KioskOptionList)
        options.display = False  # no size, so no lines
        options._clear_caches()
        await pilot.pause()
        options.action_page_down()
        options.action_page_up()


async def test_an_unexpected_error_on_home_gives_a_fresh_home(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        home = app.screen

        def broken() -> None:
            raise RuntimeError("a bug on Home")

        home.action_admin = broken
        await pilot.press("9")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen is not home)
        await pilot.press("1")
        await wait_for(pilot, lambda: not isinstance(app.screen, HomeScreen))
        app.recovered_errors.clear()


async def test_on_the_linux_console_titles_are_not_drawn_in_alarm_red(make_app, monkeypatch):
    # Walk item 36: in 16 colours Textual's orange accent became bold bright red (ESC[1;91m).
    from rich.color import Color, ColorSystem
    from textual.theme import BUILTIN_THEMES

    def sixteen(colour: str) -> int | None:
        return Color.parse(colour).downgrade(ColorSystem.STANDARD).number

    from textual.scrollbar import ScrollBarRender

    assert sixteen(BUILTIN_THEMES["textual-dark"].accent) == 9  # the bright red the walk saw
    monkeypatch.setenv("TERM", "linux")
    for bars in ("VERTICAL_BARS", "HORIZONTAL_BARS"):  # the console's bars are set for the process
        monkeypatch.setattr(ScrollBarRender, bars, list(getattr(ScrollBarRender, bars)))
    app = make_app()
    async with app.run_test():
        theme = app.current_theme
        assert sixteen(theme.accent) == 14 and sixteen(theme.warning) == 11  # bright cyan, bright yellow


def test_a_look_for_line_typed_with_homes_own_words_says_them_once():
    # Walk item 26: "Prestá atención: Prestá atención al expulsor del molde 14 al arrancar".
    from kiosk.screens.home import without_prefix

    assert without_prefix("Prestá atención al expulsor del molde 14", "Prestá atención") == "al expulsor del molde 14"
    assert without_prefix("prestá atencion: la rebaba", "Prestá atención") == "la rebaba"
    assert without_prefix("Look for burrs on the dies", "Look for") == "burrs on the dies"
    assert without_prefix("La rebaba del molde", "Prestá atención") == "La rebaba del molde"
