"""Year-end inputs (SPEC §7.8): inspections (周检/月检) and the year-end review (年终考评),
recorded over HTTP on SQLite and PostgreSQL, feeding the stored annual composite through
the one scoring path; a rebuild publishes the same composites."""

from __future__ import annotations

from typing import Any

import pytest

from services.reports.app import create_app as reports_app
from services.scoring.rebuild import rebuild
from tests.conftest import CLOCK, make_runner, settings, snapshot
from tests.integration.conftest import assert_problem

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")


def inspection(no: str = "JRJ-0001", **changes: Any) -> dict[str, Any]:
    return {"type": "inspection", "employee": no, "occurred_on": "2026-10-09", "kind": "weekly",
            "score": 92, "note": "周检:仪容仪表良好", **changes}


def review(no: str = "JRJ-0001", **changes: Any) -> dict[str, Any]:
    return {"type": "year_end_review", "employee": no, "year": "2026", "score": 88,
            "comment": "年终考评:服务意识强", **changes}


def annual(api: Any, no: str = "JRJ-0001") -> dict[str, Any]:
    client = reports_app(settings(api.db.url), api.db).test_client()
    r = client.get(f"/api/v1/annual/{no}/2026", headers={"Authorization": f"Bearer {api.tokens['admin']}"})
    assert r.status_code == 200, r.get_json()
    return dict(r.get_json())


def posted(resp: Any) -> str:
    assert resp.status_code == 201, resp.get_json()
    return str(resp.get_json()["id"])


# -- recording ------------------------------------------------------------------------------
def test_a_supervisor_records_an_inspection_and_a_manager_the_year_end_review(api):
    before = api.event_count()
    posted(api.post("/api/v1/events", inspection(), as_="supervisor"))
    posted(api.post("/api/v1/events", inspection(kind="monthly", score=95.5), as_="manager"))
    posted(api.post("/api/v1/events", review(), as_="manager"))
    assert api.event_count() == before + 3
    stored = api.get("/api/v1/events?employee=JRJ-0001").get_json()["results"]
    by_type = {e["type"]: e for e in stored}
    assert by_type["inspection"]["period"] == "2026-10"
    # this year's review is filed under this month (2026-11): December has not begun
    assert (by_type["year_end_review"]["period"], by_type["year_end_review"]["project"]) == ("2026-11", "JRJ")
    assert by_type["year_end_review"]["metadata"]["actor"] == "manager-jrj"


@pytest.mark.parametrize(("body", "as_", "status"), [
    (inspection(), "lead", 403),  # inspections: supervisor and above
    (inspection(), "employee", 403),
    (inspection(), "auditor", 403),
    (review(), "supervisor", 403),  # the year-end review: manager and above
    (review(), "employee", 403),
    (inspection(), "other-supervisor", 403),  # a supervisor of another project
    (review(), "other-manager", 403),
])
def test_who_may_not_record_is_refused_and_nothing_is_written(api, body, as_, status):
    api.token("sup-bsq", "supervisor", "BSQ")
    api.token("mgr-bsq", "manager", "BSQ")
    api.tokens["other-supervisor"] = api.tokens["supervisor:sup-bsq"]
    api.tokens["other-manager"] = api.tokens["manager:mgr-bsq"]
    before = api.event_count()
    assert_problem(api.post("/api/v1/events", body, as_=as_), status)
    assert api.event_count() == before


