"""The store: URLs, schema migrations, sessions and time stamps, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import select

from tracker.config import Settings
from tracker.errors import StoreError
from tracker.migrations import HEAD, SCRIPT_LOCATION
from tracker.store import Store, normalise_url, open_store
from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_urls_use_psycopg3(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_default_store_is_sqlite_in_user_data_dir(tmp_path, monkeypatch) -> None:
    import platformdirs

    store = open_store(Settings())
    try:
        assert store.dialect == "sqlite"
        db = platformdirs.user_data_dir("pmt") + "/pmt.db"
        assert store.engine.url.database == db
        assert store.is_empty()
        assert store.revision() == HEAD
    finally:
        store.dispose()


def test_database_url_setting_is_used(tmp_path, monkeypatch) -> None:
    path = tmp_path / "team.db"
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{path}")
    from tracker.config import load_settings

    store = open_store(load_settings())
    store.dispose()
    assert path.exists()


def test_unreachable_database_is_a_store_error(tmp_path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store(Settings(database_url=f"sqlite:///{tmp_path}/a-file/pmt.db"))


def test_head_constant_matches_alembic_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_migrated_schema_matches_the_tables(empty_database_url: str) -> None:
    """The revisions build exactly what tracker.store.tables declares (no drift to fix later)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData

    from tracker.store.tables import ALL_TABLES

    ours = MetaData()
    for table in ALL_TABLES:
        table.__table__.to_metadata(ours)  # type: ignore[attr-defined]
    store = Store(empty_database_url)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, ours) == []
    finally:
        store.dispose()


def test_upgrade_keeps_every_row(empty_database_url: str) -> None:
    """A database at the initial revision, with rows, upgraded to head, keeps them all."""
    old = Store(empty_database_url, migrate=False)
    try:
        old.upgrade("0001")
        assert old.revision() == "0001"
        with old.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO postmortem (key, path, title, created_at, updated_at) "
                    "VALUES ('pm-1', 'a.md', 'DNS outage', :t, :t)"
                ),
                {"t": datetime(2026, 1, 2, 3, 4, tzinfo=UTC)},
            )
            conn.execute(
                text(
                    "INSERT INTO action_item (postmortem_id, uid, text, due, due_implicit, "
                    "position, status, not_effective, created_at, updated_at) "
                    "VALUES (1, 'u1', 'Add alerting', :d, false, 0, 'open', false, :t, :t)"
                ),
                {"d": date(2026, 2, 1), "t": datetime(2026, 1, 2, 3, 4, tzinfo=UTC)},
            )
    finally:
        old.dispose()

    new = Store(empty_database_url)
    try:
        assert new.revision() == HEAD
        with new.session(write=False) as session:
            pm = session.exec(select(PostmortemRow)).one()
            item = session.exec(select(ItemRow)).one()
        assert (pm.key, pm.title) == ("pm-1", "DNS outage")
        assert (item.uid, item.text, item.due) == ("u1", "Add alerting", date(2026, 2, 1))
        assert item.created_at == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    finally:
        new.dispose()


def test_tables_made_without_alembic_are_adopted(tmp_path) -> None:
    from sqlmodel import SQLModel, create_engine

    url = f"sqlite:///{tmp_path / 'adopt.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    store = Store(url)
    try:
        assert store.revision() == HEAD
        assert store.is_empty()
    finally:
        store.dispose()


def test_timestamps_are_stored_in_utc_and_read_back_aware(store: Store) -> None:
    paris = timezone(timedelta(hours=2))
    with store.session() as session:
        pm = PostmortemRow(key="k", path="k.md", started=datetime(2026, 5, 1, 10, 0, tzinfo=paris))
        session.add(pm)
    with store.session(write=False) as session:
        row = session.exec(select(PostmortemRow)).one()
    assert row.started == datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    assert row.started.utcoffset() == timedelta(0)
    assert row.created_at.tzinfo is not None
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT started FROM postmortem")).scalar_one()
    # SQLite keeps the text it is given: UTC, so that string order is time order.
    if store.dialect == "sqlite":
        assert str(raw).startswith("2026-05-01 08:00:00")


def test_session_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(PostmortemRow(key="gone", path="gone.md"))
        session.flush()
        raise RuntimeError("boom")
    assert store.is_empty()


def test_unique_keys_hold(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    with store.session() as session:
        pm = PostmortemRow(key="k", path="k.md")
        session.add(pm)
        session.flush()
        session.add(ItemRow(postmortem_id=pm.id, uid="u", text="x"))
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(PostmortemRow(key="k", path="other.md"))
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(ItemRow(postmortem_id=1, uid="u", text="y"))
    with store.session() as session:
        session.add(TicketLinkRow(item_id=1, postmortem_id=1, tracker="github", key="o/r#1"))
    # A second ticket for the same item on one tracker.
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(TicketLinkRow(item_id=1, postmortem_id=1, tracker="github", key="o/r#2"))
    with store.session() as session:  # tracking tickets have no item: they do not collide
        session.add(TicketLinkRow(postmortem_id=1, tracker="github", key="o/r#3", role="tracking"))
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(TicketLinkRow(postmortem_id=1, tracker="github", key="o/r#4", role="tracking"))


def test_is_empty(store: Store) -> None:
    assert store.is_empty()
    with store.session() as session:
        session.add(PostmortemRow(key="k", path="k.md"))
    assert not store.is_empty()
