"""Postings that convert between currencies: a transfer from a USD account to a EUR one keeps
each currency summing to zero with a `conversion` leg in each, off every account and category.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONLY_OFF_ACCOUNTS = "NOT conversion OR (account_id IS NULL AND category_id IS NULL)"


def upgrade() -> None:
    """Add `postings.conversion` (false for every posting there is), its check and its index."""
    with op.batch_alter_table("postings") as batch:
        batch.add_column(
            sa.Column("conversion", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_postings_conversion_off_accounts"), ONLY_OFF_ACCOUNTS
        )
    op.create_index(
        op.f("ix_postings_conversion"),
        "postings",
        ["transaction_id"],
        sqlite_where=sa.text("conversion = 1"),
        postgresql_where=sa.text("conversion"),
    )


def downgrade() -> None:
    """Drop the column: a conversion leg stays, as the uncategorised line the older schema
    reads it as, so every transaction still balances and every total stays right."""
    op.drop_index(op.f("ix_postings_conversion"), "postings")
    with op.batch_alter_table("postings") as batch:
        batch.drop_constraint(op.f("ck_postings_conversion_off_accounts"), type_="check")
        batch.drop_column("conversion")
