"""The distributed path for real: PostgreSQL, Redis and `jixiao worker` processes.

No eager mode, no fakes: tasks cross a real broker to real worker processes, which
are killed with SIGKILL, duplicated and starved of Redis, and the read models must
still equal a clean replay of the log.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.incidents.app import create_app
from services.incidents.org_commands import create_project, register_employee
from services.scoring.celery_app import make_celery
from services.scoring.domain.monthly import score_month
from shared import org
from shared.commands.meta import RequestMeta
from shared.commands.periods import SYSTEM
from shared.db import Database
from shared.eventstore import EventStore
from shared.seeding import install_seed_templates
from shared.tables import rankings, score_revisions, scores
from shared.tasklog import get_task
from tests.conftest import ADMIN_TOKEN, CLOCK, RUN_ID, TODAY, settings
from tests.integration.distributed import RedisServer, Service, clear_prefix, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
PERIOD = "2026-10"
SHARED_REDIS = "redis://127.0.0.1:6379/0"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class Cluster:
    def __init__(self, db: Database, redis_url: str, prefix: str, tmp: Path) -> None:
        self.db, self.redis_url, self.prefix, self.tmp = db, redis_url, prefix, tmp
        self.settings = settings(db.url, redis_url=redis_url, redis_prefix=prefix)
        self.client = create_app(self.settings, db).test_client()
        self.services: list[Service] = []

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.db.url, "REDIS_URL": self.redis_url, "JIXIAO_REDIS_PREFIX": self.prefix,
                "JIXIAO_TASK_STALE_SECONDS": "4", "JIXIAO_VISIBILITY_TIMEOUT": "30",
                "JIXIAO_TASK_TIME_LIMIT": "20", "JIXIAO_RELAY_INTERVAL": "0.2",
                "JIXIAO_BEAT_LOCK_TIMEOUT": "6", "JIXIAO_TODAY": TODAY.isoformat()}

    def start(self, command: str, *args: str) -> Service:
        n = len(self.services)
        svc = Service([command, *args], self.env(), self.tmp / f"{command}-{n}.log")
        self.services.append(svc)
        return svc

    def worker(self) -> Service:
        return self.start("worker", "--concurrency=1", f"--hostname=w{len(self.services)}@{RUN_ID}")

    def populate(self, employees: int, project: str = "JRJ") -> list[str]:
        meta = RequestMeta("test")
        create_project(self.db, SYSTEM, {"code": project, "name": "测试项目"}, meta)
        numbers = [f"{project}-{i:04d}" for i in range(1, employees + 1)]
        for no in numbers:
            register_employee(self.db, SYSTEM, {"employee_no": no, "name": f"员工{no[-4:]}", "project": project,
                                                "department": "客服部", "position": "客服专员",
                                                "template": "cs-staff", "effective_from": PERIOD}, meta,
                              CLOCK.now())
        self.record([deduction(no, i) for i, no in enumerate(numbers) if i % 3])
        return numbers

    def record(self, bodies: list[dict]) -> None:
        for start in range(0, len(bodies), 1000):
            r = self.client.post("/api/v1/events/batch", json={"events": bodies[start:start + 1000]}, headers=AUTH)
            assert r.status_code == 201, r.json

    def close(self, project: str = "JRJ") -> str:
        r = self.client.post(f"/api/v1/periods/{project}/{PERIOD}/close", headers=AUTH)
        assert r.status_code == 202, r.json
        return str(r.json["task_id"])

    def task(self, task_id: str) -> dict:
        with self.db.read() as conn:
            return get_task(conn, task_id) or {}

    def wait_task(self, task_id: str, timeout: float = 240) -> dict:
        wait_for(lambda: self.task(task_id).get("state") == "SUCCESS", timeout, f"task {task_id} to succeed")
        return self.task(task_id)

    def stop_all(self) -> None:
        for svc in self.services:
            svc.stop()


def deduction(no: str, i: int, rule: str = "late") -> dict:
    return {"type": "deduction", "employee": no, "item": "attendance", "rule": rule,
            "occurred_on": f"2026-10-1{i % 9}", "count": 1 + i % 4, "evidence": f"考勤记录 {i}"}


def clean_replay(db: Database, numbers: list[str]) -> dict[str, Decimal]:
    """What a replay from position 0 gives: the pure fold over each employee's log."""
    with db.read() as conn:
        template = org.template_for(conn, "cs-staff", PERIOD)
        assert template is not None
        store = EventStore(conn)
        return {no: score_month(template, no, PERIOD, store.query(employee=no, limit=100_000)).final
                for no in numbers}


def stored_finals(db: Database) -> dict[str, Decimal]:
    with db.read() as conn:
        return {r.employee: r.final for r in conn.execute(select(scores.c.employee, scores.c.final)
                                                           .where(scores.c.period == PERIOD))}


def revision_counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        rows = conn.execute(select(score_revisions.c.employee, func.count())
                            .where(score_revisions.c.period == PERIOD).group_by(score_revisions.c.employee))
        return {r[0]: int(r[1]) for r in rows}


@pytest.fixture
def cluster(pg_url: str, tmp_path: Path):
    db = Database(pg_url)
    install_seed_templates(db)
    prefix = f"jixiao-test-{RUN_ID}-{tmp_path.name}"
    c = Cluster(db, SHARED_REDIS, prefix, tmp_path)
    yield c
    c.stop_all()
    clear_prefix(SHARED_REDIS, prefix)
    db.dispose()


