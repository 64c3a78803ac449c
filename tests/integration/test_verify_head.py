"""`jixiao verify` prints the chain head; `verify --head HASH` fails once the recorded head is
gone from its position: a tail deleted, or rewritten with recomputed hashes, by someone with
database access (simulated by dropping the append-only triggers). Both databases. Issue 15,
item 8."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import create_engine, delete, insert, select

from jixiao.cli import main
from shared.eventstore import EventStore, hash_body, to_recorded
from shared.hashing import chain_hash
from shared.tables import events
from tests.integration.test_api_events import deduction

HEAD = re.compile(r"head: position (\d+) hash ([0-9a-f]{64})")


def verify(api: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["verify", *args], env={"DATABASE_URL": api.db.url, "JIXIAO_LOG_LEVEL": "WARNING"})


def recorded_head(api: Any) -> tuple[int, str]:
    result = verify(api)
    assert result.exit_code == 0, result.output
    found = HEAD.search(result.stdout)
    assert found, result.stdout
    return int(found[1]), found[2]


def as_attacker(api: Any) -> Any:
    """An engine on the same database with the append-only triggers dropped."""
    engine = create_engine(api.db.url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER events_no_update ON events")
        else:
            conn.exec_driver_sql("DROP TRIGGER events_no_update")
            conn.exec_driver_sql("DROP TRIGGER events_no_delete")
    return engine


def record(api: Any, n: int) -> None:
    for i in range(n):
        assert api.post("/api/v1/events", deduction(evidence=f"检查记录 {i}"), as_="lead").status_code == 201


def test_verify_prints_the_current_head(api):
    record(api, 2)
    position, digest = recorded_head(api)
    with api.db.read() as conn:
        assert EventStore(conn).head() == (position, digest)


def test_a_deleted_tail_passes_a_plain_verify_but_not_the_recorded_head(api):
    record(api, 3)
    position, digest = recorded_head(api)
    engine = as_attacker(api)
    with engine.begin() as conn:
        conn.execute(delete(events).where(events.c.position == position))
    engine.dispose()
    assert verify(api).exit_code == 0  # the chain that is left is consistent: why a head is kept
    result = verify(api, "--head", digest)
    assert result.exit_code == 1
    assert "HEAD MISSING" in result.stderr and digest in result.stderr


def test_a_tail_rewritten_with_recomputed_hashes_fails_against_the_recorded_head(api):
    record(api, 3)
    position, digest = recorded_head(api)
    engine = as_attacker(api)
    with engine.begin() as conn:
        last = to_recorded(conn.execute(select(events).where(events.c.position == position)).one())
        forged = replace(last, payload={**last.payload, "evidence": "改写的证据"}, hash="")
        forged = replace(forged, hash=chain_hash(last.prev_hash, hash_body(forged)))
        conn.execute(delete(events).where(events.c.position == position))
        conn.execute(insert(events).values(**EventStore._row(forged)))
    engine.dispose()
    assert verify(api).exit_code == 0
    assert verify(api, "--head", digest).exit_code == 1
    assert verify(api, "--head", f"{position}:{digest}").exit_code == 1


def test_events_appended_after_the_recorded_head_pass(api):
    record(api, 1)
    position, digest = recorded_head(api)
    record(api, 2)
    result = verify(api, "--head", digest)
    assert result.exit_code == 0, result.output
    assert f"found at position {position}; 2 events appended since" in result.stdout
    assert verify(api, "--head", f"{position}:{digest}").exit_code == 0
    assert verify(api, "--head", f"{position - 1}:{digest}").exit_code == 1  # not at its position
    assert verify(api, "--head", "abc").exit_code == 2  # not a hash: a usage error


def test_the_archive_exports_head_is_one_verify_accepts(api, tmp_path: Path):
    record(api, 1)
    out = CliRunner().invoke(main, ["export", "--out", str(tmp_path / "archive")],
                             env={"DATABASE_URL": api.db.url, "JIXIAO_LOG_LEVEL": "WARNING"})
    assert out.exit_code == 0, out.output
    head = re.search(r"chain head (\d+:[0-9a-f]{64})", out.stdout)
    assert head, out.stdout
    assert verify(api, "--head", head[1]).exit_code == 0
