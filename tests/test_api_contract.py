"""The OpenAPI document tells the truth: a property-based run over every operation of the
authenticated API (valid and invalid data, a fixed seed) finds no server error, no status or
response body the document does not list, and no invalid input accepted.

A longer run of the same checks: `FINANCE_CONTRACT_EXAMPLES=2000 pytest -n 0
tests/test_api_contract.py` (README, Quick start)."""

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.auths import AuthContext
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.pool import NullPool

from finance.auth.models import AccessToken, TokenScope
from finance.config import Settings
from finance.credentials import TOKEN_PREFIX, digest
from finance.db import Database, create_engine, open_database
from finance.main import create_app
from finance.models import Base
from tests.users import OWNER_EMAIL, add_user

EXAMPLES_PER_OPERATION = int(os.environ.get("FINANCE_CONTRACT_EXAMPLES", "50"))
"""Examples an operation: few enough that the run takes well under a minute on one core."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
TOKEN_SECRET = f"{TOKEN_PREFIX}contract-run"
"""The run's token: known before the run, as schemathesis makes some requests at collection."""

APP = create_app(Settings(database_url="sqlite+aiosqlite://", _env_file=None))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/api/")


@schema.auth()
class Bearer:
    """The run's token on every request (schemathesis leaves it off to test a 401)."""

    def get(self, case: Case[Any], context: AuthContext) -> str:
        return TOKEN_SECRET

    def set(self, case: Case[Any], data: str, context: AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


async def _prepare(url: str) -> None:
    """Every table in the database at `url`, and one user who holds `TOKEN_SECRET`."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        async with Database(engine).sessions()() as db:
            user = await add_user(db, OWNER_EMAIL)
            db.add(
                AccessToken(
                    user_id=user.id,
                    name="contract",
                    scope=TokenScope.READ_WRITE,
                    secret_hash=digest(TOKEN_SECRET),
                )
            )
            await db.commit()
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def logged_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The app on a fresh SQLite file for this run, with one user who has the token."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('contract') / 'finance.db'}"
    asyncio.run(_prepare(url))
    APP.state.database = open_database(url)
    yield


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_documented_contract(case: Case[Any], logged_in: None) -> None:
    case.call_and_validate(checks=CHECKS)
