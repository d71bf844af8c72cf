"""Work items' rules and storage (issue 17, first part): entries and their budgets, applause,
closing, what an entry became, documents that read back, the records' numbering, exchange."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from kiosk.core import ids
from kiosk.core.records import ReportDraft, ValidationError
from kiosk.core.work import (
    CLOSED,
    ENTRY_MAX,
    add_entry,
    applaud_entry,
    close_work,
    open_work,
    work_from_doc,
    work_to_doc,
)
from kiosk.storage import open_repository
from tests.support.cli import run
from tests.support.clock import NOW


def an_item():
    return open_work(item_id="QPC-GB8", title="Primer lote del cliente nuevo", area="Envasado",
                     opened_by="Marta Ruiz", now=NOW, starts="2026-11-21", ends="2026-11-23")


def test_entries_win_opportunity_lesson_within_budget_while_open():
    item = add_entry(an_item(), kind="win", text="El cambio salió en 12 minutos", by="Ana", now=NOW)
    item = add_entry(item, kind="lesson", text="Pedir la etiqueta del cliente un día antes", by="", now=NOW)
    assert [e.kind for e in item.entries] == ["win", "lesson"] and item.people == (1, 1)
    with pytest.raises(ValidationError) as kind:
        add_entry(item, kind="blame", text="algo", by="", now=NOW)
    assert kind.value.field == "kind"
    with pytest.raises(ValidationError) as long:
        add_entry(item, kind="win", text="x" * (ENTRY_MAX + 1), by="", now=NOW)
    assert long.value.code == "too_long"
    with pytest.raises(ValidationError):
        add_entry(item, kind="win", text="ok", by="", now=NOW)  # too short to say anything
    clean = add_entry(item, kind="opportunity", text="Sin\x1b[2J  control", by="Luis\x07", now=NOW)
    assert clean.entries[-1].text == "Sin[2J control" and clean.entries[-1].by == "Luis"
    closed = close_work(clean, by="Marta Ruiz", now=NOW + timedelta(days=2))
    assert closed.state == CLOSED and closed.closed_at == "2026-11-23T10:00:00-03:00"
    with pytest.raises(ValidationError):
        add_entry(closed, kind="win", text="Tarde para esto", by="", now=NOW)
    with pytest.raises(ValidationError):
        close_work(closed, by="Marta Ruiz", now=NOW)


def test_applause_counts_per_entry_and_dates_are_checked():
    item = add_entry(an_item(), kind="win", text="El cambio salió en 12 minutos", by="Ana", now=NOW)
    item = applaud_entry(applaud_entry(item, 0, now=NOW), 0, now=NOW)
    assert item.entries[0].applause == 2 and item.applause == 2
    with pytest.raises(ValidationError):
        applaud_entry(item, 3, now=NOW)
    with pytest.raises(ValidationError) as order:
        open_work(item_id="QPC-GB8", title="Un trabajo", area="Envasado", opened_by="M", now=NOW,
                  starts="2026-11-23", ends="2026-11-21")
    assert order.value.field == "ends"
    with pytest.raises(ValidationError) as bad:
        open_work(item_id="QPC-GB8", title="Un trabajo", area="Envasado", opened_by="M", now=NOW, starts="mañana")
    assert bad.value.code == "bad_date"


def test_documents_read_back_and_refuse_what_does_not_fit():
    item = applaud_entry(add_entry(an_item(), kind="win", text="Salió en 12 minutos", by="Ana", now=NOW), 0, now=NOW)
    assert work_from_doc(work_to_doc(item)) == item
    for change, field in ((lambda d: d.update(state="maybe"), "state"),
                          (lambda d: d["entries"][0].update(kind="x"), "entries.0.kind"),
                          (lambda d: d["entries"][0].update(applause=-1), "entries.0.applause"),
                          (lambda d: d.update(extra=1), "extra")):
        doc = work_to_doc(item)
        change(doc)
        with pytest.raises(ValidationError) as refused:
            work_from_doc(doc)
        assert refused.value.field == field


def test_stored_in_the_records_family_and_exported_and_imported_back(tmp_path):
    data, other = tmp_path / "data", tmp_path / "other"
    repo = open_repository(data, clock=lambda: NOW)
    try:
        record = repo.add_report(ReportDraft(kind="win", area="Envasado", what_happened="Lote listo antes"),
                                 areas=None)
        item = repo.open_work_item(title="Primer lote del cliente nuevo", area="Envasado", opened_by="Marta Ruiz")
        later = repo.add_report(ReportDraft(kind="error", area="Envasado", what_happened="Etiqueta mal"),
                                areas=None)
        assert ids.decode(record.id) < ids.decode(item.id) < ids.decode(later.id)
        assert repo.add_work_entry(item.id, kind="lesson", text="Pedir la etiqueta del cliente un día antes",
                                   by="Ana") == 0
        assert repo.add_work_entry(item.id, kind="win", text="Salió a la primera", by="") == 1
        assert repo.applaud_work_entry(item.id, 0).applause == 1
        # An entry is a row of its own: the item's document is not written again.
        assert repo.store.tables["work_items"][str(ids.decode(item.id))]["entries"] == []
        assert [e.applause for e in repo.work_item(item.id).entries] == [1, 0]
        with pytest.raises(ValidationError):
            repo.applaud_work_entry(item.id, 2)
        repo.mark_work_entry(item.id, 1, "look_for", by="Marta Ruiz")
        assert repo.work_item(item.id).entries[1].became == "look_for"
        repo.open_work_item(title="Cambio de formato L2", area="Inyección", opened_by="Marta Ruiz")
        assert [w.area for w in repo.open_work_items("Inyección")] == ["Inyección", "Envasado"]
        repo.close_work_item(item.id, by="Marta Ruiz")
        repo.turn_into_look_for(item.id, 0, ("Envasado",), by="Marta Ruiz", share_days=30)  # exported too
        assert repo.work_item(item.id.lower()).state == "closed" and len(repo.work_items(state="open")) == 1
    finally:
        repo.close()
    exported = run(["export", "--format", "jsonl"], data=data).stdout.decode()
    lines = [json.loads(line) for line in exported.splitlines()]
    assert [line.get("type") for line in lines] == [None, None, "work_item", "work_item"]
    assert run(["import", "-"], data=other, stdin=exported).returncode == 0
    assert run(["export", "--format", "jsonl"], data=other).stdout.decode() == exported


def test_the_debrief_turns_an_opportunity_into_a_record_and_a_lesson_into_a_look_for(tmp_path):
    repo = open_repository(tmp_path / "data", clock=lambda: NOW)
    try:
        item = repo.open_work_item(title="Prueba del material reciclado", area="Inyección", opened_by="Marta Ruiz")
        repo.add_work_entry(item.id, kind="opportunity", text="La tolva se tapa con el material reciclado", by="")
        repo.add_work_entry(item.id, kind="lesson", text="Secar el reciclado dos horas antes de cargar la tolva",
                            by="Luis")
        with pytest.raises(ValidationError):
            repo.turn_into_record(item.id, 1, kind="surprise", by="Marta Ruiz")  # a lesson is no record
        record = repo.turn_into_record(item.id, 0, kind="surprise", by="Marta Ruiz")
        assert record.status == "reported" and record.area == "Inyección" and record.links[0].id == item.id
        assert repo.get(record.id).what_happened == "La tolva se tapa con el material reciclado"
        assert record.id in [r.id for r in repo.review_queue()]
        with pytest.raises(ValidationError):
            repo.turn_into_record(item.id, 0, kind="surprise", by="Marta Ruiz")  # once
        repo.turn_into_look_for(item.id, 1, ("Inyección", "Extrusión"), by="Marta Ruiz", share_days=30)
        turned = repo.work_item(item.id)
        assert [e.became for e in turned.entries] == [record.id, "look_for"]
        assert [line.text for _item, line in repo.work_look_fors("Extrusión", NOW.date())] == [
            "Secar el reciclado dos horas antes de cargar la tolva"]
        assert repo.work_look_fors("Envasado", NOW.date()) == []
        assert repo.work_lessons() == []  # lessons are learnings once the work is closed
        repo.close_work_item(item.id, by="Marta Ruiz")
        assert [index for _item, index in repo.work_lessons()] == [1]
        found = repo.similar_lessons("Otra vez el material reciclado tapó la tolva", area="Inyección")
        assert [(i.id, index) for i, index in found] == [(item.id, 1)]
        assert repo.similar_lessons("el autoelevador chocó un pallet", area="Inyección") == []
    finally:
        repo.close()
