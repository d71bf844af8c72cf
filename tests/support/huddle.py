"""A shift-start huddle's data for Envasado, fixed in time (NOW is 21/11/2026 10:00): reports in
the last 24 hours with a weak signal, a reviewed record whose follow-up is overdue and whose
look-for is shown, another area's look-for, and a work item with a lesson, a win and an
opportunity. Names are in the data on purpose: a huddle must never show them. Texts hold
markup, which must show literally."""

from __future__ import annotations

from typing import Any

from kiosk.core import ids

#: Names that are in the data and never on the huddle's screen, slip or text.
NAMES = ("Ana Gómez", "Luis Paz", "Marta Ruiz")
BASE_URL = "http://kiosk.local:8080"


def _record(number: int, kind: str, area: str, what: str, occurred: str, token: str, **more: Any) -> dict[str, Any]:
    return {"id": ids.encode(number), "kind": kind, "area": area, "what_happened": what, "reporter": "Ana Gómez",
            "created_at": occurred, "occurred_at": occurred, "link_token": token * 22, **more}


def seed_huddle(repo: Any) -> dict[str, str]:
    """Seed the folder; returns the ids by name (``reviewed``, ``other``, ``work``)."""
    repo.import_doc(_record(200, "near_miss", "Envasado", "Se trabó la cinta 2 [bold]y cayeron cajas[/]",
                            "2026-11-20T22:00:00-03:00", "A"))
    repo.import_doc(_record(
        201, "error", "Envasado", "Etiqueta equivocada en el lote 7", "2026-10-20T08:00:00-03:00", "B",
        status="action_open",
        look_for={"text": "Mirar la etiqueta contra la orden", "until": "2026-12-31"},
        review={"what_happened": "Etiqueta equivocada en el lote 7.",
                "why": [{"text": "Dos etiquetas parecidas en el mismo estante", "category": "information"}],
                "what_we_did": "Reetiquetamos el lote.",
                "action": {"text": "Separar las etiquetas por cliente", "owner": "Luis Paz",
                           "deadline": "2026-11-10"},
                "follow_up_date": "2026-11-20", "reviewed_by": "Marta Ruiz",
                "reviewed_at": "2026-10-21T11:00:00-03:00", "draft": False}))
    repo.import_doc(_record(202, "win", "Envasado", "Cambio de formato en 12 minutos",
                            "2026-11-21T07:00:00-03:00", "C", status="reported"))
    repo.import_doc(_record(203, "surprise", "Inyección", "Rebaba en la matriz 4", "2026-11-15T08:00:00-03:00", "D",
                            look_for={"text": "Rebaba en las matrices al arrancar", "until": "2026-12-31"}))
    for number, day in ((204, "2026-11-10"), (205, "2026-11-05")):
        repo.import_doc(_record(number, "near_miss", "Envasado", "Cajas caídas de la cinta", f"{day}T08:00:00-03:00",
                                "E"))
    repo.import_work_item({
        "id": ids.encode(300), "title": "Primer lote del cliente nuevo [/]", "area": "Envasado",
        "opened_by": "Marta Ruiz", "created_at": "2026-11-18T08:00:00-03:00", "link_token": "W" * 22,
        "entries": [
            {"kind": "lesson", "text": "Pedir la etiqueta del cliente un día antes", "by": "Ana Gómez",
             "at": "2026-11-18T09:00:00-03:00"},
            {"kind": "win", "text": "Salió a la primera [b]sin[/b] retrabajo", "by": "",
             "at": "2026-11-19T09:00:00-03:00"},
            {"kind": "opportunity", "text": "Falta un carro para las bobinas", "by": "Luis Paz",
             "at": "2026-11-20T09:00:00-03:00"},
        ]})
    return {"reviewed": ids.encode(201), "other": ids.encode(203), "work": ids.encode(300)}


def page_url(record_id: str, token: str) -> str:
    return f"{BASE_URL}/r/{record_id}?k={token * 22}"
