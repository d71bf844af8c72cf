"""The short soak (``make soak`` runs the full one): each fault tried, nothing lost.

Each scenario is its own test so a failure names it; the row's problems say what went wrong.
"""

from __future__ import annotations

import pytest

from tests.support import soak

#: The fewest tries that still mean something at the short size.
AT_LEAST = {"kill9": 200, "sigterm": 4, "damage": 60, "full_disk": 2, "printer": 8, "keys": 19 * 250,
            "hostile": 100}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(soak.SCENARIOS))
def test_nothing_is_lost(name, tmp_path):
    row = soak.run(name, soak.SHORT[name], work=tmp_path)
    print("\n" + soak.table([row]))
    assert row.lost == 0, row.problems
    assert row.wrong == 0, row.problems
    assert row.tried >= AT_LEAST[name], row.tried


def test_the_table_says_what_was_tried_and_lost():
    row = soak.Row("kill -9 during saves", tried=3, unit="kills", lost_what="acknowledged reports missing")
    row.lose(2, "kill 1: missing ['QPC-GB8', 'ABC-DEF']")
    row.fail("kill 2: damage found at start")
    row.notes.append("40 acknowledged")
    text = soak.table([row])
    assert "| kill -9 during saves | 3 kills | 2 acknowledged reports missing | 1 |" in text
    assert "PROBLEM: kill 1: missing" in text and "40 acknowledged" in text
    assert not row.clean


def test_the_leak_check_catches_escape_codes_but_not_the_kiosks_own_drawing():
    drawn = "\x1b[1;1H\x1b[38;2;1;2;3;48;5;4mHola\x1b[0m\r\n\x1b[2;1HChau"
    assert soak.unsafe_output(drawn) == []
    for leak in ("\x1b]52;c;QUJD\x07", "\x1b[2J", "\x9b2J", "\u202e", "\x08"):
        assert soak.unsafe_output(drawn + leak), repr(leak)
