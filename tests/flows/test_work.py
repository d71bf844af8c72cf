"""A work item, keyboard only (Pilot): open it → its look back shows a past lesson like it, and
prints with that lesson's QR → three entries from three operators, one applauded twice in a
burst (counted once) → the debrief: an opportunity becomes a record waiting for review, a lesson
a look-for → closed → the lesson appears in "seen this before?" while reporting a new event
told with other words."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from kiosk.app import KioskApp
from kiosk.config import Config
from kiosk.core.supervisors import new_supervisor
from kiosk.screens.dialogs.choose import ChooseDialog
from kiosk.screens.dialogs.confirm import ConfirmDialog
from kiosk.screens.home import HomeScreen
from kiosk.screens.printing import PrintScreen
from kiosk.screens.report import ReportScreen
from kiosk.screens.work import (
    DebriefScreen,
    EntryScreen,
    LookBackScreen,
    NewWorkScreen,
    WorkItemScreen,
    WorkListScreen,
)
from kiosk.storage import open_repository
from tests.support.clock import NOW
from tests.support.escpos_stream import qr_payloads
from tests.support.pilot import type_text, wait_for

PAST_LESSON = "Con colorante nuevo, pedir la ficha técnica antes de cargar la inyectora"


def text_of(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


@pytest.fixture
def kiosk(tmp_path: Path):
    """A kiosk with one supervisor and a closed work item whose debrief kept a lesson."""
    repo = open_repository(tmp_path / "data", clock=lambda: NOW)
    repo.add_supervisor(new_supervisor("Marta Ruiz", "2580", admin=True, now=NOW))
    past = repo.open_work_item(title="Primer lote del cliente de tapas", area="Inyección", opened_by="Marta Ruiz")
    repo.add_work_entry(past.id, kind="lesson", text=PAST_LESSON, by="Luis")
    repo.close_work_item(past.id, by="Marta Ruiz")
    app = KioskApp(config=Config(match_by_meaning=False), repo=repo, clock=lambda: NOW)
    yield app, repo, repo.work_item(past.id)
    assert not app.recovered_errors, app.recovered_errors
    repo.close()


async def sign_in(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#names")) and app.screen.query_one("#names").option_count)
    await pilot.press(*"mar", "enter", *"2580", "enter")


async def add_entry(pilot, kind_key: str, text: str, name: str) -> None:
    app = pilot.app
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen) and app.screen.item is not None)
    await pilot.press(kind_key)
    await type_text(pilot, text)
    await pilot.press("tab")
    await type_text(pilot, name)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, WorkItemScreen))


async def test_a_work_item_from_its_look_back_to_its_debrief(kiosk):
    app, repo, past = kiosk
    async with app.run_test(size=(100, 30)) as pilot:
        # Open it (supervisor): title, area, nothing more.
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkListScreen))
        assert "No hay trabajos en curso" in text_of(app)
        await pilot.press("n")
        await sign_in(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, NewWorkScreen))
        await type_text(pilot, "Colorante nuevo en la inyectora 2")
        await pilot.press("enter", "enter")  # the title; Inyección, the first area
        await pilot.press("enter", "enter", "enter")  # no description, no dates
        await wait_for(pilot, lambda: isinstance(app.screen, LookBackScreen) and app.screen.item is not None)

        # The look back: the past lesson, and its QR on the slip.
        assert PAST_LESSON in text_of(app) and f"Lección {past.id}" in text_of(app)
        item_id = app.screen.item.id
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintScreen) and app.screen.slip is not None)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.job is not None and app.screen.job.state == "sent")
        printed = Path(app.screen.job.file).read_bytes()
        assert qr_payloads(printed) == [f"http://kiosk.local:8080/r/{past.id}?k={past.link_token}"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LookBackScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkItemScreen) and app.screen.item is not None)

        # Three entries from three operators, no PIN.
        await add_entry(pilot, "1", "Salió en 20 min", "Ana")
        await add_entry(pilot, "2", "Falta un carro", "Luis")
        await add_entry(pilot, "3", "Purgar antes", "Rosa")
        item = repo.work_item(item_id)
        assert [(e.kind, e.text, e.by) for e in item.entries] == [
            ("win", "Salió en 20 min", "Ana"), ("opportunity", "Falta un carro", "Luis"),
            ("lesson", "Purgar antes", "Rosa")]
        await wait_for(pilot, lambda: app.screen.item is not None and len(app.screen.item.entries) == 3)

        # The win (listed last: newest first) applauded twice in a burst: once.
        await pilot.press("down", "down", "a", "a")
        await wait_for(pilot, lambda: repo.work_item(item_id).entries[0].applause == 1)
        await pilot.pause(0.2)
        assert [e.applause for e in repo.work_item(item_id).entries] == [1, 0, 0]

        # The debrief: the opportunity to a record for review, the lesson to a look-for.
        await pilot.press("c")  # (still signed in: no PIN asked again)
        await wait_for(pilot, lambda: isinstance(app.screen, DebriefScreen) and app.screen.item is not None)
        assert "Falta un carro" in text_of(app) and "Participaron: 3 con nombre" in text_of(app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseDialog))
        await pilot.press("enter")  # a surprise
        await wait_for(pilot, lambda: repo.work_item(item_id).entries[1].became != "")
        record = repo.get(repo.work_item(item_id).entries[1].became)
        assert record.kind == "surprise" and record.what_happened == "Falta un carro"
        assert record.links[0].id == item_id and record.id in [r.id for r in repo.review_queue()]
        await wait_for(pilot, lambda: isinstance(app.screen, DebriefScreen) and not app.screen.saving)
        await pilot.press("l")
        await type_text(pilot, "envasado")
        await pilot.press("enter")
        await wait_for(pilot, lambda: repo.work_item(item_id).entries[2].became == "look_for")
        assert repo.work_item(item_id).look_fors[0].areas == ("Envasado",)
        await wait_for(pilot, lambda: not app.screen.saving)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: repo.work_item(item_id).state == "closed")

        # Back home; a new event told with other words meets the past lesson.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkItemScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkListScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("1", "3")  # report a surprise
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await type_text(pilot, "iny")
        await pilot.press("enter", "enter")  # the area; no station
        await type_text(pilot, "Llegó el pigmento sin hoja de datos")
        await wait_for(pilot, lambda: app.screen.lessons != [])
        seen = str(app.screen.query_one("#seen-before", Static).render())
        assert "Lo que ya aprendimos en trabajos parecidos" in seen and PAST_LESSON[:40] in seen.replace("\n", " ")


async def test_a_full_disk_keeps_the_entry_on_screen_and_hostile_text_is_stored_clean(kiosk, monkeypatch):
    import errno

    import kiosk.storage.journal as journal

    app, repo, _past = kiosk
    item = repo.open_work_item(title="Inventario del depósito", area="Depósito", opened_by="Marta Ruiz")
    real_write = journal.os.write

    def no_space(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkListScreen) and app.screen.items)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen) and app.screen.item is not None)
        await pilot.press("2")
        app.screen.query_one("#entry").insert("Pasillo [b]3[/b] \x1b[2J sin luz\x07")
        monkeypatch.setattr(journal.os, "write", no_space)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "disco está lleno" in text_of(app))
        assert isinstance(app.screen, EntryScreen) and repo.work_item(item.id).entries == ()
        monkeypatch.setattr(journal.os, "write", real_write)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkListScreen))
        assert [e.text for e in repo.work_item(item.id).entries] == ["Pasillo [b]3[/b] [2J sin luz"]
        # Shown literally in the list (its newest entries), markup and all.
        listed = app.screen.query_one("#work-list")
        await wait_for(pilot, lambda: "Pasillo [b]3[/b]" in str(listed.get_option_at_index(0).prompt))
