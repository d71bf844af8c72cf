"""Dates as people there write them: 21/11/2026 in Spanish, 2026-11-21 in English (stored dates
are ISO 8601 everywhere; only what people read changes)."""

from __future__ import annotations

import re
from datetime import date, datetime

#: A stored date or date and time, written as the kiosk writes them (seconds, an offset).
_STORED = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:T(\d\d:\d\d)(?::\d\d)?(?:[+-]\d\d:\d\d|Z)?)?", re.ASCII)


def format_date(value: str | date | datetime, language: str, *, with_time: bool = False) -> str:
    """A date as people there write it: 21/11/2026 in Spanish, 2026-11-21 in English. Text
    that is not a date (an import may hold anything) is shown as it is."""
    if isinstance(value, str):
        if not value:
            return "-"
        # Stored dates as they are written, without parsing them (a Markdown export shows
        # some fourteen dates a record: parsing and strftime were a third of it).
        match = _STORED.fullmatch(value)
        if match is not None and "01" <= match[2] <= "12" and "01" <= match[3] <= "28":
            year, month, day, time = match.groups()
            text = f"{day}/{month}/{year}" if language == "es_AR" else f"{year}-{month}-{day}"
            return f"{text} {time}" if with_time and time else text
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return str(value)
    day = value.date() if isinstance(value, datetime) else value
    text = day.strftime("%d/%m/%Y") if language == "es_AR" else day.isoformat()
    if with_time and isinstance(value, datetime):
        text += value.strftime(" %H:%M")
    return text


def show_date(value: str | date | datetime, *, with_time: bool = False) -> str:
    """:func:`format_date` in the kiosk's current language (what screens show)."""
    from kiosk.i18n import language

    return format_date(value, language(), with_time=with_time)


def parse_date(text: str, today: date) -> date | None:
    """A date as people type it: 20/12/2026, 20/12/26, 20-12-2026, 20.12.2026, 20/12 or 2026-12-20.

    Day first, as in Argentina. A date without a year is the next one to come: 20/12 typed in
    December is this year's, 5/1 typed in December is next year's. None if it is no date."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
    except ValueError:
        return None
    parts = text.replace("-", "/").replace(".", "/").split("/")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() and 0 < len(p) <= 4 for p in parts):
        return None
    day, month = int(parts[0]), int(parts[1])
    try:
        if len(parts) == 2:
            guess = date(today.year, month, day)
            return guess if guess >= today else date(today.year + 1, month, day)
        year = int(parts[2])
        if len(parts[2]) <= 2:
            year += 2000
        elif len(parts[2]) != 4:
            return None
        return date(year, month, day)
    except ValueError:
        return None


def to_iso(text: str, today: date) -> str:
    """What was typed, as an ISO date if it is one; otherwise as typed (the rules refuse it)."""
    parsed = parse_date(text, today)
    return parsed.isoformat() if parsed is not None else text.strip()


def example_date(today: date, days: int = 14) -> str:
    """A date to show as an example: in the future, written the local way."""
    from datetime import timedelta

    return show_date(today + timedelta(days=days))
