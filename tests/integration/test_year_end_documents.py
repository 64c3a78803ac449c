"""The year-end documents (SPEC §7.8) from one seeded year with inspections and reviews:
the annual sheet with its parts, 未结账 marks, signature lines and PDF, and the
员工年终绩效考核记录表 in HTML, XLSX and PDF, each PDF page rendered and read back.

One SQLite database for the module (the documents read the same read models on both
backends; tests/integration/test_year_end.py covers the events on PostgreSQL too).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from services.incidents.app import create_app as incidents_app
from services.reports.app import create_app as reports_app
from shared.auth import create_token
from shared.db import Database
from shared.seeding import install_seed_templates
from tests.conftest import ADMIN_TOKEN, make_runner, settings
from tests.pdfpages import printed_pages

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'


class Seeded:
    def __init__(self, db: Database) -> None:
        self.incidents = incidents_app(settings(db.url), db).test_client()
        self.reports = reports_app(settings(db.url), db).test_client()
        self.db = db
        self.tokens = {"admin": ADMIN_TOKEN}

    def post(self, path, body=None, as_="admin"):
        r = self.incidents.post(path, json=body, headers={"Authorization": f"Bearer {self.tokens[as_]}"})
        assert r.status_code in (200, 201, 202), r.json
        return r.json

    def get(self, path, as_="admin", status=200):
        headers = {} if as_ is None else {"Authorization": f"Bearer {self.tokens.get(as_, as_)}"}
        r = self.reports.get(path, headers=headers)
        assert r.status_code == status, (path, r.data[:500])
        return r


@pytest.fixture(scope="module")
def seeded(sqlite_template, tmp_path_factory) -> Seeded:
    path = tmp_path_factory.mktemp("yearend") / "jixiao.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    install_seed_templates(db)
    s = Seeded(db)
    s.post("/api/v1/projects", {"code": "JRJ", "name": "金融街项目"})
    s.post("/api/v1/projects", {"code": "BSQ", "name": "碧水湾项目"})
    for no, name, project, since in (("JRJ-0001", "张三", "JRJ", "2026-01"), ("JRJ-0002", SCRIPT, "JRJ", "2026-01"),
                                     ("JRJ-0003", FORMULA, "JRJ", "2026-01"), ("JRJ-0004", "钱七", "JRJ", "2026-08"),
                                     ("BSQ-0001", "赵六", "BSQ", "2026-01")):
        s.post("/api/v1/employees", {"employee_no": no, "name": name, "project": project, "department": "客服部",
                                     "position": "客服专员", "template": "cs-staff", "effective_from": since})
    with db.write() as conn:
        for key, user, role, projects in (("manager", "mgr-jrj", "manager", ["JRJ"]),
                                          ("supervisor", "sup-jrj", "supervisor", ["JRJ"]),
                                          ("lead", "lead-jrj", "lead", ["JRJ"]),
                                          ("other", "sup-bsq", "supervisor", ["BSQ"]),
                                          ("employee", "JRJ-0001", "employee", ["JRJ"]),
                                          ("employee2", "JRJ-0002", "employee", ["JRJ"])):
            s.tokens[key] = create_token(conn, user, role, projects)
    # JRJ-0001: eleven perfect months (mean 100); inspections 90, 95, 97.5 → mean 94.1666… → 94.17;
    # year-end review 88 (a first one of 70 revoked). A = 0.2 × 94.1666… + 0.3 × 100 + 0.5 × 88
    # = 18.8333… + 30 + 44 = 92.8333… → 92.83
    for day, kind, score, note in (("2026-03-06", "weekly", 90, "仪容仪表"), ("2026-06-30", "monthly", 95, SCRIPT),
                                   ("2026-10-09", "weekly", 97.5, "=1+1 值班记录完整")):
        s.post("/api/v1/events", {"type": "inspection", "employee": "JRJ-0001", "occurred_on": day, "kind": kind,
                                  "score": score, "note": note}, as_="supervisor")
    wrong = s.post("/api/v1/events", {"type": "year_end_review", "employee": "JRJ-0001", "year": "2026",
                                      "score": 70, "comment": "录错"}, as_="manager")
    s.post(f"/api/v1/events/{wrong['id']}/revoke", {"reason": "误录"}, as_="manager")
    s.post("/api/v1/events", {"type": "year_end_review", "employee": "JRJ-0001", "year": "2026", "score": 88,
                              "comment": "服务意识强,\n来年加强培训。" + SCRIPT}, as_="manager")
    # JRJ-0004 (from August): bonuses 1.5, 2.1, 1, 1.5 → finals 101.5, 102.1, 101, 101.5, mean 101.525
    for month, points in (("08", 1.5), ("09", 2.1), ("10", 1), ("11", 1.5)):
        s.post("/api/v1/events", {"type": "bonus", "employee": "JRJ-0004", "bonus": "owner_praise",
                                  "occurred_on": f"2026-{month}-05", "points": points, "evidence": "业主表扬"})
    for period in ("2026-09", "2026-10"):
        s.post(f"/api/v1/periods/JRJ/{period}/close", as_="manager")
    make_runner(db).drain()
    yield s
    db.dispose()


def soup(resp) -> BeautifulSoup:
    assert resp.mimetype == "text/html"
    return BeautifulSoup(resp.data.decode("utf-8"), "html.parser")


def csv_rows(resp) -> list[list[str]]:
    assert resp.data.startswith("\ufeff".encode()) and resp.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def xlsx_values(resp) -> list[list]:
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows()]


def pdf_pages(resp, tmp_path: Path, name: str) -> list[str]:
    assert resp.mimetype == "application/pdf"
    return printed_pages(resp.data, tmp_path, name)


def test_the_annual_api_has_all_three_parts(seeded):
    body = seeded.get("/api/v1/annual/JRJ-0001/2026").json
    assert body["flags"] == [] and body["composite"] == 92.83
    assert [(c["code"], c["mean"], c["weight_applied"]) for c in body["components"]] == [
        ("inspections", 94.17, 0.2), ("monthly", 100.0, 0.3), ("year_end", 88.0, 0.5)]
    assert body["year_end_review"]["score"] == 88.0 and len(body["inspections"]) == 3


def test_the_annual_sheet_shows_parts_open_months_and_signature_lines(seeded):
    page = soup(seeded.get("/reports/annual/JRJ/2026.html"))
    assert page.find_all("script") == [] and SCRIPT in page.get_text()
    heads = [th.get_text(" ", strip=True) for th in page.select("table.annual thead th")]
    assert heads[3] == "1月 未结账" and heads[11] == "9月" and heads[12] == "10月" and heads[13] == "11月 未结账"
    assert heads[14] == "12月"  # no results yet: nothing to mark
    assert heads[15:19] == ["周检/月检 20%", "月均 30%", "年终考评 50%", "年度综合 A"]
    rows = {tr.find("td").get_text(): [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in page.select("table.annual tbody tr")}
    assert rows["JRJ-0001"][15:19] == ["94.17", "100", "88", "92.83"]
    assert rows["JRJ-0004"][16] == "101.53" and rows["JRJ-0004"][18] == "101.53*" and rows["JRJ-0004"][19] == "优秀员工"
    signs = [d.get_text(strip=True) for d in page.select("table.sign .line")]
    assert signs == ["制表人:", "审核人:", "日期:"]


def test_the_annual_csv_and_xlsx_carry_the_parts_once_rounded(seeded):
    rows = csv_rows(seeded.get("/reports/annual/JRJ/2026.csv"))
    assert rows[0][15:19] == ["周检/月检均分(20%)", "月均(30%)", "年终考评均分(50%)", "年度综合"]
    by_no = {r[0]: r for r in rows[1:] if r}
    assert by_no["JRJ-0004"][16] == by_no["JRJ-0004"][18] == "101.53"  # 月均 beside A, rounded once
    assert by_no["JRJ-0003"][1] == "'" + FORMULA
    assert ["制表人", ""] in rows and ["审核人", ""] in rows
    grid = {v[0]: v for v in xlsx_values(seeded.get("/reports/annual/JRJ/2026.xlsx"))
            if isinstance(v[0], str) and v[0].startswith("JRJ-")}
    assert grid["JRJ-0001"][15:19] == [94.17, 100.0, 88.0, 92.83]


def test_the_annual_pdf_names_the_project_and_year_on_every_page(seeded, tmp_path):
    pages = pdf_pages(seeded.get("/reports/annual/JRJ/2026.pdf"), tmp_path, "annual")
    assert len(pages) == 1
    for text in pages:
        assert "金融街项目" in text and "2026" in text
    assert "年度员工绩效考核情况统计表" in pages[0] and "92.83" in pages[0] and "未结账" in pages[0]
    assert "制表人" in pages[-1] and "审核人" in pages[-1]


def test_the_yearend_record_in_html(seeded):
    page = soup(seeded.get("/reports/yearend/JRJ-0001/2026.html", as_="employee"))
    text = page.get_text(" ", strip=True)
    assert page.find_all("script") == [] and SCRIPT in text  # escaped, shown as typed
    assert "员工年终绩效考核记录表" in text and "张三" in text
    finals = [td.get_text(" ", strip=True) for td in page.select("table.months tbody td")]
    assert finals[8] == "100" and finals[0] == "100 未结账" and finals[11] == ""
    inspections = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in page.select("table")[2].select("tbody tr")]
    assert [(r[0], r[1], r[2]) for r in inspections] == [
        ("2026-03-06", "周检", "90"), ("2026-06-30", "月检", "95"), ("2026-10-09", "周检", "97.5")]
    assert "88" in text and "服务意识强" in text and "录错" not in text  # the revoked review does not count
    formula = page.select_one(".formula").get_text(strip=True)
    assert formula == "A = 20% × 94.17 + 30% × 100 + 50% × 88 = 92.83"
    assert "年度优秀员工: 否" in text
    signs = [d.get_text(strip=True) for d in page.select("table.sign .line")]
    assert signs[:3] == ["考评人(客户经理):", "审核人(总经理):", "被考核人签字:"]


def test_the_yearend_record_in_xlsx_has_numbers_and_neutralised_text(seeded):
    values = xlsx_values(seeded.get("/reports/yearend/JRJ-0001/2026.xlsx"))
    flat = [v for row in values for v in row]
    assert "员工年终绩效考核记录表" in flat and "张三" in flat
    inspections = [row for row in values if isinstance(row[0], str) and row[0].startswith("2026-")]
    assert [r[2] for r in inspections] == [90.0, 95.0, 97.5]
    assert inspections[2][4] == "'=1+1 值班记录完整"
    by_label = {row[0]: row for row in values if isinstance(row[0], str)}
    assert by_label["年度综合得分 A"][1] == 92.83 and by_label["年终考评得分"][1] == 88.0
    assert by_label["计算"][1] == "A = 20% × 94.17 + 30% × 100 + 50% × 88 = 92.83"
    assert "被考核人签字" in by_label


def test_the_yearend_pdf_names_the_employee_and_year_on_every_page(seeded, tmp_path):
    pages = pdf_pages(seeded.get("/reports/yearend/JRJ-0001/2026.pdf"), tmp_path, "yearend")
    assert 1 <= len(pages) <= 2
    for text in pages:
        assert "张三" in text and "JRJ-0001" in text and "2026" in text
    whole = "".join(pages)
    assert "员工年终绩效考核记录表" in whole and "92.83" in whole and "被考核人签字" in whole


def test_the_yearend_pdf_of_an_employee_with_only_monthly_finals(seeded, tmp_path):
    pages = pdf_pages(seeded.get("/reports/yearend/JRJ-0004/2026.pdf"), tmp_path, "only_monthly")
    whole = "".join(pages)
    assert all("钱七" in t and "2026" in t for t in pages)
    assert "尚未进行年终考评" in whole and "101.53" in whole


def test_who_may_read_a_yearend_record(seeded):
    path = "/reports/yearend/JRJ-0001/2026.html"
    for as_ in ("employee", "lead", "supervisor", "manager", "admin"):
        seeded.get(path, as_=as_)
    seeded.get(path, as_="employee2", status=403)  # another employee's record
    seeded.get(path, as_="other", status=404)  # outside the caller's projects: existence is confidential
    seeded.get(path, as_=None, status=401)
    seeded.get("/reports/yearend/JRJ-0002/2026.pdf", as_="employee", status=403)
    seeded.get("/reports/yearend/NOBODY/2026.html", status=404)
    seeded.get("/reports/yearend/JRJ-0001/2025.html", status=404)  # no results that year
    seeded.get("/reports/yearend/JRJ-0001/2026.csv", status=404)


def test_the_openapi_document_lists_the_new_documents(seeded):
    paths = seeded.get("/openapi.json", as_=None).json["paths"]
    assert "/reports/yearend/{employee_no}/{year}.{fmt}" in paths
    assert "application/pdf" in str(paths["/reports/annual/{project}/{year}.{fmt}"])


def test_the_monthly_documents_of_a_month_with_inspections_still_render(seeded):
    audit = soup(seeded.get("/reports/audit/JRJ-0001/2026-10.html"))
    assert audit.find_all("script") == []
    seeded.get("/reports/sheet/JRJ-0001/2026-10.html")
    seeded.get("/reports/sheet/JRJ-0001/2026-11.pdf")
