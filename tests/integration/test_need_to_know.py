"""Need to know (SPEC §1): who reads which record, for every role and every document.

Leads and supervisors read the staff list and the monthly sheets of their projects; payroll,
the annual sheets, the overview and the money columns are for managers, gms, auditors and
admins; an employee reads their own records; nobody reads outside their projects.
"""

from __future__ import annotations

import pytest

from services.reports.app import create_app as reports_app
from tests.conftest import make_runner, settings

P = "2026-10"
OWN, OTHER = "JRJ-0001", "JRJ-0002"
DOCUMENTS = {
    "staff list": f"/api/v1/scores?project=JRJ&period={P}",
    "own score": f"/api/v1/scores/{OWN}/{P}",
    "colleague's score": f"/api/v1/scores/{OTHER}/{P}",
    "colleague's history": f"/api/v1/scores/{OTHER}/{P}/history",
    "colleague's sheet": f"/reports/sheet/{OTHER}/{P}.html",
    "colleague's sheet xlsx": f"/reports/sheet/{OTHER}/{P}.xlsx",
    "colleague's audit": f"/reports/audit/{OTHER}/{P}.html",
    "rankings": f"/api/v1/rankings?project=JRJ&period={P}",
    "department sheet": f"/reports/department/JRJ/客服部/{P}.html",
    "colleague's annual": f"/api/v1/annual/{OTHER}/2026",
    "own annual": f"/api/v1/annual/{OWN}/2026",
    "annual sheet": "/reports/annual/JRJ/2026.html",
    "payroll": f"/reports/payroll/JRJ/{P}.csv",
    "payroll changes": f"/reports/payroll/JRJ/{P}/changes.html",
    "overview": f"/reports/overview/{P}.html",
}
OK, NO, HIDDEN = 200, 403, 404
# role → document → status (HIDDEN: the person's existence is not told outside the scope)
MATRIX = {
    "employee": {"staff list": NO, "own score": OK, "colleague's score": NO, "colleague's history": NO,
                 "colleague's sheet": NO, "colleague's sheet xlsx": NO, "colleague's audit": NO, "rankings": NO,
                 "department sheet": NO, "colleague's annual": NO, "own annual": OK, "annual sheet": NO,
                 "payroll": NO, "payroll changes": NO, "overview": NO},
    **{role: {"staff list": OK, "own score": OK, "colleague's score": OK, "colleague's history": OK,
              "colleague's sheet": OK, "colleague's sheet xlsx": OK, "colleague's audit": OK, "rankings": OK,
              "department sheet": OK, "colleague's annual": NO, "own annual": NO, "annual sheet": NO,
              "payroll": NO, "payroll changes": NO, "overview": NO} for role in ("lead", "supervisor")},
    **{role: dict.fromkeys(DOCUMENTS, OK) for role in ("manager", "gm", "auditor", "admin")},
    "other-lead": {"staff list": NO, "own score": HIDDEN, "colleague's score": HIDDEN,
                   "colleague's history": HIDDEN, "colleague's sheet": HIDDEN, "colleague's sheet xlsx": HIDDEN,
                   "colleague's audit": HIDDEN, "rankings": NO, "department sheet": NO,
                   "colleague's annual": HIDDEN, "own annual": HIDDEN, "annual sheet": NO, "payroll": NO,
                   "payroll changes": NO, "overview": NO},
}


@pytest.fixture
def reports(api):
    for no, count in ((OWN, 3), (OTHER, 1)):  # OWN last: the last place's 末位扣100元 is money
        api.post("/api/v1/events", {"type": "deduction", "employee": no, "item": "attendance", "rule": "late",
                                    "count": count, "occurred_on": "2026-10-14", "evidence": "迟到"}, as_="lead")
    api.post(f"/api/v1/periods/JRJ/{P}/close", as_="manager")
    make_runner(api.db).drain()
    client = reports_app(settings(api.db.url), api.db).test_client()
    return lambda path, role: client.get(path, headers={"Authorization": f"Bearer {api.tokens[role]}"})


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_each_role_reads_what_it_needs_to_know_and_nothing_more(reports, role):
    seen = {what: reports(path, role).status_code for what, path in DOCUMENTS.items()}
    assert seen == MATRIX[role]


@pytest.mark.parametrize("role", ["lead", "supervisor"])
def test_leads_and_supervisors_see_ranks_but_not_the_yuan(reports, role):
    rows = reports(DOCUMENTS["rankings"], role).get_json()["rows"]
    assert rows and all(r["payroll_adjustment"] is None for r in rows)
    page = reports(DOCUMENTS["department sheet"], role).get_data(as_text=True)
    assert "末位" in page and "扣100元" not in page and "奖励100元" not in page
    money = reports(DOCUMENTS["department sheet"], "manager").get_data(as_text=True)
    assert "末位扣100元" in money
