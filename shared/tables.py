"""The storage schema (SQLAlchemy Core). Alembic migrations create it; this mirrors them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

Json = JSON().with_variant(JSONB(), "postgresql")
Timestamp = DateTime(timezone=True)

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("stream", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("payload", Json, nullable=False),
    Column("metadata", Json, nullable=False),
    Column("occurred_on", Date, nullable=True),
    Column("period", String(7), nullable=True),
    Column("employee", String(64), nullable=True),
    Column("project", String(64), nullable=True),
    Column("recorded_at", Timestamp, nullable=False),
    # Byte order on PostgreSQL, so the unique index also serves the `<key>#%` prefix lookup.
    Column("idempotency_key", String(255).with_variant(String(255, collation="C"), "postgresql"),
           nullable=True, unique=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    PrimaryKeyConstraint("stream", "version", name="events_pkey"),
    Index("ix_events_employee_period", "employee", "period"),
    Index("ix_events_project_period", "project", "period"),
    Index("ix_events_type", "type"),
)

projects = Table(
    "projects",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

departments = Table(
    "departments",
    metadata,
    Column("project", String(32), ForeignKey("projects.code"), primary_key=True),
    Column("name", String(100), primary_key=True),
)

employees = Table(
    "employees",
    metadata,
    Column("employee_no", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("project", String(32), ForeignKey("projects.code"), nullable=False),
    Column("department", String(100), nullable=False),
    Column("position", String(100), nullable=False),
    Column("template", String(64), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_employees_project_department", "project", "department"),
)

# Where an employee belonged from which month on: transfers keep the history.
employee_assignments = Table(
    "employee_assignments",
    metadata,
    Column("employee_no", String(64), ForeignKey("employees.employee_no"), primary_key=True),
    Column("effective_from", String(7), primary_key=True),
    Column("project", String(32), nullable=False),
    Column("department", String(100), nullable=False),
    Column("position", BigInteger, nullable=False),
)

templates = Table(
    "templates",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("effective_from", String(7), nullable=False),
    Column("document", Json, nullable=False),
    Column("published_at", Timestamp, nullable=False),
    Column("published_by", String(100), nullable=False),
)

period_closures = Table(
    "period_closures",
    metadata,
    Column("project", String(32), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("closed_at", Timestamp, nullable=False),
    Column("closed_by", String(100), nullable=False),
    Column("event_id", String(36), nullable=False),
)

event_revocations = Table(
    "event_revocations",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("revocation_id", String(36), nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("projects", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("revoked_at", Timestamp, nullable=True),
)

# Each project's complaint deadlines (SPEC §7.7); absent: the defaults.
complaint_deadlines = Table(
    "complaint_deadlines",
    metadata,
    Column("project", String(32), primary_key=True),
    Column("reply_hours", Integer, nullable=False),
    Column("escalate_hours", Integer, nullable=False),
    Column("followup_days", Integer, nullable=False),
    Column("event_id", String(36), nullable=False),
)

# People sign in to the web app with an account (SPEC §1); tokens stay for integrations.
accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("projects", Json, nullable=False),
    Column("employee_no", String(64), nullable=True),  # an employee's username is their 工号
    Column("password_hash", String(255), nullable=False),  # argon2id
    Column("disabled", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("password_changed_at", Timestamp, nullable=False),
)

sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_sign_in_attempts_username_at", "username", "at"),
)

# Server-side sessions: the cookie carries a signed random id; only its sha256 is stored.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", String(36), nullable=True),
    Column("data", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("last_seen", Timestamp, nullable=False),
    Index("ix_web_sessions_account", "account_id"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(50), nullable=False),
    Column("args", Json, nullable=False),
    Column("state", String(20), nullable=False),
    Column("progress", Json, nullable=False),
    Column("result", Json, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("requested_by", String(100), nullable=False),
)

# -- read models (written by the scoring worker, read by the reports service) ------------

scores = Table(
    "scores",
    metadata,
    Column("employee", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("project", String(32), nullable=False),
    Column("department", String(100), nullable=False),
    Column("template", String(64), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("final", Numeric(12, 2), nullable=False),
    Column("result", Json, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("computed_at", Timestamp, nullable=False),
    Index("ix_scores_project_period", "project", "period"),
)

score_revisions = Table(
    "score_revisions",
    metadata,
    Column("employee", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("old_final", Numeric(12, 2), nullable=True),
    Column("new_final", Numeric(12, 2), nullable=False),
    Column("old", Json, nullable=True),
    Column("new", Json, nullable=False),
    Column("cause_event_ids", Json, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

rankings = Table(
    "rankings",
    metadata,
    Column("project", String(32), primary_key=True),
    Column("department", String(100), primary_key=True),  # "*" when the scope is the project
    Column("template", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("rows", Json, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("position", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("computed_at", Timestamp, nullable=False),
)

# Every published version of a ranking (SPEC §6): a closed month's payroll, as first closed and as corrected.
ranking_revisions = Table(
    "ranking_revisions",
    metadata,
    Column("project", String(32), primary_key=True),
    Column("department", String(100), primary_key=True),
    Column("template", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("rows", Json, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("cause_event_ids", Json, nullable=False),  # the events whose scores moved the ranking
    Column("position", BigInteger, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

annual_scores = Table(
    "annual_scores",
    metadata,
    Column("employee", String(64), primary_key=True),
    Column("year", String(4), primary_key=True),
    Column("template", String(64), nullable=False),
    Column("result", Json, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("computed_at", Timestamp, nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# Month-end fan-out and fan-in live here, not in a Redis chord: one row per chunk of
# employees to score, then one per project to rank.
task_chunks = Table(
    "task_chunks",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("chunk_no", Integer, primary_key=True),
    Column("period", String(7), nullable=False),
    Column("employees", Json, nullable=False),
    Column("project", String(32), nullable=True),  # set on a ranking job (the second stage)
    Column("done", Boolean, nullable=False),
    Column("done_at", Timestamp, nullable=True),
)
