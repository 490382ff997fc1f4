"""Amounts as people type them on a page, and as a page's form shows them back.

A page reads "1.234,56 €" under de_DE and "$1,234.56" under en_US: the locale's decimal and
grouping separators (read by Babel, which also writes them), an optional currency symbol or
ISO code before or after the number, and a sign. `read_amount` turns that into the plain decimal
string the API's schemas take ("1234.56"); the currency's exponent is checked where the amount
meets its account (`finance.money`). Nothing passes through a float. The JSON API never reads
amounts this way: it takes only plain decimal strings.
"""

import re
from copy import copy
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    get_decimal_symbol,
    get_group_symbol,
    is_currency,
    parse_decimal,
)

TYPED = re.compile(
    r"(?P<sign>[+-]?)\s*(?P<before>[^\d\s+.,-]*)\s*(?P<inner_sign>[+-]?)\s*"
    r"(?P<number>[^\s+-][^+-]*?)\s*(?P<after>[^\d\s.,'\u2019+-]*)"
)
"""A typed amount: a sign, a currency before or after the number, or a sign after the currency
("$-5"); which characters the number may hold depends on the locale."""
MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})
SPACES = " \u00a0\u202f"
APOSTROPHES = "'\u2019"


class AmountUnreadable(ValueError):
    """Text that is not an amount in the locale's format; the message shows one that is."""


def read_amount(typed: str, locale: str, currency: str | None = None) -> str:
    """The amount typed, as a plain decimal string with its sign as typed ("-1234.56" from
    "-1.234,56 €" under de_DE). Refuses what the locale would not write, such as "12.34" under
    de_DE, where the dot groups thousands: whether 12.34 or 1234 was meant, no one can tell;
    and, when the amount's `currency` is known, a symbol or code naming another one."""
    match = TYPED.fullmatch(typed.strip().translate(MINUS_SIGNS))
    if match is None or (match["sign"] and match["inner_sign"]):
        raise AmountUnreadable(example_message(locale))
    if match["before"] and match["after"]:
        raise AmountUnreadable(example_message(locale))
    if mark := match["before"] or match["after"]:
        _check_mark(mark, locale, currency)
    value = _number(match["number"], locale)
    return f"{match['sign'] or match['inner_sign']}{value:f}"


def write_amount(amount: str, locale: str) -> str:
    """A plain decimal string ("-1234.50") as the locale writes it in a form ("-1.234,50"),
    every decimal place kept, so that reading it back gives the same amount."""
    negative = amount.startswith("-")
    magnitude = Decimal(amount.lstrip("+-"))
    places = max(0, -int(magnitude.as_tuple().exponent))
    pattern = copy(Locale.parse(locale).decimal_formats[None])
    pattern.frac_prec = (places, places)
    written: str = pattern.apply(magnitude, locale)
    return ("-" if negative else "") + written


def example_message(locale: str) -> str:
    """What to type, in the locale's own format: "type an amount like 12,34 or 1.234,56"."""
    small, large = (write_amount(example, locale) for example in ("12.34", "1234.56"))
    return f"type an amount like {small} or {large}"


def _number(text: str, locale: str) -> Decimal:
    """The unsigned number, read strictly in the locale's format: digits, one decimal symbol
    and, if any, grouping symbols where the locale puts them."""
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    if group in SPACES:
        text = re.sub(f"[{SPACES}]", group, text)
    elif group in APOSTROPHES:
        text = re.sub(f"[{APOSTROPHES}]", group, text)
    if not re.fullmatch(f"[0-9{re.escape(decimal + group)}]+", text) or not re.search(
        "[0-9]", text
    ):
        raise AmountUnreadable(example_message(locale))
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        raise AmountUnreadable(example_message(locale)) from None


def _check_mark(mark: str, locale: str, currency: str | None) -> None:
    """A currency typed beside the number: an ISO code in any case ("usd") or a symbol the
    locale writes ("$", "€", "US$"); the amount's own `currency`, when that is known."""
    named = _currencies_named(locale).get(mark, set())
    if is_currency(mark.upper()):
        named = named | {mark.upper()}
    if not named:
        raise AmountUnreadable(example_message(locale))
    if currency is not None and is_currency(currency) and currency not in named:
        raise AmountUnreadable(f"{mark} is not {currency}, this amount's currency: leave it out")


@cache
def _currencies_named(locale: str) -> dict[str, set[str]]:
    """Each currency symbol the locale writes, and the currencies it may stand for."""
    named: dict[str, set[str]] = {}
    for code, symbol in Locale.parse(locale).currency_symbols.items():
        named.setdefault(symbol, set()).add(code)
    return named
