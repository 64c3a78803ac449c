"""People's accounts and sessions, tokens that can be revoked (SPEC §1, §7.1), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from sqlalchemy import func, select, update

from jixiao.cli import main
from services.web.app import create_app as web_app
from shared.accounts import create_account
from shared.tables import accounts, sign_in_attempts, tokens, web_sessions
from tests.conftest import ADMIN_TOKEN, TODAY, settings
from tests.integration.conftest import assert_problem

PASSWORD = "correct-horse-9"


def cli(api, *args: str, stdin: str | None = None):
    env = {"DATABASE_URL": api.db.url, "JIXIAO_TODAY": TODAY.isoformat(), "JIXIAO_ADMIN_TOKEN": ADMIN_TOKEN}
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


@pytest.fixture
def browser(api):
    with api.db.write() as conn:
        create_account(conn, "mgr.wang", PASSWORD, "manager", ["JRJ"], display_name="王经理")
        create_account(conn, "JRJ-0001", PASSWORD, "employee")
    return web_app(settings(api.db.url, secret_key="test-secret"), api.db).test_client()


def csrf(client, path: str = "/login") -> str:
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    return str(page.find("input", attrs={"name": "csrf_token"})["value"])


def sign_in(client, username: str, password: str = PASSWORD, **headers: str):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf(client)},
                       headers=headers)


def attempts(api) -> int:
    with api.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(sign_in_attempts)).scalar() or 0)


# -- accounts from the command line -------------------------------------------------------------

def test_hr_creates_an_account_with_an_argon2id_hash(api):
    made = cli(api, "user", "create", "--username", "lead.li", "--role", "lead", "--project", "JRJ",
               "--name", "李领班", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    with api.db.read() as conn:
        stored = conn.execute(select(accounts.c.password_hash, accounts.c.display_name)
                              .where(accounts.c.username == "lead.li")).one()
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert stored.display_name == "李领班"
    employee = cli(api, "user", "create", "--username", "JRJ-0002", "--role", "employee", "--password-stdin",
                   stdin=PASSWORD + "\n")
    assert employee.exit_code == 0 and "李四 (JRJ-0002)" in employee.output  # named 姓名 (工号), scope JRJ


@pytest.mark.parametrize(("args", "says"), [
    (["--username", "JRJ-9999", "--role", "employee"], "未知工号"),
    (["--username", "x", "--role", "lead", "--project", "NOPE"], "未知项目"),
    (["--username", "x", "--role", "lead"], "至少一个项目"),
    (["--username", "JRJ-0002", "--role", "employee", "--employee", "JRJ-0003"], "用户名就是工号"),
])
def test_user_create_refuses_an_unknown_person_project_or_scope(api, args, says):
    made = cli(api, "user", "create", *args, "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code != 0 and says in made.output
    with api.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(accounts)).scalar() == 0


def test_an_unknown_role_is_refused_by_the_command_line(api):
    assert cli(api, "user", "create", "--username", "x", "--role", "boss", "--password-stdin",
               stdin=PASSWORD + "\n").exit_code != 0
    assert cli(api, "token", "create", "--user", "x", "--role", "boss", "--project", "JRJ").exit_code != 0


@pytest.mark.parametrize(("args", "says"), [
    (["--user", "JRJ-9999", "--role", "employee", "--project", "JRJ"], "未知工号"),
    (["--user", "lead-x", "--role", "lead", "--project", "XYZ"], "未知项目"),
])
def test_token_create_refuses_an_unknown_employee_or_project(api, args, says):
    with api.db.read() as conn:
        before = conn.execute(select(func.count()).select_from(tokens)).scalar()
    made = cli(api, "token", "create", *args)
    assert made.exit_code != 0 and says in made.output
    with api.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(tokens)).scalar() == before


def test_a_revoked_token_gets_401_at_once(api):
    token = cli(api, "token", "create", "--user", "JRJ-0001", "--role", "employee").stdout.strip()  # the DATABASE_URL line goes to stderr
    assert api.get("/api/v1/events", as_=token).status_code == 200
    listed = cli(api, "token", "list").output
    line = next(row for row in listed.splitlines() if "\tJRJ-0001\temployee\t" in row)  # newest first
    assert token not in listed  # the secret is never shown again
    token_id = line.split("\t")[0]
    assert cli(api, "token", "revoke", token_id).exit_code == 0
    assert_problem(api.get("/api/v1/events", as_=token), 401)
    assert "revoked" in cli(api, "token", "list").output.split(token_id)[1].splitlines()[0]
    assert cli(api, "token", "revoke", token_id).exit_code != 0  # already revoked


# -- signing in ----------------------------------------------------------------------------------

def test_signing_in_keeps_a_signed_session_id_and_never_a_token_in_the_cookie(api, browser):
    r = sign_in(browser, "mgr.wang")
    assert r.status_code == 303 and r.headers["Location"] == "/"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("jixiao_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert not value.startswith("jx_") and ADMIN_TOKEN not in value
    with api.db.read() as conn:
        [stored] = conn.execute(select(web_sessions.c.id_hash, web_sessions.c.account_id)
                                .where(web_sessions.c.account_id.is_not(None))).all()
    assert stored.id_hash not in value  # only the hash of the id is stored
    assert "王经理" in browser.get("/").get_data(as_text=True)


def test_a_session_reads_the_documents_in_scope_and_nothing_else(api, browser):
    from tests.conftest import make_runner

    make_runner(api.db).drain()
    sign_in(browser, "JRJ-0001")
    assert browser.get("/reports/sheet/JRJ-0001/2026-10.html").status_code == 200
    assert browser.get("/reports/sheet/JRJ-0002/2026-10.html").status_code == 403
    assert browser.get("/reports/payroll/JRJ/2026-10.csv").status_code == 403


def test_a_wrong_password_is_refused_and_counted(api, browser):
    r = sign_in(browser, "mgr.wang", "wrong-password")
    assert r.status_code == 401 and "用户名或密码错误" in r.get_data(as_text=True)
    assert "Set-Cookie" not in r.headers or "jixiao_session=;" not in r.headers["Set-Cookie"]
    assert attempts(api) == 1
    assert browser.get("/").status_code == 302  # still not signed in


def test_five_failures_within_15_minutes_lock_the_username_for_15_minutes(api, browser):
    for _ in range(5):
        assert sign_in(browser, "mgr.wang", "wrong-password").status_code == 401
    locked = sign_in(browser, "mgr.wang")  # even the right password
    assert locked.status_code == 423 and "锁定" in locked.get_data(as_text=True)
    assert sign_in(browser, "nobody", "x" * 8).status_code == 401  # other usernames are not affected
    for _ in range(5):
        sign_in(browser, "nobody", "x" * 8)
    assert sign_in(browser, "nobody", "x" * 8).status_code == 423  # unknown names lock alike
    with api.db.update() as conn:  # 16 minutes later
        conn.execute(update(sign_in_attempts).values(at=sign_in_attempts.c.at - timedelta(minutes=16)))
    assert sign_in(browser, "mgr.wang").status_code == 303


def test_sign_in_from_another_origin_is_refused(api, browser):
    r = sign_in(browser, "mgr.wang", Origin="https://evil.example")
    assert r.status_code == 403 and attempts(api) == 0
    assert browser.get("/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(api, browser):
    r = browser.post("/login", data={"username": "mgr.wang", "password": PASSWORD})
    assert r.status_code == 400 and attempts(api) == 0
    sign_in(browser, "mgr.wang")
    assert browser.post("/logout").status_code == 400  # no token: not signed out
    assert browser.get("/").status_code == 200


def test_a_session_ends_after_12_hours_idle(api, browser):
    sign_in(browser, "mgr.wang")
    assert browser.get("/").status_code == 200
    with api.db.update() as conn:
        conn.execute(update(web_sessions).values(last_seen=datetime.now(UTC) - timedelta(hours=12, minutes=1)))
    assert browser.get("/").status_code == 302


def test_disabling_an_account_ends_its_sessions_at_once(api, browser):
    sign_in(browser, "mgr.wang")
    assert cli(api, "user", "disable", "mgr.wang").exit_code == 0
    assert browser.get("/").status_code == 302
    assert sign_in(browser, "mgr.wang").status_code == 401
    assert cli(api, "user", "reset-password", "mgr.wang", "--password-stdin", stdin="new-password-1\n").exit_code == 0
    assert sign_in(browser, "mgr.wang", "new-password-1").status_code == 303


def test_signing_out_ends_the_session_in_the_database(api, browser):
    sign_in(browser, "mgr.wang")
    token = csrf(browser, "/")
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 303
    with api.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(web_sessions)
                            .where(web_sessions.c.account_id.is_not(None))).scalar() == 0
    assert browser.get("/").status_code == 302


def test_the_session_cookie_never_authorises_an_api_write(api, browser):
    from services.incidents.app import create_app as incidents_app

    sign_in(browser, "mgr.wang")
    session_cookie = browser.get_cookie("jixiao_session")
    writes = incidents_app(settings(api.db.url), api.db).test_client()
    writes.set_cookie("jixiao_session", session_cookie.value)
    before = api.event_count()
    r = writes.post("/api/v1/events", json={"type": "deduction", "employee": "JRJ-0001", "item": "attendance",
                                           "rule": "late", "occurred_on": "2026-10-03", "evidence": "x"})
    assert r.status_code == 401 and api.event_count() == before


def test_documents_name_the_signer_by_name_never_by_a_token_user(api):
    from services.reports.app import create_app as reports_app
    from tests.conftest import make_runner

    api.tokens["gm-token"] = api.token("gm-jrj", "gm", "JRJ")  # an integration's token, no person behind it
    with api.db.write() as conn:
        create_account(conn, "gm-jrj", PASSWORD, "gm", ["JRJ"], display_name="赵总经理")
    api.post("/api/v1/periods/JRJ/2026-10/close", as_="manager")
    make_runner(api.db).drain()
    api.post("/api/v1/events", {"type": "review", "employee": "JRJ-0001", "period": "2026-10",
                                "stage": "manager"}, as_="manager")
    api.post("/api/v1/events", {"type": "review", "employee": "JRJ-0001", "period": "2026-10",
                                "stage": "gm"}, as_="gm-token")
    page = reports_app(settings(api.db.url), api.db).test_client().get(
        "/reports/sheet/JRJ-0001/2026-10.html", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    text = BeautifulSoup(page.get_data(as_text=True), "html.parser").get_text()
    assert "赵总经理" in text and "gm-jrj" not in text
