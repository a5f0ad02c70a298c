"""Initial schema: editors' labels and the screening audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite only autoincrements INTEGER PRIMARY KEY


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("editor_id", sa.String(128), nullable=False),
        sa.Column("screening_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("label IN ('hoax', 'valid')", name="ck_labels_label"),
    )
    op.create_index("ix_labels_text_sha256", "labels", ["text_sha256"])
    op.create_index("ix_labels_screening_id", "labels", ["screening_id"])

    op.create_table(
        "screenings",
        sa.Column("screening_id", sa.String(64), primary_key=True),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hoax_risk", sa.Float(), nullable=False),
        sa.Column("classifier_risk", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("model_version", sa.String(128), nullable=False),
        sa.Column("ruleset_version", sa.String(128), nullable=False),
        sa.Column("caller_role", sa.String(32), nullable=True),
        sa.Column("caller_key_id", sa.String(64), nullable=True),
        sa.Column("kim_group", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("decision IN ('publish', 'review', 'reject')", name="ck_screenings_decision"),
    )
    op.create_index("ix_screenings_decision_created_at", "screenings", ["decision", "created_at"])
    op.create_index("ix_screenings_text_sha256", "screenings", ["text_sha256"])


def downgrade() -> None:
    op.drop_index("ix_screenings_text_sha256", table_name="screenings")
    op.drop_index("ix_screenings_decision_created_at", table_name="screenings")
    op.drop_table("screenings")
    op.drop_index("ix_labels_screening_id", table_name="labels")
    op.drop_index("ix_labels_text_sha256", table_name="labels")
    op.drop_table("labels")
