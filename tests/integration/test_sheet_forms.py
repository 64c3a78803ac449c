"""Each shipped template's monthly sheet prints as its seed form, and reads right on paper.

One database per backend for the module (SQLite, then PostgreSQL). The seed strings are quoted exactly from
/work/shared/seeds/*.txt, each beside the assertion that uses it. PDFs are looked at as a
person would: rendered to PNG with pdftoppm (one PNG a page) and read back page by page
with pdftotext.
"""

from __future__ import annotations

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
from tests.conftest import ADMIN_TOKEN, make_runner, new_pg_database, settings
from tests.pdfpages import printed_pages

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
MONTHS = ("2026-08", "2026-09", "2026-10")
PERIOD = "2026-10"
LEAKS = ("补名", "(规则据", "推定", "条文归纳", "种子", "未收录")  # maintainers' notes in the template files
STAFF = (("JRJ-0001", "王小明"), ("JRJ-0002", "李四"), ("JRJ-0003", "张三"))
FORMS = {  # employee on each shipped template
    "JRJ-0101": ("陈主管", "cs-supervisor-monthly"), "JRJ-0102": ("周主管", "cs-supervisor-standard"),
    "JRJ-0103": ("吴主任", "service-center-director"), "JRJ-0104": ("郑员工", "cs-deqinnengji"),
    "JRJ-0105": ("钱客服", "cs-online"),
}


class Client:
    def __init__(self, db: Database) -> None:
        conf = settings(db.url)
        self.incidents = incidents_app(conf, db).test_client()
        self.reports = reports_app(conf, db).test_client()
        self.db = db
        self.tokens = {"admin": ADMIN_TOKEN}

    def make_tokens(self) -> None:
        with self.db.write() as conn:
            self.tokens["manager"] = create_token(conn, "mgr-jrj", "manager", ["JRJ"])
            self.tokens["supervisor"] = create_token(conn, "sup-jrj", "supervisor", ["JRJ"])
            self.tokens["employee"] = create_token(conn, "JRJ-0003", "employee", ["JRJ"])

    def post(self, path: str, body: dict | None = None, as_: str = "admin") -> dict:
        r = self.incidents.post(path, json=body, headers={"Authorization": f"Bearer {self.tokens[as_]}"})
        assert r.status_code in (200, 201, 202), r.json
        return r.json

    def get(self, path: str, as_: str = "admin"):
        r = self.reports.get(path, headers={"Authorization": f"Bearer {self.tokens[as_]}"})
        assert r.status_code == 200, (path, r.data[:300])
        return r


def deduction(no: str, item: str, rule: str, day: str, evidence: str, **extra) -> dict:
    return {"type": "deduction", "employee": no, "item": item, "rule": rule, "occurred_on": day,
            "evidence": evidence, "source": "现场检查", **extra}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def app(request, tmp_path_factory) -> Client:
    if request.param == "postgres":
        db = Database(new_pg_database(request.getfixturevalue("pg_template")))
    else:
        path = tmp_path_factory.mktemp("forms") / "jixiao.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db = Database(f"sqlite:///{path}")
    install_seed_templates(db)
    c = Client(db)
    c.post("/api/v1/projects", {"code": "JRJ", "name": "金融街项目"})
    people = [(no, name, "cs-staff") for no, name in STAFF] + [(no, n, t) for no, (n, t) in FORMS.items()]
    for no, name, template in people:
        c.post("/api/v1/employees", {"employee_no": no, "name": name, "project": "JRJ", "department": "客服部",
                                     "position": "客服专员", "template": template, "effective_from": MONTHS[0]})
    c.post("/api/v1/employees", {"employee_no": "JRJ-0201", "name": "孙长青", "project": "JRJ",
                                 "department": "客服二部", "position": "客服专员", "template": "cs-staff",
                                 "effective_from": MONTHS[0]})
    c.make_tokens()
    runner = make_runner(db)
    for month in MONTHS:  # 王小明 100, 李四 99, 张三 98: 张三 last three months running
        c.post("/api/v1/events", deduction("JRJ-0002", "image", "dress", f"{month}-05", "工服不整"))
        c.post("/api/v1/events", deduction("JRJ-0003", "attendance", "late", f"{month}-06", "早班迟到"))
        c.post(f"/api/v1/periods/JRJ/{month}/close", as_="manager")
        runner.drain()
    appealed = c.post("/api/v1/events", deduction("JRJ-0003", "civility", "rude", "2026-10-20", "服务用语不文明"))
    # seed 000 篇1: "月工作计划(培训计划),每低于1%扣5分"; 98.5% → (100 − 98.5) × 5 = 7.5
    c.post("/api/v1/events", {"type": "metric", "employee": "JRJ-0102", "item": "task_plan", "rule": "plan_rate",
                              "period": PERIOD, "value": 98.5})
    c.post("/api/v1/events", deduction("JRJ-0101", "respect", "disobey", "2026-10-09", "未按安排参加巡查"))
    c.post("/api/v1/events", deduction("JRJ-0103", "desk_tidy", "not_tidied", "2026-10-12", "下班未整理桌面"))
    c.post("/api/v1/events", deduction("JRJ-0104", "qin", "late_early", "2026-10-13", "迟到"))
    c.post("/api/v1/events", {"type": "review", "employee": "JRJ-0101", "period": PERIOD, "stage": "manager",
                              "comment": "同意"}, as_="manager")
    appeal = c.post("/api/v1/events", {"type": "appeal", "employee": "JRJ-0003", "event_id": appealed["id"],
                                       "reason": "当时在处理业主投诉"}, as_="employee")
    c.post(f"/api/v1/appeals/{appeal['id']}/resolve", {"decision": "rejected", "reason": "录音核实属实"},
           as_="manager")
    runner.drain()
    yield c
    db.dispose()


