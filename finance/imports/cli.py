"""`finance import FILE --account NAME`: a bank file into an account, from the shell."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.auth import service as users
from finance.cli_common import DatabaseUrl, fail, load_settings, run_in_session
from finance.imports import service as imports
from finance.imports.formats import FileFormat
from finance.money import format_minor

KEPT_PROBLEMS = 100
"""How many of a refused file's problems are listed, line by line."""


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
        owner = await users.find_user(db=db, email=user) if user else await users.only_user(db=db)
        target = await accounts.find_account(db=db, owner_id=owner.id, name=account)
        opened = await imports.open_path(
            db=db, owner_id=owner.id, account_id=target.id, path=file, file_format=file_format
        )
        checked = await imports.preview(
            db=db,
            owner_id=owner.id,
            account_id=target.id,
            opened=opened,
            keep_lines=0,
            keep_problems=KEPT_PROBLEMS,
        )
        batch = None
        if not (checked.problem_count or dry_run):
            with typer.progressbar(length=checked.new, label="Importing", file=sys.stderr) as bar:
                batch = await imports.confirm(db=db, checked=checked, progress=bar.update)
        problems = [f"line {problem.line}: {problem.message}" for problem in checked.problems]
        if checked.problem_count > len(problems):
            problems.append(f"... and {checked.problem_count - len(problems)} more")
        net = format_minor(checked.net_minor, target.currency)
        summary = (
            f"{file.name}: {checked.new} new, {checked.duplicates} already imported, "
            f"{checked.problem_count} problem(s); net {net} {target.currency}."
        )
        if batch is not None:
            summary += f" Imported as import {batch.id} into {target.name}."
        return summary, problems

    summary, problems = run_in_session(load_settings(database_url).database_url, run)
    typer.echo(summary)
    for problem in problems:
        typer.echo(f"  {problem}", err=True)
    if problems:
        fail("Refused: fix the lines above (or the column mapping); nothing was imported.")
    if dry_run:
        typer.echo("Dry run: nothing was imported.")
