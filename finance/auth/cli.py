"""`finance users ...` and `finance tokens ...`: accounts and access tokens from the shell."""

import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth import service
from finance.auth.models import TokenScope
from finance.auth.schemas import TokenCreate, normalise_email
from finance.cli_common import DatabaseUrl, fail, load_settings, run_in_session

users_app = typer.Typer(help="Create and list users, reset passwords.", no_args_is_help=True)
tokens_app = typer.Typer(help="Personal access tokens for the JSON API.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]
UserEmail = Annotated[str, typer.Option("--user", help="The email of the token's owner.")]


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Argument(help="The new user's email, used to log in.")],
    password_stdin: PasswordStdin = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user (asks for the password twice, unless --password-stdin)."""
    address = _email(email)
    password = _password(password_stdin)

    async def create(db: AsyncSession) -> None:
        await service.create_user(db=db, email=address, password=password)

    run_in_session(load_settings(database_url).database_url, create)
    typer.echo(f"Created the user {address}.")


@users_app.command("list")
def list_users(database_url: DatabaseUrl = None) -> None:
    """Every user: email, when created, whether a password is set."""

    async def rows(db: AsyncSession) -> list[str]:
        return [
            f"{user.email}\t{user.created_at:%Y-%m-%d}\t"
            f"{'password set' if user.password_hash else 'no password'}"
            for user in await service.list_users(db=db)
        ]

    for line in run_in_session(load_settings(database_url).database_url, rows):
        typer.echo(line)


@users_app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    password_stdin: PasswordStdin = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Give a user a new password; every session of theirs ends."""
    address = _email(email)
    password = _password(password_stdin)

    async def reset(db: AsyncSession) -> None:
        await service.set_password(db=db, email=address, password=password)

    run_in_session(load_settings(database_url).database_url, reset)
    typer.echo(f"Set a new password for {address}; their sessions have ended.")


@tokens_app.command("create")
def create_token(
    user: UserEmail,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    read_only: Annotated[bool, typer.Option("--read-only", help="Reading only.")] = False,
    expires_in_days: Annotated[
        int | None, typer.Option("--expires-in-days", help="Expire after this many days.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a token and print it (only the token goes to standard output, so
    `TOKEN=$(finance tokens create ...)` works); it is not shown again."""
    try:
        data = TokenCreate(
            name=name,
            scope=TokenScope.READ if read_only else TokenScope.READ_WRITE,
            expires_in_days=expires_in_days,
        )
    except ValidationError as error:
        fail(f"Refused: {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}.")

    async def create(db: AsyncSession) -> str:
        owner = await service.find_user(db=db, email=user)
        _token, secret = await service.create_token(db=db, user_id=owner.id, data=data)
        return secret

    secret = run_in_session(load_settings(database_url).database_url, create)
    typer.echo(f"Created the token {name!r} for {user}; it is not shown again:", err=True)
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(user: UserEmail, database_url: DatabaseUrl = None) -> None:
    """A user's tokens: id, name, scope, created, last used, expiry (never the secrets)."""

    async def rows(db: AsyncSession) -> list[str]:
        owner = await service.find_user(db=db, email=user)
        return [
            "\t".join(
                [
                    str(token.id),
                    token.name,
                    token.scope.value,
                    f"created {token.created_at:%Y-%m-%d}",
                    f"last used {token.last_used_at:%Y-%m-%d}"
                    if token.last_used_at
                    else "never used",
                    f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "no expiry",
                ]
            )
            for token in await service.list_tokens(db=db, user_id=owner.id)
        ]

    for line in run_in_session(load_settings(database_url).database_url, rows):
        typer.echo(line)


@tokens_app.command("revoke")
def revoke_token(
    user: UserEmail,
    token_id: Annotated[int, typer.Argument(help="The token's id (see `finance tokens list`).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a token: it stops working at once."""

    async def revoke(db: AsyncSession) -> str:
        owner = await service.find_user(db=db, email=user)
        token = await service.revoke_token(db=db, user_id=owner.id, token_id=token_id)
        return token.name

    name = run_in_session(load_settings(database_url).database_url, revoke)
    typer.echo(f"Revoked the token {token_id} ({name!r}).")


def _email(value: str) -> str:
    try:
        return normalise_email(value)
    except ValueError as error:
        fail(f"Refused: email: {error}.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password