def page(app: Client, no: str, as_: str = "admin") -> BeautifulSoup:
    return BeautifulSoup(app.get(f"/reports/sheet/{no}/{PERIOD}.html", as_=as_).data.decode(), "html.parser")


def headers(doc: BeautifulSoup) -> list[str]:
    return [th.get_text(strip=True) for th in doc.select("table.items thead th")]


def text(doc: BeautifulSoup) -> str:
    return doc.get_text(" ", strip=True)


def sheet_pages(app: Client, no: str, tmp_path: Path) -> list[str]:
    return printed_pages(app.get(f"/reports/sheet/{no}/{PERIOD}.pdf").data, tmp_path, no)


def assert_pages_carry_who_and_when(pages: list[str], no: str, name: str) -> None:
    for n, content in enumerate(pages, start=1):
        assert name in content and no in content and PERIOD in content, f"page {n} lacks name, 工号 or period"
        body = content.replace(name, "").replace(no, "").replace(PERIOD, "")
        assert len("".join(body.split())) > 120, f"page {n} is (nearly) empty"


# ------------------------------------------------------------------ one test per seed form


def test_cs_staff_prints_seed_001_columns_rows_and_footer(app):
    doc = page(app, "JRJ-0003")
    # seed 001: "客服人员考核表被考核人:工号:考核日期:序号项目标准分自评分主管评分备注"
    assert doc.h1.get_text(strip=True) == "客服人员考核表"
    assert "".join(headers(doc)) == "序号项目标准分自评分主管评分备注"
    rows = [tr.find("td").get_text(strip=True) for tr in doc.select("table.items tbody tr")]
    assert rows[-2:] == ["其他奖惩分", "总分"]  # seed 001: "12其他奖惩分总分"
    assert "评分说明;自评分占评分比重的15%,主管评分占评分比重的85%,按以上比例加权得出最终评分。" in text(doc)
    assert "被考核人:" in text(doc) and "工号:" in text(doc)


def test_cs_supervisor_monthly_prints_seed_000_monthly_form(app):
    doc = page(app, "JRJ-0101")
    assert doc.h1.get_text(strip=True) == "物业客户服务部主管/管家月度工作绩效考核表"
    # seed 000 篇2: "考核项目 | 考核内容 | 分值 | 自评 | 经理 初评 | 总经理 审核", plus the evidence-based 得分
    assert headers(doc) == ["考核项目", "考核内容", "分值", "自评", "得分", "经理初评", "总经理审核"]
    content = text(doc)
    for seed in ("综合素质 (20分)", "工作表现 (80分)", "1.尊重领导、团结协作(不服从上级领导工作安排每次扣2分"):
        assert seed.replace(" ", "") in content.replace(" ", ""), seed
    assert "经理签字确认" in content and "总经理签字确认" in content  # seed: "经理 签字确认 | 总经理 签字确认"
    total = [td.get_text(" ", strip=True) for td in doc.select("table.items tr.total td")]
    assert total[0] == "总分" and total[1:3] == ["100", ""]  # seed: "总分 | 100分 | 100"


