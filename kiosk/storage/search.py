"""Accent- and case-insensitive search over every record's text, fast enough per keystroke.

An inverted index: each record's searchable text is folded (``kiosk.core.text.fold``: lower case,
no accents, ASCII), cut into words, and every word points to the records that contain it. A
query matches records that have, for every typed word, some word *starting* with it — so
"presion", "presión" and "PRES" all find "Presión", and the last word can be half-typed.

Full scans of 25k records cost ~35 ms before any work per hit (measured: ``str.find`` over the
28 MB of folded text), which leaves no room under the 50 ms per keystroke target; the index
answers from postings instead. Postings are compact ``array('I')`` (4 bytes per entry).
Records changed after the build are re-checked against their current text, so an edit or a
deletion never shows a stale hit.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping

from kiosk.core.text import fold

#: Bytes that separate words: everything except ASCII letters and digits.
_SEPARATORS = bytes(c if chr(c).isascii() and chr(c).isalnum() else 0x20 for c in range(256))
MIN_WORD = 2  # one-letter words filter nothing useful; they are ignored in queries


def words_of(folded: str) -> set[bytes]:
    """The distinct words of folded (ASCII) text."""
    return set(folded.encode("ascii", "ignore").translate(_SEPARATORS).split())


def query_words(text: str) -> list[bytes]:
    """The words of a typed query, folded, longest first, one-letter words dropped."""
    found = {w for w in words_of(fold(text)) if len(w) >= MIN_WORD}
    return sorted(found, key=len, reverse=True)


class SearchIndex:
    """Which records contain which words. Keys are the records' numeric doc ids as text."""

    def __init__(self, text_of: Callable[[Mapping], str]) -> None:
        self._text_of = text_of
        self._postings: dict[bytes, array] = {}
        self._vocabulary: list[bytes] = []
        self._vocabulary_dirty = False
        self._changed: set[int] = set()  # records edited or deleted since their words were indexed
        self._counts: dict[bytes, int] = {}  # count_prefix answers, until the next change

    def build(self, docs: Iterable[tuple[str, Mapping]]) -> None:
        postings: dict[bytes, array] = {}
        for key, doc in docs:
            number = int(key)
            for word in words_of(self._text_of(doc)):
                entry = postings.get(word)
                if entry is None:
                    postings[word] = array("I", (number,))
                else:
                    entry.append(number)
        self._postings = postings
        self._vocabulary = sorted(postings)
        self._vocabulary_dirty = False
        self._changed = set()
        self._counts = {}

    def put(self, key: str, doc: Mapping, *, is_new: bool) -> None:
        number = int(key)
        self._counts.clear()
        for word in words_of(self._text_of(doc)):
            entry = self._postings.get(word)
            if entry is None:
                self._postings[word] = array("I", (number,))
                self._vocabulary_dirty = True
            else:
                entry.append(number)
        if not is_new:
            self._changed.add(number)  # its old words may still point at it

    def remove(self, key: str) -> None:
        self._changed.add(int(key))

    def matching(self, words: list[bytes], docs: Mapping[str, Mapping]) -> list[str]:
        """Keys of the records in ``docs`` that match every word, newest first: the latest to
        happen first (``occurred_at``, the date lists show), then the last filed."""
        if not words:
            return _newest_first(docs, docs)
        if self._vocabulary_dirty:
            self._vocabulary = sorted(self._postings)
            self._vocabulary_dirty = False
        found: set[int] | None = None
        for word in words:
            hits = self._records_with_prefix(word)
            found = hits if found is None else found & hits
            if not found:
                return []
        assert found is not None
        for number in found & self._changed:
            doc = docs.get(str(number))
            if doc is None or not self._still_matches(doc, words):
                found.discard(number)
        return _newest_first((str(number) for number in found), docs)

    def related(self, words: list[bytes], docs: Mapping[str, Mapping], limit: int = 120) -> list[str]:
        """Keys of up to ``limit`` records sharing the most (and the rarest) of ``words`` as
        word prefixes: the candidates a finer similarity then ranks."""
        import math

        if self._vocabulary_dirty:
            self._vocabulary = sorted(self._postings)
            self._vocabulary_dirty = False
        total = max(len(docs), 1)
        scores: dict[int, float] = {}
        for word in words:
            hits = self._records_with_prefix(word)
            if not hits or (total >= 50 and len(hits) > total * 0.3):  # too common to tell apart
                continue
            weight = math.log(total / len(hits))
            for number in hits:
                scores[number] = scores.get(number, 0.0) + weight
        for number in list(scores.keys() & self._changed):
            if str(number) not in docs:
                del scores[number]
        best = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:limit]
        return [str(number) for number, _score in best]

    def count_prefix(self, prefix: bytes) -> int:
        """About how many records have a word starting with ``prefix`` (how common it is: the
        postings of its words added up, so a record with two such words counts twice)."""
        cached = self._counts.get(prefix)
        if cached is not None:
            return cached
        if self._vocabulary_dirty:
            self._vocabulary = sorted(self._postings)
            self._vocabulary_dirty = False
        vocabulary = self._vocabulary
        index = bisect_left(vocabulary, prefix)
        count = 0
        while index < len(vocabulary) and vocabulary[index].startswith(prefix):
            count += len(self._postings[vocabulary[index]])
            index += 1
        if len(self._counts) > 100_000:
            self._counts.clear()
        self._counts[prefix] = count
        return count

    def _records_with_prefix(self, prefix: bytes) -> set[int]:
        vocabulary = self._vocabulary
        index = bisect_left(vocabulary, prefix)
        hits: set[int] = set()
        while index < len(vocabulary) and vocabulary[index].startswith(prefix):
            hits.update(self._postings[vocabulary[index]])
            index += 1
        return hits

    def _still_matches(self, doc: Mapping, words: list[bytes]) -> bool:
        present = words_of(self._text_of(doc))
        return all(any(w.startswith(word) for w in present) for word in words)


def _newest_first(keys: Iterable[str], docs: Mapping[str, Mapping]) -> list[str]:
    """``keys`` by when their record happened, newest first; the last filed first among those
    that happened at the same moment. Two stable sorts: ~11 ms for all of 25k records."""
    ordered = sorted(keys, key=int, reverse=True)
    ordered.sort(key=lambda key: docs[key].get("occurred_at", ""), reverse=True)
    return ordered
