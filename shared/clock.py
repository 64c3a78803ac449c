"""The one source of "now" and "today" (Asia/Shanghai), so that tests can fix the date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.domain.periods import TZ


class Clock:
    """The real time, or the real time of day on a fixed date (`JIXIAO_TODAY`).

    With a fixed date every "today" is that date and every "now" falls on it, so a test
    or a demo gives the same results on any day it runs.
    """

    def __init__(self, today: date | None = None) -> None:
        self.fixed = today

    def now(self) -> datetime:
        real = datetime.now(UTC)
        if self.fixed is None:
            return real
        local = real.astimezone(TZ)
        return datetime.combine(self.fixed, local.timetz()).astimezone(UTC)

    def today(self) -> date:
        return self.fixed if self.fixed is not None else self.now().astimezone(TZ).date()

    def month(self) -> str:
        day = self.today()
        return f"{day.year:04d}-{day.month:02d}"

    def __repr__(self) -> str:
        return f"Clock({self.fixed!r})"
