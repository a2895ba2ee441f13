"""The postmortem's front matter, kept so that the analysis need not read the file again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

JSON text (YAML dates become ISO strings); ``{}`` when the document has none. Rows written
before this revision get NULL: their front matter is read from the file when it is needed,
until the file is next ingested.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postmortem") as batch:
        batch.add_column(sa.Column("front_matter", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postmortem") as batch:
        batch.drop_column("front_matter")
