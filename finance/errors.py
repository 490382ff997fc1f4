"""Domain errors: what services raise when a rule refuses a request. They know nothing of HTTP;
`finance.problems` gives each its status code."""

from dataclasses import dataclass
from http import HTTPStatus


class DomainError(Exception):
    """A rule of the ledger refused a request; `status` is the HTTP status that fits."""

    status = HTTPStatus.BAD_REQUEST

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class NotFound(DomainError):
    """No such object for this owner (another owner's objects are not found either)."""

    status = HTTPStatus.NOT_FOUND

    def __init__(self, what: str, object_id: int | str) -> None:
        super().__init__(f"{what} {object_id} not found")


class Conflict(DomainError):
    """The request clashes with the ledger's current state (a duplicate name, an object in use)."""

    status = HTTPStatus.CONFLICT


@dataclass(frozen=True)
class FieldError:
    """One field at fault and why."""

    field: str
    message: str


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule, naming the field at fault."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.errors = [FieldError(field, message)]


class Unauthenticated(DomainError):
    """No valid credentials: no token, or one that is wrong, expired or revoked."""

    status = HTTPStatus.UNAUTHORIZED


class Forbidden(DomainError):
    """Credentials that are valid but do not allow this (a read-only token writing, a missing
    CSRF token)."""

    status = HTTPStatus.FORBIDDEN


class TooManyAttempts(DomainError):
    """Too many failed logins lately; `retry_after` seconds until the next attempt is heard."""

    status = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed logins; try again in {retry_after} seconds",
            headers={"Retry-After": str(retry_after)},
        )


class TooLarge(DomainError):
    """An upload over the size limit."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
