"""The sign-off in order, a signature that covers a score, and appeals that get decided
(SPEC §4.9–12, §6), over HTTP on both databases; every refusal writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.reports.app import create_app as reports_app
from shared.tables import score_revisions
from tests.conftest import make_runner, settings
from tests.integration.conftest import assert_problem

PERIOD = "2026-10"
SELF = {code: 10 for code in ("civility", "patience", "teamwork", "duty_records", "image", "vigilance",
                              "attendance", "focus", "obedience")} | {"criticism": 5, "learning": 5}


def body(kind: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {"type": kind, "employee": "JRJ-0001", "period": PERIOD}
    if kind == "self_assessment":
        base["scores"] = SELF
    return {**base, **extra}


def deduction(day: str = "2026-10-14", rule: str = "late") -> dict[str, object]:
    return {"type": "deduction", "employee": "JRJ-0001", "item": "attendance", "rule": rule,
            "occurred_on": day, "evidence": "考勤记录"}


class Month:
    """One employee-month driven step by step through the API."""

    def __init__(self, api) -> None:
        self.api = api
        self.runner = make_runner(api.db)
        self.reports = reports_app(settings(api.db.url), api.db).test_client()

    def post(self, payload: dict[str, object], as_: str):
        return self.api.post("/api/v1/events", payload, as_=as_)

    def refused(self, payload: dict[str, object], as_: str, status: int, missing: str | None = None):
        before = self.api.event_count()
        problem = assert_problem(self.post(payload, as_), status)
        assert self.api.event_count() == before, "a refusal must write nothing"
        if missing is not None:
            assert f"missing step: {missing}" in problem["detail"], problem
        return problem

    def ok(self, payload: dict[str, object], as_: str) -> dict[str, object]:
        r = self.post(payload, as_)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def close(self) -> None:
        assert self.api.post(f"/api/v1/periods/JRJ/{PERIOD}/close", as_="manager").status_code == 202
        self.runner.drain()

    def result(self) -> dict[str, object]:
        self.runner.drain()
        auth = {"Authorization": f"Bearer {self.api.tokens['admin']}"}
        return self.reports.get(f"/api/v1/scores/JRJ-0001/{PERIOD}", headers=auth).get_json()

    def sheet(self) -> str:
        auth = {"Authorization": f"Bearer {self.api.tokens['admin']}"}
        return self.reports.get(f"/reports/sheet/JRJ-0001/{PERIOD}.html", headers=auth).get_data(as_text=True)


@pytest.fixture
def month(api) -> Month:
    api.tokens["gm2"] = api.token("gm-jrj-2", "gm", "JRJ")
    return Month(api)


def test_the_whole_order_self_review_approval_signature(month):
    month.ok(deduction(), "lead")
    month.ok(body("self_assessment"), "employee")
    assert month.result()["status"] == "self_assessed"
    month.close()
    month.ok(body("review", stage="manager", comment="同意"), "manager")
    assert month.result()["status"] == "reviewed"
    month.ok(body("review", stage="gm", comment="审核通过"), "gm")
    assert month.result()["status"] == "approved"
    signed = month.ok(body("acknowledgement", comment="已阅"), "employee")
    assert month.result()["status"] == "acknowledged"
    [event] = month.api.get("/api/v1/events?type=acknowledgement&employee=JRJ-0001").get_json()["results"]
    assert event["id"] == signed["id"] and event["payload"]["covers"]["final"] == month.result()["final"]


@pytest.mark.parametrize(("steps", "attempt", "as_", "missing"), [
    ([], body("review", stage="manager"), "manager", "close"),  # 经理初评 needs the month closed
    (["close"], body("review", stage="gm"), "gm", "manager"),  # 审核 needs 初评
    (["close"], body("acknowledgement"), "employee", "manager"),  # 签字 needs both reviews
    (["close", "manager"], body("acknowledgement"), "employee", "gm"),
    ([], body("acknowledgement"), "employee", "manager"),  # the 签字 that jumped to 已签字
    ([], body("review", stage="gm"), "gm", "manager"),
])
def test_every_step_out_of_order_is_409_naming_the_missing_step(month, steps, attempt, as_, missing):
    for step in steps:
        if step == "close":
            month.close()
        else:
            month.ok(body("review", stage=step), "manager" if step == "manager" else "gm")
    month.refused(attempt, as_, 409, missing)


def test_a_self_assessment_is_closed_by_the_managers_review(month):
    month.close()
    month.ok(body("review", stage="manager"), "manager")
    problem = month.refused(body("self_assessment"), "employee", 409)
    assert "自评已截止" in problem["detail"]


def test_signing_twice_the_same_score_is_refused(month):
    month.close()
    month.ok(body("review", stage="manager"), "manager")
    month.ok(body("review", stage="gm"), "gm")
    month.ok(body("acknowledgement"), "employee")
    month.refused(body("acknowledgement"), "employee", 409)


def test_a_template_with_fewer_stages_keeps_the_order(month):
    doc = month.api.get("/api/v1/templates?code=cs-staff").get_json()["results"][-1]
    short = {**{k: v for k, v in doc.items() if k != "version"}, "effective_from": PERIOD,
             "signoff": ["manager", "acknowledgement"]}
    assert month.api.post("/api/v1/templates", short).status_code == 201
    month.close()
    month.refused(body("review", stage="gm"), "gm", 422)  # no such stage on this rubric
    month.refused(body("acknowledgement"), "employee", 409, "manager")
    month.ok(body("review", stage="manager"), "manager")
    month.ok(body("acknowledgement"), "employee")  # no 审核 on this rubric
    assert month.result()["status"] == "acknowledged"


def test_a_correction_after_signing_lapses_the_signature_and_the_employee_signs_again(month):
    first = month.ok(deduction(), "lead")
    month.close()
    month.ok(body("review", stage="manager"), "manager")
    month.ok(body("review", stage="gm"), "gm")
    month.ok(body("acknowledgement"), "employee")
    assert month.result()["final"] == 98.0
    month.api.post(f"/api/v1/events/{first['id']}/revoke", {"reason": "考勤机故障"}, as_="manager")
    corrected = month.result()
    assert corrected["final"] == 100.0
    assert corrected["status"] == "approved" and "signature_lapsed" in corrected["flags"]  # last valid stage
    page = month.sheet()
    assert "已更正，待重新签字" in page and "98.0 → 100.0" in page
    month.ok(body("acknowledgement", comment="已阅更正"), "employee")  # signs again
    again = month.result()
    assert again["status"] == "acknowledged" and "signature_lapsed" not in again["flags"]
    signatures = month.api.get("/api/v1/events?type=acknowledgement&employee=JRJ-0001").get_json()["results"]
    assert [s["payload"]["covers"]["final"] for s in signatures] == [98.0, 100.0]  # the old one stays
    assert "此前的签字 (已因更正失效)" in month.sheet()  # the lapsed one stays on the record


def test_status_only_changes_add_no_revision(month):
    month.ok(deduction(), "lead")
    month.close()
    for payload, as_ in ((body("review", stage="manager"), "manager"), (body("review", stage="gm"), "gm"),
                         (body("acknowledgement"), "employee")):
        month.ok(payload, as_)
        month.runner.drain()
    with month.api.db.read() as conn:
        revisions = conn.execute(select(score_revisions.c.revision).where(
            score_revisions.c.employee == "JRJ-0001", score_revisions.c.period == PERIOD)).scalars().all()
    assert revisions == [1]  # the deduction; the review, the approval and the signature changed no score
    assert month.result()["revision"] == 1


# -- appeals ----------------------------------------------------------------------------------

def appeal(month: Month, target: str, reason: str = "当日休假") -> str:
    return str(month.ok({"type": "appeal", "employee": "JRJ-0001", "event_id": target, "reason": reason},
                        "employee")["id"])


def resolve(month: Month, appeal_id: str, decision: str, as_: str = "manager", reason: str = "经核实"):
    return month.api.post(f"/api/v1/appeals/{appeal_id}/resolve", {"decision": decision, "reason": reason},
                          as_=as_)


def test_an_upheld_appeal_revokes_the_deduction_in_the_same_transaction(month):
    target = month.ok(deduction(), "lead")["id"]
    appeal_id = appeal(month, target)
    assert "appealed" in month.result()["flags"]  # 有申诉 while it is open
    before = month.api.event_count()
    r = resolve(month, appeal_id, "upheld", reason="监控显示按时到岗")
    assert r.status_code == 201, r.get_json()
    assert month.api.event_count() == before + 2 and r.get_json()["revocation"] is not None
    [revocation] = month.api.get("/api/v1/events?type=revocation").get_json()["results"]
    assert revocation["payload"]["event_id"] == target and revocation["payload"]["reason"].startswith("申诉成立")
    result = month.result()
    assert result["final"] == 100.0 and "appealed" not in result["flags"]
    listed = month.api.get("/api/v1/appeals?project=JRJ&status=resolved", as_="manager").get_json()["results"]
    assert [(a["appeal_id"], a["decision"], a["event"]["revoked"]) for a in listed] == [(appeal_id, "upheld", True)]
    assert "申诉成立" in month.sheet() and "监控显示按时到岗" in month.sheet()


def test_a_rejected_appeal_keeps_the_deduction_and_shows_the_decision(month):
    target = month.ok(deduction(), "lead")["id"]
    appeal_id = appeal(month, target)
    r = resolve(month, appeal_id, "rejected", as_="gm", reason="迟到属实")
    assert r.status_code == 201 and r.get_json()["revocation"] is None
    assert month.result()["final"] == 98.0
    mine = month.api.get("/api/v1/appeals", as_="employee").get_json()["results"]
    assert [(a["decision"], a["decision_reason"]) for a in mine] == [("rejected", "迟到属实")]  # the employee reads it
    assert "申诉驳回" in month.sheet()
    audit = month.reports.get(f"/reports/audit/JRJ-0001/{PERIOD}.html",
                              headers={"Authorization": f"Bearer {month.api.tokens['admin']}"})
    assert "申诉处理" in audit.get_data(as_text=True)


def test_one_appeal_per_event_and_a_decision_is_final(month):
    target = month.ok(deduction(), "lead")["id"]
    appeal_id = appeal(month, target)
    month.refused({"type": "appeal", "employee": "JRJ-0001", "event_id": target, "reason": "再申诉"},
                  "employee", 409)
    assert resolve(month, appeal_id, "rejected").status_code == 201
    before = month.api.event_count()
    assert_problem(resolve(month, appeal_id, "upheld"), 409)  # decided already
    assert month.api.event_count() == before
    month.refused({"type": "appeal", "employee": "JRJ-0001", "event_id": target, "reason": "再申诉"},
                  "employee", 409)


def test_appeals_close_when_the_employee_signs(month):
    target = month.ok(deduction(), "lead")["id"]
    month.close()
    month.ok(body("review", stage="manager"), "manager")
    month.ok(body("review", stage="gm"), "gm")
    month.ok(body("acknowledgement"), "employee")
    month.refused({"type": "appeal", "employee": "JRJ-0001", "event_id": target, "reason": "晚了"},
                  "employee", 409)


def test_only_a_manager_or_gm_of_the_project_decides(month):
    target = month.ok(deduction(), "lead")["id"]
    appeal_id = appeal(month, target)
    before = month.api.event_count()
    for role, status in (("lead", 403), ("supervisor", 403), ("auditor", 403), ("employee", 403),
                         ("other-lead", 403)):
        assert_problem(resolve(month, appeal_id, "upheld", as_=role), status)
    bsq_gm = month.api.token("gm-bsq", "gm", "BSQ")
    assert_problem(resolve(month, appeal_id, "upheld", as_=bsq_gm), 404)  # another project's appeal
    for bad in ({"decision": "maybe", "reason": "x"}, {"decision": "upheld"}, {"decision": "upheld", "reason": ""}):
        r = month.api.post(f"/api/v1/appeals/{appeal_id}/resolve", bad, as_="manager")
        assert_problem(r, 422)
    assert month.api.event_count() == before


def test_a_batch_checks_each_step_against_its_own_employee_month(month):
    """A batch reads the trails of all its steps at once: each step still answers to its own
    employee-month, and one step out of order refuses the whole batch."""
    month.ok(deduction(), "lead")
    month.close()
    month.ok(body("review", stage="manager"), "manager")  # JRJ-0001 is reviewed, JRJ-0002 is not
    before = month.api.event_count()
    late = body("self_assessment")  # the manager's review closed JRJ-0001's self-assessment
    fine = body("self_assessment", employee="JRJ-0002")
    problem = assert_problem(month.api.post("/api/v1/events/batch", {"events": [fine, late]}, as_="admin"), 409)
    assert "self-assessment closed" in str(problem) and month.api.event_count() == before
    gm_too_early = body("review", stage="gm", employee="JRJ-0002")  # JRJ-0002 has no manager's review
    both = [body("review", stage="gm"), gm_too_early]
    assert_problem(month.api.post("/api/v1/events/batch", {"events": both}, as_="admin"), 409)
    assert month.api.event_count() == before
    done = month.api.post("/api/v1/events/batch", {"events": [fine, body("review", stage="gm")]}, as_="admin")
    assert done.status_code == 201, done.get_json()
    assert month.result()["status"] == "approved"
    signed = month.api.post("/api/v1/events/batch", {"events": [body("acknowledgement")]}, as_="admin")
    assert signed.status_code == 201, signed.get_json()
    (signature,) = month.api.get("/api/v1/events?type=acknowledgement&employee=JRJ-0001").get_json()["results"]
    assert signature["payload"]["covers"]["final"] == month.result()["final"] == 98.0  # read in the batch's query
