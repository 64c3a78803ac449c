"""The 用户投诉 ledger and 回访 records over HTTP on both databases (SPEC §7.7): recording,
validation that writes nothing, rates, metrics recorded by the close, suggested deductions
and the two forms."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.reports.app import create_app as reports_app
from shared.tables import score_revisions
from tests.conftest import make_runner, settings
from tests.integration.conftest import assert_problem

P = "2026-10"


def received(no: str, when: str = "2026-10-03T09:12:00+08:00", severity: str = "general",
             responsible: str | None = "JRJ-0001", **extra: object) -> dict[str, object]:
    body: dict[str, object] = {"type": "complaint_received", "project": "JRJ", "complaint": no, "received_at": when,
                               "channel": "phone", "severity": severity, "category": "维修",
                               "summary": "3栋1201 卫生间漏水", "location": "3栋1201", **extra}
    if responsible:
        body["responsible"] = responsible
    return body


def step(kind: str, no: str, when: str, **extra: object) -> dict[str, object]:
    return {"type": kind, "project": "JRJ", "complaint": no, "at": when, **extra}


def replied(no: str, when: str) -> dict[str, object]:
    return step("complaint_replied", no, when, text="已派维修工上门")


def closed(no: str, when: str) -> dict[str, object]:
    return step("complaint_closed", no, when, resolution="更换水管,业主确认")


def followup(no: str, when: str, result: str = "satisfied", **extra: object) -> dict[str, object]:
    return step("followup", no, when, result=result, note="电话回访", **extra)


class Ledger:
    def __init__(self, api) -> None:
        self.api = api
        self.reports = reports_app(settings(api.db.url), api.db).test_client()

    def record(self, *bodies: dict[str, object], as_: str = "manager") -> None:
        r = self.api.post("/api/v1/events/batch", {"events": list(bodies)}, as_=as_)
        assert r.status_code == 201, r.get_json()

    def refused(self, body: dict[str, object], status: int, field: str | None = None, as_: str = "manager"):
        before = self.api.event_count()
        problem = assert_problem(self.api.post("/api/v1/events", body, as_=as_), status, field)
        assert self.api.event_count() == before
        return problem

    def get(self, path: str, as_: str = "manager"):
        r = self.reports.get(path, headers={"Authorization": f"Bearer {self.api.tokens[as_]}"})
        assert r.status_code == 200, (path, r.get_data(as_text=True)[:300])
        return r


@pytest.fixture
def book(api) -> Ledger:
    return Ledger(api)


def test_a_complaint_is_recorded_step_by_step_and_listed_with_its_timeline(book):
    book.record(received("TS-1"), as_="lead")
    book.record(replied("TS-1", "2026-10-03T15:00:00+08:00"), as_="lead")
    book.record(closed("TS-1", "2026-10-04T10:00:00+08:00"), followup("TS-1", "2026-10-05T10:00:00+08:00"),
                as_="supervisor")
    [found] = book.get(f"/api/v1/complaints?project=JRJ&period={P}").get_json()["results"]
    assert (found["complaint"], found["status"], found["responsible_name"]) == ("TS-1", "closed", "张三 (JRJ-0001)")
    assert [s["type"] for s in found["timeline"]] == ["complaint_replied", "complaint_closed", "followup"]
    assert found["received_at"] == "2026-10-03T09:12+08:00" and found["replied_in_time"] is True
    assert found["overdue"] == [] and found["late"] == []
    stats = book.get(f"/api/v1/complaints/stats?project=JRJ&period={P}").get_json()
    assert stats == {"received": 1, "closed": 1, "replied_in_time": 1, "escalated_in_time": 0,
                     "followed_up_in_time": 1, "satisfied": 1, "fairly_satisfied": 0, "unsatisfied": 0,
                     "handling_rate": 100.0, "followup_rate": 100.0, "satisfaction_rate": 100.0}
    audit = book.api.get("/api/v1/events?type=complaint_received").get_json()["results"]
    assert audit[0]["hash"] and audit[0]["period"] == P  # in the same log and chain


@pytest.mark.parametrize(("setup", "body", "status", "field"), [
    ([], replied("NOPE", "2026-10-03T15:00:00+08:00"), 422, "events.0.complaint"),
    ([received("TS-1")], received("TS-1"), 409, None),  # an id is unique in its project
    ([received("TS-1")], replied("TS-1", "2026-10-02T15:00:00+08:00"), 422, "at"),  # before the receipt
    ([], received("TS-2", when="2026-12-01T09:00:00+08:00"), 422, "received_at"),  # in the future
    ([received("TS-1")], followup("TS-1", "2026-10-05T10:00:00+08:00"), 409, None),  # not closed yet
    ([received("TS-1"), closed("TS-1", "2026-10-04T10:00:00+08:00")],
     followup("TS-1", "2026-10-05T10:00:00+08:00", "unsatisfied"), 422, "next_at"),
    ([received("TS-1"), closed("TS-1", "2026-10-04T10:00:00+08:00")],
     replied("TS-1", "2026-10-05T10:00:00+08:00"), 409, None),  # closed: only follow-ups remain
    ([], received("TS-3", responsible="BSQ-0001"), 422, "responsible"),  # not on the project's staff
    ([], {**received("TS-4"), "channel": "fax"}, 422, "channel"),
    ([], {**received("TS-5"), "received_at": "yesterday"}, 422, "received_at"),
    ([], {**received("TS-6"), "extra": 1}, 422, "extra"),
])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(book, setup, body, status, field):
    if setup:
        book.record(*setup)
    if field and field.startswith("events."):
        before = book.api.event_count()
        assert_problem(book.api.post("/api/v1/events/batch", {"events": [body]}, as_="manager"), status, field)
        assert book.api.event_count() == before
    else:
        book.refused(body, status, field)


def test_only_the_projects_staff_record_and_by_role(book):
    book.refused(received("TS-1"), 403, as_="employee")
    book.refused(received("TS-1"), 403, as_="auditor")
    book.refused(received("TS-1"), 403, as_="other-lead")  # a lead of BSQ
    book.record(received("TS-1"), as_="lead")
    book.refused(closed("TS-1", "2026-10-04T10:00:00+08:00"), 403, as_="lead")  # supervisors and above close
    assert book.reports.get(f"/api/v1/complaints?project=JRJ&period={P}",
                            headers={"Authorization": f"Bearer {book.api.tokens['employee']}"}).status_code == 403
    assert book.reports.get(f"/api/v1/complaints?project=JRJ&period={P}",
                            headers={"Authorization": f"Bearer {book.api.tokens['other-lead']}"}).status_code == 403


def test_overdue_is_worked_out_at_read_time_and_suggested_as_deductions(book):
    book.record(received("TS-1", severity="major"), replied("TS-1", "2026-10-05T09:00:00+08:00"))  # late, no escalation
    book.record(received("TS-2", when="2026-10-10T08:00:00+08:00"))  # never replied
    overdue = book.get(f"/api/v1/complaints?project=JRJ&period={P}&overdue=true").get_json()["results"]
    assert {c["complaint"]: [o["kind"] for o in c["overdue"]] for c in overdue} == \
        {"TS-1": ["escalation"], "TS-2": ["reply"]}
    [ts1] = [c for c in book.get(f"/api/v1/complaints?project=JRJ&period={P}").get_json()["results"]
             if c["complaint"] == "TS-1"]
    assert [o["kind"] for o in ts1["late"]] == ["reply"]  # replied, but after the 24 hours
    suggested = book.get("/api/v1/complaints/suggestions?project=JRJ&status=open", as_="supervisor").get_json()
    assert sorted(s["id"] for s in suggested["results"]) == \
        ["JRJ:TS-1:escalation", "JRJ:TS-1:reply", "JRJ:TS-2:reply"]
    assert {s["responsible_name"] for s in suggested["results"]} == {"张三 (JRJ-0001)"}


def test_a_supervisor_confirms_a_suggestion_with_one_action_or_dismisses_it(book):
    make_runner(book.api.db).drain()
    book.record(received("TS-2", when="2026-10-10T08:00:00+08:00"))
    before = book.api.event_count()
    r = book.api.post("/api/v1/complaints/suggestions/JRJ:TS-2:reply/confirm", {}, as_="supervisor")
    assert r.status_code == 201, r.get_json()
    assert book.api.event_count() == before + 2  # the deduction and the ledger's note, together
    [deduction] = book.api.get("/api/v1/events?type=deduction&employee=JRJ-0001").get_json()["results"]
    assert (deduction["payload"]["item"], deduction["payload"]["rule"]) == ("duty_records", "not_reported")
    assert "TS-2" in deduction["payload"]["evidence"] and "回复超时" in deduction["payload"]["evidence"]
    assert "期限 2026-10-11 08:00" in deduction["payload"]["evidence"]
    make_runner(book.api.db).drain()
    assert book.get(f"/api/v1/scores/JRJ-0001/{P}").get_json()["final"] == 98.0
    assert_problem(book.api.post("/api/v1/complaints/suggestions/JRJ:TS-2:reply/confirm", {}, as_="supervisor"), 409)
    book.record(received("TS-3", when="2026-10-12T08:00:00+08:00"))
    before = book.api.event_count()
    assert_problem(book.api.post("/api/v1/complaints/suggestions/JRJ:TS-3:reply/dismiss", {}, as_="supervisor"),
                   422, "reason")
    assert_problem(book.api.post("/api/v1/complaints/suggestions/JRJ:TS-3:reply/dismiss",
                                 {"reason": "业主联系不上"}, as_="lead"), 403)
    assert book.api.event_count() == before
    assert book.api.post("/api/v1/complaints/suggestions/JRJ:TS-3:reply/dismiss", {"reason": "业主联系不上"},
                         as_="supervisor").status_code == 201
    states = {s["id"]: (s["status"], s["reason"]) for s in book.get(
        "/api/v1/complaints/suggestions?project=JRJ", as_="supervisor").get_json()["results"]}
    assert states == {"JRJ:TS-2:reply": ("confirmed", None), "JRJ:TS-3:reply": ("dismissed", "业主联系不上")}
    assert book.api.event_count() == before + 1  # nothing is deducted without a person


def test_the_close_records_the_ledger_rate_as_a_metric_once_and_a_recompute_updates_it(book):
    book.api.post("/api/v1/employees", {"employee_no": "JRJ-0009", "name": "主管", "project": "JRJ",
                                        "department": "客服部", "position": "客服主管",
                                        "template": "cs-supervisor-monthly", "effective_from": "2026-01"})
    book.record(received("TS-1"), replied("TS-1", "2026-10-03T15:00:00+08:00"),
                closed("TS-1", "2026-10-04T10:00:00+08:00"),
                received("TS-2", when="2026-10-06T09:00:00+08:00"), replied("TS-2", "2026-10-06T10:00:00+08:00"),
                closed("TS-2", "2026-10-07T10:00:00+08:00"), followup("TS-2", "2026-10-08T10:00:00+08:00"))
    # 回访率: TS-2 followed up in time, TS-1 not at all: 1/2 = 50.00%; rule revisit_rate: 100 − 50 = 50 × 2 = 100
    # points off a 10-point item (floors at 0)
    manual = {"type": "metric", "employee": "JRJ-0009", "item": "customer_revisit", "rule": "revisit_rate",
              "period": P, "value": 99}
    book.refused(manual, 409, as_="supervisor")  # fed by the ledger: never by hand
    assert book.api.post(f"/api/v1/periods/JRJ/{P}/close", as_="manager").status_code == 202
    [metric] = book.api.get("/api/v1/events?type=metric&employee=JRJ-0009").get_json()["results"]
    assert metric["payload"]["value"] == "50" and "1/2" in metric["payload"]["evidence"]
    assert metric["payload"]["source"] == "投诉台账"
    before = book.api.event_count()
    assert book.api.post(f"/api/v1/periods/JRJ/{P}/close", as_="manager").status_code == 202
    assert len(book.api.get("/api/v1/events?type=metric").get_json()["results"]) == 1  # closing again: nothing new
    assert book.api.event_count() == before
    make_runner(book.api.db).drain()
    item = next(i for i in book.get(f"/api/v1/scores/JRJ-0009/{P}").get_json()["items"]
                if i["code"] == "customer_revisit")
    assert item["score"] == 0.0
    book.record(followup("TS-1", "2026-10-06T09:00:00+08:00"))  # within 3 days of the close: in time
    assert book.api.post("/api/v1/recompute", {"period": P, "project": "JRJ"}, as_="manager").status_code == 202
    metrics = book.api.get("/api/v1/events?type=metric&employee=JRJ-0009").get_json()["results"]
    assert [m["payload"]["value"] for m in metrics] == ["50", "100"]
    make_runner(book.api.db).drain()
    item = next(i for i in book.get(f"/api/v1/scores/JRJ-0009/{P}").get_json()["items"]
                if i["code"] == "customer_revisit")
    assert item["score"] == item["points"]
    with book.api.db.read() as conn:
        revisions = conn.execute(select(score_revisions.c.revision).where(
            score_revisions.c.employee == "JRJ-0009", score_revisions.c.period == P)).scalars().all()
    assert len(revisions) >= 2  # the correction is a new revision


def test_the_forms_print_the_timeline_rates_and_the_unsatisfied_cases(book):
    book.record(received("TS-1", summary="<script>alert(1)</script>"),
                replied("TS-1", "2026-10-03T15:00:00+08:00"), closed("TS-1", "2026-10-04T10:00:00+08:00"),
                followup("TS-1", "2026-10-05T10:00:00+08:00", "unsatisfied", next_at="2026-10-12T10:00:00+08:00"),
                received("TS-2", when="2026-10-09T09:00:00+08:00", severity="major", summary="=SUM(A1)"))
    page = book.get(f"/reports/complaints/JRJ/{P}.html").get_data(as_text=True)
    assert "用户意见受理表" in page and "<script>alert" not in page and "&lt;script&gt;" in page
    assert "张三 (JRJ-0001)" in page and "未上报" in page
    follow = book.get(f"/reports/followups/JRJ/{P}.html").get_data(as_text=True)
    assert "回访用户月统计表" in follow and "2026-10-12 10:00" in follow and "不满意" in follow
    sheet = load_workbook(io.BytesIO(book.get(f"/reports/complaints/JRJ/{P}.xlsx").data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "'=SUM(A1)" in cells  # a formula is kept as text
    for path in (f"/reports/complaints/JRJ/{P}.pdf", f"/reports/followups/JRJ/{P}.pdf"):
        assert book.get(path).data.startswith(b"%PDF")
    assert book.reports.get(f"/reports/complaints/JRJ/{P}.html",
                            headers={"Authorization": f"Bearer {book.api.tokens['employee']}"}).status_code == 403
