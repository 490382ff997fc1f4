"""Sessions that expire, tokens that expire, passwords and secrets as stored.

Time is moved by replacing `finance.auth.service.utc_now`; rows are stamped with the real clock
when they are made, so the fake clock starts at the real time."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth import passwords, service
from finance.auth.models import AccessToken, BrowserSession
from finance.auth.schemas import Credentials, PasswordChange, SignUp, TokenCreate
from finance.credentials import digest
from finance.db import Database
from finance.errors import InvalidInput
from finance.models import Base
from finance.users.models import User
from tests.apps import make_app
from tests.users import add_user, csrf_from, log_in

EMAIL = "ada@example.com"
PASSWORD = "tangerine orbit ladle"
ARGON2ID_TODAY = "$argon2id$v=19$m=19456,t=2,p=1$"


class Clock:
    """The time the auth service sees; `advance` moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(datetime.now(UTC))
    monkeypatch.setattr(service, "utc_now", frozen)
    return frozen


@asynccontextmanager
async def browser(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def session_count(db: AsyncSession) -> int:
    found = await db.scalar(select(func.count()).select_from(BrowserSession))
    await db.commit()  # end the read: the app's sessions share the connection on SQLite
    return found or 0


def assert_sent_to_login(response: Response) -> None:
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


# --- sessions expire ---------------------------------------------------------------------------


async def test_a_session_unused_for_the_idle_time_ends(
    clock: Clock, client: AsyncClient, db: AsyncSession
) -> None:
    clock.advance(timedelta(hours=11, minutes=59))
    assert (await client.get("/")).status_code == 200  # used: the idle time starts again
    clock.advance(timedelta(hours=11, minutes=59))
    assert (await client.get("/")).status_code == 200
    assert await session_count(db) == 1

    clock.advance(timedelta(hours=12, minutes=1))
    assert_sent_to_login(await client.get("/"))
    assert await session_count(db) == 0
    clock.advance(-timedelta(hours=12))  # the row is gone: even back in time it stays ended
    assert_sent_to_login(await client.get("/"))


async def test_a_session_in_constant_use_still_ends_a_week_after_login(
    clock: Clock, client: AsyncClient, db: AsyncSession
) -> None:
    for _ in range(15):  # every 11 hours, up to 165 hours after login
        clock.advance(timedelta(hours=11))
        assert (await client.get("/")).status_code == 200
    clock.advance(timedelta(hours=3, minutes=1))  # 168 hours and a minute
    assert_sent_to_login(await client.get("/"))
    assert await session_count(db) == 0


async def test_the_session_limits_come_from_the_settings(
    clock: Clock,
    database: Database,
    db: AsyncSession,
    owner: User,
) -> None:
    app = make_app(database, session_idle_minutes=5, session_lifetime_hours=1)
    secret = "a-session-made-directly"
    db.add(BrowserSession(user_id=owner.id, secret_hash=digest(secret)))
    await db.commit()
    async with browser(app) as http:
        http.cookies.set("finance_session", secret)
        for _ in range(14):  # every 4 minutes: never idle for 5, up to 56 minutes
            clock.advance(timedelta(minutes=4))
            assert (await http.get("/")).status_code == 200
        clock.advance(timedelta(minutes=4, seconds=1))  # an hour and a second
        assert_sent_to_login(await http.get("/"))

    second = "another-session"
    db.add(BrowserSession(user_id=owner.id, secret_hash=digest(second)))
    await db.commit()
    clock.now = datetime.now(UTC)
    async with browser(app) as http:
        http.cookies.set("finance_session", second)
        clock.advance(timedelta(minutes=5, seconds=1))
        assert_sent_to_login(await http.get("/"))


# --- tokens expire -----------------------------------------------------------------------------


async def test_a_token_stops_working_when_it_expires(
    clock: Clock, anonymous: AsyncClient, db: AsyncSession, owner: User
) -> None:
    _token, secret = await service.create_token(
        db=db, user_id=owner.id, data=TokenCreate(name="Short-lived", expires_in_days=1)
    )
    bearer = {"Authorization": f"Bearer {secret}"}
    clock.advance(timedelta(hours=23, minutes=59))
    assert (await anonymous.get("/api/v1/accounts", headers=bearer)).status_code == 200
    clock.advance(timedelta(minutes=2))
    expired = await anonymous.get("/api/v1/accounts", headers=bearer)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


async def test_a_token_records_when_it_was_last_used(
    anonymous: AsyncClient, db: AsyncSession, owner: User
) -> None:
    token, secret = await service.create_token(
        db=db, user_id=owner.id, data=TokenCreate(name="Cron")
    )
    assert token.last_used_at is None
    await anonymous.get("/api/v1/accounts", headers={"Authorization": f"Bearer {secret}"})
    used = await db.scalar(select(AccessToken.last_used_at).where(AccessToken.id == token.id))
    await db.commit()
    assert used is not None
    assert abs(datetime.now(UTC) - used) < timedelta(minutes=1)


# --- passwords ---------------------------------------------------------------------------------


async def test_passwords_are_hashed_with_argon2id_at_owasps_parameters(db: AsyncSession) -> None:
    user = await service.create_user(db=db, email=EMAIL, password=PASSWORD)
    assert user.password_hash is not None
    assert user.password_hash.startswith(ARGON2ID_TODAY)
    other = await service.create_user(db=db, email="bob@example.com", password=PASSWORD)
    assert other.password_hash != user.password_hash  # salted


async def test_a_hash_with_weaker_parameters_is_upgraded_at_the_next_login(
    app: FastAPI, anonymous: AsyncClient, db: AsyncSession
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    user = await add_user(db, EMAIL)
    user.password_hash = weak
    await db.commit()

    assert (await log_in(anonymous, EMAIL, PASSWORD)).status_code == 303
    stored = await db.scalar(select(User.password_hash).where(User.id == user.id))
    await db.commit()
    assert stored is not None
    assert stored.startswith(ARGON2ID_TODAY)
    async with browser(app) as again:
        assert (await log_in(again, EMAIL, PASSWORD)).status_code == 303


async def test_a_user_without_a_password_cannot_log_in(anonymous: AsyncClient, owner: User) -> None:
    # Not even with the password of the hash that stands in for a missing one.
    for password in ("a password nobody has", ""):
        refused = await log_in(anonymous, owner.email, password)
        assert refused.status_code == 422
        assert "finance_session" not in refused.headers.get("set-cookie", "")


async def test_a_new_password_must_meet_the_rules_in_the_service_too(db: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match="at least 12"):
        await service.create_user(db=db, email=EMAIL, password="too short")
    await db.rollback()
    with pytest.raises(InvalidInput, match="too common"):
        await service.create_user(db=db, email=EMAIL, password="password1234")
    await db.rollback()
    with pytest.raises(InvalidInput, match="at most 1024"):
        await service.create_user(db=db, email=EMAIL, password="x" * 1025)
    await db.rollback()
    assert list(await db.scalars(select(User))) == []


LONG_PASSPHRASE = (
    "tangerine orbit ladle, velvet quarry mosaic; plum gazebo ferry at dawn and a kettle of "
    "brass owls humming in the rain"
)


async def test_a_long_passphrase_is_accepted(db: AsyncSession) -> None:
    assert len(LONG_PASSPHRASE) > 100  # longer than the part judged for strength
    user = await service.create_user(db=db, email=EMAIL, password=LONG_PASSPHRASE)
    assert user.password_hash is not None
    assert await service.find_user(db=db, email=EMAIL) == user


# --- secrets at rest ---------------------------------------------------------------------------


async def everything_stored(db: AsyncSession) -> str:
    """Every value of every column of every table, as text."""
    values: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in (await db.execute(select(table))).all():
            values.extend(str(value) for value in row)
    await db.commit()
    return "\n".join(values)


def cookie_value(response: Response, name: str = "finance_session") -> str:
    for header in response.headers.get_list("set-cookie"):
        cookie_name, _, rest = header.partition("=")
        if cookie_name == name:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no {name} cookie set")


async def test_no_password_session_secret_or_token_is_stored_in_the_clear(
    app: FastAPI, anonymous: AsyncClient, db: AsyncSession
) -> None:
    page = await anonymous.get("/signup")
    form = {"email": EMAIL, "password": PASSWORD, "password_again": PASSWORD}
    signed_up = await anonymous.post("/signup", data={**form, "csrf_token": csrf_from(page.text)})
    assert signed_up.status_code == 303
    first_session = cookie_value(signed_up)
    async with browser(app) as other:
        second_session = cookie_value(await log_in(other, EMAIL, PASSWORD))
    settings = await anonymous.get("/settings")
    created = await anonymous.post(
        "/settings/tokens", data={"name": "Backup", "csrf_token": csrf_from(settings.text)}
    )
    assert created.status_code == 303
    shown = await anonymous.get(created.headers["location"])
    token = shown.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("fin_")
    async with browser(app) as failed:  # a failed login is stored too: the password tried
        assert (await log_in(failed, EMAIL, "a wrong guess at it")).status_code == 422

    stored = await everything_stored(db)
    # The dump does cover the tables: the email, the digests, the hash are all there.
    for expected in (EMAIL, digest(first_session), digest(second_session), digest(token)):
        assert expected in stored
    password_hash = await db.scalar(select(User.password_hash))
    await db.commit()
    assert password_hash is not None
    assert password_hash.startswith(ARGON2ID_TODAY)
    assert password_hash in stored
    for secret in (PASSWORD, "a wrong guess at it", first_session, second_session, token):
        assert secret not in stored
        assert secret.removeprefix("fin_") not in stored


@pytest.mark.parametrize("password", [PASSWORD, "a wrong guess at it"])
async def test_a_password_is_checked_outside_any_database_transaction(
    db: AsyncSession, monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    """Checking a password takes tens of milliseconds; holding the write lock meanwhile would
    make every other write wait for it."""
    await service.create_user(db=db, email=EMAIL, password=PASSWORD)
    checked_in_transaction: list[bool] = []
    real_check = passwords.password_matches

    async def watched(password_hash: str | None, given: str) -> bool:
        checked_in_transaction.append(db.in_transaction())
        return await real_check(password_hash, given)

    monkeypatch.setattr(service, "password_matches", watched)
    credentials = Credentials(email=EMAIL, password=password)
    try:
        await service.log_in(db=db, credentials=credentials, address="192.0.2.1")
    except InvalidInput:
        assert password != PASSWORD
    assert checked_in_transaction == [False]


NEW_PASSWORD = "quartz meadow lantern"


async def _sign_up(db: AsyncSession) -> None:
    data = SignUp(email="grace@example.com", password=PASSWORD, password_again=PASSWORD)
    await service.sign_up(db=db, data=data, open_signup=True)


async def _change_password(db: AsyncSession) -> None:
    user = await service.create_user(db=db, email=EMAIL, password=PASSWORD)
    await service.users_exist(db=db)  # the request's reads have begun a transaction
    data = PasswordChange(
        current_password=PASSWORD, new_password=NEW_PASSWORD, new_password_again=NEW_PASSWORD
    )
    await service.change_password(db=db, user=user, data=data, session_secret="none")


async def _set_password(db: AsyncSession) -> None:
    await service.create_user(db=db, email=EMAIL, password=PASSWORD)
    await service.set_password(db=db, email=EMAIL, password=NEW_PASSWORD)


async def _create_user(db: AsyncSession) -> None:
    await service.users_exist(db=db)
    await service.create_user(db=db, email=EMAIL, password=PASSWORD)


@pytest.mark.parametrize("operation", [_sign_up, _change_password, _set_password, _create_user])
async def test_a_password_is_hashed_and_checked_outside_any_database_transaction(
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    operation: Callable[[AsyncSession], Awaitable[None]],
) -> None:
    """Signing up, changing or resetting a password hashes it (tens of milliseconds): never
    while a transaction holds the write lock."""
    in_transaction: list[bool] = []
    real_hash, real_check = passwords.hash_password, passwords.password_matches

    async def watched_hash(password: str) -> str:
        in_transaction.append(db.in_transaction())
        return await real_hash(password)

    async def watched_check(password_hash: str | None, given: str) -> bool:
        in_transaction.append(db.in_transaction())
        return await real_check(password_hash, given)

    monkeypatch.setattr(service, "hash_password", watched_hash)
    monkeypatch.setattr(service, "password_matches", watched_check)
    await operation(db)
    assert in_transaction and not any(in_transaction)
