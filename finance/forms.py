"""Reading an HTML form into the same pydantic schemas the JSON API uses, and its errors into
messages a page shows beside each field."""

from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from finance.amounts import AmountUnreadable, read_amount
from finance.browser import CSRF_FIELD
from finance.errors import Conflict, DomainError, InvalidInput
from finance.money import is_decimal_string
from finance.schemas import field_name

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")
FORM_ERROR = "form"
"""The key of an error that belongs to the whole form rather than one field."""


class FormInvalid(Exception):
    """The form's input was refused; `errors` maps each field (or `form`) to a message, and
    `refusal` is the rule's own error where a rule refused it (for a page to offer its fix)."""

    def __init__(self, errors: dict[str, str], refusal: DomainError | None = None) -> None:
        super().__init__(errors)
        self.errors = errors
        self.refusal = refusal


async def form_values(
    request: Request, *, unstripped: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The submitted text fields (kept to fill the form again after an error), spaces at either
    end trimmed except in the fields `unstripped` (passwords). The CSRF token, checked before
    any route runs, is left out."""
    form = await request.form()
    return {
        key: value if key in unstripped else value.strip()
        for key, value in form.items()
        if isinstance(value, str) and key != CSRF_FIELD
    }


def parse_form(
    model: type[Model],
    values: Mapping[str, Any],
    *,
    keep_empty: frozenset[str] = frozenset(),
    locale: str | None = None,
) -> Model:
    """Validate with the API's schema; a field left empty counts as not given, except those in
    `keep_empty`, where empty is a value (clearing a note). With a `locale`, the schema's amounts
    are read as people type them there ("1.234,56 €" under de_DE: `finance.amounts`)."""
    given = {k: v for k, v in values.items() if v not in ("", None) or k in keep_empty}
    unreadable: dict[str, str] = {}
    if locale is not None:
        given, unreadable = _read_amounts(model, given, locale)
    try:
        parsed = model.model_validate(given)
    except ValidationError as error:
        messages = {
            field_name(e["loc"]) or FORM_ERROR: str(e["msg"]).removeprefix("Value error, ")
            for e in error.errors()
        }
        raise FormInvalid(messages | unreadable) from None
    if unreadable:
        raise FormInvalid(unreadable)
    return parsed


def _read_amounts(
    model: type[BaseModel], given: Mapping[str, Any], locale: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values with each amount read in the locale's format as a plain decimal string, and
    a message for each amount that could not be read (left out of the values). A currency the
    form names (an account's) is the one a symbol typed beside an amount must stand for."""
    read = dict(given)
    unreadable: dict[str, str] = {}
    currency = str(given.get("currency", "")).upper() or None
    for name in _amount_fields(model) & given.keys():
        try:
            read[name] = read_amount(str(given[name]), locale, currency)
        except AmountUnreadable as error:
            unreadable[name] = str(error)
            del read[name]
    return read, unreadable


@cache
def _amount_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, field in model.model_fields.items() if is_decimal_string(field))


def form_errors(error: DomainError) -> dict[str, str]:
    """A rule's refusal as form errors: beside its field when it names one."""
    if isinstance(error, InvalidInput):
        return {e.field: e.message for e in error.errors}
    return {FORM_ERROR: error.detail}


async def refusals_in_form(call: Awaitable[T], field: Callable[[str], str] = str) -> T:
    """The service's answer. A rule's refusal (`InvalidInput`, `Conflict`) becomes `FormInvalid`,
    each message beside the field it names (as `field` calls it on this form), for the page to
    show the form again; any other error (`NotFound`: the 404 page) goes on to its handler."""
    try:
        return await call
    except (InvalidInput, Conflict) as error:
        errors = form_errors(error)
        placed = {field(name): message for name, message in errors.items()}
        raise FormInvalid(placed, error) from None
