"""The initial schema: postmortems, action items, their history, ticket links and their history.

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Written out by hand (not generated from ``tracker.store.tables`` at run time) so that this revision
keeps meaning the same schema when the tables change in later revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _instant(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "postmortem",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("title", sa.String()),
        sa.Column("incident_date", sa.Date()),
        _instant("started"),
        _instant("ended"),
        sa.Column("timezone", sa.String()),
        sa.Column("duration_minutes", sa.Integer()),
        sa.Column("impact", sa.Text()),
        sa.Column("users_affected_pct", sa.Float()),
        sa.Column("severity", sa.String()),
        sa.Column("root_cause", sa.Text()),
        sa.Column("root_cause_detail", sa.Text()),
        sa.Column("resolution", sa.Text()),
        sa.Column("incident_ticket", sa.String()),
        sa.Column("content_hash", sa.String()),
        sa.Column("cause_category", sa.String()),
        sa.Column("cause_secondary", sa.String()),
        sa.Column("cause_confidence", sa.Float()),
        sa.Column("cause_source", sa.String()),
        _instant("created_at", nullable=False),
        _instant("updated_at", nullable=False),
        _instant("removed_at"),
    )
    op.create_index("ix_postmortem_key", "postmortem", ["key"], unique=True)

    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("postmortem_id", sa.Integer(), sa.ForeignKey("postmortem.id"), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String()),
        sa.Column("due", sa.Date()),
        sa.Column("due_implicit", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.String()),
        sa.Column("kind", sa.String()),
        sa.Column("done", sa.Boolean()),
        sa.Column("ticket", sa.String()),
        sa.Column("line", sa.Integer()),
        sa.Column("section", sa.String()),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("not_effective", sa.Boolean(), nullable=False),
        _instant("created_at", nullable=False),
        _instant("closed_at"),
        _instant("removed_at"),
        _instant("updated_at", nullable=False),
        sa.UniqueConstraint("postmortem_id", "uid", name="uq_action_item_postmortem_uid"),
    )
    op.create_index("ix_action_item_postmortem_id", "action_item", ["postmortem_id"])
    op.create_index("ix_action_item_status_due", "action_item", ["status", "due"])

    op.create_table(
        "item_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("action_item.id"), nullable=False),
        _instant("at", nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("detail", sa.Text()),
    )
    op.create_index("ix_item_event_item_id", "item_event", ["item_id"])

    op.create_table(
        "ticket_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("action_item.id")),
        sa.Column("postmortem_id", sa.Integer(), sa.ForeignKey("postmortem.id"), nullable=False),
        sa.Column("tracker", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("url", sa.String()),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("state_reason", sa.String()),
        sa.Column("assignee", sa.String()),
        _instant("closed_at"),
        _instant("refreshed_at"),
        sa.Column("synced_hash", sa.String()),
        _instant("last_reminded_at"),
        _instant("created_at", nullable=False),
        _instant("updated_at", nullable=False),
        sa.UniqueConstraint("tracker", "key", name="uq_ticket_link_tracker_key"),
    )
    op.create_index("ix_ticket_link_item_id", "ticket_link", ["item_id"])
    op.create_index("ix_ticket_link_postmortem_id", "ticket_link", ["postmortem_id"])
    item_role = sa.text("role = 'item'")
    tracking_role = sa.text("role = 'tracking'")
    op.create_index(
        "uq_ticket_link_item_tracker",
        "ticket_link",
        ["item_id", "tracker"],
        unique=True,
        sqlite_where=item_role,
        postgresql_where=item_role,
    )
    op.create_index(
        "uq_ticket_link_tracking",
        "ticket_link",
        ["postmortem_id", "tracker", "role"],
        unique=True,
        sqlite_where=tracking_role,
        postgresql_where=tracking_role,
    )

    op.create_table(
        "ticket_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("link_id", sa.Integer(), sa.ForeignKey("ticket_link.id"), nullable=False),
        _instant("at", nullable=False),
        sa.Column("state", sa.String()),
        sa.Column("state_reason", sa.String()),
        sa.Column("assignee", sa.String()),
        _instant("closed_at"),
    )
    op.create_index("ix_ticket_event_link_id", "ticket_event", ["link_id"])


def downgrade() -> None:
    for table in ("ticket_event", "ticket_link", "item_event", "action_item", "postmortem"):
        op.drop_table(table)
