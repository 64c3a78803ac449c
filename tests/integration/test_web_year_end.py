"""The year-end inputs through the web app's forms (SPEC §7.6, §7.8), on both databases: a
supervisor records a 周检/月检 and a manager the 年终考评 through the API's command; a refusal
shows beside its field in Chinese and writes nothing; leads never reach either page."""

from __future__ import annotations

import pytest

from tests.conftest import make_runner
from tests.integration.web_client import beside, html

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")

INSPECTION = {"type": "inspection", "employee": "JRJ-0002", "kind": "monthly", "occurred_on": "2026-11-12",
              "score": "93.5", "note": "月检：工作区整洁"}
REVIEW = {"type": "year_end_review", "employee": "JRJ-0002", "year": "2026", "score": "88",
          "comment": "年终考评：服务意识强"}


def test_a_supervisor_records_an_inspection_and_sees_the_persons_inspections_this_year(api, web):
    sup = web("sup.sun")
    form = sup.page("/record/inspection?employee=JRJ-0002")
    assert form.find("input", attrs={"name": "occurred_on"})["value"] == "2026-11-20"  # the injected today
    assert "李四" in form.get_text()
    assert sup.post("/record/inspection", {**INSPECTION, "occurred_on": "2026-10-09", "kind": "weekly",
                                           "score": "90"}).status_code == 303
    r = sup.post("/record/inspection", INSPECTION)
    assert r.status_code == 303 and r.headers["Location"].startswith("/record/inspection/done/")
    [event] = [e for e in api.get("/api/v1/events?type=inspection").json["results"]
               if e["payload"]["occurred_on"] == "2026-11-12"]
    assert {**event["payload"], "score": str(event["payload"]["score"])} == {
        "occurred_on": "2026-11-12", "kind": "monthly", "score": "93.5", "note": "月检：工作区整洁"}
    assert event["metadata"]["actor"] == "sup.sun" and event["period"] == "2026-11"
    done = sup.page(r.headers["Location"])
    assert "已保存" in done.get_text() and "月检" in done.get_text() and "93.5" in done.get_text()
    entries = done.find(id="entries").get_text()
    assert "2026-10-09" in entries and "90分" in entries and "2026-11-12" in entries and "周检" in entries
    make_runner(api.db).drain()
    composite = sup.page(r.headers["Location"]).find(id="composite").get_text()
    assert "周检" in composite and "91.75" in composite and "权重 40%" in composite  # (90 + 93.5) / 2


def test_a_manager_records_the_year_end_review_and_sees_the_composite(api, web):
    mgr = web("mgr.wang")
    form = mgr.page("/record/year-end-review?employee=JRJ-0002")
    assert form.find("input", attrs={"name": "year"})["value"] == "2026"
    r = mgr.post("/record/year-end-review", REVIEW)
    assert r.status_code == 303 and r.headers["Location"].startswith("/record/year-end-review/done/")
    [event] = api.get("/api/v1/events?type=year_end_review").json["results"]
    assert {**event["payload"], "score": str(event["payload"]["score"])} == {
        "year": "2026", "score": "88", "comment": "年终考评：服务意识强"}
    assert event["metadata"]["actor"] == "mgr.wang"
    assert "正在计分" in mgr.page(r.headers["Location"]).get_text()
    make_runner(api.db).drain()
    done = mgr.page(r.headers["Location"])
    assert "年终考评：服务意识强" in done.find(id="entries").get_text()
    composite = done.find(id="composite").get_text()
    assert "年终考评" in composite and "88" in composite and "月考核" in composite
    # a later review replaces it: the first one's page stops waiting for the composite
    later = mgr.post("/record/year-end-review", {**REVIEW, "score": "80", "comment": "更正"})
    make_runner(api.db).drain()
    first = mgr.page(r.headers["Location"])
    assert first.find(id="composite").get("hx-get") is None and "更正" in first.find(id="entries").get_text()
    assert "80" in mgr.page(later.headers["Location"]).find(id="composite").get_text()
    # managers record inspections too
    assert mgr.post("/record/inspection", INSPECTION).status_code == 303


def test_leads_and_employees_neither_see_nor_reach_the_pages(api, web):
    for who in ("lead.li", "JRJ-0001"):
        person = web(who)
        links = {a["href"] for a in person.page("/").find_all("a")}
        assert "/record/inspection" not in links and "/record/year-end-review" not in links
        for path in ("/record/inspection", "/record/year-end-review"):
            assert person.get(path).status_code == 403
    lead = web("lead.li")
    assert not any(a["href"].startswith(("/record/inspection", "/record/year-end-review"))
                   for a in lead.page("/staff/JRJ-0002").find_all("a"))
    before = api.event_count()
    token = lead.csrf("/record")
    assert lead.client.post("/record/inspection", data={**INSPECTION, "csrf_token": token}).status_code == 403
    assert lead.client.post("/record/year-end-review", data={**REVIEW, "csrf_token": token}).status_code == 403
    assert api.event_count() == before


