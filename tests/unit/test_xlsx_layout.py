"""XLSX documents look like the paper: a merged title, the head printed on every page,
numbers as the seed prints them (10, 97.3, 94.15: numeric cells, General format), A4
fitted to the width, one merged heading per section; formulas still neutralised."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from services.reports.models import (
    DepartmentModel,
    DepartmentRow,
    DepartmentSection,
    PayrollModel,
    PayrollRow,
    distribution,
)
from services.reports.render import tables
from services.reports.render.csv_xlsx import to_xlsx

A4 = 9


def sheet(table: tables.Table):
    return load_workbook(io.BytesIO(to_xlsx(table))).active


def department() -> DepartmentModel:
    staff = (DepartmentRow("JRJ-0002", "李四", "客服专员", 97.3, 1, 2, (), "draft", {}),
             DepartmentRow("JRJ-0001", "=cmd", "客服专员", 94.15, 2, 2, (), "draft", {}))
    head = (DepartmentRow("JRJ-0009", "王五", "服务中心主任", 86.0, 1, 1, (), "draft", {}),)
    return DepartmentModel("JRJ", "金融街项目", "客服部", "2026-10", (
        DepartmentSection("cs-staff", "客服人员考核表", staff, distribution([97.3, 94.15])),
        DepartmentSection("center-director", "服务中心主任考核细则", head, distribution([86.0]))))


def payroll() -> tables.Table:
    return tables.payroll_table(PayrollModel("JRJ", "金融街项目", "2026-10", (
        PayrollRow("JRJ-0002", "李四", "客服部", 1, 3, 10.0, Decimal(100), "第一名奖励100元"),
        PayrollRow("JRJ-0001", "+1", "客服部", 3, 3, 94.15, Decimal(-100), "末位扣100元"))))


def test_the_title_is_merged_across_the_table_and_centred():
    ws = sheet(payroll())
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "绩效考核薪资调整表" and ws["A1"].alignment.horizontal == "center"


def test_the_head_row_is_repeated_on_every_printed_page_and_frozen():
    ws = sheet(payroll())
    head = next(c.row for c in ws["A"] if c.value == "工号")
    assert ws.print_title_rows == f"${head}:${head}"
    assert ws.freeze_panes == f"A{head + 1}"


def test_a4_fitted_to_one_page_wide():
    ws = sheet(payroll())
    assert int(ws.page_setup.paperSize) == A4
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True


def test_numbers_stay_numeric_and_print_without_trailing_zeros():
    ws = sheet(payroll())
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, int | float)}
    assert {10, 94.15, 100, 1, 3} <= set(cells)
    assert all(c.data_type == "n" and c.number_format == "General" for c in cells.values())


def test_formula_starts_are_still_neutralised():
    ws = sheet(payroll())
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'+1" in texts and all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_a_department_has_a_merged_heading_per_rubric_with_its_own_statistics():
    ws = sheet(tables.department_table(department()))
    values = [[c.value for c in row] for row in ws.iter_rows()]
    width = len(values[0])
    merged = {str(r) for r in ws.merged_cells.ranges}
    headings = [i + 1 for i, v in enumerate(values) if v[0] in ("客服人员考核表", "服务中心主任考核细则")
                and all(x is None for x in v[1:])]
    assert len(headings) == 2
    last = chr(ord("A") + width - 1)
    assert {f"A{r}:{last}{r}" for r in headings} <= merged
    assert values[headings[0]][:3] == ["考核表", "工号", "姓名"]  # each heading is followed by the head
    first = values[headings[0]:headings[1] - 1]
    assert [v[1] for v in first if str(v[1]).startswith("JRJ-")] == ["JRJ-0002", "JRJ-0001"]
    # mean (97.3 + 94.15) / 2 = 95.725, rounded half up to 95.73
    assert ["人数", 2] in [v[:2] for v in first] and ["平均分", 95.73] in [v[:2] for v in first]
    second = values[headings[1]:]
    assert [v[1] for v in second if str(v[1]).startswith("JRJ-")] == ["JRJ-0009"]
    assert ["人数", 1] in [v[:2] for v in second] and ["最高分", 86] in [v[:2] for v in second]
    assert ws.print_title_rows == f"${headings[0] + 1}:${headings[0] + 1}"
    assert "'=cmd" in [v[2] for v in first]
