"""Deciding appeals (SPEC §6): upheld revokes the appealed event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.incidents.event_commands import checked_reason
from shared.auth import MANAGERS, Principal
from shared.commands.meta import RequestMeta, metadata
from shared.db import Database
from shared.domain import events as ev
from shared.domain.appeals import DECISION_LABELS, Appeal, appeals
from shared.domain.events import NewEvent, RecordedEvent
from shared.errors import Conflict, Forbidden, NotFound
from shared.eventstore import EventStore
from shared.hashing import utc_iso
from shared.tables import event_revocations

READERS = frozenset({"supervisor", "manager", "gm", "auditor", "admin"})
ALL = 100_000


@dataclass(frozen=True)
class Resolved:
    resolution: RecordedEvent
    revocation: RecordedEvent | None


def resolve_appeal(db: Database, principal: Principal, appeal_id: str, decision: str, reason: str,
                   meta: RequestMeta, now: datetime | None = None) -> Resolved:
    """Decide an open appeal as a manager or gm of its project (or admin)."""
    if principal.role not in MANAGERS:
        raise Forbidden(f"角色 {principal.role} 不能处理申诉 (managers and gms decide appeals)")
    reason = checked_reason(reason)
    with db.write() as conn:
        store = EventStore(conn)
        appeal = store.get(appeal_id)
        if appeal is None or appeal.type != ev.APPEAL or not principal.in_scope(appeal.project):
            raise NotFound(f"无此申诉 (no appeal {appeal_id})")
        month = store.query(employee=appeal.employee, period=appeal.period, limit=ALL,
                            types=(ev.APPEAL, ev.APPEAL_RESOLVED, ev.REVOCATION))
        state = next(a for a in appeals(month) if a.id == appeal_id)
        if not state.open:
            raise Conflict(f"该申诉已处理：{state.label} (the appeal is already decided)")
        md = metadata(principal, meta)
        news = [NewEvent(stream=appeal.stream, type=ev.APPEAL_RESOLVED, metadata=md, period=appeal.period,
                         employee=appeal.employee, project=appeal.project,
                         payload={"appeal_id": appeal_id, "event_id": state.event_id, "decision": decision,
                                  "reason": reason})]
        revoked = {str(e.payload.get("event_id")) for e in month if e.type == ev.REVOCATION}
        target = store.get(state.event_id)
        if decision == "upheld" and target is not None and target.id not in revoked:
            news.append(NewEvent(stream=target.stream, type=ev.REVOCATION, metadata=md, period=target.period,
                                 employee=target.employee, project=target.project,
                                 payload={"event_id": target.id, "revoked_type": target.type,
                                          "reason": f"{DECISION_LABELS['upheld']}：{reason}", "appeal_id": appeal_id}))
        recorded = store.append(news, now=now)
        if len(recorded) > 1:
            conn.execute(event_revocations.insert().values(event_id=state.event_id, revocation_id=recorded[1].id))
    return Resolved(recorded[0], recorded[1] if len(recorded) > 1 else None)


def list_appeals(db: Database, principal: Principal, project: str | None, period: str | None,
                 status: str | None) -> list[dict[str, Any]]:
    """Appeals in the caller's scope with the appealed event and its evidence, oldest first."""
    if principal.role == "employee":
        own: str | None = principal.user
    elif principal.role in READERS:
        own = None
    else:
        raise Forbidden(f"角色 {principal.role} 不能查看申诉 (role may not read appeals)")
    if project is not None and not principal.in_scope(project):
        raise Forbidden(f"无权访问项目 {project} (outside your scope)")
    scope = None if principal.is_admin else sorted(principal.projects)
    with db.read() as conn:
        store = EventStore(conn)
        filed = store.query(type=ev.APPEAL, project=project, projects=scope, period=period, employee=own, limit=ALL)
        ids = [e.id for e in filed]
        decided = store.query(type=ev.APPEAL_RESOLVED, project=project, projects=scope, period=period,
                              employee=own, limit=ALL)
        targets = {e.id: e for e in store.query(ids=[str(e.payload["event_id"]) for e in filed], limit=ALL)}
        revoked = set(conn.execute(select(event_revocations.c.event_id)
                                   .where(event_revocations.c.event_id.in_(list(targets)))).scalars())
    found = [a for a in appeals([*filed, *decided]) if a.id in ids]
    wanted = [a for a in found if status is None or (status == "open") == a.open]
    projects = {e.id: e.project for e in filed}
    return [_json(a, projects.get(a.id), targets.get(a.event_id), a.event_id in revoked) for a in wanted]


def _json(a: Appeal, project: str | None, target: RecordedEvent | None, revoked: bool) -> dict[str, Any]:
    event = None if target is None else {
        "id": target.id, "type": target.type, "item": target.payload.get("item"), "rule": target.payload.get("rule"),
        "bonus": target.payload.get("bonus"), "count": target.payload.get("count"),
        "points": target.payload.get("points"), "value": target.payload.get("value"),
        "occurred_on": target.occurred_on.isoformat() if target.occurred_on else None,
        "evidence": target.payload.get("evidence") or "", "recorded_by": target.metadata.get("actor_name")
        or target.actor, "revoked": revoked}
    return {"appeal_id": a.id, "employee": a.employee, "project": project, "period": a.period, "reason": a.reason,
            "filed_at": utc_iso(a.filed_at), "filed_by": a.filed_by, "status": "open" if a.open else "resolved",
            "decision": a.decision, "decision_reason": a.decision_reason, "resolved_by": a.resolved_by or None,
            "resolved_at": utc_iso(a.resolved_at) if a.resolved_at else None, "event": event}
