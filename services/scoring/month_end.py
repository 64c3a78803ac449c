"""Month-end close on the schedule: every project's previous month, as the system."""

from __future__ import annotations

from datetime import datetime

from services.incidents.event_commands import RequestMeta
from services.incidents.period_commands import close_period
from shared import org
from shared.auth import Principal
from shared.db import Database
from shared.domain.periods import month_of, previous_month, today_in_shanghai

SYSTEM = Principal(user="system:beat", role="admin", projects=frozenset())


def close_previous_month_for_all(db: Database, now: datetime) -> list[str]:
    """Close last month (Asia/Shanghai) for every project; returns the task ids."""
    period = previous_month(month_of(today_in_shanghai(now)))
    with db.read() as conn:
        projects = [p["code"] for p in org.list_projects(conn)]
    meta = RequestMeta(request_id=f"beat:{period}")
    return [close_period(db, SYSTEM, code, period, meta, now=now) for code in projects]
