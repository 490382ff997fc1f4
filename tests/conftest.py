"""Fixtures: a fresh database per test, on in-memory SQLite and, when
`FINANCE_TEST_DATABASE_URL` names one, on PostgreSQL too; an app on it; and an
httpx client talking to that app in-process."""

import os
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool, StaticPool

from finance.db import Database, create_engine
from finance.models import Base
from finance.users.models import User
from tests.apps import make_app
from tests.users import OWNER_EMAIL, add_user, credentials_for

POSTGRES_URL_VARIABLE = "FINANCE_TEST_DATABASE_URL"
_postgres_schema_ready = False


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a test runs on; each database-backed test runs once on each."""
    if request.param == "postgresql" and not os.environ.get(POSTGRES_URL_VARIABLE):
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_URL_VARIABLE} to a test database URL")
    return str(request.param)


@pytest.fixture
async def engine(backend: str) -> AsyncIterator[AsyncEngine]:
    """An empty database with every table: in-memory SQLite, or PostgreSQL truncated."""
    if backend == "sqlite":
        engine = create_engine("sqlite+aiosqlite://", poolclass=StaticPool)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
    else:
        engine = create_engine(os.environ[POSTGRES_URL_VARIABLE], poolclass=NullPool)
        await _reset_postgres(engine)
    yield engine
    await engine.dispose()


async def _reset_postgres(engine: AsyncEngine) -> None:
    """Create the schema on first use in this run, then empty every table before each test."""
    global _postgres_schema_ready
    async with engine.begin() as connection:
        if not _postgres_schema_ready:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.run_sync(Base.metadata.create_all)
            _postgres_schema_ready = True
        else:
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database(engine: AsyncEngine) -> Database:
    """The test database, as the app uses it."""
    return Database(engine)


@pytest.fixture
def session_factory(database: Database) -> async_sessionmaker[AsyncSession]:
    """Writing sessions on the test database, configured as the app's are."""
    return database.sessions()


@pytest.fixture
async def db(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for repository and service tests."""
    async with session_factory() as session:
        yield session


@pytest.fixture
async def owner(db: AsyncSession) -> User:
    """The user that owns the data of a test; `client` is logged in as them."""
    return await add_user(db, OWNER_EMAIL)


@pytest.fixture
def app(database: Database) -> FastAPI:
    """The app, answering from the test database."""
    return make_app(database)


@pytest.fixture
async def client(app: FastAPI, db: AsyncSession, owner: User) -> AsyncIterator[AsyncClient]:
    """An HTTP client talking to the app in-process, logged in as `owner` (pages and API)."""
    credentials = await credentials_for(db, owner)
    async with AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://test",
        cookies=credentials.cookies,
        headers=credentials.headers,
    ) as http:
        yield http


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client with no credentials at all."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http
