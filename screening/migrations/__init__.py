"""Alembic migrations for the `screening.store` schema (run through `Store.migrate()`)."""
