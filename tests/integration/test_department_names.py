"""A department whose name holds `/` is addressable by every report route (issue 15, item 10):
the name is the rest of the path up to the period, sent as is or percent-encoded."""

from __future__ import annotations

from urllib.parse import quote

from tests.conftest import make_runner
from tests.integration.test_input_limits import admin, create_app_client

DEPARTMENT = "客服/前台"


def test_a_department_named_with_a_slash_has_its_reports(api):
    for no, name in (("JRJ-0201", "前台甲"), ("JRJ-0202", "前台乙"), ("JRJ-0203", "前台丙")):
        r = api.post("/api/v1/employees", {"employee_no": no, "name": name, "project": "JRJ",
                                           "department": DEPARTMENT, "position": "前台接待", "template": "cs-staff",
                                           "effective_from": "2026-01"})
        assert r.status_code == 201, r.get_json()
    assert api.post("/api/v1/events", {"type": "deduction", "employee": "JRJ-0201", "item": "attendance", "rule": "late",
                                "occurred_on": "2026-10-14", "evidence": "迟到"}, as_="lead").status_code == 201
    make_runner(api.db).drain()
    reports, headers = create_app_client(api), admin(api)
    for path in (f"/reports/department/JRJ/{DEPARTMENT}/2026-10.html",
                 f"/reports/department/JRJ/{quote(DEPARTMENT, safe='')}/2026-10.html"):
        page = reports.get(path, headers=headers)
        assert page.status_code == 200, page.get_data(as_text=True)[:300]
        text = page.get_data(as_text=True)
        assert DEPARTMENT in text and "前台甲" in text and "前台乙" in text and "JRJ-0001" not in text
    for fmt in ("csv", "xlsx", "pdf"):
        assert reports.get(f"/reports/department/JRJ/{DEPARTMENT}/2026-10.{fmt}", headers=headers).status_code == 200
    ranking = reports.get(f"/api/v1/rankings?project=JRJ&period=2026-10&department={quote(DEPARTMENT)}",
                          headers=headers).get_json()
    assert {r["employee"] for r in ranking["rows"]} == {"JRJ-0201", "JRJ-0202", "JRJ-0203"}
    plain = reports.get("/reports/department/JRJ/客服部/2026-10.html", headers=headers)
    assert plain.status_code == 200 and "JRJ-0001" in plain.get_data(as_text=True)
