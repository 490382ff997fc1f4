"""The translation of every error into HTTP: RFC 9457 problem details
(`application/problem+json`) for the API, the error page for a browser.

Services raise the domain errors of `finance.errors`, which know nothing of HTTP; `status_of`
and `headers_of` are the one place that gives each its status code and headers, and the
handlers that `install_problem_handlers` adds answer those, FastAPI's validation errors and
HTTP errors.
"""

import logging
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute

from finance.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    ReadOnlyToken,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
)
from finance.schemas import field_name
from finance.web import render

PROBLEM_MEDIA_TYPE = "application/problem+json"
BEARER_REALM = 'Bearer realm="finance"'
STATUS_OF: dict[type[DomainError], HTTPStatus] = {
    NotFound: HTTPStatus.NOT_FOUND,
    Conflict: HTTPStatus.CONFLICT,
    InvalidInput: HTTPStatus.UNPROCESSABLE_ENTITY,
    Unauthenticated: HTTPStatus.UNAUTHORIZED,
    Forbidden: HTTPStatus.FORBIDDEN,
    TooManyAttempts: HTTPStatus.TOO_MANY_REQUESTS,
    TooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
}
"""Each kind of domain error's status; a subclass answers as its nearest listed ancestor."""
logger = logging.getLogger(__name__)


def status_of(error: DomainError) -> HTTPStatus:
    """The HTTP status that answers a domain error."""
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return HTTPStatus.BAD_REQUEST


def headers_of(error: DomainError) -> dict[str, str]:
    """The headers that go with it: how to authenticate (RFC 6750), when to try again."""
    if isinstance(error, Unauthenticated):
        rejected = ', error="invalid_token"' if error.rejected else ""
        return {"WWW-Authenticate": BEARER_REALM + rejected}
    if isinstance(error, ReadOnlyToken):
        return {"WWW-Authenticate": f'{BEARER_REALM}, error="insufficient_scope"'}
    if isinstance(error, TooManyAttempts):
        return {"Retry-After": str(error.retry_after)}
    return {}


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
    return answer(request, status_of(error), error.detail, errors=errors, headers=headers_of(error))


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
    for unavailable in (OperationalError, InterfaceError, PoolTimeout, OSError):
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


def _documented(description: str, **headers: dict[str, Any]) -> dict[str, Any]:
    """One error answer as OpenAPI has it: problem details, and any headers it carries."""
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
    }
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("No access token, or a wrong, expired or revoked one."),
    403: _documented("A read-only token asked to change something."),
    404: _documented("Not found, or not yours."),
    409: _documented("The change conflicts with existing data."),
    422: _documented("A field is missing or invalid; `errors` names each one."),
    503: _documented(
        "The database is unavailable or busy; nothing was changed.", **{"Retry-After": RETRY_AFTER}
    ),
}
"""The error answers every API operation can give; documented once, on the API router."""
BODY_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: _documented("The body could not be read: it is not UTF-8 text."),
}
"""The error answers of an operation that reads a body, on top of `PROBLEM_RESPONSES`."""
UPLOAD_PROBLEMS: dict[int | str, dict[str, Any]] = {
    413: _documented("The file is larger than the upload limit; nothing was imported."),
}
"""The error answers of an operation that takes a file, on top of `BODY_PROBLEMS`."""


def document_problems(routes: Iterable[BaseRoute]) -> None:
    """Document `BODY_PROBLEMS` on each of these API routes that reads a body."""
    for route in routes:
        if isinstance(route, APIRoute) and route.body_field is not None:
            route.responses = {**BODY_PROBLEMS, **route.responses}
