"""Who may record what, and whether an incident fits the employee's rubric that month."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from shared import org
from shared.auth import MANAGERS, RECORDERS, SUPERVISORS, Principal
from shared.domain import events as ev
from shared.domain.periods import month_of
from shared.domain.template import Template
from shared.errors import Conflict, Forbidden, Invalid
from shared.eventstore import EventStore
from shared.org import OrgView

# Which roles may record each type ("self" = the employee about themself).
ALLOWED: dict[str, frozenset[str]] = {
    ev.DEDUCTION: RECORDERS,
    ev.BONUS: RECORDERS,
    ev.METRIC: SUPERVISORS,
    ev.SELF_ASSESSMENT: frozenset({"self", "admin"}),
    ev.REVIEW: MANAGERS,
    ev.ACKNOWLEDGEMENT: frozenset({"self", "admin"}),
    ev.IMPROVEMENT_PLAN: SUPERVISORS | {"self"},
    ev.APPEAL: frozenset({"self", "admin"}),
    ev.INSPECTION: SUPERVISORS,  # 周检/月检 (SPEC §7.8)
    ev.YEAR_END_REVIEW: MANAGERS,  # 年终考评
}
APPEALABLE = (ev.DEDUCTION, ev.METRIC, ev.BONUS)
# What leads and supervisors record: in a closed month only manager and above may add it
# (SPEC §4). The employee's self-assessment stays open until the manager's review, and the
# sign-off steps (review, 签字, appeal, 整改方案) come after the close by design (SPEC §4.9, §5).
RECORDED = (ev.DEDUCTION, ev.METRIC, ev.BONUS, ev.INSPECTION)


@dataclass(frozen=True)
class Context:
    """What one incident is checked against: the employee's place and rubric that month."""

    employee: org.Employee
    assignment: org.Assignment
    template: Template
    period: str


def check_role(principal: Principal, kind: str, employee: str, data: dict[str, Any]) -> None:
    allowed = ALLOWED[kind]
    is_self = principal.role == "employee" and principal.user == employee
    if principal.role == "employee" and not is_self:
        raise Forbidden("员工只能为本人提交 (employees act only on themselves)")
    if not (principal.role in allowed or (is_self and "self" in allowed)):
        raise Forbidden(f"角色 {principal.role} 不能记录 {kind} (role {principal.role} may not record {kind})")
    if kind == ev.REVIEW and data["stage"] == "gm" and principal.role not in ("gm", "admin"):
        raise Forbidden("总经理审核只能由总经理提交 (only a gm may record the gm review)")


def year_end_period(year: str, current: str) -> str:
    """The month a year-end review is filed under: December of a past year, else this month
    (a month that has not begun is not scored, and the review must reach the annual composite)."""
    return min(f"{year}-12", current)


def period_of(store: EventStore, data: dict[str, Any], current: str) -> str:
    if data["type"] == ev.YEAR_END_REVIEW:
        return year_end_period(str(data["year"]), current)
    if "occurred_on" in data:
        return month_of(data["occurred_on"])
    if "period" in data:
        return str(data["period"])
    target = store.get(data["event_id"])  # appeal: the period of the appealed event
    if target is None or target.employee != data["employee"] or target.type not in APPEALABLE:
        raise Invalid.field("event_id", "没有该员工可申诉的事件 (no appealable event of this employee)")
    return target.period or ""


def resolve(conn: Connection, principal: Principal, data: dict[str, Any], cache: OrgView,
            current: str) -> Context:
    """Find the employee's assignment and rubric for the incident's month (`current`: this
    month, Asia/Shanghai); check scope."""
    emp = cache.employee(data["employee"])
    if emp is None:
        raise Invalid.field("employee", f"未知员工 (unknown employee {data['employee']!r})")
    check_role(principal, data["type"], emp.employee_no, data)
    period = period_of(EventStore(conn), data, current)
    place = cache.assignment(emp.employee_no, period)
    date_field = "occurred_on" if "occurred_on" in data else "year" if "year" in data else "period"
    if place is None:
        raise Invalid.field(date_field, f"该员工在 {period} 尚未入职 (not assigned in {period})")
    if not principal.in_scope(place.project):
        raise Forbidden(f"无权访问项目 {place.project} (project {place.project} is outside your scope)")
    if data["type"] in RECORDED and principal.role not in MANAGERS and cache.is_closed(place.project, period):
        raise Conflict(f"{place.project} {period} 已结账,只有经理及以上可更正 "
                       f"(month closed: corrections by manager and above only)")
    template = cache.template(emp.template, period)
    if template is None:
        raise Invalid.field(date_field, f"{period} 无生效的考核表 {emp.template} (no template version in force)")
    return Context(emp, place, template, period)


