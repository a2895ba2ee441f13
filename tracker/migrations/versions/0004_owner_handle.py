"""Whether an action item's owner was written as a GitHub handle ("@lena-k").

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08

The parser stores an owner without its "@"; ``owner_handle`` keeps that it had one, so that
sync and ``pmt owners`` take a handle for its GitHub login (``tracker.people``). Rows written
before this revision get false: their files' next ingest sets it.

Tables made without alembic (``SQLModel.metadata.create_all``) are adopted at revision 0003
(``tracker.store.engine`` looks for postmortem's newest column) and may have the column already:
it is then left as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("action_item")}
    if "owner_handle" in columns:
        return
    with op.batch_alter_table("action_item") as batch:
        batch.add_column(
            sa.Column("owner_handle", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("action_item") as batch:
        batch.drop_column("owner_handle")
