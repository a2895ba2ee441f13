"""What repeat detection needs per postmortem, kept so that one new postmortem is cheap.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Every column is nullable: rows written before this revision get NULL and the analysis
computes their features the first time it needs them (``tracker.causes.features``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("cause_features_of", sa.String()),
    ("cause_day", sa.String()),
    ("cause_mechanisms", sa.Text()),
    ("cause_norm", sa.Text()),
    ("cause_terms", sa.Text()),
    ("cause_keys", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("postmortem") as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postmortem") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
