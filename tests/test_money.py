"""Money: exact minor units, refused rather than rounded."""

import pytest

from finance.money import (
    MAX_ABS_MAJOR_UNITS,
    Money,
    MoneyError,
    format_minor,
    implied_rate,
    minor_bound,
    minor_digits,
)


@pytest.mark.parametrize(
    ("text", "currency", "minor", "shown"),
    [
        ("0", "USD", 0, "0.00"),
        ("-0", "USD", 0, "0.00"),
        ("-12.34", "USD", -1234, "-12.34"),
        ("+7.5", "EUR", 750, "7.50"),
        ("0.010", "USD", 1, "0.01"),
        ("1", "JPY", 1, "1"),
        ("-1500", "JPY", -1500, "-1500"),
        ("1.234", "KWD", 1234, "1.234"),
        ("9999999999999.99", "USD", 999_999_999_999_999, "9999999999999.99"),
        ("-9999999999999.99", "USD", -999_999_999_999_999, "-9999999999999.99"),
    ],
)
def test_amounts_convert_exactly_both_ways(text, currency, minor, shown):
    money = Money.parse(text, currency)
    assert money == Money(minor, currency)
    assert str(money) == shown


@pytest.mark.parametrize(
    ("text", "currency", "reason"),
    [
        ("0.005", "USD", "at most 2 decimal places"),
        ("1.5", "JPY", "at most 0 decimal places"),
        ("1.2345", "KWD", "at most 3 decimal places"),
        ("1.000000000000000000000000000001", "USD", "at most 2 decimal places"),
        ("12345678901.0000000000000000000000001", "USD", "at most 2 decimal places"),
        ("10000000000000", "USD", "smaller than"),
        ("-10000000000000.00", "USD", "smaller than"),
        ("1e3", "USD", "not a decimal amount"),
        ("1,000.00", "USD", "not a decimal amount"),
        (".5", "USD", "not a decimal amount"),
        ("5.", "USD", "not a decimal amount"),
        ("NaN", "USD", "not a decimal amount"),
        ("Infinity", "USD", "not a decimal amount"),
        ("", "USD", "not a decimal amount"),
        ("1", "usd", "not an ISO 4217"),
        ("1", "ABC", "not an ISO 4217"),
    ],
)
def test_inexact_or_malformed_amounts_are_refused_not_rounded(text, currency, reason):
    with pytest.raises(MoneyError, match=reason):
        Money.parse(text, currency)


def test_minor_digits_follow_the_currency():
    assert [minor_digits(code) for code in ("JPY", "USD", "EUR", "KWD")] == [0, 2, 2, 3]


def test_many_ten_cent_amounts_sum_exactly():
    ten_cents = Money.parse("0.10", "USD")
    total = sum(Money.parse("0.10", "USD").minor for _ in range(10_000))
    assert total == 10_000 * ten_cents.minor
    assert format_minor(total, "USD") == "1000.00"


def test_the_limit_is_just_below_ten_trillion_units():
    largest = Money.parse(f"{MAX_ABS_MAJOR_UNITS - 1}.999", "KWD")
    assert str(largest) == "9999999999999.999"
    assert -largest == Money(-largest.minor, "KWD")


@pytest.mark.parametrize(
    ("text", "currency", "upward", "bound"),
    [
        ("10.005", "USD", True, 1001),
        ("10.005", "USD", False, 1000),
        ("-10.005", "USD", True, -1000),
        ("-10.005", "USD", False, -1001),
        ("10.00", "USD", True, 1000),
        ("1.000000000000000000000000000001", "USD", True, 101),
        ("0.5", "JPY", False, 0),
        ("99999999999999999999", "USD", False, MAX_ABS_MAJOR_UNITS * 100),
        ("-99999999999999999999", "USD", True, -MAX_ABS_MAJOR_UNITS * 100),
    ],
)
def test_filter_bounds_keep_exactly_the_amounts_they_name(text, currency, upward, bound):
    assert minor_bound(text, currency, upward=upward) == bound


@pytest.mark.parametrize(
    ("sent", "received", "rate"),
    [
        (Money(10000, "USD"), Money(9200, "EUR"), "0.920000"),
        (Money(-10000, "USD"), Money(9200, "EUR"), "0.920000"),
        (Money(300, "EUR"), Money(100, "USD"), "0.333333"),
        (Money(200, "EUR"), Money(100, "USD"), "0.500000"),
        (Money(10000, "USD"), Money(15_012, "JPY"), "150.120"),
        (Money(1, "JPY"), Money(1, "KWD"), "0.00100000"),
        (Money(1, "USD"), Money(999_999_999_999_999, "EUR"), "1000000000000000"),
    ],
)
def test_an_exchange_implies_a_rate_to_six_significant_digits(sent, received, rate):
    assert implied_rate(sent, received) == rate


def test_nothing_sent_implies_no_rate():
    with pytest.raises(MoneyError):
        implied_rate(Money(0, "USD"), Money(100, "EUR"))
