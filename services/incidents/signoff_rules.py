"""The order of the sign-off and the appeal window, checked before a step is recorded.

Self-assessment until the manager's review; 经理初评 after the month is closed; 总经理审核 after
the manager's review; 签字 after the gm's review (or the last stage the template declares),
once per valid score; an appeal until the employee has signed. Out of order: 409 naming the
missing step, nothing written (SPEC §4.9, §6).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from shared.domain import events as ev
from shared.domain.appeals import appeals
from shared.domain.signoff import STEP_LABELS, SignOff, covered, signoff
from shared.domain.template import Template
from shared.errors import Conflict, Invalid
from shared.eventstore import to_recorded
from shared.org import OrgView
from shared.published import published_many
from shared.tables import events

GATED = (ev.SELF_ASSESSMENT, ev.REVIEW, ev.ACKNOWLEDGEMENT, ev.APPEAL)
_TRAIL = (ev.SELF_ASSESSMENT, ev.REVIEW, ev.ACKNOWLEDGEMENT, ev.APPEAL, ev.APPEAL_RESOLVED, ev.REVOCATION)


def _missing(step: str, missing: str) -> Conflict:
    return Conflict(f"须先完成「{STEP_LABELS[missing]}」才能{STEP_LABELS[step]} (missing step: {missing})",
                    {"type": [f"missing step: {missing}"]})


class Trails:
    """The sign-off trails and published scores of employee-months, for the steps of one request.

    `prefetch` reads those of a whole batch in three queries instead of three per step. Nothing is
    written while a request's steps are checked, so what it reads is what a query per step would read.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._trails: dict[tuple[str, str], list[Any]] = {}
        self._published: dict[tuple[str, str], tuple[dict[str, Any] | None, dict[str, Any] | None]] = {}

    def prefetch(self, pairs: Iterable[tuple[str, str]]) -> None:
        wanted = set(pairs) - self._trails.keys()
        if not wanted:
            return
        self._trails.update({pair: [] for pair in wanted})
        rows = self.conn.execute(select(events).where(
            events.c.employee.in_({e for e, _ in wanted}), events.c.period.in_({p for _, p in wanted}),
            events.c.type.in_(_TRAIL)).order_by(events.c.position))
        for recorded in map(to_recorded, rows):
            if (key := (recorded.employee or "", recorded.period or "")) in wanted:
                self._trails[key].append(recorded)
        self._published.update(published_many(self.conn, wanted))

    def trail(self, employee: str, period: str) -> list[Any]:
        self.prefetch([(employee, period)])
        return self._trails[(employee, period)]

    def published(self, employee: str, period: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        self.prefetch([(employee, period)])
        return self._published[(employee, period)]


def check_step(trails: Trails, view: OrgView, data: dict[str, Any], template: Template, project: str,
               period: str) -> dict[str, Any]:
    """Refuse a step out of order; return what the stored payload adds (a signature's cover)."""
    kind, employee = data["type"], data["employee"]
    found = trails.trail(employee, period)
    doc, ranking = trails.published(employee, period)
    state = signoff(template.signoff, found, covered(doc, ranking))
    closed = view.is_closed(project, period)
    if kind == ev.SELF_ASSESSMENT and state.manager is not None:
        raise Conflict("经理已初评，自评已截止 (the manager's review is recorded: self-assessment is closed)",
                       {"type": ["self-assessment closed by the manager's review"]})
    if kind == ev.REVIEW:
        _in_order(state, str(data["stage"]), closed)
    if kind == ev.ACKNOWLEDGEMENT:
        _in_order(state, "acknowledgement", closed)
        if state.signed:
            raise Conflict("本月已签字，成绩未再变化 (already signed, and the score has not changed since)")
        if doc is None:
            raise Conflict("成绩尚未发布，请稍后再签字 (the score is not published yet)")
        return {"covers": covered(doc, ranking)}
    if kind == ev.APPEAL:
        _appealable(state, found, str(data["event_id"]))
    return {}


def _in_order(state: SignOff, step: str, closed: bool) -> None:
    missing = state.missing_before(step, closed)
    if missing == step:
        raise Invalid.field("stage" if step != "acknowledgement" else "type",
                            f"该考核表不设{STEP_LABELS[step]} (the template has no {step} stage)")
    if missing is not None:
        raise _missing(step, missing)


def _appealable(state: SignOff, found: list[Any], event_id: str) -> None:
    if state.signed:
        raise Conflict("本月已签字，申诉已截止 (the month is signed: appeals are closed)")
    revoked = {str(e.payload.get("event_id")) for e in found if e.type == ev.REVOCATION}
    if event_id in revoked:
        raise Conflict("该记录已撤销，无需申诉 (the event is already revoked)")
    earlier = [a for a in appeals(found) if a.event_id == event_id]
    if any(a.open for a in earlier):
        raise Conflict("该记录已有待处理的申诉 (an appeal of this event is already open)")
    if earlier:
        raise Conflict(f"该记录的申诉已处理：{earlier[-1].label} (this event's appeal has been decided)")
