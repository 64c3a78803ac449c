"""Alembic environment: the connection comes from `shared.migrate.upgrade`."""

from alembic import context

from shared.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `jixiao db upgrade` (shared.migrate.upgrade)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