@pytest.mark.parametrize(("body", "field"), [
    (inspection(score=100.01), "score"),
    (inspection(score=-1), "score"),
    (inspection(score=92.345), "score"),  # at most 2 decimals
    (inspection(score="九十"), "score"),
    (inspection(kind="daily"), "kind"),
    (inspection(occurred_on="2026-11-21"), "occurred_on"),  # tomorrow (the clock says 2026-11-20)
    (inspection(occurred_on="2026-02-30"), "occurred_on"),
    (inspection(occurred_on="2025-12-31"), "occurred_on"),  # before the employment began
    (inspection(employee="JRJ-9999"), "employee"),
    (inspection(note="长" * 2001), "note"),
    (inspection(extra=1), "extra"),
    ({k: v for k, v in inspection().items() if k != "score"}, "score"),
    (review(score=101), "score"),
    (review(score=87.555), "score"),
    (review(year="2027"), "year"),  # a year that has not begun
    (review(year="26"), "year"),
    (review(comment="\x00"), "comment"),
])
def test_bad_input_is_a_chinese_problem_naming_the_field_and_writes_nothing(api, body, field):
    before = api.event_count()
    problem = assert_problem(api.post("/api/v1/events", body, as_="manager"), 422, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(problem["errors"][field]))
    assert api.event_count() == before


def test_a_batch_with_one_bad_inspection_writes_nothing(api):
    before = api.event_count()
    r = api.post("/api/v1/events/batch", {"events": [inspection(), inspection(score=120)]}, as_="supervisor")
    assert_problem(r, 422, "events.1.score")
    assert api.event_count() == before


def test_a_closed_month_takes_inspections_from_managers_only(api):
    assert api.post("/api/v1/periods/JRJ/2026-10/close", as_="manager").status_code == 202
    before = api.event_count()
    assert_problem(api.post("/api/v1/events", inspection(), as_="supervisor"), 409)
    assert api.event_count() == before
    posted(api.post("/api/v1/events", inspection(), as_="manager"))


def test_both_new_events_can_be_revoked_once(api):
    for body in (inspection(), review()):
        event_id = posted(api.post("/api/v1/events", body, as_="manager"))
        assert api.post(f"/api/v1/events/{event_id}/revoke", {"reason": "误录"}, as_="manager").status_code == 201
        assert_problem(api.post(f"/api/v1/events/{event_id}/revoke", {"reason": "再撤"}, as_="manager"), 409)


# -- scoring ----------------------------------------------------------------------------------
def test_inspections_and_the_latest_review_complete_the_composite(api):
    drain = make_runner(api.db).drain
    drain()
    assert annual(api)["flags"] == ["component_missing:inspections", "component_missing:year_end",
                                    "weights_redistributed"]
    posted(api.post("/api/v1/events", inspection(score=90), as_="supervisor"))
    second = posted(api.post("/api/v1/events", inspection(occurred_on="2026-11-03", kind="monthly", score=95),
                             as_="supervisor"))
    first_review = posted(api.post("/api/v1/events", review(score=88), as_="manager"))
    latest = posted(api.post("/api/v1/events", review(score=80, comment="更正"), as_="gm"))
    drain()
    body = annual(api)
    # inspections (90 + 95) / 2 = 92.5; monthly: eleven perfect months, 100; the latest review 80
    # A = 0.2 × 92.5 + 0.3 × 100 + 0.5 × 80 = 18.5 + 30 + 40 = 88.5
    assert body["composite"] == 88.5 and body["flags"] == []
    parts = {c["code"]: c for c in body["components"]}
    assert {k: (c["mean"], c["weight"], c["weight_applied"], c["count"]) for k, c in parts.items()} == {
        "inspections": (92.5, 0.2, 0.2, 2), "monthly": (100.0, 0.3, 0.3, 11), "year_end": (80.0, 0.5, 0.5, 1)}
    assert [i["score"] for i in body["inspections"]] == [90.0, 95.0]
    assert body["year_end_review"]["event_id"] == latest and body["year_end_review"]["comment"] == "更正"
    # revoking the latest review brings the earlier one back: 18.5 + 30 + 0.5 × 88 = 92.5
    assert api.post(f"/api/v1/events/{latest}/revoke", {"reason": "录错"}, as_="manager").status_code == 201
    drain()
    assert (annual(api)["composite"], annual(api)["year_end_review"]["event_id"]) == (92.5, first_review)
    # and revoking an inspection leaves 90: 18 + 30 + 44 = 92
    assert api.post(f"/api/v1/events/{second}/revoke", {"reason": "录错"}, as_="manager").status_code == 201
    drain()
    assert annual(api)["composite"] == 92.0


