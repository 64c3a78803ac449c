"""The complaint ledger read back (SPEC §7.7): complaints with their timelines and what is
overdue (worked out now, in Asia/Shanghai), the month's rates, the suggested deductions and
the two forms of seed 004: 用户意见受理表 and 回访用户月统计表."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from services.reports import queries
from services.reports.models import ComplaintRow, ComplaintsModel, FollowupCase, FollowupsModel
from shared import ledger, org
from shared.domain import complaints as c
from shared.domain.periods import TZ


def local(moment: datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(TZ).isoformat(timespec="minutes") if moment else None


def _names(conn: Connection, found: Iterable[c.Complaint]) -> dict[str, str]:
    people = sorted({x.responsible for x in found if x.responsible})
    return {no: f"{name} ({no})" for no, name in queries.employee_names(conn, people).items()}


def _deadline(o: c.Overdue, taken: c.Step | None = None) -> dict[str, Any]:
    out = {"kind": o.kind, "label": c.LABELS[o.kind], "due": _iso(o.due)}
    if taken is not None:
        out["done_at"] = _iso(taken.at)
    return out


def complaint_json(x: c.Complaint, rules: c.Deadlines, now: datetime, names: dict[str, str]) -> dict[str, Any]:
    missed = c.missed(x, rules, now)
    return {
        "project": x.project, "complaint": x.id, "period": x.period, "received_at": _iso(x.received_at),
        "channel": x.channel, "severity": x.severity, "category": x.category, "summary": x.summary,
        "location": x.location, "responsible": x.responsible,
        "responsible_name": names.get(x.responsible or "", x.responsible),
        "status": "closed" if x.closed else "open",
        "timeline": [{"type": s.kind, "at": _iso(s.at), "by": s.by, "text": s.text, "result": s.result,
                      "next_at": _iso(s.next_at)} for s in x.steps],
        "overdue": [_deadline(o) for o in missed if c.still_open(o, now)],
        "late": [_deadline(o) for o in missed if not c.still_open(o, now) and o.kind != "next_followup"],
        "replied_in_time": c.in_time(x, "reply", rules),
        "escalated_in_time": c.in_time(x, "escalation", rules),
        "followed_up_in_time": c.in_time(x, "followup", rules),
    }


def list_complaints(conn: Connection, project: str, period: str | None, status: str | None, overdue: bool,
                    now: datetime) -> list[dict[str, Any]]:
    rules, found = ledger.deadlines(conn, project), list(ledger.complaints(conn, project, period).values())
    names = _names(conn, found)
    out = [complaint_json(x, rules, now, names) for x in sorted(found, key=lambda x: x.received_at)]
    return [x for x in out if (status is None or x["status"] == status) and (not overdue or x["overdue"])]


def one_complaint(conn: Connection, project: str, complaint: str, now: datetime) -> dict[str, Any] | None:
    """One complaint with its timeline and what is overdue now, or None."""
    found = c.timelines(ledger.ledger_events(conn, project, complaint=complaint)).get((project, complaint))
    if found is None:
        return None
    return complaint_json(found, ledger.deadlines(conn, project), now, _names(conn, [found]))


def next_id(conn: Connection, project: str, year: int) -> str:
    """The next free id of the desk's numbering, TS-<year>-0001 onwards (any other id may be typed)."""
    prefix = f"TS-{year}-"
    taken = [int(x[len(prefix):]) for x in ledger.complaints(conn, project)
             if x.startswith(prefix) and x[len(prefix):].isdigit()]
    return f"{prefix}{max(taken, default=0) + 1:04d}"


def month_stats(conn: Connection, project: str, period: str) -> c.Stats:
    return c.stats(ledger.complaints(conn, project, period).values(), period, ledger.deadlines(conn, project))


