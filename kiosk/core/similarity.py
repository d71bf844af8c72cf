"""Have we seen this before? Past records like a new one, for the report and the review.

Meaning first (:func:`rank_hybrid`): both texts are read through the floor's words
(:mod:`kiosk.core.floor_words`: "el Clark" is "el autoelevador") and compared as sentence
vectors (the model lives in :mod:`kiosk.storage.vectors`); the words they share still count,
then the best few are compared again without the words they share (two problems with the same
machine share its name, not what went wrong), and what the plant confirmed or rejected before
pulls wordings together or apart. Without the model, words alone (:func:`rank`):

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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from kiosk.core.floor_words import NUMBERED, NUMBERS, PHRASES, WORDS
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


_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def floor_text(text: str) -> str:
    """The text in the floor's common words (folded): abbreviations spelled out, brand names
    as the machine they are, regional words as the common one, "inyectora tres" as "inyectora 3"."""
    folded = fold(text)
    for pattern, common in PHRASES:
        folded = pattern.sub(common, folded)
    words: list[str] = []
    for word in _WORD.findall(folded):
        if word in NUMBERS and words and words[-1] in NUMBERED:
            words.append(NUMBERS[word])
        else:
            words.append(WORDS.get(word, word))
    return " ".join(words)


_TOKEN = re.compile(r"\w+|\W+")


@lru_cache(maxsize=65536)
def meaning_words(text: str) -> str:
    """The text as the sentence model reads it: the floor's words made common, as
    :func:`floor_text` does, but every other word left as typed (accents and all: the model
    reads "tapó" better than "tapo")."""
    tokens = _TOKEN.findall(" ".join(text.split()))
    folded = [fold(token) for token in tokens]
    out: list[str] = []
    last_word = ""
    index = 0
    while index < len(tokens):
        token, plain = tokens[index], folded[index]
        if not plain.strip() or not plain[0].isalnum():
            out.append(token)
            index += 1
            continue
        phrase = _phrase_at(folded, index)
        if phrase is not None:
            common, used = phrase
            out.append(common)
            last_word = common.split()[-1]
            index += used
            continue
        if plain in NUMBERS and last_word in NUMBERED:
            common = NUMBERS[plain]
        elif plain in WORDS:
            common = WORDS[plain]
        else:
            common = token
        out.append(common)
        last_word = fold(common).split()[-1] if common.strip() else last_word
        index += 1
    return "".join(out)


def _phrase_at(folded: list[str], index: int) -> tuple[str, int] | None:
    """A phrase of :data:`PHRASES` starting at token ``index`` (its words, separators
    included): (its common words, how many tokens it takes)."""
    for length in (7, 5, 3, 1):
        piece = "".join(folded[index:index + length])
        if len(folded) < index + length and length > 1:
            continue
        for pattern, common in PHRASES:
            match = pattern.fullmatch(piece)
            if match is not None:
                return match.expand(common), length
    return None


@dataclass(frozen=True)
class Candidate:
    """What ranking needs of a past record (taken from its stored document)."""

    id: str
    area: str
    station: str
    created_at: str
    text: str
    #: What happened as reported (without the impact and the review): what a sentence vector
    #: compares best (longer texts blur it).
    told: str = ""

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Candidate:
        review = doc.get("review") or {}
        parts = (doc.get("what_happened", ""), doc.get("impact", ""), review.get("what_happened", ""))
        return cls(doc.get("id", ""), doc.get("area", ""), doc.get("station", ""), doc.get("created_at", ""),
                   " ".join(p for p in parts if p), doc.get("what_happened", ""))

    @property
    def meaning_text(self) -> str:
        """What its sentence vector is made from: the station, then what happened, in floor words."""
        told = self.told or self.text
        return meaning_words(f"{self.station}. {told}" if self.station else told)


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


def context(candidate: Candidate, area: str, station: str, now: datetime | None,
            bonuses: tuple[float, float, float]) -> float:
    """What the same area, the same station and recency add (``bonuses``: area, station, and
    recency for a record of today, halved every :data:`RECENCY_HALF_LIFE` days)."""
    area_bonus, station_bonus, recency_bonus = bonuses
    extra = 0.0
    if area and candidate.area == area:
        extra += area_bonus
    if station and candidate.station and fold(candidate.station) == fold(station):
        extra += station_bonus
    if now is not None:
        try:
            age = (now - datetime.fromisoformat(candidate.created_at)).days
        except (ValueError, TypeError):
            age = 10_000
        extra += recency_bonus * math.pow(0.5, max(age, 0) / RECENCY_HALF_LIFE)
    return extra


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
        score = base + context(candidate, area, station, now, (AREA_BONUS, STATION_BONUS, RECENCY_BONUS))
        found.append(Match(candidate, min(score, 1.0), base))
    found.sort(key=lambda m: (-m.score, m.candidate.id))
    return [m for m in found if m.score >= threshold][:limit]


# -- meaning and words together ------------------------------------------------------------

#: The weights of the hybrid score, tuned on ``tests/support/similarity_floor.py`` (make bench
#: prints what they give there).
MEANING_WEIGHT = 0.8
WORDS_WEIGHT = 0.2
#: The best few are compared again without their shared words, and that comparison weighs this
#: much in the final score.
RESIDUAL_WEIGHT = 0.4
RESIDUAL_TOP = 5
HYBRID_AREA_BONUS = 0.04
HYBRID_STATION_BONUS = 0.04
HYBRID_RECENCY_BONUS = 0.03
HYBRID_THRESHOLD = 0.42
#: The same numbered machine or place in both texts ("inyectora 3") is a little more alike; two
#: different numbers of the same kind ("inyectora 3", "inyectora 5") are different machines.
SAME_MACHINE_BONUS = 0.04
OTHER_MACHINE_PENALTY = 0.06
_MACHINE = re.compile(r"\b(" + "|".join(sorted(NUMBERED)) + r") (\d{1,3})\b")


def machines(floor: str) -> frozenset[str]:
    """The numbered machines and places a text (in floor words) names: {"inyectora 3"}."""
    return frozenset(f"{kind} {number}" for kind, number in _MACHINE.findall(floor))


def residual_pair(query: str, candidate: str) -> tuple[str, str]:
    """Both texts (floor words) without the stems they share: what is left says whether it is
    the same problem, once the machine's name is set aside. A text left empty stays whole."""
    query_words, candidate_words = query.split(), candidate.split()

    def key(word: str) -> str:
        return stem(fold(word).strip(".,;:!?¿¡()\"'"))

    shared = {key(w) for w in query_words} & {key(w) for w in candidate_words}
    rest_query = " ".join(w for w in query_words if key(w) not in shared) or query
    rest_candidate = " ".join(w for w in candidate_words if key(w) not in shared) or candidate
    return rest_query, rest_candidate


