"""Money: integer minor units with an ISO 4217 currency, read and written as decimal strings.

Amounts never pass through a float. The API carries them as strings ("-12.34"); `Money.parse`
turns such a string into minor units for its currency and refuses, rather than rounds, an amount
with more decimal places than the currency has.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from itertools import chain
from typing import Annotated, Self, get_args, get_origin

from babel.numbers import get_currency_precision, is_currency
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.fields import FieldInfo

from finance.errors import InvalidInput

MAX_ABS_MAJOR_UNITS = 10**13
"""Amounts must be below ten trillion units of their currency."""

AMOUNT_PATTERN = r"^([+-]?)([0-9]+)(?:\.([0-9]+))?$"


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


def is_known_currency(code: str) -> bool:
    """True for an ISO 4217 code (upper case)."""
    return len(code) == 3 and code.isupper() and is_currency(code)


@cache
def minor_digits(currency: str) -> int:
    """How many decimal places the currency has: JPY 0, USD 2, KWD 3 (looked up once)."""
    if not is_known_currency(currency):
        raise MoneyError(f"{currency!r} is not an ISO 4217 currency code")
    return int(get_currency_precision(currency))


def split_decimal(text: str) -> tuple[bool, int, str]:
    """A plain decimal string ("-12.34") as (negative, whole part, fraction digits).

    The arithmetic that follows is on integers and digit strings, so no length of input can be
    rounded by a decimal context's precision."""
    match = re.fullmatch(AMOUNT_PATTERN, text.strip())
    if match is None:
        raise MoneyError(f'{text!r} is not a decimal amount like "-12.34"')
    sign, whole, fraction = match.groups()
    return sign == "-", int(whole), fraction or ""


def negated(amount: str) -> str:
    """A plain decimal string with its sign turned round: "12.34" as "-12.34" and back."""
    return amount[1:] if amount.startswith("-") else "-" + amount.removeprefix("+")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `minor` units (cents, yen, fils) of `currency`."""

    minor: int
    currency: str

    @classmethod
    def parse(cls, amount: str, currency: str) -> Self:
        """Exact conversion of a decimal string; a `MoneyError` says why it is refused."""
        negative, whole, fraction = split_decimal(amount)
        digits = minor_digits(currency)
        if whole >= MAX_ABS_MAJOR_UNITS:
            raise MoneyError(f"amounts must be smaller than {MAX_ABS_MAJOR_UNITS:,} {currency}")
        significant = fraction.rstrip("0")
        if len(significant) > digits:
            places = f"{digits} decimal place{'s' if digits != 1 else ''}"
            raise MoneyError(f"{currency} amounts have at most {places}")
        units = whole * 10**digits + int(significant.ljust(digits, "0") or "0")
        return cls(-units if negative else units, currency)

    def __str__(self) -> str:
        """The API's decimal string: "-12.34", "1500" for JPY, "1.234" for KWD."""
        return format_minor(self.minor, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.minor, self.currency)


def minor_bound(amount: str, currency: str, *, upward: bool) -> int:
    """A filter bound in minor units of `currency`: rounded up for a lower bound (`upward`),
    down for an upper one, so the range keeps exactly the amounts it names; clamped to the
    largest amount there can be."""
    negative, whole, fraction = split_decimal(amount)
    digits = minor_digits(currency)
    units: int = whole * 10**digits + int(fraction[:digits].ljust(digits, "0") or "0")
    value = -units if negative else units
    if fraction[digits:].rstrip("0") and upward != negative:
        value += 1 if upward else -1
    limit: int = MAX_ABS_MAJOR_UNITS * 10**digits
    return max(-limit, min(limit, value))


def format_minor(minor: int, currency: str) -> str:
    """Minor units as a decimal string with exactly the currency's number of places."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"


RATE_DIGITS = 6
"""How many significant digits an exchange rate is shown with."""


def implied_rate(sent: "Money", received: "Money") -> str:
    """The rate an exchange implies, units of `received`'s currency per unit of `sent`'s, as a
    decimal string to six significant digits ("0.920000" for 100.00 USD into 92.00 EUR). The
    division is of integers in a decimal context, never a float."""
    if sent.minor == 0:
        raise MoneyError("no rate without an amount sent")
    numerator = abs(received.minor) * 10 ** minor_digits(sent.currency)
    denominator = abs(sent.minor) * 10 ** minor_digits(received.currency)
    with localcontext() as context:
        context.prec = RATE_DIGITS
        rate = Decimal(numerator) / Decimal(denominator)
        rate = rate.quantize(Decimal(1).scaleb(rate.adjusted() - RATE_DIGITS + 1))
    return f"{rate:f}"


def to_minor(field: str, amount: str, currency: str) -> int:
    """`Money.parse(...).minor`, refusing an inexact amount as invalid input to `field`."""
    try:
        return Money.parse(amount, currency).minor
    except MoneyError as error:
        raise InvalidInput(field, str(error)) from None


def _require_string(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError('amounts are decimal strings like "-12.34", never JSON numbers')
    return value


def _check_decimal(value: str) -> str:
    try:
        split_decimal(value)
    except MoneyError as error:
        raise ValueError(str(error)) from None
    return value.strip()


def _upper_case(value: object) -> object:
    """A currency code in any case, as ISO writes it ("usd" is "USD")."""
    return value.upper() if isinstance(value, str) else value


def _check_currency(value: str) -> str:
    if not is_known_currency(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
    return value


DecimalString = Annotated[
    str,
    BeforeValidator(_require_string),
    AfterValidator(_check_decimal),
    Field(examples=["-54.23"], json_schema_extra={"pattern": AMOUNT_PATTERN}),
]
"""An amount as the API reads it; its currency decides later whether it is exact."""


def is_decimal_string(field: FieldInfo) -> bool:
    """Whether a schema's field is a `DecimalString` (optional or not): an amount, which a
    page's form reads as people type it."""
    inner = (
        get_args(kind)[1:] for kind in get_args(field.annotation) if get_origin(kind) is Annotated
    )
    metadata = chain(field.metadata, *inner)
    return any(getattr(item, "func", None) is _check_decimal for item in metadata)


CurrencyCode = Annotated[
    str,
    BeforeValidator(_upper_case),
    Field(
        min_length=3,
        max_length=3,
        examples=["USD"],
        json_schema_extra={"pattern": "^[A-Za-z]{3}$"},
    ),
    AfterValidator(_check_currency),
]
"""An ISO 4217 currency code, in any case ("usd" is read as "USD")."""
