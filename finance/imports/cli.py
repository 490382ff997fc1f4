"""`finance import FILE --account NAME`: a bank file into an account, from the shell."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.auth import service as users
from finance.cli_common import DatabaseUrl, fail, load_settings, run_in_session
from finance.errors import InvalidInput
from finance.imports import service as imports
from finance.imports.formats import FileFormat
from finance.money import format_minor

KEPT_PROBLEMS = 100
"""How many of a refused file's problems are listed, line by line."""
CONSENT_OPTIONS = {"file": "--skip-problem-lines", "move_opening_date": "--move-opening-date"}
"""The option that agrees to what a refusal (by the field it names) is about."""


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
    skip_problem_lines: Annotated[
        bool,
        typer.Option(
            "--skip-problem-lines",
            help="Leave out the lines that cannot be read (the import records them) and "
            "import the rest.",
        ),
    ] = False,
    move_opening_date: Annotated[
        bool,
        typer.Option(
            "--move-opening-date",
            help="Move the account's opening date back to the file's first date if lines are "
            "dated before it.",
        ),
    ] = False,
    user: Annotated[
        str | None, typer.Option("--user", help="The owner's email (needed with several users).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import a bank file (CSV, OFX/QFX, QIF, camt.053) into an account, all or nothing; lines
    already imported are skipped. Exits with status 1 if the file is refused."""
    consent = imports.Consent(skip_problem_lines, move_opening_date)

    async def run(db: AsyncSession) -> tuple[str, list[str], str | None]:
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
            keep_lines=range(0),
            keep_problems=KEPT_PROBLEMS,
        )
        batch = None
        refusal = _refusal(checked, consent)
        if not (refusal or dry_run):
            with typer.progressbar(length=checked.new, label="Importing", file=sys.stderr) as bar:
                batch = await imports.confirm(
                    db=db, checked=checked, consent=consent, progress=bar.update
                )
        net = format_minor(checked.net_minor, target.currency)
        summary = (
            f"{file.name}: {checked.new} new, {checked.duplicates} already imported, "
            f"{checked.problem_count} problem(s); net {net} {target.currency}."
        )
        if batch is not None:
            summary += f" Imported as import {batch.id} into {target.name}"
            summary += f", {len(batch.left_out)} line(s) left out." if batch.left_out else "."
        return summary, _problem_lines(checked), refusal

    summary, problems, refusal = run_in_session(load_settings(database_url).database_url, run)
    typer.echo(summary)
    for problem in problems:
        typer.echo(f"  {problem}", err=True)
    if refusal:
        fail(refusal)
    if dry_run:
        typer.echo("Dry run: nothing was imported.")


def _problem_lines(checked: imports.Preview) -> list[str]:
    """The file's problems, one a line, the first `KEPT_PROBLEMS` of them."""
    problems = [f"line {problem.line}: {problem.message}" for problem in checked.problems]
    if checked.problem_count > len(problems):
        problems.append(f"... and {checked.problem_count - len(problems)} more")
    return problems


def _refusal(checked: imports.Preview, consent: imports.Consent) -> str | None:
    """Why the file is not imported as asked, and the option that would import it; or None."""
    try:
        imports.require_consent(checked, consent)
    except InvalidInput as refused:
        (error,) = refused.errors
        return f"Refused: {error.message}; add {CONSENT_OPTIONS[error.field]} to go ahead."
    return None
