"""Ledger totals: each account's postings summed (all, cleared, how many), the same per account
and month, and each category's per month and currency; filled from the postings already there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 09:00:00
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables and fill them."""
    account_totals = op.create_table(
        "account_totals",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("posted_minor", sa.BigInteger(), nullable=False),
        sa.Column("cleared_minor", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_totals")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_totals_account_id_accounts"),
            ondelete="CASCADE",
        ),
    )
    account_months = op.create_table(
        "account_months",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("posted_minor", sa.BigInteger(), nullable=False),
        sa.Column("cleared_minor", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "month", name=op.f("pk_account_months")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_months_account_id_accounts"),
            ondelete="CASCADE",
        ),
    )
    category_months = op.create_table(
        "category_months",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("posted_minor", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "category_id", "month", "currency", name=op.f("pk_category_months")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_category_months_category_id_categories"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_category_months_month"), "category_months", ["month"])
    _fill(account_totals, account_months, category_months)


def downgrade() -> None:
    """Drop the three tables (the postings they summed stay)."""
    op.drop_index(op.f("ix_category_months_month"), table_name="category_months")
    op.drop_table("category_months")
    op.drop_table("account_months")
    op.drop_table("account_totals")


def _fill(account_totals: sa.Table, account_months: sa.Table, category_months: sa.Table) -> None:
    """Sum the postings per day in SQL (the same query on every database), fold the days into
    months here, and insert the sums."""
    days = op.get_bind().execute(
        sa.text(
            "SELECT p.account_id, p.category_id, p.currency, t.date, "
            "t.status <> 'uncleared' AS cleared, SUM(p.amount_minor), COUNT(*) "
            "FROM postings p JOIN transactions t ON t.id = p.transaction_id "
            "GROUP BY p.account_id, p.category_id, p.currency, t.date, t.status <> 'uncleared'"
        )
    )
    accounts: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    months: defaultdict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    categories: defaultdict[tuple[int, date, str], list[int]] = defaultdict(lambda: [0, 0])
    for account_id, category_id, currency, day, cleared, amount, count in days:
        month = date.fromisoformat(str(day)).replace(day=1)
        if account_id is not None:
            for sums in (accounts[account_id], months[(account_id, month)]):
                sums[0] += amount
                sums[1] += amount if cleared else 0
                sums[2] += count
        elif category_id is not None:
            sums = categories[(category_id, month, currency)]
            sums[0] += amount
            sums[1] += count
    op.bulk_insert(
        account_totals,
        [
            {"account_id": key, "posted_minor": p, "cleared_minor": c, "postings": n}
            for key, (p, c, n) in sorted(accounts.items())
        ],
    )
    op.bulk_insert(
        account_months,
        [
            {"account_id": a, "month": m, "posted_minor": p, "cleared_minor": c, "postings": n}
            for (a, m), (p, c, n) in sorted(months.items())
        ],
    )
    op.bulk_insert(
        category_months,
        [
            {"category_id": k, "month": m, "currency": cur, "posted_minor": p, "postings": n}
            for (k, m, cur), (p, n) in sorted(categories.items())
        ],
    )
