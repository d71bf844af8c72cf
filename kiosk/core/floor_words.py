"""How people on an Argentine shop floor name the same things: abbreviations, brand names for
machines, regional words and common misspellings, each to one common word (all folded).

"Have we seen this before?" reads both texts through this list before comparing them, so that
"el Clark" meets "el autoelevador", "la báscula" meets "la balanza" and "iny 3" meets
"inyectora tres". A plant adds its own words as its people link reports as the same thing
(:func:`kiosk.core.similarity.learned_words`).
"""

from __future__ import annotations

import re

#: word → common word (folded). Verbs and states too: "se clavó" and "se atascó" are "se trabó".
WORDS: dict[str, str] = {
    # machines: abbreviations, brands, regional names
    "iny": "inyectora", "inyec": "inyectora", "inyect": "inyectora", "inyectoras": "inyectora",
    "montacarga": "autoelevador", "montacargas": "autoelevador", "clark": "autoelevador",
    "hyster": "autoelevador", "yale": "autoelevador", "toyota": "autoelevador", "linde": "autoelevador",
    "zampi": "autoelevador", "elevador": "autoelevador", "autoelevadores": "autoelevador",
    "zorra": "transpaleta", "zorras": "transpaleta", "traspaleta": "transpaleta", "transpaletas": "transpaleta",
    "bascula": "balanza", "basculas": "balanza", "balanzas": "balanza",
    "troquel": "matriz", "troqueles": "matriz", "matrices": "matriz",
    "cnc": "centro de mecanizado", "spindle": "husillo",
    "mtto": "mantenimiento", "mant": "mantenimiento", "manten": "mantenimiento",
    "dep": "deposito", "almacen": "deposito",
    "ppal": "principal", "tab": "tablero", "gabinete": "tablero",
    "calle": "pasillo", "altillo": "entrepiso", "estanteria": "rack", "estanterias": "rack", "racks": "rack",
    "expedicion": "despacho", "muelle": "darsena", "anden": "darsena",
    "transportadora": "cinta", "transportador": "cinta",
    "matafuego": "extintor", "matafuegos": "extintor", "extintores": "extintor",
    "rotulo": "etiqueta", "rotulos": "etiqueta", "etiquetas": "etiqueta",
    "film": "stretch", "strech": "stretch", "enfilmadora": "envolvedora",
    "tarima": "pallet", "tarimas": "pallet", "palet": "pallet", "palets": "pallet", "pallets": "pallet",
    "palle": "pallet", "paleta": "pallet", "paletas": "pallet",
    "granza": "material", "pellet": "material", "pellets": "material",
    "pigmento": "colorante", "pigmentos": "colorante", "masterbatch": "colorante", "master": "colorante",
    "colorantes": "colorante",
    "molienda": "molido", "remolido": "molido", "recuperado": "molido",
    "ruleman": "rodamiento", "rulemanes": "rodamiento", "rodamientos": "rodamiento",
    "antiparras": "anteojos", "gafas": "anteojos",
    "display": "pantalla",
    "scrap": "descarte",
    "setup": "cambio",
    "energia": "electricidad", "corriente": "electricidad",
    "termica": "disyuntor", "breaker": "disyuntor",
    # states and verbs, floor style
    "clavo": "trabo", "clavada": "trabada", "clavado": "trabado", "atasco": "trabo",
    "atascada": "trabada", "atascado": "trabado", "colgada": "trabada", "colgado": "trabado",
    "tildada": "trabada", "tildado": "trabado", "tildo": "trabo",
    "aseite": "aceite", "gotea": "pierde", "chorrea": "pierde", "fuga": "perdida",
    "volco": "derramo", "volcaron": "derramaron", "vuelco": "derrame",
    "chueco": "torcido", "chuecos": "torcidos", "chueca": "torcida",
    "resbale": "resbalo",
    "mojado": "humedo", "mojada": "humeda", "mojados": "humedos", "mojadas": "humedas",
    "quilombo": "desorden", "bardo": "desorden",
    "laburo": "trabajo", "laburando": "trabajando",
    "pibe": "operario", "flaco": "operario", "companero": "operario",
}

#: Phrases first (on the folded text): "L2" is "linea 2", "salto la termica" is a power cut.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"\bl\s?(\d{1,2})\b", r"linea \1"),
    (r"\bset\s+up\b", "cambio"),
    (r"\b(hoja de datos|hoja tecnica|data ?sheet|ficha de datos)\b", "ficha tecnica"),
    (r"\bsalto la (termica|llave|disyuntor)\b", "corte de electricidad"),
    (r"\bse (corto|fue) la (luz|energia|corriente)\b", "corte de electricidad"),
))

#: Number words after a machine or place ("inyectora tres", "linea dos") become digits.
NUMBERS = {"uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7",
           "ocho": "8", "nueve": "9", "diez": "10", "once": "11", "doce": "12"}
NUMBERED = frozenset({"inyectora", "linea", "matriz", "cinta", "darsena", "rack", "prensa", "estanteria",
                      "pasillo", "envasadora", "molde", "horno", "puerta", "porton", "camara", "columna",
                      "nave", "sector", "puesto", "termoselladora", "selladora", "etiquetadora"})
