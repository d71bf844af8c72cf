"""How well "have we seen this before?" does on a labelled set, through the real repository.

The history: the demo generator's year of records (250), the background reports of
``similarity_floor.OTHER_HISTORY`` and every pair's earlier report (two months back). Then each
pair's new wording is asked with its area (as ``kiosk similar TEXT --area A`` does), and each
new event that only shares words with an old one. Used by the tests (floors on the figures)
and by ``make bench`` (the figures).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any


def seed_history(repo, *, demo: bool = True) -> list[str]:
    """The history of the floor set in ``repo``; returns the ids of the pairs' earlier reports."""
    from kiosk.config import Config
    from kiosk.core.records import ReportDraft
    from kiosk.demo.generator import seed_demo
    from tests.support.similarity_floor import OTHER_HISTORY, SAME_EVENT

    if demo:
        seed_demo(repo, Config().areas, repo.clock().date(), count=250)
    when = (repo.clock() - timedelta(days=60)).isoformat(timespec="seconds")
    for area, station, text in OTHER_HISTORY:
        repo.add_report(ReportDraft(kind="error", area=area, station=station, what_happened=text, occurred_at=when),
                        areas=None)
    earlier = []
    for area, station, before, _now in SAME_EVENT:
        record = repo.add_report(ReportDraft(kind="error", area=area, station=station, what_happened=before,
                                             occurred_at=when), areas=None)
        earlier.append(record.id)
    repo.build_search_index()
    return earlier


def evaluate(repo, earlier: list[str], *, limit: int = 3) -> dict[str, Any]:
    """recall@1 and recall@3 over the pairs, and the share of new events given any suggestion."""
    from tests.support.similarity_floor import DIFFERENT, SAME_EVENT

    first = top3 = 0
    timings = []
    missed = []
    for (area, _station, _before, now_text), expected in zip(SAME_EVENT, earlier, strict=True):
        started = time.perf_counter()
        matches = repo.similar(now_text, area=area, limit=limit)
        timings.append((time.perf_counter() - started) * 1000)
        found = [m.candidate.id for m in matches]
        first += bool(found) and found[0] == expected
        top3 += expected in found
        if expected not in found:
            missed.append(now_text)
    noisy = []
    for area, _station, text in DIFFERENT:
        started = time.perf_counter()
        matches = repo.similar(text, area=area, limit=limit)
        timings.append((time.perf_counter() - started) * 1000)
        if matches:
            noisy.append(text)
    timings.sort()
    return {
        "pairs": len(SAME_EVENT), "different": len(DIFFERENT), "records": repo.count(),
        "recall_at_1": first / len(SAME_EVENT), "recall_at_3": top3 / len(SAME_EVENT),
        "new_with_suggestion": len(noisy) / len(DIFFERENT),
        "p50_ms": timings[len(timings) // 2], "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "missed": missed, "noisy": noisy,
    }
