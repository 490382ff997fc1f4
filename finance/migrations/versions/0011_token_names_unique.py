"""Access token names are unique to their user, whatever the case: each token keeps the folded
form of its name (`name_key`, as accounts and categories do), and a user's tokens whose names
were already alike are told apart first, the oldest keeping its name and each later one
getting " (2)", " (3)"... so the constraint can be added to any database.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 06:30:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 100


def name_key(name: str) -> str:
    """`finance.names.name_key` as it was when this migration was written."""
    return unicodedata.normalize("NFKC", name).casefold()


def distinct_name(name: str, taken: set[str]) -> str:
    """`name`, or the first of "name (2)", "name (3)"... whose key is not `taken`, cut to fit."""
    candidate, number = name, 1
    while name_key(candidate) in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: NAME_LENGTH - len(suffix)] + suffix
    return candidate


def upgrade() -> None:
    """Add `access_tokens.name_key`, filled in with duplicates renamed, and its constraint."""
    op.add_column("access_tokens", sa.Column("name_key", sa.Text(), nullable=True))
    connection = op.get_bind()
    tokens = sa.table(
        "access_tokens",
        sa.column("id", sa.Integer()),
        sa.column("user_id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("name_key", sa.Text()),
    )
    rows = connection.execute(
        sa.select(tokens.c.id, tokens.c.user_id, tokens.c.name).order_by(tokens.c.id)
    ).all()
    taken: dict[int, set[str]] = {}
    for token_id, user_id, name in rows:
        users_names = taken.setdefault(user_id, set())
        kept = distinct_name(name, users_names)
        users_names.add(name_key(kept))
        connection.execute(
            sa.update(tokens)
            .where(tokens.c.id == token_id)
            .values(name=kept, name_key=name_key(kept))
        )
    with op.batch_alter_table("access_tokens") as batch:
        batch.alter_column("name_key", existing_type=sa.Text(), nullable=False)
        batch.create_unique_constraint(
            op.f("uq_access_tokens_user_id_name_key"), ["user_id", "name_key"]
        )


def downgrade() -> None:
    """Drop the constraint and `name_key` (renamed duplicates keep their new names)."""
    with op.batch_alter_table("access_tokens") as batch:
        batch.drop_constraint(op.f("uq_access_tokens_user_id_name_key"), type_="unique")
        batch.drop_column("name_key")
