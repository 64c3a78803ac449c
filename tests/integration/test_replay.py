"""The bulk replay (one pass over the log) publishes exactly what the incremental path
publishes, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench.generate import month_events, plan_org
from services.incidents.event_commands import RequestMeta, record_events
from services.incidents.org_commands import create_project, register_employee
from services.scoring.inprocess import InProcessRunner
from services.scoring.month_end import SYSTEM
from services.scoring.rebuild import rebuild_read_models, snapshot
from services.scoring.replay import NotEmpty, clear_read_models, replay_all
from shared.eventstore import EventStore
from shared.tables import checkpoints, score_revisions, scores


def deduction(no, item="attendance", rule="late", day="2026-10-14", **extra):
    return {"type": "deduction", "employee": no, "item": item, "rule": rule, "occurred_on": day,
            "evidence": "检查记录", **extra}


def revisions(db):
    """Every published revision, but for when it was published."""
    with db.read() as conn:
        return {(r.employee, r.period, r.revision): (r.old, r.new, r.old_final, r.new_final,
                                                     r.cause_event_ids, r.position)
                for r in conn.execute(select(score_revisions))}


def populate(api):
    """Deductions, a bonus, a self-assessment, sign-offs, a plan, a revocation, a transfer,
    a metric on a supervisor's rubric, and a closed month: every kind of read model input."""
    api.post("/api/v1/employees", {"employee_no": "JRJ-0009", "name": "主管", "project": "JRJ",
                                   "department": "客服部", "position": "客服主管",
                                   "template": "cs-supervisor-monthly"})
    for no, day in (("JRJ-0001", "2026-09-03"), ("JRJ-0001", "2026-10-14"), ("JRJ-0002", "2026-10-15"),
                    ("JRJ-0003", "2026-11-02")):
        assert api.post("/api/v1/events", deduction(no, day=day), as_="lead").status_code == 201
    wrong = api.post("/api/v1/events", deduction("JRJ-0002", "civility", "complaint", points=4),
                     as_="lead").get_json()["id"]
    api.post(f"/api/v1/events/{wrong}/revoke", {"reason": "误录"}, as_="supervisor")
    api.post("/api/v1/events", {"type": "bonus", "employee": "JRJ-0003", "bonus": "owner_praise",
                                "occurred_on": "2026-10-08", "points": 5, "evidence": "表扬"}, as_="lead")
    api.post("/api/v1/events", {"type": "self_assessment", "employee": "JRJ-0001", "period": "2026-10",
                                "scores": {"civility": 10, "patience": 10, "teamwork": 10, "duty_records": 10,
                                           "image": 10, "criticism": 5, "vigilance": 10, "attendance": 9,
                                           "learning": 5, "focus": 10, "obedience": 10}})
    api.post("/api/v1/events", {"type": "review", "employee": "JRJ-0001", "period": "2026-10",
                                "stage": "manager"}, as_="manager")
    api.post("/api/v1/events", {"type": "metric", "employee": "JRJ-0009", "item": "work_plan",
                                "rule": "plan_rate", "period": "2026-10", "value": 97.5}, as_="supervisor")
    api.post("/api/v1/periods/JRJ/2026-10/close", as_="manager")
    api.post("/api/v1/events", {"type": "improvement_plan", "employee": "JRJ-0001", "period": "2026-10",
                                "plan": "加强考勤"}, as_="supervisor")
    api.post("/api/v1/employees/BSQ-0001/transfer", {"project": "JRJ", "department": "客服部",
                                                     "effective_from": "2026-11"})
    api.post("/api/v1/events", deduction("BSQ-0001", day="2026-11-05"))
    api.post("/api/v1/events", deduction("BSQ-0001", day="2026-10-05"))


def test_the_bulk_replay_publishes_what_the_incremental_path_publishes(api):
    populate(api)
    InProcessRunner(api.db).drain()
    published = snapshot(api.db)
    assert published["scores"] and published["rankings"] and published["annual"]
    clear_read_models(api.db)
    stats = replay_all(api.db)
    assert snapshot(api.db) == published
    assert stats.perfect_months > 0 and stats.rankings > 0 and stats.annual > 0
    with api.db.read() as conn:
        head = EventStore(conn).count()
        assert conn.execute(select(checkpoints.c.position)).scalar() == head == stats.position
        revisions = {(r.employee, r.period): r for r in conn.execute(select(score_revisions))}
        stored = {(r.employee, r.period): r for r in conn.execute(select(scores))}
    assert revisions.keys() == stored.keys()  # each score published once, as first published
    for key, r in revisions.items():
        s = stored[key]
        assert (r.revision, r.old, r.old_final, r.new, r.new_final, r.position, r.created_at) == \
            (1, None, None, s.result, s.final, s.position, s.computed_at)
        assert r.cause_event_ids == s.result["event_ids"]
    clear_read_models(api.db)  # one process folding the whole log gives the same
    assert replay_all(api.db, workers=1).shards == 1
    assert snapshot(api.db) == published
    clear_read_models(api.db)  # and the incremental rebuild still agrees with both
    rebuild_read_models(api.db, InProcessRunner(api.db))
    assert snapshot(api.db) == published


def test_the_bulk_replay_refuses_read_models_that_are_not_empty(api):
    api.post("/api/v1/events", deduction("JRJ-0001"), as_="lead")
    InProcessRunner(api.db).drain()
    with pytest.raises(NotEmpty):
        replay_all(api.db)


def test_a_generated_quarter_replays_to_the_same_read_models(db):
    from shared.seeding import install_seed_templates

    install_seed_templates(db)
    group = plan_org(2, 12, seed=7)
    meta = RequestMeta("test")
    for code, name in group.projects:
        create_project(db, SYSTEM, {"code": code, "name": name}, meta)
    for person in group.people:
        register_employee(db, SYSTEM, person.registration(), meta)
    for month in ("2026-08", "2026-09", "2026-10"):
        bodies = month_events(group, month, 3.0, seed=7)
        for start in range(0, len(bodies), 500):
            record_events(db, SYSTEM, bodies[start:start + 500], meta, batch=True)
    runner = InProcessRunner(db)
    runner.drain()
    rebuild_read_models(db, runner)  # every month ranked, perfect months scored
    published = snapshot(db)
    clear_read_models(db)
    replay_all(db)
    assert snapshot(db) == published


def test_scoring_a_chunk_at_once_stores_what_scoring_each_employee_stores(api):
    from services.scoring.chunks import score_months
    from services.scoring.projection import score_employee_month
    from shared import org

    populate(api)
    with api.db.read() as conn:
        numbers = [m.employee_no for m in org.members(conn, "2026-10")] + ["NOBODY"]
    with api.db.update() as conn:
        for no in numbers:
            score_employee_month(conn, no, "2026-10")
    one_by_one = snapshot(api.db), revisions(api.db)
    clear_read_models(api.db)
    with api.db.update() as conn:
        scored = score_months(conn, numbers, "2026-10")
    assert (snapshot(api.db), revisions(api.db)) == one_by_one
    assert {s.employee for s in scored} == set(numbers) - {"NOBODY"}
