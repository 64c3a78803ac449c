"""A store that cannot write answers 503 with a problem document, never 500, never a partial
write, and /readyz says 503 (SPEC §8; issue 15, item 9): SQLite immutable, read-only or
locked by another process (a bounded wait, not 30 s), PostgreSQL down."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.incidents.app import create_app
from shared.db import BUSY_TIMEOUT, Database
from tests.conftest import settings
from tests.integration.conftest import Api, assert_problem
from tests.integration.test_api_events import deduction


def incidents(url: str, tokens: dict[str, str]) -> Api:
    db = Database(url)
    return Api(create_app(settings(url), db).test_client(), db, dict(tokens))


def count_in(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def unavailable(api: Api) -> dict[str, Any]:
    """POST an event: 503 problem+json with Retry-After; /readyz 503."""
    r = api.post("/api/v1/events", deduction(), as_="lead")
    body = assert_problem(r, 503)
    assert r.headers["Retry-After"]
    ready = api.get("/readyz", as_=None)
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"] is False
    return body


@pytest.fixture
def sqlite_file(seeded_sqlite: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path, tokens = seeded_sqlite
    shutil.copy(path, tmp_path / "jixiao.db")
    return tmp_path / "jixiao.db", tokens


@pytest.fixture
def immutable(sqlite_file: tuple[Path, dict[str, str]]) -> Iterator[tuple[Path, dict[str, str]]]:
    path = sqlite_file[0]
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root on a filesystem that supports it")
    try:
        yield sqlite_file
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_immutable_sqlite_file_gives_503_and_reads_still_work(immutable):
    path, tokens = immutable
    before = count_in(path)
    api = incidents(f"sqlite:///{path}", tokens)
    body = unavailable(api)
    assert "只读" in body["detail"]
    assert api.get("/api/v1/events?limit=1").status_code == 200
    assert count_in(path) == before
    api.db.dispose()


def test_a_read_only_sqlite_database_gives_503(sqlite_file):
    path, tokens = sqlite_file
    before = count_in(path)
    api = incidents(f"sqlite:///file:{path}?mode=ro&uri=true", tokens)
    unavailable(api)
    assert count_in(path) == before
    api.db.dispose()


def test_a_sqlite_lock_held_by_another_process_gives_503_after_a_bounded_wait(sqlite_file):
    path, tokens = sqlite_file
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        before = count_in(path)
        api = incidents(f"sqlite:///{path}", tokens)
        started = time.monotonic()
        body = unavailable(api)
        assert time.monotonic() - started < BUSY_TIMEOUT + 5  # the write's wait, plus readyz's 1 s
        assert "锁定" in body["detail"]
    finally:
        holder.kill()
        holder.wait()
    assert count_in(path) == before  # nothing half-written while locked
    assert api.post("/api/v1/events", deduction(), as_="lead").status_code == 201
    assert api.get("/readyz", as_=None).status_code == 200
    api.db.dispose()


def test_a_postgresql_server_that_refuses_gives_503(seeded_pg):
    _name, tokens = seeded_pg
    api = incidents("postgresql://postgres@127.0.0.1:9/jixiao", tokens)
    body = unavailable(api)
    assert "不可用" in body["detail"]
    api.db.dispose()
