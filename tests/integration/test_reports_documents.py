"""Every document rendered from one seeded month with hostile names and evidence, read back.

One SQLite database for the module (the documents read the same read models on both
backends; the JSON API tests cover PostgreSQL).
"""

from __future__ import annotations

import csv
import io
import shutil
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from pypdf import PdfReader

from services.incidents.app import create_app as incidents_app
from services.reports.app import create_app as reports_app
from shared.auth import create_token
from shared.db import Database
from shared.seeding import install_seed_templates
from tests.conftest import ADMIN_TOKEN, make_runner, settings

# WeasyPrint warns at import that it would like the HarfBuzz-subset system library; the
# PDF renderer subsets fonts itself (uharfbuzz), so the warning says nothing about us.
pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
PERIOD = "2026-10"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'
DEPT = '客服部"><img>'
DEPT_URL = quote(DEPT, safe="")
SELF = {"civility": 8, "patience": 10, "teamwork": 10, "duty_records": 10, "image": 10, "criticism": 5,
        "vigilance": 10, "attendance": 10, "learning": 5, "focus": 10, "obedience": 9}  # F = 97


class Seeded:
    def __init__(self, db: Database) -> None:
        service_settings = settings(db.url)
        self.incidents = incidents_app(service_settings, db).test_client()
        self.reports = reports_app(service_settings, db).test_client()
        self.db = db
        self.tokens = {"admin": ADMIN_TOKEN}

    def make_tokens(self) -> None:
        with self.db.write() as conn:
            self.tokens["manager"] = create_token(conn, "mgr-jrj", "manager", ["JRJ"])
            self.tokens["employee"] = create_token(conn, "JRJ-0001", "employee", ["JRJ"])

    def post(self, path, body=None, as_="admin"):
        r = self.incidents.post(path, json=body, headers={"Authorization": f"Bearer {self.tokens[as_]}"})
        assert r.status_code in (200, 201, 202), r.json
        return r.json

    def get(self, path, as_="admin"):
        r = self.reports.get(path, headers={"Authorization": f"Bearer {self.tokens[as_]}"})
        assert r.status_code == 200, (path, r.data[:500])
        return r


def deduction(no, item, rule, evidence, **extra):
    return {"type": "deduction", "employee": no, "item": item, "rule": rule, "occurred_on": "2026-10-14",
            "evidence": evidence, "source": "@SUM(1)", **extra}


