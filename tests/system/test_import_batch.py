"""``kiosk import`` commits lines in groups (one journal commit and one fdatasync for many
lines) and still says ``ok`` for a line only once it is durable, fails a bad line alone, and
on a storage error tries the lines of the group one by one so each good one is still saved."""

from __future__ import annotations

import errno
import io
import json

from kiosk.cli.data import import_lines
from kiosk.core import ids
from kiosk.storage import open_repository
from tests.support.clock import fixed_clock


def report(n: int, **extra) -> dict:
    return {"kind": "near_miss", "area": "Depósito", "what_happened": f"Autoelevador casi choca, línea {n:05d}",
            "occurred_at": "2026-11-20T08:00:00-03:00", **extra}


class Watched:
    """The store's commits, seen from outside: which records each made durable."""

    def __init__(self, repo, monkeypatch, fail=None) -> None:
        self.durable: set[str] = set()
        self.commits: list[int] = []  # records per commit attempt
        self.fail = fail
        commit = repo.store.commit

        def watched(ops):
            docs = [op[3] for op in ops if op[0] == "put" and op[1] == "records"]
            saved = [doc["id"] for doc in docs]
            self.commits.append(len(saved))
            if self.fail is not None and self.fail(docs):
                from kiosk.storage.errors import raise_os_error

                raise_os_error("saving", OSError(errno.ENOSPC, "No space left on device"))
            seq = commit(ops)
            self.durable.update(saved)
            return seq

        monkeypatch.setattr(repo.store, "commit", watched)


def run_import(repo, lines: list[bytes], watched: Watched):
    oks: list[str] = []
    errors: list[tuple[int, str]] = []

    def ok(record_id: str) -> None:
        assert record_id in watched.durable, f"ok {record_id} before its commit returned"
        oks.append(record_id)

    failed = import_lines(repo, io.BytesIO(b"\n".join(lines) + b"\n"), ok=ok,
                          error=lambda n, why: errors.append((n, why)))
    return failed, oks, errors


def test_many_lines_few_commits_each_ok_after_its_commit_and_bad_lines_fail_alone(data_dir, monkeypatch):
    repo = open_repository(data_dir, clock=fixed_clock)
    watched = Watched(repo, monkeypatch)
    lines = [json.dumps(report(n), ensure_ascii=False).encode() for n in range(1, 1301)]
    bad = {7: b"{not json", 250: json.dumps(report(250, kind="accidente")).encode(),
           600: json.dumps(report(600, applause=10**30)).encode(), 1299: b"[1, 2]"}
    for number, line in bad.items():
        lines[number - 1] = line
    try:
        failed, oks, errors = run_import(repo, lines, watched)
        assert failed == len(bad) and [n for n, _why in errors] == sorted(bad)
        assert len(oks) == len(lines) - len(bad)
        assert [ids.decode(i) for i in oks] == list(range(1, len(oks) + 1))  # in line order, no gaps
        assert len(watched.commits) <= 6 and sum(watched.commits) == len(oks)
    finally:
        repo.close()
    again = open_repository(data_dir, clock=fixed_clock, writer=False)
    try:
        assert again.count() == len(oks)
        assert again.get(oks[-1]).what_happened == "Autoelevador casi choca, línea 01300"
    finally:
        again.close()


def test_within_a_group_ids_and_numbers_are_checked_as_if_line_by_line(repo, monkeypatch):
    """A duplicate id in the same group is refused; numbers given out skip the ones the group
    itself takes, and an id of another kiosk's series (the highest one here) does not move
    them."""
    watched = Watched(repo, monkeypatch)
    lines = [json.dumps(doc, ensure_ascii=False).encode() for doc in (
        report(1, id=ids.encode(5)),
        report(2),                        # 6: after the highest number in use
        report(3, id=ids.encode(5)),      # the same id again, in the same group
        report(4, id=ids.encode(7)),
        report(5),                        # 8
        report(6, id=ids.encode(ids.HIGHEST)),
        report(7),                        # 9: the highest id is not of this folder's series
        report(8, id=ids.encode(9)),      # taken by the line before
        report(9, id=ids.encode(1)),
        report(10),                       # 10
    )]
    failed, oks, errors = run_import(repo, lines, watched)
    assert [ids.decode(i) for i in oks] == [5, 6, 7, 8, ids.HIGHEST, 9, 1, 10]
    assert [n for n, _why in errors] == [3, 8] and failed == 2
    assert watched.commits == [8]
    assert repo.count() == 8


def test_a_group_that_cannot_be_saved_is_tried_line_by_line(repo, monkeypatch):
    """A nearly full disk: the group does not fit, single lines do, but one. Each line says
    what happened to it; the good ones are saved."""
    poisoned = report(4)["what_happened"]
    watched = Watched(repo, monkeypatch, fail=lambda docs: len(docs) > 1 or docs[0]["what_happened"] == poisoned)
    lines = [json.dumps(report(n), ensure_ascii=False).encode() for n in range(1, 7)]
    failed, oks, errors = run_import(repo, lines, watched)
    assert watched.commits[0] == 6  # the whole group first
    assert failed == 1 and [n for n, _why in errors] == [4]
    assert "disco" in errors[0][1] or "disk" in errors[0][1]
    assert len(oks) == 5 and repo.count() == 5
    assert poisoned not in {repo.get(record_id).what_happened for record_id in oks}
    assert set(oks) == watched.durable


def test_a_storage_error_on_every_line_fails_every_line_and_nothing_is_stored(repo, monkeypatch):
    watched = Watched(repo, monkeypatch, fail=lambda docs: True)
    lines = [json.dumps(report(n), ensure_ascii=False).encode() for n in range(1, 5)]
    failed, oks, errors = run_import(repo, lines, watched)
    assert watched.commits[0] == 4 and failed == 4 and not oks
    assert [n for n, _why in errors] == [1, 2, 3, 4] and repo.count() == 0
    assert watched.commits == [4, 1, 1, 1, 1]
