"""What every `finance` command shares: the database option, settings, and one-line errors
instead of tracebacks."""

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, NoReturn, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from finance import migrate
from finance.config import Settings
from finance.db import Database, create_engine
from finance.errors import DomainError

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the database [default: FINANCE_DATABASE_URL, "
        "else sqlite+aiosqlite:///./finance.db]",
        show_default=False,
    ),
]


def load_settings(database_url: str | None = None) -> Settings:
    """The settings from the environment, with the database URL overridden if given."""
    if database_url is None:
        return Settings()
    return Settings(database_url=database_url)


def require_head(database_url: str) -> None:
    """Exit with status 1 unless the database is at the newest migration."""
    with database_errors(database_url):
        current = migrate.current_revision(database_url)
    head = migrate.head_revision()
    if current != head:
        at = f"at revision {current}" if current else "not initialised (no migrations applied)"
        fail(
            f"The database {display(database_url)} is {at}; this version of finance needs "
            f"revision {head}. Run `finance db upgrade` first (or set FINANCE_AUTO_MIGRATE=true "
            "to let `finance serve` do it)."
        )


@contextmanager
def database_errors(database_url: str) -> Iterator[None]:
    """Turn a database that cannot be reached into a one-line error instead of a traceback."""
    try:
        yield
    except (SQLAlchemyError, OSError) as error:
        fail(f"Cannot use the database {display(database_url)}: {error}")


def display(database_url: str) -> str:
    """The URL without its password."""
    return make_url(database_url).render_as_string(hide_password=True)


def fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code=1)


T = TypeVar("T")


@asynccontextmanager
async def database_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session on its own engine, disposed of afterwards (commands run once and exit)."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with Database(engine).session() as db:
            yield db
    finally:
        await engine.dispose()


def run_in_session(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` on a database at the newest migration; a refusal by a rule, or a database that
    cannot be used, ends the command with its message and status 1."""
    require_head(database_url)
    # The app is loaded: keep its modules' objects out of the collector's sight from here on.
    # A bulk import makes millions of short-lived objects, and each full collection would walk
    # every loaded module again (a sixth of the time of a 100,000-line import).
    gc.freeze()

    async def run() -> T:
        async with database_session(database_url) as db:
            return await work(db)

    with database_errors(database_url):
        try:
            return asyncio.run(run())
        except DomainError as refusal:
            fail(f"Refused: {refusal.detail}.")
