"""How the ledger's reads cut a period: whole months from the totals, and at most half of an edge
month's days from the postings; a short period that is not whole months from its postings alone
(what the parts add up to is checked against plain sums in `test_totals.py`)."""

from datetime import date

import pytest

from finance.ledger.repository import Parts, parts_of


@pytest.mark.parametrize(
    ("date_from", "date_to", "parts"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), Parts((date(2026, 3, 1), date(2026, 4, 1)))),
        (
            date(2026, 3, 15),
            date(2026, 4, 14),
            Parts(plus=((date(2026, 3, 15), date(2026, 4, 15)),)),
        ),
        (
            date(2026, 12, 1),
            date(2026, 12, 4),
            Parts(plus=((date(2026, 12, 1), date(2026, 12, 5)),)),
        ),
        (
            date(2026, 1, 1),
            date(2026, 12, 31),
            Parts((date(2026, 1, 1), date(2027, 1, 1))),
        ),
        (
            date(2026, 3, 15),
            date(2026, 5, 14),
            Parts(
                (date(2026, 3, 1), date(2026, 5, 1)),
                plus=((date(2026, 5, 1), date(2026, 5, 15)),),
                minus=((date(2026, 3, 1), date(2026, 3, 15)),),
            ),
        ),
        (
            date(2026, 3, 3),
            date(2026, 4, 28),
            Parts(
                (date(2026, 3, 1), date(2026, 5, 1)),
                minus=((date(2026, 3, 1), date(2026, 3, 3)), (date(2026, 4, 29), date(2026, 5, 1))),
            ),
        ),
        (
            None,
            date(2026, 6, 15),
            Parts((None, date(2026, 6, 1)), plus=((date(2026, 6, 1), date(2026, 6, 16)),)),
        ),
        (None, date(2026, 6, 30), Parts((None, date(2026, 7, 1)))),
    ],
    ids=[
        "a whole month",
        "a month from the 15th",
        "a month's first days",
        "a year",
        "across three months",
        "most of two months",
        "up to mid-month",
        "up to a month's end",
    ],
)
def test_a_period_is_read_from_the_fewest_rows(date_from, date_to, parts):
    assert parts_of(date_from, date_to) == parts
