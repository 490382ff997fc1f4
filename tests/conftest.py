"""Fixtures: a fresh database per test, on in-memory SQLite and, when
`FINANCE_TEST_DATABASE_URL` names one, on PostgreSQL too; an app on it; and an
httpx client talking to that app in-process."""

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool, StaticPool

from finance.db import Database, create_engine
from finance.demo import create_demo_database
from finance.models import Base
from finance.users.models import User
from tests.apps import make_app
from tests.users import OWNER_EMAIL, add_user, credentials_for

POSTGRES_URL_VARIABLE = "FINANCE_TEST_DATABASE_URL"
DEMO_FILE = "demo.db"
_postgres_schema_ready = False


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo year as `finance demo` writes it, in a SQLite file made once a test run (once a
    worker): tests copy it (`copy_of`) instead of building the year again, and never open it."""
    path = tmp_path_factory.mktemp("demo") / DEMO_FILE
    create_demo_database(f"sqlite+aiosqlite:///{path}")
    return path


def copy_of(database: Path, folder: Path) -> Path:
    """A copy of a SQLite file in `folder`, under the same name."""
    copy = folder / database.name
    shutil.copyfile(database, copy)
    return copy


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a test runs on; each database-backed test runs once on each."""
    if request.param == "postgresql" and not os.environ.get(POSTGRES_URL_VARIABLE):
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_URL_VARIABLE} to a test database URL")
    return str(request.param)


@pytest.fixture
def concurrent_connections(backend: str) -> None:
    """Skip on SQLite: concurrent requests need connections of their own, and the in-memory
    test database has one (a SQLite file serialises writers with BEGIN IMMEDIATE anyway)."""
    if backend == "sqlite":
        pytest.skip("concurrent requests need PostgreSQL here")


@pytest.fixture
async def engine(backend: str) -> AsyncIterator[AsyncEngine]:
    """An empty database with every table: in-memory SQLite, or PostgreSQL truncated."""
    if backend == "sqlite":
        engine = create_engine("sqlite+aiosqlite://", poolclass=StaticPool)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
    else:
        engine = await empty_postgres()
    yield engine
    await engine.dispose()


def postgres_url() -> str:
    """This test process's PostgreSQL database: the one `FINANCE_TEST_DATABASE_URL` names or,
    under pytest-xdist, one beside it for each worker (`<name>_gw0`, ...), so that workers
    running at once never share tables."""
    url = make_url(os.environ[POSTGRES_URL_VARIABLE])
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = url.set(database=f"{url.database}_{worker}")
    return url.render_as_string(hide_password=False)


async def empty_postgres() -> AsyncEngine:
    """An engine on this process's PostgreSQL database with every table and no rows: the
    database and its schema are made on first use in this run, the tables emptied after."""
    global _postgres_schema_ready
    if not _postgres_schema_ready:
        await create_database(postgres_url())
    engine = create_engine(postgres_url(), poolclass=NullPool)
    async with engine.begin() as connection:
        if not _postgres_schema_ready:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.run_sync(Base.metadata.create_all)
            _postgres_schema_ready = True
        else:
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return engine


async def create_database(url: str) -> bool:
    """Create the database `url` names, if it does not exist, from the one the variable names;
    say whether it did."""
    name = make_url(url).database
    admin = create_engine(
        os.environ[POSTGRES_URL_VARIABLE], poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not found:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return not found


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each schemathesis test (one per API operation, named after it) the node id its name
    makes: schemathesis leaves them all one, which pytest-xdist takes for one test and runs
    once."""
    for item in items:
        if getattr(item, "operation_label", None) and item.parent is not None:
            item._id = item.parent.id.child(item.name)
