"""Recording incidents over HTTP (SPEC §7.2, §7.4), on SQLite and PostgreSQL alike.

Every event type is checked against the employee's rubric for that month; every refused
request is problem+json naming the field, and leaves the event store unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import make_runner
from tests.integration.conftest import assert_problem

PROBLEM = "application/problem+json"

# cs-staff (seed 001): item → standard points.
CS_STAFF_POINTS = {"civility": 10, "patience": 10, "teamwork": 10, "duty_records": 10, "image": 10,
                   "criticism": 5, "vigilance": 10, "attendance": 10, "learning": 5, "focus": 10,
                   "obedience": 10}




def assert_appended(resp: Any, status: int = 201) -> dict[str, Any]:
    body = resp.get_json()
    assert resp.status_code == status, body
    assert {"id", "position", "recorded_at", "hash"} <= body.keys()
    assert body["position"] >= 1
    assert len(body["hash"]) == 64
    return body


def deduction(no: str = "JRJ-0001", **changes: Any) -> dict[str, Any]:
    body = {"type": "deduction", "employee": no, "item": "civility", "rule": "rude",
            "occurred_on": "2026-10-14", "count": 2, "evidence": "10/14 业主投诉服务用语",
            "source": "投诉记录"}
    body.update(changes)
    return body


def bonus(no: str = "JRJ-0001", **changes: Any) -> dict[str, Any]:
    body = {"type": "bonus", "employee": no, "bonus": "commendation", "occurred_on": "2026-10-08",
            "points": 5, "evidence": "业主书面表扬"}
    body.update(changes)
    return body


def self_assessment(no: str = "JRJ-0001", **scores: Any) -> dict[str, Any]:
    return {"type": "self_assessment", "employee": no, "period": "2026-10",
            "scores": {**{code: points - 1 for code, points in CS_STAFF_POINTS.items()}, **scores},
            "analysis": "自评分影响因素分析:本月有一次投诉"}


def metric(no: str = "JRJ-0100", **changes: Any) -> dict[str, Any]:
    body = {"type": "metric", "employee": no, "item": "task_plan", "rule": "plan_rate",
            "period": "2026-10", "value": 96.5}
    body.update(changes)
    return body


def events_of(api: Any, query: str, as_: str = "admin") -> list[dict[str, Any]]:
    r = api.get(f"/api/v1/events?{query}", as_=as_)
    assert r.status_code == 200, r.get_json()
    return list(r.get_json()["results"])


@pytest.fixture
def supervisor_on_standard(api: Any) -> str:
    """JRJ-0100 on cs-supervisor-standard (seed 000): supervisor-only rating, metric rules."""
    r = api.post("/api/v1/employees", {"employee_no": "JRJ-0100", "name": "孙八", "project": "JRJ",
                                       "department": "客服部", "position": "客服主管",
                                       "template": "cs-supervisor-standard", "effective_from": "2026-01"})
    assert r.status_code == 201, r.get_json()
    return "JRJ-0100"


# -- every event type of SPEC §7.4 --------------------------------------------------------


class TestEveryEventType:
    def test_a_lead_records_a_fixed_deduction_with_a_count(self, api):
        before = api.event_count()
        out = assert_appended(api.post("/api/v1/events", deduction(), as_="lead"))
        assert api.event_count() == before + 1
        [stored] = events_of(api, "type=deduction")
        assert stored["id"] == out["id"]
        assert (stored["employee"], stored["project"], stored["period"]) == ("JRJ-0001", "JRJ", "2026-10")
        assert stored["payload"]["count"] == 2
        assert stored["metadata"]["actor"] == "lead-jrj"
        assert stored["metadata"]["template"] == "cs-staff"

    def test_the_count_of_a_deduction_defaults_to_one(self, api):
        body = deduction()
        del body["count"]
        assert_appended(api.post("/api/v1/events", body, as_="lead"))
        assert events_of(api, "type=deduction")[0]["payload"]["count"] == 1

    def test_a_range_deduction_states_its_points(self, api):
        assert_appended(api.post("/api/v1/events", deduction(rule="complaint", points=4, count=1), as_="lead"))
        assert float(events_of(api, "type=deduction")[0]["payload"]["points"]) == 4

    def test_a_fixed_deduction_may_repeat_the_rules_own_points(self, api):
        assert_appended(api.post("/api/v1/events", deduction(points=2), as_="lead"))

    def test_a_supervisor_reports_a_metric(self, api, supervisor_on_standard):
        out = assert_appended(api.post("/api/v1/events", metric(), as_="supervisor"))
        [stored] = events_of(api, "type=metric")
        assert stored["id"] == out["id"]
        assert stored["period"] == "2026-10"
        assert float(stored["payload"]["value"]) == 96.5

    def test_a_lead_records_a_bonus(self, api):
        assert_appended(api.post("/api/v1/events", bonus(), as_="lead"))
        assert [e["type"] for e in events_of(api, "employee=JRJ-0001&period=2026-10")] == ["bonus"]

    def test_an_employee_self_assesses_every_item(self, api):
        out = assert_appended(api.post("/api/v1/events", self_assessment(), as_="employee"))
        [stored] = events_of(api, "type=self_assessment")
        assert stored["id"] == out["id"]
        assert set(stored["payload"]["scores"]) == set(CS_STAFF_POINTS)
        assert stored["metadata"]["actor"] == "JRJ-0001"

    def test_a_manager_and_a_gm_review_the_sheet(self, api):
        assert api.post("/api/v1/periods/JRJ/2026-10/close", as_="manager").status_code == 202
        review = {"type": "review", "employee": "JRJ-0001", "period": "2026-10", "comment": "同意"}
        assert_appended(api.post("/api/v1/events", {**review, "stage": "manager"}, as_="manager"))
        assert_appended(api.post("/api/v1/events", {**review, "stage": "gm"}, as_="gm"))
        stages = [e["payload"]["stage"] for e in events_of(api, "type=review")]
        assert stages == ["manager", "gm"]

    def test_only_a_gm_records_the_gm_review(self, api):
        before = api.event_count()
        review = {"type": "review", "employee": "JRJ-0001", "period": "2026-10", "stage": "gm"}
        assert_problem(api.post("/api/v1/events", review, as_="manager"), 403)
        assert_problem(api.post("/api/v1/events", {**review, "stage": "manager"}, as_="supervisor"), 403)
        assert api.event_count() == before

    def test_an_employee_acknowledges_their_sheet(self, api):
        assert api.post("/api/v1/periods/JRJ/2026-10/close", as_="manager").status_code == 202
        make_runner(api.db).drain()  # the score is published: the signature covers it
        review = {"type": "review", "employee": "JRJ-0001", "period": "2026-10"}
        assert_appended(api.post("/api/v1/events", {**review, "stage": "manager"}, as_="manager"))
        assert_appended(api.post("/api/v1/events", {**review, "stage": "gm"}, as_="gm"))
        body = {"type": "acknowledgement", "employee": "JRJ-0001", "period": "2026-10", "comment": "已阅"}
        assert_appended(api.post("/api/v1/events", body, as_="employee"))
        [signed] = events_of(api, "type=acknowledgement")
        assert signed["payload"]["covers"]["final"] == 100.0  # what the signature covers

    def test_an_employee_files_an_improvement_plan(self, api):
        body = {"type": "improvement_plan", "employee": "JRJ-0001", "period": "2026-10",
                "plan": "加强服务用语培训,每周自查"}
        assert_appended(api.post("/api/v1/events", body, as_="employee"))

    def test_an_employee_appeals_a_deduction(self, api):
        target = assert_appended(api.post("/api/v1/events", deduction(), as_="lead"))
        body = {"type": "appeal", "employee": "JRJ-0001", "event_id": target["id"], "reason": "当日不在岗"}
        assert_appended(api.post("/api/v1/events", body, as_="employee"))
        [appeal] = events_of(api, "type=appeal")
        assert appeal["period"] == "2026-10"
        assert appeal["payload"]["event_id"] == target["id"]

    def test_an_appeal_must_name_an_appealable_event_of_that_employee(self, api):
        other = assert_appended(api.post("/api/v1/events", deduction("JRJ-0002"), as_="lead"))
        plan = assert_appended(api.post("/api/v1/events", {"type": "improvement_plan", "employee": "JRJ-0001",
                                                           "period": "2026-10", "plan": "整改"}, as_="employee"))
        before = api.event_count()
        for event_id in (other["id"], plan["id"], "00000000-0000-0000-0000-000000000000"):
            body = {"type": "appeal", "employee": "JRJ-0001", "event_id": event_id, "reason": "不服"}
            assert_problem(api.post("/api/v1/events", body, as_="employee"), 422, "event_id")
        assert api.event_count() == before


# -- bad input: 400/422 naming the field, nothing written -----------------------------------

BAD_EVENTS: list[tuple[str, Any, str, int, str]] = [
    # (what, body, role, status, field)
    ("unknown employee", deduction("JRJ-9999"), "lead", 422, "employee"),
    ("unknown item", deduction(item="smile"), "lead", 422, "item"),
    ("unknown rule", deduction(rule="frown"), "lead", 422, "rule"),
    ("unknown bonus", bonus(bonus="lottery"), "lead", 422, "bonus"),
    ("range points above max", deduction(rule="complaint", points=6), "lead", 422, "points"),
    ("range points below min", deduction(rule="complaint", points=2), "lead", 422, "points"),
    ("range points missing", deduction(rule="complaint"), "lead", 422, "points"),
    ("fixed rule with other points", deduction(points=3), "lead", 422, "points"),
    ("bonus above its range", bonus(points=11), "lead", 422, "points"),
    ("bonus below its range", bonus(points=0), "lead", 422, "points"),
    ("a date that is not a date", deduction(occurred_on="2026-02-30"), "lead", 422, "occurred_on"),
    ("a date in words", deduction(occurred_on="yesterday"), "lead", 422, "occurred_on"),
    ("a date before any template", deduction(occurred_on="2025-12-31"), "lead", 422, "occurred_on"),
    ("count zero", deduction(count=0), "lead", 422, "count"),
    ("count negative", deduction(count=-1), "lead", 422, "count"),
    ("count fractional", deduction(count=1.5), "lead", 422, "count"),
    ("evidence missing", {k: v for k, v in deduction().items() if k != "evidence"}, "lead", 422, "evidence"),
    ("evidence empty", deduction(evidence=""), "lead", 422, "evidence"),
    ("a score above the item's points", self_assessment(civility=11), "employee", 422, "scores.civility"),
    ("a negative score", self_assessment(focus=-1), "employee", 422, "scores.focus"),
    ("an item left out", {**self_assessment(), "scores": {"civility": 9}}, "employee", 422, "scores.focus"),
    ("an unknown item scored", self_assessment(smile=5), "employee", 422, "scores.smile"),
    ("a non-numeric metric", metric(value="九十六"), "supervisor", 422, "value"),
    ("a metric for a fixed rule", metric(item="records", rule="nonconformity"), "supervisor", 422, "rule"),
    ("a deduction on a metric rule", deduction("JRJ-0100", item="task_plan", rule="plan_rate"),
     "supervisor", 422, "rule"),
    ("a bad metric period", metric(period="2026-13"), "supervisor", 422, "period"),
    ("self-assessment without a self rater",
     {"type": "self_assessment", "employee": "JRJ-0100", "period": "2026-10", "scores": {}}, "admin", 422, "type"),
    ("an unknown type", {"type": "praise", "employee": "JRJ-0001"}, "lead", 422, "type"),
    ("no type", {"employee": "JRJ-0001", "item": "civility"}, "lead", 422, "type"),
    ("an unknown review stage", {"type": "review", "employee": "JRJ-0001", "period": "2026-10",
                                 "stage": "ceo"}, "manager", 422, "stage"),
    ("an unknown field", deduction(colour="red"), "lead", 422, "colour"),
    ("a negative expected version", deduction(expected_version=-1), "lead", 422, "expected_version"),
    ("a body that is not an object", [deduction()], "lead", 422, "body"),
]


class TestBadInput:
    def test_each_bad_event_names_its_field_and_writes_nothing(self, api, supervisor_on_standard, subtests):
        before = api.event_count()
        for what, body, role, status, field in BAD_EVENTS:
            with subtests.test(what):
                assert_problem(api.post("/api/v1/events", body, as_=role), status, field)
                assert api.event_count() == before

    def test_a_non_numeric_score_names_its_item(self, api):
        before = api.event_count()
        body = assert_problem(api.post("/api/v1/events", self_assessment(civility="九"), as_="employee"), 422)
        assert any(k.startswith("scores.civility") for k in body["errors"]), body
        assert api.event_count() == before

    def test_malformed_json_is_a_bad_request_naming_the_body(self, api):
        before = api.event_count()
        r = api.post("/api/v1/events", data='{"type": "deduction", ', content_type="application/json",
                     as_="lead")
        assert_problem(r, 400, "body")
        assert api.event_count() == before

    def test_a_request_without_a_token_is_unauthorized_and_writes_nothing(self, api):
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", deduction(), as_=None), 401)
        assert_problem(api.post("/api/v1/events", deduction(), as_="jx_not-a-token"), 401)
        assert_problem(api.post("/api/v1/events/batch", {"events": [deduction()]}, as_=None), 401)
        assert_problem(api.get("/api/v1/events", as_=None), 401)
        assert api.event_count() == before


# -- Idempotency-Key -----------------------------------------------------------------------


class TestIdempotency:
    def test_a_repeat_with_the_same_key_and_body_returns_the_first_result(self, api):
        key = {"Idempotency-Key": "lead-jrj-2026-10-14-001"}
        first = assert_appended(api.post("/api/v1/events", deduction(), as_="lead", headers=key))
        count = api.event_count()
        again = assert_appended(api.post("/api/v1/events", deduction(), as_="lead", headers=key), status=200)
        assert (again["id"], again["position"], again["hash"]) == (first["id"], first["position"], first["hash"])
        assert api.event_count() == count

    def test_the_same_key_with_a_different_body_is_refused(self, api):
        key = {"Idempotency-Key": "k-1"}
        assert_appended(api.post("/api/v1/events", deduction(), as_="lead", headers=key))
        count = api.event_count()
        r = api.post("/api/v1/events", deduction(count=3), as_="lead", headers=key)
        assert r.status_code in (409, 422), r.get_json()
        assert_problem(r, r.status_code, "Idempotency-Key")
        assert api.event_count() == count

    def test_a_key_reused_by_another_user_does_not_reveal_the_first_result(self, api):
        key = {"Idempotency-Key": "k-2"}
        body = deduction("BSQ-0001")
        assert_appended(api.post("/api/v1/events", body, as_="admin", headers=key))
        count = api.event_count()
        r = api.post("/api/v1/events", body, as_="lead", headers=key)
        assert r.status_code in (403, 404, 409, 422), r.get_json()
        assert_problem(r, r.status_code)
        assert api.event_count() == count

    def test_a_failed_request_does_not_use_up_its_key(self, api):
        key = {"Idempotency-Key": "k-3"}
        assert_problem(api.post("/api/v1/events", deduction(item="smile"), as_="lead", headers=key), 422, "item")
        assert_appended(api.post("/api/v1/events", deduction(), as_="lead", headers=key))

    def test_an_overlong_key_is_refused_by_name(self, api):
        r = api.post("/api/v1/events", deduction(), as_="lead", headers={"Idempotency-Key": "k" * 201})
        assert_problem(r, 422, "Idempotency-Key")

    def test_a_repeated_batch_returns_the_first_results(self, api):
        key = {"Idempotency-Key": "batch-1"}
        batch = {"events": [deduction(), bonus()]}
        first = api.post("/api/v1/events/batch", batch, as_="lead", headers=key)
        assert first.status_code == 201, first.get_json()
        count = api.event_count()
        again = api.post("/api/v1/events/batch", batch, as_="lead", headers=key)
        assert again.status_code == 200, again.get_json()
        assert again.get_json() == first.get_json()
        assert api.event_count() == count

    def test_a_batch_key_reused_with_a_different_body_is_refused(self, api):
        key = {"Idempotency-Key": "batch-2"}
        assert api.post("/api/v1/events/batch", {"events": [deduction(), bonus()]}, as_="lead",
                        headers=key).status_code == 201
        count = api.event_count()
        for other in ({"events": [deduction()]}, {"events": [bonus(), deduction()]}):
            r = api.post("/api/v1/events/batch", other, as_="lead", headers=key)
            assert r.status_code in (409, 422), r.get_json()
            assert_problem(r, r.status_code, "Idempotency-Key")
        r = api.post("/api/v1/events", deduction(), as_="lead", headers=key)
        assert r.status_code in (409, 422), r.get_json()
        assert_problem(r, r.status_code, "Idempotency-Key")
        assert api.event_count() == count


# -- batches -------------------------------------------------------------------------------


class TestBatch:
    def test_a_batch_is_recorded_in_order(self, api):
        before = api.event_count()
        batch = [deduction(), deduction("JRJ-0002", rule="complaint", points=3, count=1), bonus("JRJ-0003")]
        r = api.post("/api/v1/events/batch", {"events": batch}, as_="lead")
        assert r.status_code == 201, r.get_json()
        results = r.get_json()["events"]
        assert len(results) == 3
        assert [e["position"] for e in results] == list(range(before + 1, before + 4))
        stored = events_of(api, f"after={before}")
        assert [(e["id"], e["employee"], e["type"]) for e in stored] == [
            (results[0]["id"], "JRJ-0001", "deduction"),
            (results[1]["id"], "JRJ-0002", "deduction"),
            (results[2]["id"], "JRJ-0003", "bonus"),
        ]

    def test_one_bad_event_rejects_the_whole_batch(self, api):
        before = api.event_count()
        batch = [deduction(), deduction("JRJ-0002", item="smile"), bonus("JRJ-0003")]
        body = assert_problem(api.post("/api/v1/events/batch", {"events": batch}, as_="lead"), 422, "events.1.item")
        assert not any(k.startswith(("events.0", "events.2")) for k in body["errors"])
        assert api.event_count() == before

    def test_every_bad_event_of_a_batch_is_named(self, api):
        batch = [deduction(count=0), deduction(), bonus(points=99), "not an event"]
        body = assert_problem(api.post("/api/v1/events/batch", {"events": batch}, as_="lead"), 422)
        assert {"events.0.count", "events.2.points", "events.3.body"} <= body["errors"].keys()

    def test_an_out_of_scope_event_rejects_the_whole_batch(self, api):
        before = api.event_count()
        batch = [deduction(), deduction("BSQ-0001")]
        assert_problem(api.post("/api/v1/events/batch", {"events": batch}, as_="lead"), 403)
        assert api.event_count() == before

    def test_a_batch_of_a_thousand_events_is_one_transaction(self, api):
        before = api.event_count()
        batch = [deduction(f"JRJ-000{1 + i % 3}", occurred_on=f"2026-10-{1 + i % 28:02d}", count=1)
                 for i in range(1000)]
        r = api.post("/api/v1/events/batch", {"events": batch}, as_="lead")
        assert r.status_code == 201, r.get_json()
        assert len(r.get_json()["events"]) == 1000
        assert api.event_count() == before + 1000

    def test_more_than_a_thousand_events_are_refused(self, api):
        before = api.event_count()
        r = api.post("/api/v1/events/batch", {"events": [deduction()] * 1001}, as_="lead")
        assert_problem(r, 422, "events")
        assert api.event_count() == before

    def test_an_empty_or_missing_list_is_refused(self, api):
        bodies: list[Any] = [{"events": []}, {}, {"events": deduction()}, [deduction()]]
        for body in bodies:
            assert_problem(api.post("/api/v1/events/batch", body, as_="lead"), 422, "events")

    def test_a_malformed_batch_is_a_bad_request(self, api):
        r = api.post("/api/v1/events/batch", data='{"events": [', content_type="application/json", as_="lead")
        assert_problem(r, 400, "body")


# -- reading events ------------------------------------------------------------------------


@pytest.fixture
def some_events(api: Any) -> int:
    """Five incidents after the org events; returns the position before them."""
    before = api.event_count()
    for body in (deduction(occurred_on="2026-09-30"), deduction(), bonus(), deduction("JRJ-0002"),
                 deduction("BSQ-0001")):
        assert_appended(api.post("/api/v1/events", body))
    return before


class TestListing:
    def test_events_come_in_position_order(self, api, some_events):
        found = events_of(api, "limit=1000")
        assert [e["position"] for e in found] == list(range(1, some_events + 6))
        assert found[0]["prev_hash"] != found[0]["hash"]
        assert all(a["hash"] == b["prev_hash"] for a, b in zip(found, found[1:], strict=False))

    def test_filters_narrow_the_events(self, api, some_events):
        incidents = f"after={some_events}"
        assert [(e["employee"], e["type"]) for e in events_of(api, f"{incidents}&employee=JRJ-0001")] == [
            ("JRJ-0001", "deduction"), ("JRJ-0001", "deduction"), ("JRJ-0001", "bonus")]
        assert {e["project"] for e in events_of(api, "project=BSQ")} == {"BSQ"}
        assert [e["employee"] for e in events_of(api, f"{incidents}&project=BSQ")] == ["BSQ-0001"]
        assert [e["occurred_on"] for e in events_of(api, "period=2026-09")] == ["2026-09-30"]
        assert [e["type"] for e in events_of(api, "type=bonus")] == ["bonus"]
        assert len(events_of(api, "period=2026-10&type=deduction&project=JRJ")) == 2

    def test_after_and_limit_page_through_the_log(self, api, some_events):
        pages, after = [], some_events
        while True:
            r = api.get(f"/api/v1/events?after={after}&limit=2")
            page = r.get_json()
            if not page["results"]:
                assert page["next_after"] == after
                break
            assert len(page["results"]) <= 2
            pages.append([e["position"] for e in page["results"]])
            after = page["next_after"]
        assert pages == [[some_events + 1, some_events + 2], [some_events + 3, some_events + 4],
                         [some_events + 5]]

    def test_bad_filters_are_named(self, api):
        for query, field in (("period=2026-9", "period"), ("limit=0", "limit"), ("limit=1001", "limit"),
                             ("after=-1", "after"), ("after=x", "after")):
            assert_problem(api.get(f"/api/v1/events?{query}"), 422, field)

    def test_an_employee_sees_only_their_own_events(self, api, some_events):
        mine = events_of(api, "limit=1000", as_="employee")
        assert mine and {e["employee"] for e in mine} == {"JRJ-0001"}
        assert events_of(api, "employee=JRJ-0001", as_="employee") == mine
        assert_problem(api.get("/api/v1/events?employee=JRJ-0002", as_="employee"), 403)

    def test_a_lead_of_another_project_sees_none_of_its_events(self, api, some_events):
        theirs = events_of(api, "limit=1000", as_="other-lead")
        assert theirs and {e["project"] for e in theirs} == {"BSQ"}
        assert events_of(api, "employee=JRJ-0001", as_="other-lead") == []
        assert_problem(api.get("/api/v1/events?project=JRJ", as_="other-lead"), 403)

    def test_the_request_hash_stays_private(self, api):
        assert_appended(api.post("/api/v1/events", deduction(), as_="lead", headers={"Idempotency-Key": "k"}))
        [stored] = events_of(api, "type=deduction")
        assert "request_hash" not in stored["metadata"]


# -- optimistic concurrency ------------------------------------------------------------------


def stream_version(api: Any, employee: str) -> int:
    found = events_of(api, f"employee={employee}&limit=1000")
    return int(found[-1]["version"])


class TestOptimisticConcurrency:
    def test_a_stale_expected_version_is_a_conflict(self, api):
        version = stream_version(api, "JRJ-0001")
        assert_appended(api.post("/api/v1/events", deduction(expected_version=version), as_="lead"))
        before = api.event_count()
        assert_problem(api.post("/api/v1/events", deduction(expected_version=version), as_="lead"), 409)
        assert api.event_count() == before
        assert_appended(api.post("/api/v1/events", deduction(expected_version=version + 1), as_="lead"))

    def test_of_eight_writers_on_one_expected_version_exactly_one_wins(self, api):
        app = api.client.application
        version = stream_version(api, "JRJ-0001")
        before = api.event_count()
        start = threading.Barrier(8)
        statuses: list[int] = []
        lock = threading.Lock()

        def write(i: int) -> None:
            client = app.test_client()
            start.wait()
            r = client.post("/api/v1/events", json=deduction(expected_version=version, evidence=f"writer {i}"),
                            headers={"Authorization": f"Bearer {api.tokens['lead']}"})
            with lock:
                statuses.append(r.status_code)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(statuses) == [201] + [409] * 7
        assert api.event_count() == before + 1
        assert stream_version(api, "JRJ-0001") == version + 1
