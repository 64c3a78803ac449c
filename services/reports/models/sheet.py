"""The read model of the monthly sheet (员工月绩效考核记录表), rendered by `render/`."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.layout import GENERIC, SheetLayout


@dataclass(frozen=True)
class DeductionLine:
    occurred_on: str
    rule: str
    amount: float
    evidence: str
    source: str
    recorded_by: str
    recorded_at: str
    event_id: str
    appeal: str = ""  # the appeal of this deduction and its decision, when there is one
    metric: str = ""  # a rate's deduction: the value reported, beside the target (上报 87.5%, 目标 100%)


@dataclass(frozen=True)
class AppealLine:
    """One appeal of the month (申诉) with the record appealed and the decision."""

    occurred_on: str
    record: str  # what was appealed: the rule's title and its points
    evidence: str
    reason: str
    filed: str
    decision: str  # 待处理, 申诉成立 or 申诉驳回
    decision_reason: str = ""
    decided: str = ""  # by whom, when


@dataclass(frozen=True)
class SheetItem:
    no: int
    category: str
    title: str
    points: float
    self_score: float | None
    supervisor: float
    deducted: float
    deductions: tuple[DeductionLine, ...] = ()
    criteria: tuple[str, ...] = ()  # the rules (评分标准), as printed
    basis: str = ""  # 考核评分依据, when the form has that column
    category_span: int = 1  # rows the category cell spans (0: covered by the one above)


@dataclass(frozen=True)
class BonusLine:
    title: str
    points: float
    evidence: str


@dataclass(frozen=True)
class SignOff:
    label: str
    by: str = ""
    on: str = ""
    comment: str = ""
    stage: str = ""  # manager, gm or acknowledgement: the template's sign-off stage it records

    @property
    def signed(self) -> bool:
        return bool(self.on)


@dataclass(frozen=True)
class SheetModel:
    """员工月绩效考核记录表: one employee, one month."""

    employee_no: str
    name: str
    project: str
    project_name: str
    department: str
    position: str
    period: str
    template: str
    template_name: str
    template_version: int
    items: tuple[SheetItem, ...]
    total_points: float
    self_total: float | None
    supervisor: float
    weighted: float
    weights: tuple[float, float]  # (self, supervisor)
    bonus: float
    bonuses: tuple[BonusLine, ...]
    final: float
    excellent: bool
    rank: int | None
    rank_of: int | None
    status: str
    analysis: str
    sign_offs: tuple[SignOff, ...]
    flags: tuple[str, ...]
    trend: tuple[tuple[str, float | None], ...]
    revision: int
    event_position: int  # the event-store position the score was computed at
    appeals: tuple[AppealLine, ...] = ()
    corrected: tuple[tuple[str, str, str], ...] = ()  # signed, then changed: (what, as signed, as now)
    signed_before: tuple[SignOff, ...] = ()  # signatures that lapsed (the trail)
    layout: SheetLayout = GENERIC  # the template's printed form (its seed's columns and footer)
    bonus_rules: tuple[str, ...] = ()  # the template's bonus titles (the form's 加分 row)
    consequences: tuple[str, ...] = ()  # the ranking's consequences, with money for those who may see it
    provisional: bool = False  # the month is not closed: rank and consequences may still change
    review: SignOff = SignOff("经理初评")  # the manager's 初评 as recorded (blank until recorded)
    approval: SignOff = SignOff("总经理审核")  # the gm's 审核 as recorded


