"""Import joins: an imported line that became the other side of a transfer already in another
account, with what undoing its batch restores (the category its leg had).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `import_joins`."""
    op.create_table(
        "import_joins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_joins")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_joins_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_import_joins_transaction_id_transactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_import_joins_category_id_categories"),
            ondelete="SET NULL",
        ),
    )
    op.create_index(op.f("ix_import_joins_batch_id"), "import_joins", ["batch_id"])
    op.create_index(op.f("ix_import_joins_transaction_id"), "import_joins", ["transaction_id"])


def downgrade() -> None:
    """Drop `import_joins`: the transfers the joins made stay transfers."""
    op.drop_index(op.f("ix_import_joins_transaction_id"), table_name="import_joins")
    op.drop_index(op.f("ix_import_joins_batch_id"), table_name="import_joins")
    op.drop_table("import_joins")
