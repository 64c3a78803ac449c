"""The organisation side of the incidents API (SPEC §3, §7.2, §7.3): projects, employees,
transfers and templates, on SQLite and PostgreSQL alike.

Every refused request must leave the event store exactly as it was.
"""

from __future__ import annotations

import copy
from typing import Any

from shared.templates import seed_template_documents
from tests.integration.conftest import assert_problem

PROBLEM = "application/problem+json"
SEED_CODES = {"cs-staff", "cs-online", "cs-supervisor-monthly", "cs-supervisor-standard",
              "cs-deqinnengji", "service-center-director"}




def employee(no: str, project: str = "JRJ", template: str = "cs-staff") -> dict[str, str]:
    return {"employee_no": no, "name": "钱七", "project": project, "department": "客服部",
            "position": "客服专员", "template": template}


def deduction(no: str, on: str, item: str = "civility", rule: str = "rude") -> dict[str, Any]:
    return {"type": "deduction", "employee": no, "item": item, "rule": rule,
            "occurred_on": on, "evidence": "业主投诉服务用语"}


def seed(code: str) -> dict[str, Any]:
    return copy.deepcopy(next(d for d in seed_template_documents() if d["code"] == code))


def small_template(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": "t-small", "name": "小考核表", "effective_from": "2026-01",
        "raters": {"self": 0.15, "supervisor": 0.85},
        "items": [{"code": "civility", "title": "文明用语", "points": 10, "rules": [
            {"code": "rude", "title": "服务用语不文明", "kind": "fixed", "points": 2},
            {"code": "complaint", "title": "有效投诉", "kind": "range", "min": 3, "max": 5}]}],
        "bonuses": [{"code": "commendation", "title": "受到公司表扬", "min": 1, "max": 10}],
    }
    doc.update(changes)
    return doc


# -- projects ----------------------------------------------------------------------------


