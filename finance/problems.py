"""The translation of every error into RFC 9457 problem details (`application/problem+json`).

Services raise the domain errors of `finance.errors` and know nothing of HTTP; the handlers that
`install_problem_handlers` adds turn those, FastAPI's validation errors and HTTP errors into
problem details.
"""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from finance.errors import DomainError, FieldError, InvalidInput
from finance.schemas import UNION_TAGS
from finance.web import render

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)


def problem_response(
    status: int, detail: str, *, errors: Sequence[FieldError] = (), headers: Any = None
) -> JSONResponse:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def field_name(location: Sequence[int | str]) -> str:
    """`("body", "split", "splits", 0, "amount")` as `splits.0.amount`: the source and the tag of
    the union member are left out, so the name is the field the client sent."""
    parts = list(
        location[1:] if location and location[0] in {"body", "query", "path"} else location
    )
    if parts and parts[0] in UNION_TAGS:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


def answer(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: Sequence[FieldError] = (),
    headers: Any = None,
) -> Response:
    """Problem details for the API and scripts; a page for a browser on a page route."""
    if wants_page(request):
        return render(
            request,
            "error.html",
            {
                "status": status,
                "title": HTTPStatus(status).phrase,
                "detail": detail,
                "errors": errors,
            },
            status_code=status,
            headers=headers,
        )
    return problem_response(status, detail, errors=errors, headers=headers)


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script)."""
    path = request.url.path
    return not path.startswith(
        ("/api/", "/health", "/docs", "/openapi", "/static/")
    ) and "text/html" in request.headers.get("accept", "")


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    errors = error.errors if isinstance(error, InvalidInput) else ()
    return answer(request, error.status, error.detail, errors=errors, headers=error.headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldError(
            "body" if e["type"] == "json_invalid" else field_name(e["loc"]),
            str(e["msg"]).removeprefix("Value error, "),
        )
        for e in error.errors()
    ]
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return answer(request, HTTPStatus.UNPROCESSABLE_ENTITY, summary, errors=errors)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return answer(request, error.status_code, str(error.detail), headers=error.headers)


async def _integrity_error(request: Request, error: Exception) -> Response:
    logger.info("integrity error answered with 409: %s", error)
    return answer(request, HTTPStatus.CONFLICT, "the change conflicts with existing data")


async def _database_unavailable(request: Request, error: Exception) -> Response:
    logger.warning("database unavailable: %s", error)
    return answer(
        request,
        HTTPStatus.SERVICE_UNAVAILABLE,
        "the database is unavailable; nothing was changed, try again shortly",
        headers={"Retry-After": "5"},
    )


async def _unexpected_error(request: Request, error: Exception) -> Response:
    logger.exception("unhandled error", exc_info=error)
    return answer(request, HTTPStatus.INTERNAL_SERVER_ERROR, "an unexpected error occurred")


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error the app raises as problem details."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    for unavailable in (OperationalError, InterfaceError, OSError):
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Unprocessable Entity",
                    "status": 422,
                    "detail": "amount: USD amounts have at most 2 decimal places",
                    "errors": [
                        {"field": "amount", "message": "USD amounts have at most 2 decimal places"}
                    ],
                }
            ]
        }
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}
    for code in (401, 403, 404, 409, 422)
}
"""The error answers to document on every API router."""
