"""JSON API for categories: HTTP in, service call, HTTP out."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from finance.auth.dependencies import ApiUser
from finance.categories import service
from finance.categories.schemas import CategoryCreate, CategoryRead, CategoryTree, CategoryUpdate
from finance.db import SessionDep
from finance.idempotency.routes import IDEMPOTENCY_RESPONSES, IdempotentRoute, idempotency_key
from finance.schemas import RowId

router = APIRouter(prefix="/categories", tags=["categories"], route_class=IdempotentRoute)


@router.get("")
async def list_categories(db: SessionDep, user: ApiUser) -> list[CategoryTree]:
    """The categories as a tree: top-level ones by name, each with its children."""
    return CategoryTree.build(await service.list_categories(db=db, owner_id=user.id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(idempotency_key)],
    responses=IDEMPOTENCY_RESPONSES,
)
async def create_category(data: CategoryCreate, db: SessionDep, user: ApiUser) -> CategoryRead:
    """Add a category."""
    category = await service.create_category(db=db, owner_id=user.id, data=data)
    return CategoryRead.model_validate(category)


@router.post(
    "/starter-set",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(idempotency_key)],
    responses=IDEMPOTENCY_RESPONSES,
)
async def create_starter_set(db: SessionDep, user: ApiUser) -> list[CategoryTree]:
    """Add a short, conventional set of income and expense categories to a ledger that has
    none (409 once there are categories), and answer the tree."""
    return CategoryTree.build(await service.create_starter_set(db=db, owner_id=user.id))


@router.get("/{category_id}")
async def get_category(category_id: RowId, db: SessionDep, user: ApiUser) -> CategoryRead:
    """One category."""
    category = await service.get_category(db=db, owner_id=user.id, category_id=category_id)
    return CategoryRead.model_validate(category)


@router.patch("/{category_id}")
async def update_category(
    category_id: RowId, data: CategoryUpdate, db: SessionDep, user: ApiUser
) -> CategoryRead:
    """Rename, move or change the kind of a category."""
    category = await service.update_category(
        db=db, owner_id=user.id, category_id=category_id, data=data
    )
    return CategoryRead.model_validate(category)


@router.delete("/{category_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_category(
    category_id: RowId,
    db: SessionDep,
    user: ApiUser,
    replace_with: Annotated[
        RowId | None, Query(description="Move the category's transaction lines here first.")
    ] = None,
) -> None:
    """Delete a category (409 while in use, unless `replace_with` names another)."""
    await service.delete_category(
        db=db, owner_id=user.id, category_id=category_id, replace_with=replace_with
    )