class TestProjects:
    def test_an_admin_creates_a_project(self, api):
        before = api.event_count()
        r = api.post("/api/v1/projects", {"code": "XHY", "name": "星河湾项目"})
        assert r.status_code == 201, r.get_json()
        assert r.get_json() == {"code": "XHY", "name": "星河湾项目"}
        assert api.event_count() == before + 1
        created = api.get("/api/v1/events?type=project_created&project=XHY").get_json()["results"]
        assert [e["payload"]["name"] for e in created] == ["星河湾项目"]

    def test_a_duplicate_project_code_is_a_conflict_and_writes_nothing(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/projects", {"code": "JRJ", "name": "again"}), 409)
        assert api.event_count() == before

    def test_only_an_admin_creates_projects(self, api):
        before = api.event_count()
        for role in ("gm", "manager", "lead", "auditor", "employee"):
            assert_problem(api.post("/api/v1/projects", {"code": "XHY", "name": "星河湾"}, as_=role), 403)
        assert api.event_count() == before

    def test_a_request_without_a_token_is_unauthorized(self, api):
        r = api.post("/api/v1/projects", {"code": "XHY", "name": "星河湾"}, as_=None)
        assert_problem(r, 401)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")

    def test_a_request_with_an_unknown_token_is_unauthorized(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/projects", {"code": "XHY", "name": "星河湾"}, as_="jx_forged"), 401)
        assert_problem(api.post("/api/v1/projects", {"code": "XHY", "name": "星河湾"},
                                as_=None, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}), 401)
        assert api.event_count() == before

    def test_malformed_json_is_a_bad_request_naming_the_body(self, api):
        before = api.event_count()
        r = api.post("/api/v1/projects", data='{"code": "XHY", ', content_type="application/json")
        assert_problem(r, 400, "body")
        assert api.event_count() == before

    def test_a_missing_name_is_unprocessable_and_names_the_field(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/projects", {"code": "XHY"}), 422, "name")
        assert api.event_count() == before

    def test_a_body_that_is_not_an_object_names_the_body(self, api):
        assert_problem(api.post("/api/v1/projects", ["XHY", "星河湾"]), 422, "body")

    def test_an_unknown_field_is_refused_by_name(self, api):
        assert_problem(api.post("/api/v1/projects", {"code": "XHY", "name": "星河湾", "owner": "x"}),
                       422, "owner")


# -- employees ---------------------------------------------------------------------------


class TestEmployees:
    def test_a_new_hire_has_no_result_before_the_month_of_registration(self, api):
        from services.reports.app import create_app as reports_app
        from tests.conftest import make_runner, settings

        assert api.post("/api/v1/employees", employee("JRJ-0010")).status_code == 201
        make_runner(api.db).drain()
        reports = reports_app(settings(api.db.url), api.db).test_client()
        auth = {"Authorization": f"Bearer {api.tokens['admin']}"}
        october = reports.get("/api/v1/scores?project=JRJ&period=2026-10", headers=auth).get_json()["results"]
        assert "JRJ-0010" not in {r["employee"] for r in october}  # before their first month: no result
        assert reports.get("/api/v1/scores/JRJ-0010/2026-10", headers=auth).status_code == 404
        assert reports.get("/reports/sheet/JRJ-0010/2026-10.html", headers=auth).status_code == 404
        november = reports.get("/api/v1/scores/JRJ-0010/2026-11", headers=auth).get_json()
        assert november["final"] == 100.0  # this month: a perfect month so far
        assert reports.get("/api/v1/annual/JRJ-0010/2026", headers=auth).get_json()["months"] == {"2026-11": 100.0}
        # and an event dated before the start is refused
        before = api.event_count()
        late = {"type": "deduction", "employee": "JRJ-0010", "item": "attendance", "rule": "late",
                "occurred_on": "2026-10-05", "evidence": "迟到"}
        assert_problem(api.post("/api/v1/events", late, as_="lead"), 422, "occurred_on")
        assert api.event_count() == before


    def test_an_admin_registers_an_employee(self, api):
        before = api.event_count()
        r = api.post("/api/v1/employees", employee("JRJ-0010"))
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["employee_no"] == "JRJ-0010"
        assert r.get_json()["effective_from"] == "2026-11"  # registered today (2026-11-20): from this month
        assert r.get_json()["template"] == "cs-staff"
        assert api.event_count() == before + 1
        registered = api.get("/api/v1/events?employee=JRJ-0010").get_json()["results"]
        assert [(e["type"], e["project"]) for e in registered] == [("employee_registered", "JRJ")]

    def test_an_unknown_project_names_the_project(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/employees", employee("XHY-0001", project="XHY")), 422, "project")
        assert api.event_count() == before

    def test_an_unknown_template_names_the_template(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/employees", employee("JRJ-0010", template="no-such")),
                       422, "template")
        assert api.event_count() == before

    def test_a_duplicate_employee_number_is_a_conflict(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/employees", employee("JRJ-0001")), 409)
        # 工号 is unique in the whole group, not only in one project.
        assert_problem(api.post("/api/v1/employees", employee("JRJ-0001", project="BSQ")), 409)
        assert api.event_count() == before

    def test_a_missing_field_is_named(self, api):
        body = employee("JRJ-0010")
        del body["department"]
        assert_problem(api.post("/api/v1/employees", body), 422, "department")

    def test_a_gm_registers_in_their_own_project_only(self, api):
        assert api.post("/api/v1/employees", employee("JRJ-0010"), as_="gm").status_code == 201
        before = api.event_count()
        assert_problem(api.post("/api/v1/employees", employee("BSQ-0010", project="BSQ"), as_="gm"), 403)
        assert api.event_count() == before

    def test_roles_below_gm_cannot_register(self, api):
        before = api.event_count()
        for role in ("manager", "supervisor", "lead", "auditor", "employee"):
            assert_problem(api.post("/api/v1/employees", employee("JRJ-0010"), as_=role), 403)
        assert api.event_count() == before


# -- transfers ---------------------------------------------------------------------------


class TestTransfers:
    def test_a_transfer_moves_the_employee_from_a_month_on(self, api):
        before = api.event_count()
        r = api.post("/api/v1/employees/JRJ-0001/transfer",
                     {"project": "BSQ", "department": "客服部", "effective_from": "2026-03"})
        assert r.status_code == 201, r.get_json()
        assert r.get_json() == {"employee_no": "JRJ-0001", "project": "BSQ", "department": "客服部",
                                "effective_from": "2026-03"}
        assert api.event_count() == before + 1
        moved = api.get("/api/v1/events?employee=JRJ-0001&type=employee_transferred").get_json()["results"]
        assert moved[0]["payload"]["from_project"] == "JRJ"
        assert moved[0]["project"] == "BSQ"

    def test_earlier_months_stay_with_the_old_project(self, api):
        assert api.post("/api/v1/events", deduction("JRJ-0001", "2026-02-10")).status_code == 201
        assert api.post("/api/v1/employees/JRJ-0001/transfer",
                        {"project": "BSQ", "department": "客服部", "effective_from": "2026-03"}).status_code == 201
        assert api.post("/api/v1/events", deduction("JRJ-0001", "2026-03-05")).status_code == 201
        # A correction for February, recorded after the transfer, still belongs to JRJ.
        assert api.post("/api/v1/events", deduction("JRJ-0001", "2026-02-20", rule="passive")).status_code == 201

        found = api.get("/api/v1/events?employee=JRJ-0001&type=deduction").get_json()["results"]
        assert [(e["occurred_on"], e["period"], e["project"]) for e in found] == [
            ("2026-02-10", "2026-02", "JRJ"),
            ("2026-03-05", "2026-03", "BSQ"),
            ("2026-02-20", "2026-02", "JRJ"),
        ]

    def test_after_a_transfer_the_old_projects_lead_may_not_record_the_new_months(self, api):
        api.post("/api/v1/employees/JRJ-0001/transfer",
                 {"project": "BSQ", "department": "客服部", "effective_from": "2026-03"})
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", deduction("JRJ-0001", "2026-03-05"), as_="lead"), 403)
        assert api.event_count() == before
        assert api.post("/api/v1/events", deduction("JRJ-0001", "2026-03-05"), as_="other-lead").status_code == 201
        assert api.post("/api/v1/events", deduction("JRJ-0001", "2026-02-05"), as_="lead").status_code == 201

    def test_a_transfer_must_follow_the_last_assignment(self, api):
        path = "/api/v1/employees/JRJ-0001/transfer"
        assert api.post(path, {"project": "BSQ", "department": "客服部", "effective_from": "2026-05"}).status_code == 201
        before = api.event_count()
        for month in ("2026-05", "2026-04"):
            assert_problem(api.post(path, {"project": "JRJ", "department": "客服部", "effective_from": month}),
                           422, "effective_from")
        assert api.event_count() == before

    def test_a_transfer_to_an_unknown_project_names_the_project(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/employees/JRJ-0001/transfer",
                                {"project": "XHY", "department": "客服部", "effective_from": "2026-03"}),
                       422, "project")
        assert api.event_count() == before

    def test_a_transfer_with_a_bad_month_names_effective_from(self, api):
        assert_problem(api.post("/api/v1/employees/JRJ-0001/transfer",
                                {"project": "BSQ", "department": "客服部", "effective_from": "2026-3"}),
                       422, "effective_from")

    def test_transferring_an_unknown_employee_is_not_found(self, api):
        assert_problem(api.post("/api/v1/employees/JRJ-9999/transfer",
                                {"project": "BSQ", "department": "客服部", "effective_from": "2026-03"}), 404)

    def test_a_gm_of_only_one_side_may_not_transfer(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/employees/JRJ-0001/transfer",
                                {"project": "BSQ", "department": "客服部", "effective_from": "2026-03"},
                                as_="gm"), 403)
        api.token("gm-bsq", "gm", "BSQ")
        assert_problem(api.post("/api/v1/employees/JRJ-0001/transfer",
                                {"project": "BSQ", "department": "客服部", "effective_from": "2026-03"},
                                as_="gm:gm-bsq"), 404)
        assert api.event_count() == before

    def test_a_gm_of_both_projects_may_transfer(self, api):
        api.token("gm-both", "gm", "JRJ", "BSQ")
        r = api.post("/api/v1/employees/JRJ-0001/transfer",
                     {"project": "BSQ", "department": "客服部", "effective_from": "2026-03"}, as_="gm:gm-both")
        assert r.status_code == 201, r.get_json()


# -- templates ---------------------------------------------------------------------------


class TestTemplates:
    def test_the_six_seed_templates_are_listed(self, api):
        r = api.get("/api/v1/templates", as_="lead")
        assert r.status_code == 200
        listed = r.get_json()["results"]
        assert {t["code"] for t in listed} == SEED_CODES
        assert all(t["version"] == 1 for t in listed)
        staff = next(t for t in listed if t["code"] == "cs-staff")
        assert staff["raters"] == {"self": 0.15, "supervisor": 0.85}
        assert len(staff["items"]) == 11

    def test_listing_can_be_narrowed_to_one_code(self, api):
        listed = api.get("/api/v1/templates?code=cs-online").get_json()["results"]
        assert [(t["code"], t["version"]) for t in listed] == [("cs-online", 1)]

    def test_listing_needs_a_token(self, api):
        assert_problem(api.get("/api/v1/templates", as_=None), 401)

    def test_an_admin_publishes_a_new_version(self, api):
        doc = seed("cs-staff")
        doc["effective_from"] = "2026-07"
        before = api.event_count()
        r = api.post("/api/v1/templates", doc)
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["version"] == 2
        assert r.get_json()["effective_from"] == "2026-07"
        assert api.event_count() == before + 1
        listed = api.get("/api/v1/templates?code=cs-staff").get_json()["results"]
        assert [(t["version"], t["effective_from"]) for t in listed] == [(1, "2026-01"), (2, "2026-07")]

    def test_a_new_template_code_starts_at_version_one(self, api):
        r = api.post("/api/v1/templates", small_template())
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["version"] == 1

    def test_an_invalid_template_names_the_field_by_its_dotted_path(self, api):
        doc = small_template()
        doc["items"][0]["rules"][1].update(min=5, max=3)
        before = api.event_count()
        assert_problem(api.post("/api/v1/templates", doc), 422, "items.0.rules.1.min")
        assert api.event_count() == before

    def test_rater_weights_that_do_not_sum_to_one_name_raters(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/templates", small_template(raters={"self": 0.2, "supervisor": 0.7})),
                       422, "raters")
        assert api.event_count() == before

    def test_duplicate_codes_and_negative_points_are_refused(self, api):
        doc = small_template()
        doc["items"].append(copy.deepcopy(doc["items"][0]))
        assert_problem(api.post("/api/v1/templates", doc), 422, "items")
        doc = small_template()
        doc["items"][0]["points"] = -1
        assert_problem(api.post("/api/v1/templates", doc), 422, "items.0.points")
        doc = small_template()
        doc["items"][0]["rules"][0]["kind"] = "guess"
        assert_problem(api.post("/api/v1/templates", doc), 422, "items.0.rules.0.kind")

    def test_a_template_that_is_not_json_is_a_bad_request(self, api):
        r = api.post("/api/v1/templates", data="{items: [", content_type="application/json")
        assert_problem(r, 400, "body")

    def test_only_an_admin_publishes(self, api):
        before = api.event_count()
        for role in ("gm", "manager", "auditor"):
            assert_problem(api.post("/api/v1/templates", small_template(), as_=role), 403)
        assert api.event_count() == before

    def test_a_version_may_not_take_effect_before_the_current_one(self, api):
        doc = seed("cs-staff")
        doc["effective_from"] = "2026-06"
        assert api.post("/api/v1/templates", doc).status_code == 201
        before = api.event_count()
        doc["effective_from"] = "2026-05"
        assert_problem(api.post("/api/v1/templates", doc), 422, "effective_from")
        assert api.event_count() == before

    def test_an_earlier_month_keeps_the_version_that_was_in_force(self, api):
        doc = seed("cs-staff")
        doc["effective_from"] = "2026-06"
        doc["items"] = [i for i in doc["items"] if i["code"] != "focus"]
        assert api.post("/api/v1/templates", doc).status_code == 201

        may = api.post("/api/v1/events", deduction("JRJ-0001", "2026-05-10", item="focus", rule="distracted"))
        assert may.status_code == 201, may.get_json()
        before = api.event_count()
        june = api.post("/api/v1/events", deduction("JRJ-0001", "2026-06-10", item="focus", rule="distracted"))
        assert_problem(june, 422, "item")
        assert api.event_count() == before

        recorded = api.get("/api/v1/events?employee=JRJ-0001&type=deduction").get_json()["results"]
        assert recorded[0]["metadata"]["template_version"] == 1