def test_cs_supervisor_standard_prints_seed_000_standard_form(app):
    doc = page(app, "JRJ-0102")
    assert doc.h1.get_text(strip=True) == "物业公司客服主管绩效考核标准"
    assert "".join(headers(doc)) == "考核内容评分标准客服主管经理考核评分依据"  # seed 000 篇1, line 2
    content = text(doc)
    assert "附加项:当月提出管理建议并有成效的" in content and "合计" in content
    assert "被考核人签字及对本月自评分影响因素分析:" in content and "考核人签字" in content
    assert "现场检查;考勤记录;请、休假记录" in content  # seed: the first row's 考核评分依据


def test_service_center_director_prints_seed_004_form(app):
    doc = page(app, "JRJ-0103")
    assert doc.h1.get_text(strip=True) == "服务中心主任的工作考核细则"
    # seed 004: "服务中心 / 工作内容 / 分值 / 检查考核细则", then our 得分 and the records
    assert headers(doc)[:4] == ["服务中心", "工作内容", "分值", "检查考核细则"]
    content = text(doc)
    assert "① 未整理扣2分".replace(" ", "") in content.replace(" ", "")
    for bonus in ("加分", "服务态度和服务工作出色受用户表扬", "提出合理化建议被公司采纳"):
        assert bonus in content, bonus


def test_deqinnengji_prints_seed_003_record(app):
    doc = page(app, "JRJ-0104")
    # seed 003 §4.7 《員工月績效考核記錄表》; §4.5.1 "德"包括: 思想道德、服務態度、紀律作風、人際關係
    assert doc.h1.get_text(strip=True) == "员工月绩效考核记录表"
    content = text(doc)
    assert "德:思想道德、服务态度、纪律作风、人际关系" in content
    assert "加1~10分" in content and "保存期限为2年" in content  # §4.9, §4.12.1


def test_cs_online_prints_seed_003_online_team_form(app):
    doc = page(app, "JRJ-0105")
    # seed 003 篇2 "網店客服組人員績效考核表"; 五.1 "考核者權重…被考核人本人30%…店長70%"
    assert doc.h1.get_text(strip=True) == "网店客服组人员绩效考核表"
    assert headers(doc) == ["考核类别", "考核指标", "分值", "被考核人本人", "店长", "备注"]
    assert "考核分为自评、店长考核两种:被考核人本人30%,店长70%。" in text(doc)
    assert "服务类 (70分)" in text(doc) and "管理类 (30分)" in text(doc)  # 四.(一) 1 服务类, 2 管理类


@pytest.mark.parametrize("no", ["JRJ-0003", *FORMS])
def test_internal_notes_never_print(app, no):
    content = text(page(app, no))
    assert not [leak for leak in LEAKS if leak in content]


# ------------------------------------------------------------------ what the sheet says


def test_consequences_with_money_and_due_date_for_the_employee_and_manager(app):
    due = next(r for r in app.get(f"/api/v1/rankings?project=JRJ&period={PERIOD}").json["rows"]
               if r["employee"] == "JRJ-0003")["improvement_due"]
    for who in ("employee", "manager"):
        content = text(page(app, "JRJ-0003", as_=who))
        assert "末位扣100元" in content and "调岗审查" in content, who  # last three months running
        assert f"须提交整改方案 (截止 {due}" in content, who
    assert "第一名奖励100元" in text(page(app, "JRJ-0001"))


def test_a_supervisor_sees_the_consequences_without_the_money(app):
    content = text(page(app, "JRJ-0003", as_="supervisor"))
    assert "末位" in content and "调岗审查" in content and "元" not in content.split("考核结果")[1]


def test_an_open_months_rank_and_consequences_are_marked_provisional(app):
    open_month = "2026-11"  # TODAY is 2026-11-20: November is not closed
    app.post("/api/v1/events", deduction("JRJ-0002", "attendance", "late", "2026-11-03", "早班迟到"))
    make_runner(app.db).drain()
    doc = BeautifulSoup(app.get(f"/reports/sheet/JRJ-0002/{open_month}.html").data.decode(), "html.parser")
    assert "本月尚未结账,以下按当前名次暂定,月结后确定" in text(doc) and "末位扣100元" in text(doc)
    assert "暂定" not in text(page(app, "JRJ-0003"))  # October is closed: nothing provisional
    book = load_workbook(io.BytesIO(app.get(f"/reports/sheet/JRJ-0002/{open_month}.xlsx").data))
    rows = [[c for c in r if c is not None] for r in book.active.iter_rows(values_only=True)]
    assert ["名次", 3, 3, "暂定,月结后确定"] in rows


