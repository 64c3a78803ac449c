"""Recording the complaint ledger (SPEC §7.7): who may, and whether a step fits the timeline.

Only staff of the project record it: leads and above the receipt and replies, supervisors
and above the escalation, the close and the follow-ups (回访 is the 主任's, seed 004). A
complaint id is unique in its project; every later step names a complaint received before,
moves its timeline forward and is not in the future. The book keeps each complaint's
timeline for one transaction, so a batch may carry a whole timeline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from shared import ledger, org
from shared.auth import RECORDERS, SUPERVISORS, Principal
from shared.domain import complaints as c
from shared.domain.events import NewEvent
from shared.domain.periods import TZ
from shared.errors import Conflict, Forbidden, Invalid
from shared.org import OrgView

TYPES = c.STEPS
MAY = {c.RECEIVED: RECORDERS, c.REPLIED: RECORDERS, c.ESCALATED: SUPERVISORS, c.CLOSED: SUPERVISORS,
       c.FOLLOWUP: SUPERVISORS}


class ComplaintBook:
    """The complaints a transaction records into, read once each and kept up to date."""

    def __init__(self, conn: Connection, view: OrgView, now: datetime) -> None:
        self.conn, self.view, self.now = conn, view, now
        self._known: dict[tuple[str, str], c.Complaint | None] = {}

    def complaint(self, project: str, complaint: str) -> c.Complaint | None:
        key = (project, complaint)
        if key not in self._known:
            found = c.timelines(ledger.ledger_events(self.conn, project, complaint=complaint))
            self._known[key] = found.get(key)
        return self._known[key]

    def prepare(self, principal: Principal, data: dict[str, Any], meta: dict[str, Any]) -> NewEvent:
        """Check one step and return its event; the book already counts it for the next."""
        kind, project, complaint = data["type"], data["project"], data["complaint"]
        if principal.role not in MAY[kind]:
            raise Forbidden(f"角色 {principal.role} 不能记录 {kind} (role {principal.role} may not record {kind})")
        if not principal.in_scope(project):
            raise Forbidden(f"无权访问项目 {project} (project {project} is outside your scope)")
        if not org.project_exists(self.conn, project):
            raise Invalid.field("project", f"未知项目 (unknown project {project!r})")
        payload = {k: v for k, v in data.items() if k != "type"}
        if kind == c.RECEIVED:
            moment = self._received(data)
        else:
            moment = self._step(data, self._existing(project, complaint))
        known = self.complaint(project, complaint)
        period = c.period_of(data["received_at"]) if kind == c.RECEIVED else known.period if known else ""
        new = NewEvent(stream=ledger.complaint_stream(project, complaint), type=kind, payload=payload,
                       metadata=meta, occurred_on=moment.astimezone(TZ).date(), period=period, project=project)
        self._apply(project, complaint, kind, data, meta)
        return new

    def _existing(self, project: str, complaint: str) -> c.Complaint:
        found = self.complaint(project, complaint)
        if found is None:
            raise Invalid.field("complaint", f"{project} 无此投诉 {complaint} (unknown complaint)")
        return found

    def _not_future(self, field: str, moment: datetime) -> datetime:
        if moment > self.now:
            raise Invalid.field(field, "时间不能晚于现在 (must not be in the future)")
        return moment

    def _received(self, data: dict[str, Any]) -> datetime:
        project, complaint = data["project"], data["complaint"]
        if self.complaint(project, complaint) is not None:
            raise Conflict(f"{project} 已有投诉编号 {complaint} (complaint id already used in the project)",
                           {"complaint": ["already used in this project"]})
        moment = self._not_future("received_at", data["received_at"])
        responsible = data.get("responsible")
        if responsible:
            place = self.view.assignment(responsible, c.period_of(moment))
            if place is None or place.project != data["project"]:
                raise Invalid.field("responsible", f"{responsible} 不是本项目当月的员工 (not on the project's staff)")
        return moment

    def _step(self, data: dict[str, Any], complaint: c.Complaint) -> datetime:
        kind, moment = data["type"], self._not_future("at", data["at"])
        if moment < complaint.last_at:
            raise Invalid.field("at", "时间须不早于该投诉的上一步 (the timeline moves forward)")
        if kind != c.FOLLOWUP and complaint.closed is not None:
            raise Conflict("该投诉已办结，只能回访 (the complaint is closed: only follow-ups remain)")
        if kind == c.FOLLOWUP:
            if complaint.closed is None:
                raise Conflict("投诉尚未办结，不能回访 (follow up after the complaint is closed)")
            if data["result"] == "unsatisfied" and data.get("next_at") is None:
                raise Invalid.field("next_at", "不满意须约定下次回访时间 (an unsatisfied result needs next_at)")
            if data.get("next_at") is not None and data["next_at"] <= moment:
                raise Invalid.field("next_at", "下次回访应晚于本次 (next_at must follow at)")
        return moment

    def _apply(self, project: str, complaint: str, kind: str, data: dict[str, Any], meta: dict[str, Any]) -> None:
        by = str(meta.get("actor_name") or meta.get("actor") or "")
        if kind == c.RECEIVED:
            self._known[(project, complaint)] = c.Complaint(
                project, complaint, data["received_at"], data["channel"], data["severity"], data["category"],
                data["summary"], data.get("location") or "", data.get("responsible"))
            return
        known = self._existing(project, complaint)
        text = str(data.get("text") or data.get("note") or data.get("resolution") or "")
        step = c.Step(kind, data["at"], by, text, data.get("result"), data.get("next_at"))
        self._known[(project, complaint)] = replace(known, steps=(*known.steps, step))
