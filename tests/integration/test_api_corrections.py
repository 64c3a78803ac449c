"""Corrections, closed months, scope and roles, recompute and the service probes (SPEC §1,
§4 "Corrections", §7.2), on SQLite and PostgreSQL alike.

Nothing is edited: a correction is a revocation event plus a new event; a refused request
writes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from tests.integration.conftest import assert_problem

PROBLEM = "application/problem+json"
NIL_ID = "00000000-0000-0000-0000-000000000000"




def deduction(no: str = "JRJ-0001", on: str = "2026-10-14", **changes: Any) -> dict[str, Any]:
    body = {"type": "deduction", "employee": no, "item": "civility", "rule": "rude",
            "occurred_on": on, "evidence": "业主投诉服务用语"}
    body.update(changes)
    return body


def record(api: Any, body: dict[str, Any], as_: str = "lead") -> str:
    r = api.post("/api/v1/events", body, as_=as_)
    assert r.status_code == 201, r.get_json()
    return str(r.get_json()["id"])


def revoke(api: Any, event_id: str, as_: str = "supervisor", reason: str | None = "录入错误") -> Any:
    return api.post(f"/api/v1/events/{event_id}/revoke", {} if reason is None else {"reason": reason}, as_=as_)


def close(api: Any, project: str = "JRJ", period: str = "2026-10", as_: str = "manager") -> Any:
    return api.post(f"/api/v1/periods/{project}/{period}/close", {}, as_=as_)


def events_of(api: Any, query: str) -> list[dict[str, Any]]:
    r = api.get(f"/api/v1/events?{query}")
    assert r.status_code == 200, r.get_json()
    return list(r.get_json()["results"])


# -- revoke -------------------------------------------------------------------------------


class TestRevoke:
    def test_a_supervisor_revokes_an_event_with_a_reason(self, api):
        target = record(api, deduction())
        before = api.event_count()
        r = revoke(api, target)
        assert r.status_code == 201, r.get_json()
        assert {"id", "position", "recorded_at", "hash"} <= r.get_json().keys()
        assert api.event_count() == before + 1
        [revocation] = events_of(api, "type=revocation")
        assert revocation["payload"] == {"event_id": target, "reason": "录入错误", "revoked_type": "deduction"}
        assert (revocation["employee"], revocation["project"], revocation["period"]) == ("JRJ-0001", "JRJ", "2026-10")
        # The revoked event itself is untouched.
        assert [e["id"] for e in events_of(api, "type=deduction")] == [target]

    def test_a_reason_is_mandatory(self, api):
        target = record(api, deduction())
        before = api.event_count()
        assert_problem(revoke(api, target, reason=None), 422, "reason")
        assert_problem(revoke(api, target, reason=""), 422, "reason")
        assert api.event_count() == before

    def test_a_lead_may_not_revoke(self, api):
        target = record(api, deduction())
        before = api.event_count()
        assert_problem(revoke(api, target, as_="lead"), 403)
        assert_problem(revoke(api, target, as_="employee"), 403)
        assert_problem(revoke(api, target, as_="auditor"), 403)
        assert api.event_count() == before

    def test_revoking_a_revoked_event_is_a_conflict(self, api):
        target = record(api, deduction())
        assert revoke(api, target).status_code == 201
        before = api.event_count()
        assert_problem(revoke(api, target, as_="manager", reason="再次撤销"), 409)
        assert api.event_count() == before

    def test_a_revocation_itself_cannot_be_revoked(self, api):
        revocation = revoke(api, record(api, deduction())).get_json()["id"]
        assert_problem(revoke(api, revocation), 422, "event_id")

    def test_a_missing_event_is_not_found(self, api):
        assert_problem(revoke(api, NIL_ID), 404)
        assert_problem(revoke(api, "not-an-id"), 404)

    def test_an_event_outside_the_scope_does_not_exist(self, api):
        target = record(api, deduction())
        api.token("sup-bsq", "supervisor", "BSQ")
        before = api.event_count()
        assert_problem(revoke(api, target, as_="supervisor:sup-bsq"), 404)
        assert revoke(api, target, as_="other-lead").status_code in (403, 404)
        assert api.event_count() == before

    def test_only_incident_events_can_be_revoked(self, api):
        [created] = events_of(api, "type=project_created&project=JRJ")
        before = api.event_count()
        assert_problem(revoke(api, created["id"], as_="manager"), 422, "event_id")
        assert api.event_count() == before

    def test_a_revoke_repeated_with_its_idempotency_key_returns_the_first_result(self, api):
        target = record(api, deduction())
        key = {"Idempotency-Key": "revoke-1"}
        path = f"/api/v1/events/{target}/revoke"
        first = api.post(path, {"reason": "录入错误"}, as_="supervisor", headers=key)
        assert first.status_code == 201
        count = api.event_count()
        again = api.post(path, {"reason": "录入错误"}, as_="supervisor", headers=key)
        assert again.status_code == 200
        assert again.get_json()["id"] == first.get_json()["id"]
        assert api.event_count() == count

    def test_malformed_json_is_a_bad_request(self, api):
        target = record(api, deduction())
        r = api.post(f"/api/v1/events/{target}/revoke", data="{reason", content_type="application/json",
                     as_="supervisor")
        assert_problem(r, 400, "body")


# -- closed months --------------------------------------------------------------------------


class TestClosedMonths:
    def test_a_manager_closes_a_month_and_its_task_can_be_followed(self, api):
        before = api.event_count()
        r = close(api)
        assert r.status_code == 202, r.get_json()
        task_id = r.get_json()["task_id"]
        assert api.event_count() == before + 1
        [closed] = events_of(api, "type=period_closed")
        assert (closed["project"], closed["period"]) == ("JRJ", "2026-10")

        t = api.get(f"/api/v1/tasks/{task_id}", as_="manager")
        assert t.status_code == 200, t.get_json()
        assert t.get_json()["task_id"] == task_id
        assert t.get_json()["state"] in ("PENDING", "STARTED", "SUCCESS")
        assert "progress" in t.get_json()

    def test_a_lead_may_not_record_in_a_closed_month(self, api):
        assert close(api).status_code == 202
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", deduction(), as_="lead"), 409)
        assert_problem(api.post("/api/v1/events", deduction(), as_="supervisor"), 409)
        assert_problem(api.post("/api/v1/events/batch", {"events": [deduction(on="2026-11-02"), deduction()]},
                                as_="lead"), 409)
        assert api.event_count() == before
        # Other months and other projects stay open.
        record(api, deduction(on="2026-11-02"))
        record(api, deduction("BSQ-0001"), as_="other-lead")

    def test_a_supervisor_may_not_revoke_in_a_closed_month(self, api):
        target = record(api, deduction())
        assert close(api).status_code == 202
        before = api.event_count()
        assert_problem(revoke(api, target), 409)
        assert api.event_count() == before
        assert revoke(api, target, as_="manager").status_code == 201

    def test_a_manager_and_above_still_correct_a_closed_month(self, api):
        assert close(api).status_code == 202
        for role in ("manager", "gm", "admin"):
            record(api, deduction(), as_=role)
        assert len(events_of(api, "type=deduction&period=2026-10")) == 3

    def test_plans_and_appeals_stay_open_after_the_close(self, api):
        # SPEC §5: the improvement plan is due days *after* the month is closed; appeals answer
        # the published result until the employee signs (the order of the sign-off itself is
        # tested in test_signoff.py). None of them changes a score.
        target = record(api, deduction())
        assert close(api).status_code == 202
        period = {"employee": "JRJ-0001", "period": "2026-10"}
        for body, role in (
            ({"type": "improvement_plan", **period, "plan": "每周自查服务用语"}, "employee"),
            ({"type": "improvement_plan", **period, "plan": "主管跟进整改"}, "supervisor"),
            ({"type": "appeal", "employee": "JRJ-0001", "event_id": target, "reason": "当日休假"}, "employee"),
        ):
            r = api.post("/api/v1/events", body, as_=role)
            assert r.status_code == 201, (body["type"], role, r.get_json())

    def test_the_employee_may_self_assess_a_closed_month_until_the_managers_review(self, api):
        # SPEC §4.9: a self-assessment is accepted until the manager's review, which needs the close.
        assert close(api).status_code == 202
        scores = {code: 5 for code in ("civility", "patience", "teamwork", "duty_records", "image", "criticism",
                                       "vigilance", "attendance", "learning", "focus", "obedience")}
        body = {"type": "self_assessment", "employee": "JRJ-0001", "period": "2026-10", "scores": scores}
        assert api.post("/api/v1/events", body, as_="employee").status_code == 201
        assert api.post("/api/v1/events", {"type": "review", "employee": "JRJ-0001", "period": "2026-10",
                                           "stage": "manager"}, as_="manager").status_code == 201
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", body, as_="employee"), 409)
        assert api.event_count() == before

    def test_a_future_month_cannot_be_closed(self, api):
        before = api.event_count()
        assert_problem(close(api, period="2030-01"), 422, "period")
        assert_problem(close(api, period="2026-13"), 422, "period")
        assert api.event_count() == before

    def test_a_lead_or_supervisor_may_not_close(self, api):
        before = api.event_count()
        for role in ("lead", "supervisor", "auditor", "employee"):
            assert_problem(close(api, as_=role), 403)
        assert api.event_count() == before

    def test_another_projects_month_does_not_exist_for_a_manager(self, api):
        before = api.event_count()
        assert_problem(close(api, project="BSQ"), 404)
        assert_problem(close(api, project="XHY", as_="admin"), 404)
        assert api.event_count() == before

    def test_closing_twice_closes_once(self, api):
        first, second = close(api), close(api, as_="gm")
        assert (first.status_code, second.status_code) == (202, 202)
        assert len(events_of(api, "type=period_closed")) == 1

    def test_a_task_is_visible_only_in_scope(self, api):
        task_id = close(api).get_json()["task_id"]
        assert api.get(f"/api/v1/tasks/{task_id}", as_="auditor").status_code == 200
        assert_problem(api.get(f"/api/v1/tasks/{task_id}", as_="other-lead"), 404)
        assert_problem(api.get(f"/api/v1/tasks/{NIL_ID}", as_="manager"), 404)


# -- scope and roles ----------------------------------------------------------------------------


class TestScopeAndRoles:
    def test_a_lead_of_another_project_may_not_record(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", deduction(), as_="other-lead"), 403)
        assert api.event_count() == before

    def test_an_employee_acts_only_on_themself(self, api):
        before = api.event_count()
        body = {"type": "self_assessment", "employee": "JRJ-0002", "period": "2026-10",
                "scores": {"civility": 9}}
        assert_problem(api.post("/api/v1/events", body, as_="employee"), 403)
        ack = {"type": "acknowledgement", "employee": "JRJ-0002", "period": "2026-10"}
        assert_problem(api.post("/api/v1/events", ack, as_="employee"), 403)
        assert api.event_count() == before

    def test_an_employee_may_not_record_a_deduction_or_bonus(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", deduction(), as_="employee"), 403)
        bonus = {"type": "bonus", "employee": "JRJ-0001", "bonus": "commendation",
                 "occurred_on": "2026-10-08", "points": 10, "evidence": "自己表扬自己"}
        assert_problem(api.post("/api/v1/events", bonus, as_="employee"), 403)
        assert api.event_count() == before

    def test_a_lead_may_not_self_assess_for_an_employee(self, api):
        body = {"type": "self_assessment", "employee": "JRJ-0001", "period": "2026-10",
                "scores": {"civility": 9}}
        assert_problem(api.post("/api/v1/events", body, as_="lead"), 403)

    def test_an_auditor_reads_but_writes_nothing(self, api):
        record(api, deduction())
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", deduction(), as_="auditor"), 403)
        assert_problem(api.post("/api/v1/events/batch", {"events": [deduction()]}, as_="auditor"), 403)
        assert api.event_count() == before
        r = api.get("/api/v1/events?type=deduction", as_="auditor")
        assert r.status_code == 200
        assert len(r.get_json()["results"]) == 1

    def test_every_incidents_endpoint_needs_a_valid_token(self, api, subtests):
        before = api.event_count()
        for method, path in INCIDENT_PATHS:
            concrete = path.format(*(["JRJ-0001"] if "employees" in path else ["JRJ", "2026-10"]))
            for token in (None, "jx_forged"):
                with subtests.test(f"{method.upper()} {path}", token=token):
                    r = getattr(api, method)(concrete, **({} if method == "get" else {"json": {}}), as_=token)
                    assert_problem(r, 401)
        assert api.event_count() == before

    def test_a_revoked_token_is_unauthorized(self, api):
        from shared.tables import tokens

        with api.db.write() as conn:
            conn.execute(tokens.update().where(tokens.c.user == "lead-jrj").values(revoked=True))
        assert_problem(api.post("/api/v1/events", deduction(), as_="lead"), 401)


# -- recompute --------------------------------------------------------------------------------


class TestRecompute:
    def test_a_manager_requests_a_recompute(self, api):
        r = api.post("/api/v1/recompute", {"period": "2026-10"}, as_="manager")
        assert r.status_code == 202, r.get_json()
        t = api.get(f"/api/v1/tasks/{r.get_json()['task_id']}", as_="manager").get_json()
        assert t["kind"] == "recompute"
        assert t["args"] == {"period": "2026-10", "projects": ["JRJ"]}

    def test_a_lead_may_not_request_a_recompute(self, api):
        assert_problem(api.post("/api/v1/recompute", {"period": "2026-10"}, as_="lead"), 403)

    def test_a_recompute_outside_the_scope_does_not_exist(self, api):
        assert_problem(api.post("/api/v1/recompute", {"period": "2026-10", "project": "BSQ"}, as_="manager"), 404)

    def test_a_recompute_needs_a_valid_past_period(self, api):
        assert_problem(api.post("/api/v1/recompute", {}, as_="manager"), 422, "period")
        assert_problem(api.post("/api/v1/recompute", {"period": "2026-10-01"}, as_="manager"), 422, "period")
        assert_problem(api.post("/api/v1/recompute", {"period": "2030-01"}, as_="manager"), 422, "period")


# -- contract and probes ---------------------------------------------------------------------

INCIDENT_PATHS = [
    ("post", "/api/v1/projects"),
    ("post", "/api/v1/employees"),
    ("post", "/api/v1/employees/{}/transfer"),
    ("get", "/api/v1/templates"),
    ("post", "/api/v1/templates"),
    ("post", "/api/v1/events"),
    ("post", "/api/v1/events/batch"),
    ("get", "/api/v1/events"),
    ("post", "/api/v1/events/{}/revoke"),
    ("post", "/api/v1/periods/{}/{}/close"),
    ("post", "/api/v1/recompute"),
    ("get", "/api/v1/tasks/{}"),
]


class TestContractAndProbes:
    def test_openapi_lists_every_incidents_path_of_the_spec(self, api):
        r = api.get("/openapi.json", as_=None)
        assert r.status_code == 200
        paths = {re.sub(r"\{[^}]+\}", "{}", path): ops for path, ops in r.get_json()["paths"].items()}
        missing = [(m, p) for m, p in INCIDENT_PATHS if m not in paths.get(p, {})]
        assert missing == []

    def test_healthz_answers_without_a_token(self, api):
        r = api.get("/healthz", as_=None)
        assert r.status_code == 200
        assert r.get_json()["status"] == "ok"

    def test_readyz_checks_the_database(self, api):
        r = api.get("/readyz", as_=None)
        assert r.status_code == 200
        assert r.get_json()["checks"]["database"] is True

    def test_an_unknown_path_or_method_is_a_problem(self, api):
        assert_problem(api.get("/api/v1/nowhere"), 404)
        assert_problem(api.client.delete("/api/v1/events"), 405)
