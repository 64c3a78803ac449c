"""Ranking revisions: every published version of a ranking (its payroll amounts), with the
events that caused it, so a closed month's payroll changes can be listed (SPEC §6).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ranking_revisions",
        sa.Column("project", sa.String(32), primary_key=True),
        sa.Column("department", sa.String(100), primary_key=True),
        sa.Column("template", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("rows", Json, nullable=False),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("cause_event_ids", Json, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("created_at", Ts, nullable=False),
    )
    # The rankings published so far: each as its current revision (the earlier ones were not kept).
    op.execute("INSERT INTO ranking_revisions (project, department, template, period, revision, rows, closed_on, "
               "cause_event_ids, position, created_at) SELECT project, department, template, period, revision, "
               "rows, closed_on, '[]', position, computed_at FROM rankings")


def downgrade() -> None:
    op.drop_table("ranking_revisions")
