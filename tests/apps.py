"""The app as tests build it: real settings, answering from the test database."""

from typing import Any

from fastapi import FastAPI

from finance.config import Settings
from finance.db import Database
from finance.main import create_app


def make_app(database: Database, **settings: Any) -> FastAPI:
    """The app with these settings (none from the environment), on the test `database`: its
    own `get_db` then opens read-only sessions for GET requests and writing ones otherwise, as
    it does in production."""
    application = create_app(
        Settings(database_url="sqlite+aiosqlite://", _env_file=None, **settings)
    )
    application.state.database = database
    return application
