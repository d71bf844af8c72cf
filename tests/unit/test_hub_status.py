"""The hub's line on Home and the health screen says what the kiosk does, never an alarm."""

from __future__ import annotations

from datetime import datetime

from kiosk import i18n
from kiosk.hub.status import hub_line
from kiosk.hub.sync import HubStatus
from tests.support.clock import ART, NOW


def test_each_state_in_one_line_in_spanish_and_english():
    i18n.set_language("es_AR")
    since = datetime(2026, 11, 21, 8, 5, tzinfo=ART).timestamp()
    assert hub_line(HubStatus(state="connected"), NOW) == "Hub de la planta: conectado"
    assert hub_line(HubStatus(state="connected", waiting=1), NOW) == (
        "Hub de la planta: conectado · 1 cambio esperando para enviarse")
    assert hub_line(HubStatus(state="offline", since=since, waiting=12), NOW) == (
        "Hub de la planta: trabajando sin conexión desde 08:05; todo se guarda acá · "
        "12 cambios esperando para enviarse")
    yesterday = datetime(2026, 11, 20, 17, 30, tzinfo=ART).timestamp()
    assert "desde 20/11 17:30" in hub_line(HubStatus(state="offline", since=yesterday), NOW)
    assert hub_line(HubStatus(state="connecting", progress=(1200, 25000)), NOW) == (
        "Hub de la planta: sumándose a la planta, 1200 de 25000 cambios recibidos")
    assert "el kiosco prensas numera en la serie 3" in hub_line(
        HubStatus(state="refused", series_holder="prensas", series=3), NOW)
    i18n.set_language("en")
    try:
        assert hub_line(HubStatus(state="offline", since=since), NOW) == (
            "Plant hub: working offline since 08:05; everything is saved here")
    finally:
        i18n.set_language("es_AR")
