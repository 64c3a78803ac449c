"""The seed form of a monthly sheet: its layout, the rates behind rate deductions, and the
ranking's consequences as printed (SPEC §5, with the yuan only for those who need to know)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from services.reports.render import labels
from shared.domain.layout import GENERIC, SheetLayout, printable
from shared.domain.template import Rule, Template
from shared.eventstore import EventStore
from shared.templates import seed_templates

PER_PERCENT = "per_percent_below"


def metric(rule: Rule | None, value: Any) -> str:
    """A rate beside its deduction: 上报 96.5% (目标 100%, 每低1%扣5分)."""
    if value is None:
        return ""
    shown = f"上报 {_decimal(value)}%"
    if rule is None or rule.target is None:
        return shown
    return f"{shown} (目标 {_decimal(rule.target)}%, 每低1%扣{_decimal(rule.points or 0)}分)"


def _decimal(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def reported_values(conn: Connection, doc: dict[str, Any]) -> dict[str, Any]:
    """event id → the value of each metric a deduction was computed from (read from the log)."""
    ids = [d["event_id"] for i in doc["items"] for d in i.get("deductions", []) if d.get("rule_kind") == PER_PERCENT]
    if not ids:
        return {}
    return {e.id: e.payload.get("value") for e in EventStore(conn).query(ids=ids, limit=len(ids) + 1)}


def spans(categories: list[str]) -> list[int]:
    """Rows each category cell spans: the first of a run spans it, the rest 0."""
    out = [0] * len(categories)
    start = 0
    for n in range(1, len(categories) + 1):
        if n == len(categories) or categories[n] != categories[start]:
            out[start] = n - start
            start = n
    return out


def layout(template: Template | None) -> SheetLayout:
    """The template's printed form; a version published before layouts existed prints as its
    shipped seed template does, and any other template in the generic layout."""
    if template is None:
        return GENERIC
    if template.sheet is not None:
        return template.sheet
    shipped = _shipped_layouts().get(template.code)
    if shipped is not None:
        return shipped
    staged = {"review": "manager", "approval": "gm"}  # no column for a stage the template does not have
    columns = tuple(c for c in GENERIC.columns if c.key not in staged or staged[c.key] in template.signoff)
    return replace(GENERIC, title=printable(template.name), columns=columns)


@lru_cache(maxsize=1)
def _shipped_layouts() -> dict[str, SheetLayout]:
    return {t.code: t.sheet for t in seed_templates() if t.sheet is not None}


def consequences(rank: dict[str, Any] | None, money: bool) -> tuple[str, ...]:
    """What the ranking means for this person: 末位扣100元, 整改方案 due, 调岗审查 (yuan only with `money`)."""
    if rank is None:
        return ()
    row = rank if money else {k: v for k, v in rank.items() if k != "payroll_adjustment"}
    return tuple(labels.consequences(row))
