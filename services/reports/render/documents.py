"""One entry per record: a read model and a format in, the document's bytes out."""

from __future__ import annotations

from services.reports.models import (
    AnnualModel,
    AuditModel,
    ComplaintsModel,
    DepartmentModel,
    FollowupsModel,
    OverviewModel,
    PayrollChangesModel,
    PayrollModel,
    SheetModel,
)
from services.reports.models.yearend import YearEndModel
from services.reports.render import html, tables
from services.reports.render.csv_xlsx import to_csv, to_xlsx
from services.reports.render.pdf import html_to_pdf


def sheet(model: SheetModel, fmt: str) -> bytes:
    if fmt == "pdf":
        return html_to_pdf(html.sheet_html(model))
    if fmt == "xlsx":
        return to_xlsx(tables.sheet_table(model))
    return html.sheet_html(model).encode("utf-8")


def department(model: DepartmentModel, fmt: str) -> bytes:
    if fmt == "pdf":
        return html_to_pdf(html.department_html(model))
    if fmt == "csv":
        return to_csv(tables.department_table(model))
    if fmt == "xlsx":
        return to_xlsx(tables.department_table(model))
    return html.department_html(model).encode("utf-8")


def annual(model: AnnualModel, fmt: str) -> bytes:
    if fmt == "pdf":
        return html_to_pdf(html.annual_html(model))
    if fmt == "csv":
        return to_csv(tables.annual_table(model))
    if fmt == "xlsx":
        return to_xlsx(tables.annual_table(model))
    return html.annual_html(model).encode("utf-8")


def yearend(model: YearEndModel, fmt: str) -> bytes:
    if fmt == "pdf":
        return html_to_pdf(html.yearend_html(model))
    if fmt == "xlsx":
        return to_xlsx(tables.yearend_table(model))
    return html.yearend_html(model).encode("utf-8")


def payroll(model: PayrollModel, fmt: str) -> bytes:
    return to_csv(tables.payroll_table(model)) if fmt == "csv" else to_xlsx(tables.payroll_table(model))


def payroll_changes(model: PayrollChangesModel, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(tables.payroll_changes_table(model))
    if fmt == "xlsx":
        return to_xlsx(tables.payroll_changes_table(model))
    return html.payroll_changes_html(model).encode("utf-8")


def complaints(model: ComplaintsModel, fmt: str) -> bytes:
    if fmt == "pdf":
        return html_to_pdf(html.complaints_html(model))
    if fmt == "xlsx":
        return to_xlsx(tables.complaints_table(model))
    return html.complaints_html(model).encode("utf-8")


def followups(model: FollowupsModel, fmt: str) -> bytes:
    if fmt == "pdf":
        return html_to_pdf(html.followups_html(model))
    if fmt == "xlsx":
        return to_xlsx(tables.followups_table(model))
    return html.followups_html(model).encode("utf-8")


def audit(model: AuditModel) -> bytes:
    return html.audit_html(model).encode("utf-8")


def overview(model: OverviewModel) -> bytes:
    return html.overview_html(model).encode("utf-8")
