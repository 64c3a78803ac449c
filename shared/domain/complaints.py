"""The 用户投诉 ledger and its 回访 (SPEC §7.7, seed 004): timelines, deadlines, rates.

A complaint is received, replied to, escalated when major, closed, and followed up; each
step is an event in the log. Everything here is a pure function of those events (and of
"now", for what is overdue): the write side checks a new step against the timeline so
far, the month close turns the rates into metrics, and the read side lists and prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.domain.events import RecordedEvent
from shared.domain.periods import TZ, month_of

RECEIVED, REPLIED, ESCALATED, CLOSED, FOLLOWUP = (
    "complaint_received", "complaint_replied", "complaint_escalated", "complaint_closed", "followup")
STEPS = (RECEIVED, REPLIED, ESCALATED, CLOSED, FOLLOWUP)
SUGGESTION_CONFIRMED, SUGGESTION_DISMISSED = "suggestion_confirmed", "suggestion_dismissed"
DEADLINES_SET = "complaint_deadlines_set"
CHANNELS = ("phone", "visit", "written", "online")
SEVERITIES = ("general", "major")
CATEGORIES = ("维修", "清洁", "安全", "服务态度", "其他")
RESULTS = ("satisfied", "fairly_satisfied", "unsatisfied")
RATES = ("handling_rate", "followup_rate", "satisfaction_rate")
LABELS = {"phone": "来电", "visit": "来访", "written": "书面", "online": "网络", "general": "一般", "major": "重大",
          "satisfied": "满意", "fairly_satisfied": "较满意", "unsatisfied": "不满意",
          "reply": "回复超时", "escalation": "重大投诉未及时上报", "followup": "回访超时",
          "next_followup": "再次回访超时"}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Deadlines:
    """A project's deadlines (defaults from SPEC §7.7)."""

    reply_hours: int = 24
    escalate_hours: int = 2
    followup_days: int = 3


@dataclass(frozen=True)
class Step:
    kind: str
    at: datetime
    by: str  # 姓名 (工号) or the account's display name
    text: str = ""
    result: str | None = None  # a follow-up's
    next_at: datetime | None = None  # an unsatisfied follow-up's next one
    event_id: str = ""


@dataclass(frozen=True)
class Complaint:
    project: str
    id: str
    received_at: datetime
    channel: str
    severity: str
    category: str
    summary: str
    location: str
    responsible: str | None
    steps: tuple[Step, ...] = ()  # after the receipt, by position

    @property
    def period(self) -> str:
        return month_of(self.received_at.astimezone(TZ).date())

    def first(self, kind: str) -> Step | None:
        return next((s for s in self.steps if s.kind == kind), None)

    @property
    def closed(self) -> Step | None:
        return self.first(CLOSED)

    @property
    def followups(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == FOLLOWUP)

    @property
    def last_at(self) -> datetime:
        return max([self.received_at, *(s.at for s in self.steps)])


def period_of(received_at: datetime) -> str:
    """A complaint belongs to the month of its receipt in Asia/Shanghai."""
    return month_of(received_at.astimezone(TZ).date())


def parse_time(raw: Any) -> datetime:
    moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TZ)


def _by(e: RecordedEvent) -> str:
    return str(e.metadata.get("actor_name") or e.actor or "")


def received(e: RecordedEvent) -> Complaint:
    p = e.payload
    return Complaint(project=str(p["project"]), id=str(p["complaint"]), received_at=parse_time(p["received_at"]),
                     channel=str(p["channel"]), severity=str(p["severity"]), category=str(p["category"]),
                     summary=str(p.get("summary") or ""), location=str(p.get("location") or ""),
                     responsible=p.get("responsible") or None)


def step(e: RecordedEvent) -> Step:
    p = e.payload
    text = p.get("text") or p.get("note") or p.get("resolution") or ""
    if e.type == ESCALATED:
        text = f"上报{p.get('to', '')}" + (f": {p['note']}" if p.get("note") else "")
    return Step(e.type, parse_time(p["at"]), _by(e), str(text), p.get("result"),
                parse_time(p["next_at"]) if p.get("next_at") else None, e.id)


def timelines(found: Iterable[RecordedEvent]) -> dict[tuple[str, str], Complaint]:
    """(project, complaint id) → the complaint with its steps, from the ledger's events."""
    out: dict[tuple[str, str], Complaint] = {}
    for e in sorted(found, key=lambda e: e.position):
        key = (str(e.payload.get("project")), str(e.payload.get("complaint")))
        if e.type == RECEIVED:
            out[key] = received(e)
        elif e.type in STEPS and key in out:
            out[key] = replace(out[key], steps=(*out[key].steps, step(e)))
    return out


# -- deadlines and what is overdue ----------------------------------------------------------------

def in_time(complaint: Complaint, kind: str, rules: Deadlines) -> bool | None:
    """Whether a step was taken by its deadline (None: the step is not due, or not taken)."""
    if kind == "reply":
        reply = complaint.first(REPLIED)
        return None if reply is None else reply.at <= complaint.received_at + timedelta(hours=rules.reply_hours)
    if kind == "escalation":
        if complaint.severity != "major":
            return None
        up = complaint.first(ESCALATED)
        return None if up is None else up.at <= complaint.received_at + timedelta(hours=rules.escalate_hours)
    closed, after = complaint.closed, complaint.followups
    if closed is None or not after:
        return None
    return after[0].at <= closed.at + timedelta(days=rules.followup_days)


