"""`finance import FILE --account NAME`: a bank file into an account, from the shell."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.auth import service as users
from finance.cli_common import DatabaseUrl, fail, load_settings, run_in_session
from finance.imports import service
from finance.imports.formats import FileFormat
from finance.money import format_minor

SHOWN_PROBLEMS = 20


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
    data = file.read_bytes()

    async def run(db: AsyncSession) -> tuple[str, list[str]]:
        owner = await users.find_user(db, user) if user else await users.only_user(db)
        target = await accounts.find_account(db=db, owner_id=owner.id, name=account)
        read = await service.read_upload(
            db,
            owner_id=owner.id,
            account_id=target.id,
            filename=file.name,
            data=data,
            file_format=file_format,
        )
        checked = await service.preview(
            db, owner_id=owner.id, account_id=target.id, statement=read.statement
        )
        problems = [f"line {problem.line}: {problem.message}" for problem in checked.problems]
        net = format_minor(checked.net_minor, target.currency)
        summary = (
            f"{file.name}: {len(checked.to_add)} new, {checked.duplicates} already imported, "
            f"{len(problems)} problem(s); net {net} {target.currency}."
        )
        if problems or dry_run:
            return summary, problems
        with typer.progressbar(
            length=len(checked.to_add), label="Importing", file=sys.stderr
        ) as bar:
            batch = await service.confirm_preview(
                db,
                checked=checked,
                filename=file.name,
                file_format=read.file_format,
                mapping=read.mapping,
                progress=bar.update,
            )
        return f"{summary} Imported as import {batch.id} into {target.name}.", problems

    summary, problems = run_in_session(load_settings(database_url).database_url, run)
    typer.echo(summary)
    for problem in problems[:SHOWN_PROBLEMS]:
        typer.echo(f"  {problem}", err=True)
    if len(problems) > SHOWN_PROBLEMS:
        typer.echo(f"  ... and {len(problems) - SHOWN_PROBLEMS} more", err=True)
    if problems:
        fail("Refused: fix the lines above (or the column mapping); nothing was imported.")
    if dry_run:
        typer.echo("Dry run: nothing was imported.")
