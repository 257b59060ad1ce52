"""The time of the system: instants in UTC, days, months and report-code years in Hanoi's time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

# Hanoi keeps UTC+7 all year; days, months and report-code years are counted in it.
HANOI_TIME = timezone(timedelta(hours=7))


def now() -> datetime:
    """The current instant, timezone-aware in UTC, as every stored time is."""
    return datetime.now(UTC)


def hanoi_midnight(day: date) -> datetime:
    """The instant a Hanoi calendar day starts, in UTC."""
    return datetime.combine(day, time(), HANOI_TIME).astimezone(UTC)
