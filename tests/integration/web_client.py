"""The web app's test client as a signed-in person (SPEC §7.6): pages parsed, forms posted
with the page's own CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup

from services.web.app import create_app as web_app
from shared.accounts import create_account, get_account
from tests.conftest import settings

PASSWORD = "correct-horse-9"
PEOPLE = {"lead.li": ("lead", ["JRJ"], None), "lead.bsq": ("lead", ["BSQ"], None),
          "sup.sun": ("supervisor", ["JRJ"], None), "sup.bsq": ("supervisor", ["BSQ"], None),
          "mgr.wang": ("manager", ["JRJ"], None), "gm.zhao": ("gm", ["JRJ"], None),
          "audit.qian": ("auditor", ["JRJ"], None), "root": ("admin", [], None),
          "JRJ-0001": ("employee", [], None)}


class Person:
    """One signed-in browser session over the web app's test client."""

    def __init__(self, client, username: str) -> None:
        self.client = client
        token = self.csrf("/login")
        r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 303, r.get_data(as_text=True)

    def csrf(self, path: str) -> str:
        html = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def get(self, path: str):
        return self.client.get(path)

    def page(self, path: str) -> BeautifulSoup:
        r = self.client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        return BeautifulSoup(r.get_data(as_text=True), "html.parser")

    def post(self, path: str, data: dict, csrf_from: str | None = None):
        return self.client.post(path, data={**data, "csrf_token": self.csrf(csrf_from or path)})


def signing_in(api) -> Callable[[str], Person]:
    """`person(username)`: that person signed in (their account made on first use: argon2 is slow)."""
    app = web_app(settings(api.db.url, secret_key="test-secret"), api.db)

    def person(username: str) -> Person:
        with api.db.write() as conn:
            if get_account(conn, username) is None:
                role, projects, employee = PEOPLE[username]
                create_account(conn, username, PASSWORD, role, projects, employee)
        return Person(app.test_client(), username)

    return person


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def beside(page: BeautifulSoup, field: str) -> str:
    """The error text printed right after the field named `field`."""
    node = page.find(attrs={"name": field, "aria-invalid": "true"})
    assert node is not None, field
    error = node.find_next_sibling("small", class_="error")
    return error.get_text() if error else ""
