"""HTML documents from Jinja templates shipped in the package; autoescaping is always on."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from services.reports.models import (
    AnnualModel,
    AuditModel,
    ComplaintsModel,
    DepartmentModel,
    FollowupsModel,
    OverviewModel,
    PayrollChangesModel,
    SheetModel,
)
from services.reports.models.yearend import YearEndModel
from services.reports.render import charts, labels
from shared.domain.template import default_annual_components


def num(value: float | int | None, places: int = 2) -> str:
    """A score as printed: up to two decimals, no trailing zeros; blank when absent."""
    if value is None:
        return ""
    text = f"{float(value):.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("services.reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=num, status=labels.status, awards=labels.awards, flag=labels.flag,
                       consequences=labels.consequences)
    env.globals.update(event_type=labels.EVENT_TYPE, improvement_status=labels.IMPROVEMENT_STATUS)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def sheet_html(model: SheetModel) -> str:
    """员工月绩效考核记录表."""
    return render("sheet.html", m=model, chart=charts.trend_chart(model.trend))


def department_html(model: DepartmentModel) -> str:
    """员工月绩效考核情况统计表."""
    return render("department.html", m=model, charts=[
        charts.histogram_chart(s.distribution, f"{s.template_name} 最终得分分布") for s in model.sections])


def annual_html(model: AnnualModel) -> str:
    """年度员工绩效考核情况统计表."""
    return render("annual.html", m=model, months=[f"{n}月" for n in range(1, 13)], parts=annual_heads(model))


def annual_heads(model: AnnualModel) -> list[dict[str, str]]:
    """The composite's parts as column heads: a short name and the declared weight (the
    default parts of seed 003 §4.6 while nothing is published)."""
    parts = [(p.code, p.title, p.weight) for p in model.components] or [
        (c.code, c.title, float(c.weight)) for c in default_annual_components()]
    return [{"code": code, "title": labels.COMPONENT.get(code, title),
             "short": {"monthly": "月均"}.get(code, labels.COMPONENT.get(code, title)),
             "weight": f"{num(weight * 100)}%"} for code, title, weight in parts]


def yearend_html(model: YearEndModel) -> str:
    """员工年终绩效考核记录表."""
    return render("yearend.html", m=model, kind=labels.INSPECTION_KIND, part_label=labels.COMPONENT)


def payroll_changes_html(model: PayrollChangesModel) -> str:
    """薪资调整变更表."""
    return render("payroll_changes.html", m=model)


def complaints_html(model: ComplaintsModel) -> str:
    """用户意见受理表."""
    return render("complaints.html", m=model)


def followups_html(model: FollowupsModel) -> str:
    """回访用户月统计表."""
    return render("followups.html", m=model)


def audit_html(model: AuditModel) -> str:
    """考核追溯记录."""
    return render("audit.html", m=model)


def overview_html(model: OverviewModel) -> str:
    """集团绩效概览."""
    means = [(p.project, p.distribution.mean) for p in model.projects]
    return render("overview.html", m=model, chart=charts.averages_chart(means) if means else None)
