"""The distributed topology from local processes (scripts/topology.sh, as docker-compose
runs it): gunicorn incidents and reports, two scoring workers and a beat against one
PostgreSQL and one Redis, driven through a month end over HTTP."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import RUN_ID, TODAY
from tests.e2e.conftest import Running, ready, start, stop
from tests.e2e.test_embedded import DEDUCTION, setup_org
from tests.integration.distributed import clear_prefix, free_port, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def topology(pg_url: str, tmp_path: Path):
    ip, rp = free_port(), free_port()
    prefix = f"jixiao-e2e-{RUN_ID}"
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS, "JIXIAO_REDIS_PREFIX": prefix,
           "INCIDENTS_PORT": str(ip), "REPORTS_PORT": str(rp), "JIXIAO_ADMIN_TOKEN": "topo-" + RUN_ID,
           "JIXIAO_WORKERS": "2", "JIXIAO_TODAY": TODAY.isoformat()}
    log = tmp_path / "topology.log"
    proc = start(["bash", str(ROOT / "scripts" / "topology.sh")], env, log, ROOT)
    running = Running(proc, f"http://127.0.0.1:{ip}", f"http://127.0.0.1:{rp}", env["JIXIAO_ADMIN_TOKEN"],
                      env, log, tmp_path)
    try:
        wait_for(lambda: ready(running.incidents) and ready(running.reports), 90, "the topology to be ready")
        yield running
    finally:
        stop(proc)
        clear_prefix(REDIS, prefix)


def test_one_month_end_to_end_over_http_on_the_distributed_topology(topology):
    assert topology.get("/readyz").json()["checks"] == {"database": True, "broker": True}
    setup_org(topology)
    assert topology.post("/api/v1/events", DEDUCTION).status_code == 201
    bonus = {"type": "bonus", "employee": "JRJ-0002", "bonus": "owner_praise", "occurred_on": "2026-10-08",
             "points": 3, "evidence": "业主书面表扬"}
    assert topology.post("/api/v1/events", bonus).status_code == 201
    # The workers, not the web process, score: JRJ-0001 loses 4 → 96; JRJ-0002 gains 3 → 103 (优秀员工).
    wait_for(lambda: topology.get("/api/v1/scores/JRJ-0002/2026-10").json().get("final") == 103.0, 60,
             "a worker to score the bonus")
    task = topology.post("/api/v1/periods/JRJ/2026-10/close").json()["task_id"]
    wait_for(lambda: topology.get(f"/api/v1/tasks/{task}").json()["state"] == "SUCCESS", 90, "the close")
    rows = topology.get("/api/v1/rankings?project=JRJ&department=客服部&period=2026-10").json()["rows"]
    assert [(r["employee"], r["final"], r["payroll_adjustment"]) for r in rows] == \
        [("JRJ-0002", 103.0, 100.0), ("JRJ-0003", 100.0, 0.0), ("JRJ-0001", 96.0, -100.0)]
    payroll = topology.get("/reports/payroll/JRJ/2026-10.csv")
    assert payroll.status_code == 200 and payroll.content.startswith(b"\xef\xbb\xbf")
    assert "JRJ-0001" in payroll.content.decode("utf-8-sig")
    assert "Acquired lock" in topology.log.read_text()  # the one beat holds the redbeat lock
