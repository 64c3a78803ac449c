"""The page a person opens: sign in with a token, browse the reports in scope."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from services.reports.app import create_app
from tests.conftest import ADMIN_TOKEN, make_runner, settings


@pytest.fixture
def browser(api):
    api.post("/api/v1/events", {"type": "deduction", "employee": "JRJ-0001", "item": "attendance",
                                "rule": "late", "occurred_on": "2026-10-03", "evidence": "迟到"}, as_="lead")
    api.post("/api/v1/events", {"type": "deduction", "employee": "BSQ-0001", "item": "attendance",
                                "rule": "late", "occurred_on": "2026-10-03", "evidence": "迟到"}, as_="admin")
    make_runner(api.db).drain()
    return create_app(settings(api.db.url), api.db).test_client()


def sign_in(client, token):
    return client.post("/login", data={"token": token})


def test_without_a_session_the_page_asks_for_a_token(browser):
    page = BeautifulSoup(browser.get("/").text, "html.parser")
    assert page.find("input", attrs={"name": "token", "type": "password"}) is not None


def test_a_bad_token_is_refused_and_sets_no_cookie(browser):
    r = sign_in(browser, "not-a-token")
    assert r.status_code == 303 and r.headers["Location"] == "/?failed=1"
    assert "Set-Cookie" not in r.headers


def test_signing_in_keeps_the_token_in_a_strict_http_only_cookie(api, browser):
    r = sign_in(browser, api.tokens["manager"])
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = BeautifulSoup(browser.get("/").text, "html.parser")
    links = {a["href"] for a in page.find_all("a")}
    assert "/reports/department/JRJ/%E5%AE%A2%E6%9C%8D%E9%83%A8/2026-10.html" in links
    assert not any("/BSQ/" in href for href in links)  # outside the manager's scope
    assert browser.get("/reports/department/JRJ/客服部/2026-10.html").status_code == 200
    assert browser.get("/reports/department/BSQ/客服部/2026-10.html").status_code == 403


def test_an_employee_sees_only_their_own_sheets(api, browser):
    sign_in(browser, api.tokens["employee"])
    page = BeautifulSoup(browser.get("/").text, "html.parser")
    hrefs = [a["href"] for a in page.find_all("a") if a["href"].startswith("/reports/")]
    assert hrefs and all("/JRJ-0001/" in h for h in hrefs)


def test_the_cookie_never_authorises_a_write(api, browser):
    from services.incidents.app import create_app as incidents_app

    writes = incidents_app(settings(api.db.url), api.db).test_client()
    writes.set_cookie("jixiao_token", ADMIN_TOKEN)
    before = api.event_count()
    r = writes.post("/api/v1/projects", json={"code": "XYZ", "name": "x"})
    assert r.status_code == 401 and api.event_count() == before


def test_signing_out_forgets_the_token(api, browser):
    sign_in(browser, api.tokens["manager"])
    browser.get("/logout")
    assert browser.get("/reports/department/JRJ/客服部/2026-10.html").status_code == 401
