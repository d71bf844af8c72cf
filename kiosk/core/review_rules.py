"""The review's language rules: one concrete action, and words that look for someone to blame.

Pure functions over the phrase lists in ``kiosk/core/review_rules.toml``. Matching is on
whole words, ignoring case and accents (``kiosk.core.text.fold``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kiosk.core.text import fold


@dataclass(frozen=True)
class ReviewRules:
    vague_actions: tuple[str, ...]
    blame_words: tuple[str, ...]


@lru_cache(maxsize=1)
def rules() -> ReviewRules:
    text = resources.files("kiosk.core").joinpath("review_rules.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return ReviewRules(tuple(data["vague_actions"]), tuple(data["blame_words"]))


def find_phrases(phrases: Iterable[str], text: str) -> list[str]:
    """The phrases found in ``text`` as whole words, case and accents ignored, each once."""
    folded = fold(text)
    found: dict[str, str] = {}  # by folded form: "se olvidó" and "se olvido" are one phrase
    for phrase in phrases:
        key = fold(phrase)
        if key not in found and re.search(r"(?<![a-z0-9])" + re.escape(key) + r"(?![a-z0-9])", folded):
            found[key] = phrase
    return list(found.values())


def vague_phrase(action: str) -> str | None:
    """The first vague phrase in an action ("tener más cuidado"), or None if it is concrete."""
    found = find_phrases(rules().vague_actions, action)
    return found[0] if found else None


def blame_hints(text: str, people: Iterable[str] = ()) -> list[str]:
    """Blame words and people's names found in an answer (for a gentle hint, never a refusal).

    A full name matches anywhere; a first name alone only when written with a capital letter,
    so a person called Luz does not turn "falta de luz" into a hint.
    """
    found = find_phrases(rules().blame_words, text)
    for given in people:
        person = given.strip()
        if not person:
            continue
        if find_phrases([person], text):
            found.append(person)
            continue
        first = person.split()[0]
        if len(first) >= 3 and re.search(r"(?<!\w)" + re.escape(first) + r"(?!\w)", text):
            found.append(first)
    return found
