"""An employee's month as /me shows it: the sheet (from the read models), and which of the
sign-off steps, appeals and the 整改方案 the employee may take now. Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection

from services.reports import queries, results, sheets, signoffs
from services.reports.models import SheetModel
from shared import org
from shared.domain import events as ev
from shared.domain.appeals import appeals
from shared.domain.signoff import STEP_LABELS, SignOff, live_events
from shared.domain.template import Template
from shared.errors import NotFound
from shared.published import published


@dataclass
class MyMonth:
    employee: org.Employee
    period: str
    sheet: SheetModel | None
    template: Template | None
    sign: SignOff | None
    closed: bool
    ranking: dict[str, Any] | None
    self_scores: dict[str, Any] = field(default_factory=dict)
    analysis: str = ""
    appealed: set[str] = field(default_factory=set)  # events with an appeal already
    plan_filed: bool = False
    months: list[tuple[str, float]] = field(default_factory=list)  # (period, final), newest first
    annual: dict[str, Any] | None = None

    @property
    def missing(self) -> str | None:
        """The step that must come before the 签字, by its label (None: it may be signed now)."""
        if self.sign is None:
            return "成绩发布"
        step = self.sign.missing_before("acknowledgement", self.closed)
        if step is not None and step != "acknowledgement" and not self.closed:
            step = "close"  # the month is closed before anything else can follow
        return None if step is None else STEP_LABELS.get(step, step)

    @property
    def can_sign(self) -> bool:
        return self.sheet is not None and self.missing is None and not (self.sign and self.sign.signed)

    @property
    def can_self_assess(self) -> bool:
        return bool(self.template and self.template.has_self_rater and not (self.sign and self.sign.manager))

    def can_appeal(self, event_id: str) -> bool:
        return not (self.sign and self.sign.signed) and event_id not in self.appealed



def _history(conn: Connection, employee_no: str) -> list[tuple[str, float]]:
    periods = queries.employee_months(conn, employee_no)
    finals: dict[str, float] = {}
    for year in sorted({p[:4] for p in periods}):
        stored = queries.finals_in_year(conn, [employee_no], year).get(employee_no, {})
        finals.update({p: v["final"] for p, v in stored.items()})
    return [(p, finals[p]) for p in periods if p in finals]


def my_month(conn: Connection, employee_no: str, period: str, today: date) -> MyMonth:
    """The employee's month: sheet, sign-off, ranking consequences, past months and the year."""
    emp = org.get_employee(conn, employee_no)
    if emp is None:
        raise NotFound(f"无此员工 (no employee {employee_no})")
    try:
        sheet = sheets.build_sheet(conn, emp, period, today)
    except NotFound:
        sheet = None
    place = org.assignment_for(conn, employee_no, period)
    trail = signoffs.trails(conn, [employee_no], period)[employee_no]
    doc, row = published(conn, employee_no, period)
    assessment = next((e for e in reversed(live_events(trail)) if e.type == ev.SELF_ASSESSMENT), None)
    out = MyMonth(
        employee=emp, period=period, sheet=sheet, template=org.template_for(conn, emp.template, period),
        sign=signoffs.state(conn, doc, row, trail) if doc else None,
        closed=bool(place and org.is_closed(conn, place.project, period)),
        ranking=results.with_overdue(row, today) if row else None,
        self_scores=dict(assessment.payload.get("scores") or {}) if assessment else {},
        analysis=str(assessment.payload.get("analysis") or "") if assessment else "",
        appealed={a.event_id for a in appeals(trail)}, months=_history(conn, employee_no))
    out.plan_filed = any(e.type == ev.IMPROVEMENT_PLAN for e in queries.employee_events(conn, employee_no, period))
    try:
        out.annual = results.annual_result(conn, emp, period[:4])
    except NotFound:
        out.annual = None
    return out
