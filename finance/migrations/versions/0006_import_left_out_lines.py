"""Imports record the lines of a file that were left out, and why.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `import_left_out_lines`."""
    op.create_table(
        "import_left_out_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_left_out_lines")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_left_out_lines_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f("ix_import_left_out_lines_batch_id"), "import_left_out_lines", ["batch_id"]
    )


def downgrade() -> None:
    """Drop `import_left_out_lines`."""
    op.drop_index(op.f("ix_import_left_out_lines_batch_id"), "import_left_out_lines")
    op.drop_table("import_left_out_lines")
