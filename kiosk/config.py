"""Configuration: one TOML file, validated completely before any screen starts.

Every key is declared once in ``_SCHEMA`` with its type and rule; an unknown key, a wrong type
or a value out of range raises :class:`ConfigError` naming the file and the dotted key.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kiosk.i18n import LANGUAGES, _
from kiosk.printing.settings import PrinterConfig

DEFAULT_AREAS = ("Inyección", "Envasado", "Mantenimiento", "Depósito", "Calidad", "Matricería")

_PRINTER_SPEC = re.compile(
    r"^(preview|network:[^:\s]+(:\d{1,5})?|usb:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}"
    r"|serial:[^:\s]+(:\d+)?|file:.+|cups:\S+)$"
)


class ConfigError(Exception):
    """A problem in the configuration file; the message names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: {key}: {problem}")


@dataclass(frozen=True)
class StorageConfig:
    """How much history the data folder keeps."""

    generations: int = 3
    compact_mb: int = 16
    #: The id series (1–64) this kiosk numbers records in; 0: drawn when the folder is new.
    id_series: int = 0


@dataclass(frozen=True)
class BackupConfig:
    """Where ``kiosk backup`` (and its daily timer) writes, and how many it keeps."""

    dir: str = ""
    keep: int = 7


@dataclass(frozen=True)
class ServeConfig:
    """The record page behind the QR codes, run inside the kiosk (or with ``kiosk serve``)."""

    enabled: bool = False
    host: str = "0.0.0.0"
    port: int = 8080
    #: The office's page (``kiosk serve`` as ``kiosk serve --hub``): its own data folder kept
    #: in step with the plant hub, so the serve unit needs no change on the office machine.
    hub: bool = False


@dataclass(frozen=True)
class HubConfig:
    """The plant hub that several kiosks share (PostgreSQL). No ``url``: this kiosk is on its
    own, as always. The password is never in the URL: it is read from ``password_file``."""

    url: str = ""
    #: This kiosk's name in the plant (its role on the hub is ``kiosk_<name>``).
    kiosk_name: str = ""
    password_file: str = ""
    #: libpq's sslmode; ``verify-full`` with the plant's certificate (``sslrootcert``) across a network.
    sslmode: str = "prefer"
    sslrootcert: str = ""


