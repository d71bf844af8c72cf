"""Connecting to the hub with psycopg 3, from the configuration, without the password ever
reaching a log, a message or a screen (it is read from ``hub.password_file``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import HubConfig, redact_url

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Seconds to wait for the hub before saying it is away (the kiosk works on without it).
CONNECT_TIMEOUT = 5


class HubUnavailable(Exception):
    """The hub could not be reached or refused us; the message never holds the password."""


def read_password(config: HubConfig) -> str | None:
    """The password in ``password_file`` (its first line), or None without a file."""
    if not config.password_file:
        return None
    try:
        text = Path(config.password_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise HubUnavailable(f"cannot read hub.password_file {config.password_file}: {exc.strerror}") from None
    return text.splitlines()[0].strip() if text.strip() else None


def connect(config: HubConfig, *, url: str = "", autocommit: bool = False, **extra: Any) -> psycopg.Connection[Any]:
    """A connection to the hub (``url`` overrides the configured one, e.g. an admin's).
    Raises :class:`HubUnavailable` with a message fit for a log or a screen."""
    import psycopg

    target = url or config.url
    options: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT, "sslmode": config.sslmode,
                               "application_name": f"learning-kiosk {config.kiosk_name}".strip()}
    if config.sslrootcert:
        options["sslrootcert"] = config.sslrootcert
    password = read_password(config) if not url else None
    if password is not None:
        options["password"] = password
    try:
        return psycopg.connect(target, autocommit=autocommit, **options, **extra)
    except psycopg.Error as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if password:
            detail = detail.replace(password, "***")
        raise HubUnavailable(f"{redact_url(target)}: {detail}") from None
