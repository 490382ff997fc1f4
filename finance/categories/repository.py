"""Queries on categories. Never commits."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finance.categories.models import Category
from finance.names import name_key
from finance.transactions.models import Posting, Transaction


class CategoryRepository:
    """One owner's categories."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def list(self) -> Sequence[Category]:
        """All the owner's categories, by name."""
        query = (
            select(Category)
            .where(Category.owner_id == self.owner_id)
            .order_by(Category.name_key, Category.id)
        )
        return (await self.session.scalars(query)).all()

    async def get(self, category_id: int) -> Category | None:
        """The owner's category with this id."""
        return await self.session.scalar(
            select(Category).where(Category.id == category_id, Category.owner_id == self.owner_id)
        )

    async def find_sibling(self, name: str, parent_id: int | None) -> Category | None:
        """The category with this name (ignoring case) under the same parent."""
        parent = (
            Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
        )
        return await self.session.scalar(
            select(Category).where(
                Category.owner_id == self.owner_id,
                parent,
                Category.name_key == name_key(name),
            )
        )

    async def children(self, category_id: int) -> Sequence[Category]:
        """The categories directly under this one."""
        return (
            await self.session.scalars(
                select(Category).where(
                    Category.parent_id == category_id, Category.owner_id == self.owner_id
                )
            )
        ).all()

    async def count_postings(self, category_id: int) -> int:
        """How many transaction lines use the category."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(Posting)
            .where(Posting.category_id == category_id, Posting.transaction_id.in_(self._owned()))
        )
        return count or 0

    async def reassign_postings(self, from_id: int, to_id: int) -> None:
        """Move every transaction line from one category to another."""
        await self.session.execute(
            update(Posting)
            .where(Posting.category_id == from_id, Posting.transaction_id.in_(self._owned()))
            .values(category_id=to_id)
        )

    async def totals(self, date_from: date, date_to: date) -> Sequence[tuple[int | None, str, int]]:
        """What went into each category (None: uncategorised) between two days, per currency."""
        query = (
            select(Posting.category_id, Posting.currency, func.sum(Posting.amount_minor))
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .where(
                Transaction.owner_id == self.owner_id,
                Transaction.date.between(date_from, date_to),
                Posting.account_id.is_(None),
            )
            .group_by(Posting.category_id, Posting.currency)
        )
        return [
            (category, currency, int(total))
            for category, currency, total in await self.session.execute(query)
        ]

    def _owned(self) -> Select[int]:
        """The ids of the owner's transactions."""
        return select(Transaction.id).where(Transaction.owner_id == self.owner_id)

    async def add(self, category: Category) -> Category:
        """Stage a new category and give it an id."""
        category.owner_id = self.owner_id
        self.session.add(category)
        await self.session.flush()
        return category

    async def delete(self, category: Category) -> None:
        """Stage the category's removal."""
        await self.session.delete(category)
        await self.session.flush()
