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
    return published_many(conn, {(employee, period)})[(employee, period)]


def published_many(conn: Connection, pairs: set[tuple[str, str]]
                   ) -> dict[tuple[str, str], tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """`published` for many (employee, period) pairs in two queries; a pair not published maps to (None, None)."""
    found: dict[tuple[str, str], tuple[dict[str, Any] | None, dict[str, Any] | None]] = dict.fromkeys(
        pairs, (None, None))
    if not pairs:
        return found
    docs = {(r.employee, r.period): dict(r.result) for r in conn.execute(
        select(scores.c.employee, scores.c.period, scores.c.result)
        .where(scores.c.employee.in_({e for e, _ in pairs}), scores.c.period.in_({p for _, p in pairs})))
        if (r.employee, r.period) in pairs}
    groups = {(d["project"], period) for (_, period), d in docs.items()}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    if groups:
        for r in conn.execute(select(rankings.c.project, rankings.c.period, rankings.c.rows)
                              .where(rankings.c.project.in_({g for g, _ in groups}),
                                     rankings.c.period.in_({p for _, p in groups}))):
            for row in r.rows or []:
                key = (row.get("employee"), r.period)
                if key in docs and docs[key]["project"] == r.project:
                    rows.setdefault(key, dict(row))
    found.update({key: (doc, rows.get(key)) for key, doc in docs.items()})
    return found
