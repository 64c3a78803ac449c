"""One employee's month under one template version (SPEC §4): a pure fold over events.

No clock, no I/O: the same template and the same events give the same result, whatever
order the events arrive in (they are folded by their global position).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from services.scoring.domain.rounding import round_half_up
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.periods import month_of
from shared.domain.template import Item, Rule, Template

ZERO = Decimal(0)


@dataclass(frozen=True)
class Deduction:
    """Points lost on one item, traced to the event that caused them."""

    event_id: str
    position: int
    item: str
    rule: str
    amount: Decimal
    occurred_on: date | None
    recorded_by: str | None
    recorded_at: datetime
    evidence: str = ""
    source: str = ""
    rule_kind: str = "fixed"


@dataclass(frozen=True)
class ItemScore:
    code: str
    title: str
    points: Decimal
    deducted: Decimal
    score: Decimal
    deductions: tuple[Deduction, ...] = ()


class Bonus(NamedTuple):
    event_id: str
    code: str
    points: Decimal
    evidence: str


@dataclass(frozen=True)
class MonthlyResult:
    """The monthly result: item breakdown, S, F, W, T, awards, flags, provenance.

    The sign-off (self-assessment, reviews, signature) is not part of it: it does not change
    the score, and is read from its own events (`shared.domain.signoff`).
    """

    employee: str
    period: str
    template: str
    template_version: int
    items: tuple[ItemScore, ...]
    supervisor: Decimal
    self_score: Decimal | None
    weighted: Decimal  # exact; the final rounds it to 2 places
    bonus: Decimal
    final: Decimal
    awards: tuple[str, ...]
    flags: tuple[str, ...]
    position: int
    event_ids: tuple[str, ...]
    bonuses: tuple[Bonus, ...]


def score_month(
    template: Template, employee: str, period: str, events: Iterable[RecordedEvent]
) -> MonthlyResult:
    """Score `employee` for `period` (YYYY-MM) from their events, in any order.

    Events of other periods are ignored; revoked events do not count. A month without
    events is a perfect month. `event_ids` lists the counted events and the revocations
    that took events out; `position` is the highest position among them and the revoked.
    """
    considered, revocations, revoked = _select(events, employee, period)
    counted = [e for e in considered if e.id not in revoked]
    usable = [e for e in counted if _fits(template, e)]
    deductions = _deductions(template, usable)
    items = tuple(_item_score(template, item, deductions) for item in template.items)
    supervisor = sum((i.score for i in items), ZERO)
    self_score = _self_score(template, _latest(usable, ev.SELF_ASSESSMENT))
    weighted = _weighted(template, supervisor, self_score)
    bonuses = tuple(_bonus(e) for e in usable if e.type == ev.BONUS)
    bonus = sum((b.points for b in bonuses), ZERO)
    final = round_half_up(weighted, 2) + bonus
    behind = sorted(usable + revocations, key=lambda e: e.position)
    return MonthlyResult(
        employee=employee,
        period=period,
        template=template.code,
        template_version=template.version,
        items=items,
        supervisor=supervisor,
        self_score=self_score,
        weighted=weighted,
        bonus=bonus,
        final=final,
        awards=("excellent",) if final > template.excellent_above else (),
        flags=_flags(template, self_score, usable, counted),
        position=max((e.position for e in considered + revocations), default=0),
        event_ids=tuple(e.id for e in behind),
        bonuses=bonuses,
    )


def result_to_dict(r: MonthlyResult) -> dict[str, Any]:
    """The SPEC §7.5 JSON shape (without rank and revision, which the read model adds)."""
    return {
        "employee": r.employee,
        "period": r.period,
        "template": r.template,
        "template_version": r.template_version,
        "items": [
            {"code": i.code, "title": i.title, "points": float(i.points),
             "deducted": float(i.deducted), "score": float(i.score)}
            for i in r.items
        ],
        "supervisor": float(r.supervisor),
        "self": None if r.self_score is None else float(r.self_score),
        "weighted": float(round_half_up(r.weighted, 2)),
        "bonus": float(r.bonus),
        "final": float(r.final),
        "awards": list(r.awards),
        "flags": list(r.flags),
        "position": r.position,
    }


def _select(
    events: Iterable[RecordedEvent], employee: str, period: str
) -> tuple[list[RecordedEvent], list[RecordedEvent], set[str]]:
    """In-period incident events by position, the revocations aimed at them, the revoked ids.

    Revocations are matched by target, whatever their own period (a late correction).
    A revocation aimed at a revocation never matches, so it is ignored.
    """
    unique = {e.id: e for e in events}.values()
    considered = sorted(
        (e for e in unique if e.type in ev.INCIDENT_TYPES and _belongs(e, employee, period)),
        key=lambda e: e.position,
    )
    ids = {e.id for e in considered}
    revocations = [
        e for e in unique if e.type == ev.REVOCATION and e.payload.get("event_id") in ids
    ]
    return considered, revocations, {str(e.payload["event_id"]) for e in revocations}


def _belongs(e: RecordedEvent, employee: str, period: str) -> bool:
    own_period = e.period or (month_of(e.occurred_on) if e.occurred_on else None)
    return e.employee in (None, employee) and own_period == period


def _rule_of(template: Template, e: RecordedEvent) -> Rule | None:
    item = template.item(str(e.payload.get("item")))
    return item.rule(str(e.payload.get("rule"))) if item else None


def _fits(template: Template, e: RecordedEvent) -> bool:
    """False for a scoring event the template version cannot score (flagged, not counted)."""
    if e.type == ev.BONUS:
        return template.bonus(str(e.payload.get("bonus"))) is not None and _has(e, "points")
    if e.type not in (ev.DEDUCTION, ev.METRIC):
        return True
    rule = _rule_of(template, e)
    if rule is None:
        return False
    kind = rule.kind
    if e.type == ev.METRIC:
        return kind == "per_percent_below" and _has(e, "value")
    return kind == "fixed" or (kind == "range" and _has(e, "points"))


def _has(e: RecordedEvent, key: str) -> bool:
    return e.payload.get(key) is not None


def _num(raw: Any) -> Decimal:
    return Decimal(str(raw))


def _or_zero(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


def _deductions(template: Template, usable: list[RecordedEvent]) -> list[Deduction]:
    latest: dict[tuple[str, str], RecordedEvent] = {}
    for e in usable:  # by position: the latest reported metric value wins
        if e.type == ev.METRIC:
            latest[(str(e.payload["item"]), str(e.payload["rule"]))] = e
    chosen = [e for e in usable if e.type == ev.DEDUCTION] + list(latest.values())
    cuts = [_deduction(e, rule) for e in chosen if (rule := _rule_of(template, e))]
    return [d for d in cuts if d.amount > 0 or d.rule_kind != "per_percent_below"]


def _deduction(e: RecordedEvent, rule: Rule) -> Deduction:
    return Deduction(
        event_id=e.id,
        position=e.position,
        item=str(e.payload["item"]),
        rule=rule.code,
        amount=_amount(e, rule),
        occurred_on=e.occurred_on,
        recorded_by=e.actor,
        recorded_at=e.recorded_at,
        evidence=str(e.payload.get("evidence") or ""),
        source=str(e.payload.get("source") or ""),
        rule_kind=rule.kind,
    )


def _amount(e: RecordedEvent, rule: Rule) -> Decimal:
    """SPEC §4.1: fixed and range amounts times the count; a metric's shortfall, half-up."""
    if rule.kind == "per_percent_below":
        shortfall = max(ZERO, _or_zero(rule.target) - _num(e.payload["value"]))
        return round_half_up(shortfall * _or_zero(rule.points), 1)
    per = _num(e.payload["points"]) if rule.kind == "range" else _or_zero(rule.points)
    return per * _num(e.payload.get("count") or 1)