@pytest.fixture(scope="module")
def seeded(sqlite_template, tmp_path_factory) -> Seeded:
    path = tmp_path_factory.mktemp("reports") / "jixiao.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    install_seed_templates(db)
    s = Seeded(db)
    s.post("/api/v1/projects", {"code": "JRJ", "name": "金融街项目"})
    s.post("/api/v1/projects", {"code": "BSQ", "name": "碧水湾项目"})
    for no, name, project in (("JRJ-0001", SCRIPT, "JRJ"), ("JRJ-0002", "李四", "JRJ"),
                              ("JRJ-0003", FORMULA, "JRJ"), ("JRJ-0004", "@SUM(1)", "JRJ"),
                              ("BSQ-0001", "赵六", "BSQ")):
        s.post("/api/v1/employees", {"employee_no": no, "name": name, "project": project, "department": DEPT,
                                     "position": "客服专员", "template": "cs-staff",
                                     "effective_from": "2026-01"})
    s.make_tokens()
    # JRJ-0001: civility rude 2×2 + complaint 4 → 10 − 8 = 2, S = 92; F = 97
    # W = 0.15 × 97 + 0.85 × 92 = 14.55 + 78.2 = 92.75 = T
    s.post("/api/v1/events", deduction("JRJ-0001", "civility", "rude", FORMULA, count=2))
    s.post("/api/v1/events", deduction("JRJ-0001", "civility", "complaint", "+1", points=4))
    s.post("/api/v1/events", {"type": "self_assessment", "employee": "JRJ-0001", "period": PERIOD,
                              "scores": SELF, "analysis": "+1 " + SCRIPT + " 服务用语需改进"}, as_="employee")
    # JRJ-0002: late 2 (a second one revoked) → S = 98, no self-assessment; + bonus 5 → T = 103
    s.post("/api/v1/events", deduction("JRJ-0002", "attendance", "late", "-2"))
    wrong = s.post("/api/v1/events", deduction("JRJ-0002", "attendance", "late", "误录"))
    s.post(f"/api/v1/events/{wrong['id']}/revoke", {"reason": "<b>误录</b>"})
    s.post("/api/v1/events", {"type": "bonus", "employee": "JRJ-0002", "bonus": "owner_praise",
                              "occurred_on": "2026-10-08", "points": 5, "evidence": "@SUM(1) 业主书面表扬"})
    s.post(f"/api/v1/periods/JRJ/{PERIOD}/close", as_="manager")
    s.post("/api/v1/events", {"type": "review", "employee": "JRJ-0001", "period": PERIOD, "stage": "manager",
                              "comment": "-2 同意"}, as_="manager")
    s.post("/api/v1/events", {"type": "review", "employee": "JRJ-0001", "period": PERIOD, "stage": "gm",
                              "comment": "审核通过"})
    runner = make_runner(db)
    runner.drain()
    appealed = s.incidents.get(f"/api/v1/events?employee=JRJ-0001&period={PERIOD}&type=deduction",
                               headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json["results"][0]
    s.post("/api/v1/events", {"type": "appeal", "employee": "JRJ-0001", "event_id": appealed["id"],
                              "reason": SCRIPT}, as_="employee")
    s.post("/api/v1/events", {"type": "improvement_plan", "employee": "JRJ-0001", "period": PERIOD,
                              "plan": "=1+1 整改"}, as_="employee")
    runner.drain()
    yield s
    db.dispose()


def soup(resp) -> BeautifulSoup:
    return BeautifulSoup(resp.data.decode("utf-8"), "html.parser")


def no_injected_markup(page: BeautifulSoup) -> None:
    assert page.find_all("script") == []
    assert page.find_all("img") == [] and page.find_all("foreignobject") == []  # charts are inline SVG


def csv_rows(resp) -> list[list[str]]:
    assert resp.data.startswith("\ufeff".encode()) and resp.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def xlsx_values(resp) -> list[list]:
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows()]


def pdf_text(resp) -> str:
    assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)


def test_sheet_html_shows_items_deductions_sign_offs_and_escapes_text(seeded):
    r = seeded.get(f"/reports/sheet/JRJ-0001/{PERIOD}.html", as_="employee")
    page = soup(r)
    no_injected_markup(page)
    text = page.get_text()
    for expected in (SCRIPT, FORMULA, "@SUM(1)", "+1 " + SCRIPT, "总经理已审核", "经理签字确认", "-2 同意",
                     "员工月绩效考核记录表", DEPT, "cs-staff v1", "服务用语不文明、礼貌接待不到位", "扣4分"):
        assert expected in text, expected
    civility = [td.get_text(strip=True) for td in page.select("table.items tbody tr")[0].find_all("td")]
    assert civility[0] == "1" and civility[2:5] == ["10", "8", "2"]  # seed 001: 标准分 自评分 主管评分
    totals = [td.get_text(" ", strip=True) for td in page.select("table.totals tr")[1].find_all("td")]
    assert totals[:2] == ["97", "92"] and totals[2].startswith("92.75") and totals[4] == "92.75"
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert r.headers["Content-Disposition"].startswith('inline; filename="sheet_JRJ-0001_2026-10.html"')


def test_sheet_xlsx_has_numbers_and_neutralised_text(seeded):
    values = xlsx_values(seeded.get(f"/reports/sheet/JRJ-0001/{PERIOD}.xlsx"))
    assert values[0][0] == "客服人员考核表" and ["记录表", "员工月绩效考核记录表"] == values[1][:2]
    assert ["被考核人", SCRIPT] == values[2][:2]
    civility = next(v for v in values if v[0] == 1)
    assert civility[2:5] == [10.0, 8, 2.0] and FORMULA in civility[5]
    cells = [c for row in values for c in row]
    assert "'+1 " + SCRIPT + " 服务用语需改进" in cells and "'-2 同意" in cells
    final = next(v for v in values if v[0] == "最终得分 T")
    assert final[1] == 92.75


