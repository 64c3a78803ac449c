"""The read models of the project-level documents: department, annual, payroll and its changes, the overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.reports.models.stats import Distribution


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


