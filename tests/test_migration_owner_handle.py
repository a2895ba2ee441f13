"""Revision 0004 (``action_item.owner_handle``): items stored before it keep every value and
read as not written as a handle; the revision goes down again."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlmodel import select

from tracker.migrations import HEAD, SCRIPT_LOCATION
from tracker.store import Store
from tracker.store.tables import ItemRow


def _columns(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns("action_item")}


# An item stored at revision 0003, with its postmortem.
_ROWS_AT_0003 = (
    "INSERT INTO postmortem (key, path, created_at, updated_at) VALUES ('pm-1', 'a.md', :t, :t)",
    (
        "INSERT INTO action_item (postmortem_id, uid, text, owner, due_implicit, position, "
        "status, not_effective, created_at, updated_at) "
        "VALUES (1, 'u1', 'Add alerting', 'lena-k', false, 0, 'open', false, :t, :t)"
    ),
)


def test_owner_handle_upgrade_and_downgrade(empty_database_url: str) -> None:
    at_0003 = Store(empty_database_url, migrate=False)
    at_0003.upgrade("0003")
    with at_0003.engine.begin() as conn:
        for statement in _ROWS_AT_0003:
            conn.execute(text(statement), {"t": datetime(2026, 1, 2, tzinfo=UTC)})
    at_0003.dispose()

    new = Store(empty_database_url)
    try:
        assert new.revision() == HEAD
        with new.session(write=False) as session:
            item = session.exec(select(ItemRow)).one()
        assert (item.owner, item.owner_handle) == ("lena-k", False)

        config = Config()
        config.set_main_option("script_location", SCRIPT_LOCATION)
        with new.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
        assert new.revision() == "0003"
        assert "owner_handle" not in _columns(new)
        assert {"owner", "text"} <= _columns(new)
    finally:
        new.dispose()
