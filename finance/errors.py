"""Domain errors: what services raise when a rule refuses a request. They say what went wrong,
never how to answer it; `finance.problems` alone turns each into an HTTP status and headers."""

from dataclasses import dataclass
from datetime import date


class DomainError(Exception):
    """A rule of the ledger refused a request; `detail` says why, in words for a person."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """No such object for this owner (another owner's objects are not found either)."""

    def __init__(self, what: str, object_id: int | str) -> None:
        super().__init__(f"{what} {object_id} not found")


class Conflict(DomainError):
    """The request clashes with the ledger's current state (a duplicate name, an object in use)."""


@dataclass(frozen=True)
class FieldError:
    """One field at fault and why."""

    field: str
    message: str


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.errors = [FieldError(field, message)]


class BeforeOpeningDate(InvalidInput):
    """Money dated before an account's opening date, which its opening balance already holds;
    the way out is to move that date back (`account_id` says which account's)."""

    def __init__(
        self, *, account_id: int, account_name: str, opening_date: date, day: date, field: str
    ) -> None:
        super().__init__(
            field,
            f"{day} is before {account_name}'s opening date ({opening_date}); "
            "move the account's opening date back first",
        )
        self.account_id = account_id
        self.account_name = account_name
        self.opening_date = opening_date
        self.day = day


class Unauthenticated(DomainError):
    """No valid credentials: none at all, or (`rejected`) a token that is wrong, expired or
    revoked."""

    def __init__(self, detail: str, *, rejected: bool = False) -> None:
        super().__init__(detail)
        self.rejected = rejected


class Forbidden(DomainError):
    """Credentials that are valid but do not allow this (a missing CSRF token)."""


class ReadOnlyToken(Forbidden):
    """A read-only access token asked to change something."""


class TooManyAttempts(DomainError):
    """Too many failed logins lately; `retry_after` seconds until the next attempt is heard."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")
        self.retry_after = retry_after


class TooLarge(DomainError):
    """An upload over the size limit."""