def test_sheet_pdf_is_a4_with_the_chinese_title_and_final(seeded):
    r = seeded.get(f"/reports/sheet/JRJ-0001/{PERIOD}.pdf", as_="employee")
    reader = PdfReader(io.BytesIO(r.data))
    text = pdf_text(r)
    assert "员工月绩效考核记录表" in text and "92.75" in text and "JRJ-0001" in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    fonts = {f["/BaseFont"] for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("JX-CJK" in str(f) for f in fonts)  # the embedded CJK subset
    assert "filename*=UTF-8''%E5%91%98%E5%B7%A5" in r.headers["Content-Disposition"]


def test_department_html_lists_ranks_consequences_and_distribution(seeded):
    page = soup(seeded.get(f"/reports/department/JRJ/{DEPT_URL}/{PERIOD}.html", as_="manager"))
    no_injected_markup(page)
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in page.select("table")[0].select("tbody tr")]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("JRJ-0002", "李四", "103", "1/4"), ("JRJ-0003", FORMULA, "100", "2/4"),
        ("JRJ-0004", "@SUM(1)", "100", "2/4"), ("JRJ-0001", SCRIPT, "92.75", "4/4")]
    assert rows[0][5] == "优秀员工" and rows[0][6] == "第一名奖励100元"
    assert "末位扣100元" in rows[3][6] and "已提交" in rows[3][6]  # the plan was filed in time
    assert "须提交整改方案" in rows[1][6] and "待提交" in rows[1][6]
    assert page.select("h2")[0].get_text().startswith("客服人员考核表")
    links = {a.get_text(): a["href"] for a in page.select("table.ranked a")}
    assert links[SCRIPT] == f"/reports/sheet/JRJ-0001/{PERIOD}.html"  # each name opens the monthly sheet
    stats = [td.get_text(strip=True) for td in page.select("table")[1].find_all("td")]
    # mean (103 + 100 + 100 + 92.75) / 4 = 98.9375 → 98.94; median 100
    assert stats[:5] == ["4", "98.94", "100", "92.75", "103"]


def test_department_csv_xlsx_and_pdf(seeded):
    base = f"/reports/department/JRJ/{DEPT_URL}/{PERIOD}"
    rows = csv_rows(seeded.get(base + ".csv"))
    assert rows[0][:7] == ["考核表", "工号", "姓名", "岗位", "最终得分", "名次", "总人数"]
    by_no = {r[1]: r for r in rows[1:5]}
    assert {r[0] for r in rows[1:5]} == {"客服人员考核表"}
    assert by_no["JRJ-0003"][2] == "'" + FORMULA and by_no["JRJ-0004"][2] == "'@SUM(1)"
    assert by_no["JRJ-0001"][2] == SCRIPT and by_no["JRJ-0001"][4] == "92.75"
    assert ["客服人员考核表", "平均分", "98.94"] in rows
    values = xlsx_values(seeded.get(base + ".xlsx"))
    table = {v[1]: v for v in values if isinstance(v[1], str) and v[1].startswith("JRJ-")}
    assert table["JRJ-0002"][4:7] == [103, 1, 4] and table["JRJ-0003"][2] == "'" + FORMULA
    assert ["部门", DEPT] == values[2][:2]
    assert ["客服人员考核表"] == [v[0] for v in values if v[0] == "客服人员考核表" and v[1] is None]
    text = pdf_text(seeded.get(base + ".pdf"))
    assert "员工月绩效考核情况统计表" in text and "92.75" in text and "98.94" in text