def test_a_rate_prints_beside_its_deduction(app):
    content = text(page(app, "JRJ-0102"))
    assert "扣7.5分 (上报 98.5% (目标 100%, 每低1%扣5分))" in content


def test_review_columns_show_only_what_was_recorded(app):
    doc = page(app, "JRJ-0101")
    first = [td.get_text(strip=True) for td in doc.select("table.items tbody tr")[0].find_all("td")]
    assert first[-2:] == ["", ""]  # per item: no 初评/审核 scores were recorded, none copied from 得分
    total = [td.get_text(" ", strip=True) for td in doc.select("table.items tr.total td")]
    assert total[-2].startswith("mgr-jrj") and total[-1] == ""  # the manager's review; no gm 审核 yet


def test_an_appeal_decision_prints_beside_its_deduction(app):
    content = text(page(app, "JRJ-0003"))
    assert "服务用语不文明" in content and "申诉驳回: 录音核实属实" in content


def test_xlsx_has_the_seed_columns_and_footer(app):
    ws = load_workbook(io.BytesIO(app.get(f"/reports/sheet/JRJ-0102/{PERIOD}.xlsx").data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "物业公司客服主管绩效考核标准"
    assert ["考核内容", "评分标准", "客服主管", "经理", "考核评分依据"] in [v[:5] for v in values]
    cells = [str(c) for row in values for c in row if c is not None]
    assert "被考核人签字及对本月自评分影响因素分析" in cells and "考核人签字" in cells
    assert any("上报 98.5%" in c for c in cells)


# ------------------------------------------------------------------ on paper


@pytest.mark.parametrize("no", ["JRJ-0003", *FORMS])
def test_each_form_prints_on_one_a4_page_with_who_and_when(app, no, tmp_path):
    name = dict(STAFF).get(no) or FORMS[no][0]
    pages = sheet_pages(app, no, tmp_path)
    assert len(pages) == 1, f"{no}: {len(pages)} pages"
    assert_pages_carry_who_and_when(pages, no, name)


def test_a_long_month_carries_name_number_and_period_on_every_page(app, tmp_path):
    for day in range(1, 20):  # 38 deductions with long evidence: more than one page can hold
        for item, rule in (("attendance", "late"), ("image", "dress")):
            app.post("/api/v1/events", deduction("JRJ-0201", item, rule, f"2026-10-{day:02d}",
                                                 f"10/{day} 巡查记录:" + "现场情况描述" * 12))
    make_runner(app.db).drain()
    pages = sheet_pages(app, "JRJ-0201", tmp_path)
    assert len(pages) >= 2
    assert_pages_carry_who_and_when(pages, "JRJ-0201", "孙长青")


def test_a_template_without_a_sheet_block_prints_generically_with_its_own_sign_off_stages(app):
    doc = {"code": "cs-two-step", "name": "试行考核表(补名)", "effective_from": "2026-10",
           "signoff": ["manager", "acknowledgement"],
           "items": [{"code": "service", "title": "服务", "points": 100,
                      "rules": [{"code": "rude", "title": "服务用语不文明(推定)", "kind": "fixed", "points": 2}]}]}
    app.post("/api/v1/templates", doc)
    app.post("/api/v1/employees", {"employee_no": "JRJ-0301", "name": "冯试行", "project": "JRJ",
                                   "department": "客服三部", "position": "客服专员", "template": "cs-two-step",
                                   "effective_from": PERIOD})
    app.post("/api/v1/events", deduction("JRJ-0301", "service", "rude", "2026-10-15", "前台接待用语生硬"))
    make_runner(app.db).drain()
    sheet = page(app, "JRJ-0301")
    assert sheet.h1.get_text(strip=True) == "试行考核表"
    assert headers(sheet) == ["序号", "考核项目", "扣分记录", "标准分", "自评", "主管评分", "经理初评"]  # no gm stage
    content = text(sheet)
    assert "服务用语不文明 扣2分" in content and "经理签字确认" in content and "被考核人签字" in content
    assert "总经理签字确认" not in content and "推定" not in content and "补名" not in content
