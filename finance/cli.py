"""The `finance` command: run the server, migrate and check the database, load demo data.

Every command reads the database from the settings (`FINANCE_DATABASE_URL`, default
`sqlite+aiosqlite:///./finance.db`); `--database-url` overrides it for one run.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
import uvicorn
from alembic.util import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from finance import demo as demo_data
from finance import migrate
from finance.config import Settings
from finance.db import create_engine, create_session_factory
from finance.integrity import LedgerReport, check_ledger

app = typer.Typer(
    name="finance",
    help="A self-hosted personal finance tracker.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Migrate and check the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the web app and API, migrating the database first unless FINANCE_AUTO_MIGRATE=false."""
    settings = load_settings(database_url)
    prepare_database(settings)
    from finance.main import create_app  # here: the app's import cost only for `serve`

    uvicorn.run(create_app(settings), host=host, port=port)


def prepare_database(settings: Settings) -> None:
    """Bring the database to the newest migration or, without auto-migration, insist it is."""
    if settings.auto_migrate:
        _upgrade(settings.database_url)
    else:
        _require_head(settings.database_url)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Migrate the database to the newest revision (creating its tables if it is empty)."""
    url = load_settings(database_url).database_url
    before, after = _upgrade(url)
    if before == after:
        typer.echo(f"{_display(url)} is up to date at revision {after}.")
    else:
        typer.echo(f"Upgraded {_display(url)} from revision {before or '(empty)'} to {after}.")


@db_app.command("check")
def db_check(database_url: DatabaseUrl = None) -> None:
    """Check the ledger: every transaction balances per currency and uses its owner's accounts
    and categories in their currency. Exits with status 1 if anything is wrong."""
    url = load_settings(database_url).database_url
    _require_head(url)
    with _database_errors(url):
        report = asyncio.run(_check(url))
    typer.echo(
        f"Checked {report.transactions} transactions ({report.postings} postings) "
        f"in {report.accounts} accounts of {report.users} users."
    )
    if report.ok:
        typer.echo("The ledger is balanced.")
        return
    for problem in report.problems:
        typer.echo(
            f"transaction {problem.transaction_id} (owner {problem.owner_id}): {problem.message}",
            err=True,
        )
    _fail(f"{len(report.problems)} problem(s) found.")


@app.command()
def demo(
    database_url: DatabaseUrl = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the demo user's data in a non-empty database.")
    ] = False,
) -> None:
    """Fill the database with a year (2026) of demo data for the local user."""
    settings = load_settings(database_url)
    with _database_errors(settings.database_url):
        try:
            summary = demo_data.create_demo_database(
                settings.database_url, email=settings.local_user_email, force=force
            )
        except demo_data.DemoRefused as refusal:
            _fail(f"Refused: {refusal}.")
    typer.echo(
        f"Wrote {summary.transactions} transactions from {summary.first_date} to "
        f"{summary.last_date}, {len(summary.accounts)} accounts and {summary.categories} "
        f"categories for {summary.email} to {_display(settings.database_url)}."
    )
    width = max(len(account.name) for account in summary.accounts)
    for account in summary.accounts:
        typer.echo(f"  {account.name:<{width}}  {account.balance:>12} {account.currency}")


def _upgrade(database_url: str) -> tuple[str | None, str]:
    """Migrate to head; the revisions before and after."""
    with _database_errors(database_url):
        before = migrate.current_revision(database_url)
        try:
            migrate.upgrade(database_url)
        except CommandError as error:
            _fail(f"Cannot migrate {_display(database_url)}: {error}")
    return before, migrate.head_revision()


def _require_head(database_url: str) -> None:
    """Exit with status 1 unless the database is at the newest migration."""
    with _database_errors(database_url):
        current = migrate.current_revision(database_url)
    head = migrate.head_revision()
    if current != head:
        at = f"at revision {current}" if current else "not initialised (no migrations applied)"
        _fail(
            f"The database {_display(database_url)} is {at}; this version of finance needs "
            f"revision {head}. Run `finance db upgrade` first (or set FINANCE_AUTO_MIGRATE=true "
            "to let `finance serve` do it)."
        )


async def _check(database_url: str) -> LedgerReport:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as db:
            return await check_ledger(db)
    finally:
        await engine.dispose()


@contextmanager
def _database_errors(database_url: str) -> Iterator[None]:
    """Turn a database that cannot be reached into a one-line error instead of a traceback."""
    try:
        yield
    except (SQLAlchemyError, OSError) as error:
        _fail(f"Cannot use the database {_display(database_url)}: {error}")


def _display(database_url: str) -> str:
    """The URL without its password."""
    return make_url(database_url).render_as_string(hide_password=True)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code=1)