def test_annual_grid_in_html_csv_and_xlsx(seeded):
    page = soup(seeded.get("/reports/annual/JRJ/2026.html"))
    no_injected_markup(page)
    assert SCRIPT in page.get_text() and "年度员工绩效考核情况统计表" in page.get_text()
    rows = csv_rows(seeded.get("/reports/annual/JRJ/2026.csv"))
    # only October is closed: every other month with results is marked 未结账 (not closed yet)
    assert rows[0][3] == "1月(未结账)" and rows[0][12] == "10月" and rows[0][18] == "年度综合"
    assert rows[0][15:18] == ["周检/月检均分(20%)", "月均(30%)", "年终考评均分(50%)"]
    by_no = {r[0]: r for r in rows[1:] if r}
    assert by_no["JRJ-0001"][12] == "92.75" and by_no["JRJ-0003"][1] == "'" + FORMULA
    values = xlsx_values(seeded.get("/reports/annual/JRJ/2026.xlsx"))
    grid = {v[0]: v for v in values if isinstance(v[0], str) and v[0].startswith("JRJ-")}
    assert grid["JRJ-0002"][12] == 103.0 and grid["JRJ-0002"][20] == 1  # October, 1 monthly 优秀
    assert isinstance(grid["JRJ-0001"][18], float)


def test_payroll_csv_and_xlsx_total_rewards_and_deductions_apart(seeded):
    rows = csv_rows(seeded.get(f"/reports/payroll/JRJ/{PERIOD}.csv", as_="manager"))
    assert rows[0] == ["工号", "姓名", "部门", "名次", "参评人数", "最终得分", "奖励(元)", "扣款(元)", "原因"]
    assert rows[1] == ["JRJ-0002", "李四", DEPT, "1", "4", "103.0", "100", "", "第一名奖励100元"]
    assert rows[2][:8] == ["JRJ-0001", SCRIPT, DEPT, "4", "4", "92.75", "", "100"]
    assert rows[-1][0] == "合计" and rows[-1][6:8] == ["100", "100"]  # not +100 − 100 = 0
    values = xlsx_values(seeded.get(f"/reports/payroll/JRJ/{PERIOD}.xlsx"))
    amounts = [v[6:8] for v in values if isinstance(v[0], str) and v[0].startswith("JRJ-")]
    assert amounts == [[100, None], [None, 100]] and values[-1][:1] == ["合计"] and values[-1][6:8] == [100, 100]


def test_audit_shows_every_event_revocation_appeal_and_revision(seeded):
    page = soup(seeded.get(f"/reports/audit/JRJ-0002/{PERIOD}.html"))
    no_injected_markup(page)
    events = page.select("table")[0].select("tbody tr")
    kinds = [tr.find_all("td")[1].get_text(" ", strip=True) for tr in events]
    assert kinds == ["扣分", "扣分 已撤销", "撤销", "加分"]
    assert "reason=<b>误录</b>" in events[2].get_text() and "prev" in events[0].get_text()
    positions = [int(tr.find_all("td")[0].get_text()) for tr in events]
    assert positions == sorted(positions)
    mine = soup(seeded.get(f"/reports/audit/JRJ-0001/{PERIOD}.html", as_="employee")).get_text()
    assert "申诉" in mine and "整改方案" in mine and SCRIPT in mine
    assert "第" in mine and "次发布" in mine


def test_overview_covers_only_projects_in_scope(seeded):
    mine = soup(seeded.get(f"/reports/overview/{PERIOD}.html", as_="manager"))
    no_injected_markup(mine)
    text = mine.get_text()
    assert "金融街项目 (JRJ)" in text and "BSQ" not in text
    row = [td.get_text(strip=True) for td in mine.select("table")[0].select("tbody tr")[0].find_all("td")]
    assert row[1:3] == ["4", "98.94"] and row[12:17] == ["1", "1", "1", "3", "0"]
    assert row[17:19] == ["100", "100"]  # 奖励 and 扣款 apart: they do not net to 0
    deductions = {tr.find_all("td")[0].get_text(): tr.find_all("td")[1].get_text()
                  for tr in mine.select("table")[1].find_all("tr") if tr.find_all("td")}
    assert deductions["是否文明用语,积极、主动、热情地为业主服务"] == "8"
    assert deductions["考勤是否齐全,出勤是否认真、上班是否迟到、早退"] == "2"
    assert "碧水湾项目 (BSQ)" in seeded.get(f"/reports/overview/{PERIOD}.html").data.decode()
