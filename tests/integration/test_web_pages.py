"""The people's web app through its forms (SPEC §7.6), on both databases: every form goes to
the API's command, a refusal shows beside its field and writes nothing, scope as the API."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_runner
from tests.integration.web_client import beside

DEDUCTION = {"type": "deduction", "employee": "JRJ-0002", "item": "civility", "rule": "rude", "count": "2",
             "occurred_on": "2026-11-12", "evidence": "11/12 业主投诉服务用语", "source": "投诉记录"}


def test_a_lead_records_a_deduction_and_sees_the_persons_month(api, web):
    lead = web("lead.li")
    r = lead.post("/record", DEDUCTION)
    assert r.status_code == 303 and r.headers["Location"].startswith("/record/done/")
    [event] = [e for e in api.get("/api/v1/events?type=deduction").json["results"]]
    assert event["payload"]["count"] == 2 and event["metadata"]["actor"] == "lead.li"
    make_runner(api.db).drain()
    done = lead.page(r.headers["Location"]).get_text()
    # 2 × rude (2 points) off civility: S = 96, no self-assessment: T = 96
    assert "11/12 业主投诉服务用语" in done and "96" in done and "服务用语不文明" in done and "rude" not in done
    assert "11/12 业主投诉服务用语" in lead.page("/record").find(id="todays").get_text()


@pytest.mark.parametrize(("change", "field", "says"), [
    ({"rule": "complaint", "points": "9"}, "points", "3"),  # range 3–5
    ({"evidence": "   "}, "evidence", "必填"),
    ({"count": "1.5"}, "count", "整数"),
    ({"occurred_on": "2026-13-40"}, "occurred_on", "日期"),
    ({"item": "nope"}, "item", "无此项目"),
])
def test_a_refused_record_shows_beside_its_field_and_writes_nothing(api, web, change, field, says):
    lead = web("lead.li")
    before = api.event_count()
    r = lead.post("/record", {**DEDUCTION, **change})
    assert r.status_code == 422 and api.event_count() == before
    html = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert says in beside(html, field)
    assert html.find("textarea", attrs={"name": "evidence"}).get_text() == change.get("evidence", DEDUCTION["evidence"])


def test_a_lead_cannot_find_or_open_another_projects_people(api, web):
    lead = web("lead.li")
    assert "JRJ-0002" in lead.page("/record/people?q=李").get_text()
    assert "BSQ-0001" not in lead.page("/record/people?q=BSQ").get_text()
    assert "赵六" not in lead.page("/record?q=赵").get_text()
    assert "赵六" not in lead.page("/record?employee=BSQ-0001").get_text()
    assert lead.get("/staff/BSQ-0001").status_code == 404
    assert "BSQ-0001" not in lead.page("/staff?q=BSQ").get_text()
    before = api.event_count()
    r = lead.post("/record", {**DEDUCTION, "employee": "BSQ-0001"})
    assert r.status_code == 403 and api.event_count() == before
    assert "赵六" in web("lead.bsq").page("/record/people?q=赵").get_text()


def test_a_form_posted_without_its_csrf_token_is_refused_and_writes_nothing(api, web):
    lead = web("lead.li")
    before = api.event_count()
    r = lead.client.post("/record", data=DEDUCTION)
    assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True)
    assert api.event_count() == before


def test_evidence_with_a_script_is_shown_as_text(api, web):
    lead = web("lead.li")
    r = lead.post("/record", {**DEDUCTION, "employee": "JRJ-0001", "evidence": "<script>alert(1)</script>"})
    make_runner(api.db).drain()
    for path in (r.headers["Location"], "/record"):
        html = lead.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    mine = web("JRJ-0001").get("/me/2026-11").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mine and "<script>alert" not in mine


def test_the_employee_self_assesses_signs_in_order_and_appeals(api, web):
    lead, me = web("lead.li"), web("JRJ-0001")
    lead.post("/record", {**DEDUCTION, "employee": "JRJ-0001"})
    make_runner(api.db).drain()
    page = me.page("/me/2026-11")
    assert "11/12 业主投诉服务用语" in page.get_text() and page.find(attrs={"value": "acknowledgement"}) is None
    assert "须先完成「月结(结账)」" in page.find(id="sign").get_text()
    scores = {i["name"]: i["max"] for i in page.select("input[name^='scores.']")}  # full marks
    before = api.event_count()
    r = me.post("/me/2026-11", {"type": "self_assessment", **scores, "scores.criticism": "6", "analysis": "x"})
    assert r.status_code == 422 and api.event_count() == before
    assert "0–5" in beside(BeautifulSoup(r.get_data(as_text=True), "html.parser"), "scores.criticism")
    assert me.post("/me/2026-11", {"type": "self_assessment", **scores, "scores.criticism": "5",
                                   "analysis": "影响因素分析"}).status_code == 303
    event_id = api.get("/api/v1/events?type=deduction").json["results"][0]["id"]
    assert me.post("/me/2026-11", {"type": "appeal", "event_id": event_id, "reason": "当天不是我值班"}).status_code == 303
    again = me.post("/me/2026-11", {"type": "appeal", "event_id": event_id, "reason": "再次申诉"})
    assert again.status_code == 409 and "已有待处理的申诉" in again.get_data(as_text=True)
    appeals = web("mgr.wang").page("/appeals").get_text()
    assert "当天不是我值班" in appeals and "11/12 业主投诉服务用语" in appeals


def test_the_manager_closes_reviews_and_the_gm_approves_then_the_employee_signs(api, web):
    mgr, gm, me = web("mgr.wang"), web("gm.zhao"), web("JRJ-0001")
    early = mgr.post("/reviews", {"project": "JRJ", "period": "2026-11", "employee": "JRJ-0001"},
                     csrf_from="/reviews?project=JRJ&period=2026-11")
    assert early.status_code == 409 and "月结" in early.get_data(as_text=True)
    closed = mgr.post("/months/JRJ/2026-11/close", {}, csrf_from="/months?project=JRJ")
    assert closed.status_code == 303 and closed.headers["Location"].startswith("/tasks/")
    make_runner(api.db).drain()
    assert "已完成" in mgr.page(closed.headers["Location"]).get_text()
    queue = mgr.page("/reviews?project=JRJ&period=2026-11")
    assert {i["value"] for i in queue.select("input[name=employee]")} == {"JRJ-0001", "JRJ-0002", "JRJ-0003"}
    assert mgr.post("/reviews", {"project": "JRJ", "period": "2026-11", "employee": "JRJ-0001"},
                    csrf_from="/reviews?project=JRJ&period=2026-11").status_code == 303
    queue = gm.page("/reviews?project=JRJ&period=2026-11")
    assert [i["value"] for i in queue.select("input[name=employee]")] == ["JRJ-0001"]
    assert gm.post("/reviews", {"project": "JRJ", "period": "2026-11", "employee": "JRJ-0001"},
                   csrf_from="/reviews?project=JRJ&period=2026-11").status_code == 303
    assert me.page("/me/2026-11").find(attrs={"value": "acknowledgement"}) is not None
    assert me.post("/me/2026-11", {"type": "acknowledgement"}).status_code == 303
    assert "已签字" in me.page("/me/2026-11").find(id="sign").get_text()


def test_admin_pages_show_the_commands_refusals_beside_the_fields(api, web):
    admin = web("root")
    before = api.event_count()
    r = admin.post("/admin/employees", {"employee_no": "JRJ 9", "name": "新人", "project": "JRJ",
                                        "department": "客服部", "position": "客服专员", "template": "cs-staff"})
    assert r.status_code == 422 and api.event_count() == before
    assert "工号只能含字母" in beside(BeautifulSoup(r.get_data(as_text=True), "html.parser"), "employee_no")
    assert admin.post("/admin/employees", {"employee_no": "JRJ-0009", "name": "新人", "project": "JRJ",
                                           "department": "客服部", "position": "客服专员",
                                           "template": "cs-staff"}).status_code == 303
    bad = admin.post("/admin/templates", {"document": '{"code": "x", "name": "y", "effective_from": "2026-12", '
                                                      '"items": [{"code": "a", "title": "A", "points": -1}]}'})
    assert bad.status_code == 422 and "items.0.points" in bad.get_data(as_text=True)
    assert api.event_count() == before + 1
    assert web("gm.zhao").get("/admin/accounts").status_code == 403
    assert web("lead.li").get("/admin/employees").status_code == 403


def test_htmx_gets_the_rubric_of_the_item_chosen_and_count_or_points_by_its_rule(web):
    lead = web("lead.li")
    hx = {"HX-Request": "true"}
    fixed = lead.client.get("/record/rubric?employee=JRJ-0001&item=civility&rule=rude", headers=hx)
    html = BeautifulSoup(fixed.get_data(as_text=True), "html.parser")
    assert html.find("fieldset")["id"] == "rubric" and html.find("html") is None  # the block alone
    assert len(html.select("#rule option")) == 4 and "每次扣2分" in html.get_text()
    assert html.find(attrs={"name": "count"}) and not html.find(attrs={"name": "points"})
    ranged = BeautifulSoup(lead.client.get("/record/rubric?employee=JRJ-0001&item=civility&rule=complaint",
                                           headers=hx).get_data(as_text=True), "html.parser")
    assert ranged.find(attrs={"name": "points"})["max"] == "5" and not ranged.find(attrs={"name": "count"})
    people = lead.client.get("/record/people?q=张", headers=hx).get_data(as_text=True)
    assert people.startswith('\n<ul id="people"') or people.lstrip().startswith('<ul id="people"')