@dataclass(frozen=True)
class Config:
    """Everything an admin can set. Defaults give a working kiosk with no file at all."""

    language: str = "es_AR"
    areas: tuple[str, ...] = DEFAULT_AREAS
    #: Stations or machines the report offers (optional; typing any other name is fine too).
    stations: tuple[str, ...] = ()
    idle_timeout: int = 120
    idle_warning: int = 15
    follow_up_days: int = 30
    look_for_days: int = 30
    #: Hours a Learning Team soaks between Learn and Solve (SPEC section 9).
    soak_hours: int = 24
    #: The area this kiosk stands in: Home shows the Learning Teams' look-fors meant for it
    #: ("": every look-for, each with its areas).
    home_area: str = ""
    link_base_url: str = "http://kiosk.local:8080"
    #: "Have we seen this before?" by meaning (the sentence model), not only by shared words.
    match_by_meaning: bool = True
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    backup: BackupConfig = field(default_factory=BackupConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    source: str = "(defaults)"


def _text_list(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return _("must be a non-empty list of names")
    if not all(isinstance(v, str) and v.strip() for v in value):
        return _("every entry must be a non-empty text")
    if len(set(v.strip() for v in value)) != len(value):
        return _("has the same entry twice")
    return None


def _optional_text_list(value: Any) -> str | None:
    if isinstance(value, list) and not value:
        return None
    return _text_list(value)


def _in_range(low: float, high: float, *, whole: bool) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        kinds = (int,) if whole else (int, float)
        if not isinstance(value, kinds) or isinstance(value, bool):
            if whole:
                return _("must be a whole number, got {value!r}").format(value=value)
            return _("must be a number, got {value!r}").format(value=value)
        if not low <= value <= high:
            return _("must be between {low} and {high}, got {value}").format(
                low=low, high=high, value=value
            )
        return None

    return check


def _int_range(low: int, high: int) -> Callable[[Any], str | None]:
    return _in_range(low, high, whole=True)


def _number_range(low: float, high: float) -> Callable[[Any], str | None]:
    return _in_range(low, high, whole=False)


def _choice(*options: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value not in options:
            return _("must be one of {options}, got {value!r}").format(
                options=", ".join(options), value=value
            )
        return None

    return check


def _text(pattern: re.Pattern[str] | None = None, hint: str = "") -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return _("must be a text, got {value!r}").format(value=value)
        # fullmatch: a pattern's "$" also matches before a final newline, and a URL or host
        # ending in "\n" then reached every QR code (fault report D16).
        if pattern is not None and not pattern.fullmatch(value):
            return _("is not valid ({hint}), got {value!r}").format(hint=hint, value=value)
        return None

    return check


def redact_url(url: str) -> str:
    """A URL with any password in it replaced by ``***`` (for messages and logs)."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def _hub_url(value: Any) -> str | None:
    if isinstance(value, str) and not _HUB_URL.fullmatch(value) and re.search(r"://[^/@]*:[^@]*@", value):
        return _("must not hold the password (put it in hub.password_file), got {value!r}").format(
            value=redact_url(value))
    return _text(_HUB_URL, "postgresql://ROLE@HOST[:PORT]/DATABASE")(value)


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else _("must be true or false, got {value!r}").format(value=value)


_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?(/[A-Za-z0-9._~\-/]*)?")
#: The hub's address: a role, a host (or none: the local socket), a database; never a password
#: (a ":" before the "@"), which would end up in logs and on screens.
_HUB_URL = re.compile(r"(postgres|postgresql)://[A-Za-z0-9_.\-]+@[A-Za-z0-9.\-]*(:\d{1,5})?/[A-Za-z0-9_\-]+"
                      r"(\?[A-Za-z0-9_=&%./\-]*)?|")
_KIOSK_NAME = re.compile(r"[a-z][a-z0-9_]{0,29}|")

_SCHEMA: dict[str, Callable[[Any], str | None]] = {
    "language": _choice(*LANGUAGES),
    "areas": _text_list,
    "stations": _optional_text_list,
    "idle_timeout": _int_range(15, 3600),
    "idle_warning": _int_range(5, 120),
    "follow_up_days": _int_range(1, 365),
    "look_for_days": _int_range(1, 365),
    "soak_hours": _int_range(1, 24 * 14),
    "home_area": _text(re.compile(r"[^\x00-\x1f\x7f]{0,60}"), "an area's name, or empty"),
    "link_base_url": _text(_URL, "http(s)://host[:port][/path], ASCII only"),
    "match_by_meaning": _boolean,
    "printer.spec": _text(
        _PRINTER_SPEC, "preview, network:HOST[:PORT], usb:VID:PID, serial:DEVICE[:BAUD], file:PATH, cups:NAME"),
    "printer.columns": _int_range(24, 64),
    "printer.profile": _text(),
    "printer.code_page": _text(re.compile(r"^[A-Za-z0-9_\-]+$"), "e.g. CP858"),
    "printer.timeout": _number_range(0.5, 60),
    "printer.native_qr": _boolean,
    "printer.check_status": _boolean,
    "serve.enabled": _boolean,
    "serve.host": _text(re.compile(r"^[A-Za-z0-9.:\-]+$"), "an address such as 0.0.0.0 or 127.0.0.1"),
    "serve.port": _int_range(1, 65535),
    "serve.hub": _boolean,
    "backup.dir": _text(),
    "backup.keep": _int_range(1, 365),
    "storage.generations": _int_range(1, 20),
    "storage.compact_mb": _int_range(1, 1024),
    "storage.id_series": _int_range(0, 64),
    "hub.url": _hub_url,
    "hub.kiosk_name": _text(_KIOSK_NAME, "lowercase letters, digits and _, starting with a letter, at most 30"),
    "hub.password_file": _text(),
    "hub.sslmode": _choice("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    "hub.sslrootcert": _text(),
}
_SECTIONS = {"printer": PrinterConfig, "storage": StorageConfig, "serve": ServeConfig, "backup": BackupConfig,
             "hub": HubConfig}


def with_printer(config: Config, spec: str, source: str = "--printer") -> Config:
    """The config with another printer SPEC (``--printer``); ConfigError if it is not one."""
    problem = _SCHEMA["printer.spec"](spec)
    if problem:
        raise ConfigError(source, "printer.spec", problem)
    return replace(config, printer=replace(config.printer, spec=spec))


def load_config(path: Path | str | None) -> Config:
    """Read and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "-", _("file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, "-", _("cannot be read: {error}").format(error=exc)) from None
    if text.startswith("\ufeff"):
        raise ConfigError(source, "-", _(
            "starts with an invisible byte-order mark (BOM), as Notepad writes; save it as UTF-8 "
            "without BOM"))
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "-", _("is not valid TOML: {error}").format(error=exc)) from None
    except RecursionError:  # thousands of nested arrays or tables: no configuration needs that
        raise ConfigError(source, "-", _("is not valid TOML: nested too deeply")) from None
    return parse_config(raw, source)


def parse_config(raw: dict[str, Any], source: str = "(config)") -> Config:
    """Validate an already-parsed TOML document."""
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    for key, value in raw.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(source, key, _("must be a [{section}] table").format(section=key))
            for sub, sub_value in value.items():
                _validate(source, f"{key}.{sub}", sub_value)
                sections[key][sub] = sub_value
        else:
            _validate(source, key, value)
            top[key] = value
    for name in ("areas", "stations"):
        if name in top:
            top[name] = tuple(a.strip() for a in top[name])
    if "home_area" in top:
        top["home_area"] = top["home_area"].strip()
    config = Config(
        **top,
        printer=PrinterConfig(**sections["printer"]),
        storage=StorageConfig(**sections["storage"]),
        serve=ServeConfig(**sections["serve"]),
        backup=BackupConfig(**sections["backup"]),
        hub=HubConfig(**sections["hub"]),
        source=source,
    )
    if config.idle_warning >= config.idle_timeout:
        raise ConfigError(source, "idle_warning", _("must be shorter than idle_timeout"))
    if config.home_area.strip() and config.home_area.strip() not in config.areas:
        raise ConfigError(source, "home_area", _("must be one of the areas, got {value!r}").format(
            value=config.home_area))
    _check_printer(config.printer, source)
    if config.hub.url and not config.hub.kiosk_name:
        raise ConfigError(source, "hub.kiosk_name", _("is needed with hub.url: this kiosk's name in the plant"))
    return config


def _check_printer(printer: PrinterConfig, source: str) -> None:
    """The model, its code page and the paper width must fit together (python-escpos's
    printer database says which pages a model has and how many dots it prints)."""
    from kiosk.printing import profiles

    problem = profiles.check(printer.profile, printer.code_page, printer.columns)
    if problem is None:
        return
    key, code = problem
    if code == "unknown_profile":
        text = _("unknown printer model {name!r}; known models: {known}").format(
            name=printer.profile, known=", ".join(profiles.profile_names()))
    elif code == "page_not_in_profile":
        model = profiles.profile(printer.profile)
        text = _("the model {model} has no code page {page!r}; it has: {pages}").format(
            model=model.name, page=printer.code_page, pages=", ".join(sorted(model.code_pages)))
    elif code == "page_lacks_spanish":
        text = _("the code page {page!r} lacks letters Spanish needs ({letters}); CP858 has them all").format(
            page=printer.code_page, letters=profiles.SPANISH)
    elif code == "page_unusable":
        text = _("the code page {page!r} cannot be used for text").format(page=printer.code_page)
    else:
        model = profiles.profile(printer.profile)
        text = _("{columns} columns do not fit the {model}'s {dots} dots (at most {most})").format(
            columns=printer.columns, model=model.name, dots=model.pixels,
            most=(model.pixels or 0) // profiles.DOTS_PER_COLUMN)
    raise ConfigError(source, key, text)


def _validate(source: str, key: str, value: Any) -> None:
    check = _SCHEMA.get(key)
    if check is None:
        known = ", ".join(sorted(_SCHEMA))
        raise ConfigError(source, key, _("unknown key (known keys: {known})").format(known=known))
    problem = check(value)
    if problem:
        raise ConfigError(source, key, problem)


DATA_CONFIG = "kiosk.toml"
LOG_FILE = "kiosk.log"  # in the data folder


def config_path(cli_value: str | None, folder: Path | None = None) -> Path | None:
    """``--config`` wins, then ``KIOSK_CONFIG``, then ``kiosk.toml`` in the data folder if it
    exists (the admin screen saves there when no file was named); none means the defaults."""
    value = cli_value or os.environ.get("KIOSK_CONFIG")
    if value:
        return Path(value)
    if folder is not None and (folder / DATA_CONFIG).exists():
        return folder / DATA_CONFIG
    return None


def data_folder(cli_value: str | None) -> Path:
    """``--data`` wins, then ``KIOSK_DATA``, then the platform's per-user data folder."""
    value = cli_value or os.environ.get("KIOSK_DATA")
    if value:
        return Path(value)
    from platformdirs import user_data_path

    return user_data_path("learning-kiosk", appauthor=False)


def config_to_toml(config: Config) -> str:
    """A config as a TOML file, every key present (the docs' example and the admin screen)."""
    def value(item: Any) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, str):
            return json.dumps(item, ensure_ascii=False)  # JSON escapes are TOML basic strings
        if isinstance(item, tuple):
            return "[" + ", ".join(value(v) for v in item) + "]"
        return str(item)

    lines = []
    for name in ("language", "areas", "stations", "idle_timeout", "idle_warning", "follow_up_days",
                 "look_for_days", "soak_hours", "home_area", "link_base_url", "match_by_meaning"):
        lines.append(f"{name} = {value(getattr(config, name))}")
    for section in _SECTIONS:
        lines.append(f"\n[{section}]")
        obj = getattr(config, section)
        lines += [f"{f.name} = {value(getattr(obj, f.name))}" for f in fields(obj)]
    return "\n".join(lines) + "\n"


def example_config() -> str:
    """The defaults as a TOML file (used by the docs and a test)."""
    return config_to_toml(Config())


def save_config(config: Config, path: Path) -> Config:
    """Write a config atomically after checking that it reads back as the same config;
    returns it as loaded from ``path``. Raises ConfigError (nothing written) or OSError."""
    from kiosk.storage.files import write_atomic

    text = config_to_toml(config)
    checked = parse_config(tomllib.loads(text), str(path))
    if replace(checked, source=config.source) != config:
        raise ConfigError(str(path), "-", _("would not read back the same"))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, [text.encode("utf-8")])
    return checked
