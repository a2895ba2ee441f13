"""Repeats kept in the store, and indexes for reading a period's postmortems.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08

``cause_repeat`` holds the earlier postmortems each postmortem's cause repeats, as the repeat
search found them when it was analysed; ``postmortem.cause_repeats_of`` says what they were
searched with. ``pmt causes`` and the reports read a period's repeats from there instead of
searching the whole store each time. Rows written before this revision have none: they are
searched the first time a period that holds them is asked about (``tracker.causes.stored``).

Tables made without alembic (``SQLModel.metadata.create_all``) may have all of it already: what
exists is left as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_postmortem_incident_date", "incident_date"),
    ("ix_postmortem_created_at", "created_at"),
)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "cause_repeats_of" not in {c["name"] for c in inspector.get_columns("postmortem")}:
        with op.batch_alter_table("postmortem") as batch:
            batch.add_column(sa.Column("cause_repeats_of", sa.String(), nullable=True))
    indexes = {i["name"] for i in inspector.get_indexes("postmortem")}
    for name, column in _INDEXES:
        if name not in indexes:
            op.create_index(name, "postmortem", [column])
    if not inspector.has_table("cause_repeat"):
        op.create_table(
            "cause_repeat",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column(
                "postmortem_id", sa.Integer(), sa.ForeignKey("postmortem.id"), nullable=False
            ),
            sa.Column("earlier_id", sa.Integer(), sa.ForeignKey("postmortem.id"), nullable=False),
            sa.Column("score", sa.Float(), nullable=False),
            sa.UniqueConstraint("postmortem_id", "earlier_id", name="uq_cause_repeat_pair"),
        )
        op.create_index("ix_cause_repeat_postmortem_id", "cause_repeat", ["postmortem_id"])
        op.create_index("ix_cause_repeat_earlier_id", "cause_repeat", ["earlier_id"])


def downgrade() -> None:
    op.drop_table("cause_repeat")
    for name, _ in _INDEXES:
        op.drop_index(name, "postmortem")
    # A plain ALTER TABLE (SQLite has DROP COLUMN since 3.35): a batch copy of postmortem
    # would drop the table that action items refer to.
    op.drop_column("postmortem", "cause_repeats_of")
