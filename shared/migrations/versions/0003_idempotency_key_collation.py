"""Idempotency keys compare byte by byte (COLLATE "C") on PostgreSQL.

A batch's events carry the keys `<key>#0`, `<key>#1`, ...; a repeated request is found
with `idempotency_key = :key OR idempotency_key LIKE '<key>#%'`. Under a linguistic
collation the unique index cannot serve that prefix, so every batch with a key scanned
the whole log (160 ms at 170,000 events, growing with the log). Under "C" the same index
answers it with a range scan. Equality, and so uniqueness, is unchanged: deterministic
collations compare equal strings byte for byte either way.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE events ALTER COLUMN idempotency_key TYPE VARCHAR(255) COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE events ALTER COLUMN idempotency_key TYPE VARCHAR(255) COLLATE "default"')
