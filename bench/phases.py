"""The measured phases after ingest: single writes, month-end close, late corrections, reports."""

from __future__ import annotations

import random
import time
from typing import Any

from sqlalchemy import delete, func, select

from bench.client import Api, BenchError, path, percentile, timed
from bench.generate import DEPARTMENT, Org
from bench.topology import Topology, wait_for
from shared.db import Database
from shared.tables import events, ranking_revisions, rankings, score_revisions, scores, tasks

CORRECTION_ITEM = ("attendance", "late")  # a fixed rule every cs-staff rubric has


def _deduction(no: str, day: str, n: int) -> dict[str, Any]:
    return {"type": "deduction", "employee": no, "item": CORRECTION_ITEM[0], "rule": CORRECTION_ITEM[1],
            "occurred_on": day, "evidence": f"{day} 考勤机记录迟到 (bench {n})", "source": "考勤记录"}


def _staff(org: Org, project: str) -> list[str]:
    return [p.employee_no for p in org.people if p.project == project and p.template == "cs-staff"]


def single_posts(lead: Api, org: Org, month: str, n: int, seed: int) -> dict[str, float]:
    """`n` sequential POST /api/v1/events by a project's 领班: latency p50/p95 in ms."""
    rng = random.Random(f"{seed}:single")
    staff = _staff(org, org.projects[0][0])
    bodies = [_deduction(rng.choice(staff), f"{month}-{rng.randint(1, 28):02d}", i) for i in range(n)]
    ms = [timed(lambda b=b: lead.post("/api/v1/events", b)) for b in bodies]  # type: ignore[misc]
    return {"n": n, "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}


def revocations(supervisor: Api, db: Database, keys: list[str]) -> dict[str, float]:
    """Revoke the events written under `keys` one by one: latency p50/p95 in ms."""
    with db.read() as conn:
        ids = conn.execute(select(events.c.id).where(events.c.idempotency_key.in_(keys))).scalars().all()
    ms = [timed(lambda i=i: supervisor.post(f"/api/v1/events/{i}/revoke", {"reason": "误录,撤销"}))  # type: ignore[misc]
          for i in sorted(ids)]
    return {"n": len(ms), "p50_ms": percentile(ms, 50) if ms else 0.0,
            "p95_ms": percentile(ms, 95) if ms else 0.0}


def cold_month(db: Database, month: str) -> None:
    """Throw a month's read models away, so its close starts from nothing."""
    with db.update() as conn:
        for table in (scores, score_revisions, rankings, ranking_revisions):
            conn.execute(delete(table).where(table.c.period == month))


def relay_idle(db: Database) -> bool:
    """The relay has passed the head of the log and no task is waiting."""
    from shared.tables import checkpoints

    with db.read() as conn:
        head = conn.execute(select(func.max(events.c.position))).scalar() or 0
        seen = conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == "relay")).scalar() or 0
        busy = conn.execute(select(func.count()).select_from(tasks)
                            .where(tasks.c.state.not_in(["SUCCESS", "FAILURE"]))).scalar()
    return int(seen) >= int(head) and not busy


def close_month(admin: Api, db: Database, org: Org, month: str, timeout: float) -> dict[str, float]:
    """Close `month` for every project (cold), wait until every task succeeded: seconds."""
    wait_for(lambda: relay_idle(db), timeout, "the relay to be idle before the close", every=0.1)
    cold_month(db, month)
    started = time.perf_counter()
    ids = [admin.post(f"/api/v1/periods/{code}/{month}/close")["task_id"] for code, _ in org.projects]

    def done() -> bool:
        with db.read() as conn:
            states = conn.execute(select(tasks.c.state).where(tasks.c.id.in_(ids))).scalars().all()
        if "FAILURE" in states:
            raise BenchError(f"a close task of {month} failed")
        return len(states) == len(ids) and set(states) == {"SUCCESS"}

    wait_for(done, timeout, f"the close of {month}", every=0.05)
    seconds = time.perf_counter() - started
    with db.read() as conn:
        scored = conn.execute(select(func.count()).select_from(scores).where(scores.c.period == month)).scalar()
    if int(scored or 0) != len(org.people):
        raise BenchError(f"close of {month} scored {scored} of {len(org.people)} employees")
    return {"seconds": seconds, "projects": len(ids), "employees": int(scored or 0)}


def score_position(reports: Api | None, db: Database, no: str, month: str) -> int:
    if reports is not None:
        r = reports.get(f"/api/v1/scores/{path(no, month)}")
        return int(r.json()["position"]) if r.status_code == 200 else 0
    with db.read() as conn:
        pos = conn.execute(select(scores.c.position).where(scores.c.employee == no, scores.c.period == month)).scalar()
    return int(pos or 0)


def corrections(manager: Api, reports: Api | None, db: Database, org: Org, month: str, n: int,
                timeout: float) -> dict[str, Any]:
    """A manager's deduction, then its revocation, in a closed month: seconds until readable."""
    staff = _staff(org, org.projects[0][0])
    seconds: list[float] = []
    for i in range(n):
        no = staff[(7 * i + 3) % len(staff)]
        started = time.perf_counter()
        posted = manager.post("/api/v1/events", _deduction(no, f"{month}-20", 10_000 + i))
        wait_for(lambda: score_position(reports, db, no, month) >= posted["position"], timeout,  # noqa: B023
                 f"the correction of {no} to be readable", every=0.01)
        seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        revoked = manager.post(f"/api/v1/events/{posted['id']}/revoke", {"reason": "更正:考勤机故障"})
        wait_for(lambda: score_position(reports, db, no, month) >= revoked["position"], timeout,  # noqa: B023
                 f"the revocation for {no} to be readable", every=0.01)
        seconds.append(time.perf_counter() - started)
    return {"n": len(seconds), "p50_s": percentile(seconds, 50), "max_s": max(seconds),
            "read_via": "GET /api/v1/scores/{no}/{period}" if reports else "scores table"}


def report_timings(reader: Api, org: Org, month: str, n: int) -> dict[str, dict[str, Any]]:
    """p50/p95 of the department HTML/XLSX and the annual XLSX of a full project."""
    project = org.projects[0][0]
    urls = {
        "department_html": f"/reports/department/{path(project, DEPARTMENT, month)}.html",
        "department_xlsx": f"/reports/department/{path(project, DEPARTMENT, month)}.xlsx",
        "annual_xlsx": f"/reports/annual/{path(project, month[:4])}.xlsx",
    }
    out: dict[str, dict[str, Any]] = {}
    for name, url in urls.items():
        first = reader.get(url)
        if first.status_code != 200:
            out[name] = {"available": False, "status": first.status_code}
            continue
        ms = [timed(lambda u=url: _ok(reader, u)) for _ in range(n)]  # type: ignore[misc]
        out[name] = {"available": True, "n": n, "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
                     "bytes": len(first.content)}
    return out


def _ok(api: Api, url: str) -> None:
    r = api.get(url)
    if r.status_code != 200:
        raise BenchError(f"GET {url} -> {r.status_code}")
    r.content  # noqa: B018 - read the whole body


def has_route(topology: Topology, openapi_path: str) -> bool:
    """Whether the reports service serves `openapi_path` yet (it may still be under construction)."""
    import requests

    try:
        spec = requests.get(topology.reports_url + "/openapi.json", timeout=10).json()
    except (requests.RequestException, ValueError):
        return False
    return openapi_path in spec.get("paths", {})
