"""tracker.queries: its light columns match the tables, and its old import path still works."""

from __future__ import annotations

import pytest


def test_read_columns_are_the_tables_columns() -> None:
    """tracker.queries.columns declares the columns it reads without the ORM: each must exist
    in tracker.store.tables with the same Python type."""
    from tracker.queries.columns import ITEMS, LINKS, POSTMORTEMS
    from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow
    from tracker.store.types import UTCDateTime

    for light, real in ((ITEMS, ItemRow), (POSTMORTEMS, PostmortemRow), (LINKS, TicketLinkRow)):
        table = real.__table__  # type: ignore[attr-defined]
        assert light.name == table.name
        for column in light.c:
            assert column.name in table.c, f"{light.name}.{column.name}"
            real_type = table.c[column.name].type
            # A TypeDecorator (AutoString, UTCDateTime) stores as its implementation's type.
            real_type = getattr(real_type, "impl_instance", real_type)
            light_type = getattr(column.type, "impl_instance", column.type)
            assert light_type.python_type is real_type.python_type, f"{light.name}.{column.name}"
            # An instant is read as the tables read it: aware, in UTC.
            if isinstance(table.c[column.name].type, UTCDateTime):
                assert isinstance(column.type, UTCDateTime), f"{light.name}.{column.name}"


@pytest.mark.parametrize(
    "name",
    [
        # Every name imported from tracker.queries outside it (tracker.owners still uses the
        # private ones from before the split).
        "ItemDetail",
        "OverdueRow",
        "PostmortemDetail",
        "PostmortemSummary",
        "TicketSummary",
        "find_postmortem",
        "items_of",
        "link_for_item",
        "list_postmortems",
        "overdue",
        "postmortem_detail",
        "record_link",
        "record_ticket_state",
        "tracking_link",
    ],
)
def test_names_import_from_tracker_queries(name: str) -> None:
    import tracker.queries

    assert getattr(tracker.queries, name) is not None


def test_overdue_fields_are_the_row_fields() -> None:
    from tracker.queries import OVERDUE_FIELDS, OverdueRow

    assert OVERDUE_FIELDS == OverdueRow._fields
    assert OVERDUE_FIELDS[:4] == ("item", "uid", "item_id", "owner")