def suggestions(conn: Connection, project: str, status: str | None, now: datetime) -> list[dict[str, Any]]:
    """Missed deadlines as suggested deductions for the responsible employee (nothing is
    deducted until a supervisor confirms one)."""
    events = ledger.ledger_events(conn, project)
    found = [x for key, x in c.timelines(events).items()]
    decided = {str(e.payload.get("suggestion")): e for e in events
               if e.type in (c.SUGGESTION_CONFIRMED, c.SUGGESTION_DISMISSED)}
    rules, names, view = ledger.deadlines(conn, project), _names(conn, found), org.OrgView(conn)
    out = []
    for x in found:
        for o in c.missed(x, rules, now):
            note = decided.get(o.key)
            state = "open" if note is None else ("confirmed" if note.type == c.SUGGESTION_CONFIRMED else "dismissed")
            if status is not None and state != status:
                continue
            out.append({"id": o.key, "project": project, "complaint": x.id, "period": x.period, "kind": o.kind,
                        "label": c.LABELS[o.kind], "due": _iso(o.due), "summary": x.summary,
                        "severity": x.severity, "responsible": x.responsible,
                        "rule": _rule(view, o) if state == "open" else None,
                        "responsible_name": names.get(x.responsible or "", x.responsible), "status": state,
                        "decided_by": None if note is None else (note.metadata.get("actor_name") or note.actor),
                        "reason": None if note is None else note.payload.get("reason"),
                        "deduction": None if note is None else note.payload.get("deduction")})
    return sorted(out, key=lambda s: (s["due"] or "", s["id"]))


def _rule(view: org.OrgView, o: c.Overdue) -> dict[str, Any] | None:
    """The rubric rule a confirmation deducts under, as the responsible employee's template names it."""
    found = ledger.suggested_rule(view, o)
    placed = view.placement(str(o.complaint.responsible), o.complaint.period) if found else None
    if found is None or placed is None:
        return None
    item = next(i for i in placed[2].items if i.code == found[0])
    rule = item.rule(found[1])
    return {"item": item.code, "rule": found[1], "title": f"{item.title} · {rule.title if rule else found[1]}",
            "points": None if rule is None or rule.points is None else str(rule.points)}


def _row(x: c.Complaint, rules: c.Deadlines, names: dict[str, str]) -> ComplaintRow:
    reply, up, closed = x.first(c.REPLIED), x.first(c.ESCALATED), x.closed

    def mark(ok: bool | None) -> str:
        return "" if ok is None else ("按时" if ok else "超时")

    return ComplaintRow(
        id=x.id, received_at=local(x.received_at), channel=c.LABELS.get(x.channel, x.channel),
        severity=c.LABELS.get(x.severity, x.severity), category=x.category, summary=x.summary, location=x.location,
        responsible=names.get(x.responsible or "", x.responsible or ""),
        replied=f"{local(reply.at)} {mark(c.in_time(x, 'reply', rules))}\n{reply.text}" if reply else "",
        escalated=f"{local(up.at)} {mark(c.in_time(x, 'escalation', rules))}\n{up.text}" if up else
        ("未上报" if x.severity == "major" else ""),
        closed=f"{local(closed.at)}\n{closed.text}" if closed else "处理中",
        handler=closed.by if closed else (reply.by if reply else ""),
        followups="\n".join(f"{local(s.at)} {c.LABELS.get(s.result or '', '')} {s.by}"
                            + (f" 下次 {local(s.next_at)}" if s.next_at else "") for s in x.followups))


def complaints_model(conn: Connection, project: str, project_name: str, period: str) -> ComplaintsModel:
    """用户意见受理表: every complaint of the month with its timeline, handler and follow-up."""
    rules, found = ledger.deadlines(conn, project), list(ledger.complaints(conn, project, period).values())
    names = _names(conn, found)
    rows = tuple(_row(x, rules, names) for x in sorted(found, key=lambda x: x.received_at))
    return ComplaintsModel(project, project_name, period, rows, c.stats(found, period, rules))


def followups_model(conn: Connection, project: str, project_name: str, period: str) -> FollowupsModel:
    """回访用户月统计表: counts, rates, the satisfaction split, the unsatisfied cases."""
    rules, found = ledger.deadlines(conn, project), list(ledger.complaints(conn, project, period).values())
    cases = []
    for x in sorted(found, key=lambda x: x.received_at):
        last = x.followups[-1] if x.followups else None
        if last is not None and last.result == "unsatisfied":
            cases.append(FollowupCase(x.id, x.summary, local(last.at), last.by, last.text, local(last.next_at)))
    return FollowupsModel(project, project_name, period, c.stats(found, period, rules), tuple(cases))
