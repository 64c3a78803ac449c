"""Input limits (SPEC §7.9; issue 15, items 1-7): every crafted input gets a problem document
naming the field and the limit, writes nothing, and answers alike on SQLite and PostgreSQL.

Today is 2026-11-20 (tests/conftest.py): next month is 2026-12.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.incidents.event_commands import revoke_event
from services.reports.app import create_app as reports_app
from shared.auth import Principal
from shared.commands.meta import RequestMeta
from shared.errors import Invalid
from tests.conftest import CLOCK, settings
from tests.integration.conftest import assert_problem
from tests.integration.test_api_events import bonus, deduction

JSON = "application/json"


def post_raw(api: Any, path: str, text: str | bytes, as_: str = "lead") -> Any:
    return api.post(path, data=text, content_type=JSON, as_=as_)


def refused(api: Any, resp: Any, status: int, field: str | None, before: int) -> dict[str, Any]:
    body = assert_problem(resp, status, field)
    assert api.event_count() == before, "a refused request wrote something"
    return body


# -- item 1: crafted input that used to raise a 500 ------------------------------------------


class TestNoServerErrorOnCraftedInput:
    def test_a_json_nesting_bomb_is_refused_before_it_is_parsed(self, api):
        before = api.event_count()
        bomb = "[" * 100_000 + "]" * 100_000
        for path in ("/api/v1/events", "/api/v1/events/batch"):
            body = refused(api, post_raw(api, path, bomb), 400, "body", before)
            assert "32" in body["detail"]
        nested = {"events": [deduction()] + [json.loads("[" * 40 + "]" * 40)]}
        refused(api, api.post("/api/v1/events/batch", nested, as_="lead"), 400, "body", before)

    def test_32_levels_of_nesting_are_still_read(self, api):
        before = api.event_count()
        deep = json.loads("[" * 29 + "]" * 29)  # inside {"events": [{"evidence": ...}]}: 32 levels
        resp = api.post("/api/v1/events/batch", {"events": [deduction(evidence=deep)]}, as_="lead")
        refused(api, resp, 422, "events.0.evidence", before)  # a type error, not a depth error

    def test_a_lone_surrogate_in_text_is_422_naming_the_field(self, api):
        before = api.event_count()
        text = json.dumps(deduction(evidence="a\ud800b"))  # ensure_ascii: sent as the escape \ud800
        assert "\\ud800" in text
        body = refused(api, post_raw(api, "/api/v1/events", text), 422, "evidence", before)
        assert "Unicode" in body["errors"]["evidence"][0]
        batch = json.dumps({"events": [deduction(), deduction(source="\udfff")]})
        refused(api, post_raw(api, "/api/v1/events/batch", batch), 422, "events.1.source", before)

    def test_nul_and_control_characters_in_a_body_are_422_on_both_databases(self, api):
        before = api.event_count()
        for text in ("a\u0000b", "a\u0007b", "a\u001bb", "a\u007fb", "a\u0085b"):
            refused(api, api.post("/api/v1/events", deduction(evidence=text), as_="lead"), 422, "evidence", before)
        refused(api, api.post("/api/v1/events", deduction(employee="JRJ-0001\u0000"), as_="lead"),
                422, "employee", before)
        scores = {"type": "self_assessment", "employee": "JRJ-0001", "period": "2026-10",
                  "scores": {"civil\u0000ity": 9}}
        refused(api, api.post("/api/v1/events", scores, as_="employee"), 422, "scores", before)

    def test_newlines_and_tabs_are_text_and_carriage_returns_become_newlines(self, api):
        r = api.post("/api/v1/events", deduction(evidence="第一行\r\n第二行\t备注"), as_="lead")
        assert r.status_code == 201, r.get_json()
        stored = api.get("/api/v1/events?type=deduction").get_json()["results"][0]
        assert stored["payload"]["evidence"] == "第一行\n第二行\t备注"

    def test_nul_in_a_query_or_a_path_is_400_naming_the_parameter(self, api):
        before = api.event_count()
        assert_problem(api.get("/api/v1/events?employee=JRJ%00"), 400, "employee")
        assert_problem(api.get("/api/v1/events?employee=JRJ%01x&type=deduction"), 400, "employee")
        target = api.post("/api/v1/events", deduction(), as_="lead").get_json()["id"]
        before = api.event_count()
        refused(api, api.post("/api/v1/events/ab%00cd/revoke", {"reason": "录入错误"}, as_="supervisor"),
                400, "event_id", before)
        refused(api, api.post(f"/api/v1/events/{target}/revoke", {"reason": "录入\u0000错误"}, as_="supervisor"),
                422, "reason", before)

    def test_the_reports_service_refuses_them_too(self, api):
        reports = create_app_client(api)
        assert_problem(reports.get("/api/v1/scores?project=JRJ%00&period=2026-10", headers=admin(api)), 400,
                       "project")
        assert_problem(reports.get("/api/v1/scores/JRJ%000001/2026-10", headers=admin(api)), 400, "employee_no")
        assert_problem(reports.get("/reports/department/JRJ/%07/2026-10.html", headers=admin(api)), 400,
                       "department")

    def test_a_body_over_2_mb_is_413_and_a_batch_may_have_8(self, api):
        before = api.event_count()
        big = json.dumps(deduction(evidence="x" * (2 * 1024 * 1024)))
        refused(api, post_raw(api, "/api/v1/events", big), 413, None, before)
        padded = json.dumps({"events": [deduction()], "padding": "x" * (3 * 1024 * 1024)})
        refused(api, post_raw(api, "/api/v1/events/batch", padded), 422, "padding", before)  # read, then refused
        huge = json.dumps({"events": [deduction()], "padding": "x" * (8 * 1024 * 1024)})
        refused(api, post_raw(api, "/api/v1/events/batch", huge), 413, None, before)

    def test_absurd_numbers_are_422_before_anything_formats_them(self, api):
        before = api.event_count()
        for number in ("1e999999999", "1e-999999999", "1" + "0" * 4000):
            text = json.dumps(deduction(rule="complaint")).replace('"count": 2', f'"points": {number}')
            refused(api, post_raw(api, "/api/v1/events", text), 422, "points", before)


def admin(api: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.tokens['admin']}"}


def create_app_client(api: Any) -> Any:
    return reports_app(settings(api.db.url), api.db).test_client()


# -- item 2: dates ----------------------------------------------------------------------------


class TestDates:
    def test_an_incident_after_today_is_refused(self, api):
        before = api.event_count()
        for day in ("9999-12-31", "2026-11-21"):
            body = refused(api, api.post("/api/v1/events", deduction(occurred_on=day), as_="lead"), 422,
                           "occurred_on", before)
            assert "2026-11-20" in body["errors"]["occurred_on"][0]
            refused(api, api.post("/api/v1/events", bonus(occurred_on=day), as_="lead"), 422, "occurred_on", before)
        assert api.post("/api/v1/events", deduction(occurred_on="2026-11-20"), as_="lead").status_code == 201

    def test_an_incident_before_2000_or_before_the_employees_start_is_refused(self, api):
        r = api.post("/api/v1/employees", {"employee_no": "JRJ-0050", "name": "钱九", "project": "JRJ",
                                           "department": "客服部", "position": "客服专员",
                                           "template": "cs-staff", "effective_from": "2026-09"})
        assert r.status_code == 201, r.get_json()
        before = api.event_count()
        refused(api, api.post("/api/v1/events", deduction(occurred_on="1999-12-31"), as_="lead"), 422,
                "occurred_on", before)
        refused(api, api.post("/api/v1/events", deduction("JRJ-0050", occurred_on="2026-08-31"), as_="lead"),
                422, "occurred_on", before)
        assert api.post("/api/v1/events", deduction("JRJ-0050", occurred_on="2026-09-01"),
                        as_="lead").status_code == 201

    def test_periods_run_from_2000_01_to_next_month(self, api):
        before = api.event_count()
        plan = {"type": "improvement_plan", "employee": "JRJ-0001", "plan": "加强学习"}
        for period in ("1999-12", "2027-01", "0000-01"):
            refused(api, api.post("/api/v1/events", {**plan, "period": period}, as_="employee"), 422, "period",
                    before)
        assert api.post("/api/v1/events", {**plan, "period": "2026-12"}, as_="employee").status_code == 201
        registration = {"employee_no": "JRJ-0060", "name": "周十", "project": "JRJ", "department": "客服部",
                        "position": "客服专员", "template": "cs-staff", "effective_from": "2027-01"}
        assert_problem(api.post("/api/v1/employees", registration), 422, "effective_from")

    def test_the_recompute_command_refuses_period_0000_01_too(self, api):
        from click.testing import CliRunner

        from jixiao.cli import main

        env = {"DATABASE_URL": api.db.url, "JIXIAO_TODAY": "2026-11-20", "JIXIAO_LOG_LEVEL": "WARNING"}
        before = api.event_count()
        for period, says in (("0000-01", "不能早于 2000-01"), ("2026-12", "尚未开始")):
            done = CliRunner().invoke(main, ["recompute", "--period", period], env=env)
            assert done.exit_code == 1 and says in done.stderr, done.output
        assert api.event_count() == before

    def test_a_template_version_starts_between_2000_01_and_next_month(self, api):
        doc = api.get("/api/v1/templates?code=cs-staff").get_json()["results"][0]
        del doc["version"]
        for month in ("1999-12", "2027-01", "2027"):
            assert_problem(api.post("/api/v1/templates", {**doc, "effective_from": month}), 422, "effective_from")
        assert api.post("/api/v1/templates", {**doc, "effective_from": "2026-12"}).status_code == 201

    def test_recompute_refuses_period_0000_01(self, api):
        before = api.event_count()
        for period in ("0000-01", "1999-12"):
            refused(api, api.post("/api/v1/recompute", {"period": period}, as_="manager"), 422, "period", before)
            refused(api, api.post(f"/api/v1/periods/JRJ/{period}/close", as_="manager"), 422, "period", before)


# -- items 3-6: the envelope, blank text, decimals, long text ---------------------------------


class TestFieldsAndEnvelope:
    def test_the_batch_envelope_refuses_unknown_fields_and_writes_nothing(self, api):
        before = api.event_count()
        body = refused(api, api.post("/api/v1/events/batch", {"events": [deduction()], "dry_run": True},
                                     as_="lead"), 422, "dry_run", before)
        assert "未知字段" in body["errors"]["dry_run"][0]

    def test_unknown_query_parameters_are_refused(self, api):
        assert_problem(api.get("/api/v1/events?employe=JRJ-0001"), 422, "employe")

    def test_whitespace_only_required_text_is_empty(self, api):
        target = api.post("/api/v1/events", deduction(), as_="lead").get_json()["id"]
        before = api.event_count()
        refused(api, api.post("/api/v1/events", deduction(evidence=" \t\n "), as_="lead"), 422, "evidence", before)
        refused(api, api.post(f"/api/v1/events/{target}/revoke", {"reason": "   "}, as_="supervisor"), 422,
                "reason", before)
        appeal = {"type": "appeal", "employee": "JRJ-0001", "event_id": target, "reason": "\u3000 "}
        refused(api, api.post("/api/v1/events", appeal, as_="employee"), 422, "reason", before)
        plan = {"type": "improvement_plan", "employee": "JRJ-0001", "period": "2026-10", "plan": "\r\n"}
        body = refused(api, api.post("/api/v1/events", plan, as_="employee"), 422, "plan", before)
        assert "不能为空" in body["errors"]["plan"][0]

    def test_a_command_called_without_the_api_checks_the_reason_too(self, api):
        target = api.post("/api/v1/events", deduction(), as_="lead").get_json()["id"]
        before = api.event_count()
        supervisor = Principal("supervisor-jrj", "supervisor", frozenset({"JRJ"}))
        for reason in ("  ", "因" * 2001, "a\x00b"):
            with pytest.raises(Invalid) as err:
                revoke_event(api.db, supervisor, target, reason, RequestMeta("form"), now=CLOCK.now())
            assert "reason" in (err.value.errors or {})
        assert api.event_count() == before

    def test_text_is_stored_trimmed(self, api):
        assert api.post("/api/v1/events", deduction(evidence="  业主投诉  "), as_="lead").status_code == 201
        [stored] = api.get("/api/v1/events?type=deduction").get_json()["results"]
        assert stored["payload"]["evidence"] == "业主投诉"

    def test_points_have_at_most_two_decimal_places(self, api):
        before = api.event_count()
        text = json.dumps(deduction(rule="complaint")).replace('"count": 2', '"points": 3.0000000000000000000000000000001')
        body = refused(api, post_raw(api, "/api/v1/events", text), 422, "points", before)
        assert "2 位小数" in body["errors"]["points"][0]
        refused(api, api.post("/api/v1/events", bonus(points=1.005), as_="lead"), 422, "points", before)
        assert api.post("/api/v1/events", deduction(rule="complaint", points=3.25, count=1),
                        as_="lead").status_code == 201
        assert api.post("/api/v1/events", bonus(points=2.50), as_="lead").status_code == 201

    def test_long_text_names_its_limit(self, api):
        before = api.event_count()
        body = refused(api, api.post("/api/v1/events", deduction(evidence="据" * 4001), as_="lead"), 422,
                       "evidence", before)
        assert body["errors"]["evidence"] == ["不能超过 2000 个字符 (at most 2000 characters)"]
        refused(api, api.post("/api/v1/events", deduction(item="x" * 65), as_="lead"), 422, "item", before)
        assert api.post("/api/v1/events", deduction(evidence="据" * 2000), as_="lead").status_code == 201

    def test_names_and_codes_are_at_most_64_characters(self, api):
        person = {"employee_no": "JRJ-0070", "name": "张" * 65, "project": "JRJ", "department": "客服部",
                  "position": "客服专员", "template": "cs-staff"}
        body = assert_problem(api.post("/api/v1/employees", person), 422, "name")
        assert "64" in body["errors"]["name"][0]
        assert_problem(api.post("/api/v1/employees", {**person, "name": "张三", "department": "部" * 65}), 422,
                       "department")
        assert_problem(api.post("/api/v1/projects", {"code": "NEW", "name": " "}), 422, "name")
        assert_problem(api.post("/api/v1/projects", {"code": "NEW", "name": "新\u0000项目"}), 422, "name")
