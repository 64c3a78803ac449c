"""An incidents app on each backend, with a small organisation and a token per role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.incidents.app import create_app
from shared.auth import create_token
from shared.db import Database
from shared.eventstore import EventStore
from shared.seeding import install_seed_templates
from shared.web import PROBLEM
from tests.conftest import ADMIN_TOKEN, new_pg_database, settings
from tests.integration.web_client import signing_in


@dataclass
class Api:
    client: FlaskClient
    db: Database
    tokens: dict[str, str]

    def _headers(self, as_: str | None, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if as_ is not None:
            out["Authorization"] = f"Bearer {self.tokens.get(as_, as_)}"
        return out

    def post(self, path: str, json: Any = None, as_: str | None = "admin", **kw: Any) -> Any:
        return self.client.post(path, json=json, headers=self._headers(as_, kw.pop("headers", None)), **kw)

    def get(self, path: str, as_: str | None = "admin", **kw: Any) -> Any:
        return self.client.get(path, headers=self._headers(as_, kw.pop("headers", None)), **kw)

    def event_count(self) -> int:
        with self.db.read() as conn:
            return EventStore(conn).count()

    def token(self, user: str, role: str, *projects: str) -> str:
        with self.db.write() as conn:
            tok = create_token(conn, user, role, projects)
        self.tokens[f"{role}:{user}"] = tok
        return tok


def assert_problem(resp: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """A problem+json answer with `status`, naming `field` in `errors` when given."""
    body = resp.get_json()
    assert resp.status_code == status, body
    assert resp.mimetype == PROBLEM
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    if field is not None:
        assert field in body.get("errors", {}), body
    return body


PEOPLE = [("JRJ-0001", "张三", "JRJ"), ("JRJ-0002", "李四", "JRJ"), ("JRJ-0003", "王五", "JRJ"),
          ("BSQ-0001", "赵六", "BSQ")]


def _seed_organisation(db: Database) -> dict[str, str]:
    """Projects JRJ and BSQ, employees JRJ-0001..3 (cs-staff) and BSQ-0001, a token per role."""
    install_seed_templates(db)
    app = create_app(settings(db.url), db)
    a = Api(app.test_client(), db, {"admin": ADMIN_TOKEN})
    for code, name in (("JRJ", "金融街项目"), ("BSQ", "碧水湾项目")):
        assert a.post("/api/v1/projects", {"code": code, "name": name}).status_code == 201
    for no, name, project in PEOPLE:
        r = a.post("/api/v1/employees", {"employee_no": no, "name": name, "project": project,
                                         "department": "客服部", "position": "客服专员",
                                         "template": "cs-staff", "effective_from": "2026-01"})
        assert r.status_code == 201, r.json
    for role in ("lead", "supervisor", "manager", "gm", "auditor"):
        a.tokens[role] = a.token(f"{role}-jrj", role, "JRJ")
    a.tokens["employee"] = a.token("JRJ-0001", "employee", "JRJ")
    a.tokens["other-lead"] = a.token("lead-bsq", "lead", "BSQ")
    return a.tokens


@pytest.fixture(scope="session")
def seeded_pg(pg_template: str) -> tuple[str, dict[str, str]]:
    """A PostgreSQL template database holding the organisation, cloned per test."""
    url = new_pg_database(pg_template)
    db = Database(url)
    tokens = _seed_organisation(db)
    db.dispose()
    return url.rsplit("/", 1)[1], tokens


@pytest.fixture(scope="session")
def seeded_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    tokens = _seed_organisation(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path, tokens


@pytest.fixture(params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """The incidents app over a fresh copy of the seeded organisation, on each backend."""
    if request.param == "postgres":
        name, tokens = request.getfixturevalue("seeded_pg")
        url = new_pg_database(name)
    else:
        path, tokens = request.getfixturevalue("seeded_sqlite")
        shutil.copy(path, tmp_path / "jixiao.db")
        url = f"sqlite:///{tmp_path / 'jixiao.db'}"
    db = Database(url)
    app = create_app(settings(url), db)
    yield Api(app.test_client(), db, dict(tokens))
    db.dispose()  # the PostgreSQL clone is dropped with the others at the end of the session


@pytest.fixture
def web(api: Api) -> Any:
    """`web(username)`: that person signed in to the web app over `api`'s database."""
    return signing_in(api)