def check_against_template(data: dict[str, Any], t: Template) -> dict[str, Any]:
    """Semantic checks of SPEC §4/§7.4; returns the payload to store."""
    kind = data["type"]
    payload = {k: v for k, v in data.items() if k not in ("type", "employee", "expected_version")}
    if kind in (ev.DEDUCTION, ev.METRIC):
        item = t.item(data["item"])
        if item is None:
            raise Invalid.field("item", f"考核表 {t.code} 无此项目 (unknown item {data['item']!r})")
        rule = item.rule(data["rule"])
        if rule is None:
            raise Invalid.field("rule", f"项目 {item.code} 无此扣分规则 (unknown rule {data['rule']!r})")
        if kind == ev.METRIC and rule.kind != "per_percent_below":
            raise Invalid.field("rule", "指标只能报告给按百分比扣分的规则 (metrics go to per_percent_below rules)")
        if kind == ev.METRIC and rule.source:
            raise Conflict(f"该指标取自投诉台账，由月结自动记录，不能手工报告 (this rule's rate comes from "
                           f"{rule.source}: the month close records it)", {"rule": [f"fed by {rule.source}"]})
        if kind == ev.DEDUCTION:
            payload["points"] = _deduction_points(rule.kind, rule.points, rule.min, rule.max, data.get("points"))
            if payload["points"] is None:
                payload.pop("points")
    elif kind == ev.BONUS:
        bonus = t.bonus(data["bonus"])
        if bonus is None:
            raise Invalid.field("bonus", f"考核表 {t.code} 无此加分项 (unknown bonus {data['bonus']!r})")
        if not bonus.min <= data["points"] <= bonus.max:
            raise Invalid.field("points", f"加分应在 {bonus.min}–{bonus.max} 之间 (points outside [{bonus.min}, {bonus.max}])")
    elif kind == ev.SELF_ASSESSMENT:
        _check_self_scores(data["scores"], t)
    return payload


def _deduction_points(kind: str, fixed: Decimal | None, lo: Decimal | None, hi: Decimal | None,
                      given: Decimal | None) -> Decimal | None:
    if kind == "per_percent_below":
        raise Invalid.field("rule", "该规则由指标驱动,请提交 metric 事件 (this rule is driven by metric events)")
    if kind == "range":
        assert lo is not None and hi is not None
        if given is None:
            raise Invalid.field("points", f"需填写扣分 {lo}–{hi} (points required, {lo}–{hi})")
        if not lo <= given <= hi:
            raise Invalid.field("points", f"扣分应在 {lo}–{hi} 之间 (points outside [{lo}, {hi}])")
        return given
    if given is not None and given != fixed:
        raise Invalid.field("points", f"该规则固定扣 {fixed} 分 (this rule deducts exactly {fixed})")
    return None


def _check_self_scores(scores: dict[str, Decimal], t: Template) -> None:
    if not t.has_self_rater:
        raise Invalid.field("type", f"考核表 {t.code} 不含自评 (template has no self rating)")
    errors: dict[str, list[str]] = {}
    for code in scores:
        if t.item(code) is None:
            errors[f"scores.{code}"] = ["无此项目 (unknown item)"]
    for item in t.items:
        score = scores.get(item.code)
        if score is None:
            errors[f"scores.{item.code}"] = ["缺少自评分 (missing score)"]
        elif not Decimal(0) <= score <= item.points:
            errors[f"scores.{item.code}"] = [f"应在 0–{item.points} 之间 (must be within 0–{item.points})"]
    if errors:
        raise Invalid("自评分无效 (invalid self-assessment scores)", errors)
