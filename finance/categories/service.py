"""Rules for categories: one level of nesting, children share their parent's kind, names unique
under a parent. Each write commits before it returns."""

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from finance.categories.repository import CategoryRepository
from finance.categories.schemas import CategoryCreate, CategoryUpdate
from finance.errors import Conflict, InvalidInput, NotFound
from finance.ledger.journal import Journal
from finance.ledger.models import Category, CategoryKind
from finance.ledger.repository import CategoryTotal, LedgerRepository
from finance.names import name_key

STARTER_SET: tuple[tuple[str, CategoryKind, tuple[str, ...]], ...] = (
    ("Income", CategoryKind.INCOME, ("Salary", "Interest", "Refunds", "Other income")),
    ("Housing", CategoryKind.EXPENSE, ("Rent or mortgage", "Utilities", "Maintenance")),
    ("Food", CategoryKind.EXPENSE, ("Groceries", "Restaurants")),
    ("Transport", CategoryKind.EXPENSE, ("Fuel", "Public transport", "Car")),
    ("Health", CategoryKind.EXPENSE, ("Medical", "Pharmacy")),
    ("Personal", CategoryKind.EXPENSE, ("Clothing", "Subscriptions", "Entertainment")),
    ("Gifts and donations", CategoryKind.EXPENSE, ()),
    ("Savings", CategoryKind.EXPENSE, ()),
)
"""The starter categories a new ledger is offered: top-level ones with their children. Short
and conventional, to be renamed, extended or deleted like any other."""


async def list_categories(*, db: AsyncSession, owner_id: int) -> list[Category]:
    """All the owner's categories, by name."""
    return list(await CategoryRepository(db, owner_id).list())


async def category_totals(
    *, db: AsyncSession, owner_id: int, date_from: date, date_to: date
) -> list[CategoryTotal]:
    """Each category's total between two days, per currency."""
    return await LedgerRepository(db, owner_id).category_totals(date_from, date_to)


async def lines_in(*, db: AsyncSession, owner_id: int, category_id: int) -> int:
    """How many transaction lines use the category or one of its subcategories."""
    children = await CategoryRepository(db, owner_id).children(category_id)
    ids = [category_id, *(child.id for child in children)]
    return await LedgerRepository(db, owner_id).lines_in_categories(ids)


async def get_category(*, db: AsyncSession, owner_id: int, category_id: int) -> Category:
    """One category, or `NotFound`."""
    return await _load(CategoryRepository(db, owner_id), category_id)


async def create_category(*, db: AsyncSession, owner_id: int, data: CategoryCreate) -> Category:
    """Add a category at the top level or under a top-level parent."""
    repository = CategoryRepository(db, owner_id)
    kind = data.kind
    if data.parent_id is not None:
        parent = await _load_parent(repository, data.parent_id)
        if kind is not None and kind != parent.kind:
            raise InvalidInput("kind", f"a child of an {parent.kind} category is {parent.kind} too")
        kind = parent.kind
    if kind is None:
        raise InvalidInput("kind", "a top-level category needs a kind: income or expense")
    await _require_free_name(repository, data.name, data.parent_id)
    category = await repository.add(Category(name=data.name, kind=kind, parent_id=data.parent_id))
    await db.commit()
    return category


async def create_starter_set(*, db: AsyncSession, owner_id: int) -> list[Category]:
    """Add `STARTER_SET` in one database transaction and return every category, by name;
    `Conflict` once the owner has any category, so a second click creates nothing."""
    repository = CategoryRepository(db, owner_id)
    if await repository.list():
        raise Conflict("there are categories already; the starter set is for an empty ledger")
    for name, kind, children in STARTER_SET:
        parent = await repository.add(Category(name=name, kind=kind))
        for child in children:
            await repository.add(Category(name=child, kind=kind, parent_id=parent.id))
    await db.commit()
    return list(await repository.list())


async def update_category(
    *, db: AsyncSession, owner_id: int, category_id: int, data: CategoryUpdate
) -> Category:
    """Rename, move or change the kind of a category (its children follow a change of kind)."""
    repository = CategoryRepository(db, owner_id)
    category = await _load(repository, category_id)
    changes = data.changes()
    parent_id, kind = await _placement(repository, category, changes)
    name = changes.get("name", category.name)
    if (name_key(name), parent_id) != (category.name_key, category.parent_id):
        await _require_free_name(repository, name, parent_id)
    category.name, category.parent_id, category.kind = name, parent_id, kind
    for child in await repository.children(category.id):
        child.kind = kind
    await db.commit()
    return category


async def delete_category(
    *, db: AsyncSession, owner_id: int, category_id: int, replace_with: int | None = None
) -> None:
    """Delete a category; one in use needs a replacement to move its transaction lines to."""
    repository = CategoryRepository(db, owner_id)
    category = await _load(repository, category_id)
    if await repository.children(category.id):
        raise Conflict(f"category {category.id} has subcategories; move or delete them first")
    if replace_with is not None:
        if replace_with == category.id:
            raise InvalidInput("replace_with", "a category cannot replace itself")
        replacement = await repository.get(replace_with)
        if replacement is None:
            raise InvalidInput("replace_with", f"category {replace_with} not found")
        if replacement.kind != category.kind:
            raise InvalidInput(
                "replace_with", f"the replacement must be an {category.kind} category"
            )
        await Journal(db, owner_id).move_category(category.id, replacement.id)
    else:
        used = await LedgerRepository(db, owner_id).lines_in_categories([category.id])
        if used:
            raise Conflict(
                f"category {category.id} is used by {used} transaction line(s); "
                "give replace_with to move them to another category"
            )
    await repository.delete(category)
    await db.commit()


async def _load(repository: CategoryRepository, category_id: int) -> Category:
    category = await repository.get(category_id)
    if category is None:
        raise NotFound("category", category_id)
    return category


async def _load_parent(repository: CategoryRepository, parent_id: int) -> Category:
    parent = await repository.get(parent_id)
    if parent is None:
        raise InvalidInput("parent_id", f"category {parent_id} not found")
    if parent.parent_id is not None:
        raise InvalidInput("parent_id", "categories nest one level deep; pick a top-level parent")
    return parent


async def _placement(
    repository: CategoryRepository, category: Category, changes: dict[str, Any]
) -> tuple[int | None, CategoryKind]:
    """Where an updated category ends up, and its kind: a child always has its parent's kind,
    so a move under a parent of the other kind must say so by changing the kind too."""
    parent_id = changes.get("parent_id", category.parent_id)
    kind = changes.get("kind", category.kind)
    if parent_id is None:
        return None, kind
    if parent_id != category.parent_id:
        if parent_id == category.id:
            raise InvalidInput("parent_id", "a category cannot be its own parent")
        if await repository.children(category.id):
            raise InvalidInput("parent_id", "a category with subcategories stays at the top level")
    parent = await _load_parent(repository, parent_id)
    if kind != parent.kind:
        field = "kind" if "kind" in changes else "parent_id"
        raise InvalidInput(field, f"a child of an {parent.kind} category is {parent.kind} too")
    return parent_id, kind


async def _require_free_name(
    repository: CategoryRepository, name: str, parent_id: int | None
) -> None:
    if await repository.find_sibling(name, parent_id) is not None:
        where = "at the top level" if parent_id is None else f"under category {parent_id}"
        raise Conflict(f"a category named {name!r} already exists {where}")
