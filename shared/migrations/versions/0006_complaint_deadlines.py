"""Each project's complaint deadlines (SPEC §7.7); the defaults apply where none is set.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_deadlines",
        sa.Column("project", sa.String(32), primary_key=True),
        sa.Column("reply_hours", sa.Integer, nullable=False),
        sa.Column("escalate_hours", sa.Integer, nullable=False),
        sa.Column("followup_days", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("complaint_deadlines")
