"""A postmortem's action items as stored, in document order (``pmt show``, sync).

(Root-cause analysis flags items "not effective" itself: ``tracker.causes.repeat_warning``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.store.tables import ItemRow


def items_of(session: Session, postmortem_key: str) -> list[ItemRow]:
    """A postmortem's items in document order, removed ones (kept for history) last."""
    from sqlmodel import col

    from tracker.store.tables import ItemRow, PostmortemRow

    query = (
        select(ItemRow)
        .join(PostmortemRow, ItemRow.postmortem_id == PostmortemRow.id)  # type: ignore[arg-type]
        .where(col(PostmortemRow.key) == postmortem_key)
        .order_by(ItemRow.status == "removed", ItemRow.position, ItemRow.id)  # type: ignore[arg-type]
    )
    return list(session.scalars(query))
