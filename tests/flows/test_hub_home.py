"""Home on a kiosk of a plant whose hub does not answer: it says so in one line, never in a
dialog, saves as always (the change waits, counted on that line), and its counts say "this
area" and "the plant"."""

from __future__ import annotations

import socket

from textual.widgets import Static

from kiosk.config import HubConfig
from kiosk.core.records import ReportDraft
from kiosk.screens.home import HomeScreen
from tests.support.pilot import screen_text, wait_for


def closed_port() -> int:
    with socket.socket() as probe:  # bound, never listening: a connection is refused at once
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_home_says_the_hub_is_away_and_counts_this_area_and_the_plant(make_app, repo, tmp_path):
    for area in ("Inyección", "Inyección", "Depósito"):
        repo.add_report(ReportDraft(kind="near_miss", area=area, what_happened=f"Casi accidente en {area}"),
                        areas=None)
    secret = tmp_path / "hub.pass"
    secret.write_text("not-used\n")
    hub = HubConfig(url=f"postgresql://kiosk_prensas@127.0.0.1:{closed_port()}/plant", kiosk_name="prensas",
                    password_file=str(secret), sslmode="disable")
    app = make_app(hub=hub, home_area="Inyección")
    async with app.run_test(size=(80, 24)) as pilot:
        line = app.screen.query_one("#hub", Static)
        await wait_for(pilot, lambda: "trabajando sin conexión" in str(line.render()), timeout=15)
        assert "todo se guarda acá" in str(line.render()) and line.has_class("away")
        await wait_for(pilot, lambda: "2 esperan acá · 3 en la planta" in screen_text(app))
        assert "2 en esta área · 3 en la planta" in screen_text(app)
        repo.add_report(ReportDraft(kind="error", area="Inyección", what_happened="Molde mal cerrado"), areas=None)
        await wait_for(pilot, lambda: "1 cambio esperando para enviarse" in str(line.render()), timeout=5)
        assert isinstance(app.screen, HomeScreen)  # no dialog
        assert app.hub_status().state == "offline" and "refused" in app.hub_status().problem
