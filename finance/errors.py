"""Domain errors: what services raise when a rule refuses a request. They know nothing of HTTP;
`finance.problems` gives each its status code."""

from dataclasses import dataclass
from http import HTTPStatus


class DomainError(Exception):
    """A rule of the ledger refused a request; `status` is the HTTP status that fits."""

    status = HTTPStatus.BAD_REQUEST

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


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
