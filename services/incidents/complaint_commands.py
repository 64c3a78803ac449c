"""The complaint ledger's commands besides its steps: a project's deadlines, and what a
supervisor does with a suggested deduction (SPEC §7.7). Nothing is deducted without a person."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from services.incidents.event_commands import Appended, append_bodies
from shared import ledger, org
from shared.auth import MANAGERS, SUPERVISORS, Principal
from shared.commands.meta import RequestMeta, metadata
from shared.db import Database
from shared.domain import complaints as c
from shared.domain.events import NewEvent
from shared.domain.periods import TZ
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.eventstore import EventStore
from shared.tables import complaint_deadlines


def set_deadlines(db: Database, principal: Principal, project: str, data: dict[str, int], meta: RequestMeta,
                  now: datetime) -> dict[str, Any]:
    """A project's complaint deadlines (manager, gm or admin of the project)."""
    if principal.role not in MANAGERS or not principal.in_scope(project):
        raise Forbidden("只有本项目经理、总经理或管理员可以设定投诉时限 (managers of the project set deadlines)")
    with db.write() as conn:
        if not org.project_exists(conn, project):
            raise NotFound(f"无此项目 (no project {project})")
        [rec] = EventStore(conn).append([NewEvent(
            stream=f"project:{project}", type=c.DEADLINES_SET, payload={"project": project, **data},
            metadata=metadata(principal, meta), project=project)], now=now)
        conn.execute(complaint_deadlines.delete().where(complaint_deadlines.c.project == project))
        conn.execute(complaint_deadlines.insert().values(project=project, event_id=rec.id, **data))
    return {"project": project, **data}


def open_suggestion(conn: Connection, key: str, now: datetime) -> c.Overdue:
    """The missed deadline a suggestion stands for, if it is still waiting for a person."""
    project, _, rest = key.partition(":")
    complaint, _, kind = rest.rpartition(":")
    found = ledger.complaints(conn, project).get(complaint) if project and complaint else None
    missed = [o for o in c.missed(found, ledger.deadlines(conn, project), now) if o.kind == kind] if found else []
    if not missed:
        raise NotFound(f"无此建议扣分 (no suggested deduction {key})")
    handled = {str(e.payload.get("suggestion")) for e in ledger.ledger_events(conn, project, complaint=complaint)
               if e.type in (c.SUGGESTION_CONFIRMED, c.SUGGESTION_DISMISSED)}
    if key in handled:
        raise Conflict("该建议扣分已处理 (the suggestion has been confirmed or dismissed already)")
    if not missed[0].complaint.responsible:
        raise Conflict("该投诉未指定责任人，无法扣分 (the complaint names no responsible employee)")
    return missed[0]


def _check(principal: Principal, key: str) -> None:
    if principal.role not in SUPERVISORS:
        raise Forbidden(f"角色 {principal.role} 不能处理建议扣分 (supervisors and above decide)")
    if not principal.in_scope(key.partition(":")[0]):
        raise NotFound(f"无此建议扣分 (no suggested deduction {key})")


def deduction_body(o: c.Overdue, rule: tuple[str, str], points: Decimal | None) -> dict[str, Any]:
    """The ordinary deduction that confirms a suggestion: its evidence names the complaint and the deadline."""
    due = o.due.astimezone(TZ)
    body: dict[str, Any] = {
        "type": "deduction", "employee": o.complaint.responsible, "item": rule[0], "rule": rule[1],
        "occurred_on": due.date(), "source": "投诉台账",
        "evidence": f"投诉 {o.complaint.id}（{o.complaint.summary[:60]}）{c.LABELS[o.kind]}，"
                    f"期限 {due:%Y-%m-%d %H:%M}"}
    if points is not None:
        body["points"] = points
    return body


def confirm(db: Database, principal: Principal, key: str, rule: tuple[str, str] | None, points: Decimal | None,
            meta: RequestMeta, now: datetime) -> Appended:
    """Confirm a suggestion with one action: the deduction, and the ledger's note of it, at once."""
    _check(principal, key)
    with db.write() as conn:
        o = open_suggestion(conn, key, now)
        chosen = rule or ledger.suggested_rule(org.OrgView(conn), o)
        if chosen is None:
            raise Invalid.field("rule", "该员工的考核表无对应扣分规则，请选择项目和规则 (choose the item and rule)")
        recorded = append_bodies(conn, principal, [deduction_body(o, chosen, points)], meta, now)
        note = NewEvent(stream=ledger.complaint_stream(o.complaint.project, o.complaint.id),
                        type=c.SUGGESTION_CONFIRMED, metadata=metadata(principal, meta), period=o.complaint.period,
                        project=o.complaint.project,
                        payload={"project": o.complaint.project, "complaint": o.complaint.id, "suggestion": key,
                                 "kind": o.kind, "deduction": recorded[0].id})
        return Appended([*recorded, *EventStore(conn).append([note], now=now)], replayed=False)


def dismiss(db: Database, principal: Principal, key: str, reason: str, meta: RequestMeta,
            now: datetime) -> Appended:
    """Dismiss a suggestion, with the reason on record."""
    _check(principal, key)
    with db.write() as conn:
        o = open_suggestion(conn, key, now)
        note = NewEvent(stream=ledger.complaint_stream(o.complaint.project, o.complaint.id),
                        type=c.SUGGESTION_DISMISSED, metadata=metadata(principal, meta), period=o.complaint.period,
                        project=o.complaint.project,
                        payload={"project": o.complaint.project, "complaint": o.complaint.id, "suggestion": key,
                                 "kind": o.kind, "reason": reason})
        return Appended(EventStore(conn).append([note], now=now), replayed=False)
