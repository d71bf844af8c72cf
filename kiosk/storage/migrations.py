"""Upgrades of stored documents from one schema version to the next.

The snapshot's ``_meta`` says which version wrote it. On open, documents older than
``kiosk.core.records.SCHEMA_VERSION`` are upgraded in memory step by step, and the writer then saves
a snapshot in the new version (the old one stays as a generation). Add a step here whenever
the document layout changes; never edit a released step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.storage.errors import NewerSchema

Tables = dict[str, dict[str, Any]]
Step = Callable[[Tables], None]


def _v0_to_v1(tables: Tables) -> None:
    """Version 0 (pre-release) records lacked the fields added for the review cycle."""
    defaults: dict[str, Any] = {
        "station": "",
        "reporter": "",
        "impact": "",
        "what_we_did": "",
        "status": "reported",
        "review": None,
        "follow_ups": [],
        "look_for": None,
        "applause": 0,
        "links": [],
        "history": [],
    }
    for key, doc in list(tables.get("records", {}).items()):
        tables["records"][key] = {**defaults, **doc} if set(defaults) - set(doc) else doc


def _v1_to_v2(tables: Tables) -> None:
    """Version 2 adds the tables of Learning Teams, after-action reviews (and the latter's
    codes) and work items. Nothing older changes; the step is there so that a kiosk of version 1 refuses a
    folder with them (it would not keep them) instead of reading it."""
    for table in ("teams", "aars", "aar_codes", "work_items"):
        tables.setdefault(table, {})
    # Records gain ``after_action`` (None until a review's session ends), in its place among
    # the fields: a document in the declared order is exported as it is, without a rebuild.
    records = tables.get("records", {})
    for key, doc in list(records.items()):
        if "after_action" in doc:
            continue
        ordered: dict[str, Any] = {}
        for name, value in doc.items():
            if name == "link_token":
                ordered["after_action"] = None
            ordered[name] = value
        ordered.setdefault("after_action", None)
        records[key] = ordered


def _v2_to_v3(tables: Tables) -> None:
    """Version 3 keeps a work item's entries as rows of their own (``work_entries``, keyed
    ``"<item number>.<index>"``) so that an entry's save does not rewrite the item, and adds the
    huddles' table."""
    entries = tables.setdefault("work_entries", {})
    tables.setdefault("huddles", {})
    for key, doc in list(tables.get("work_items", {}).items()):
        for index, entry in enumerate(doc.get("entries") or []):
            entries[f"{key}.{index}"] = entry
        if doc.get("entries"):
            tables["work_items"][key] = doc | {"entries": []}


#: ``STEPS[n]`` upgrades documents from version n to n + 1.
STEPS: dict[int, Step] = {0: _v0_to_v1, 1: _v1_to_v2, 2: _v2_to_v3}


def upgrade_tables(tables: Tables, version: int, target: int, steps: dict[int, Step] = STEPS) -> int:
    """Upgrade ``tables`` in place from ``version`` to ``target``; returns the steps applied."""
    if version > target:
        raise NewerSchema(version, target)
    applied = 0
    while version < target:
        steps[version](tables)
        version += 1
        applied += 1
    return applied
