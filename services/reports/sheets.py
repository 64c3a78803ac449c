"""Build the per-employee records (考核记录表, 追溯记录) from the read models and the log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from services.reports import queries, results, sheet_form, signoffs
from services.reports.models import (
    AppealLine,
    AuditEvent,
    AuditModel,
    AuditRevision,
    BonusLine,
    DeductionLine,
    SheetItem,
    SheetModel,
    SignOff,
)
from services.reports.render.labels import ROLE as ROLE_LABEL
from shared import org
from shared.domain import events as ev
from shared.domain.appeals import Appeal, appeals
from shared.domain.layout import SheetLayout, printable
from shared.domain.periods import TZ, months_of_year
from shared.domain.signoff import Step, live_events
from shared.domain.template import Rule, Template
from shared.eventstore import EventStore

SUMMARY_LIMIT = 160
ACKNOWLEDGEMENT = "acknowledgement"


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


def _who(user: str | None, names: dict[str, str]) -> str:
    """A recorder as people know them: 姓名 (工号), or the account's display name."""
    if not user:
        return ""
    return names.get(user, user)


def _sign_off(label: str, step: Step | None, names: dict[str, str], stage: str = "") -> SignOff:
    if step is None:
        return SignOff(label, stage=stage)
    return SignOff(label, names.get(step.actor) or step.actor_name, local_time(step.at), step.comment, stage)


def _appeal_note(a: Appeal | None) -> str:
    if a is None:
        return ""
    note = f"申诉: {a.reason} ({local_time(a.filed_at)})"
    if a.open:
        return note + " · 待处理"
    return f"{note} · {a.label}: {a.decision_reason} ({a.resolved_by} {local_time(a.resolved_at)})"


def _deductions(raw: list[dict[str, Any]], rules: dict[str, Rule], names: dict[str, str],
                appealed: dict[str, Appeal], reported: dict[str, Any]) -> tuple[DeductionLine, ...]:
    return tuple(DeductionLine(
        occurred_on=d.get("occurred_on") or "",
        rule=printable(rules[d["rule"]].title) if d["rule"] in rules else d["rule"],
        amount=float(d["amount"]), evidence=d.get("evidence") or "", source=d.get("source") or "",
        recorded_by=_who(d.get("recorded_by"), names), recorded_at=local_time(d.get("recorded_at")),
        appeal=_appeal_note(appealed.get(d["event_id"])),
        metric=sheet_form.metric(rules.get(d["rule"]), reported.get(d["event_id"])) if d.get("rule_kind") == sheet_form.PER_PERCENT
        else "", event_id=d["event_id"]) for d in raw)


def _items(doc: dict[str, Any], template: Template | None, layout: SheetLayout, self_scores: dict[str, Any] | None,
           names: dict[str, str], appealed: dict[str, Appeal], reported: dict[str, Any]) -> tuple[SheetItem, ...]:
    rubrics = [template.item(item["code"]) if template else None for item in doc["items"]]
    categories = [printable(r.category) if r else "" for r in rubrics]
    out = []
    for n, (item, rubric, span) in enumerate(zip(doc["items"], rubrics, sheet_form.spans(categories), strict=True), start=1):
        rules = {r.code: r for r in rubric.rules} if rubric else {}
        own = None if self_scores is None or item["code"] not in self_scores else float(self_scores[item["code"]])
        out.append(SheetItem(
            no=n, category=categories[n - 1], title=printable(item.get("title") or item["code"]),
            points=float(item["points"]), self_score=own, supervisor=float(item["score"]),
            deducted=float(item["deducted"]),
            deductions=_deductions(item.get("deductions", []), rules, names, appealed, reported),
            criteria=tuple(printable(r.title) for r in rules.values()),
            basis=layout.basis.get(item["code"], ""), category_span=span))
    return tuple(out)


def _trend(conn: Connection, employee_no: str, period: str, final: float) -> tuple[tuple[str, float | None], ...]:
    stored = queries.finals_in_year(conn, [employee_no], period[:4]).get(employee_no, {})
    finals = {p: v["final"] for p, v in stored.items()} | {period: final}
    return tuple((f"{int(p[5:])}月", finals.get(p) if p <= period else None) for p in months_of_year(period[:4]))


