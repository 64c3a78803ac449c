"""What is published for one employee-month: the score document and the ranking row.

A signature records these at the moment of signing (SPEC §4.10), and the read side shows
what changed since; both read them here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from shared.tables import rankings, scores


def published(conn: Connection, employee: str, period: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(score document, ranking row) of the employee-month; None for what is not published."""
    doc = conn.execute(select(scores.c.result).where(scores.c.employee == employee,
                                                     scores.c.period == period)).scalar()
    if doc is None:
        return None, None
    for rows in conn.execute(select(rankings.c.rows).where(rankings.c.project == doc["project"],
                                                           rankings.c.period == period)).scalars():
        for row in rows or []:
            if row.get("employee") == employee:
                return dict(doc), dict(row)
    return dict(doc), None
