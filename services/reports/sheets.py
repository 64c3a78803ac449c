"""Build the per-employee records (考核记录表, 追溯记录) from the read models and the log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from services.reports import queries, results
from services.reports.models import (
    AuditEvent,
    AuditModel,
    AuditRevision,
    BonusLine,
    DeductionLine,
    SheetItem,
    SheetModel,
    SignOff,
)
from shared import org
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.periods import TZ, months_of_year
from shared.domain.template import Template

SUMMARY_LIMIT = 160


def local_time(moment: str | datetime | None) -> str:
    """A stored UTC instant as Beijing time, to the minute (blank when absent)."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _template(conn: Connection, code: str, version: int, period: str) -> Template | None:
    versions = org.template_versions(conn, code)
    exact = [t for t in versions if t.version == version]
    return exact[0] if exact else org.template_for(conn, code, period)


def _live(events: list[RecordedEvent]) -> list[RecordedEvent]:
    revoked = {str(e.payload.get("event_id")) for e in events if e.type == ev.REVOCATION}
    return [e for e in events if e.id not in revoked and e.type != ev.REVOCATION]


def _latest(events: list[RecordedEvent], type_: str, stage: str | None = None) -> RecordedEvent | None:
    found = [e for e in events if e.type == type_ and (stage is None or e.payload.get("stage") == stage)]
    return found[-1] if found else None


def _who(user: str | None, names: dict[str, str]) -> str:
    """A recorder as people know them: 姓名 (工号) when the token's user is an employee."""
    if not user:
        return ""
    return f"{names[user]} ({user})" if user in names else user


def _sign_off(label: str, e: RecordedEvent | None, names: dict[str, str]) -> SignOff:
    if e is None:
        return SignOff(label)
    return SignOff(label, _who(e.actor, names), local_time(e.recorded_at), str(e.payload.get("comment") or ""))


def _deductions(raw: list[dict[str, Any]], rule_titles: dict[str, str],
                names: dict[str, str]) -> tuple[DeductionLine, ...]:
    return tuple(DeductionLine(
        occurred_on=d.get("occurred_on") or "", rule=rule_titles.get(d["rule"], d["rule"]),
        amount=float(d["amount"]), evidence=d.get("evidence") or "", source=d.get("source") or "",
        recorded_by=_who(d.get("recorded_by"), names), recorded_at=local_time(d.get("recorded_at")),
        event_id=d["event_id"]) for d in raw)


def _items(doc: dict[str, Any], template: Template | None, self_scores: dict[str, Any] | None,
           approved: bool, names: dict[str, str]) -> tuple[SheetItem, ...]:
    out = []
    for n, item in enumerate(doc["items"], start=1):
        rubric = template.item(item["code"]) if template else None
        titles = {r.code: r.title for r in rubric.rules} if rubric else {}
        own = None if self_scores is None or item["code"] not in self_scores else float(self_scores[item["code"]])
        out.append(SheetItem(
            no=n, category=rubric.category if rubric else "", title=item.get("title") or item["code"],
            points=float(item["points"]), self_score=own, supervisor=float(item["score"]),
            approved=float(item["score"]) if approved else None, deducted=float(item["deducted"]),
            deductions=_deductions(item.get("deductions", []), titles, names)))
    return tuple(out)


def _trend(conn: Connection, employee_no: str, period: str, final: float) -> tuple[tuple[str, float | None], ...]:
    stored = queries.finals_in_year(conn, [employee_no], period[:4]).get(employee_no, {})
    finals = {p: v["final"] for p, v in stored.items()} | {period: final}
    return tuple((f"{int(p[5:])}月", finals.get(p) if p <= period else None) for p in months_of_year(period[:4]))