def _item_score(template: Template, item: Item, deductions: list[Deduction]) -> ItemScore:
    own = tuple(sorted((d for d in deductions if d.item == item.code), key=lambda d: d.position))
    deducted = sum((d.amount for d in own), ZERO)
    score = item.points - deducted
    if template.item_cap:
        score = max(ZERO, score)
    return ItemScore(item.code, item.title, item.points, deducted, score, own)


def _latest(usable: list[RecordedEvent], type_: str) -> RecordedEvent | None:
    return next((e for e in reversed(usable) if e.type == type_), None)


def _self_score(template: Template, assessment: RecordedEvent | None) -> Decimal | None:
    if assessment is None:
        return None
    scores = assessment.payload.get("scores") or {}
    return sum((_num(scores.get(i.code, 0)) for i in template.items), ZERO)


def _weighted(template: Template, supervisor: Decimal, self_score: Decimal | None) -> Decimal:
    if not template.has_self_rater or self_score is None:
        return supervisor
    w_self, w_sup = template.raters["self"], template.raters.get("supervisor", ZERO)
    return w_self * self_score + w_sup * supervisor


def _bonus(e: RecordedEvent) -> Bonus:
    evidence = str(e.payload.get("evidence") or "")
    return Bonus(e.id, str(e.payload["bonus"]), _num(e.payload["points"]), evidence)


def _flags(
    template: Template,
    self_score: Decimal | None,
    usable: list[RecordedEvent],
    counted: list[RecordedEvent],
) -> tuple[str, ...]:
    flags: list[str] = []
    if template.has_self_rater and self_score is None:
        flags.append("self_assessment_missing")
    fitting = {e.id for e in usable}
    return tuple(flags + [f"event_ignored:{e.id}" for e in counted if e.id not in fitting])
