"""Fixtures: a fresh database per test on SQLite and on the real PostgreSQL server.

Each run gets its own database names (prefix jixiao_test_<run>) and removes them.
PostgreSQL databases are cloned from a migrated template database, which is fast.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from services.scoring.inprocess import InProcessRunner
from shared.clock import Clock
from shared.config import Settings
from shared.db import Database
from shared.migrate import upgrade
from shared.tables import annual_scores, rankings, scores

PG_ADMIN_URL = os.environ.get("JIXIAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
RUN_ID = uuid.uuid4().hex[:8]
ADMIN_TOKEN = "test-admin-" + RUN_ID
# Every test runs on this day, whatever the wall clock says (JIXIAO_TODAY for processes).
TODAY = date(2026, 11, 20)
CLOCK = Clock(TODAY)


def settings(url: str, **overrides: object) -> Settings:
    """The settings of a test's services: its database, the admin token, the fixed day."""
    return Settings(**{"database_url": url, "admin_token": ADMIN_TOKEN, "today": TODAY, **overrides})  # type: ignore[arg-type]


def make_runner(db: Database) -> InProcessRunner:
    """The in-process relay and worker on the fixed day."""
    return InProcessRunner(db, CLOCK)


def snapshot(db: Database) -> dict[str, Any]:
    """Everything a rebuild must reproduce exactly (not revision counters or timestamps)."""
    with db.read() as conn:
        return {
            "scores": {(r.employee, r.period): (r.result, r.position, str(r.final), r.template_version)
                       for r in conn.execute(select(scores))},
            "rankings": {(r.project, r.department, r.template, r.period): (r.rows, r.closed_on, r.position)
                         for r in conn.execute(select(rankings))},
            "annual": {(r.employee, r.year): (r.result, r.position)
                       for r in conn.execute(select(annual_scores))},
        }


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _pg_admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    admin = _pg_admin()
    name = f"jixiao_test_{RUN_ID}_tmpl"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(_pg_url(name))
    upgrade(db)
    db.dispose()
    yield name
    with admin.connect() as conn:
        rows = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                            {"p": f"jixiao_test_{RUN_ID}%"}).scalars().all()
        for leftover in rows:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{leftover}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def new_pg_database(template: str) -> str:
    name = f"jixiao_test_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return _pg_url(name)


def drop_pg_database(url: str) -> None:
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_template: str) -> str:
    """A fresh database; like every jixiao_test_<run>_* one, dropped when the session ends
    (dropping in bulk at the end is cheaper than one DROP per test)."""
    return new_pg_database(pg_template)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "jixiao.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, migrated database on each backend in turn."""
    return str(request.getfixturevalue(f"{'pg' if request.param == 'postgres' else 'sqlite'}_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()
