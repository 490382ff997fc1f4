"""Schema migrations, run by the installed app itself: no `alembic.ini` needed.

The Alembic scripts live in the package (`finance/migrations`); `alembic_config` builds their
configuration in code. Every function here is synchronous and runs its database work with
`asyncio.run`, so call them from synchronous code (the CLI), never from inside an event loop.

To write a new migration after changing the models, autogenerate it against a database at head
and then read and tidy what it wrote (give constraints their final names, as 0001 does)::

    from alembic import command
    from finance.migrate import alembic_config

    url = "sqlite+aiosqlite:///./finance.db"
    command.revision(alembic_config(url), message="Add budgets", autogenerate=True, rev_id="0002")
"""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from finance.db import create_engine

SCRIPT_LOCATION = "finance:migrations"


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic's configuration for the packaged migrations, on `database_url` if given."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def head_revision() -> str:
    """The newest migration this version of the app ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations found in finance/migrations")
    return head


def upgrade(database_url: str) -> None:
    """Bring the database up to the newest migration, creating the tables on an empty one."""
    command.upgrade(alembic_config(database_url), "head")


def current_revision(database_url: str) -> str | None:
    """The migration the database is at; None for an empty database or a missing SQLite file."""
    if _is_missing_sqlite_file(database_url):
        return None
    return asyncio.run(_current_revision(database_url))


def is_up_to_date(database_url: str) -> bool:
    """Whether the database is at the newest migration."""
    return current_revision(database_url) == head_revision()


async def _current_revision(database_url: str) -> str | None:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_revision_of)
    finally:
        await engine.dispose()


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _is_missing_sqlite_file(database_url: str) -> bool:
    """True for a SQLite file that does not exist yet (asking would create an empty one)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.query.get("uri"):
        return False
    path = url.database or ""
    return path not in ("", ":memory:") and not Path(path).exists()
