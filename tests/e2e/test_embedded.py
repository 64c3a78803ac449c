"""The embedded default as a user runs it: `jixiao serve`, then HTTP and the CLI."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import requests

from tests.e2e.conftest import BIN
from tests.integration.distributed import wait_for

DEDUCTION = {"type": "deduction", "employee": "JRJ-0001", "item": "attendance", "rule": "late",
             "occurred_on": "2026-10-14", "count": 2, "evidence": "10/14 考勤记录迟到两次"}


def setup_org(app) -> None:
    assert app.post("/api/v1/projects", {"code": "JRJ", "name": "金融街项目"}).status_code == 201
    for no in ("JRJ-0001", "JRJ-0002", "JRJ-0003"):
        r = app.post("/api/v1/employees", {"employee_no": no, "name": f"员工{no[-1]}", "project": "JRJ",
                                           "department": "客服部", "position": "客服专员", "template": "cs-staff",
                                           "effective_from": "2026-01"})
        assert r.status_code == 201, r.text


def test_a_month_end_to_end_over_http_with_in_process_scoring(embedded):
    setup_org(embedded)
    created = embedded.post("/api/v1/events", DEDUCTION)
    assert created.status_code == 201 and created.json()["position"] > 0
    # 2 × late (fixed 2) = 4 points off attendance; no self-assessment → final = S = 96
    wait_for(lambda: embedded.get("/api/v1/scores/JRJ-0001/2026-10").json().get("final") == 96.0, 30,
             "the in-process worker to score the deduction")
    task = embedded.post("/api/v1/periods/JRJ/2026-10/close").json()["task_id"]
    wait_for(lambda: embedded.get(f"/api/v1/tasks/{task}").json()["state"] == "SUCCESS", 60, "the close")
    ranking = embedded.get("/api/v1/rankings?project=JRJ&department=客服部&period=2026-10").json()
    assert [(r["employee"], r["rank"]) for r in ranking["rows"]][-1] == ("JRJ-0001", 3)
    sheet = embedded.get("/reports/sheet/JRJ-0001/2026-10.html")
    assert sheet.status_code == 200 and "员工月绩效考核记录表" in sheet.text and "考勤记录迟到两次" in sheet.text
    assert embedded.get("/healthz").json()["status"] == "ok"


def test_jixiao_rebuild_publishes_the_same_results_again_with_a_progress_bar(embedded):
    setup_org(embedded)
    embedded.post("/api/v1/events", DEDUCTION)
    wait_for(lambda: embedded.get("/api/v1/scores/JRJ-0001/2026-10").json().get("final") == 96.0, 30,
             "the in-process worker to score the deduction")
    before = embedded.get("/api/v1/scores?project=JRJ&period=2026-10").json()["results"]
    done = embedded.cli("rebuild")
    assert done.returncode == 0, done.stderr
    assert "rebuilt up to position" in done.stdout and "scores" in done.stdout  # the stage's bar
    after = embedded.get("/api/v1/scores?project=JRJ&period=2026-10").json()["results"]
    assert [(r["employee"], r["final"]) for r in after] == [(r["employee"], r["final"]) for r in before]
    assert {r["revision"] for r in after} == {1}  # published afresh: each score's first revision


def test_a_person_signs_in_to_the_web_app_with_an_account_made_by_hr(embedded):
    import re

    setup_org(embedded)
    made = subprocess.run([str(BIN), "user", "create", "--username", "JRJ-0001", "--role", "employee",
                           "--password-stdin"], input="e2e-password\n", env=embedded.env, cwd=embedded.cwd,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    embedded.post("/api/v1/events", DEDUCTION)
    browser = requests.Session()
    form = browser.get(embedded.web + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed = browser.post(embedded.web + "/login", data={"username": "JRJ-0001", "password": "e2e-password",
                                                         "csrf_token": token}, timeout=10, allow_redirects=False)
    assert signed.status_code == 303, signed.text
    wait_for(lambda: browser.get(embedded.web + "/reports/sheet/JRJ-0001/2026-10.html", timeout=10).status_code
             == 200, 30, "the sheet to be published")
    assert browser.get(embedded.web + "/reports/sheet/JRJ-0002/2026-10.html", timeout=10).status_code == 403


def test_a_token_made_by_the_cli_works_over_http_within_its_scope(embedded):
    setup_org(embedded)
    made = embedded.cli("token", "create", "--user", "lead-jrj", "--role", "lead", "--project", "JRJ")
    assert made.returncode == 0, made.stderr
    lead = made.stdout.strip().splitlines()[-1]
    assert embedded.post("/api/v1/events", DEDUCTION, token=lead).status_code == 201
    assert embedded.post("/api/v1/projects", {"code": "X", "name": "x"}, token=lead).status_code == 403
    assert embedded.post("/api/v1/events", DEDUCTION, token="jx_wrong").status_code == 401


def test_verify_passes_on_an_intact_chain_and_names_the_tampered_event(embedded, tmp_path):
    setup_org(embedded)
    pos = embedded.post("/api/v1/events", DEDUCTION).json()["position"]
    ok = embedded.cli("verify")
    assert ok.returncode == 0 and "chain intact" in ok.stdout
    db = sqlite3.connect(Path(tmp_path) / "var" / "jixiao.db")
    db.executescript("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
    db.execute("UPDATE events SET payload = json_set(payload, '$.count', 1) WHERE position = ?", (pos,))
    db.commit()
    db.close()
    bad = embedded.cli("verify")
    assert bad.returncode == 1 and f"position {pos}" in bad.stderr


def test_recompute_from_the_cli_reports_progress_and_finishes(embedded):
    setup_org(embedded)
    embedded.post("/api/v1/events", DEDUCTION)
    done = embedded.cli("recompute", "--period", "2026-10", "--project", "JRJ")
    assert done.returncode == 0, done.stderr
    assert "done:" in done.stdout and "'employees': 3" in done.stdout


def test_every_subcommand_explains_itself():
    for args in (["--help"], ["serve", "--help"], ["worker", "--help"], ["beat", "--help"], ["db", "upgrade", "--help"],
                 ["token", "create", "--help"], ["demo", "--help"], ["recompute", "--help"], ["verify", "--help"],
                 ["export", "--help"]):
        r = subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "Usage:" in r.stdout, args


def test_an_unreachable_database_names_its_url_and_what_to_do(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://jixiao:secret@127.0.0.1:1/jixiao"}
    r = subprocess.run([str(BIN), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode != 0
    assert "127.0.0.1:1/jixiao" in r.stderr and "secret" not in r.stderr and "DATABASE_URL" in r.stderr
