"""Questions asked of the store, and the small writes the sync engine and root-cause analysis
make. One module per subject:

- ``columns``: the columns the read queries use, without the ORM;
- ``overdue``: overdue items (``pmt overdue``, ``pmt remind``): one query, one ``OverdueRow``;
- ``postmortems``: ``pmt list`` and ``pmt show``;
- ``items``: a postmortem's stored items;
- ``tickets``: ticket links and ticket states.

Reads return plain typed rows with ``to_dict()`` (the JSON the commands print), built from
column tuples rather than ORM objects: ``pmt overdue`` may read tens of thousands of rows. The
overdue and list queries also take a plain connection (``Store.reading()``) and import no ORM.
"""

from __future__ import annotations

from tracker.queries.columns import ITEMS, LINKS, POSTMORTEMS, as_list
from tracker.queries.items import items_of
from tracker.queries.overdue import (
    OVERDUE_FIELDS,
    OverduePage,
    OverdueRow,
    count_overdue,
    overdue,
    overdue_condition,
    overdue_page,
    overdue_rows,
)
from tracker.queries.postmortems import (
    ItemDetail,
    PostmortemDetail,
    PostmortemSummary,
    TicketSummary,
    count_postmortems,
    find_postmortem,
    list_postmortems,
    postmortem_detail,
    postmortem_summaries,
)
from tracker.queries.tickets import (
    link_for_item,
    record_link,
    record_ticket_state,
    tracking_link,
)

__all__ = [
    "ITEMS",
    "LINKS",
    "OVERDUE_FIELDS",
    "POSTMORTEMS",
    "ItemDetail",
    "OverduePage",
    "OverdueRow",
    "PostmortemDetail",
    "PostmortemSummary",
    "TicketSummary",
    "as_list",
    "count_overdue",
    "count_postmortems",
    "find_postmortem",
    "items_of",
    "link_for_item",
    "list_postmortems",
    "overdue",
    "overdue_condition",
    "overdue_page",
    "overdue_rows",
    "postmortem_detail",
    "postmortem_summaries",
    "record_link",
    "record_ticket_state",
    "tracking_link",
]
