"""Database engine, session factory, declarative base and the session dependency."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base; the naming convention keeps migration names stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(
    database_url: str, *, echo: bool = False, busy_timeout_ms: int = 5000, **options: Any
) -> AsyncEngine:
    """Create the async engine; on SQLite, configure every connection for safe concurrent writes.

    `options` go to `create_async_engine` (tests pass a `poolclass`)."""
    engine = create_async_engine(database_url, echo=echo, **options)
    if make_url(database_url).get_backend_name() == "sqlite":
        configure_sqlite(engine, busy_timeout_ms=busy_timeout_ms)
    return engine


def configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL, a busy timeout, full sync, and `BEGIN IMMEDIATE` transactions.

    Python's sqlite3 module would start transactions itself with a deferred `BEGIN`; a deferred
    transaction that reads and then writes fails at once with "database is locked" when another
    writer holds the lock, whatever the busy timeout. So the driver's own transaction handling is
    switched off and every transaction takes the write lock up front, waiting its turn.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (no lazy reloads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def on_postgresql(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL. (SQLite needs no explicit locks: every
    transaction here takes the write lock as it begins.)"""
    return session.get_bind().dialect.name == "postgresql"


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, from the factory `create_app` put on the app state."""
    session_factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with session_factory() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]
