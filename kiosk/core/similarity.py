"""Have we seen this before? Past records like a new one, for the report and the review.

Text first: both texts are folded (no accents, lower case), cut into words, stripped of
Spanish and English stop words and reduced to a light stem (plural endings and verb endings
off, so "trabó", "trabada" and "trabas" meet); candidates come from the search index (records
sharing the rarest stems), and a soft TF-IDF ranks them: every stem finds its closest stem in
the other text with rapidfuzz (so typos and variants still meet), weighted by its rarity. Then
context: the same area, the same station and recency nudge the score. A match is shown only
above ``THRESHOLD``, at most three.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from kiosk.core.records import Record
from kiosk.core.text import fold

#: Words that say nothing about what happened (folded).
STOP_WORDS = frozenset("""
a al algo algun alguna algunas alguno algunos ante antes aqui asi aun con contra cual cuando de del desde
donde dos durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estaban estan
estar este esto estos fue fueron ha habia hace hacia han hasta hay la las le les lo los mas me mi mientras
muy nada ni no nos o otra otras otro otros para pero poco por porque que quien se sea ser si sin sobre su sus
tambien tan te tenia todo todos tras tu un una uno unos unas vez y ya
the an and or of to in on at is was were it its with for from by this that be been not no as
""".split())
#: Endings taken off a word to meet its other forms (longest first).
_ENDINGS = ("aciones", "amiento", "imiento", "acion", "ando", "iendo", "aron", "ieron", "eron", "adas",
            "idas", "ados", "idos", "ada", "ida", "ado", "ido", "ar", "er", "ir", "es", "as", "os", "s", "a",
            "o", "e")

THRESHOLD = 0.52
AREA_BONUS = 0.08
STATION_BONUS = 0.06
RECENCY_BONUS = 0.06  # a record of today; half of it after RECENCY_HALF_LIFE days
RECENCY_HALF_LIFE = 180.0


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    for ending in _ENDINGS:
        if len(word) - len(ending) >= 4 and word.endswith(ending):
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=8192)
def terms(text: str) -> tuple[str, ...]:
    """The meaningful stems of a text, in order (cached: the same records are asked often)."""
    words = fold(text).translate(_NOT_WORD).split()
    return tuple(stem(w) for w in words if len(w) > 2 and w not in STOP_WORDS and not w.isdigit())


_NOT_WORD = {c: " " for c in range(128) if not chr(c).isalnum()}


def query_stems(text: str) -> list[bytes]:
    """The stems of ``text`` that can find candidates in the search index (as its ASCII words;
    too-short stems would match half the index)."""
    stems = [t.encode("ascii", "ignore") for t in dict.fromkeys(terms(text))]
    return [s for s in stems if len(s) >= 3]


def rarity(total: int, count_prefix: Callable[[bytes], int]) -> Callable[[str], float]:
    """How rare a stem is among ``total`` records (inverse document frequency), from how many
    records have a word starting with it; rarer words tell more. Cached per query."""
    known: dict[str, float] = {}

    def idf(word: str) -> float:
        if word not in known:
            hits = count_prefix(word.encode("ascii", "ignore")) if len(word) >= 3 else total
            known[word] = math.log(1 + total / (1 + hits))
        return known[word]

    return idf


@dataclass(frozen=True)
class Candidate:
    """What ranking needs of a past record (taken from its stored document)."""

    id: str
    area: str
    station: str
    created_at: str
    text: str

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Candidate:
        review = doc.get("review") or {}
        parts = (doc.get("what_happened", ""), doc.get("impact", ""), review.get("what_happened", ""))
        return cls(doc.get("id", ""), doc.get("area", ""), doc.get("station", ""), doc.get("created_at", ""),
                   " ".join(p for p in parts if p))


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float  # 0–1
    text_score: float
    record: Record | None = None  # filled in for the matches shown


def text_score(query: list[str], candidate: list[str], idf: Callable[[str], float]) -> float:
    """Soft TF-IDF: each stem of one text finds its closest stem in the other (rapidfuzz ratio,
    close enough from 80%), weighted by how rare it is; the score is the harmonic mean of how
    much of each text the other covers."""
    if not query or not candidate:
        return 0.0
    query_set, candidate_set = set(query), set(candidate)

    def covered(source: set[str], target: set[str]) -> float:
        total = matched = 0.0
        pool = list(target)
        for word in source:
            weight = idf(word)
            total += weight
            if word in target:
                matched += weight
                continue
            best = process.extractOne(word, pool, scorer=fuzz.ratio, score_cutoff=80)
            if best is not None:
                matched += weight * best[1] / 100.0
        return matched / total if total else 0.0

    recall = covered(query_set, candidate_set)
    precision = covered(candidate_set, query_set)
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


def rank(text: str, candidates: list[Candidate], *, area: str = "", station: str = "",
         now: datetime | None = None, limit: int = 3, threshold: float = THRESHOLD,
         idf: Callable[[str], float] = lambda word: 1.0) -> list[Match]:
    """The best ``limit`` candidates above ``threshold``, best first. ``idf``: how rare a stem
    is among all records (rarer words tell more)."""
    query = terms(text)
    if len(query) < 2:
        return []
    found = []
    for candidate in candidates:
        base = text_score(list(query), list(terms(candidate.text)), idf)
        if base < 0.25:
            continue
        score = base
        if area and candidate.area == area:
            score += AREA_BONUS
        if station and candidate.station and fold(candidate.station) == fold(station):
            score += STATION_BONUS
        if now is not None:
            try:
                age = (now - datetime.fromisoformat(candidate.created_at)).days
            except (ValueError, TypeError):
                age = 10_000
            score += RECENCY_BONUS * math.pow(0.5, max(age, 0) / RECENCY_HALF_LIFE)
        found.append(Match(candidate, min(score, 1.0), base))
    found.sort(key=lambda m: (-m.score, m.candidate.id))
    return [m for m in found if m.score >= threshold][:limit]
