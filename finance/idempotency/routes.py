"""How an API route takes an `Idempotency-Key`: its router uses `IdempotentRoute`, the route
depends on `idempotency_key` and documents `IDEMPOTENCY_RESPONSES`.

The dependency writes the key in the request's own session before the route's service runs,
so the service's commit carries it with the object; `IdempotentRoute` then stores the answer
on it (a second, small write) before the answer leaves. A retry finds the key: it gets the
stored answer, or a 409 while there is none."""

import hashlib
import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.params import Form
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from finance.auth.dependencies import ApiUser
from finance.db import SessionDep
from finance.errors import InvalidInput
from finance.idempotency import service
from finance.idempotency.models import KEY_LENGTH, IdempotencyKey
from finance.problems import PROBLEM_RESPONSES

REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(rf"[\x20-\x7e]{{1,{KEY_LENGTH}}}")
"""1 to 255 printable ASCII characters."""
CHUNK = 64 * 1024
IDEMPOTENCY_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {
        "headers": {
            REPLAYED_HEADER: {
                "description": "`true` when this is the stored answer to an earlier request "
                "with the same `Idempotency-Key`, which created nothing this time.",
                "schema": {"type": "string", "enum": ["true"]},
            }
        }
    },
    409: {
        **PROBLEM_RESPONSES[409],
        "description": "Conflict; or a request with this `Idempotency-Key` is in progress or "
        "its answer was lost (look the object up rather than create it again).",
    },
    422: {
        **PROBLEM_RESPONSES[422],
        "description": "Invalid input; or a malformed `Idempotency-Key`, or one that came "
        "with another request.",
    },
}
"""What an `Idempotency-Key` adds to a creating route's answers, as the API documents them."""
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """A key written with this request's object, waiting for the answer to store on it."""

    db: AsyncSession
    row: IdempotencyKey


class Replayed(Exception):
    """The key's request was answered before: its stored answer is the answer."""

    def __init__(self, row: IdempotencyKey) -> None:
        super().__init__(row.key)
        self.row = row

    def response(self) -> Response:
        """The stored answer, marked as a replay."""
        headers = {REPLAYED_HEADER: "true"}
        if self.row.location is not None:
            headers["Location"] = self.row.location
        assert self.row.status_code is not None
        return Response(
            self.row.body,
            status_code=self.row.status_code,
            media_type="application/json",
            headers=headers,
        )


async def idempotency_key(
    request: Request,
    db: SessionDep,
    user: ApiUser,
    key: Annotated[
        str | None,
        Header(
            alias=service.HEADER,
            description="Optional: 1 to 255 printable ASCII characters, new for each object "
            "(a UUID, say). A retry with the same key and the same request within 24 hours "
            f"creates nothing and gets the first answer, with `{REPLAYED_HEADER}: true`; the "
            "same key with another request is refused (422).",
        ),
    ] = None,
) -> None:
    """Claim the request's `Idempotency-Key`, if it has one (see `service.claim`); a stored
    answer is replayed (`Replayed`)."""
    if key is None:
        return
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(service.HEADER, "use 1 to 255 printable ASCII characters")
    route = request.scope.get("route")
    form = isinstance(route, IdempotentRoute) and route.reads_a_form
    row = await service.claim(
        db=db, owner_id=user.id, key=key, fingerprint=await fingerprint(request, form=form)
    )
    if row.answered:
        raise Replayed(row)
    request.state.idempotency = Pending(db, row)


class IdempotentRoute(APIRoute):
    """A route whose answer is stored on its request's `Idempotency-Key`, or replayed from it.
    Only answers 2xx are stored: anything else wrote nothing, so a retry simply runs again."""

    @property
    def reads_a_form(self) -> bool:
        """Whether the route's body is a form (FastAPI has read it as one before any
        dependency runs)."""
        return self.body_field is not None and isinstance(self.body_field.field_info, Form)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to store or replay the answer."""
        handle = super().get_route_handler()

        async def handle_idempotently(request: Request) -> Response:
            try:
                response = await handle(request)
            except Replayed as replayed:
                return replayed.response()
            pending: Pending | None = getattr(request.state, "idempotency", None)
            if pending is not None and 200 <= response.status_code < 300:
                await _store(pending, response)
            return response

        return handle_idempotently


async def fingerprint(request: Request, *, form: bool) -> str:
    """The SHA-256 of the request's method, path, query and body. A `form` body counts by its
    fields and files, not its bytes: a client draws a new random multipart boundary for each
    attempt, so the bytes of a faithful retry differ."""
    parts = [request.method.encode(), request.url.path.encode(), request.url.query.encode()]
    if form:
        for name, value in (await request.form()).multi_items():
            if isinstance(value, UploadFile):
                filename = (value.filename or "").encode()
                parts += [name.encode(), b"file", filename, await _file_digest(value)]
            else:
                parts += [name.encode(), b"text", value.encode()]
    else:
        parts.append(await request.body())
    digest = hashlib.sha256()
    for part in parts:  # each after its length, so that no two lists of parts hash alike
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def _file_digest(upload: UploadFile) -> bytes:
    """The SHA-256 of an uploaded file, which is left at its start for the route to read."""
    digest = hashlib.sha256()
    while chunk := await upload.read(CHUNK):
        digest.update(chunk)
    await upload.seek(0)
    return digest.digest()


async def _store(pending: Pending, response: Response) -> None:
    """Store the answer on its key. The object is committed whatever happens here: if storing
    fails the answer still goes out, and a retry gets 409 (look the object up)."""
    try:
        await service.remember(
            db=pending.db,
            row=pending.row,
            status_code=response.status_code,
            body=bytes(response.body),
            location=response.headers.get("location"),
        )
    except (SQLAlchemyError, OSError):
        logger.warning("the answer to idempotency key %r was not stored", pending.row.key)
