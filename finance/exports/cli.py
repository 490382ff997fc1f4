"""`finance export`, `finance import-backup` and `finance backup`: a user's data as a backup file
and back, and a copy of a live SQLite database."""

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from finance.cli_common import DatabaseUrl, display, fail, load_settings, run_in_session
from finance.errors import DomainError
from finance.exports import backup as backups
from finance.exports.sqlite_copy import copy_sqlite, sqlite_path


def export_user(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The backup file to write.")],
    user: Annotated[str, typer.Option("--user", help="The email of the user to export.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Write everything a user has (accounts, categories, rules, transactions, imports) to a
    JSON backup file, which `finance import-backup` loads again."""
    url = load_settings(database_url).database_url
    partial = file.with_name(file.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as out:

        async def work(db: AsyncSession) -> int:
            return await backups.write_backup(db=db, email=user, write=out.write)

        try:
            count = run_in_session(url, work)
        finally:
            if out.tell() == 0:
                partial.unlink()
    os.replace(partial, file)
    typer.echo(f"Wrote {count} transactions of {user} to {file}.")


def import_backup(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The backup file.")
    ],
    user: Annotated[
        str | None, typer.Option("--user", help="Load it for this email instead of the file's.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Load a backup file for a user who has no data yet (created without a password if new:
    give one with `finance users set-password`), all or nothing."""
    try:
        data = json.loads(file.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"Refused: {file} is not JSON: {error}.")
    try:
        backup = backups.read_backup(data)
    except DomainError as refusal:
        fail(f"Refused: {refusal.detail}.")

    async def work(db: AsyncSession) -> str:
        loaded = await backups.load_backup(db=db, backup=backup, email=user)
        return loaded.email

    email = run_in_session(load_settings(database_url).database_url, work)
    typer.echo(f"Loaded {len(backup.transactions)} transactions for {email} from {file}.")


def backup_database(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Copy a live SQLite database to FILE, consistently, without stopping the server."""
    url = load_settings(database_url).database_url
    try:
        copy_sqlite(sqlite_path(url), file, force=force)
    except DomainError as refusal:
        fail(f"Refused: {refusal.detail}.")
    typer.echo(f"Copied {display(url)} to {file}.")
