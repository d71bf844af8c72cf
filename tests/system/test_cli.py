"""The command line, run as a real subprocess: import, export, check, config errors, one writer."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time

import pytest

from kiosk.core import ids
from tests.support.cli import KIOSK, lines, run

HOSTILE = [
    "[@click=app.quit]x[/] y [b]z",
    "escape \x1b]52;c;QUJD\x07 and \x1b[2J and C1 \x9b31m",
    "printer \x1b@\x1dV\x00\x10\x14\x01 cash drawer",
    "Jose\u0301 cambió la presio\u0301n",  # decomposed accents
    "¿Agregar café? ¡Sí! Ñandú €",
]


def test_import_then_export_round_trip_is_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    docs = [
        {"kind": kind, "area": "Inyección", "what_happened": f"Pasó algo con la prensa número {n}: {text}",
         "reporter": "Ana" if n % 2 else "", "impact": "Media hora de parada",
         "what_we_did": "Se avisó a mantenimiento", "occurred_at": "2026-11-20T08:15:00-03:00",
         "created_at": "2026-11-20T08:20:00-03:00"}
        for n, (kind, text) in enumerate(
            zip(["error", "near_miss", "surprise", "win", "error"], HOSTILE, strict=False), start=1)
    ]
    docs.append({"kind": "win", "area": "Área vieja que ya no existe", "what_happened": "Un logro de antes"})
    result = run(["import", "-"], data=first, stdin=lines(*docs))
    assert result.returncode == 0, result.stderr.decode()
    acks = result.stdout.decode().split()
    assert acks[0::2] == ["ok"] * len(docs)

    export1 = run(["export", "--format", "jsonl"], data=first)
    assert export1.returncode == 0
    text = export1.stdout.decode("utf-8")
    exported = [json.loads(line) for line in text.splitlines()]
    assert [d["id"] for d in exported] == acks[1::2]
    for doc in exported:
        for value in (doc["what_happened"], doc["reporter"]):
            assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in value)
    assert "José cambió la presión" in text  # composed (NFC)
    assert "[@click=app.quit]x[/]" in text
    assert exported[1]["link_token"] and len(exported[1]["link_token"]) >= 22

    result = run(["import"], data=second, stdin=text)
    assert result.returncode == 0, result.stderr.decode()
    export2 = run(["export", "--format", "jsonl"], data=second)
    assert export2.stdout.decode("utf-8") == text

    json1 = run(["export", "--format", "json"], data=first).stdout
    json2 = run(["export", "--format", "json"], data=second).stdout
    assert json1 == json2 and json.loads(json1) == exported


def test_import_reports_bad_lines_and_keeps_the_good_ones(tmp_path):
    data = tmp_path / "d"
    good = {"kind": "error", "area": "Calidad", "what_happened": "Un lote sin control final"}
    text = "\n".join([
        json.dumps(good),
        "{not json",
        json.dumps({"kind": "accident", "area": "Calidad", "what_happened": "tipo inexistente"}),
        json.dumps({"kind": "error", "area": "Calidad", "what_happened": "x" * 1_048_576}),
        json.dumps({"kind": "error", "area": "", "what_happened": "sin área declarada"}),
        json.dumps({"kind": "error", "area": "Calidad", "what_happened": "campo raro", "color": "rojo"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({**good, "what_happened": "Otro lote sin control final"}),
    ]) + "\n"
    result = run(["import", "-"], data=data, stdin=text)
    assert result.returncode == 1
    out = result.stdout.decode().splitlines()
    err = result.stderr.decode().splitlines()
    assert len(out) == 2 and all(line.startswith("ok ") for line in out)
    assert [line.split(":")[0] for line in err] == [
        "error 2", "error 3", "error 4", "error 5", "error 6", "error 7"]
    assert "no es JSON válido" in err[0]
    assert "Tipo desconocido 'accident'" in err[1]
    assert "demasiado largo: 1048576 caracteres, el límite es 600" in err[2]
    assert "Área es obligatorio" in err[3]
    assert "Campo desconocido 'color'" in err[4]


def test_import_acknowledges_each_line_before_reading_the_next(tmp_path):
    """A caller feeding one line at a time sees each 'ok' before it sends the next."""
    process = subprocess.Popen(
        [*KIOSK, "import", "-", "--data", str(tmp_path / "d")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        seen = []
        for n in range(5):
            doc = {"kind": "near_miss", "area": "Depósito", "what_happened": f"Autoelevador casi choca, vez {n}"}
            process.stdin.write((json.dumps(doc) + "\n").encode())
            process.stdin.flush()
            answer = process.stdout.readline().decode().split()  # blocks until acknowledged
            assert answer[0] == "ok"
            seen.append(answer[1])
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    export = run(["export", "--format", "jsonl"], data=tmp_path / "d").stdout.decode()
    assert [json.loads(line)["id"] for line in export.splitlines()] == seen


def test_import_rejects_duplicate_ids_and_never_reuses_numbers(tmp_path):
    data = tmp_path / "d"
    config = tmp_path / "kiosk.toml"
    config.write_text("[storage]\nid_series = 1\n", encoding="utf-8")  # the series of number 40
    doc = {"id": ids.encode(40), "kind": "error", "area": "Calidad", "what_happened": "Importado con número",
           "created_at": "2026-01-02T10:00:00-03:00", "occurred_at": "2026-01-02T09:00:00-03:00"}
    assert run(["import"], data=data, stdin=lines(doc)).returncode == 0
    again = run(["import"], data=data, stdin=lines(doc))
    assert again.returncode == 1 and "Ya existe un registro" in again.stderr.decode()
    new = run(["import", "--config", str(config)], data=data,
        stdin=lines({"kind": "win", "area": "Calidad", "what_happened": "Uno nuevo sin número"}))
    assert new.stdout.decode().split()[1] == ids.encode(41)


def test_csv_export_opens_in_a_spanish_spreadsheet(tmp_path):
    data = tmp_path / "d"
    run(["import"], data=data, stdin=lines(
        {"kind": "error", "area": "Envasado",
         "what_happened": "Etiquetas con; punto y coma\ny salto de línea, ñandú €"}))
    result = run(["export", "--format", "csv", "--out", str(tmp_path / "x.csv")], data=data)
    assert result.returncode == 0
    raw = (tmp_path / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0]["what_happened"] == "Etiquetas con; punto y coma\ny salto de línea, ñandú €"
    assert rows[0]["kind"] == "error" and rows[0]["area"] == "Envasado"


def test_markdown_export_is_the_one_page_text(tmp_path):
    data = tmp_path / "d"
    run(["import"], data=data,
        stdin=lines({"kind": "surprise", "area": "Calidad", "what_happened": "El calibre marcaba distinto"}))
    out = run(["export", "--format", "md"], data=data).stdout.decode()
    assert "Sorpresa · Calidad" in out and "### ¿Qué pasó?" in out and "El calibre marcaba distinto" in out


def test_under_systemd_on_the_console_a_config_error_also_reaches_the_journal(tmp_path, monkeypatch, capsys):
    """deploy/: the kiosk's stderr is tty1, which systemd clears; the error also goes to the
    system log (a datagram socket standing in for /dev/log) and stays on screen a while."""
    import socket

    import kiosk.cli as cli
    from kiosk.config import ConfigError

    address = str(tmp_path / "log")
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    journal.bind(address)
    journal.settimeout(5)
    paused = []
    monkeypatch.setattr(cli, "SYSLOG", address)
    monkeypatch.setattr(cli, "_on_virtual_console", lambda: True)
    monkeypatch.setattr("time.sleep", paused.append)
    monkeypatch.setenv("INVOCATION_ID", "0123abcd")
    try:
        assert cli.config_error(ConfigError("/etc/learning-kiosk/kiosk.toml", "printer.columns", "fuera de rango"),
                                "run") == 2
        logged = journal.recv(4096).decode()
    finally:
        journal.close()
    assert "learning-kiosk: " in logged and "printer.columns" in logged and "fuera de rango" in logged
    assert paused == [cli.CONFIG_ERROR_PAUSE]
    assert "printer.columns" in capsys.readouterr().err
    monkeypatch.delenv("INVOCATION_ID")
    assert cli.config_error(ConfigError("x.toml", "language", "no"), "run") == 2
    assert paused == [cli.CONFIG_ERROR_PAUSE]  # not under systemd: no pause


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("idle_timout = 10\n", "idle_timout"),
        ("idle_timeout = \"dos minutos\"\n", "idle_timeout"),
        ("[printer]\nspec = \"lpt1\"\n", "printer.spec"),
        ("areas = []\n", "areas"),
        ("language = \"fr\"\n", "language"),
        ("[printer]\ncolour = true\n", "printer.colour"),
        ("follow_up_days = 30.5\n", "follow_up_days"),
        ("not toml at all [\n", "-"),
    ],
)
def test_bad_config_exits_before_the_screen_naming_file_and_key(tmp_path, toml, key):
    config = tmp_path / "kiosk.toml"
    config.write_text(toml, encoding="utf-8")
    result = run(["run", "--config", str(config)], data=tmp_path / "d")
    assert result.returncode == 2
    message = result.stderr.decode()
    assert str(config) in message and f"clave {key}" in message
    assert "\x1b[?1049h" not in result.stdout.decode()  # the screen never started


def test_config_from_environment_and_good_values(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('language = "en"\nareas = ["Línea 1", "Línea 2"]\n[printer]\ncolumns = 32\n', encoding="utf-8")
    result = run(["import"], data=tmp_path / "d", env={"KIOSK_CONFIG": str(config)},
                 stdin=lines({"kind": "bogus", "area": "x", "what_happened": "y"}))
    assert "Unknown kind 'bogus'" in result.stderr.decode()  # English from the config


def test_data_folder_from_environment(tmp_path):
    env = {**os.environ, "KIOSK_DATA": str(tmp_path / "envdata")}
    subprocess.run([*KIOSK, "import"],
                   input=lines({"kind": "win", "area": "a", "what_happened": "Un buen turno sin paradas"}).encode(),
                   env=env, check=True, capture_output=True, timeout=60)
    assert (tmp_path / "envdata" / "kiosk.json").exists()
    assert (tmp_path / "envdata" / "kiosk.log").exists()


def test_second_writer_is_refused_naming_the_first_and_readers_still_work(tmp_path):
    data = tmp_path / "d"
    run(["import"], data=data,
        stdin=lines({"kind": "error", "area": "Calidad", "what_happened": "Primer registro guardado"}))
    holder = subprocess.Popen([*KIOSK, "import", "-", "--data", str(data)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        holder.stdin.write(lines({"kind": "win", "area": "Calidad",
                                  "what_happened": "Guardado mientras corre"}).encode())
        holder.stdin.flush()
        assert holder.stdout.readline().startswith(b"ok ")
        second = run(["import"], data=data,
            stdin=lines({"kind": "win", "area": "Calidad", "what_happened": "No debería entrar"}))
        assert second.returncode == 1
        message = second.stderr.decode()
        assert f"pid {holder.pid}" in message and "kiosk import" in message
        exported = run(["export", "--format", "jsonl"], data=data)
        assert exported.returncode == 0
        assert "Guardado mientras corre" in exported.stdout.decode()  # a reader sees the running writer's save
        assert "No debería entrar" not in exported.stdout.decode()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_check_reports_and_repairs_damage(tmp_path):
    data = tmp_path / "d"
    run(["import"], data=data, stdin=lines(*[
        {"kind": "error", "area": "Calidad", "what_happened": f"Registro de prueba número {n}"} for n in range(3)]))
    assert run(["check"], data=data).returncode == 0
    (data / "kiosk.json").write_bytes(b'{"_meta": {"1": {"seq"')  # truncated
    result = run(["check"], data=data)
    assert result.returncode == 1
    assert "La copia buena más reciente es kiosk.json.1" in result.stdout.decode()
    assert "Se restauró" not in result.stdout.decode()
    repaired = run(["check", "--repair"], data=data)
    assert repaired.returncode == 0, repaired.stderr.decode()
    assert "Se restauró la copia" in repaired.stdout.decode()
    assert list((data / "damaged").iterdir())
    assert run(["check"], data=data).returncode == 0
    exported = run(["export", "--format", "jsonl"], data=data).stdout.decode().splitlines()
    assert len(exported) == 3


def test_kiosk_reaches_interactive_home_and_reports_it(tmp_path):
    """The start-up measurement used by `make bench` (headless, exits when Home is ready)."""
    run(["import"], data=tmp_path / "d",
        stdin=lines({"kind": "win", "area": "a", "what_happened": "Algo que salió muy bien"}))
    started = time.monotonic()
    result = run(["run"], data=tmp_path / "d", env={"KIOSK_EXIT_WHEN_READY": "1"})
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    report = json.loads(result.stdout.decode().strip().splitlines()[-1])
    assert report["records"] == 1
    assert 0 < report["home_ready_s"] <= time.monotonic() - started + 1
    assert report["rss_mb"] > 10


def test_logging_goes_to_the_data_folder_not_the_terminal(tmp_path):
    data = tmp_path / "d"
    result = run(["import"], data=data,
        stdin=lines({"kind": "win", "area": "a", "what_happened": "Un buen turno sin paradas"}))
    assert result.stderr == b""
    record_id = result.stdout.decode().split()[1]
    log = (data / "kiosk.log").read_text(encoding="utf-8")
    assert f"record {record_id} imported (win, a)" in log


def test_export_into_a_closed_pipe_stops_quietly(tmp_path):
    data = tmp_path / "d"
    run(["import"], data=data, stdin=lines(*[
        {"kind": "error", "area": "Calidad", "what_happened": f"Registro largo número {n} " + "x" * 500}
        for n in range(300)]))
    pipeline = subprocess.run(
        f"{sys.executable} -m kiosk export --format csv --data {data} | head -c 100 > /dev/null",
        shell=True, capture_output=True, timeout=60)
    assert b"Traceback" not in pipeline.stderr


def test_second_kiosk_is_refused_before_any_screen(tmp_path):
    from kiosk.storage import JournalStore

    data = tmp_path / "d"
    holder = JournalStore(data, command="kiosk run")
    try:
        result = run(["run"], data=data)
        assert result.returncode == 1
        message = result.stderr.decode()
        assert f"pid {os.getpid()}" in message and "'kiosk run'" in message
        assert "\x1b[?1049h" not in message  # no screen was drawn
    finally:
        holder.close()


def test_check_verifies_every_copy_and_import_says_what_it_repaired(tmp_path):
    data = tmp_path / "d"
    for n in range(3):  # each import ends with a snapshot: kiosk.json.1 and .2 exist
        run(["import"], data=data,
            stdin=lines({"kind": "error", "area": "Calidad", "what_happened": f"Registro número {n} de tres"}))
    assert run(["check"], data=data).returncode == 0
    (data / "kiosk.json.1").write_bytes(b"{truncated")
    result = run(["check"], data=data)
    assert result.returncode == 1 and "kiosk.json.1 no se puede leer" in result.stdout.decode()
    (data / "kiosk.json").write_bytes(b"")
    imported = run(["import"], data=data,
        stdin=lines({"kind": "win", "area": "a", "what_happened": "Después de la reparación"}))
    assert imported.returncode == 0
    assert "Se restauró la copia kiosk.json.2" in imported.stderr.decode()
    assert len(run(["export", "--format", "jsonl"], data=data).stdout.decode().splitlines()) == 4


def test_the_data_folders_own_config_is_used_when_none_is_named(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "kiosk.toml").write_text('language = "en"\n', encoding="utf-8")
    result = run(["import"], data=data, stdin=lines({"kind": "bogus", "area": "x", "what_happened": "y"}))
    assert "Unknown kind 'bogus'" in result.stderr.decode()
