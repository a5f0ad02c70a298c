"""Audit log: the request id, author and channel of each screening, and when its texts were purged (retention).

Revision ID: 0003_audit_log
Revises: 0002_review_skips
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit_log"
down_revision = "0002_review_skips"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN of nullable columns: no table rebuild on SQLite, no rewrite on PostgreSQL.
    op.add_column("screenings", sa.Column("request_id", sa.String(64), nullable=True))
    op.add_column("screenings", sa.Column("author", sa.String(200), nullable=True))
    op.add_column("screenings", sa.Column("channel", sa.String(200), nullable=True))
    op.add_column("screenings", sa.Column("text_purged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_screenings_created_at", "screenings", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_screenings_created_at", table_name="screenings")
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("text_purged_at")
        batch.drop_column("channel")
        batch.drop_column("author")
        batch.drop_column("request_id")
