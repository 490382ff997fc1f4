"""Queries on categories (what went into them is the ledger's: `finance.ledger.repository`).
Never commits."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.ledger.models import Category
from finance.names import name_key


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
