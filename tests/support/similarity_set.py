"""The labelled set for "have we seen this before?": how people on a shop floor describe the
same event twice in different words, and new events the kiosk has not seen.

Used by ``tests/test_similarity.py`` (recall and precision floors) and by ``make bench``
(the figures). Each pair: (area, how it was reported before, how someone reports it now).
"""

SAME_EVENT = [
    ("Envasado", "Se trabó la cinta 2 y cayeron cajas al piso",
     "Cinta 2 trabada otra vez, se cayeron las cajas"),
    ("Inyección", "La inyectora 3 pierde aceite por la manguera del hidráulico",
     "Pérdida de aceite hidráulico en la inyectora 3, manguera floja"),
    ("Depósito", "El autoelevador casi choca con un operario en el pasillo B por falta de espejo",
     "Casi accidente con el autoelevador en el pasillo B: no hay espejo en la esquina"),
    ("Calidad", "Salieron etiquetas con la fecha de vencimiento equivocada en el lote 2611",
     "Lote 2611 etiquetado con fecha de vencimiento mal"),
    ("Mantenimiento", "El compresor se apagó por temperatura alta a media mañana",
     "Compresor parado por sobretemperatura"),
    ("Matricería", "Se rompió un perno de la matriz 12 durante el cambio de molde",
     "Perno roto en la matriz 12 al cambiar el molde"),
    ("Envasado", "La selladora deja bolsas mal selladas cuando arranca en frío",
     "Bolsas sin sellar bien al arrancar la selladora en frío"),
    ("Depósito", "Pallets apilados de a tres en el rack C, el de abajo se está aplastando",
     "Rack C: pallets de a tres, el de abajo aplastado"),
    ("Inyección", "Rebaba en las piezas de la inyectora 5 por molde sucio",
     "Piezas con rebaba en la 5, el molde estaba sucio"),
    ("Calidad", "El calibre del laboratorio marca distinto que el de la línea 8",
     "Diferencia de medición entre el calibre de línea 8 y el del laboratorio"),
    ("Mantenimiento", "Cable pelado en el tablero de la línea 4, casi me da una patada",
     "Tablero de línea 4 con un cable pelado; sentí la descarga"),
    ("Envasado", "La etiquetadora imprimió mal el código de barras y el cliente no lo pudo leer",
     "Código de barras ilegible: la etiquetadora lo imprime mal"),
    ("Depósito", "Faltó el conteo del rack B y el sistema mostraba stock que no estaba",
     "Stock fantasma en el rack B, el conteo no coincidía con el sistema"),
    ("Inyección", "El operario nuevo no sabía cómo purgar la máquina y tardó una hora",
     "Purga de la inyectora: el ingresante no conocía el procedimiento, se perdió una hora"),
    ("Matricería", "Se cayó una herramienta del carro de moldes al moverlo",
     "Herramienta caída desde el carro de moldes mientras lo empujábamos"),
    ("Calidad", "El cliente devolvió 300 frascos con tapas flojas",
     "Devolución del cliente: 300 frascos con la tapa floja"),
    ("Mantenimiento", "Gotea agua del techo sobre el tablero eléctrico cuando llueve",
     "Cuando llueve cae agua del techo encima del tablero eléctrico"),
    ("Envasado", "Faltaron cajas de cartón y la línea estuvo parada 40 minutos",
     "Línea parada 40 minutos por falta de cajas de cartón"),
    ("Depósito", "Un pallet mal film estirado se desarmó en el camión",
     "Se desarmó un pallet en el camión, el film estaba mal puesto"),
    ("Inyección", "La alarma de la inyectora 2 no suena cuando se abre la puerta",
     "No suena la alarma de puerta abierta de la inyectora 2"),
]

#: New events: nothing like them was reported before, so nothing should be suggested.
UNSEEN = [
    ("Calidad", "Un proveedor entregó granza húmeda y hubo que secarla de nuevo"),
    ("Depósito", "La puerta del portón principal no cierra y entra polvo"),
    ("Envasado", "Cambio de formato en 12 minutos gracias al kit preparado"),
    ("Mantenimiento", "El ascensor de carga quedó detenido entre dos pisos"),
    ("Inyección", "La balanza de dosificación de colorante se descalibró"),
    ("Matricería", "El torno CNC perdió el cero de pieza después del corte de luz"),
    ("Calidad", "Una auditoría interna encontró registros de temperatura sin firmar"),
    ("Depósito", "Se vencieron dos tambores de solvente en el fondo del depósito"),
    ("Envasado", "El encolador de cajas ensucia los bordes con pegamento"),
    ("Mantenimiento", "La bomba de agua del sanitario hace ruido y vibra"),
]


def evaluate(repo, *, limit: int = 3) -> dict:
    """Add each pair's earlier report to ``repo`` (two months back), then ask with the new
    wording. Recall: the earlier one is among the suggestions. Precision: of all suggestions
    made (the unseen events included), the share that are the labelled earlier report."""
    import time
    from datetime import timedelta

    from kiosk.core.records import ReportDraft

    clock = repo.clock
    earlier_ids = []
    for area, before, _now in SAME_EVENT:
        when = (clock() - timedelta(days=60)).isoformat(timespec="seconds")
        record = repo.add_report(ReportDraft(kind="error", area=area, what_happened=before, occurred_at=when),
                                 areas=None)
        earlier_ids.append(record.id)
    repo.build_search_index()
    found = shown = right = 0
    timings = []
    for (area, _before, now_text), expected in zip(SAME_EVENT, earlier_ids, strict=True):
        started = time.perf_counter()
        matches = repo.similar(now_text, area=area, limit=limit)
        timings.append((time.perf_counter() - started) * 1000)
        ids = [m.record.id for m in matches]
        found += expected in ids
        shown += len(ids)
        right += expected in ids
    wrong_on_unseen = 0
    for area, text in UNSEEN:
        started = time.perf_counter()
        matches = repo.similar(text, area=area, limit=limit)
        timings.append((time.perf_counter() - started) * 1000)
        shown += len(matches)
        wrong_on_unseen += len(matches)
    timings.sort()
    return {
        "pairs": len(SAME_EVENT), "unseen": len(UNSEEN),
        "recall": found / len(SAME_EVENT),
        "precision": right / shown if shown else 1.0,
        "suggested_for_unseen": wrong_on_unseen,
        "p50_ms": timings[len(timings) // 2], "p95_ms": timings[int(len(timings) * 0.95) - 1],
    }
