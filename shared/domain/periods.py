"""Periods: months `YYYY-MM`, years `YYYY`, dates in Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
YEAR_RE = re.compile(r"^\d{4}$")


def is_month(text: str) -> bool:
    return bool(MONTH_RE.match(text))


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def today_in_shanghai(now: datetime) -> date:
    return now.astimezone(TZ).date()


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def next_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + 1}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def months_of_year(year: str) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def first_day(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def last_day(period: str) -> date:
    return first_day(next_month(period)) - timedelta(days=1)
