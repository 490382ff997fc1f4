"""`finance import FILE --account NAME`: a bank file into an account, from the shell."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Protocol

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.auth import service as users
from finance.cli_common import DatabaseUrl, fail, load_settings, run_in_session
from finance.imports import stream
from finance.imports.formats import FileFormat
from finance.money import format_minor


def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The bank file.")
    ],
    account: Annotated[str, typer.Option("--account", help="The account's name.")],
    file_format: Annotated[
        FileFormat | None, typer.Option("--format", help="Detected from the file if left out.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be imported; write nothing.")
    ] = False,
    user: Annotated[
        str | None, typer.Option("--user", help="The owner's email (needed with several users).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import a bank file (CSV, OFX/QFX, QIF, camt.053) into an account, all or nothing; lines
    already imported are skipped. Exits with status 1 if the file is refused."""

    async def run(db: AsyncSession) -> tuple[str, list[str]]:
        owner = await users.find_user(db, user) if user else await users.only_user(db)
        target = await accounts.find_account(db=db, owner_id=owner.id, name=account)
        opened = await stream.open_file(
            db, owner_id=owner.id, account_id=target.id, path=file, file_format=file_format
        )
        with typer.progressbar(length=1, label="Importing", file=sys.stderr) as bar:
            done = await stream.import_stream(
                db,
                owner_id=owner.id,
                account_id=target.id,
                opened=opened,
                filename=file.name,
                dry_run=dry_run,
                progress=_advance(bar),
            )
        problems = [f"line {problem.line}: {problem.message}" for problem in done.problems]
        if done.problem_count > len(problems):
            problems.append(f"... and {done.problem_count - len(problems)} more")
        net = format_minor(done.net_minor, target.currency)
        summary = (
            f"{file.name}: {done.new} new, {done.duplicates} already imported, "
            f"{done.problem_count} problem(s); net {net} {target.currency}."
        )
        if done.batch is not None:
            summary += f" Imported as import {done.batch.id} into {target.name}."
        return summary, problems

    summary, problems = run_in_session(load_settings(database_url).database_url, run)
    typer.echo(summary)
    for problem in problems:
        typer.echo(f"  {problem}", err=True)
    if problems:
        fail("Refused: fix the lines above (or the column mapping); nothing was imported.")
    if dry_run:
        typer.echo("Dry run: nothing was imported.")


class _Bar(Protocol):
    """What `_advance` needs of Typer's progress bar."""

    length: int | None

    def update(self, n_steps: int) -> None: ...


def _advance(bar: _Bar) -> Callable[[int, int], None]:
    """Move the bar on by each chunk imported, out of the number to import."""

    def advance(count: int, total: int) -> None:
        bar.length = total
        bar.update(count)

    return advance