def test_the_composite_is_rounded_once_from_exact_means(api):
    # JRJ-0004 from August: four months with bonuses 1.5, 2.1, 1, 1.5 → finals 101.5, 102.1, 101, 101.5;
    # mean 406.1 / 4 = 101.525 exactly → 101.53 (half up), and A is that same value rounded once
    assert api.post("/api/v1/employees", {"employee_no": "JRJ-0004", "name": "钱七", "project": "JRJ",
                                          "department": "客服部", "position": "客服专员",
                                          "template": "cs-staff", "effective_from": "2026-08"}).status_code == 201
    for month, points in (("08", 1.5), ("09", 2.1), ("10", 1), ("11", 1.5)):
        posted(api.post("/api/v1/events", {"type": "bonus", "employee": "JRJ-0004", "bonus": "owner_praise",
                                           "occurred_on": f"2026-{month}-05", "points": points,
                                           "evidence": "业主表扬"}, as_="lead"))
    make_runner(api.db).drain()
    body = annual(api, "JRJ-0004")
    monthly = next(c for c in body["components"] if c["code"] == "monthly")
    assert monthly["mean"] == body["composite"] == 101.53
    assert body["awards"] == ["excellent"]


def test_a_rebuild_publishes_the_composites_the_incremental_path_published(api):
    posted(api.post("/api/v1/events", inspection(score=90), as_="supervisor"))
    posted(api.post("/api/v1/events", inspection(employee="JRJ-0002", score=97.25), as_="supervisor"))
    wrong = posted(api.post("/api/v1/events", inspection(occurred_on="2026-09-30", score=60), as_="supervisor"))
    api.post(f"/api/v1/events/{wrong}/revoke", {"reason": "误录"}, as_="supervisor")
    posted(api.post("/api/v1/events", review(score=88), as_="manager"))
    posted(api.post("/api/v1/events", review(score=91.5), as_="manager"))
    posted(api.post("/api/v1/events", review(employee="JRJ-0002", score=79), as_="manager"))
    posted(api.post("/api/v1/events", {"type": "deduction", "employee": "JRJ-0001", "item": "attendance",
                                       "rule": "late", "occurred_on": "2026-10-14", "evidence": "迟到"}, as_="lead"))
    make_runner(api.db).drain()
    published = snapshot(api.db)
    assert published["annual"][("JRJ-0001", "2026")][0]["year_end_review"]["score"] == 91.5
    rebuild(api.db, CLOCK)  # on PostgreSQL: shards folded by processes of their own
    assert snapshot(api.db) == published
    rebuild(api.db, CLOCK, workers=1)
    assert snapshot(api.db) == published
    assert make_runner(api.db).drain() == 0


# -- the web app links the new documents ---------------------------------------------------------
def test_the_web_app_links_the_year_end_record_and_the_annual_pdf(api, web):
    posted(api.post("/api/v1/events", inspection(), as_="supervisor"))
    make_runner(api.db).drain()
    employee = web("JRJ-0001")
    links = [a["href"] for a in employee.page("/").find_all("a")]
    assert "/reports/yearend/JRJ-0001/2026.html" in links and "/reports/yearend/JRJ-0001/2026.pdf" in links
    record = employee.get("/reports/yearend/JRJ-0001/2026.html")
    assert record.status_code == 200 and "员工年终绩效考核记录表" in record.get_data(as_text=True)
    assert "/reports/yearend/JRJ-0001/2026.html" in [a["href"] for a in employee.page("/me").find_all("a")]
    assert employee.get("/reports/yearend/JRJ-0002/2026.html").status_code == 403
    supervisor = web("sup.sun")
    assert "/reports/yearend/JRJ-0002/2026.xlsx" in [a["href"] for a in supervisor.page("/staff/JRJ-0002").find_all("a")]
    manager = web("mgr.wang")
    assert "/reports/annual/JRJ/2026.pdf" in [a["href"] for a in manager.page("/").find_all("a")]
    pdf = manager.get("/reports/annual/JRJ/2026.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
