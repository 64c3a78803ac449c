"""Reading the complaint ledger (SPEC §7.7): its events and each project's deadlines."""

from __future__ import annotations

from sqlalchemy import Connection, select

from shared.domain.complaints import (
    STEPS,
    SUGGESTION_CONFIRMED,
    SUGGESTION_DISMISSED,
    Complaint,
    Deadlines,
    Overdue,
    timelines,
)
from shared.domain.events import RecordedEvent
from shared.eventstore import to_recorded
from shared.org import OrgView
from shared.tables import complaint_deadlines, events

LEDGER_TYPES = (*STEPS, SUGGESTION_CONFIRMED, SUGGESTION_DISMISSED)


def complaint_stream(project: str, complaint: str) -> str:
    return f"complaint:{project}:{complaint}"


def ledger_events(conn: Connection, project: str, period: str | None = None,
                  complaint: str | None = None) -> list[RecordedEvent]:
    """A project's ledger events (of one month, or of one complaint), by position."""
    query = select(events).where(events.c.project == project, events.c.type.in_(LEDGER_TYPES))
    if period is not None:
        query = query.where(events.c.period == period)
    if complaint is not None:
        query = query.where(events.c.stream == complaint_stream(project, complaint))
    return [to_recorded(r) for r in conn.execute(query.order_by(events.c.position))]


def complaints(conn: Connection, project: str, period: str | None = None) -> dict[str, Complaint]:
    """A project's complaints (of the month they were received), by id."""
    return {key[1]: c for key, c in timelines(ledger_events(conn, project, period)).items()}


def deadlines(conn: Connection, project: str) -> Deadlines:
    row = conn.execute(select(complaint_deadlines).where(complaint_deadlines.c.project == project)).first()
    if row is None:
        return Deadlines()
    return Deadlines(int(row.reply_hours), int(row.escalate_hours), int(row.followup_days))


def suggested_rule(view: OrgView, o: Overdue) -> tuple[str, str] | None:
    """The responsible employee's rubric rule (item, rule) for this missed deadline, if it names one."""
    placed = view.placement(str(o.complaint.responsible), o.complaint.period) if o.complaint.responsible else None
    if placed is None:
        return None
    kind = "followup" if o.kind == "next_followup" else o.kind
    return next(((i.code, r.code) for i in placed[2].items for r in i.rules if kind in r.complaint_deadlines), None)