def test_a_worker_closes_a_month_for_a_project(cluster):
    numbers = cluster.populate(40)
    cluster.worker()
    task = cluster.wait_task(cluster.close())
    assert task["progress"]["done"] == task["progress"]["total"] == 2  # one chunk of 40, then JRJ's ranking
    assert stored_finals(cluster.db) == clean_replay(cluster.db, numbers)
    with cluster.db.read() as conn:
        ranked = conn.execute(select(rankings.c.rows).where(rankings.c.project == "JRJ",
                                                            rankings.c.period == PERIOD)).scalar_one()
    assert len(ranked) == 40 and ranked[0]["rank"] == 1


def test_a_worker_killed_mid_close_is_replaced_and_the_scores_equal_a_clean_replay(cluster):
    numbers = cluster.populate(600)
    first = cluster.worker()
    task_id = cluster.close()
    wait_for(lambda: 0 < int(cluster.task(task_id).get("progress", {}).get("done") or 0), 120,
             "the first chunk to finish", every=0.05)
    first.kill()  # SIGKILL, worker and pool child alike, with chunks in flight
    progress = cluster.task(task_id)["progress"]
    assert progress["done"] < progress["total"], "the close finished before the kill; make it bigger"
    cluster.worker()
    task = cluster.wait_task(task_id)
    assert task["progress"]["done"] == task["progress"]["total"] == 7  # 6 chunks of 100, one ranking
    assert stored_finals(cluster.db) == clean_replay(cluster.db, numbers)
    # Work redone after the kill produced no second revision: each score changed once.
    assert set(revision_counts(cluster.db).values()) == {1}


def test_the_same_task_delivered_twice_changes_nothing_and_adds_no_revision(cluster):
    numbers = cluster.populate(60)
    cluster.worker()
    task_id = cluster.close()
    cluster.wait_task(task_id)
    before = (stored_finals(cluster.db), revision_counts(cluster.db))
    app = make_celery(cluster.settings, lambda: cluster.db)
    for _ in range(2):  # duplicated deliveries of a chunk, of a ranking job and of the whole task
        app.send_task("jixiao.score", args=[PERIOD, numbers[:50], task_id, 0])
        app.send_task("jixiao.score", args=[PERIOD, numbers[:50], None, None])
        app.send_task("jixiao.rank", args=["JRJ", PERIOD, task_id, 1])  # 60 people: chunk 0, ranking 1
        app.send_task("jixiao.run_task", args=[task_id])
    marker = "JRJ-0001"
    cluster.record([deduction(marker, 99, rule="early_leave")])  # a sentinel after the duplicates
    wait_for(lambda: stored_finals(cluster.db)[marker] != before[0][marker], 60, "the sentinel to be scored")
    after_finals, after_revisions = stored_finals(cluster.db), revision_counts(cluster.db)
    changed = {k for k in after_finals if after_finals[k] != before[0][k]}
    assert changed == {marker}
    assert {k: v for k, v in after_revisions.items() if k != marker} == \
        {k: v for k, v in before[1].items() if k != marker}
    assert after_revisions[marker] == before[1][marker] + 1


def test_writes_succeed_while_redis_is_down_and_scores_catch_up_when_it_returns(pg_url, tmp_path):
    db = Database(pg_url)
    install_seed_templates(db)
    broker = RedisServer(tmp_path)
    broker.start()
    cluster = Cluster(db, broker.url, f"jixiao-test-{RUN_ID}", tmp_path)
    try:
        numbers = cluster.populate(5)
        cluster.worker()
        wait_for(lambda: set(stored_finals(db)) >= {n for i, n in enumerate(numbers) if i % 3}, 60,
                 "the first scores")
        broker.stop()
        cluster.record([deduction(no, 7, rule="absence") for no in numbers])  # 201 with Redis down
        with db.read() as conn:
            assert EventStore(conn).count() > 0
        broker.start()
        expected = clean_replay(db, numbers)
        wait_for(lambda: stored_finals(db) == expected, 90, "scores to catch up after Redis returned")
    finally:
        cluster.stop_all()
        broker.stop()
        db.dispose()


def test_only_one_beat_runs_even_if_two_are_started(cluster):
    first = cluster.start("beat")
    second = cluster.start("beat")
    wait_for(lambda: "Acquired lock" in first.text() + second.text(), 30, "a beat to take the lock")
    import time

    time.sleep(3)
    holders = [b for b in (first, second) if "Acquired lock" in b.text()]
    assert len(holders) == 1
    standby = second if holders[0] is first else first
    holders[0].kill()
    wait_for(lambda: "Acquired lock" in standby.text(), 30, "the standby beat to take over")


def test_two_workers_share_one_close_and_agree_with_a_clean_replay(cluster):
    numbers = cluster.populate(300)
    cluster.worker()
    cluster.worker()
    task = cluster.wait_task(cluster.close())
    assert task["progress"]["done"] == task["progress"]["total"] == 4  # 3 chunks of 100, one ranking
    assert stored_finals(cluster.db) == clean_replay(cluster.db, numbers)
    assert set(revision_counts(cluster.db).values()) == {1}


def test_a_recompute_request_is_carried_out_by_a_worker(cluster):
    numbers = cluster.populate(10)
    cluster.worker()
    r = cluster.client.post("/api/v1/recompute", json={"period": PERIOD, "project": "JRJ"}, headers=AUTH)
    assert r.status_code == 202
    task = cluster.wait_task(r.json["task_id"])
    assert task["result"]["employees"] == 10
    assert stored_finals(cluster.db) == clean_replay(cluster.db, numbers)
