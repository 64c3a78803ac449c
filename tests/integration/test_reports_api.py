"""The reports JSON API on both backends: results, provenance, revisions, rankings, scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.reports.app import create_app
from shared.tables import rankings
from tests.conftest import make_runner, settings

PERIOD = "2026-10"


def deduction(no, item, rule, *, points=None, count=1, day="2026-10-14", evidence="检查记录"):
    body = {"type": "deduction", "employee": no, "item": item, "rule": rule,
            "occurred_on": day, "count": count, "evidence": evidence}
    if points is not None:
        body["points"] = points
    return body


class Reports:
    def __init__(self, api):
        self.client = create_app(settings(api.db.url), api.db).test_client()
        self.tokens = api.tokens

    def get(self, path, as_="admin"):
        headers = {} if as_ is None else {"Authorization": f"Bearer {self.tokens.get(as_, as_)}"}
        return self.client.get(path, headers=headers)


@pytest.fixture
def reports(api):
    return Reports(api)


@pytest.fixture
def drain(api):
    return make_runner(api.db).drain


def test_every_member_gets_a_result_and_an_event_free_month_is_perfect(api, reports, drain):
    api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late"), as_="lead")
    drain()
    body = reports.get(f"/api/v1/scores?project=JRJ&period={PERIOD}", as_="manager").json
    by_no = {r["employee"]: r for r in body["results"]}
    assert sorted(by_no) == ["JRJ-0001", "JRJ-0002", "JRJ-0003"]
    assert (by_no["JRJ-0001"]["final"], by_no["JRJ-0001"]["revision"]) == (98.0, 1)
    assert by_no["JRJ-0003"]["final"] == 100.0  # no events: a perfect month
    assert by_no["JRJ-0002"]["name"] == "李四" and by_no["JRJ-0002"]["department"] == "客服部"
    assert {"code", "points", "deducted", "score"} <= set(by_no["JRJ-0001"]["items"][0])
    assert reports.get(f"/api/v1/scores?project=JRJ&period={PERIOD}&department=工程部").json == {"results": []}
    # nothing ever written in BSQ: still published (a perfect month) and ranked, alone
    (bsq,) = reports.get(f"/api/v1/scores?project=BSQ&period={PERIOD}").json["results"]
    assert (bsq["employee"], bsq["final"], bsq["revision"], bsq["rank"], bsq["status"]) == \
        ("BSQ-0001", 100.0, 1, 1, "draft")
    assert bsq["flags"] == ["self_assessment_missing"]


def test_one_score_carries_the_provenance_of_every_point(api, reports, drain):
    ev = api.post("/api/v1/events", deduction("JRJ-0001", "civility", "complaint", points=4,
                                              evidence="10/20 业主投诉"), as_="lead").json
    bonus = api.post("/api/v1/events", {"type": "bonus", "employee": "JRJ-0001", "bonus": "owner_praise",
                                        "occurred_on": "2026-10-08", "points": 3, "evidence": "表扬信"},
                     as_="lead").json
    drain()
    res = reports.get(f"/api/v1/scores/JRJ-0001/{PERIOD}", as_="auditor").json
    civility = next(i for i in res["items"] if i["code"] == "civility")
    cut = civility["deductions"][0]
    assert (cut["event_id"], cut["recorded_by"], cut["evidence"], cut["amount"]) == (ev["id"], "lead-jrj", "10/20 业主投诉", 4.0)
    assert cut["recorded_at"].startswith(ev["recorded_at"][:19])
    assert res["bonuses"] == [{"event_id": bonus["id"], "code": "owner_praise", "points": 3.0, "evidence": "表扬信"}]
    # S = 100 − 4 = 96, no self-assessment: W = S; T = 96 + 3
    assert (res["supervisor"], res["self"], res["weighted"], res["final"]) == (96.0, None, 96.0, 99.0)
    assert res["position"] == bonus["position"] and res["revision"] == 1 and res["name"] == "张三"


def test_a_correction_is_a_new_revision_and_the_old_one_stays(api, reports, drain):
    first = api.post("/api/v1/events", deduction("JRJ-0002", "attendance", "late"), as_="lead").json
    drain()
    revoke = api.post(f"/api/v1/events/{first['id']}/revoke", {"reason": "考勤机故障"}, as_="supervisor").json
    drain()
    revs = reports.get(f"/api/v1/scores/JRJ-0002/{PERIOD}/history", as_="gm").json["revisions"]
    assert [(r["revision"], r["old_final"], r["new_final"]) for r in revs] == [(1, None, 98.0), (2, 98.0, 100.0)]
    assert set(revs[1]["cause_event_ids"]) == {first["id"], revoke["id"]}
    assert revs[0]["new"]["final"] == 98.0 and revs[1]["old"]["final"] == 98.0
    assert revs[1]["position"] == revoke["position"] and revs[1]["created_at"].endswith("Z")


def test_rankings_show_consequences_and_an_overdue_plan_at_read_time(api, reports, drain):
    api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late", count=3), as_="lead")
    api.post("/api/v1/events", deduction("JRJ-0002", "attendance", "late"), as_="lead")
    api.post(f"/api/v1/periods/JRJ/{PERIOD}/close", as_="manager")
    drain()
    body = reports.get(f"/api/v1/rankings?project=JRJ&period={PERIOD}&department=客服部", as_="supervisor").json
    assert (body["project"], body["period"], body["department"]) == ("JRJ", PERIOD, "客服部")
    rows = {r["employee"]: r for r in body["rows"]}
    assert [(r["employee"], r["rank"], r["rank_of"]) for r in body["rows"]] == \
        [("JRJ-0003", 1, 3), ("JRJ-0002", 2, 3), ("JRJ-0001", 3, 3)]
    assert rows["JRJ-0001"]["consequences"] == ["last_place", "improvement_plan"]
    assert rows["JRJ-0001"]["improvement_status"] == "pending"
    assert rows["JRJ-0003"]["payroll_adjustment"] is None  # a supervisor sees the ranks, not the yuan
    money = reports.get(f"/api/v1/rankings?project=JRJ&period={PERIOD}", as_="manager").json["rows"]
    assert {r["employee"]: r["payroll_adjustment"] for r in money} == \
        {"JRJ-0003": 100.0, "JRJ-0002": 0.0, "JRJ-0001": -100.0}
    with api.db.update() as conn:  # the plan fell due long ago: nothing stored changes, the read says overdue
        this_month = (rankings.c.project == "JRJ") & (rankings.c.period == PERIOD)
        stored = conn.execute(select(rankings.c.rows).where(this_month)).scalar()
        late = [{**r, "improvement_due": "2020-01-01"} if r["improvement_due"] else r for r in stored]
        conn.execute(rankings.update().where(this_month).values(rows=late))
    rows = {r["employee"]: r for r in reports.get(f"/api/v1/rankings?project=JRJ&period={PERIOD}").json["rows"]}
    assert rows["JRJ-0001"]["improvement_status"] == "overdue"
    scores = reports.get(f"/api/v1/scores/JRJ-0001/{PERIOD}").json
    assert (scores["rank"], scores["rank_of"]) == (3, 3)


def test_the_annual_composite_is_read_back(api, reports, drain):
    api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late", day="2026-09-03"), as_="lead")
    api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late", count=2), as_="lead")
    drain()
    body = reports.get("/api/v1/annual/JRJ-0001/2026", as_="employee").json
    # only monthly finals exist: 2026-01..11 (the rubric's first month to today), September 98,
    # October 96, the other nine perfect; their weight takes the whole composite:
    # (9 × 100 + 98 + 96) / 11 = 1094 / 11 = 99.4545… → 99.45
    assert body["months"] == {**{f"2026-{m:02d}": 100.0 for m in range(1, 12)}, "2026-09": 98.0, "2026-10": 96.0}
    assert body["composite"] == 99.45
    assert "weights_redistributed" in body["flags"] and body["stored"] is True
    untouched = reports.get("/api/v1/annual/BSQ-0001/2026").json  # no events at all: eleven perfect months
    assert (untouched["composite"], len(untouched["months"])) == (100.0, 11)
    assert reports.get("/api/v1/annual/JRJ-0001/2025").status_code == 404  # no month of employment in 2025


def test_no_token_or_a_bad_token_is_401(reports):
    for path in (f"/api/v1/scores?project=JRJ&period={PERIOD}", f"/api/v1/scores/JRJ-0001/{PERIOD}",
                 f"/reports/sheet/JRJ-0001/{PERIOD}.html", f"/reports/overview/{PERIOD}.html"):
        assert reports.get(path, as_=None).status_code == 401
        r = reports.get(path, as_="jx_not-a-token")
        assert r.status_code == 401 and r.mimetype == "application/problem+json"


def test_another_project_is_403_and_its_employees_404(reports, drain):
    drain()
    as_ = "other-lead"  # a BSQ lead
    assert reports.get(f"/api/v1/scores?project=JRJ&period={PERIOD}", as_=as_).status_code == 403
    assert reports.get(f"/api/v1/rankings?project=JRJ&period={PERIOD}", as_=as_).status_code == 403
    for path in (f"/api/v1/scores/JRJ-0001/{PERIOD}", f"/api/v1/scores/JRJ-0001/{PERIOD}/history",
                 "/api/v1/annual/JRJ-0001/2026", f"/reports/sheet/JRJ-0001/{PERIOD}.html",
                 f"/reports/audit/JRJ-0001/{PERIOD}.html", f"/api/v1/scores/NOBODY/{PERIOD}"):
        assert reports.get(path, as_=as_).status_code == 404, path
    for path in (f"/reports/department/JRJ/客服部/{PERIOD}.html", "/reports/annual/JRJ/2026.csv",
                 f"/reports/payroll/JRJ/{PERIOD}.csv"):
        assert reports.get(path, as_=as_).status_code == 403, path
    assert reports.get(f"/api/v1/scores/BSQ-0001/{PERIOD}", as_=as_).json["final"] == 100.0


def test_an_employee_reads_only_their_own_records(reports, drain):
    drain()
    own = (f"/api/v1/scores/JRJ-0001/{PERIOD}", f"/api/v1/scores/JRJ-0001/{PERIOD}/history",
           "/api/v1/annual/JRJ-0001/2026", f"/reports/sheet/JRJ-0001/{PERIOD}.html",
           f"/reports/audit/JRJ-0001/{PERIOD}.html")
    for path in own:
        assert reports.get(path, as_="employee").status_code == 200, path
        assert reports.get(path.replace("JRJ-0001", "JRJ-0002"), as_="employee").status_code == 403, path
    for path in (f"/api/v1/scores?project=JRJ&period={PERIOD}", f"/api/v1/rankings?project=JRJ&period={PERIOD}",
                 f"/reports/department/JRJ/客服部/{PERIOD}.html", "/reports/annual/JRJ/2026.html",
                 f"/reports/payroll/JRJ/{PERIOD}.xlsx", f"/reports/overview/{PERIOD}.html"):
        assert reports.get(path, as_="employee").status_code == 403, path


def test_bad_input_is_a_clear_error(reports):
    r = reports.get("/api/v1/scores?project=JRJ&period=2026-13")
    assert r.status_code == 422 and "period" in r.json["errors"]
    assert reports.get("/api/v1/scores?period=2026-10").status_code == 422
    assert reports.get("/api/v1/scores/JRJ-0001/October").status_code == 422
    assert reports.get(f"/api/v1/scores?project=NOPE&period={PERIOD}").status_code == 404
    assert reports.get(f"/reports/sheet/JRJ-0001/{PERIOD}.docx").status_code == 404
    assert reports.get(f"/reports/department/JRJ/没有的部门/{PERIOD}.html").status_code == 404


def test_openapi_documents_every_route(reports):
    paths = reports.get("/openapi.json", as_=None).json["paths"]
    assert {"/api/v1/scores", "/api/v1/scores/{employee_no}/{period}",
            "/api/v1/scores/{employee_no}/{period}/history", "/api/v1/rankings",
            "/api/v1/annual/{employee_no}/{year}", "/reports/sheet/{employee_no}/{period}.{fmt}",
            "/reports/department/{project}/{department}/{period}.{fmt}", "/reports/annual/{project}/{year}.{fmt}",
            "/reports/payroll/{project}/{period}.{fmt}", "/reports/audit/{employee_no}/{period}.{fmt}",
            "/reports/overview/{period}.{fmt}", "/reports/payroll/{project}/{period}/changes.{fmt}"} <= set(paths)
    assert "perfect month" in paths["/api/v1/scores"]["get"]["description"]
