"""Webhook deliveries accepted by ``pmt serve``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

``webhook_delivery`` keeps each verified delivery from the moment it is accepted: queued until a
worker applies it (so none is lost across a restart), then kept with its outcome, so that a
replayed delivery id changes nothing. A table made without alembic may exist already: it is
left as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("webhook_delivery"):
        return
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("delivery_id", sa.String(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("source", "delivery_id", name="uq_webhook_delivery_source_id"),
    )
    op.create_index("ix_webhook_delivery_status_id", "webhook_delivery", ["status", "id"])


def downgrade() -> None:
    op.drop_table("webhook_delivery")
