"""Score a chunk of employee-months with a handful of queries: the worker's hot path.

The same as `score_employee_month` for each employee in turn (load, fold with the same
pure `month_document`, store with a revision when changed, refresh the annual composite),
but each read is one query for the whole chunk and new rows go in with one bulk insert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from services.scoring.fold_read import months_of
from services.scoring.projection import (
    Scored,
    StoredMonth,
    annual_document,
    copy_first_revisions,
    month_document,
    revision_row,
    score_values,
)
from shared.bulk import JsonText, dumps, insert_rows
from shared.domain.periods import months_of_year
from shared.orgcache import OrgCache
from shared.tables import annual_scores, score_revisions, scores


def score_months(conn: Connection, employee_nos: Sequence[str], period: str) -> list[Scored]:
    """Recompute these employees' `period` from the log; store what changed, with revisions."""
    employee_nos = list(dict.fromkeys(employee_nos))  # each once, in order
    cache = OrgCache(conn)
    cache.prefetch(employee_nos)
    todo = []
    for no in employee_nos:
        emp, place = cache.employee(no), cache.assignment(no, period)
        template = None if emp is None or place is None else cache.template(emp.template, period)
        if place is not None and template is not None:
            todo.append((no, place, template))
    found = months_of(conn, [no for no, _, _ in todo], period)
    stored = _stored(conn, [no for no, _, _ in todo], period)
    now = datetime.now(UTC)
    server_copies = conn.dialect.name == "postgresql"
    new_rows, revisions, out = [], [], []
    for no, place, template in todo:
        doc, final = month_document(template, no, period, found.get(no, []), place)
        old = stored.get(no)
        changed = old is None or old.result != doc
        if changed:
            revision = 1 if old is None else old.revision + 1
            values = score_values(doc, final, revision, now)
            text = JsonText(dumps(doc))  # encoded once for the score and its revision
            if old is None:
                new_rows.append({"employee": no, "period": period, **values, "result": text})
            else:
                conn.execute(scores.update().where(scores.c.employee == no, scores.c.period == period)
                             .values(**values))
            if old is not None or not server_copies:
                revisions.append({**revision_row(old, doc, final, revision, now), "new": text})
        moved = old.project if old is not None and old.project != place.project else None
        out.append(Scored(no, period, place.project, place.department, final, changed, moved))
    insert_rows(conn, scores, new_rows)
    if server_copies and new_rows:  # a new score's first revision holds its own row: copied in the server
        copy_first_revisions(conn, [r["employee"] for r in new_rows], [r["period"] for r in new_rows])
    insert_rows(conn, score_revisions, revisions)
    refresh_annuals(conn, cache, [s.employee for s in out if s.changed], period[:4])
    return out


def _stored(conn: Connection, employee_nos: list[str], period: str) -> dict[str, Any]:
    if not employee_nos:
        return {}
    rows = conn.execute(select(scores.c.employee, scores.c.result, scores.c.revision, scores.c.final,
                               scores.c.project)
                        .where(scores.c.employee.in_(employee_nos), scores.c.period == period))
    return {r.employee: r for r in rows}


def refresh_annuals(conn: Connection, cache: OrgCache, employee_nos: list[str], year: str) -> None:
    """`refresh_annual` for each of `employee_nos`, reading their stored finals in one query."""
    if not employee_nos:
        return
    rows = conn.execute(select(scores.c.employee, scores.c.period, scores.c.template, scores.c.final,
                               scores.c.position)
                        .where(scores.c.employee.in_(employee_nos), scores.c.period.in_(months_of_year(year)))
                        .order_by(scores.c.employee, scores.c.period))
    months: dict[str, list[StoredMonth]] = defaultdict(list)
    for r in rows:
        months[r.employee].append(StoredMonth(r.period, r.template, Decimal(str(r.final)), int(r.position)))
    before = {r.employee: r.result for r in conn.execute(
        select(annual_scores.c.employee, annual_scores.c.result)
        .where(annual_scores.c.employee.in_(employee_nos), annual_scores.c.year == year))}
    now, new_rows = datetime.now(UTC), []
    for no in employee_nos:
        emp = cache.employee(no)
        template = None if emp is None else cache.template(emp.template, f"{year}-12")
        if emp is None or template is None:
            continue
        doc, position = annual_document(template, emp.template, no, year, months[no])
        if before.get(no) == doc:
            continue
        values = {"template": emp.template, "result": doc, "position": position, "computed_at": now}
        if no in before:
            conn.execute(annual_scores.update()
                         .where(annual_scores.c.employee == no, annual_scores.c.year == year).values(**values))
        else:
            new_rows.append({"employee": no, "year": year, **values})
    insert_rows(conn, annual_scores, new_rows)
