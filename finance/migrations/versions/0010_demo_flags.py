"""Accounts and categories say whether the demo data added them, so it can be removed in one step.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("accounts", "categories")


def upgrade() -> None:
    """Add `demo` to accounts and categories; what is there already is the person's own."""
    for table in TABLES:
        op.add_column(
            table, sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Drop `demo`: demo rows stay, no longer told apart from the person's own."""
    for table in TABLES:
        op.drop_column(table, "demo")