@dataclass(frozen=True)
class Overdue:
    complaint: Complaint
    kind: str  # reply | escalation | followup | next_followup
    due: datetime

    @property
    def key(self) -> str:
        """The suggestion's id: one per complaint and missed deadline."""
        return f"{self.complaint.project}:{self.complaint.id}:{self.kind}"


def missed(complaint: Complaint, rules: Deadlines, now: datetime) -> list[Overdue]:
    """Deadlines passed without their step, or met late (SPEC §7.7; computed at read time)."""
    out = []
    reply_due = complaint.received_at + timedelta(hours=rules.reply_hours)
    reply = complaint.first(REPLIED)
    if (reply is None and now > reply_due) or (reply is not None and reply.at > reply_due):
        out.append(Overdue(complaint, "reply", reply_due))
    if complaint.severity == "major":
        up_due = complaint.received_at + timedelta(hours=rules.escalate_hours)
        up = complaint.first(ESCALATED)
        if (up is None and now > up_due) or (up is not None and up.at > up_due):
            out.append(Overdue(complaint, "escalation", up_due))
    closed = complaint.closed
    if closed is not None:
        due = closed.at + timedelta(days=rules.followup_days)
        first = complaint.followups[0] if complaint.followups else None
        if (first is None and now > due) or (first is not None and first.at > due):
            out.append(Overdue(complaint, "followup", due))
        last = complaint.followups[-1] if complaint.followups else None
        if last is not None and last.result == "unsatisfied" and last.next_at is not None and now > last.next_at:
            out.append(Overdue(complaint, "next_followup", last.next_at))
    return out


def still_open(o: Overdue, now: datetime) -> bool:
    """An overdue step not taken yet (a late one has been taken since)."""
    c = o.complaint
    taken = {"reply": c.first(REPLIED), "escalation": c.first(ESCALATED),
             "followup": c.followups[0] if c.followups else None}.get(o.kind)
    return taken is None and now > o.due


# -- the month's rates ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stats:
    received: int = 0
    closed: int = 0
    replied_in_time: int = 0
    escalated_in_time: int = 0
    majors: int = 0
    followed_up_in_time: int = 0
    satisfied: int = 0
    fairly_satisfied: int = 0
    unsatisfied: int = 0
    handled_in_time: int = 0  # closed, with a reply in time
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def followups(self) -> int:
        return self.satisfied + self.fairly_satisfied + self.unsatisfied

    def as_json(self) -> dict[str, Any]:
        return {"received": self.received, "closed": self.closed, "replied_in_time": self.replied_in_time,
                "escalated_in_time": self.escalated_in_time, "followed_up_in_time": self.followed_up_in_time,
                "satisfied": self.satisfied, "fairly_satisfied": self.fairly_satisfied,
                "unsatisfied": self.unsatisfied, **{k: float(v) for k, v in self.rates.items()}}

    def evidence(self, rate: str) -> str:
        """The counts behind a rate, for the metric event the month close records."""
        parts = {"handling_rate": f"办结且按时回复 {self.handled_in_time}/{self.received} 件",
                 "followup_rate": f"按时回访 {self.followed_up_in_time}/{self.closed} 件已办结投诉",
                 "satisfaction_rate": f"满意 {self.satisfied} + 较满意 {self.fairly_satisfied} / "
                                      f"回访 {self.followups} 次"}
        return f"投诉台账自动统计: {parts[rate]} = {self.rates[rate]}%"


def percent(part: int, whole: int) -> Decimal:
    """part ÷ whole in %, half-up to 2 places; nothing to count is 100 (SPEC §7.7)."""
    if whole == 0:
        return HUNDRED
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def stats(complaints: Iterable[Complaint], period: str, rules: Deadlines) -> Stats:
    """A project's month: the complaints received that month, as their timelines stand."""
    mine = [c for c in complaints if c.period == period]
    closed = [c for c in mine if c.closed is not None]
    results = [s.result for c in mine for s in c.followups]
    handled = sum(1 for c in closed if in_time(c, "reply", rules))
    followed = sum(1 for c in closed if in_time(c, "followup", rules))
    pleased = results.count("satisfied") + results.count("fairly_satisfied")
    return Stats(
        received=len(mine), closed=len(closed),
        replied_in_time=sum(1 for c in mine if in_time(c, "reply", rules)),
        escalated_in_time=sum(1 for c in mine if in_time(c, "escalation", rules)),
        majors=sum(1 for c in mine if c.severity == "major"),
        followed_up_in_time=followed, satisfied=results.count("satisfied"),
        fairly_satisfied=results.count("fairly_satisfied"), unsatisfied=results.count("unsatisfied"),
        handled_in_time=handled,
        rates={"handling_rate": percent(handled, len(mine)), "followup_rate": percent(followed, len(closed)),
               "satisfaction_rate": percent(pleased, len(results))})
