"""Schema migrations (Alembic), run programmatically so no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.db import Database

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
