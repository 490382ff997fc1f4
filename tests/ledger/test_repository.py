"""How the ledger's reads cut a period: whole months from the totals, and at most half of an
edge month's days from the postings (the rest of what they mean is checked against plain sums
in `test_totals.py`)."""

from datetime import date

import pytest

from finance.ledger.repository import Parts, parts_of


@pytest.mark.parametrize(
    ("date_from", "date_to", "parts"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), Parts(date(2026, 3, 1), date(2026, 4, 1))),
        (
            date(2026, 12, 1),
            date(2026, 12, 4),
            Parts(
                date(2027, 1, 1), date(2026, 12, 1), plus=((date(2026, 12, 1), date(2026, 12, 5)),)
            ),
        ),
        (
            date(2026, 12, 1),
            date(2026, 12, 28),
            Parts(
                date(2026, 12, 1), date(2027, 1, 1), minus=((date(2026, 12, 29), date(2027, 1, 1)),)
            ),
        ),
        (
            date(2026, 3, 15),
            date(2026, 4, 14),
            Parts(
                date(2026, 3, 1),
                date(2026, 4, 1),
                plus=((date(2026, 4, 1), date(2026, 4, 15)),),
                minus=((date(2026, 3, 1), date(2026, 3, 15)),),
            ),
        ),
        (
            None,
            date(2026, 6, 15),
            Parts(None, date(2026, 6, 1), plus=((date(2026, 6, 1), date(2026, 6, 16)),)),
        ),
        (None, date(2026, 6, 30), Parts(None, date(2026, 7, 1))),
    ],
    ids=[
        "a whole month",
        "a month's first days",
        "most of a month",
        "across two months",
        "up to mid-month",
        "up to a month's end",
    ],
)
def test_a_period_is_read_from_the_fewest_days(date_from, date_to, parts):
    assert parts_of(date_from, date_to) == parts
