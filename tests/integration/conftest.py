"""An incidents app on each backend, with a small organisation and a token per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.incidents.app import create_app
from shared.auth import create_token
from shared.config import Settings
from shared.db import Database
from shared.eventstore import EventStore
from shared.seeding import install_seed_templates
from tests.conftest import ADMIN_TOKEN


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


@pytest.fixture
def api(db: Database) -> Api:
    """Projects JRJ and BSQ, employees JRJ-0001..3 (cs-staff) and BSQ-0001, tokens by role."""
    install_seed_templates(db)
    app = create_app(Settings(database_url=db.url, admin_token=ADMIN_TOKEN), db)
    a = Api(app.test_client(), db, {"admin": ADMIN_TOKEN})
    for code, name in (("JRJ", "金融街项目"), ("BSQ", "碧水湾项目")):
        assert a.post("/api/v1/projects", {"code": code, "name": name}).status_code == 201
    people = [("JRJ-0001", "张三", "JRJ"), ("JRJ-0002", "李四", "JRJ"), ("JRJ-0003", "王五", "JRJ"),
              ("BSQ-0001", "赵六", "BSQ")]
    for no, name, project in people:
        r = a.post("/api/v1/employees", {"employee_no": no, "name": name, "project": project,
                                         "department": "客服部", "position": "客服专员",
                                         "template": "cs-staff"})
        assert r.status_code == 201, r.json
    for role in ("lead", "supervisor", "manager", "gm", "auditor"):
        a.tokens[role] = a.token(f"{role}-jrj", role, "JRJ")
    a.tokens["employee"] = a.token("JRJ-0001", "employee", "JRJ")
    a.tokens["other-lead"] = a.token("lead-bsq", "lead", "BSQ")
    return a
