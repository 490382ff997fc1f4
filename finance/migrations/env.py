"""Alembic's environment: migrations run on the app's own async engine (`finance.db.create_engine`,
so SQLite gets its pragmas and `BEGIN IMMEDIATE`) and compare against `finance.models.Base`.

`finance.migrate` builds the configuration in code and passes the database URL in
`config.attributes["database_url"]`; without one, the URL comes from `sqlalchemy.url` or, failing
that, from the app's settings (`FINANCE_DATABASE_URL`).

On SQLite, foreign keys are not enforced while migrating: SQLite alters a table by copying it and
dropping the original, and with enforcement on that drop would cascade (deleting every posting
with its transactions table). The references are checked instead before the migration commits.
"""

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from finance.config import Settings
from finance.db import create_engine
from finance.models import Base
from finance.timestamps import UTCDateTime

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    """The database to migrate: given in code, in the configuration, or by the settings."""
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return str(url) if url else Settings().database_url


def is_sqlite(url: str) -> bool:
    """SQLite alters tables by copying them ("batch" mode); other databases alter in place."""
    return make_url(url).get_backend_name() == "sqlite"


def run_migrations_offline() -> None:
    """Write the migration SQL out instead of running it (`alembic upgrade --sql`)."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=is_sqlite(url),
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def render_item(type_: str, obj: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    """How autogenerate writes a column type: a UTC timestamp as the plain type it is stored
    as, so that a new migration needs no import of the app's code (and keeps working when that
    code moves). Every other type as Alembic writes it."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def do_run_migrations(connection: Connection) -> None:
    """Run the pending migrations in one transaction on an open connection: all or none.

    Alembic assumes SQLite commits before DDL (the sqlite3 module used to); `finance.db` turns
    that off and begins every transaction itself, so SQLite's DDL is transactional here too."""
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        transactional_ddl=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            check_foreign_keys(connection)


def check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit a migration that left a reference dangling."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        rows = ", ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in broken)
        raise RuntimeError(f"the migration broke foreign keys: {rows}")


def foreign_keys_off(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Runs after `finance.db`'s own connect hook, outside any transaction, as SQLite needs."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


async def run_async_migrations() -> None:
    """Open the app's engine, migrate, and dispose of it."""
    engine = create_engine(database_url(), poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", foreign_keys_off)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
