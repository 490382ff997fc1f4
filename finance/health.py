"""`GET /health`: 200 when the database answers, 503 when it does not."""

import logging
from http import HTTPStatus

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from finance.db import SessionDep
from finance.problems import problem_response

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health", responses={503: {"description": "The database is unreachable."}})
async def health(db: SessionDep) -> JSONResponse:
    """Whether the app can reach its database."""
    try:
        await db.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as error:
        logger.warning("health check failed: %s", error)
        return problem_response(HTTPStatus.SERVICE_UNAVAILABLE, "the database is unreachable")
    return JSONResponse({"status": "ok", "database": "ok"})
