"""What the sign-up, login, password and token forms accept, and how a token is shown."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from finance.auth.models import TokenScope
from finance.schemas import InputModel, OutputModel, RowId

EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")


def normalise_email(value: str) -> str:
    """Lower-case and checked for the shape `name@domain`."""
    email = value.strip().lower()
    if not EMAIL_SHAPE.fullmatch(email):
        raise ValueError("enter an email address such as you@example.com")
    return email


Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(normalise_email)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


def typed_twice_alike(again: str, first: object) -> str:
    """A password's second typing, which must equal the first."""
    if again != first:
        raise ValueError("the two passwords differ")
    return again


class PasswordInput(InputModel):
    """Passwords are taken exactly as typed: spaces at either end are part of them."""

    model_config = ConfigDict(str_strip_whitespace=False)


class Credentials(PasswordInput):
    """A login attempt."""

    email: Email
    password: Password


class SignUp(PasswordInput):
    """A new account, its password typed twice."""

    email: Email
    password: Password
    password_again: Password

    @field_validator("password_again")
    @classmethod
    def _typed_twice(cls, value: str, info: ValidationInfo) -> str:
        return typed_twice_alike(value, info.data.get("password"))


class PasswordChange(PasswordInput):
    """A new password, with the current one as proof."""

    current_password: Password
    new_password: Password
    new_password_again: Password

    @field_validator("new_password_again")
    @classmethod
    def _typed_twice(cls, value: str, info: ValidationInfo) -> str:
        return typed_twice_alike(value, info.data.get("new_password"))


class TokenCreate(InputModel):
    """A new personal access token."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    scope: TokenScope = TokenScope.READ_WRITE
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(OutputModel):
    """A token as listed: never its secret, which is shown once, at creation."""

    id: RowId
    name: str
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
