"""The scoring use case: fold a batch of employee-months with the pure domain and publish it.

Every path that scores goes through here: the relay's recomputes, the month close,
`jixiao recompute` and `jixiao rebuild`. What differs between them is only where the
events come from (`load`) and how the results are written (`writers`: the transactional
upsert with revisions, or the rebuild's bulk sink).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from services.scoring.domain.documents import (
    AnnualInputs,
    StoredMonth,
    annual_document,
    group_members,
    last_streaks,
    ranking_docs,
    score_document,
)
from services.scoring.domain.monthly import score_month
from services.scoring.writers import AnnualDoc, RankingDoc, ReadModelWriter, Scored, ScoreDoc
from shared.domain.events import RecordedEvent
from shared.domain.periods import next_month
from shared.org import OrgView

MonthEvents = tuple[str, str, Sequence[RecordedEvent]]  # employee, period, that month's events
Rows = list[dict[str, Any]]


def score_batch(view: OrgView, batch: Iterable[MonthEvents], writer: ReadModelWriter) -> list[Scored]:
    """Score each employee-month (a month without events is a perfect month) and publish them.

    An employee-month without a placement (no such employee, not assigned that month, or no
    rubric in force) is skipped.
    """
    docs = []
    for no, period, found in batch:
        placed = view.placement(no, period)
        if placed is None:
            continue
        _emp, place, template = placed
        result = score_month(template, no, period, found)
        docs.append(ScoreDoc(score_document(result, place.project, place.department), result.final))
    return writer.scores(docs)


def publish_annuals(view: OrgView, years: Mapping[tuple[str, str], Sequence[StoredMonth]],
                    writer: ReadModelWriter, inputs: Mapping[tuple[str, str], AnnualInputs]) -> int:
    """The year-end composite of each (employee, year) from its published monthly finals, its
    inspections and its year-end review (`inputs`, by (employee, year))."""
    docs = []
    for (no, year), months in sorted(years.items()):
        emp = view.employee(no)
        template = None if emp is None else view.template(emp.template, f"{year}-12")
        if emp is None or template is None:
            continue
        doc, position = annual_document(template, emp.template, no, year, months,
                                        inputs.get((no, year), AnnualInputs()))
        docs.append(AnnualDoc(no, year, emp.template, doc, position))
    writer.annuals(docs)
    return len(docs)


def rank_month(view: OrgView, project: str, period: str, finals: Mapping[str, StoredMonth],
               previous: Mapping[tuple[str, str], Rows], plans: Mapping[str, date],
               writer: ReadModelWriter) -> tuple[bool, dict[tuple[str, str], Rows]]:
    """Rank every group of `project` in `period` over its members' published finals.

    `previous` holds last month's rows by (scope, template), for the last-place streaks.
    Returns whether any stored ranking changed, and this month's rows by group.
    """
    closed = view.closed_on(project, period)
    docs = []
    for (scope, code), group in sorted(group_members(view.members(period, project), view.template,
                                                     period).items()):
        template = view.template(code, period)
        assert template is not None
        mine = {m.employee_no: finals[m.employee_no] for m in group if m.employee_no in finals}
        rows = ranking_docs(template, code, scope, {no: s.final for no, s in mine.items()}, closed, plans,
                            last_streaks(previous.get((scope, code))))
        position = max((s.position for s in mine.values()), default=0)
        docs.append(RankingDoc(project, scope, code, period, rows, closed, position))
    return writer.rankings(docs), {(d.scope, d.template): d.rows for d in docs}


def employment_months(view: OrgView, employee_no: str, until: str, since: str | None = None) -> list[str]:
    """The months, up to `until`, for which the employee has a result (SPEC §4.11): from the
    first assignment's month on, while a version of their rubric is in force."""
    emp, first = view.employee(employee_no), view.first_month(employee_no)
    versions = view.catalog.of(emp.template) if emp is not None else []
    if emp is None or not emp.active or first is None or not versions:
        return []
    start = max(first, min(_month(v.effective_from) for v in versions), since or "")
    out = []
    month = start
    while month <= until:
        if view.placement(employee_no, month) is not None:
            out.append(month)
        month = next_month(month)
    return out


def _month(effective_from: str) -> str:
    return effective_from if len(effective_from) == 7 else f"{effective_from[:4]}-01"
