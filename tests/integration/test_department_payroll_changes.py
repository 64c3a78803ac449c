"""Issue 13 (5, 6): department sheets rank and count each rubric apart; payroll keeps 奖励 and
扣款 apart; a correction to a closed month shows up in the payroll changes report with the
old and new amounts and who corrected it. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from services.reports.app import create_app
from tests.conftest import CLOCK, make_runner, settings
from tests.pdfpages import printed_pages

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
PERIOD = "2026-10"
DEPARTMENT = "/reports/department/JRJ/%E5%AE%A2%E6%9C%8D%E9%83%A8/2026-10"  # 客服部
CHANGES = f"/reports/payroll/JRJ/{PERIOD}/changes"


class Reports:
    def __init__(self, api):
        self.client = create_app(settings(api.db.url), api.db).test_client()
        self.tokens = api.tokens

    def get(self, path, as_="manager"):
        return self.client.get(path, headers={"Authorization": f"Bearer {self.tokens.get(as_, as_)}"})

    def ok(self, path, as_="manager"):
        r = self.get(path, as_)
        assert r.status_code == 200, (path, r.data[:300])
        return r


@pytest.fixture
def month(api):
    """客服部 of JRJ in October: three staff (cs-staff), a 客服主管 and a 服务中心主任 (86 points).

    JRJ-0001 late once: 100 − 2 = 98; JRJ-0002 a complaint of 4: 96; JRJ-0003 nothing: 100.
    The staff rank 1 JRJ-0003 (+100), 2 JRJ-0001, 3 JRJ-0002 (−100); the other two are 1/1 each.
    """
    for no, name, position, template in (("JRJ-0009", "钱主管", "客服主管", "cs-supervisor-monthly"),
                                         ("JRJ-0010", "孙主任", "服务中心主任", "service-center-director")):
        r = api.post("/api/v1/employees", {"employee_no": no, "name": name, "project": "JRJ", "department": "客服部",
                                           "position": position, "template": template, "effective_from": "2026-01"})
        assert r.status_code == 201, r.json
    late = {"type": "deduction", "employee": "JRJ-0001", "item": "attendance", "rule": "late",
            "occurred_on": "2026-10-14", "evidence": "考勤记录"}
    assert api.post("/api/v1/events", late, as_="lead").status_code == 201
    wrong = api.post("/api/v1/events", {"type": "deduction", "employee": "JRJ-0002", "item": "civility",
                                        "rule": "complaint", "points": 4, "occurred_on": "2026-10-15",
                                        "evidence": "业主投诉"}, as_="lead").json
    make_runner(api.db).drain()
    api.token("mgr-bsq", "manager", "BSQ")
    return wrong["id"]


def table_rows(table) -> list[list[str]]:
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr")]


def test_each_rubric_is_its_own_section_with_its_own_ranking_and_histogram(api, month):
    reports = Reports(api)
    page = BeautifulSoup(reports.ok(DEPARTMENT + ".html").data.decode(), "html.parser")
    headings = [h.get_text() for h in page.select("h2")]
    assert [h.split(" · ")[0] for h in headings] == ["客服人员考核表", "物业客户服务部主管/管家月度工作绩效考核表",
                                                     "服务中心主任考核细则"]
    staff, supervisor, director = (table_rows(t) for t in page.select("table.ranked"))
    assert [(r[0], r[3], r[4]) for r in staff] == [("JRJ-0003", "100", "1/3"), ("JRJ-0001", "98", "2/3"),
                                                   ("JRJ-0002", "96", "3/3")]
    assert [(r[0], r[4]) for r in supervisor] == [("JRJ-0009", "1/1")]
    assert [(r[0], r[3], r[4]) for r in director] == [("JRJ-0010", "86", "1/1")]
    stats = [table_rows(t) or [[td.get_text(strip=True) for td in t.find_all("td")]] for t in page.select("table.stats")]
    counts = [s[0][0] for s in stats]
    assert counts == ["3", "1", "1"]  # each histogram counts only its rubric
    bands = [dict(zip([th.get_text() for th in t.find_all("th")][5:], s[0][5:], strict=True))
             for t, s in zip(page.select("table.stats"), stats, strict=True)]
    assert bands[0]["90-100"] == "3" and bands[2]["80-89"] == "1" and bands[2]["90-100"] == "0"
    charts = page.select("svg")
    assert [c["aria-label"].split(" ")[0] for c in charts] == ["客服人员考核表", "物业客户服务部主管/管家月度工作绩效考核表",
                                                               "服务中心主任考核细则"]
    links = [a["href"] for a in page.select("table.ranked a")]
    assert f"/reports/sheet/JRJ-0010/{PERIOD}.html" in links and len(links) == 5


def test_department_csv_and_xlsx_carry_the_rubric(api, month):
    reports = Reports(api)
    rows = list(csv.reader(io.StringIO(reports.ok(DEPARTMENT + ".csv").data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["考核表", "工号"]
    ranked = [r for r in rows[1:] if len(r) > 1 and r[1].startswith("JRJ-")]
    assert [(r[0], r[1], r[5], r[6]) for r in ranked] == [
        ("客服人员考核表", "JRJ-0003", "1", "3"), ("客服人员考核表", "JRJ-0001", "2", "3"),
        ("客服人员考核表", "JRJ-0002", "3", "3"),
        ("物业客户服务部主管/管家月度工作绩效考核表", "JRJ-0009", "1", "1"), ("服务中心主任考核细则", "JRJ-0010", "1", "1")]
    assert ["客服人员考核表", "人数", "3"] in rows and ["服务中心主任考核细则", "人数", "1"] in rows
    ws = load_workbook(io.BytesIO(reports.ok(DEPARTMENT + ".xlsx").data)).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    headings = [c.row for c in ws["A"] if c.value in ("客服人员考核表", "服务中心主任考核细则")
                and ws.cell(row=c.row, column=2).value is None]
    assert len(headings) == 2 and all(f"A{r}:J{r}" in merged for r in headings)


def test_department_pdf_pages_name_the_project_department_and_period(api, month, tmp_path):
    pages = printed_pages(Reports(api).ok(DEPARTMENT + ".pdf").data, tmp_path, "department")
    assert 1 <= len(pages) <= 3
    for number, text in enumerate(pages, 1):
        assert "金融街项目 (JRJ)" in text and "客服部" in text and PERIOD in text, (number, text)
    everything = "".join(pages)
    assert "服务中心主任考核细则" in everything and "客服人员考核表" in everything


def test_payroll_keeps_rewards_and_deductions_apart(api, month):
    reports = Reports(api)
    rows = list(csv.reader(io.StringIO(reports.ok(f"/reports/payroll/JRJ/{PERIOD}.csv").data.decode("utf-8-sig"))))
    assert rows[0][6:8] == ["奖励(元)", "扣款(元)"]
    assert [(r[0], r[6], r[7]) for r in rows[1:3]] == [("JRJ-0003", "100", ""), ("JRJ-0002", "", "100")]
    assert rows[-1][0] == "合计" and rows[-1][6:8] == ["100", "100"]
    overview = BeautifulSoup(reports.ok(f"/reports/overview/{PERIOD}.html").data.decode(), "html.parser")
    heads = [th.get_text() for th in overview.select("table")[0].select("thead th")]
    row = table_rows(overview.select("table")[0])[0]
    assert dict(zip(heads, row, strict=True))["薪资奖励(元)"] == "100"
    assert dict(zip(heads, row, strict=True))["薪资扣款(元)"] == "100"


def test_a_correction_after_the_close_lists_old_and_new_amounts_and_the_corrector(api, month):
    reports = Reports(api)
    before = BeautifulSoup(reports.ok(CHANGES + ".html").data.decode(), "html.parser")
    assert "本月尚未月结" in before.get_text() and table_rows(before.select("table")[0])[0][0] == "本月尚未月结"
    assert api.post(f"/api/v1/periods/JRJ/{PERIOD}/close", as_="manager").status_code == 202
    make_runner(api.db).drain()
    closed = BeautifulSoup(reports.ok(CHANGES + ".html").data.decode(), "html.parser")
    assert "月结后薪资调整未变更" in closed.get_text()
    # the manager revokes JRJ-0002's complaint in the closed month: 96 → 100, tied first with JRJ-0003;
    # JRJ-0001 (98) is now last: JRJ-0002 −100 → +100, JRJ-0001 0 → −100, JRJ-0003 stays +100
    r = api.post(f"/api/v1/events/{month}/revoke", {"reason": "投诉不成立"}, as_="manager")
    assert r.status_code in (200, 201), r.json
    make_runner(api.db).drain()
    page = BeautifulSoup(reports.ok(CHANGES + ".html").data.decode(), "html.parser")
    rows = table_rows(page.select("table")[0])
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [("JRJ-0001", "张三", "0", "-100"),
                                                        ("JRJ-0002", "李四", "-100", "100")]
    assert all(r[6] == "manager-jrj" and "撤销扣分 JRJ-0002 2026-10-15: 投诉不成立" in r[7] for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r[5]) for r in rows)  # when, to the minute
    assert "首次月结" in page.select_one("p.sub").get_text()
    lines = list(csv.reader(io.StringIO(reports.ok(CHANGES + ".csv").data.decode("utf-8-sig"))))
    assert lines[0] == ["工号", "姓名", "部门", "原调整(元)", "新调整(元)", "变更时间", "更正人", "原因"]
    assert [(x[0], x[3], x[4], x[6]) for x in lines[1:]] == [("JRJ-0001", "0", "-100", "manager-jrj"),
                                                              ("JRJ-0002", "-100", "100", "manager-jrj")]
    ws = load_workbook(io.BytesIO(reports.ok(CHANGES + ".xlsx").data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert [v[3:5] for v in values if v[0] in ("JRJ-0001", "JRJ-0002")] == [[0, -100], [-100, 100]]
    # and the payroll itself now pays two rewards and one deduction, nothing netted
    payroll = list(csv.reader(io.StringIO(reports.ok(f"/reports/payroll/JRJ/{PERIOD}.csv").data.decode("utf-8-sig"))))
    assert payroll[-1][6:8] == ["200", "100"]


def test_a_late_record_by_the_gm_is_listed_after_the_managers_revocation(api, month):
    reports = Reports(api)
    api.post(f"/api/v1/periods/JRJ/{PERIOD}/close", as_="manager")
    make_runner(api.db).drain()
    api.post(f"/api/v1/events/{month}/revoke", {"reason": "投诉不成立"}, as_="manager")
    make_runner(api.db).drain()
    # the gm records two lates for JRJ-0003 in the closed month: 100 − 4 = 96, now last;
    # JRJ-0002 (100) alone first, JRJ-0001 (98) in between
    late = {"type": "deduction", "employee": "JRJ-0003", "item": "attendance", "rule": "late", "count": 2,
            "occurred_on": "2026-10-20", "evidence": "补录考勤"}
    assert api.post("/api/v1/events", late, as_="gm").status_code == 201
    make_runner(api.db).drain()
    lines = list(csv.reader(io.StringIO(reports.ok(CHANGES + ".csv").data.decode("utf-8-sig"))))
    assert [(x[0], x[3], x[4], x[6]) for x in lines[1:]] == [
        ("JRJ-0001", "0", "-100", "manager-jrj"), ("JRJ-0002", "-100", "100", "manager-jrj"),
        ("JRJ-0001", "-100", "0", "gm-jrj"), ("JRJ-0003", "100", "-100", "gm-jrj")]
    assert lines[-1][7] == "补录扣分 JRJ-0003 2026-10-20"


@pytest.mark.parametrize("who", ["employee", "lead", "supervisor", "other-lead", "mgr-bsq"])
def test_only_managers_and_above_of_the_project_read_payroll_changes(api, month, who):
    reports = Reports(api)
    token = api.tokens.get(who) or api.tokens[f"manager:{who}"]
    for fmt in ("html", "csv", "xlsx"):
        r = reports.get(f"{CHANGES}.{fmt}", as_=token)
        assert r.status_code == 403 and r.mimetype == "application/problem+json", (who, fmt)
    assert reports.get(f"/reports/payroll/JRJ/{PERIOD}.csv", as_=token).status_code == 403
    for allowed in ("manager", "gm", "auditor", "admin"):
        assert reports.get(f"{CHANGES}.html", as_=allowed).status_code == 200


def test_the_home_page_links_the_payroll_changes_for_those_who_see_payroll(api, month, web):
    href = f"/reports/payroll/JRJ/{PERIOD}/changes.html"
    manager = web("mgr.wang")
    assert manager.page("/").find("a", href=href).get_text() == "月结后变更"
    assert "薪资调整变更表" in manager.page(href).get_text()  # served on the web app's own origin
    assert web("lead.li").page("/").find("a", href=href) is None


def test_migration_0007_keeps_the_rankings_published_before_it_as_their_current_revision(db):
    from alembic import command
    from sqlalchemy import select

    from shared.migrate import _config, upgrade
    from shared.tables import ranking_revisions, rankings

    cfg = _config()
    with db.connect() as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    ranked = {"project": "JRJ", "department": "客服部", "template": "cs-staff", "period": PERIOD,
              "rows": [{"employee": "JRJ-0001", "payroll_adjustment": 100}], "closed_on": date(2026, 11, 1),
              "position": 7, "revision": 3, "computed_at": CLOCK.now()}
    with db.write() as conn:
        conn.execute(rankings.insert().values(**ranked))
    upgrade(db)
    with db.read() as conn:
        (row,) = conn.execute(select(ranking_revisions)).all()
    assert (row.revision, row.rows, row.closed_on, row.position, row.cause_event_ids) == \
        (3, ranked["rows"], date(2026, 11, 1), 7, [])
