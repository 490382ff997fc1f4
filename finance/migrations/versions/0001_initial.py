"""Create the ledger: users, accounts, categories, transactions and postings.

Written out in full rather than derived from the models, so that this revision keeps creating the
same schema whatever the models become: every constraint has its final name (the naming
convention of `finance.db` applied by hand) and the enum columns are strings with their CHECK.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_TYPES = ("checking", "savings", "credit_card", "cash", "investment", "loan", "other")
CATEGORY_KINDS = ("income", "expense")
TRANSACTION_STATUSES = ("uncleared", "cleared", "reconciled")


def one_of(column: str, values: Sequence[str]) -> str:
    """The CHECK that SQLAlchemy writes for a non-native enum: `column IN ('a', 'b')`."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    """Create the five tables with their keys, checks and indexes."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=11), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opening_balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("opening_date", sa.Date(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("owner_id", "name_key", name=op.f("uq_accounts_owner_id_name_key")),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_accounts_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(one_of("type", ACCOUNT_TYPES), name=op.f("ck_accounts_account_type")),
    )
    op.create_index(op.f("ix_accounts_owner_id"), "accounts", ["owner_id"])

    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint(
            "owner_id",
            "parent_id",
            "name_key",
            name=op.f("uq_categories_owner_id_parent_id_name_key"),
            postgresql_nulls_not_distinct=True,
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_categories_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["categories.id"],
            name=op.f("fk_categories_parent_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(
            one_of("kind", CATEGORY_KINDS), name=op.f("ck_categories_category_kind")
        ),
    )
    op.create_index(op.f("ix_categories_owner_id"), "categories", ["owner_id"])
    op.create_index(op.f("ix_categories_parent_id"), "categories", ["parent_id"])

    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("payee", sa.String(length=200), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_transactions_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            one_of("status", TRANSACTION_STATUSES),
            name=op.f("ck_transactions_transaction_status"),
        ),
    )
    op.create_index(
        op.f("ix_transactions_owner_date_id"), "transactions", ["owner_id", "date", "id"]
    )

    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
        sa.CheckConstraint(
            "account_id IS NULL OR category_id IS NULL",
            name=op.f("ck_postings_account_or_category"),
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_postings_transaction_id_transactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_postings_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_postings_category_id_categories"),
            ondelete="RESTRICT",
        ),
    )
    op.create_index(op.f("ix_postings_transaction_id"), "postings", ["transaction_id"])
    op.create_index(
        op.f("ix_postings_account_balance"),
        "postings",
        ["account_id", "transaction_id", "amount_minor"],
    )
    op.create_index(
        op.f("ix_postings_category_id_transaction_id"),
        "postings",
        ["category_id", "transaction_id"],
    )


def downgrade() -> None:
    """Drop the five tables, and with them every row."""
    for table in ("postings", "transactions", "categories", "accounts", "users"):
        op.drop_table(table)
