"""The scoring pipeline end to end on each backend, with the in-process runner.

Writes go through the incidents API; the relay follows the log; read models are
checked against the seed arithmetic and against a clean replay from position 0.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.scoring.domain.monthly import score_month
from services.scoring.rebuild import rebuild
from services.scoring.work import Worker
from shared import org
from shared.eventstore import EventStore
from shared.tables import rankings, score_revisions, scores
from shared.tasklog import get_task
from tests.conftest import CLOCK, make_runner, snapshot

DAY = "2026-10-14"


def deduction(no: str, item: str, rule: str, *, points=None, count=1, day=DAY, evidence="检查记录"):
    body = {"type": "deduction", "employee": no, "item": item, "rule": rule,
            "occurred_on": day, "count": count, "evidence": evidence}
    if points is not None:
        body["points"] = points
    return body


@pytest.fixture
def runner(api):
    return make_runner(api.db)


def score_row(db, no, period="2026-10"):
    with db.read() as conn:
        return conn.execute(select(scores).where(scores.c.employee == no, scores.c.period == period)).first()


def test_a_deduction_is_scored_with_its_provenance(api, runner):
    # cs-staff civility (10): rude fixed 2 × 2 + complaint range 4 → 10 − 8 = 2
    assert api.post("/api/v1/events", deduction("JRJ-0001", "civility", "rude", count=2), as_="lead").status_code == 201
    r = api.post("/api/v1/events", deduction("JRJ-0001", "civility", "complaint", points=4, evidence="业主投诉"), as_="lead")
    runner.drain()
    row = score_row(api.db, "JRJ-0001")
    civility = next(i for i in row.result["items"] if i["code"] == "civility")
    assert (civility["deducted"], civility["score"]) == (8.0, 2.0)
    # S = 100 − 8 = 92; no self-assessment → W = S, flagged
    assert row.result["supervisor"] == 92.0 and row.result["final"] == 92.0
    assert row.result["flags"] == ["self_assessment_missing"]
    complaint = civility["deductions"][1]
    assert complaint["event_id"] == r.json["id"] and complaint["recorded_by"] == "lead-jrj"
    assert complaint["evidence"] == "业主投诉" and complaint["amount"] == 4.0
    assert row.position == r.json["position"]


def test_weighting_and_bonus_follow_spec_section_4(api, runner):
    # S: focus 10 − 2×… ; choose deductions totalling 12.5 is impossible with integers, so
    # S = 100 − 12 = 88; F = 95 → W = 0.15×95 + 0.85×88 = 14.25 + 74.8 = 89.05; + bonus 5 = 94.05
    api.post("/api/v1/events", deduction("JRJ-0002", "obedience", "assignment_unfinished", points=10), as_="lead")
    api.post("/api/v1/events", deduction("JRJ-0002", "attendance", "late"), as_="lead")
    self_scores = {"civility": 10, "patience": 10, "teamwork": 10, "duty_records": 10, "image": 10,
                   "criticism": 5, "vigilance": 10, "attendance": 10, "learning": 5, "focus": 10,
                   "obedience": 5}
    api.tokens["emp2"] = api.token("JRJ-0002", "employee", "JRJ")
    assert api.post("/api/v1/events", {"type": "self_assessment", "employee": "JRJ-0002",
                                       "period": "2026-10", "scores": self_scores}, as_="emp2").status_code == 201
    assert api.post("/api/v1/events", {"type": "bonus", "employee": "JRJ-0002", "bonus": "owner_praise",
                                       "occurred_on": "2026-10-08", "points": 5, "evidence": "业主书面表扬"},
                    as_="lead").status_code == 201
    runner.drain()
    res = score_row(api.db, "JRJ-0002").result
    assert (res["supervisor"], res["self"], res["weighted"], res["bonus"], res["final"]) == \
        (88.0, 95.0, 89.05, 5.0, 94.05)
    assert res["flags"] == [] and "status" not in res  # the sign-off is read from its events


def test_a_revocation_appends_a_revision_naming_its_cause(api, runner):
    first = api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late"), as_="lead").json
    runner.drain()
    revoke = api.post(f"/api/v1/events/{first['id']}/revoke", {"reason": "考勤机故障"}, as_="supervisor").json
    runner.drain()
    with api.db.read() as conn:
        revs = conn.execute(select(score_revisions).where(score_revisions.c.employee == "JRJ-0001",
                                                          score_revisions.c.period == "2026-10")
                            .order_by(score_revisions.c.revision)).all()
    assert [(r.revision, r.old_final, r.new_final) for r in revs] == \
        [(1, None, Decimal("98.00")), (2, Decimal("98.00"), Decimal("100.00"))]
    assert set(revs[1].cause_event_ids) == {first["id"], revoke["id"]}
    assert revs[0].new["final"] == 98.0  # the value as first published stays retrievable


def test_running_the_relay_twice_changes_nothing(api, runner):
    api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late"), as_="lead")
    runner.drain()
    before = snapshot(api.db)
    with api.db.read() as conn:
        employees = [m.employee_no for m in org.members(conn, "2026-10", "JRJ")]
    worker = Worker(api.db, CLOCK, runner)
    worker.score("2026-10", employees)
    worker.score("2026-10", employees)
    assert snapshot(api.db) == before


def test_closing_a_month_scores_every_member_and_ranks_them(api, runner):
    api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late", count=3), as_="lead")
    api.post("/api/v1/events", deduction("JRJ-0002", "attendance", "late"), as_="lead")
    task = api.post("/api/v1/periods/JRJ/2026-10/close", as_="manager").json["task_id"]
    runner.drain()
    state = api.get(f"/api/v1/tasks/{task}", as_="manager").json
    assert state["state"] == "SUCCESS" and state["progress"]["done"] == state["progress"]["total"]
    with api.db.read() as conn:
        ranked = conn.execute(select(rankings.c.rows, rankings.c.closed_on)
                              .where(rankings.c.project == "JRJ", rankings.c.period == "2026-10")).one()
    rows = {r["employee"]: r for r in ranked.rows}
    # finals: JRJ-0003 100 (perfect month), JRJ-0002 98, JRJ-0001 94
    assert [(r["employee"], r["rank"], r["final"]) for r in ranked.rows] == \
        [("JRJ-0003", 1, 100.0), ("JRJ-0002", 2, 98.0), ("JRJ-0001", 3, 94.0)]
    assert rows["JRJ-0003"]["payroll_adjustment"] == 100.0 and rows["JRJ-0001"]["payroll_adjustment"] == -100.0
    assert "improvement_plan" in rows["JRJ-0001"]["consequences"]
    # due 7 days after the close (seed 003: 整改方案 within a week of the notice)
    assert rows["JRJ-0001"]["improvement_due"] == (ranked.closed_on + timedelta(days=7)).isoformat()
    assert rows["JRJ-0001"]["improvement_status"] == "pending"


def test_every_read_model_is_reproduced_by_a_replay_from_position_zero(api, runner):
    ids = []
    for no, item, rule, pts in (("JRJ-0001", "civility", "complaint", 3), ("JRJ-0002", "image", "harm_image", 6),
                                ("JRJ-0003", "attendance", "late", None), ("BSQ-0001", "focus", "distracted", None)):
        as_ = "admin" if no.startswith("BSQ") else "lead"
        ids.append(api.post("/api/v1/events", deduction(no, item, rule, points=pts), as_=as_).json["id"])
    api.post(f"/api/v1/events/{ids[1]}/revoke", {"reason": "误录"}, as_="supervisor")
    api.post("/api/v1/periods/JRJ/2026-10/close", as_="manager")
    api.post("/api/v1/events", deduction("JRJ-0003", "focus", "distracted", day="2026-09-03"), as_="lead")
    runner.drain()
    published = snapshot(api.db)
    assert published["scores"] and published["rankings"] and published["annual"]
    rebuild(api.db, CLOCK)  # throws the read models away; the log is the truth
    assert snapshot(api.db) == published


def test_stored_finals_equal_the_pure_fold_over_the_log(api, runner):
    for n in range(3):
        api.post("/api/v1/events", deduction("JRJ-0001", "civility", "complaint", points=3 + n), as_="lead")
    runner.drain()
    with api.db.read() as conn:
        template = org.template_for(conn, "cs-staff", "2026-10")
        events = EventStore(conn).query(employee="JRJ-0001", limit=1000)
    expected = score_month(template, "JRJ-0001", "2026-10", events)
    # complaints 3 + 4 + 5 = 12 on the 10-point civility item: capped at 0, so S = 90
    assert score_row(api.db, "JRJ-0001").final == expected.final == Decimal("90")


def test_the_month_end_schedule_closes_last_month_for_every_project(api, runner):
    from datetime import datetime

    from shared.commands.periods import close_previous_month_for_all
    from shared.domain.periods import TZ

    # 1 November 01:00 in Shanghai is still 31 October in UTC: the close is for October.
    now = datetime(2026, 11, 1, 1, 0, tzinfo=TZ)
    task_ids = close_previous_month_for_all(api.db, now)
    runner.drain()
    with api.db.read() as conn:
        assert org.is_closed(conn, "JRJ", "2026-10") and org.is_closed(conn, "BSQ", "2026-10")
        assert not org.is_closed(conn, "JRJ", "2026-11")
        states = {get_task(conn, t)["state"] for t in task_ids}
    assert len(task_ids) == 2 and states == {"SUCCESS"}


def test_an_archive_export_copies_events_with_their_hashes_and_deletes_nothing(api, runner, tmp_path):
    import json

    from jixiao.archive import export_archive

    api.post("/api/v1/events", deduction("JRJ-0001", "attendance", "late"), as_="lead")
    runner.drain()
    before = api.event_count()
    manifest = export_archive(api.db, tmp_path / "archive", "2026")
    lines = (tmp_path / "archive" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    exported = [json.loads(line) for line in lines]
    assert manifest["counts"]["events"] == len(exported)
    assert all(e["period"].startswith("2026") for e in exported)  # only 2026's periods
    deductions = [e for e in exported if e["type"] == "deduction"]
    assert len(deductions) == 1 and deductions[0]["payload"]["evidence"] == "检查记录"
    assert len(deductions[0]["hash"]) == 64 and len(deductions[0]["prev_hash"]) == 64
    assert manifest["counts"]["scores"] >= 1 and api.event_count() == before
