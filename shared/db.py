"""Engines for PostgreSQL and SQLite, and the one way to write: a serialised transaction.

Writers serialise on the event log so that commit order equals position order: on
PostgreSQL by ``LOCK TABLE events IN EXCLUSIVE MODE`` inside the transaction (readers
are not blocked), on SQLite by ``BEGIN IMMEDIATE``. A reader that follows positions can
then never skip an event that commits late.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError

from shared.bulk import dumps, loads

# How long a SQLite writer waits for another process's write lock before giving up with 503:
# long enough for any normal write to finish, short enough that a client is not left hanging.
BUSY_TIMEOUT = 5.0
PROBE_TIMEOUT = 1.0  # what /readyz waits for the write lock
PUBLIC = {
    "unreachable": "数据库暂不可用,请稍后重试 (database unavailable; retry later)",
    "read-only": "数据库只读,暂不能写入 (the database is read-only; nothing was written)",
    "locked": "数据库被其他进程锁定,请稍后重试 (the database is locked; nothing was written, retry later)",
}


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or written; the message names the URL (without password),
    `public` says it for a user (the 503's detail)."""

    def __init__(self, message: str, public: str = PUBLIC["unreachable"]) -> None:
        super().__init__(message)
        self.public = public


def safe_url(url: str) -> str:
    """`url` with its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


_safe_url = safe_url


def unwritable(exc: DBAPIError) -> str | None:
    """Why `exc` means the store cannot be written now ("read-only", "locked", "unreachable"),
    or None when it is any other error (a bug, a constraint): that one is not a 503."""
    name = getattr(exc.orig, "sqlite_errorname", None)
    if name is not None:
        if name.startswith("SQLITE_READONLY"):
            return "read-only"
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return "locked"
        if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_PERM")):
            return "unreachable"
        return None
    if getattr(exc.orig, "sqlstate", None) == "25006":  # PostgreSQL: read-only transaction
        return "read-only"
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return "unreachable"  # PostgreSQL: connection lost, server shutting down, out of resources
    return None


def _sqlite_engine(url: str, busy_timeout: float = BUSY_TIMEOUT, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("jixiao_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str, busy_timeout: float = BUSY_TIMEOUT, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite files get WAL, a bounded lock wait and their folder created.

    JSON columns are encoded and decoded with orjson, several times faster than the standard
    library on the documents jixiao stores (the rebuild decodes a million event payloads).
    """
    kwargs.setdefault("json_serializer", dumps)
    kwargs.setdefault("json_deserializer", loads)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout, **kwargs)
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    from psycopg.types.json import set_json_loads

    set_json_loads(loads)  # what psycopg itself decodes (raw cursors, the rebuild's stream)
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, **kwargs)


class Database:
    """The engine plus the write discipline every writer goes through."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **kwargs)
        self.probe_timeout = min(PROBE_TIMEOUT, kwargs.get("busy_timeout", BUSY_TIMEOUT))

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction holding the event-log write lock; commits on success."""
        with self._connect() as conn:
            conn = conn.execution_options(jixiao_write=True)
            with conn.begin():
                if self.is_postgres:
                    conn.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")
                yield conn

    @contextmanager
    def update(self, *lock_keys: str) -> Iterator[Connection]:
        """A read-model transaction: never blocks event writers.

        On PostgreSQL it takes transaction-scoped advisory locks on `lock_keys` (so two
        workers on the same employee-month run one after the other); SQLite has one
        writer at a time anyway.
        """
        with self._connect() as conn:
            conn = conn.execution_options(jixiao_write=True)
            with conn.begin():
                advisory_locks(conn, lock_keys)
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (one consistent snapshot on PostgreSQL)."""
        with self._connect() as conn:
            if self.is_postgres:
                # Set on the driver connection, so BEGIN itself opens the transaction as
                # REPEATABLE READ READ ONLY (no extra statement); reset when it returns to the pool.
                conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read_one(self) -> Iterator[Connection]:
        """A connection for one read statement: on PostgreSQL without BEGIN and COMMIT
        (autocommit), which a single statement does not need to see one snapshot."""
        if not self.is_postgres:
            with self.read() as conn:
                yield conn
            return
        with self._connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain connection; an unreachable server raises DatabaseUnavailable naming the URL."""
        with self._connect() as conn:
            yield conn

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A connection; a store that cannot be reached or written raises DatabaseUnavailable
        (so the web answers 503), whether at connect, in a statement or at commit."""
        try:
            conn = self.engine.connect()
        except OperationalError as exc:
            raise DatabaseUnavailable(
                f"cannot reach the database at {_safe_url(self.url)}: {exc.orig}. "
                "Check DATABASE_URL and that the server is running."
            ) from exc
        try:
            with conn:
                yield conn
        except DBAPIError as exc:
            reason = unwritable(exc)
            if reason is None:
                raise
            raise DatabaseUnavailable(f"the database at {_safe_url(self.url)} is {reason}: {exc.orig}",
                                      PUBLIC[reason]) from exc

    def ping(self) -> bool:
        """Whether the database answers and can be written now (what /readyz reports)."""
        try:
            with self._connect() as conn:
                if self.is_postgres:
                    return conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "off"
                return _sqlite_writable(conn.connection.driver_connection, self.probe_timeout)
        except (DatabaseUnavailable, DBAPIError):
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_writable(raw: Any, timeout: float) -> bool:
    """Take the write lock (waiting at most `timeout`) and make a change that is rolled back:
    a read-only or immutable file, or a lock another process holds, fails here."""
    import sqlite3

    busy = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    try:
        raw.execute("BEGIN IMMEDIATE")
        try:
            raw.execute("CREATE TABLE jixiao_write_probe (x)")
        finally:
            raw.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy)}")


def advisory_lock(conn: Connection, key: str) -> None:
    """Take a transaction-scoped lock on `key` (PostgreSQL; SQLite has one writer anyway)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})


def advisory_locks(conn: Connection, keys: Iterable[str]) -> None:
    """`advisory_lock` on each of `keys` in sorted order (so two takers cannot deadlock),
    in one statement rather than one per key."""
    wanted = sorted(set(keys))
    if conn.dialect.name != "postgresql" or not wanted:
        return
    if len(wanted) == 1:
        advisory_lock(conn, wanted[0])
        return
    conn.execute(text("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
                      "FROM unnest(CAST(:keys AS text[])) AS k"), {"keys": wanted})


def try_advisory_lock(conn: Connection, key: str) -> bool:
    """Like advisory_lock, but give up at once when another transaction holds it."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"),
                             {"k": key}).scalar())
