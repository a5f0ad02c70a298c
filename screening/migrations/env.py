"""Alembic environment: always run online against the connection handed over by `Store.migrate()`."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable from a hand-run `alembic` command
    raise RuntimeError("run migrations through screening.store.Store.migrate()")

context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
