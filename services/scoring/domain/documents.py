"""Read-model documents: the pure results as JSON, with full provenance (no I/O).

Every way of publishing (the transactional upsert and the bulk rebuild) stores exactly
these documents, so they are built here once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from services.scoring.domain.annual import annual_composite, annual_result_to_dict
from services.scoring.domain.monthly import Deduction, MonthlyResult, result_to_dict
from services.scoring.domain.ranking import rank_group, ranking_row_to_dict
from shared.domain.template import Template


@lru_cache(maxsize=4096)  # the events of one request share one moment: format it once
def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _deduction(d: Deduction) -> dict[str, Any]:
    return {
        "event_id": d.event_id, "position": d.position, "rule": d.rule, "rule_kind": d.rule_kind,
        "amount": float(d.amount), "occurred_on": d.occurred_on.isoformat() if d.occurred_on else None,
        "recorded_by": d.recorded_by, "recorded_at": _utc(d.recorded_at),
        "evidence": d.evidence, "source": d.source,
    }


def score_document(r: MonthlyResult, project: str, department: str) -> dict[str, Any]:
    """SPEC §7.5 plus provenance: every deducted point with its event, recorder and evidence."""
    doc = result_to_dict(r)
    for out, item in zip(doc["items"], r.items, strict=True):
        out["deductions"] = [_deduction(d) for d in item.deductions]
    doc["bonuses"] = [{"event_id": b.event_id, "code": b.code, "points": float(b.points),
                       "evidence": b.evidence} for b in r.bonuses]
    doc["event_ids"] = list(r.event_ids)
    doc["project"], doc["department"] = project, department
    return doc


def changed_events(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """The events that entered or left the result: what caused a revision."""
    before = set(old["event_ids"]) if old else set()
    after = set(new["event_ids"])
    added = [e for e in new["event_ids"] if e not in before]
    removed = [e for e in (old or {}).get("event_ids", []) if e not in after]
    return added + removed


@dataclass(frozen=True)
class StoredMonth:
    """One published monthly final, as the annual composite and the rankings read it."""

    period: str
    template: str
    final: Decimal
    position: int


@dataclass(frozen=True)
class Inspection:
    """One 周检/月检 (an `inspection` event that was not revoked)."""

    event_id: str
    position: int
    occurred_on: str
    kind: str  # weekly | monthly
    score: Decimal
    note: str
    recorded_by: str | None


@dataclass(frozen=True)
class YearEndReview:
    """One 年终考评 (a `year_end_review` event that was not revoked)."""

    event_id: str
    position: int
    score: Decimal
    comment: str
    recorded_by: str | None
    recorded_on: str | None


@dataclass(frozen=True)
class AnnualInputs:
    """An employee-year's inspections and year-end reviews, by position."""

    inspections: tuple[Inspection, ...] = ()
    reviews: tuple[YearEndReview, ...] = ()

    @property
    def review(self) -> YearEndReview | None:
        """The latest review counts (a correction is a new review, or a revocation)."""
        return max(self.reviews, key=lambda r: r.position, default=None)

    @property
    def position(self) -> int:
        positions = [i.position for i in self.inspections] + [r.position for r in self.reviews]
        return max(positions, default=0)


INSPECTIONS, YEAR_END = "inspections", "year_end"  # the components fed by events (SPEC §4)


def annual_document(template: Template, employee_template: str, employee_no: str, year: str,
                    months: Sequence[StoredMonth],
                    inputs: AnnualInputs = AnnualInputs()) -> tuple[dict[str, Any], int]:
    """The annual read-model document from the year's published finals (by period), its
    inspections and its latest year-end review; and its position."""
    review = inputs.review
    finals: dict[str, list[Decimal]] = {}
    for c in template.annual.components:
        if c.code == INSPECTIONS:
            finals[c.code] = [i.score for i in inputs.inspections]
        elif c.code == YEAR_END:
            finals[c.code] = [review.score] if review is not None else []
        else:
            code = c.template or employee_template
            finals[c.code] = [m.final for m in months if m.template == code]
    doc = annual_result_to_dict(annual_composite(template.annual, finals))
    doc.update(employee=employee_no, year=year, template=employee_template,
               months={m.period: float(m.final) for m in months},
               inspections=[{"event_id": i.event_id, "occurred_on": i.occurred_on, "kind": i.kind,
                             "score": float(i.score), "note": i.note, "recorded_by": i.recorded_by}
                            for i in sorted(inputs.inspections, key=lambda i: (i.occurred_on, i.position))],
               year_end_review=None if review is None else {
                   "event_id": review.event_id, "score": float(review.score), "comment": review.comment,
                   "recorded_by": review.recorded_by, "recorded_on": review.recorded_on})
    return doc, max(max((m.position for m in months), default=0), inputs.position)


M = Any  # a member of the organisation (shared.org.Member)


def group_members(members: Iterable[M], template_for: Callable[[str, str], Template | None],
                  period: str) -> dict[tuple[str, str], list[M]]:
    """(scope, template code) → its members: the department, or "*" for a project-wide scope."""
    groups: dict[tuple[str, str], list[M]] = defaultdict(list)
    for m in members:
        template = template_for(m.template, period)
        if template is None:
            continue
        scope = m.department if template.ranking.scope == "department" else "*"
        groups[(scope, m.template)].append(m)
    return groups


def ranking_docs(template: Template, code: str, scope: str, finals: Mapping[str, Decimal], closed: date | None,
                 plans: Mapping[str, date], streaks: Mapping[str, int]) -> list[dict[str, Any]]:
    """One group's stored ranking rows."""
    rows = rank_group(finals, template.ranking, closed_on=closed, plans_filed=plans,
                      previous_last_streaks=streaks)
    return [{**ranking_row_to_dict(r), "last_streak": r.last_streak, "template": code,
             "department": scope} for r in rows]


def last_streaks(rows: Sequence[Mapping[str, Any]] | None) -> dict[str, int]:
    """Each employee's last-place streak from a stored ranking's rows."""
    return {r["employee"]: int(r.get("last_streak", 0)) for r in rows or []}
