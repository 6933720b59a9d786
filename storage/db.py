"""Engine and session factory for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

logger = logging.getLogger(__name__)


def create_engine(
    database_url: str, *, schema: str | None = None, echo: bool = False
) -> AsyncEngine:
    """Build the async engine; on SQLite set WAL, busy_timeout, foreign keys, BEGIN IMMEDIATE.

    A deferred SQLite transaction that reads and then writes fails at once with "database is
    locked" when another writer got in between, without waiting for busy_timeout; taking the
    write lock up front (BEGIN IMMEDIATE) makes such transactions wait their turn instead.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        connect_args = {"server_settings": {"search_path": schema}} if schema else {}
        return create_async_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args)

    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
