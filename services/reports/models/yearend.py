"""The read model of the 员工年终绩效考核记录表 (seed 003 §5), rendered by `render/`."""

from __future__ import annotations

from dataclasses import dataclass

from services.reports.models.summaries import ComponentPart


@dataclass(frozen=True)
class YearEndMonth:
    period: str
    final: float | None
    excellent: bool
    closed: bool


@dataclass(frozen=True)
class InspectionLine:
    occurred_on: str
    kind: str  # weekly | monthly
    score: float
    note: str
    recorded_by: str


@dataclass(frozen=True)
class ReviewLine:
    score: float
    comment: str
    recorded_by: str
    recorded_on: str


@dataclass(frozen=True)
class YearEndModel:
    """员工年终绩效考核记录表 (seed 003 §5): one employee, one year."""

    employee_no: str
    name: str
    project: str
    project_name: str
    department: str
    position: str
    year: str
    months: tuple[YearEndMonth, ...]
    inspections: tuple[InspectionLine, ...]
    review: ReviewLine | None
    parts: tuple[ComponentPart, ...]
    composite: float | None
    excellent: bool
    flags: tuple[str, ...]

    @property
    def excellent_months(self) -> int:
        return sum(1 for m in self.months if m.excellent)

    @property
    def open_months(self) -> tuple[str, ...]:
        return tuple(m.period for m in self.months if m.final is not None and not m.closed)

    @property
    def formula(self) -> str:
        """A = Σ weight × mean, with the weights applied (after redistribution) and the means shown."""
        terms = [f"{_plain(p.weight_applied * 100)}% × {_plain(p.mean)}" for p in self.parts
                 if p.mean is not None and p.weight_applied]
        if not terms or self.composite is None:
            return "A = —(无考核数据)"
        return f"A = {' + '.join(terms)} = {_plain(self.composite)}"


def _plain(value: float | None) -> str:
    """A number as printed on the records: up to two decimals, no trailing zeros."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")
