"""`jixiao rebuild` (one pass over the log, through the one scoring use case into the bulk
sink) publishes exactly what the incremental path publishes, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bench.generate import month_events, plan_org
from services.incidents.event_commands import record_events
from services.incidents.org_commands import create_project, register_employee
from services.scoring.rebuild import rebuild
from services.scoring.relay import OPENED, RELAY
from services.scoring.work import Worker
from shared import org
from shared.commands.meta import RequestMeta
from shared.commands.periods import SYSTEM
from shared.eventstore import EventStore
from shared.tables import checkpoints, ranking_revisions, rankings, score_revisions, scores
from tests.conftest import CLOCK, make_runner, snapshot


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
                                   "template": "cs-supervisor-monthly", "effective_from": "2026-09"})
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


def test_a_rebuild_publishes_what_the_incremental_path_publishes(api):
    populate(api)
    make_runner(api.db).drain()
    published = snapshot(api.db)
    assert published["scores"] and published["rankings"] and published["annual"]
    stats = rebuild(api.db, CLOCK)
    assert snapshot(api.db) == published
    assert stats.perfect_months > 0 and stats.rankings > 0 and stats.annual > 0
    with api.db.read() as conn:
        head = EventStore(conn).count()
        marks = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position)).all())
        revisions = {(r.employee, r.period): r for r in conn.execute(select(score_revisions))}
        stored = {(r.employee, r.period): r for r in conn.execute(select(scores))}
    assert marks == {RELAY: head, OPENED: 202611} and stats.position == head
    assert revisions.keys() == stored.keys()  # each score published once, as first published
    for key, r in revisions.items():
        s = stored[key]
        assert (r.revision, r.old, r.old_final, r.new, r.new_final, r.position, r.created_at) == \
            (1, None, None, s.result, s.final, s.position, s.computed_at)
        assert r.cause_event_ids == s.result["event_ids"]
    with api.db.read() as conn:
        ranked = {(r.project, r.department, r.template, r.period): r for r in conn.execute(select(rankings))}
        ranking_history = list(conn.execute(select(ranking_revisions)))
    # each ranking published once, as first published (like the scores): its rows, no causes
    assert sorted((r.project, r.department, r.template, r.period) for r in ranking_history) == sorted(ranked)
    for r in ranking_history:
        now = ranked[(r.project, r.department, r.template, r.period)]
        assert (r.revision, r.rows, r.closed_on, r.position, r.cause_event_ids, r.created_at) == \
            (1, now.rows, now.closed_on, now.position, [], now.computed_at)
    assert rebuild(api.db, CLOCK, workers=1).shards == 1  # one process folding the whole log: the same
    assert snapshot(api.db) == published
    assert make_runner(api.db).drain() == 0  # and the relay finds nothing left to do


def test_every_active_employee_has_a_result_for_every_month_of_their_employment(api):
    make_runner(api.db).drain()
    with api.db.read() as conn:
        months = {(r.employee, r.period) for r in conn.execute(select(scores.c.employee, scores.c.period))}
        people = org.load_people(conn)
    # the seeded staff start in 2026-01 (their rubric's first month); today is 2026-11-20
    expected = {(no, f"2026-{m:02d}") for no in people.employees for m in range(1, 12)}
    assert months == expected


def test_a_generated_quarter_rebuilds_to_the_same_read_models(db):
    from shared.seeding import install_seed_templates

    install_seed_templates(db)
    group = plan_org(2, 12, seed=7)
    meta = RequestMeta("test")
    for code, name in group.projects:
        create_project(db, SYSTEM, {"code": code, "name": name}, meta)
    for person in group.people:
        register_employee(db, SYSTEM, {**person.registration(), "effective_from": "2026-08"}, meta, CLOCK.now())
    for month in ("2026-08", "2026-09", "2026-10"):
        bodies = month_events(group, month, 3.0, seed=7)
        for start in range(0, len(bodies), 500):
            record_events(db, SYSTEM, bodies[start:start + 500], meta, batch=True)
    make_runner(db).drain()
    published = snapshot(db)
    rebuild(db, CLOCK)
    assert snapshot(db) == published


def test_scoring_a_chunk_at_once_stores_what_scoring_each_employee_stores(api):
    populate(api)
    with api.db.read() as conn:
        numbers = [m.employee_no for m in org.members(conn, "2026-10")] + ["NOBODY"]
    runner = make_runner(api.db)
    runner.drain()
    worker = Worker(api.db, CLOCK, runner)
    with api.db.update() as conn:  # forget October's scores, then publish them again
        conn.execute(scores.delete().where(scores.c.period == "2026-10"))
        conn.execute(score_revisions.delete().where(score_revisions.c.period == "2026-10"))
    for no in numbers:
        worker.score("2026-10", [no])
    one_by_one = snapshot(api.db), revisions(api.db)
    with api.db.update() as conn:
        conn.execute(scores.delete().where(scores.c.period == "2026-10"))
        conn.execute(score_revisions.delete().where(score_revisions.c.period == "2026-10"))
    scored = worker.score("2026-10", numbers)
    assert (snapshot(api.db), revisions(api.db)) == one_by_one
    assert scored == {"JRJ", "BSQ"}  # NOBODY is skipped; BSQ-0001 was still in BSQ in October
