"""The event-store contract, run against SQLite and PostgreSQL alike.

Ported guarantees (pyeventsourcing, Eventuous#222, Marten#3321): positions are gapless
and commit in order, racing writers never interleave a batch, an append held open is
not skipped by a reader, and of N writers on one expected version exactly one wins.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import DatabaseError, IntegrityError

from shared.db import Database
from shared.domain.events import NewEvent
from shared.eventstore import MAX_BATCH, ConcurrencyError, EventStore
from shared.hashing import GENESIS


def ev(stream: str = "employee:A", n: int = 0, **kw) -> NewEvent:
    return NewEvent(stream=stream, type="deduction", payload={"n": n, "evidence": "迟到"}, **kw)


def append(db: Database, *events: NewEvent, expected=None):
    with db.write() as conn:
        return EventStore(conn).append(list(events), expected)


def all_events(db: Database):
    with db.read() as conn:
        return list(EventStore(conn).iter_all())


def test_appends_get_gapless_positions_and_per_stream_versions(db):
    append(db, ev("a"), ev("b"))
    append(db, ev("a"), ev("a"))
    got = [(e.position, e.stream, e.version) for e in all_events(db)]
    assert got == [(1, "a", 1), (2, "b", 1), (3, "a", 2), (4, "a", 3)]


def test_each_event_chains_to_the_previous_hash(db):
    append(db, ev(n=1), ev(n=2))
    append(db, ev(n=3))
    events = all_events(db)
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    with db.read() as conn:
        assert EventStore(conn).verify() == (3, None)


def test_payloads_round_trip_exactly_including_chinese_text_and_decimals(db):
    from decimal import Decimal

    append(db, NewEvent(stream="s", type="t", payload={"points": Decimal("4.50"), "evidence": "业主投诉“服务用语”"}))
    e = all_events(db)[0]
    assert e.payload == {"points": "4.5", "evidence": "业主投诉“服务用语”"}


@pytest.mark.parametrize("sql", ["UPDATE events SET type = 'x'", "DELETE FROM events"])
def test_the_database_itself_refuses_to_change_or_delete_events(db, sql):
    append(db, ev())
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert len(all_events(db)) == 1


def test_postgres_refuses_truncate_too(pg_url):
    db = Database(pg_url)
    append(db, ev())
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE events")
    assert len(all_events(db)) == 1
    db.dispose()


def _tamper(db: Database, sql: str) -> None:
    """Bypass the guard as the database owner would, to prove verify notices."""
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER events_no_update")
            conn.exec_driver_sql(sql)
            conn.exec_driver_sql("ALTER TABLE events ENABLE TRIGGER events_no_update")
        else:
            conn.exec_driver_sql("DROP TRIGGER events_no_update")
            conn.exec_driver_sql("DROP TRIGGER events_no_delete")
            conn.exec_driver_sql(sql)


def test_verify_names_the_first_event_whose_content_was_altered(db):
    recorded = append(db, *(ev(n=i) for i in range(5)))
    _tamper(db, "UPDATE events SET payload = '{\"n\": 99, \"evidence\": \"改\"}' WHERE position = 3")
    with db.read() as conn:
        checked, bad = EventStore(conn).verify()
    assert checked == 2
    assert bad is not None and bad.position == 3 and bad.event_id == recorded[2].id
    assert "hash" in bad.reason


def test_verify_notices_a_deleted_event(db):
    append(db, *(ev(n=i) for i in range(4)))
    _tamper(db, "DELETE FROM events WHERE position = 2")
    with db.read() as conn:
        _, bad = EventStore(conn).verify()
    assert bad is not None and bad.position == 2 and "missing" in bad.reason


def test_an_expected_version_that_moved_is_a_concurrency_error(db):
    append(db, ev("s"), ev("s"))
    with pytest.raises(ConcurrencyError) as info:
        append(db, ev("s"), expected={"s": 1})
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert len(append(db, ev("s"), expected={"s": 2})) == 1


def test_n_writers_on_one_expected_version_exactly_one_wins(db):
    append(db, ev("s"))
    barrier = threading.Barrier(8)

    def attempt(i: int) -> str:
        barrier.wait()
        try:
            append(db, ev("s", n=i), expected={"s": 1})
            return "won"
        except ConcurrencyError:
            return "lost"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert results.count("won") == 1 and results.count("lost") == 7
    assert [e.version for e in all_events(db)] == [1, 2]


def test_two_writers_racing_never_interleave_their_batches(db):
    def writer(stream: str) -> None:
        for _ in range(10):
            append(db, *(ev(stream, n=i) for i in range(20)))

    threads = [threading.Thread(target=writer, args=(s,)) for s in ("x", "y")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = all_events(db)
    assert [e.position for e in events] == list(range(1, 401))
    runs = [events[i].stream for i in range(0, 400, 20)]
    for start in range(0, 400, 20):  # every batch of 20 is one contiguous run of positions
        assert {e.stream for e in events[start:start + 20]} == {runs[start // 20]}


def test_an_append_held_open_is_not_skipped_by_a_reader_following_positions(db):
    append(db, ev("seed"))
    held, release, second_done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer() -> None:
        with db.write() as conn:
            EventStore(conn).append([ev("slow")])
            held.set()
            release.wait(10)

    def fast_writer() -> None:
        append(db, ev("fast"))
        second_done.set()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert held.wait(10)
    fast = threading.Thread(target=fast_writer)
    fast.start()
    # While the slow append is open, the fast one cannot commit ahead of it...
    assert not second_done.wait(0.5)
    # ...so a reader following positions sees nothing past its checkpoint yet.
    with db.read() as conn:
        seen = [e.position for e in EventStore(conn).iter_all(after=1)]
    assert seen == []
    release.set()
    slow.join()
    fast.join()
    with db.read() as conn:
        tail = [(e.position, e.stream) for e in EventStore(conn).iter_all(after=1)]
    assert tail == [(2, "slow"), (3, "fast")]


def test_an_idempotency_key_is_unique_in_the_store(db):
    append(db, ev(idempotency_key="k-1"))
    with pytest.raises(IntegrityError):
        append(db, ev(idempotency_key="k-1"))
    assert len(all_events(db)) == 1


def test_a_batch_of_a_thousand_is_one_transaction_and_more_is_refused(db):
    append(db, *(ev(n=i) for i in range(MAX_BATCH)))
    assert len(all_events(db)) == MAX_BATCH
    with pytest.raises(ValueError):
        append(db, *(ev(n=i) for i in range(MAX_BATCH + 1)))
    assert len(all_events(db)) == MAX_BATCH


def test_a_failure_after_appending_rolls_the_whole_transaction_back(db):
    with pytest.raises(RuntimeError):
        with db.write() as conn:
            EventStore(conn).append([ev(), ev()])
            raise RuntimeError("handler failed after append")
    assert all_events(db) == []
    assert [e.position for e in append(db, ev())] == [1]


def test_queries_filter_and_keep_position_order(db):
    append(db, NewEvent(stream="employee:A", type="deduction", payload={}, employee="A", project="P", period="2026-10"),
           NewEvent(stream="employee:B", type="bonus", payload={}, employee="B", project="Q", period="2026-10"),
           NewEvent(stream="employee:A", type="bonus", payload={}, employee="A", project="P", period="2026-11"))
    with db.read() as conn:
        store = EventStore(conn)
        assert [e.position for e in store.query(employee="A")] == [1, 3]
        assert [e.position for e in store.query(type="bonus")] == [2, 3]
        assert [e.position for e in store.query(period="2026-10", projects=["Q"])] == [2]
        assert [e.position for e in store.query(after=1, limit=1)] == [2]
        assert [e.version for e in store.query(employee="A")] == [1, 2]  # stream versions


def test_the_migrated_schema_matches_the_table_definitions(db):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from shared.tables import metadata

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
