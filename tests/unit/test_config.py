"""Configuration files as people write them: Notepad's BOM, a stray newline, absurd nesting."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import Config, ConfigError, load_config, parse_config


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.mark.parametrize(("key", "value"), [
    ("link_base_url", "http://kiosk.local:8080\n"),
    ("serve.host", "127.0.0.1\n"),
    ("printer.spec", "serial:/dev/ttyS0:9600\n"),
    ("printer.code_page", "CP858\n"),
])
def test_a_value_ending_in_a_newline_is_refused(key: str, value: str) -> None:
    # Fault report D16: "$" matched before the final newline, and every QR held the "\n".
    section, _dot, name = key.rpartition(".")
    raw = {section: {name: value}} if section else {name: value}
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, "k.toml")
    assert caught.value.key == key


@pytest.mark.parametrize("nesting", ["a = " + "[" * 50_000, "a = " + "{b = " * 50_000], ids=["arrays", "tables"])
def test_deep_nesting_is_a_configuration_error_not_a_crash(tmp_path: Path, nesting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, nesting))
    assert "TOML" in str(caught.value)


def test_a_byte_order_mark_gets_a_plain_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, b"\xef\xbb\xbflanguage = \"en\"\n"))
    assert "BOM" in str(caught.value)


def test_stations_are_optional_and_checked(tmp_path: Path) -> None:
    assert Config().stations == ()
    config = load_config(write(tmp_path, 'stations = [" Inyectora 3 ", "Línea 2"]\n'))
    assert config.stations == ("Inyectora 3", "Línea 2")
    assert load_config(write(tmp_path, "stations = []\n")).stations == ()
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, 'stations = ["Línea 2", "Línea 2"]\n'))
    assert caught.value.key == "stations"
