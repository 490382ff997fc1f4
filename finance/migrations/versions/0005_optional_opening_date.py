"""An account's opening date becomes optional: none means no limit, the opening balance then
standing before the account's first transaction.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_DAY_OR_TODAY = (
    "UPDATE accounts SET opening_date = COALESCE("
    "(SELECT MIN(t.date) FROM transactions t JOIN postings p ON p.transaction_id = t.id "
    "WHERE p.account_id = accounts.id), CURRENT_DATE) "
    "WHERE opening_date IS NULL"
)
"""An account without an opening date opens on its first transaction's day, else today."""


def upgrade() -> None:
    """Let `accounts.opening_date` be null."""
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("opening_date", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    """Give every account an opening date again (its first transaction's, else today's)."""
    op.execute(FIRST_DAY_OR_TODAY)
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("opening_date", existing_type=sa.Date(), nullable=False)
