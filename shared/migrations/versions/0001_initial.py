"""Event store, organisation, templates, tokens and tasks; append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Ts = sa.DateTime(timezone=True)

PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION jixiao_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION jixiao_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION jixiao_events_append_only();
"""

SQLITE_TRIGGERS = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END",
]


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False, unique=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("metadata", Json, nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=True),
        sa.Column("period", sa.String(7), nullable=True),
        sa.Column("employee", sa.String(64), nullable=True),
        sa.Column("project", sa.String(64), nullable=True),
        sa.Column("recorded_at", Ts, nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True, unique=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("stream", "version", name="events_pkey"),
    )
    op.create_index("ix_events_employee_period", "events", ["employee", "period"])
    op.create_index("ix_events_project_period", "events", ["project", "period"])
    op.create_index("ix_events_type", "events", ["type"])
    op.create_table(
        "projects",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", Ts, nullable=False),
    )
    op.create_table(
        "departments",
        sa.Column("project", sa.String(32), sa.ForeignKey("projects.code"), primary_key=True),
        sa.Column("name", sa.String(100), primary_key=True),
    )
    op.create_table(
        "employees",
        sa.Column("employee_no", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("project", sa.String(32), sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("position", sa.String(100), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", Ts, nullable=False),
    )
    op.create_index("ix_employees_project_department", "employees", ["project", "department"])
    op.create_table(
        "employee_assignments",
        sa.Column("employee_no", sa.String(64), sa.ForeignKey("employees.employee_no"), primary_key=True),
        sa.Column("effective_from", sa.String(7), primary_key=True),
        sa.Column("project", sa.String(32), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "templates",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("effective_from", sa.String(7), nullable=False),
        sa.Column("document", Json, nullable=False),
        sa.Column("published_at", Ts, nullable=False),
        sa.Column("published_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "period_closures",
        sa.Column("project", sa.String(32), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("closed_at", Ts, nullable=False),
        sa.Column("closed_by", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "event_revocations",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("revocation_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("projects", Json, nullable=False),
        sa.Column("created_at", Ts, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("args", Json, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("progress", Json, nullable=False),
        sa.Column("result", Json, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", Ts, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_TRIGGERS)
    else:
        for stmt in SQLITE_TRIGGERS:
            op.execute(stmt)


def downgrade() -> None:
    raise RuntimeError("the event store is never downgraded: events are kept (SPEC §6)")