def build_sheet(conn: Connection, emp: org.Employee, period: str, today: date, money: bool = True) -> SheetModel:
    """员工月绩效考核记录表 for one employee-month, in its template's printed form; `money`: print the
    yuan of the ranking's consequences (SPEC §1: manager and above, and the employee's own sheet)."""
    doc = results.employee_result(conn, emp, period, today)
    template = _template(conn, doc["template"], int(doc["template_version"]), period)
    trail = signoffs.trails(conn, [emp.employee_no], period)[emp.employee_no]
    rank = next((r for r in results.ranking_rows(conn, doc["project"], period, today)
                 if r["employee"] == emp.employee_no), None)
    sign = signoffs.state(conn, doc, rank, trail)
    assessment = next((e for e in reversed(live_events(trail)) if e.type == ev.SELF_ASSESSMENT), None)
    appealed = {a.event_id: a for a in appeals(trail)}
    bonus_titles = {b.code: printable(b.title) for b in template.bonuses} if template else {}
    layout = sheet_form.layout(template)
    raters = template.raters if template else {}
    actors = {d.get("recorded_by") for i in doc["items"] for d in i.get("deductions", [])} | \
        {e.actor for e in trail}
    names = queries.people_names(conn, sorted(a for a in actors if a))
    return SheetModel(
        employee_no=emp.employee_no, name=emp.name, project=doc["project"],
        project_name=queries.project_names(conn, [doc["project"]]).get(doc["project"], doc["project"]),
        department=doc["department"], position=emp.position, period=period,
        template=doc["template"], template_name=printable(template.name) if template else doc["template"],
        template_version=int(doc["template_version"]),
        items=_items(doc, template, layout, assessment.payload.get("scores") if assessment else None,
                     names, appealed, sheet_form.reported_values(conn, doc)),
        total_points=sum(float(i["points"]) for i in doc["items"]),
        self_total=doc.get("self"), supervisor=float(doc["supervisor"]), weighted=float(doc["weighted"]),
        weights=(float(raters.get("self", 0)), float(raters.get("supervisor", 1))),
        bonus=float(doc["bonus"]),
        bonuses=tuple(BonusLine(bonus_titles.get(b["code"], b["code"]), float(b["points"]), b.get("evidence") or "")
                      for b in doc.get("bonuses", [])),
        final=float(doc["final"]), excellent="excellent" in doc.get("awards", []),
        rank=doc.get("rank"), rank_of=doc.get("rank_of"), status=sign.status,
        analysis=str(assessment.payload.get("analysis") or "") if assessment else "",
        sign_offs=tuple(s for s in (
            _sign_off("被考核人签字", sign.signature.step if sign.signed and sign.signature else None, names,
                      ACKNOWLEDGEMENT),
            _sign_off("经理签字确认", sign.manager, names, "manager"),
            _sign_off("总经理签字确认", sign.gm, names, "gm")) if s.stage in sign.stages),
        corrected=tuple(_change(what, old, new) for what, old, new in
                        (sign.signature.changes if sign.lapsed and sign.signature else ())),
        signed_before=tuple(_sign_off("被考核人签字", s.step, names) for s in sign.signatures if not s.valid),
        appeals=_appeal_lines(conn, list(appealed.values()), template),
        flags=tuple(doc.get("flags", [])), trend=_trend(conn, emp.employee_no, period, float(doc["final"])),
        revision=int(doc.get("revision", 0)), event_position=int(doc.get("position", 0)),
        layout=layout, bonus_rules=tuple(bonus_titles.values()), consequences=sheet_form.consequences(rank, money),
        provisional=rank is not None and not org.is_closed(conn, doc["project"], period),
        review=_sign_off("经理初评", sign.manager, names), approval=_sign_off("总经理审核", sign.gm, names),
    )


def _appeal_lines(conn: Connection, found: list[Appeal], template: Template | None) -> tuple[AppealLine, ...]:
    """Every appeal of the month, the upheld ones too (their record no longer counts)."""
    targets = {e.id: e for e in EventStore(conn).query(ids=[a.event_id for a in found], limit=len(found) + 1)}
    out = []
    for a in found:
        e = targets.get(a.event_id)
        item = template.item(str(e.payload.get("item"))) if template and e else None
        rule = item.rule(str(e.payload.get("rule"))) if item and e else None
        bonus = template.bonus(str(e.payload.get("bonus"))) if template and e else None
        title = printable(rule.title if rule else (bonus.title if bonus else (e.type if e else "")))
        points = e.payload.get("points") or (rule.points if rule and rule.points is not None else "") if e else ""
        out.append(AppealLine(
            occurred_on=e.occurred_on.isoformat() if e and e.occurred_on else (a.period if e else ""),
            record=f"{title} {points}分".strip() if points != "" else title,
            evidence=str(e.payload.get("evidence") or "") if e else "", reason=a.reason,
            filed=f"{a.filed_by} {local_time(a.filed_at)}", decision=a.label, decision_reason=a.decision_reason,
            decided=f"{a.resolved_by} {local_time(a.resolved_at)}" if a.resolved_at else ""))
    return tuple(out)


def _change(what: str, old: Any, new: Any) -> tuple[str, str, str]:
    """One line of 已更正，待重新签字: what changed, as signed → as now."""
    label = {"final": "最终得分", "awards": "奖项", "consequences": "排名结果",
             "payroll_adjustment": "薪资调整(元)", "improvement_due": "整改方案截止"}.get(what, what)
    if what.startswith("items."):
        label = f"考核项目 {what.split('.', 1)[1]}"
    return label, _plain(old), _plain(new)


def _plain(value: Any) -> str:
    if value is None:
        return "无"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "无"
    return str(value)


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
    names = queries.people_names(conn, sorted({e.actor for e in events if e.actor}))
    return AuditModel(
        employee_no=emp.employee_no, name=emp.name, project=place.project if place else emp.project,
        period=period, final=latest["new_final"] if latest else None,
        position=latest["position"] if latest else 0, revision=latest["revision"] if latest else 0,
        events=tuple(AuditEvent(
            position=e.position, id=e.id, type=e.type, summary=summarize(e.payload),
            recorder=f"{names.get(e.actor) or e.metadata.get('actor_name') or e.actor} "
                     f"({ROLE_LABEL.get(str(e.metadata.get('role')), e.metadata.get('role', ''))})" if e.actor else "",
            recorded_at=local_time(e.recorded_at), hash=e.hash, prev_hash=e.prev_hash,
            revoked_by=revoked_by.get(e.id, "")) for e in events),
        revisions=tuple(AuditRevision(
            revision=r["revision"], old_final=r["old_final"], new_final=r["new_final"],
            cause_event_ids=tuple(r["cause_event_ids"]), position=r["position"],
            created_at=local_time(r["created_at"])) for r in revisions),
    )
