"""Amounts as people type them on a page, read in the locale's own format and written back so
that reading them again gives the same amount."""

import pytest

from finance.amounts import AmountUnreadable, read_amount, write_amount


@pytest.mark.parametrize(
    ("locale", "typed", "read"),
    [
        ("en_US", "1,234.56", "1234.56"),
        ("en_US", "$5", "5"),
        ("en_US", "5 $", "5"),
        ("en_US", "-$5.10", "-5.10"),
        ("en_US", "$-5.10", "-5.10"),
        ("en_US", "\u221210", "-10"),  # the minus sign a word processor writes
        ("en_US", "+5", "+5"),
        ("en_US", "usd 5", "5"),
        ("en_US", "1.234", "1.234"),  # the currency decides later whether it fits
        ("de_DE", "12,34", "12.34"),
        ("de_DE", "12,34 €", "12.34"),
        ("de_DE", "1.234,56", "1234.56"),
        ("de_DE", "-1.234,56 EUR", "-1234.56"),
        ("de_DE", "1.234", "1234"),
        ("fr_FR", "1 234,56", "1234.56"),  # a plain space where French writes a narrow one
        ("fr_FR", "1\u202f234,56\u00a0€", "1234.56"),
        ("de_CH", "1'234.50", "1234.50"),
        ("ja_JP", "￥1,500", "1500"),
    ],
)
def test_an_amount_is_read_in_the_locales_format(locale, typed, read):
    assert read_amount(typed, locale) == read


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en_US", "12,34"),
        ("en_US", "1.234,56"),
        ("en_US", "1 234.56"),
        ("en_US", "12.3.4"),
        ("en_US", "1e3"),
        ("en_US", "NaN"),
        ("en_US", "Infinity"),
        ("en_US", "$"),
        ("en_US", "5 apples"),
        ("en_US", "$5 €"),
        ("en_US", "--5"),
        ("en_US", "-$-5"),
        ("en_US", "١٢٣"),
        ("de_DE", "12.34"),
        ("de_DE", "1,234.56"),
        ("de_DE", "1.23,4"),
    ],
)
def test_what_the_locale_would_not_write_is_refused_with_an_example_in_its_format(locale, typed):
    example = {"en_US": "12.34 or 1,234.56", "de_DE": "12,34 or 1.234,56"}[locale]
    with pytest.raises(AmountUnreadable, match=f"type an amount like {example}"):
        read_amount(typed, locale)


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "fr_FR", "de_CH", "hi_IN", "ar_EG"])
@pytest.mark.parametrize("amount", ["-1234.50", "0.001", "1500", "12345678.90", "-0.05"])
def test_an_amount_written_for_a_form_reads_back_the_same(locale, amount):
    written = write_amount(amount, locale)
    assert read_amount(written, locale) == amount


@pytest.mark.parametrize(
    ("locale", "typed", "currency"),
    [
        ("en_US", "$5", "USD"),
        ("en_US", "5 usd", "USD"),
        ("en_US", "€5", "EUR"),
        ("de_DE", "5 $", "USD"),
        ("en_CA", "$5", "CAD"),
        ("en_US", "5", "JPY"),
    ],
)
def test_a_currency_typed_beside_the_amount_may_be_its_own(locale, typed, currency):
    assert read_amount(typed, locale, currency) == "5"


@pytest.mark.parametrize(
    ("locale", "typed", "currency"),
    [("en_US", "€5", "USD"), ("en_US", "5 eur", "USD"), ("en_US", "$5", "CAD")],
)
def test_a_currency_typed_beside_the_amount_that_is_not_its_own_is_refused(locale, typed, currency):
    with pytest.raises(AmountUnreadable, match=f"is not {currency}, this amount's currency"):
        read_amount(typed, locale, currency)
