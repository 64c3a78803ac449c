"""Builders for recorded events and the seed 001 rubric, shared by the scoring tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.template import BonusRule, Item, Rule, Template

EMPLOYEE = "JRJ-0012"
PERIOD = "2026-10"
D = Decimal
_ids = count(1)


def recorded(
    type_: str,
    payload: dict[str, Any],
    *,
    position: int,
    id: str | None = None,
    employee: str = EMPLOYEE,
    period: str | None = PERIOD,
    occurred_on: date | None = None,
    actor: str = "lead-01",
) -> RecordedEvent:
    """One stored event on the employee's stream; version follows position."""
    return RecordedEvent(
        id=id or f"ev-{next(_ids)}",
        position=position,
        stream=f"employee:{employee}",
        version=position,
        type=type_,
        payload=payload,
        metadata={"actor": actor},
        recorded_at=datetime(2026, 10, 31, 12, 0, tzinfo=UTC),
        hash="x" * 64,
        prev_hash="x" * 64,
        occurred_on=occurred_on,
        period=period,
        employee=employee,
    )


def deduction(item: str, rule: str, *, position: int, **fields: Any) -> RecordedEvent:
    """fields: count, points, evidence, source, plus recorded() keywords (id, period...)."""
    payload_keys = ("count", "points", "evidence", "source")
    payload = {"item": item, "rule": rule} | {k: fields.pop(k) for k in payload_keys if k in fields}
    fields.setdefault("occurred_on", date(2026, 10, 14))
    return recorded(ev.DEDUCTION, payload, position=position, **fields)


def metric(item: str, rule: str, value: Any, *, position: int, **kw: Any) -> RecordedEvent:
    return recorded(ev.METRIC, {"item": item, "rule": rule, "value": value}, position=position, **kw)


def bonus(points: Any, *, position: int, code: str = "commendation", **kw: Any) -> RecordedEvent:
    payload = {"bonus": code, "points": points, "evidence": "业主书面表扬"}
    return recorded(ev.BONUS, payload, position=position, **kw)


def self_assessment(scores: dict[str, Any], *, position: int, **kw: Any) -> RecordedEvent:
    payload = {"scores": scores, "analysis": "自评分影响因素分析"}
    return recorded(ev.SELF_ASSESSMENT, payload, position=position, actor=EMPLOYEE, **kw)


def review(stage: str, *, position: int, **kw: Any) -> RecordedEvent:
    return recorded(ev.REVIEW, {"stage": stage, "comment": "同意"}, position=position, **kw)


def acknowledgement(*, position: int, **kw: Any) -> RecordedEvent:
    return recorded(ev.ACKNOWLEDGEMENT, {"comment": "已阅"}, position=position, **kw)


def appeal(target: str, *, position: int, **kw: Any) -> RecordedEvent:
    payload = {"event_id": target, "reason": "不属实"}
    return recorded(ev.APPEAL, payload, position=position, **kw)


def revocation(target: str, *, position: int, **kw: Any) -> RecordedEvent:
    payload = {"event_id": target, "reason": "录入错误"}
    return recorded(ev.REVOCATION, payload, position=position, actor="manager-01", **kw)


# Seed 001 客服人员考核表: eleven rows, 标准分 10,10,10,10,10,5,10,10,5,10,10 = 100.
SEED_001_ITEMS: tuple[tuple[str, str, int], ...] = (
    ("civility", "是否文明用语,积极、主动、热情地为业主服务", 10),
    ("patience", "能否耐心解答业主问题,与业主保持良好关系", 10),
    ("teamwork", "工作是否与同事配合认真完成指定任务", 10),
    ("duty_records", "上、值、加班认真负责,记录登记情况完整清楚", 10),
    ("image", "自觉维护公司利益和形象、着装是否整齐及个人卫生", 10),
    ("criticism", "能否正确对待领导或同事的批评教育", 5),
    ("vigilance", "上班时细心,发现可疑情况并跟踪处理", 10),
    ("attendance", "考勤是否齐全,出勤是否认真、上班是否迟到、早退", 10),
    ("learning", "是否能利用业余时间学习其它与物业相关知识", 5),
    ("focus", "上、值、加班时是否开小差", 10),
    ("obedience", "服从领导工作分派,认真完成领导分派的各项工作", 10),
)

RULES: dict[str, tuple[Rule, ...]] = {
    "civility": (
        Rule("rude", "服务用语不文明", "fixed", points=D(2)),
        Rule("complaint", "有效投诉", "range", min=D(3), max=D(5)),
        Rule("plan_rate", "计划完成率每低于1%", "per_percent_below", points=D(5), target=D(100)),
    ),
    "teamwork": (Rule("uncooperative", "不配合同事", "fixed", points=D(2)),),
    "duty_records": (Rule("missing_record", "记录不完整", "fixed", points=D(1)),),
    "attendance": (
        Rule("late", "迟到早退", "fixed", points=D(1)),
        Rule("attendance_rate", "出勤率每低于1%", "per_percent_below", points=D(2), target=D(100)),
    ),
    "focus": (Rule("distracted", "开小差", "range", min=D(1), max=D(5)),),
}


def staff_template(
    *, raters: dict[str, Decimal] | None = None, item_cap: bool = True
) -> Template:
    """Seed 001 客服人员考核表: self 15% / supervisor 85%, bonuses 1-10 (seed 003 §4.9)."""
    items = tuple(
        Item(code, title, D(points), rules=RULES.get(code, ()))
        for code, title, points in SEED_001_ITEMS
    )
    return Template(
        code="cs-staff",
        name="客服人员考核表",
        effective_from="2026-01",
        items=items,
        raters=raters if raters is not None else {"self": D("0.15"), "supervisor": D("0.85")},
        item_cap=item_cap,
        bonuses=(BonusRule("commendation", "受到公司表扬", D(1), D(10)),),
    )


def supervisor_only_template() -> Template:
    return staff_template(raters={"supervisor": D(1)})
