"""Read models: scores with revisions, rankings, annual composites, checkpoints, fan-in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scores",
        sa.Column("employee", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("project", sa.String(32), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("final", sa.Numeric(12, 2), nullable=False),
        sa.Column("result", Json, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("computed_at", Ts, nullable=False),
    )
    op.create_index("ix_scores_project_period", "scores", ["project", "period"])
    op.create_table(
        "score_revisions",
        sa.Column("employee", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("old_final", sa.Numeric(12, 2), nullable=True),
        sa.Column("new_final", sa.Numeric(12, 2), nullable=False),
        sa.Column("old", Json, nullable=True),
        sa.Column("new", Json, nullable=False),
        sa.Column("cause_event_ids", Json, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("created_at", Ts, nullable=False),
    )
    op.create_table(
        "rankings",
        sa.Column("project", sa.String(32), primary_key=True),
        sa.Column("department", sa.String(100), primary_key=True),
        sa.Column("template", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("rows", Json, nullable=False),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("computed_at", Ts, nullable=False),
    )
    op.create_table(
        "annual_scores",
        sa.Column("employee", sa.String(64), primary_key=True),
        sa.Column("year", sa.String(4), primary_key=True),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("result", Json, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("computed_at", Ts, nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
    )
    op.create_table(
        "task_chunks",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("chunk_no", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("employees", Json, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("done_at", Ts, nullable=True),
    )


def downgrade() -> None:
    for table in ("task_chunks", "checkpoints", "annual_scores", "rankings", "score_revisions", "scores"):
        op.drop_table(table)