def test_a_supervisor_sees_the_inspection_link_but_not_the_review(api, web):
    sup = web("sup.sun")
    links = {a["href"] for a in sup.page("/").find_all("a")}
    assert "/record/inspection" in links and "/record/year-end-review" not in links
    person = {a["href"] for a in sup.page("/staff/JRJ-0002").find_all("a")}
    assert "/record/inspection?employee=JRJ-0002" in person and not any("year-end" in h for h in person)
    assert sup.get("/record/year-end-review").status_code == 403
    mgr = {a["href"] for a in web("mgr.wang").page("/staff/JRJ-0002").find_all("a")}
    assert "/record/year-end-review?employee=JRJ-0002" in mgr
    assert "/record/year-end-review" in {a["href"] for a in web("mgr.wang").page("/").find_all("a")}


@pytest.mark.parametrize(("path", "body", "field", "says"), [
    ("/record/inspection", {**INSPECTION, "score": "101"}, "score", "0–100"),
    ("/record/inspection", {**INSPECTION, "score": "92.345"}, "score", "小数"),
    ("/record/inspection", {**INSPECTION, "occurred_on": "2026-11-21"}, "occurred_on", "不能晚于"),  # tomorrow
    ("/record/inspection", {**INSPECTION, "kind": "daily"}, "kind", "周检"),
    ("/record/inspection", {**INSPECTION, "score": ""}, "score", "缺少分数"),
    ("/record/year-end-review", {**REVIEW, "score": "101"}, "score", "0–100"),
    ("/record/year-end-review", {**REVIEW, "year": "2027"}, "year", "2026"),
])
def test_a_refused_input_shows_beside_its_field_in_chinese_and_writes_nothing(api, web, path, body, field, says):
    mgr = web("mgr.wang")
    before = api.event_count()
    r = mgr.post(path, body)
    assert r.status_code == 422 and api.event_count() == before
    page = html(r)
    error = beside(page, field)
    assert says in error and any("\u4e00" <= ch <= "\u9fff" for ch in error)
    assert "未写入任何记录" in page.find(class_="alert").get_text()
    note = "note" if "note" in body else "comment"
    assert page.find("textarea", attrs={"name": note}).get_text() == body[note]  # the form keeps what was typed


def test_a_form_posted_without_its_csrf_token_is_refused_and_writes_nothing(api, web):
    mgr = web("mgr.wang")
    before = api.event_count()
    for path, body in (("/record/inspection", INSPECTION), ("/record/year-end-review", REVIEW)):
        r = mgr.client.post(path, data=body)
        assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True)
    assert api.event_count() == before


def test_a_supervisor_cannot_find_or_record_for_another_projects_person(api, web):
    sup = web("sup.sun")
    assert "JRJ-0002" in sup.page("/record/inspection?q=李").get_text()
    assert "赵六" not in sup.page("/record/inspection?q=赵").get_text()
    assert "赵六" not in sup.page("/record/inspection?employee=BSQ-0001").get_text()
    assert "赵六" not in sup.page("/record/inspection").find(id="staff").get_text()
    before = api.event_count()
    r = sup.post("/record/inspection", {**INSPECTION, "employee": "BSQ-0001"})
    assert r.status_code == 403 and api.event_count() == before
    assert "BSQ" in html(r).find(class_="alert").get_text()
    mgr = web("mgr.wang")
    assert mgr.post("/record/year-end-review", {**REVIEW, "employee": "BSQ-0001"}).status_code == 403
    assert api.event_count() == before
    # nor open what another project's supervisor recorded
    other = web("sup.bsq")
    done = other.post("/record/inspection", {**INSPECTION, "employee": "BSQ-0001"})
    assert done.status_code == 303 and sup.get(done.headers["Location"]).status_code == 404
    assert "赵六" in other.page(done.headers["Location"]).get_text()


def test_the_people_search_answers_htmx_with_the_list_only(api, web):
    sup = web("sup.sun")
    r = sup.client.get("/record/inspection?q=李", headers={"HX-Request": "true"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and body.lstrip().startswith('<ul id="people"') and "JRJ-0002" in body
