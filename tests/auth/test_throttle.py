"""Login throttling: the policy on its own, then what someone at the login page notices.

The clock is `finance.auth.service.utc_now`, frozen and moved by the tests, so waits of a second
are exact however slow the machine is."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth import service, throttle
from finance.auth.models import BrowserSession, LoginFailure
from finance.auth.throttle import Policy, wait_seconds
from finance.users.models import User
from tests.users import csrf_from, log_in

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = Policy(free=3, limit=10, window=timedelta(minutes=15))
EMAIL = "ada@example.com"
PASSWORD = "tangerine orbit ladle"
WRONG = "tangerine orbit ladder"


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


# --- the policy --------------------------------------------------------------------------------


def test_the_free_failures_cost_nothing() -> None:
    assert wait_seconds([], now=T0, policy=POLICY) == 0
    assert wait_seconds([T0, T0], now=T0, policy=POLICY) == 0


def test_after_the_free_failures_each_wait_doubles_from_the_last_failure() -> None:
    waits = [wait_seconds([T0] * count, now=T0, policy=POLICY) for count in range(3, 9)]
    assert waits == [1, 2, 4, 8, 16, 32]


def test_the_wait_counts_from_the_last_failure_and_ends() -> None:
    failures = [T0, T0 + seconds(1), T0 + seconds(5), T0 + seconds(9)]  # 4 failures: wait 2 s
    assert wait_seconds(failures, now=T0 + seconds(9), policy=POLICY) == 2
    assert wait_seconds(failures, now=T0 + seconds(10), policy=POLICY) == 1
    assert wait_seconds(failures, now=T0 + seconds(10.5), policy=POLICY) == 1  # rounded up
    assert wait_seconds(failures, now=T0 + seconds(11), policy=POLICY) == 0
    assert wait_seconds(failures, now=T0 + seconds(60), policy=POLICY) == 0


def test_no_wait_is_longer_than_the_window() -> None:
    policy = Policy(free=1, limit=100, window=timedelta(minutes=1))
    assert wait_seconds([T0] * 30, now=T0, policy=policy) == 60


def test_at_the_limit_the_key_is_refused_until_its_oldest_failure_leaves_the_window() -> None:
    # Ten failures a minute apart: the doubling alone (2**7 s after the last) would end at
    # 9 min + 128 s, but the limit holds until the first failure is 15 minutes old.
    failures = [T0 + timedelta(minutes=minute) for minute in range(10)]
    last = failures[-1]
    assert wait_seconds(failures, now=last, policy=POLICY) == 15 * 60 - 9 * 60
    assert wait_seconds(failures, now=T0 + timedelta(minutes=14), policy=POLICY) == 60
    # Once the oldest has left the window, nine count: 64 s after the last, long past.
    assert wait_seconds(failures, now=T0 + timedelta(minutes=15), policy=POLICY) == 0


def test_below_the_limit_the_doubling_alone_decides() -> None:
    failures = [T0 + timedelta(minutes=minute) for minute in range(9)]  # 9: 2**6 s
    assert wait_seconds(failures, now=failures[-1], policy=POLICY) == 64


def test_failures_older_than_the_window_are_forgotten() -> None:
    old = [T0 - timedelta(minutes=16)] * 20
    assert wait_seconds(old, now=T0, policy=POLICY) == 0
    assert wait_seconds([*old, T0, T0], now=T0, policy=POLICY) == 0
    assert wait_seconds([*old, T0, T0, T0], now=T0, policy=POLICY) == 1
    exactly_window_old = [T0 - POLICY.window] * 3
    assert wait_seconds(exactly_window_old, now=T0, policy=POLICY) == 0


def test_the_policies_the_app_uses() -> None:
    assert Policy(free=3, limit=10, window=timedelta(minutes=15)) == throttle.ACCOUNT_POLICY
    assert Policy(free=10, limit=50, window=timedelta(minutes=15)) == throttle.ADDRESS_POLICY
    assert throttle.account_key(EMAIL) != throttle.address_key(EMAIL)


# --- at the login page ------------------------------------------------------------------------


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
    # Near the real time: sessions are stamped with the real clock when they are created.
    frozen = Clock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(service, "utc_now", frozen)
    return frozen


@pytest.fixture
async def ada(db: AsyncSession) -> User:
    return await service.create_user(db=db, email=EMAIL, password=PASSWORD)


@asynccontextmanager
async def browser(app: FastAPI, address: str = "127.0.0.1") -> AsyncIterator[AsyncClient]:
    """A browser without credentials, connecting from `address`."""
    transport = ASGITransport(app=app, client=(address, 50000))
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def failure_keys(db: AsyncSession) -> list[str]:
    """The key of every failure stored, sorted."""
    keys = sorted(await db.scalars(select(LoginFailure.key)))
    await db.commit()
    return keys


async def session_count(db: AsyncSession) -> int:
    count = await db.scalar(select(func.count()).select_from(BrowserSession))
    await db.commit()
    return count or 0


def assert_logged_in(response: Response) -> None:
    assert response.status_code == 303, response.text
    assert "finance_session=" in response.headers.get("set-cookie", "")


def assert_refused(response: Response, status: int) -> None:
    assert response.status_code == status
    assert "finance_session" not in response.headers.get("set-cookie", "")


async def test_after_the_free_failures_even_the_right_password_must_wait(
    app: FastAPI, db: AsyncSession, ada: User, clock: Clock
) -> None:
    async with browser(app) as http:
        for _ in range(3):
            wrong = await log_in(http, EMAIL, WRONG)
            assert_refused(wrong, 422)
            assert "the email or the password is wrong" in wrong.text
        assert await failure_keys(db) == [f"email:{EMAIL}"] * 3 + ["ip:127.0.0.1"] * 3

        waiting = await log_in(http, EMAIL, PASSWORD)
        assert_refused(waiting, 429)
        assert waiting.headers["retry-after"] == "1"
        assert "too many failed logins; try again in 1 seconds" in waiting.text
        assert 'value="ada@example.com"' in waiting.text  # the form is shown again, filled in
        assert await session_count(db) == 0

        clock.advance(seconds(1))
        assert_logged_in(await log_in(http, EMAIL, PASSWORD))
        assert (await http.get("/")).status_code == 200
    assert await session_count(db) == 1


async def test_each_further_failure_doubles_the_wait(
    app: FastAPI, db: AsyncSession, ada: User, clock: Clock
) -> None:
    async with browser(app) as http:
        for _ in range(3):
            assert_refused(await log_in(http, EMAIL, WRONG), 422)
        expected_waits = [1, 2, 4, 8]
        for wait in expected_waits:
            refused = await log_in(http, EMAIL, WRONG)
            assert_refused(refused, 429)
            assert refused.headers["retry-after"] == str(wait)
            clock.advance(seconds(wait - 1))
            assert_refused(await log_in(http, EMAIL, PASSWORD), 429)  # not yet
            clock.advance(seconds(1))
            assert_refused(await log_in(http, EMAIL, WRONG), 422)  # heard, and wrong again
        assert await failure_keys(db) == [f"email:{EMAIL}"] * 7 + ["ip:127.0.0.1"] * 7


async def test_failures_stored_by_another_worker_count(
    app: FastAPI, db: AsyncSession, ada: User, clock: Clock
) -> None:
    # Ten failures a minute ago: the account is at its limit, refused until they are 15
    # minutes old, whatever the process that recorded them.
    db.add_all(
        LoginFailure(key=f"email:{EMAIL}", failed_at=clock.now - timedelta(minutes=1))
        for _ in range(10)
    )
    await db.commit()
    async with browser(app) as http:
        refused = await log_in(http, EMAIL, PASSWORD)
        assert_refused(refused, 429)
        assert refused.headers["retry-after"] == str(14 * 60)
        clock.advance(timedelta(minutes=14) - seconds(1))
        assert_refused(await log_in(http, EMAIL, PASSWORD), 429)
        clock.advance(seconds(1))
        assert_logged_in(await log_in(http, EMAIL, PASSWORD))


async def test_the_account_is_slowed_whichever_address_the_attempts_come_from(
    app: FastAPI, ada: User, clock: Clock
) -> None:
    for number in range(3):
        async with browser(app, f"198.51.100.{number}") as attacker:
            assert_refused(await log_in(attacker, EMAIL, WRONG), 422)
    async with browser(app, "203.0.113.7") as owner:
        refused = await log_in(owner, EMAIL, PASSWORD)
        assert_refused(refused, 429)
        assert refused.headers["retry-after"] == "1"


async def test_one_address_trying_many_emails_is_slowed_but_not_other_addresses(
    app: FastAPI, db: AsyncSession, ada: User, clock: Clock
) -> None:
    async with browser(app, "198.51.100.1") as attacker:
        for number in range(10):
            tried = await log_in(attacker, f"user{number}@example.com", WRONG)
            assert_refused(tried, 422)
        refused = await log_in(attacker, EMAIL, PASSWORD)
        assert_refused(refused, 429)
        assert refused.headers["retry-after"] == "1"
        assert await failure_keys(db) == sorted(
            [f"email:user{number}@example.com" for number in range(10)] + ["ip:198.51.100.1"] * 10
        )
    async with browser(app, "203.0.113.7") as owner:
        assert_logged_in(await log_in(owner, EMAIL, PASSWORD))


async def test_a_successful_login_forgets_the_accounts_failures(
    app: FastAPI, db: AsyncSession, ada: User, clock: Clock
) -> None:
    async with browser(app) as http:
        for _ in range(2):
            assert_refused(await log_in(http, EMAIL, WRONG), 422)
        assert_logged_in(await log_in(http, EMAIL, PASSWORD))
    assert f"email:{EMAIL}" not in await failure_keys(db)
    async with browser(app) as http:
        # Counted afresh: three more failures are free again (without forgetting, the second
        # would already have to wait).
        for _ in range(3):
            assert_refused(await log_in(http, EMAIL, WRONG), 422)
        assert_refused(await log_in(http, EMAIL, PASSWORD), 429)


async def test_failures_too_old_to_count_are_deleted(
    app: FastAPI, db: AsyncSession, ada: User, clock: Clock
) -> None:
    stale = clock.now - timedelta(minutes=16)
    db.add_all(LoginFailure(key=f"email:{EMAIL}", failed_at=stale) for _ in range(10))
    db.add(LoginFailure(key="ip:192.0.2.1", failed_at=stale))
    await db.commit()
    async with browser(app) as http:
        assert_logged_in(await log_in(http, EMAIL, PASSWORD))  # they no longer count
    async with browser(app) as http:
        assert_refused(await log_in(http, EMAIL, WRONG), 422)
    assert await failure_keys(db) == [f"email:{EMAIL}", "ip:127.0.0.1"]


@pytest.mark.usefixtures("concurrent_connections")
async def test_guesses_sent_all_at_once_are_throttled_like_guesses_one_by_one(
    app: FastAPI, db: AsyncSession, ada: User, clock: Clock
) -> None:
    async with browser(app) as http:
        page = await http.get("/login")
        form = {"email": EMAIL, "password": WRONG, "csrf_token": csrf_from(page.text)}
        answers = await asyncio.gather(*(http.post("/login", data=form) for _ in range(10)))
    # One by one, three wrong guesses are heard and the rest must wait: so all at once.
    assert sorted(answer.status_code for answer in answers) == [422] * 3 + [429] * 7
    assert (await failure_keys(db)).count(f"email:{EMAIL}") == 3
