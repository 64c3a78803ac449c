"""The report renderers are pure: hostile text in, escaped HTML and neutralised cells out."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from services.reports.models import (
    BonusLine,
    DeductionLine,
    DepartmentModel,
    DepartmentRow,
    DepartmentSection,
    PayrollModel,
    PayrollRow,
    SheetItem,
    SheetModel,
    SignOff,
    distribution,
)
from services.reports.render import html, labels, tables
from services.reports.render.csv_xlsx import neutralise, to_csv, to_xlsx
from services.reports.resources.helpers import disposition
from services.reports.results import with_overdue

# WeasyPrint warns at import that it would like the HarfBuzz-subset system library; the
# PDF renderer subsets fonts itself (uharfbuzz), so the warning says nothing about us.
pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
SCRIPT = "<script>alert(1)</script>"
HOSTILE = ('=HYPERLINK("http://x")', "@SUM(1)", "+1", "-2", "\tTAB", "\rCR")
DEPT = '客服部"><img src=x onerror=alert(1)>'


def sheet_model(**overrides) -> SheetModel:
    deduction = DeductionLine("2026-10-14", "服务用语不文明", 4.0, HOSTILE[0], "@SUM(1)", "lead-jrj",
                              "2026-10-14 18:20", "ev-1")
    items = (SheetItem(1, "工作表现", "文明用语", 10.0, 8.0, 6.0, 4.0, (deduction,)),
             SheetItem(2, "工作表现", "耐心解答", 10.0, 10.0, 10.0, 0.0))
    base = dict(
        employee_no="JRJ-0001", name=SCRIPT, project="JRJ", project_name="金融街项目", department=DEPT,
        position="客服专员", period="2026-10", template="cs-staff", template_name="客服人员考核表",
        template_version=1, items=items, total_points=20.0, self_total=18.0, supervisor=16.0,
        weighted=16.3, weights=(0.15, 0.85), bonus=5.0, bonuses=(BonusLine("业主表扬", 5.0, "+1 表扬信"),),
        final=21.3, excellent=False, rank=2, rank_of=3, status="reviewed", analysis="-2 " + SCRIPT,
        sign_offs=(SignOff("被考核人签字"), SignOff("经理签字确认", "mgr", "2026-11-02 09:00", "@同意")),
        flags=(), trend=(("1月", None), ("10月", 21.3)), revision=2, event_position=42)
    return SheetModel(**{**base, **overrides})


def department_model() -> DepartmentModel:
    ranking = {"consequences": ["last_place", "improvement_plan"], "payroll_adjustment": -100.0,
               "improvement_due": "2026-11-08", "improvement_status": "overdue"}
    rows = (DepartmentRow("JRJ-0002", HOSTILE[0], "客服专员", 103.0, 1, 2, ("excellent",), "approved",
                          {"consequences": ["first_place"], "payroll_adjustment": 100.0}),
            DepartmentRow("JRJ-0001", SCRIPT, "@SUM(1)", 92.75, 2, 2, (), "draft", ranking))
    supervisor = DepartmentRow("JRJ-0009", "主管", "客服主管", 95.0, 1, 1, (), "draft", {})
    return DepartmentModel("JRJ", "金融街项目", DEPT, "2026-10", (
        DepartmentSection("cs-staff", "客服人员考核表", rows, distribution([103.0, 92.75])),
        DepartmentSection("cs-supervisor-monthly", "客服主管月度考核表", (supervisor,), distribution([95.0]))))


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def test_sheet_html_escapes_names_evidence_and_analysis():
    page = soup(html.sheet_html(sheet_model()))
    assert page.find_all("script") == []
    assert SCRIPT in page.get_text() and HOSTILE[0] in page.get_text()
    assert page.find_all("img") == [] and len(page.find_all("svg")) == 1  # the trend, inline
    assert "经理已初评" in page.get_text() and "21.3" in page.get_text()


def test_sheet_html_leaves_review_columns_blank_per_item_and_names_the_reviewer_in_the_total():
    review = SignOff("经理初评", "郭梦瑶 (JRJ-0001)", "2026-11-02 09:00")
    rows = soup(html.sheet_html(sheet_model(review=review))).select("table.items tbody tr")
    cells = [td.get_text(strip=True) for td in rows[0].find_all("td")]
    # generic layout: 序号 考核项目 扣分记录 标准分 自评 主管评分 经理初评 总经理审核
    assert cells[0] == "1" and cells[3:] == ["10", "8", "6", "", ""]  # never the supervisor score copied
    total = [td.get_text(strip=True) for td in rows[-1].find_all("td")]
    assert total[-2:] == ["郭梦瑶11-02", ""]  # the manager's 初评 as recorded; no gm 审核 recorded


def test_department_html_keeps_a_hostile_department_as_text():
    page = soup(html.department_html(department_model()))
    assert page.find_all("img") == []
    assert [svg["aria-label"] for svg in page.find_all("svg")] == ["客服人员考核表 最终得分分布",
                                                                   "客服主管月度考核表 最终得分分布"]
    assert DEPT in page.find("p", class_="sub").get_text()
    text = page.get_text()
    assert "末位扣100元" in text and "须提交整改方案 (截止 2026-11-08, 已逾期)" in text and "第一名奖励100元" in text


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", [-100.0, 92.75, 3, "客服部", "JRJ-0001", None])
def test_numbers_and_plain_text_pass_unchanged(value):
    assert neutralise(value) == value


def test_csv_has_a_bom_and_neutralised_cells():
    data = to_csv(tables.department_table(department_model()))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["考核表", "工号", "姓名", "岗位", "最终得分"]
    assert rows[1][2] == "'" + HOSTILE[0] and rows[2][3] == "'@SUM(1)" and rows[1][4] == "103.0"
    assert [r[0] for r in rows[1:4]] == ["客服人员考核表", "客服人员考核表", "客服主管月度考核表"]


def test_xlsx_keeps_numbers_numeric_and_quotes_formulas():
    wb = load_workbook(io.BytesIO(to_xlsx(tables.payroll_table(PayrollModel("JRJ", "金融街项目", "2026-10", (
        PayrollRow("JRJ-0002", HOSTILE[0], DEPT, 1, 2, 103.0, Decimal(100), "第一名奖励100元"),
        PayrollRow("JRJ-0001", "-2", DEPT, 2, 2, 92.75, Decimal(-100), "末位扣100元")))))))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    head = values.index(["工号", "姓名", "部门", "名次", "参评人数", "最终得分", "奖励(元)", "扣款(元)", "原因"])
    first, second = values[head + 1], values[head + 2]
    assert first[1] == "'" + HOSTILE[0] and second[1] == "'-2"
    assert (first[3], first[5], first[6], first[7], second[6], second[7]) == (1, 103.0, 100, None, None, 100)
    assert values[-1][0] == "合计" and values[-1][6:8] == [100, 100]  # +100 and −100 do not net to 0
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_sheet_xlsx_neutralises_the_analysis_and_bonus_evidence():
    ws = load_workbook(io.BytesIO(to_xlsx(tables.sheet_table(sheet_model())))).active
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'-2 " + SCRIPT in texts and "'@同意" in texts
    assert any("+1 表扬信" in t for t in texts)  # in the 加分 row's records cell


def test_content_disposition_has_an_ascii_fallback_and_the_chinese_name():
    header = disposition("attachment", "员工月绩效考核记录表_JRJ-0001_2026-10.pdf", 'sheet_"x"/JRJ.pdf')
    assert header == ('attachment; filename="sheet_x_JRJ.pdf"; filename*=UTF-8\'\''
                      "%E5%91%98%E5%B7%A5%E6%9C%88%E7%BB%A9%E6%95%88%E8%80%83%E6%A0%B8%E8%AE%B0%E5%BD%95"
                      "%E8%A1%A8_JRJ-0001_2026-10.pdf")


def test_distribution_of_finals():
    # mean (103 + 100 + 92.75) / 3 = 98.583… → 98.58; median 100
    d = distribution([100.0, 92.75, 103.0])
    assert (d.count, d.mean, d.median, d.min, d.max) == (3, 98.58, 100.0, 92.75, 103.0)
    assert dict(d.bins) == {"<60": 0, "60-69": 0, "70-79": 0, "80-89": 0, "90-100": 2, ">100": 1}


def test_an_empty_department_has_no_statistics():
    assert distribution([]).mean is None and "本期无考核人员" in html.department_html(
        DepartmentModel("JRJ", "金融街项目", "客服部", "2026-10", ()))


def test_a_pending_plan_past_its_due_date_reads_overdue():
    row = {"improvement_status": "pending", "improvement_due": "2026-11-08"}
    assert with_overdue(row, date(2026, 11, 9))["improvement_status"] == "overdue"
    assert with_overdue(row, date(2026, 11, 8))["improvement_status"] == "pending"
    assert with_overdue({**row, "improvement_status": "filed"}, date(2027, 1, 1))["improvement_status"] == "filed"


def test_consequences_read_in_chinese():
    row = {"consequences": ["last_place", "improvement_plan", "reassignment_review"],
           "payroll_adjustment": -100.0, "improvement_due": None, "improvement_status": "pending"}
    assert labels.consequences(row) == ["末位扣100元", "须提交整改方案 (截止 月结后确定, 待提交)", "调岗审查"]
    assert labels.payroll_reason(row) == "末位扣100元"


def test_charts_are_deterministic_svg():
    assert html.sheet_html(sheet_model()) == html.sheet_html(sheet_model())


def test_a_chart_draws_one_bar_per_band_and_escapes_its_labels():
    from services.reports.render import charts

    svg = soup(str(charts.histogram_chart(distribution([55.0, 92.0, 93.5, 101.0]))))
    assert [r["fill"] for r in svg.find_all("rect")] == [charts.INK] * 3  # <60, 90-100, >100
    counts = [t.get_text() for t in svg.find_all("text") if t.get("text-anchor") == "middle"]
    assert "人数" in svg.get_text() and counts[:6] == ["<60", "60-69", "70-79", "80-89", "90-100", ">100"]
    hostile = soup(str(charts.averages_chart([("<b>X</b>", 90.0)])))
    assert hostile.find("b") is None and "<b>X</b>" in hostile.get_text()


def test_a_trend_leaves_a_gap_for_a_month_without_a_score():
    from services.reports.render import charts

    svg = soup(str(charts.trend_chart([("1月", 98.0), ("2月", None), ("3月", 97.0), ("4月", 101.5)])))
    assert len(svg.find_all("circle")) == 3
    assert [len(p["points"].split()) for p in svg.find_all("polyline")] == [2]  # 3月-4月; 1月 stands alone


def test_a_machine_without_a_cjk_font_gets_a_clear_error(monkeypatch, tmp_path):
    from services.reports.render import fonts, pdf

    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    fonts.cjk_fonts.cache_clear()
    try:
        with pytest.raises(fonts.CjkFontMissing, match="fonts-noto-cjk") as err:
            pdf.html_to_pdf("<p>中文</p>")
        assert err.value.status == 503
    finally:
        fonts.cjk_fonts.cache_clear()
