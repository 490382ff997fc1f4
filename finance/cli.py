"""The `finance` command: run the server, migrate and check the database, load demo data, and
(`finance.auth.cli`) manage users and access tokens.

Every command reads the database from the settings (`FINANCE_DATABASE_URL`, default
`sqlite+aiosqlite:///./finance.db`); `--database-url` overrides it for one run.
"""

import asyncio
import os
from typing import Annotated

import typer
import uvicorn
from alembic.util import CommandError

from finance import demo as demo_data
from finance import migrate
from finance.auth.cli import tokens_app, users_app
from finance.cli_common import (
    DatabaseUrl,
    database_errors,
    database_session,
    display,
    fail,
    load_settings,
    require_head,
)
from finance.config import Settings
from finance.exports.cli import backup_database, export_user, import_backup
from finance.imports.cli import import_file
from finance.ledger.check import LedgerReport, check_ledger
from finance.ledger.totals import Sums

app = typer.Typer(
    name="finance",
    help="A self-hosted personal finance tracker.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Migrate and check the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.command("import")(import_file)
app.command("export")(export_user)
app.command("import-backup")(import_backup)
app.command("backup")(backup_database)


WORKER_APP = "finance.main:create_app"
"""What each of several worker processes calls to build its app."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes serving requests, each with its own pool.")
    ] = 1,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the web app and API, migrating the database first unless FINANCE_AUTO_MIGRATE=false."""
    settings = load_settings(database_url)
    prepare_database(settings)
    if workers > 1:  # each worker builds its app from the environment
        os.environ["FINANCE_DATABASE_URL"] = settings.database_url
        uvicorn.run(WORKER_APP, factory=True, workers=workers, host=host, port=port)
        return
    from finance.main import create_app  # here: the app's import cost only for `serve`

    uvicorn.run(create_app(settings), host=host, port=port)


def prepare_database(settings: Settings) -> None:
    """Bring the database to the newest migration or, without auto-migration, insist it is."""
    if settings.auto_migrate:
        _upgrade(settings.database_url)
    else:
        require_head(settings.database_url)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Migrate the database to the newest revision (creating its tables if it is empty)."""
    url = load_settings(database_url).database_url
    before, after = _upgrade(url)
    if before == after:
        typer.echo(f"{display(url)} is up to date at revision {after}.")
    else:
        typer.echo(f"Upgraded {display(url)} from revision {before or '(empty)'} to {after}.")


@db_app.command("check")
def db_check(database_url: DatabaseUrl = None) -> None:
    """Check the ledger: every transaction balances per currency and uses its owner's accounts
    and categories in their currency, and every maintained total equals the sum of its
    postings. Exits with status 1 if anything is wrong."""
    url = load_settings(database_url).database_url
    require_head(url)
    with database_errors(url):
        report = asyncio.run(_check(url))
    typer.echo(
        f"Checked {report.transactions} transactions ({report.postings} postings) "
        f"in {report.accounts} accounts of {report.users} users, and their totals."
    )
    if report.ok:
        typer.echo("The ledger is balanced and every total is right.")
        return
    for problem in report.problems:
        typer.echo(
            f"transaction {problem.transaction_id} (owner {problem.owner_id}): {problem.message}",
            err=True,
        )
    for total in report.totals:
        typer.echo(
            f"{total.total}: the total holds {_sums(total.stored)} "
            f"but its postings sum to {_sums(total.expected)}",
            err=True,
        )
    fail(f"{len(report.problems) + len(report.totals)} problem(s) found.")


def _sums(sums: Sums) -> str:
    cleared = f", {sums.cleared} cleared" if sums.cleared else ""
    return f"{sums.posted} minor units{cleared} in {sums.postings} posting(s)"


@app.command()
def demo(
    database_url: DatabaseUrl = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the demo user's data in a non-empty database.")
    ] = False,
) -> None:
    """Fill the database with a year (2026) of demo data for the demo user, created with the
    demo login if it does not exist."""
    settings = load_settings(database_url)
    with database_errors(settings.database_url):
        try:
            summary = demo_data.create_demo_database(settings.database_url, force=force)
        except demo_data.DemoRefused as refusal:
            fail(f"Refused: {refusal}.")
    typer.echo(
        f"Wrote {summary.transactions} transactions from {summary.first_date} to "
        f"{summary.last_date}, {len(summary.accounts)} accounts and {summary.categories} "
        f"categories for {summary.email} to {display(settings.database_url)}."
    )
    typer.echo(f"Log in as {demo_data.DEMO_EMAIL} with the password {demo_data.DEMO_PASSWORD}.")
    width = max(len(account.name) for account in summary.accounts)
    for account in summary.accounts:
        typer.echo(f"  {account.name:<{width}}  {account.balance:>12} {account.currency}")


def _upgrade(database_url: str) -> tuple[str | None, str]:
    """Migrate to head; the revisions before and after."""
    with database_errors(database_url):
        before = migrate.current_revision(database_url)
        try:
            migrate.upgrade(database_url)
        except CommandError as error:
            fail(f"Cannot migrate {display(database_url)}: {error}")
    return before, migrate.head_revision()


async def _check(database_url: str) -> LedgerReport:
    async with database_session(database_url) as db:
        return await check_ledger(db)
