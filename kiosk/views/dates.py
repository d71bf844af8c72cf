"""Dates as people there write them: 21/11/2026 in Spanish, 2026-11-21 in English (stored dates
are ISO 8601 everywhere; only what people read changes)."""

from __future__ import annotations

from datetime import date, datetime


def format_date(value: str | date | datetime, language: str, *, with_time: bool = False) -> str:
    """A date as people there write it: 21/11/2026 in Spanish, 2026-11-21 in English. Text
    that is not a date (an import may hold anything) is shown as it is."""
    if isinstance(value, str):
        if not value:
            return "-"
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return str(value)
    day = value.date() if isinstance(value, datetime) else value
    text = day.strftime("%d/%m/%Y") if language == "es_AR" else day.isoformat()
    if with_time and isinstance(value, datetime):
        text += value.strftime(" %H:%M")
    return text
