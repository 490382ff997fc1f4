"""Rules of authentication: who may sign up, logging in and out, sessions that expire, password
changes that end other sessions, and personal access tokens. Every writing function commits."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth import throttle
from finance.auth.models import AccessToken, BrowserSession, LoginFailure, TokenScope
from finance.auth.passwords import check_new_password, hash_password, needs_rehash, password_matches
from finance.auth.repository import AccessTokenRepository, LoginFailureRepository, SessionRepository
from finance.auth.schemas import Credentials, PasswordChange, SignUp, TokenCreate
from finance.credentials import TOKEN_PREFIX, digest, new_secret
from finance.db import Database
from finance.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts
from finance.timestamps import utc_now
from finance.users.models import User
from finance.users.repository import UserRepository

LOGIN_REFUSED = "the email or the password is wrong"
TOUCH_INTERVAL = timedelta(minutes=1)
"""A session's last-seen time (and a token's last use) is written at most this often."""


@dataclass(frozen=True)
class SessionLimits:
    """A session ends after `idle` unused, and `lifetime` after login in any case."""

    idle: timedelta
    lifetime: timedelta


@dataclass(frozen=True)
class Login:
    """A new browser session: its user and the secret for the cookie (kept nowhere else)."""

    user: User
    secret: str


async def users_exist(*, db: AsyncSession) -> bool:
    """Whether anyone has an account yet (before that, every page leads to sign-up)."""
    return await UserRepository(db).any_exist()


async def create_user(*, db: AsyncSession, email: str, password: str) -> User:
    """A new user with a password that meets the rules; commits."""
    password_hash = await _new_password_hash(db, password, email=email)
    user = await _add_user(db, email=email, password_hash=password_hash)
    await db.commit()
    return user


async def sign_up(*, db: AsyncSession, data: SignUp, open_signup: bool) -> Login:
    """The first user, or anyone when sign-up is open; logged in at once. Commits."""
    password_hash = await _new_password_hash(db, data.password, email=data.email)
    if not open_signup:
        await UserRepository(db).lock_table()
        if await users_exist(db=db):
            raise Forbidden("sign-up is closed; ask the owner of this server for an account")
    user = await _add_user(db, email=data.email, password_hash=password_hash)
    secret = _start_session(db, user.id)
    await db.commit()
    return Login(user, secret)


async def log_in(*, db: AsyncSession, credentials: Credentials, address: str) -> Login:
    """A fresh session for the right email and password. Failures are throttled per account
    and per address (`TooManyAttempts`): each attempt counts as a failure from the moment it
    is made, so guesses sent all at once are throttled like guesses sent one by one, and is
    taken back if the password is right. The password is checked between two short
    transactions, never while holding the database's write lock. Commits."""
    now = utc_now()
    failures = LoginFailureRepository(db)
    keys = [
        (throttle.account_key(credentials.email), throttle.ACCOUNT_POLICY),
        (throttle.address_key(address), throttle.ADDRESS_POLICY),
    ]
    attempt = await _count_attempt(failures, keys, now)
    user = await UserRepository(db).get_by_email(credentials.email)
    await db.commit()
    password_hash = user.password_hash if user else None
    if user is None or not await password_matches(password_hash, credentials.password):
        await failures.forget_before(now - max(policy.window for _key, policy in keys))
        await db.commit()
        raise InvalidInput("password", LOGIN_REFUSED)
    if password_hash and needs_rehash(password_hash):
        user.password_hash = await hash_password(credentials.password)
    await failures.forget(throttle.account_key(credentials.email))
    await failures.remove(attempt)
    secret = _start_session(db, user.id)
    await db.commit()
    return Login(user, secret)


async def _count_attempt(
    failures: LoginFailureRepository,
    keys: list[tuple[str, throttle.Policy]],
    now: datetime,
) -> list[LoginFailure]:
    """Refuse an attempt that must wait (`TooManyAttempts`), else stage it as a failure under
    each key: the rows to take back if the password is right."""
    for key, _policy in keys:  # always in this order, so two logins cannot deadlock
        await failures.lock(key)
    for key, policy in keys:
        history = await failures.since(key, now - policy.window)
        wait = throttle.wait_seconds(history, now=now, policy=policy)
        if wait:
            raise TooManyAttempts(wait)
    return [failures.add(key, now) for key, _policy in keys]


async def log_out(*, db: AsyncSession, session_secret: str) -> None:
    """End this session; commits."""
    await SessionRepository(db).remove(digest(session_secret))
    await db.commit()


async def session_user(
    *, db: AsyncSession, database: Database, session_secret: str, limits: SessionLimits
) -> User | None:
    """The user of a live session; an expired one is deleted and gives `None`. What needs
    writing (the deletion, the last-seen time) is written apart from the request's transaction,
    which ends here, and only if the database is free: a page that only reads never waits for
    a writer on its way in."""
    found = await SessionRepository(db).find(digest(session_secret))
    if found is None:
        return None
    browser_session, user = found
    now, secret_hash = utc_now(), browser_session.secret_hash
    expired = now - browser_session.last_seen_at > limits.idle or (
        now - browser_session.created_at > limits.lifetime
    )
    if expired or now - browser_session.last_seen_at > TOUCH_INTERVAL:

        async def note(writer: AsyncSession) -> None:
            sessions = SessionRepository(writer)
            await (sessions.remove(secret_hash) if expired else sessions.touch(secret_hash, now))
            await writer.commit()

        await db.commit()
        await database.write_if_free(note)
    return None if expired else user


