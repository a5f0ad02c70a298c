"""Review skips: an editor's "unsure" on a queued screening; it leaves the review queue but is no training label.

Revision ID: 0002_review_skips
Revises: 0001_initial
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_review_skips"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite only autoincrements INTEGER PRIMARY KEY


def upgrade() -> None:
    op.create_table(
        "review_skips",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("screening_id", sa.String(64), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("editor_id", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_skips_screening_id", "review_skips", ["screening_id"])
    op.create_index("ix_review_skips_text_sha256", "review_skips", ["text_sha256"])


def downgrade() -> None:
    op.drop_index("ix_review_skips_text_sha256", table_name="review_skips")
    op.drop_index("ix_review_skips_screening_id", table_name="review_skips")
    op.drop_table("review_skips")
