"""The database: engine, sessions for reading and for writing, the declarative base, and the
session dependency."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry

from finance.sqlite_driver import ONE_TRIP_AIOSQLITE

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


class Access(StrEnum):
    """What a database transaction may do, which decides how it begins on SQLite."""

    READ = "read"
    """Only reads: a deferred transaction, which WAL runs beside other readers and beside the
    one writer, on a snapshot; SQLite's `query_only` refuses any write in it."""
    WRITE = "write"
    """Reads and writes: takes the write lock as it begins, waiting its turn (the busy
    timeout) behind another writer."""
    WRITE_IF_FREE = "write_if_free"
    """A small write that can wait for a better moment (when a token was last used): takes the
    write lock at once if it is free, or fails at once if another writer holds it."""


ACCESS_OPTION = "finance_access"
"""The execution option that carries a session's `Access` to the SQLite `begin` hook."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""HTTP methods that change nothing: their requests read in `Access.READ` transactions (and
pages asked for with them need no CSRF token)."""
logger = logging.getLogger(__name__)


def create_engine(
    database_url: str, *, echo: bool = False, busy_timeout_ms: int = 5000, **options: Any
) -> AsyncEngine:
    """Create the async engine; on SQLite, configure every connection for safe concurrent writes
    and talk to it through `ONE_TRIP_AIOSQLITE`.

    `options` go to `create_async_engine` (tests pass a `poolclass`)."""
    url = make_url(database_url)
    if url.get_driver_name() == "aiosqlite":
        options.setdefault("module", ONE_TRIP_AIOSQLITE)
    engine = create_async_engine(database_url, echo=echo, **options)
    if url.get_backend_name() == "sqlite":
        configure_sqlite(engine, busy_timeout_ms=busy_timeout_ms)
    return engine


def configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL, a busy timeout, full sync; each transaction begun as its `Access`
    asks.

    Python's sqlite3 module would start transactions itself with a deferred `BEGIN`; a deferred
    transaction that reads and then writes fails at once with "database is locked" when another
    writer holds the lock, whatever the busy timeout. So the driver's own transaction handling is
    switched off: a transaction that may write takes the write lock up front (`BEGIN
    IMMEDIATE`), waiting its turn, and one that only reads begins deferred and is held to it.
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
        access = Access(connection.get_execution_options().get(ACCESS_OPTION, Access.WRITE))
        if connection.info.get(ACCESS_OPTION, Access.WRITE) is not access:  # set only changes
            wait = 0 if access is Access.WRITE_IF_FREE else int(busy_timeout_ms)
            connection.exec_driver_sql(f"PRAGMA query_only={int(access is Access.READ)}")
            connection.exec_driver_sql(f"PRAGMA busy_timeout={wait}")
            connection.info[ACCESS_OPTION] = access
        connection.exec_driver_sql("BEGIN" if access is Access.READ else "BEGIN IMMEDIATE")


class Database:
    """The engine, and sessions on it for each kind of `Access`; `Access.WRITE` sessions on
    `writer` when there is one (see `open_database`). Sessions keep loaded attributes after
    commit (no lazy reloads in async code)."""

    def __init__(self, engine: AsyncEngine, writer: AsyncEngine | None = None) -> None:
        self.engine = engine
        self.writer = writer or engine
        self._sessions = {
            access: async_sessionmaker(
                (self.writer if access is Access.WRITE else engine).execution_options(
                    **{ACCESS_OPTION: access.value}
                ),
                expire_on_commit=False,
            )
            for access in Access
        }

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.writer is not self.engine:
            await self.writer.dispose()

    def sessions(self, access: Access = Access.WRITE) -> async_sessionmaker[AsyncSession]:
        """The factory of sessions that `access`."""
        return self._sessions[access]

    def session(self, access: Access = Access.WRITE) -> AsyncSession:
        """A new session that `access`."""
        return self._sessions[access]()

    async def write_if_free(self, work: Callable[[AsyncSession], Awaitable[None]]) -> bool:
        """Do a small write that may be skipped, such as noting when a token was last used: at
        once if the database is free (SQLite would otherwise make it wait for a writer that may
        take seconds), else not at all; whether it was done."""
        try:
            async with self.session(Access.WRITE_IF_FREE) as session:
                await work(session)
        except OperationalError as busy:
            logger.info("skipped a write while the database is busy: %s", busy)
            return False
        return True


def open_database(
    database_url: str,
    *,
    echo: bool = False,
    busy_timeout_ms: int = 5000,
    wait_s: float = 60,
    readers: int = 2,
) -> Database:
    """The app's database. On a SQLite file, writes take turns on one connection of their own,
    in the order they came: SQLite lets one writer in at a time, and writers left to its busy
    timeout retry at random, so in a burst some wait past it while later ones go first. At most
    `readers` requests read at once, the rest waiting their turn: reads and writes share the
    event loop, and more readers at once read no faster but slow the one writer. A request
    that waits longer than `wait_s` for its connection is answered 503. Elsewhere, one pool."""
    if not is_sqlite_file(database_url):
        return Database(create_engine(database_url, echo=echo, busy_timeout_ms=busy_timeout_ms))

    def queue(size: int) -> AsyncEngine:
        return create_engine(
            database_url,
            echo=echo,
            busy_timeout_ms=busy_timeout_ms,
            pool_size=size,
            max_overflow=0,
            pool_timeout=wait_s,
        )

    return Database(queue(readers), writer=queue(1))


def is_sqlite_file(database_url: str) -> bool:
    """Whether the URL names a SQLite database in a file (not in memory)."""
    url = make_url(database_url)
    memory = url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    return url.get_backend_name() == "sqlite" and not memory


def on_postgresql(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL. (SQLite needs no explicit locks: every
    transaction that may write takes the write lock as it begins.)"""
    return session.get_bind().dialect.name == "postgresql"


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, on the app's `Database`: read-only for a request that changes
    nothing (`SAFE_METHODS`), so that reads never queue behind a writer."""
    database: Database = request.app.state.database
    access = Access.READ if request.method in SAFE_METHODS else Access.WRITE
    async with database.session(access) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]