def build_sheet(conn: Connection, emp: org.Employee, period: str, today: date) -> SheetModel:
    """员工月绩效考核记录表 for one employee-month (stored score, or computed read-only)."""
    doc = results.employee_result(conn, emp, period, today)
    template = _template(conn, doc["template"], int(doc["template_version"]), period)
    live = _live(queries.employee_events(conn, emp.employee_no, period))
    assessment = _latest(live, ev.SELF_ASSESSMENT)
    gm = _latest(live, ev.REVIEW, "gm")
    bonus_titles = {b.code: b.title for b in template.bonuses} if template else {}
    raters = template.raters if template else {}
    actors = {d.get("recorded_by") for i in doc["items"] for d in i.get("deductions", [])} | \
        {e.actor for e in live}
    names = queries.employee_names(conn, sorted(a for a in actors if a))
    return SheetModel(
        employee_no=emp.employee_no, name=emp.name, project=doc["project"],
        project_name=queries.project_names(conn, [doc["project"]]).get(doc["project"], doc["project"]),
        department=doc["department"], position=emp.position, period=period,
        template=doc["template"], template_name=template.name if template else doc["template"],
        template_version=int(doc["template_version"]),
        items=_items(doc, template, assessment.payload.get("scores") if assessment else None, gm is not None,
                     names),
        total_points=sum(float(i["points"]) for i in doc["items"]),
        self_total=doc.get("self"), supervisor=float(doc["supervisor"]), weighted=float(doc["weighted"]),
        weights=(float(raters.get("self", 0)), float(raters.get("supervisor", 1))),
        bonus=float(doc["bonus"]),
        bonuses=tuple(BonusLine(bonus_titles.get(b["code"], b["code"]), float(b["points"]), b.get("evidence") or "")
                      for b in doc.get("bonuses", [])),
        final=float(doc["final"]), excellent="excellent" in doc.get("awards", []),
        rank=doc.get("rank"), rank_of=doc.get("rank_of"), status=doc["status"],
        analysis=str(assessment.payload.get("analysis") or "") if assessment else "",
        sign_offs=(_sign_off("被考核人签字", _latest(live, ev.ACKNOWLEDGEMENT), names),
                   _sign_off("经理签字确认", _latest(live, ev.REVIEW, "manager"), names),
                   _sign_off("总经理签字确认", gm, names)),
        flags=tuple(doc.get("flags", [])), trend=_trend(conn, emp.employee_no, period, float(doc["final"])),
        revision=int(doc.get("revision", 0)), event_position=int(doc.get("position", 0)),
    )


def summarize(payload: dict[str, Any]) -> str:
    """A payload as one line `key=value; ...`, each value cut to keep the table readable."""
    parts = []
    for key, value in payload.items():
        text = value if isinstance(value, str) else _compact(value)
        parts.append(f"{key}={text}")
    line = "; ".join(parts)
    return line if len(line) <= SUMMARY_LIMIT else line[:SUMMARY_LIMIT - 1] + "…"


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return str(value)


def build_audit(conn: Connection, emp: org.Employee, period: str) -> AuditModel:
    """Every event (revocations and appeals included) and every revision behind one score."""
    events = queries.employee_events(conn, emp.employee_no, period)
    revoked_by = {str(e.payload.get("event_id")): e.id for e in events if e.type == ev.REVOCATION}
    revisions = queries.revisions(conn, emp.employee_no, period)
    latest = revisions[-1] if revisions else None
    place = org.assignment_for(conn, emp.employee_no, period)
    return AuditModel(
        employee_no=emp.employee_no, name=emp.name, project=place.project if place else emp.project,
        period=period, final=latest["new_final"] if latest else None,
        position=latest["position"] if latest else 0, revision=latest["revision"] if latest else 0,
        events=tuple(AuditEvent(
            position=e.position, id=e.id, type=e.type, summary=summarize(e.payload),
            recorder=f"{e.actor or ''} ({e.metadata.get('role', '')})" if e.actor else "",
            recorded_at=local_time(e.recorded_at), hash=e.hash, prev_hash=e.prev_hash,
            revoked_by=revoked_by.get(e.id, "")) for e in events),
        revisions=tuple(AuditRevision(
            revision=r["revision"], old_final=r["old_final"], new_final=r["new_final"],
            cause_event_ids=tuple(r["cause_event_ids"]), position=r["position"],
            created_at=local_time(r["created_at"])) for r in revisions),
    )
