"""Schema migrations (Alembic), run programmatically so no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import make_url

from shared.db import Database, safe_url

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to run again (and by several processes on PG)."""
    cfg = _config()
    with db.connect() as conn, conn.begin():
        if db.is_postgres:
            # One migrator at a time when several containers start together.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


class NotMigrated(RuntimeError):
    """The database is missing or not at this jixiao's schema; the message says what to run."""


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    name = parsed.database
    if parsed.query.get("uri") == "true" and name.startswith("file:"):
        name = name.removeprefix("file:")
    return Path(name)


def require_migrated(url: str) -> Database:
    """The database at `url`, if it exists and is at the schema's head; creates nothing.

    Commands other than `db upgrade`, `serve` and `demo` start here, so that one run from
    the wrong folder (a SQLite URL relative to it) says so instead of creating a new file.
    """
    where = safe_url(url)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise NotMigrated(f"no database at DATABASE_URL={where} (nothing was created). Run `jixiao db upgrade` "
                          "to create it there, or run jixiao from the folder that holds var/jixiao.db, "
                          "or set DATABASE_URL.")
    db = Database(url)
    with db.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head_revision():
        db.dispose()
        state = "has not been migrated" if current is None else f"is at revision {current}, not {head_revision()}"
        raise NotMigrated(f"the database at DATABASE_URL={where} {state}. Run `jixiao db upgrade` first.")
    return db
