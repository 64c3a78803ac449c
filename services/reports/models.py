"""Read models of the printed records: plain frozen dataclasses, rendered by `render/`."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.domain.layout import GENERIC, SheetLayout

BINS: tuple[tuple[str, float, float], ...] = (
    ("<60", float("-inf"), 60), ("60-69", 60, 70), ("70-79", 70, 80), ("80-89", 80, 90),
    ("90-100", 90, 100.0001), (">100", 100.0001, float("inf")),
)


@dataclass(frozen=True)
class Distribution:
    count: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    bins: tuple[tuple[str, int], ...]
    values: tuple[float, ...] = ()


def distribution(finals: Sequence[float]) -> Distribution:
    """Mean, median, extremes and counts per score band (mean and median to 2 places)."""
    values = tuple(sorted(float(v) for v in finals))
    bins = tuple((label, sum(1 for v in values if lo <= v < hi)) for label, lo, hi in BINS)
    if not values:
        return Distribution(0, None, None, None, None, bins)
    exact = [Decimal(str(v)) for v in values]
    return Distribution(len(values), _half_up(statistics.mean(exact)), _half_up(statistics.median(exact)),
                        values[0], values[-1], bins, values)


def _half_up(value: Decimal) -> float:
    """Mean and median as the paper rounds them: half up (95.725 → 95.73), not half even."""
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


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
    approved: float | None
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


@dataclass(frozen=True)
class DepartmentRow:
    employee_no: str
    name: str
    position: str
    final: float
    rank: int | None
    rank_of: int | None
    awards: tuple[str, ...]
    status: str
    ranking: dict[str, Any] = field(default_factory=dict)  # the §7.4 row, overdue resolved


@dataclass(frozen=True)
class DepartmentSection:
    """The members of one department on one rubric (考核表): ranked and counted among themselves."""

    template: str
    template_name: str
    rows: tuple[DepartmentRow, ...]
    distribution: Distribution


@dataclass(frozen=True)
class DepartmentModel:
    """员工月绩效考核情况统计表: one department, one month, one section per rubric."""

    project: str
    project_name: str
    department: str
    period: str
    sections: tuple[DepartmentSection, ...]

    @property
    def rows(self) -> tuple[DepartmentRow, ...]:
        return tuple(r for s in self.sections for r in s.rows)


@dataclass(frozen=True)
class ComponentPart:
    """One part of the annual composite as stored: its mean (rounded once from the exact
    mean) and its weight, declared and after a missing part's weight was redistributed."""

    code: str
    title: str
    weight: float
    weight_applied: float
    mean: float | None
    count: int


@dataclass(frozen=True)
class AnnualRow:
    employee_no: str
    name: str
    department: str
    months: tuple[float | None, ...]  # January..December
    monthly_mean: float | None
    composite: float | None
    excellent: bool
    excellent_months: int
    flags: tuple[str, ...] = ()
    parts: tuple[ComponentPart, ...] = ()

    def mean(self, code: str) -> float | None:
        return next((p.mean for p in self.parts if p.code == code), None)

    @property
    def reweighted(self) -> bool:
        return "weights_redistributed" in self.flags


@dataclass(frozen=True)
class AnnualModel:
    """年度员工绩效考核情况统计表: one project, one year."""

    project: str
    project_name: str
    year: str
    rows: tuple[AnnualRow, ...]
    components: tuple[ComponentPart, ...] = ()  # the rubric's parts, for the column heads
    open_months: tuple[int, ...] = ()  # 1..12: months with results that are not closed (未结账)


@dataclass(frozen=True)
class PayrollRow:
    employee_no: str
    name: str
    department: str
    rank: int
    rank_of: int
    final: float
    amount: Decimal  # + reward (奖励), − deduction (扣款), in yuan
    reason: str

    @property
    def reward(self) -> Decimal:
        return max(self.amount, Decimal(0))

    @property
    def deduction(self) -> Decimal:
        return max(-self.amount, Decimal(0))


@dataclass(frozen=True)
class PayrollModel:
    """薪资调整明细: the month's ranking rewards and penalties, in yuan, never netted."""

    project: str
    project_name: str
    period: str
    rows: tuple[PayrollRow, ...]

    @property
    def rewards(self) -> Decimal:
        return sum((r.reward for r in self.rows), Decimal(0))

    @property
    def deductions(self) -> Decimal:
        return sum((r.deduction for r in self.rows), Decimal(0))


@dataclass(frozen=True)
class PayrollChange:
    """One employee's adjustment changed after the month was first closed (a late correction)."""

    employee_no: str
    name: str
    department: str
    old: Decimal
    new: Decimal
    at: str  # when the changed payroll was published (Asia/Shanghai)
    by: str  # who corrected it: the actors of the events that caused the change
    cause: str  # what they did (撤销 …, 补录 …)


@dataclass(frozen=True)
class PayrollChangesModel:
    """薪资调整变更表: what changed in a closed month's payroll, and who changed it."""

    project: str
    project_name: str
    period: str
    closed_on: str
    rows: tuple[PayrollChange, ...]


@dataclass(frozen=True)
class AuditEvent:
    position: int
    id: str
    type: str
    summary: str
    recorder: str
    recorded_at: str
    hash: str
    prev_hash: str
    revoked_by: str = ""


@dataclass(frozen=True)
class AuditRevision:
    revision: int
    old_final: float | None
    new_final: float
    cause_event_ids: tuple[str, ...]
    position: int
    created_at: str


@dataclass(frozen=True)
class AuditModel:
    """考核追溯记录: every event and revision behind one score."""

    employee_no: str
    name: str
    project: str
    period: str
    final: float | None
    position: int
    revision: int
    events: tuple[AuditEvent, ...]
    revisions: tuple[AuditRevision, ...]


@dataclass(frozen=True)
class ProjectOverview:
    project: str
    project_name: str
    headcount: int
    distribution: Distribution
    deductions: tuple[tuple[str, float], ...]  # rubric item title → points deducted
    awards: int
    consequences: dict[str, int]
    payroll_rewards: Decimal  # 奖励 and 扣款 side by side, never netted
    payroll_deductions: Decimal


@dataclass(frozen=True)
class OverviewModel:
    """集团绩效概览: every project in scope, one month."""

    period: str
    projects: tuple[ProjectOverview, ...]


@dataclass(frozen=True)
class ComplaintRow:
    id: str
    received_at: str
    channel: str
    severity: str
    category: str
    summary: str
    location: str
    responsible: str
    replied: str
    escalated: str
    closed: str
    handler: str
    followups: str


@dataclass(frozen=True)
class ComplaintsModel:
    """用户意见受理表 (seed 004): one project's complaints received in one month."""

    project: str
    project_name: str
    period: str
    rows: tuple[ComplaintRow, ...]
    stats: Any  # shared.domain.complaints.Stats


@dataclass(frozen=True)
class FollowupCase:
    complaint: str
    summary: str
    at: str
    by: str
    note: str
    next_at: str


@dataclass(frozen=True)
class FollowupsModel:
    """回访用户月统计表 (seed 004): the month's follow-ups counted, and what is still unsatisfied."""

    project: str
    project_name: str
    period: str
    stats: Any  # shared.domain.complaints.Stats
    unsatisfied: tuple[FollowupCase, ...]
