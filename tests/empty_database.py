"""Start a test on an empty shared PostgreSQL database, whatever tables earlier tests or migrations left."""

from __future__ import annotations

import sqlalchemy as sa


def drop_all_tables(engine: sa.Engine) -> None:
    """Drop every table of the database (the store's, alembic's), in an order their foreign keys allow."""
    with engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(bind=conn)
        tables.drop_all(bind=conn)
