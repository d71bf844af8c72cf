"""Search: accent- and case-insensitive word prefixes, kept right through edits and deletes."""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.records import ReportDraft


def add(repo, text, kind="error", area="Inyección"):
    return repo.add_report(ReportDraft(kind=kind, area=area, what_happened=text), areas=None)


def test_accents_case_and_prefixes(repo):
    a = add(repo, "La prensa perdió PRESIÓN en el turno noche")
    b = add(repo, "Fuga de aceite en la manguera hidráulica")
    c = add(repo, "Presion baja en el compresor del almacén")
    assert [r.id for r in repo.search("presion").records] == [c.id, a.id]
    assert [r.id for r in repo.search("PRESIÓN").records] == [c.id, a.id]
    assert [r.id for r in repo.search("pres").records] == [c.id, a.id]
    assert [r.id for r in repo.search("hidraulica mang").records] == [b.id]
    assert repo.search("almacen compresor").total == 1
    assert repo.search("zzz").total == 0
    assert repo.search("").total == 3  # no words: everything, newest first
    assert repo.search(b.id).records[0].id == b.id  # the id is searchable too
    assert repo.search("presion", kinds=("win",)).total == 0
    assert repo.search("presion", areas=("Inyección",)).total == 2


def test_index_follows_saves_edits_and_deletes_after_it_was_built(repo):
    first = add(repo, "Etiquetadora trabada en envasado")
    repo.build_search_index()
    second = add(repo, "Otra etiquetadora con la cinta floja")
    assert [r.id for r in repo.search("etiquetadora").records] == [second.id, first.id]
    edited = replace(repo.get(first.id), what_happened="Se cayó una caja del pallet")
    repo.save(edited, actor="test", what="edited", changed=("what_happened",))
    assert [r.id for r in repo.search("etiquetadora").records] == [second.id]
    assert [r.id for r in repo.search("pallet").records] == [first.id]
    key = repo._by_id[second.id]
    repo.store.commit([("del", "records", key)])
    assert repo.search("etiquetadora").total == 0


def test_paging_is_newest_first(repo):
    made = [add(repo, f"Registro de cinta número {n}") for n in range(30)]
    page = repo.search("cinta", limit=10, offset=10)
    assert page.total == 30
    assert [r.id for r in page.records] == [r.id for r in reversed(made)][10:20]
