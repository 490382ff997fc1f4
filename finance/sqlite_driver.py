"""SQLite through aiosqlite in one trip to its thread a statement.

aiosqlite runs each sqlite3 call in its own thread and SQLAlchemy's adapter makes four calls a
statement (open a cursor, execute, fetch, close), each one a trip through the event loop. While
a transaction holds SQLite's write lock, every trip waits its turn behind whatever else the loop
is running, so a busy server held the lock for forty-odd turns a write. This adapter runs the
four calls as one function in aiosqlite's thread and hands SQLAlchemy the finished result: one
trip a statement, one to commit, and none to roll back when nothing is open. It is passed to
the engine as its DBAPI (`create_async_engine(..., module=ONE_TRIP_AIOSQLITE)`); server-side
cursors (streamed reads) keep aiosqlite's own.
"""

import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)


@dataclass(slots=True)
class Finished:
    """What a cursor holds once its statement has run: SQLAlchemy reads these attributes."""

    description: Any = None
    rowcount: int = -1
    lastrowid: int | None = None
    rows: list[Any] = field(default_factory=list)
    arraysize: int = 1

    def close(self) -> None:
        """Nothing to close: the sqlite3 cursor was closed in the driver's thread."""


def _execute(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Any] | None
) -> Finished:
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return Finished(cursor.description, cursor.rowcount, cursor.lastrowid, rows)
    finally:
        cursor.close()


def _execute_many(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Sequence[Any]]
) -> Finished:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return Finished(cursor.description, cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


async def _in_thread(connection: Any, work: Callable[..., Finished], *arguments: Any) -> Any:
    """Run `work(sqlite3_connection, *arguments)` in the aiosqlite connection's own thread;
    what it returns, a `Finished` standing in for SQLAlchemy's cursor."""
    run = cast(Callable[..., Awaitable[Finished]], connection._execute)
    return await run(work, connection._conn, *arguments)


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement runs, is fetched and is closed in one trip."""

    __slots__ = ()
    _awaitable_cursor_close = False

    def _make_new_cursor(self, connection: Any) -> Any:
        return Finished()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            self._cursor = await _in_thread(self._connection, _execute, operation, parameters)
        finished = cast(Finished, self._cursor)
        self._rows = deque(finished.rows)
        finished.rows = []
        return finished

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            self._cursor = await _in_thread(
                self._connection, _execute_many, operation, seq_of_parameters
            )
        return self._cursor


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's connection, handing out `OneTripCursor`s."""

    __slots__ = ()
    _cursor_cls = OneTripCursor

    def rollback(self) -> None:
        """Roll back, without a trip when no transaction is open (the pool rolls back every
        connection it is given back, mostly after a commit)."""
        sqlite_connection = self._connection._connection
        if sqlite_connection is not None and sqlite_connection.in_transaction:
            super().rollback()


class OneTripAiosqlite(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given."""

    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        """Connect as aiosqlite does, with `OneTripCursor`s."""
        return OneTripConnection(self, super().connect(*args, **kwargs)._connection)


ONE_TRIP_AIOSQLITE = OneTripAiosqlite(aiosqlite, sqlite3)
