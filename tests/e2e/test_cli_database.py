"""Every `jixiao` command that needs the database says which DATABASE_URL it uses and, when
that database is missing or not migrated, fails with a clear message and creates nothing
(issue 15, item 13). Only `db upgrade`, `serve` and `demo` create and migrate."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from tests.conftest import PG_ADMIN_URL
from tests.e2e.conftest import BIN

NEEDS_A_DATABASE = [["token", "create", "--user", "u", "--role", "admin"], ["verify"],
                    ["export", "--out", "archive"], ["recompute", "--period", "2026-10"], ["rebuild"]]


def jixiao(*args: str, cwd: Path, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"JIXIAO_TODAY": "2026-11-20", "JIXIAO_LOG_LEVEL": "WARNING"})
    if url:
        env["DATABASE_URL"] = url
    return subprocess.run([str(BIN), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_command_run_from_another_folder_creates_nothing_and_says_why(tmp_path):
    for args in NEEDS_A_DATABASE:
        r = jixiao(*args, cwd=tmp_path)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert f"DATABASE_URL=sqlite:///{tmp_path}/var/jixiao.db" in r.stderr, r.stderr
        assert "no database" in r.stderr and "jixiao db upgrade" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == [], "a command created files"


def test_an_unmigrated_postgresql_database_is_named_without_its_password_and_left_empty(tmp_path):
    name = f"jixiao_test_cli_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql://postgres:s3cret@127.0.0.1:5432/{name}"
    try:
        r = jixiao("verify", cwd=tmp_path, url=url)
        assert r.returncode == 1
        assert f"DATABASE_URL=postgresql://postgres:***@127.0.0.1:5432/{name}" in r.stderr, r.stderr
        assert "has not been migrated" in r.stderr and "s3cret" not in r.stderr
        probe = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
        assert inspect(probe).get_table_names() == []
        probe.dispose()
        assert jixiao("db", "upgrade", cwd=tmp_path, url=url).returncode == 0
        ok = jixiao("verify", cwd=tmp_path, url=url)
        assert ok.returncode == 0 and "chain intact" in ok.stdout, ok.stderr
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_db_upgrade_creates_the_embedded_database_and_then_commands_find_it(tmp_path):
    assert jixiao("db", "upgrade", cwd=tmp_path).returncode == 0
    assert (tmp_path / "var" / "jixiao.db").is_file()
    made = jixiao("token", "create", "--user", "it", "--role", "admin", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().startswith("jx_")  # stdout is only the token; the URL went to stderr
    assert "DATABASE_URL=sqlite:///" in made.stderr


def test_the_shim_puts_jixiao_on_path_from_any_folder(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    bin_dir = tmp_path / "bin"
    env = {**os.environ, "JIXIAO_BIN_DIR": str(bin_dir)}
    done = subprocess.run(["bash", str(repo / "scripts" / "shim.sh")], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = subprocess.run(["jixiao", "verify"], env={"PATH": f"{bin_dir}:/usr/bin:/bin"}, cwd=elsewhere,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "no database" in r.stderr, r.stderr  # found on PATH; created nothing
    assert list(elsewhere.iterdir()) == []
