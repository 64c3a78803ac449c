"""The complaint ledger in the web app (SPEC §7.7, issue 14): the desk's registration form, a
complaint's page with its timeline and next steps, the overdue list and the suggested
deductions inbox, on both databases. Every form goes to the API's command; a refusal shows
beside its field and writes nothing; scope and roles as the API."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import make_runner
from tests.integration.web_client import beside, html

DESK = {"project": "JRJ", "complaint": "TS-2026-0001", "received_at": "2026-11-18T09:12", "channel": "phone",
        "severity": "general", "category": "维修", "location": "3栋1201", "summary": "卫生间漏水，楼下天花板渗水",
        "responsible": "JRJ-0001"}


def registered(lead, **change: str) -> str:
    r = lead.post("/complaints/new", {**DESK, **change})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return r.headers["Location"]


def test_the_desk_registers_a_complaint_and_the_page_carries_its_timeline(api, web):
    lead = web("lead.li")
    form = lead.page("/complaints/new")
    assert form.find(attrs={"name": "complaint"})["value"] == "TS-2026-0001"  # the desk's next number
    assert form.find(attrs={"name": "received_at"})["value"].startswith("2026-11-20T")  # now, Beijing time
    assert registered(lead) == "/complaints/JRJ/TS-2026-0001?done=received"
    assert lead.page("/complaints/new").find(attrs={"name": "complaint"})["value"] == "TS-2026-0002"
    [event] = api.get("/api/v1/events?type=complaint_received").json["results"]
    # a datetime-local is Beijing time
    assert datetime.fromisoformat(event["payload"]["received_at"]) == datetime.fromisoformat("2026-11-18T09:12+08:00")
    assert event["metadata"]["actor"] == "lead.li"

    page = lead.page("/complaints/JRJ/TS-2026-0001")
    text = page.get_text()
    assert "卫生间漏水" in text and "张三 (JRJ-0001)" in text and "2026-11-18 09:12 受理" in text
    assert [f["action"].rsplit("/", 1)[1] for f in page.select("details.step form")] == ["reply"]  # a lead replies
    r = lead.post("/complaints/JRJ/TS-2026-0001/reply", {"at": "2026-11-18T10:00", "text": "已派维修工上门查看"},
                  csrf_from="/complaints/JRJ/TS-2026-0001")
    assert r.status_code == 303

    sup = web("sup.sun")
    page = sup.page("/complaints/JRJ/TS-2026-0001")
    assert [f["action"].rsplit("/", 1)[1] for f in page.select("details.step form")] == ["reply", "escalate", "close"]
    assert page.select_one("details[open] form")["action"].endswith("/close")  # replied: closing comes next
    path = "/complaints/JRJ/TS-2026-0001"
    assert sup.post(f"{path}/close", {"at": "2026-11-18T16:00", "resolution": "更换水管，业主确认"},
                    csrf_from=path).status_code == 303
    assert [f["action"].rsplit("/", 1)[1] for f in sup.page(path).select("details.step form")] == ["followup"]
    before = api.event_count()
    r = sup.post(f"{path}/followup", {"at": "2026-11-19T10:00", "result": "unsatisfied", "note": "仍有渗水"},
                 csrf_from=path)
    assert r.status_code == 422 and api.event_count() == before
    assert "下次回访" in beside(html(r), "next_at")
    assert sup.post(f"{path}/followup", {"at": "2026-11-19T10:00", "result": "unsatisfied", "note": "仍有渗水",
                                         "next_at": "2026-11-22T10:00"}, csrf_from=path).status_code == 303
    timeline = [li.get_text(" ", strip=True) for li in sup.page(path).select("#timeline > li")]
    assert [t.split()[2] for t in timeline] == ["受理", "回复", "办结", "回访"]
    assert "不满意" in timeline[3] and "约定下次回访：2026-11-22 10:00" in timeline[3]

    listing = lead.page("/complaints?project=JRJ&period=2026-11").get_text()
    assert "TS-2026-0001" in listing and "已办结" in listing and "处理及时率" in listing
    [received] = [x for x in api.get("/api/v1/events?type=complaint_received").json["results"]]
    assert received["payload"]["complaint"] == "TS-2026-0001"


def test_a_refused_registration_shows_beside_its_field_and_writes_nothing(api, web):
    lead = web("lead.li")
    before = api.event_count()
    for change, field, says in (({"summary": "  "}, "summary", "必填"),
                                ({"responsible": "BSQ-0001"}, "responsible", "不是本项目"),
                                ({"received_at": "2026-11-21T09:00"}, "received_at", "不能晚于现在"),
                                ({"received_at": "昨天"}, "received_at", "不是有效的时间"),
                                ({"complaint": "TS 1/2"}, "complaint", "投诉编号只能含")):
        r = lead.post("/complaints/new", {**DESK, **change})
        assert r.status_code == 422, change
        assert says in beside(html(r), field), (change, beside(html(r), field))
        assert html(r).find(attrs={"name": "location"})["value"] == "3栋1201"  # what was typed stays
    assert api.event_count() == before
    registered(lead)
    r = lead.post("/complaints/new", DESK)
    assert r.status_code == 409 and "已有投诉编号" in html(r).select_one("div.alert").get_text()
    assert api.event_count() == before + 1


def test_steps_are_for_the_roles_the_ledger_names_and_the_projects_staff(api, web):
    lead = web("lead.li")
    registered(lead, severity="major")
    path = "/complaints/JRJ/TS-2026-0001"
    before = api.event_count()
    r = lead.post(f"{path}/close", {"at": "2026-11-18T16:00", "resolution": "已处理"}, csrf_from=path)
    assert r.status_code == 403 and "不能记录" in html(r).select_one("div.alert").get_text()
    other = web("lead.bsq")
    assert other.get(path).status_code == 404
    assert other.get("/complaints?project=JRJ").status_code == 404
    assert other.client.post(f"{path}/reply", data={"at": "2026-11-18T10:00", "text": "x",
                                                      "csrf_token": other.csrf("/complaints/new")}).status_code == 404
    assert web("JRJ-0001").get("/complaints").status_code == 403
    assert lead.get("/record/suggestions").status_code == 403
    auditor = web("audit.qian")
    page = auditor.page(path)
    assert "重大投诉" in page.get_text() and not page.select("form[method=post] textarea")
    assert auditor.get("/complaints/new").status_code == 403
    assert api.event_count() == before


def test_overdue_complaints_are_listed_and_a_supervisor_confirms_or_dismisses_each_suggestion(api, web):
    lead = web("lead.li")
    registered(lead, complaint="TS-1", received_at="2026-11-10T08:00")  # never replied: due 11-11 08:00
    registered(lead, complaint="TS-2", received_at="2026-11-12T08:00", responsible="JRJ-0002")
    overdue = lead.page("/complaints?project=JRJ&view=overdue").select("#complaints > li")
    assert [li.a.get_text() for li in overdue] == ["TS-1", "TS-2"]
    assert "逾期：回复超时 · 期限 2026-11-11 08:00" in overdue[0].get_text(" ", strip=True)

    make_runner(api.db).drain()
    sup = web("sup.sun")
    inbox = sup.page("/record/suggestions?project=JRJ")
    cards = inbox.select("#suggestions > li")
    assert len(cards) == 2 and "张三 (JRJ-0001)" in cards[0].get_text() and "李四 (JRJ-0002)" in cards[1].get_text()
    # the rule of the employee's rubric it deducts under, by its Chinese title
    assert "按 上、值、加班认真负责,记录登记情况完整清楚 · 未及时落实、上报 扣 2 分" in cards[0].get_text(" ", strip=True)
    before = api.event_count()
    r = sup.post("/record/suggestions/JRJ:TS-2:reply/dismiss", {"reason": " "}, csrf_from="/record/suggestions")
    assert r.status_code == 422 and "必填" in beside(html(r), "reason") and api.event_count() == before
    r = sup.post("/record/suggestions/JRJ:TS-1:reply/confirm", {}, csrf_from="/record/suggestions")
    assert r.status_code == 303 and r.headers["Location"] == "/record/suggestions?project=JRJ&done=confirm"
    assert api.event_count() == before + 2  # the deduction and the ledger's note, in one action
    [deduction] = api.get("/api/v1/events?type=deduction&employee=JRJ-0001").json["results"]
    assert "TS-1" in deduction["payload"]["evidence"] and "期限 2026-11-11 08:00" in deduction["payload"]["evidence"]
    assert deduction["metadata"]["actor"] == "sup.sun"
    assert sup.post("/record/suggestions/JRJ:TS-2:reply/dismiss", {"reason": "业主当天撤回投诉"},
                    csrf_from="/record/suggestions").status_code == 303
    assert api.event_count() == before + 3  # a dismissal deducts nothing
    assert "暂无待处理" in sup.page("/record/suggestions?project=JRJ").get_text()
    decided = sup.page("/record/suggestions?project=JRJ&status=dismissed").get_text()
    assert "业主当天撤回投诉" in decided and "sup.sun" in decided
    r = sup.post("/record/suggestions/JRJ:TS-1:reply/confirm", {}, csrf_from="/record/suggestions")
    assert r.status_code == 409 and api.event_count() == before + 3  # once only
