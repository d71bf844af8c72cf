"""No key may wipe what was typed (issue 13 item 21): moving onto a filled field and typing
adds to it, as everywhere else in the kiosk; it does not replace it."""

from __future__ import annotations

from textual.app import App, ComposeResult

from kiosk.widgets.inputs import KioskInput


class TwoFields(App):
    def compose(self) -> ComposeResult:
        yield KioskInput(id="first")
        yield KioskInput("Mantenimiento", id="owner")


async def test_typing_on_a_filled_field_reached_with_tab_adds_to_it():
    app = TwoFields()
    async with app.run_test() as pilot:
        app.query_one("#first").focus()
        await pilot.press("tab")
        assert app.focused is app.query_one("#owner")
        await pilot.press("space", "2")
        assert app.query_one("#owner", KioskInput).value == "Mantenimiento 2"
