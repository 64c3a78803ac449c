"""A real browser (Debian's chromium through Playwright) against `jixiao serve`: one browser per
test session, one context per person, screenshots of every main page for people to look at."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY
from tests.e2e.conftest import BIN, Running, ready, start, stop
from tests.integration.distributed import free_port, wait_for

CHROMIUM = os.environ.get("JIXIAO_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
PASSWORD = "browser-pass-1"
PHONE = {"width": 375, "height": 667}
# username: (role, projects); employees sign in with their 工号
ACCOUNTS = {"lead-jrj": ("lead", ["JRJ"]), "lead-bsq": ("lead", ["BSQ"]), "sup-jrj": ("supervisor", ["JRJ"]),
            "sup-bsq": ("supervisor", ["BSQ"]),
            "mgr-jrj": ("manager", ["JRJ"]),
            "gm-jrj": ("gm", ["JRJ"]), "JRJ-0001": ("employee", []), "JRJ-0002": ("employee", [])}
STAFF = [("JRJ-0001", "张三", "JRJ"), ("JRJ-0002", "李四", "JRJ"), ("JRJ-0003", "王五", "JRJ"),
         ("BSQ-0001", "赵六", "BSQ")]


class Site(Running):
    def events(self) -> int:
        """How many events the log holds (read straight from the embedded database)."""
        with sqlite3.connect(f"file:{self.cwd / 'var' / 'jixiao.db'}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM events").fetchone()[0])


def _setup(site: Site) -> None:
    for code, name in (("JRJ", "金融街项目"), ("BSQ", "碧水湾项目")):
        assert site.post("/api/v1/projects", {"code": code, "name": name}).status_code == 201
    for no, name, project in STAFF:
        r = site.post("/api/v1/employees", {"employee_no": no, "name": name, "project": project, "department": "客服部",
                                            "position": "客服专员", "template": "cs-staff", "effective_from": "2026-01"})
        assert r.status_code == 201, r.text
    for username, (role, projects) in ACCOUNTS.items():
        args = [str(BIN), "user", "create", "--username", username, "--role", role, "--password-stdin"]
        for p in projects:
            args += ["--project", p]
        made = subprocess.run(args, input=PASSWORD + "\n", env=site.env, cwd=site.cwd, capture_output=True,
                              text=True, timeout=60)
        assert made.returncode == 0, made.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`jixiao serve` on the embedded default, with two projects, four people and their accounts."""
    home = tmp_path_factory.mktemp("site")
    ip, rp, wp = free_port(), free_port(), free_port()
    token = "browser-admin-" + home.name
    env = {**os.environ, "INCIDENTS_PORT": str(ip), "REPORTS_PORT": str(rp), "WEB_PORT": str(wp),
           "JIXIAO_ADMIN_TOKEN": token, "JIXIAO_TODAY": TODAY.isoformat(), "JIXIAO_SECRET_KEY": "browser-" + token,
           "JIXIAO_RELAY_INTERVAL": "0.2"}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    proc = start([str(BIN), "serve"], env, home / "serve.log", home)
    running = Site(proc, f"http://127.0.0.1:{ip}", f"http://127.0.0.1:{rp}", token, env, home / "serve.log", home,
                   f"http://127.0.0.1:{wp}")
    try:
        wait_for(lambda: ready(running.incidents) and ready(running.web), 60, "jixiao serve to be ready")
        _setup(running)
        yield running
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole session (a fresh profile: Playwright makes one per launch)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure-services.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


class Person:
    """One person in their own browser context (own cookies), on a phone or a desk."""

    def __init__(self, browser: Any, site: Site, username: str, viewport: dict[str, int]) -> None:
        self.site = site
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.page.goto(site.web + "/login")
        self.page.fill("[name=username]", username)
        self.page.fill("[name=password]", PASSWORD)
        self.page.click("form button[type=submit]")
        self.page.wait_for_url(site.web + "/")

    def goto(self, path: str) -> Any:
        return self.page.goto(self.site.web + path)

    def text(self, selector: str = "main") -> str:
        return str(self.page.inner_text(selector))

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def scroll_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser: Any, site: Site) -> Iterator[Any]:
    """`people(username, phone=True)`: that person signed in, in a context of their own."""
    opened: list[Person] = []

    def open_(username: str, phone: bool = True) -> Person:
        person = Person(browser, site, username, PHONE if phone else {"width": 1280, "height": 900})
        opened.append(person)
        return person

    yield open_
    for person in opened:
        person.close()
