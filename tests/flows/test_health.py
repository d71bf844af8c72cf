"""Health: the admin screen and `kiosk check` show data, free disk, last backup, printer and
the log; Home warns before the disk is full."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.core.records import ReportDraft
from kiosk.core.supervisors import new_supervisor
from tests.support.cli import run
from tests.support.clock import NOW
from tests.support.pilot import wait_for


def test_kiosk_check_shows_disk_backup_printer_and_log(tmp_path):
    data, backups = tmp_path / "data", tmp_path / "backups"
    (tmp_path / "kiosk.toml").write_text(f'[backup]\ndir = "{backups}"\n')
    config = ["--config", str(tmp_path / "kiosk.toml")]
    assert run(["print-test", "--printer", "preview", *config], data=data).returncode == 0
    before = run(["check", *config], data=data).stdout.decode()
    assert "! Última copia: ninguna todavía" in before
    assert run(["backup", *config], data=data).returncode == 0
    out = run(["check", *config], data=data)
    text = out.stdout.decode()
    assert out.returncode == 0
    assert "Disco libre:" in text and (" MB" in text or " GB" in text)
    assert "  Última copia: " in text and str(backups) in text
    assert "Impresora: ninguna, solo vista previa (los tickets se guardan como archivos)\n" in text
    assert "  Último trabajo de impresión: impreso (" in text
    assert f"Registro de actividad (log): {data / 'kiosk.log'}" in text


async def test_home_warns_before_the_disk_is_full(make_app, repo, monkeypatch):
    import kiosk.health

    monkeypatch.setattr(kiosk.health, "LOW_DISK_MB", 10**12)  # any disk is "nearly full" now
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        warning = app.screen.query_one("#low-disk", Static)
        await wait_for(pilot, lambda: "El disco está casi lleno" in str(warning.render()))


async def test_the_admin_health_screen(make_app, repo):
    from kiosk.screens.health import HealthScreen

    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    repo.add_report(ReportDraft(kind="error", area="Calidad", what_happened="Un lote sin control final"), areas=None)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("9")
        await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
        await pilot.press(*"mar", "enter", *"2580", "enter")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "AdminScreen")
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, HealthScreen)
                       and "1 registro" in str(app.screen.query_one("#health-facts", Static).render()))
        shown = str(app.screen.query_one("#health-facts", Static).render())
        assert "Datos: todos los archivos se leen bien" in shown and "Disco libre:" in shown
