"""Label history: an admin's corrections and deletions of labels, each kept with the value before, who and when.

A corrected label keeps its row (the editor who gave the verdict, its id and time) with the new verdict and note;
a deleted one keeps its row marked `deleted_at`, no longer a label anywhere (lists, exports, conflicts, the queue,
retraining). Every change is a row of `label_revisions`.

Revision ID: 0005_label_history
Revises: 0004_shared_sessions
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_label_history"
down_revision = "0004_shared_sessions"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite only autoincrements INTEGER PRIMARY KEY


def upgrade() -> None:
    # Plain ADD COLUMN of nullable columns: no table rebuild on SQLite, no rewrite on PostgreSQL.
    op.add_column("labels", sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("labels", sa.Column("corrected_by", sa.String(128), nullable=True))
    op.add_column("labels", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("labels", sa.Column("deleted_by", sa.String(128), nullable=True))
    op.create_table(
        "label_revisions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("label_id", _ID, sa.ForeignKey("labels.id", name="fk_label_revisions_label_id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("old_label", sa.String(16), nullable=False),
        sa.Column("old_note", sa.Text(), nullable=True),
        sa.Column("new_label", sa.String(16), nullable=True),
        sa.Column("new_note", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('corrected', 'deleted')", name="ck_label_revisions_action"),
    )
    op.create_index("ix_label_revisions_label_id", "label_revisions", ["label_id"])


def downgrade() -> None:
    # Without the marker a deleted label would count again: it goes (its history goes with the table).
    op.execute(sa.text("DELETE FROM label_revisions"))
    op.execute(sa.text("DELETE FROM labels WHERE deleted_at IS NOT NULL"))
    op.drop_index("ix_label_revisions_label_id", table_name="label_revisions")
    op.drop_table("label_revisions")
    with op.batch_alter_table("labels") as batch:
        batch.drop_column("deleted_by")
        batch.drop_column("deleted_at")
        batch.drop_column("corrected_by")
        batch.drop_column("corrected_at")
