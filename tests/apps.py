"""The app as tests build it: real settings, answering from the test database."""

from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from finance.config import Settings
from finance.db import get_db
from finance.main import create_app


def make_app(session_factory: async_sessionmaker[AsyncSession], **settings: Any) -> FastAPI:
    """The app with these settings (none from the environment), `get_db` answering from
    `session_factory`."""
    application = create_app(
        Settings(database_url="sqlite+aiosqlite://", _env_file=None, **settings)
    )

    async def test_db() -> AsyncIterator[AsyncSession]:
        async with session_factory() as session:
            yield session

    application.dependency_overrides[get_db] = test_db
    return application
