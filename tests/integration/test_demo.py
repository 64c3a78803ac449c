"""The demo group (`jixiao demo`), loaded through the real commands on both backends.

A load is the expensive part, so each backend is loaded once for the module; the two
loads go into two fresh databases and must publish the same finals, bit for bit.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from demo.load import DemoSummary, load_demo
from shared import org
from shared.clock import Clock
from shared.db import Database
from shared.eventstore import EventStore
from shared.seeding import install_seed_templates
from shared.tables import (
    annual_scores,
    employees,
    events,
    period_closures,
    rankings,
    score_revisions,
    scores,
)
from tests.conftest import drop_pg_database, new_pg_database

TODAY = date(2026, 11, 23)
MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
CLOSED, OPEN = MONTHS[:-1], MONTHS[-1]
PROJECTS = ("JRJ", "BSQ", "YHY")


@dataclass
class Loaded:
    db: Database
    summary: DemoSummary
    seconds: float


@pytest.fixture(scope="module")
def loaded(pg_template: str, sqlite_template: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Loaded]]:
    path = tmp_path_factory.mktemp("demo") / "jixiao.db"
    shutil.copy(sqlite_template, path)
    pg_url = new_pg_database(pg_template)
    out: dict[str, Loaded] = {}
    try:
        for backend, url in (("sqlite", f"sqlite:///{path}"), ("postgres", pg_url)):
            db = Database(url)
            if backend == "postgres":
                install_seed_templates(db)  # as `jixiao db upgrade` does; load_demo copes either way
            start = time.perf_counter()
            out[backend] = Loaded(db, load_demo(db, Clock(TODAY)), time.perf_counter() - start)
        yield out
    finally:
        for demo in out.values():
            demo.db.dispose()
        drop_pg_database(pg_url)


@pytest.fixture(params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, loaded: dict[str, Loaded]) -> Loaded:
    return loaded[request.param]


def test_the_group_has_three_projects_and_over_forty_employees(demo):
    assert demo.summary.projects == PROJECTS and not demo.summary.already_loaded
    with demo.db.read() as conn:
        staff = conn.execute(select(employees)).all()
    assert len(staff) == demo.summary.employees >= 40
    assert all(re.fullmatch(r"(JRJ|BSQ|YHY)-\d{4}", e.employee_no) for e in staff)
    assert len({e.name for e in staff}) == len(staff)
    templates = {(e.position, e.template) for e in staff}
    assert {("客服专员", "cs-staff"), ("管家", "cs-staff"), ("客服主管", "cs-supervisor-monthly"),
            ("服务中心主任", "service-center-director"), ("线上客服专员", "cs-online")} <= templates
    assert {e.department for e in staff} >= {"客服部", "管家部", "客服中心"}


def test_each_of_six_months_has_incidents_and_all_but_the_latest_are_closed(demo):
    assert demo.summary.months == tuple(MONTHS) and demo.summary.closed_months == tuple(CLOSED)
    with demo.db.read() as conn:
        per_month = dict(conn.execute(select(events.c.period, func.count()).where(
            events.c.type == "deduction").group_by(events.c.period)).all())
        closed = set(conn.execute(select(period_closures.c.project, period_closures.c.period)).all())
        closed_on = dict(conn.execute(select(rankings.c.period, rankings.c.closed_on).where(
            rankings.c.project == "JRJ")).all())
    assert all(per_month.get(m, 0) >= 50 for m in MONTHS)
    assert closed == {(p, m) for p in PROJECTS for m in CLOSED}
    # closed as the beat closes them: on the 1st of the next month (Asia/Shanghai)
    assert closed_on["2026-09"] == date(2026, 10, 1) and closed_on[OPEN] is None


def test_the_hash_chain_is_intact(demo):
    with demo.db.read() as conn:
        store = EventStore(conn)
        checked, tampered = store.verify()
        assert tampered is None and checked == store.count() == demo.summary.events


def test_every_member_of_a_closed_month_has_a_score(demo):
    with demo.db.read() as conn:
        for project in PROJECTS:
            for period in CLOSED:
                members = {m.employee_no for m in org.members(conn, period, project)}
                scored = set(conn.execute(select(scores.c.employee).where(
                    scores.c.project == project, scores.c.period == period)).scalars())
                assert members and members == scored, (project, period)


def test_most_finals_are_85_to_100_and_a_few_are_excellent(demo):
    with demo.db.read() as conn:
        rows = conn.execute(select(scores.c.period, scores.c.final, scores.c.result)).all()
    in_band = [r for r in rows if 85 <= r.final <= 100]
    excellent = [r for r in rows if "excellent" in r.result["awards"]]
    assert len(in_band) >= 0.7 * len(rows)
    assert excellent and all(r.final > 100 and r.result["bonus"] > 0 for r in excellent)
    assert {r.period for r in excellent} & set(CLOSED)
    assert len(excellent) <= 0.1 * len(rows)


def test_one_employee_last_three_months_running_is_up_for_reassignment_review(demo):
    with demo.db.read() as conn:
        groups = conn.execute(select(rankings.c.rows).where(rankings.c.period == CLOSED[-1])).scalars().all()
    flagged = [row for rows in groups for row in rows if "reassignment_review" in row["consequences"]]
    assert len(flagged) == 1 and flagged[0]["last_streak"] >= 3
    assert "last_place" in flagged[0]["consequences"] and flagged[0]["payroll_adjustment"] == -100
    assert demo.summary.notable[0].employee == flagged[0]["employee"]
    assert "调岗审查" in demo.summary.notable[0].note


def test_revocations_carry_reasons_and_do_not_count(demo):
    with demo.db.read() as conn:
        revocations = conn.execute(select(events).where(events.c.type == "revocation")).all()
        assert len(revocations) >= 4
        assert any("误录" in r.payload["reason"] for r in revocations)
        assert any("考勤机故障" in r.payload["reason"] for r in revocations)
        for r in revocations:
            result = conn.execute(select(scores.c.result).where(
                scores.c.employee == r.employee, scores.c.period == r.period)).scalar()
            counted = {d["event_id"] for item in result["items"] for d in item["deductions"]}
            assert r.payload["event_id"] not in counted and r.id in result["event_ids"]
        # the correction made after the close published a second revision, naming its cause
        causes = [rev.cause_event_ids for rev in conn.execute(
            select(score_revisions).where(score_revisions.c.revision > 1))]
    assert any(r.id in c for r in revocations for c in causes)


def test_appeals_sign_offs_and_improvement_plans_show_on_the_sheets(demo):
    from services.incidents.app import create_app as incidents_app
    from services.reports.app import create_app as reports_app
    from tests.conftest import ADMIN_TOKEN, settings

    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    incidents = incidents_app(settings(demo.db.url), demo.db).test_client()
    reports = reports_app(settings(demo.db.url), demo.db).test_client()
    decided = incidents.get("/api/v1/appeals?status=resolved", headers=auth).get_json()["results"]
    assert {a["decision"] for a in decided} == {"upheld", "rejected"}
    upheld = next(a for a in decided if a["decision"] == "upheld")
    assert upheld["event"]["revoked"] and upheld["resolved_by"].endswith(")")  # 姓名 (工号), not a token user
    sheet = reports.get(f"/reports/sheet/{upheld['employee']}/{upheld['period']}.html", headers=auth)
    assert "申诉成立" in sheet.get_data(as_text=True)
    statuses = [r["status"] for code in PROJECTS for month in CLOSED for r in reports.get(
        f"/api/v1/scores?project={code}&period={month}", headers=auth).get_json()["results"]]
    assert sum(s == "acknowledged" for s in statuses) >= 0.6 * len(statuses)
    opened = [r["status"] for code in PROJECTS for r in reports.get(
        f"/api/v1/scores?project={code}&period={OPEN}", headers=auth).get_json()["results"]]
    assert set(opened) <= {"draft", "self_assessed"}  # the open month stops before 经理初评
    with demo.db.read() as conn:
        groups = conn.execute(select(rankings.c.rows).where(rankings.c.period == OPEN)).scalars().all()
    statuses = {row["improvement_status"] for rows in groups for row in rows}
    assert "filed" in statuses


def test_a_correction_after_signing_asks_for_a_new_signature(demo):
    from services.reports.app import create_app as reports_app
    from tests.conftest import ADMIN_TOKEN, settings

    reports = reports_app(settings(demo.db.url), demo.db).test_client()
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    lapsed = [(code, month, r["employee"]) for code in PROJECTS for month in CLOSED for r in reports.get(
        f"/api/v1/scores?project={code}&period={month}", headers=auth).get_json()["results"]
        if "signature_lapsed" in r["flags"]]
    assert lapsed  # the demo's late corrections come after signatures
    _, month, employee = lapsed[0]
    page = reports.get(f"/reports/sheet/{employee}/{month}.html", headers=auth).get_data(as_text=True)
    assert "已更正，待重新签字" in page and "→" in page


def test_loading_again_adds_nothing(demo):
    again = load_demo(demo.db, Clock(TODAY))
    assert again.already_loaded and again.events == demo.summary.events
    assert again.notable == demo.summary.notable


def test_two_fresh_loads_publish_identical_finals(loaded):
    def published(db):
        with db.read() as conn:
            finals = {(r.employee, r.period): r.final for r in conn.execute(
                select(scores.c.employee, scores.c.period, scores.c.final))}
            ranked = {(r.project, r.department, r.template, r.period): r.rows for r in conn.execute(
                select(rankings.c.project, rankings.c.department, rankings.c.template, rankings.c.period,
                       rankings.c.rows))}
        return finals, ranked

    sqlite, postgres = published(loaded["sqlite"].db), published(loaded["postgres"].db)
    assert len(sqlite[0]) == len(postgres[0]) >= 40 * len(MONTHS)
    assert sqlite == postgres


def test_the_ledger_feeds_the_supervisors_revisit_rate_with_its_counts(demo):
    from services.reports.app import create_app as reports_app
    from tests.conftest import ADMIN_TOKEN, settings

    with demo.db.read() as conn:
        fed = conn.execute(select(events.c.employee, events.c.period, events.c.payload).where(
            events.c.type == "metric")).all()
        ledger = conn.execute(select(func.count()).select_from(events).where(
            events.c.type.in_(["complaint_received", "complaint_replied", "complaint_closed", "followup"]))).scalar()
    from_ledger = [r for r in fed if r.payload.get("source") == "投诉台账"]
    assert ledger > 100 and len(from_ledger) == len(PROJECTS) * len(CLOSED)  # one per 客服主管 and closed month
    worst = min(from_ledger, key=lambda r: float(r.payload["value"]))
    assert float(worst.payload["value"]) < 100 and "按时回访" in worst.payload["evidence"]
    reports = reports_app(settings(demo.db.url), demo.db).test_client()
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    sheet = reports.get(f"/reports/sheet/{worst.employee}/{worst.period}.html", headers=auth).get_data(as_text=True)
    assert "回访率" in sheet and "投诉台账" in sheet
    stats = reports.get(f"/api/v1/complaints/stats?project=JRJ&period={CLOSED[0]}", headers=auth).get_json()
    assert stats["received"] >= 4 and stats["closed"] >= 1


def test_every_composite_has_inspections_monthly_finals_and_a_year_end_review(demo):
    with demo.db.read() as conn:
        annuals = [r.result for r in conn.execute(select(annual_scores).where(annual_scores.c.year == "2026"))]
    assert len(annuals) == demo.summary.employees
    for doc in annuals:
        assert doc["flags"] == [], doc["employee"]
        counts = {c["code"]: c["count"] for c in doc["components"]}
        assert counts["inspections"] >= 2 and counts["monthly"] >= 1 and counts["year_end"] == 1
        assert doc["year_end_review"]["score"] >= 60
