"""A close/recompute task ranks its projects on jobs of their own (a second fan-out stage).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_chunks") as batch:
        batch.add_column(sa.Column("project", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_chunks") as batch:
        batch.drop_column("project")
