"""Queries on sessions, access tokens and failed logins. Never commits."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth.models import AccessToken, BrowserSession, LoginFailure
from finance.db import on_postgresql
from finance.names import name_key
from finance.users.models import User


class SessionRepository:
    """Browser sessions, found by the digest of their secret."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, secret_hash: str) -> tuple[BrowserSession, User] | None:
        """The session with this digest and its user."""
        found = await self.session.execute(
            select(BrowserSession, User)
            .join(User, User.id == BrowserSession.user_id)
            .where(BrowserSession.secret_hash == secret_hash)
        )
        row = found.first()
        return None if row is None else (row[0], row[1])

    def add(self, browser_session: BrowserSession) -> None:
        """Stage a new session."""
        self.session.add(browser_session)

    async def remove(self, secret_hash: str) -> None:
        """Delete the session with this digest, if there is one."""
        await self.session.execute(
            delete(BrowserSession).where(BrowserSession.secret_hash == secret_hash)
        )

    async def touch(self, secret_hash: str, at: datetime) -> None:
        """Note that the session was seen at `at`."""
        await self.session.execute(
            update(BrowserSession)
            .where(BrowserSession.secret_hash == secret_hash)
            .values(last_seen_at=at)
        )

    async def remove_all_of(self, user_id: int, *, except_hash: str | None = None) -> None:
        """Delete every session of a user, but the one with `except_hash`."""
        statement = delete(BrowserSession).where(BrowserSession.user_id == user_id)
        if except_hash is not None:
            statement = statement.where(BrowserSession.secret_hash != except_hash)
        await self.session.execute(statement)


class AccessTokenRepository:
    """A user's personal access tokens."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, secret_hash: str) -> tuple[AccessToken, User] | None:
        """The token with this digest and its user."""
        found = await self.session.execute(
            select(AccessToken, User)
            .join(User, User.id == AccessToken.user_id)
            .where(AccessToken.secret_hash == secret_hash)
        )
        row = found.first()
        return None if row is None else (row[0], row[1])

    async def touch(self, token_id: int, at: datetime) -> None:
        """Note that the token was used at `at`."""
        await self.session.execute(
            update(AccessToken).where(AccessToken.id == token_id).values(last_used_at=at)
        )

    async def list(self, user_id: int) -> Sequence[AccessToken]:
        """A user's tokens, newest first."""
        return (
            await self.session.scalars(
                select(AccessToken)
                .where(AccessToken.user_id == user_id)
                .order_by(AccessToken.id.desc())
            )
        ).all()

    async def get(self, user_id: int, token_id: int) -> AccessToken | None:
        """One of the user's tokens (another user's is not found)."""
        return await self.session.scalar(
            select(AccessToken).where(AccessToken.user_id == user_id, AccessToken.id == token_id)
        )

    async def find_named(self, user_id: int, name: str) -> AccessToken | None:
        """The user's token with this name (ignoring case)."""
        return await self.session.scalar(
            select(AccessToken).where(
                AccessToken.user_id == user_id, AccessToken.name_key == name_key(name)
            )
        )

    async def add(self, token: AccessToken) -> AccessToken:
        """Stage a new token and give it an id."""
        self.session.add(token)
        await self.session.flush()
        return token

    async def remove(self, token: AccessToken) -> None:
        """Delete a token."""
        await self.session.delete(token)


class LoginFailureRepository:
    """Failed logins by throttle key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, key: str) -> None:
        """Make concurrent logins on `key` take turns until this transaction ends, so guesses
        sent all at once are counted like guesses sent one by one."""
        if on_postgresql(self.session):
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
            )

    async def since(self, key: str, start: datetime) -> list[datetime]:
        """When `key` failed after `start`, oldest first."""
        found = await self.session.scalars(
            select(LoginFailure.failed_at)
            .where(LoginFailure.key == key, LoginFailure.failed_at > start)
            .order_by(LoginFailure.failed_at)
        )
        return list(found)

    def add(self, key: str, failed_at: datetime) -> LoginFailure:
        """Stage one failure."""
        failure = LoginFailure(key=key, failed_at=failed_at)
        self.session.add(failure)
        return failure

    async def remove(self, failures: list[LoginFailure]) -> None:
        """Delete these failures (an attempt that turned out right)."""
        ids = [failure.id for failure in failures]
        await self.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))

    async def forget(self, key: str) -> None:
        """Delete a key's failures (after a successful login)."""
        await self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))

    async def forget_before(self, cutoff: datetime) -> None:
        """Delete failures too old to count."""
        await self.session.execute(delete(LoginFailure).where(LoginFailure.failed_at < cutoff))
