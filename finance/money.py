"""Money: integer minor units with an ISO 4217 currency, read and written as decimal strings.

Amounts never pass through a float. The API carries them as strings ("-12.34"); `Money.parse`
turns such a string into minor units for its currency and refuses, rather than rounds, an amount
with more decimal places than the currency has.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Self

from babel.numbers import get_currency_precision, is_currency
from pydantic import AfterValidator, BeforeValidator, Field

from finance.errors import InvalidInput

MAX_ABS_MAJOR_UNITS = 10**13
"""Amounts must be below ten trillion units of their currency, so sums stay within 64 bits."""

AMOUNT_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?$"


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


def is_known_currency(code: str) -> bool:
    """True for an ISO 4217 code (upper case)."""
    return len(code) == 3 and code.isupper() and is_currency(code)


def minor_digits(currency: str) -> int:
    """How many decimal places the currency has: JPY 0, USD 2, KWD 3."""
    if not is_known_currency(currency):
        raise MoneyError(f"{currency!r} is not an ISO 4217 currency code")
    return int(get_currency_precision(currency))


def parse_decimal(text: str) -> Decimal:
    """A plain decimal string ("-12.34") as a Decimal; no exponents, no thousands separators."""
    text = text.strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not re.fullmatch(AMOUNT_PATTERN, text):
        raise MoneyError(f'{text!r} is not a decimal amount like "-12.34"')
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `minor` units (cents, yen, fils) of `currency`."""

    minor: int
    currency: str

    @classmethod
    def parse(cls, amount: str | Decimal, currency: str) -> Self:
        """Exact conversion of a decimal amount; a `MoneyError` says why it is refused."""
        value = parse_decimal(amount) if isinstance(amount, str) else amount
        digits = minor_digits(currency)
        if abs(value) >= MAX_ABS_MAJOR_UNITS:
            raise MoneyError(f"amounts must be smaller than {MAX_ABS_MAJOR_UNITS:,} {currency}")
        scaled = value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            places = f"{digits} decimal place{'s' if digits != 1 else ''}"
            raise MoneyError(f"{currency} amounts have at most {places}; got {value}")
        return cls(int(scaled), currency)

    @property
    def amount(self) -> Decimal:
        """The amount in major units, exact."""
        return Decimal(self.minor).scaleb(-minor_digits(self.currency))

    def __str__(self) -> str:
        """The API's decimal string: "-12.34", "1500" for JPY, "1.234" for KWD."""
        return format_minor(self.minor, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.minor, self.currency)


def format_minor(minor: int, currency: str) -> str:
    """Minor units as a decimal string with exactly the currency's number of places."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"


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
        parse_decimal(value)
    except MoneyError as error:
        raise ValueError(str(error)) from None
    return value.strip()


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

CurrencyCode = Annotated[
    str,
    Field(min_length=3, max_length=3, examples=["USD"]),
    AfterValidator(_check_currency),
]
"""An ISO 4217 currency code."""