async def change_password(
    *, db: AsyncSession, user: User, data: PasswordChange, session_secret: str
) -> None:
    """Set a new password if the current one is given; every other session ends. Commits."""
    await _end_reads(db)
    if not await password_matches(user.password_hash, data.current_password):
        raise InvalidInput("current_password", "this is not your current password")
    user.password_hash = await _new_password_hash(
        db, data.new_password, email=user.email, field="new_password"
    )
    await SessionRepository(db).remove_all_of(user.id, except_hash=digest(session_secret))
    await db.commit()


async def set_password(*, db: AsyncSession, email: str, password: str) -> User:
    """An administrator's reset (the CLI): a new password and every session ended. Commits."""
    user = await UserRepository(db).get_by_email(email)
    if user is None:
        raise NotFound("user", email)
    user.password_hash = await _new_password_hash(db, password, email=user.email)
    await SessionRepository(db).remove_all_of(user.id)
    await db.commit()
    return user


async def list_users(*, db: AsyncSession) -> Sequence[User]:
    """Every user, oldest first."""
    return await UserRepository(db).list()


async def only_user(*, db: AsyncSession) -> User:
    """The one user there is (`NotFound` if none; `InvalidInput` on `user` if several)."""
    users = await UserRepository(db).list()
    if not users:
        raise NotFound("user", "(none yet: create one with `finance users create`)")
    if len(users) > 1:
        raise InvalidInput("user", "there are several users; say which with --user EMAIL")
    return users[0]


async def find_user(*, db: AsyncSession, email: str) -> User:
    """The user with this email (`NotFound` otherwise)."""
    user = await UserRepository(db).get_by_email(email.strip().lower())
    if user is None:
        raise NotFound("user", email)
    return user


async def create_token(
    *, db: AsyncSession, user_id: int, data: TokenCreate
) -> tuple[AccessToken, str]:
    """A new access token and its secret, which is shown once and stored only as a digest;
    `Conflict` if the user has a token of that name (ignoring case). Commits."""
    tokens = AccessTokenRepository(db)
    if await tokens.find_named(user_id, data.name) is not None:
        raise Conflict(f"you already have a token named {data.name!r}; choose another name")
    secret = new_secret(TOKEN_PREFIX)
    expires_at = None
    if data.expires_in_days is not None:
        expires_at = utc_now() + timedelta(days=data.expires_in_days)
    token = await tokens.add(
        AccessToken(
            user_id=user_id,
            name=data.name,
            scope=data.scope,
            secret_hash=digest(secret),
            expires_at=expires_at,
        )
    )
    await db.commit()
    return token, secret


async def list_tokens(*, db: AsyncSession, user_id: int) -> Sequence[AccessToken]:
    """A user's tokens, newest first."""
    return await AccessTokenRepository(db).list(user_id)


async def revoke_token(*, db: AsyncSession, user_id: int, token_id: int) -> AccessToken:
    """Delete one of the user's tokens; it stops working at once. Commits."""
    tokens = AccessTokenRepository(db)
    token = await tokens.get(user_id, token_id)
    if token is None:
        raise NotFound("token", token_id)
    await tokens.remove(token)
    await db.commit()
    return token


async def token_owner(
    *, db: AsyncSession, database: Database, secret: str
) -> tuple[User, AccessToken] | None:
    """The user and token for a bearer secret; `None` if unknown or expired. The token's last
    use is noted as `session_user` notes a session's, apart and only if the database is free."""
    found = await AccessTokenRepository(db).find(digest(secret))
    if found is None:
        return None
    token, user = found
    now = utc_now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        token_id = token.id

        async def note(writer: AsyncSession) -> None:
            await AccessTokenRepository(writer).touch(token_id, now)
            await writer.commit()

        await db.commit()
        await database.write_if_free(note)
    return user, token


def can_write(token: AccessToken) -> bool:
    """Whether the token's scope allows changes."""
    return token.scope is TokenScope.READ_WRITE


async def _add_user(db: AsyncSession, *, email: str, password_hash: str) -> User:
    users = UserRepository(db)
    if await users.get_by_email(email) is not None:
        raise Conflict(f"a user with the email {email} already exists")
    return await users.add(User(email=email, password_hash=password_hash))


async def _new_password_hash(
    db: AsyncSession, password: str, *, email: str, field: str = "password"
) -> str:
    """Refuse a weak password (`InvalidInput` on `field`), else hash it, holding no database
    transaction while it hashes."""
    check_new_password(password, email=email, field=field)
    await _end_reads(db)
    return await hash_password(password)


async def _end_reads(db: AsyncSession) -> None:
    """End the transaction the request's reads began (nothing is staged yet), so that the slow
    password work that follows holds no lock: on SQLite, a request that may write holds the
    write lock from its first statement, and hashing takes tens of milliseconds on purpose."""
    await db.commit()


def _start_session(db: AsyncSession, user_id: int) -> str:
    secret = new_secret()
    SessionRepository(db).add(BrowserSession(user_id=user_id, secret_hash=digest(secret)))
    return secret
