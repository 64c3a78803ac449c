"""薪资调整变更表: what changed in a month's payroll after the month was first closed.

The rankings keep every published revision with the events that moved it. The payroll as
first closed is the first revision of each group with a close date; each later revision
that changes someone's adjustment is a line: old and new amount, when the correction was
made and who made it (the revoker of a revoked event, the recorder of a late one).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from services.reports import queries
from services.reports.models import PayrollChange, PayrollChangesModel
from services.reports.render.labels import EVENT_TYPE
from services.reports.sheets import local_time
from services.reports.summaries import yuan
from shared import org
from shared.domain.events import RecordedEvent

Revision = dict[str, Any]


def build_payroll_changes(conn: Connection, project: str, project_name: str, period: str) -> PayrollChangesModel:
    """Every change of an adjustment after the first close, oldest first."""
    groups: dict[tuple[str, str], list[Revision]] = defaultdict(list)
    for rev in queries.ranking_history(conn, project, period):
        groups[(rev["department"], rev["template"])].append(rev)
    found: list[tuple[str, Decimal, Decimal, Revision]] = []
    closed: list[str] = []
    for revisions in groups.values():
        first = next((i for i, r in enumerate(revisions) if r["closed_on"] is not None), None)
        if first is None:
            continue
        closed.append(revisions[first]["closed_on"].isoformat())
        before = _amounts(revisions[first])
        for rev in revisions[first + 1:]:
            after = _amounts(rev)
            found += [(no, before.get(no, Decimal(0)), after.get(no, Decimal(0)), rev)
                      for no in sorted(before.keys() | after.keys())
                      if before.get(no, Decimal(0)) != after.get(no, Decimal(0))]
            before = after
    causes = queries.events_with_revocations(conn, sorted({e for *_, r in found for e in r["cause_event_ids"]}))
    people = {m.employee_no: m for m in org.members(conn, period, project)}
    names = queries.people_names(conn, sorted({_actor(*c) for c in causes.values()} - {""}))
    gone = sorted({no for no, *_ in found} - people.keys())  # moved on since: named as registered
    for no, emp in (org.load_people(conn, gone).employees.items() if gone else ()):
        people[no] = org.Member(no, emp.name, project, emp.department, emp.template, emp.position)
    found.sort(key=lambda f: (f[3]["position"], f[3]["created_at"], f[3]["department"], f[0]))  # as they happened
    rows = [_change(no, old, new, rev, people.get(no), causes, names) for no, old, new, rev in found]
    return PayrollChangesModel(project, project_name, period, min(closed, default=""), tuple(rows))


def _amounts(rev: Revision) -> dict[str, Decimal]:
    return {r["employee"]: yuan(r.get("payroll_adjustment")) for r in rev["rows"]
            if r.get("payroll_adjustment")}


def _actor(event: RecordedEvent, revocation: RecordedEvent | None) -> str:
    return str((revocation or event).actor or "")


def _change(no: str, old: Decimal, new: Decimal, rev: Revision, member: org.Member | None,
            causes: dict[str, tuple[RecordedEvent, RecordedEvent | None]], names: dict[str, str]) -> PayrollChange:
    mine = [causes[e] for e in rev["cause_event_ids"] if e in causes]
    # A revocation after this revision's position had not happened yet: the event entered here.
    acts = [(event, revocation if revocation is not None and revocation.position <= rev["position"] else None)
            for event, revocation in mine]
    by = sorted({names.get(_actor(*a)) or _actor(*a) for a in acts} - {""})
    at = max((local_time((revocation or event).recorded_at) for event, revocation in acts),
             default=local_time(rev["created_at"]))
    return PayrollChange(
        employee_no=no, name=member.name if member else "", department=member.department if member else rev["department"],
        old=old, new=new, at=at, by="、".join(by) or "系统重算", cause="; ".join(_what(*a) for a in acts))


def _what(event: RecordedEvent, revocation: RecordedEvent | None) -> str:
    kind = EVENT_TYPE.get(event.type, event.type)
    if revocation is not None:
        reason = str(revocation.payload.get("reason") or "")
        return f"撤销{kind} {event.employee or ''} {event.occurred_on or event.period or ''}: {reason}".strip()
    return f"补录{kind} {event.employee or ''} {event.occurred_on or event.period or ''}".strip()