def rank_hybrid(text: str, candidates: list[Candidate], meaning: Mapping[str, float], *,
                residual: Callable[[Sequence[tuple[str, str]]], Sequence[float]],
                area: str = "", station: str = "", now: datetime | None = None, limit: int = 3,
                threshold: float = HYBRID_THRESHOLD,
                idf: Callable[[str], float] = lambda word: 1.0) -> list[Match]:
    """The best ``limit`` candidates above ``threshold``, best first. ``meaning``: the cosine
    similarity of each candidate's sentence vector to the text's (by candidate id; those not in
    it are not scored); ``residual`` compares pairs of texts by meaning (the model)."""
    query_text = floor_text(text)
    if len(query_text) < 3:
        return []
    query = list(terms(query_text))
    named = machines(query_text)
    kinds = {name.split(" ")[0] for name in named}
    scored = []
    for candidate in candidates:
        if candidate.id not in meaning:
            continue
        words = text_score(query, list(terms(floor_text(candidate.text))), idf) if query else 0.0
        score = MEANING_WEIGHT * meaning[candidate.id] + WORDS_WEIGHT * words + context(
            candidate, area, station, now, (HYBRID_AREA_BONUS, HYBRID_STATION_BONUS, HYBRID_RECENCY_BONUS))
        if named:
            theirs = machines(floor_text(candidate.meaning_text))
            if named & theirs:
                score += SAME_MACHINE_BONUS
            elif any(name.split(" ")[0] in kinds for name in theirs):
                score -= OTHER_MACHINE_PENALTY
        scored.append((score, words, candidate))
    scored.sort(key=lambda item: (-item[0], item[2].id))
    best = scored[:RESIDUAL_TOP]
    if not best:
        return []
    rest = residual([residual_pair(meaning_words(text), c.meaning_text) for _, _, c in best])
    found = [Match(c, max(0.0, min(1.0, (1 - RESIDUAL_WEIGHT) * score + RESIDUAL_WEIGHT * float(r))), words)
             for (score, words, c), r in zip(best, rest, strict=True)]
    found.sort(key=lambda m: (-m.score, m.candidate.id))
    return [m for m in found if m.score >= threshold][:limit]


def learned_meaning(meaning: dict[str, float], same: Sequence[tuple[str, str]],
                    different: Sequence[tuple[str, str]]) -> dict[str, float]:
    """What the plant taught, applied to ``meaning`` (by id): two records confirmed as the same
    thing are two wordings of it, so a text close to either is as close to both; a record
    rejected as not the same as another is pushed away from texts close to that other."""
    out = dict(meaning)
    for one, other in same:
        if one in meaning and other in meaning:
            best = max(meaning[one], meaning[other])
            out[one] = max(out[one], best)
            out[other] = max(out[other], best)
    for one, other in different:
        for near, far in ((one, other), (other, one)):
            if far in out and meaning.get(near, 0.0) >= REJECTED_NEAR:
                out[far] -= REJECTED_PENALTY
    return out


#: A text this close to a record is about it; records the plant said differ from it step back.
REJECTED_NEAR = 0.6
REJECTED_PENALTY = 0.2
