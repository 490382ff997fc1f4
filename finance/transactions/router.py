"""JSON API for transactions: HTTP in, service call, HTTP out."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, status

from finance.auth.dependencies import ApiUser
from finance.db import SessionDep
from finance.idempotency.routes import IDEMPOTENCY_RESPONSES, IdempotentRoute, idempotency_key
from finance.schemas import RowId
from finance.transactions import service
from finance.transactions.schemas import (
    Include,
    TransactionCreate,
    TransactionPage,
    TransactionQuery,
    TransactionRead,
    TransactionUpdate,
)
from finance.transactions.shapes import describe

router = APIRouter(prefix="/transactions", tags=["transactions"], route_class=IdempotentRoute)

IncludeQuery = Annotated[
    list[Include], Query(description="`postings` to show every leg of each transaction.")
]


@router.get("")
async def list_transactions(
    request: Request,
    db: SessionDep,
    user: ApiUser,
    query: Annotated[TransactionQuery, Query()],
) -> TransactionPage:
    """Matching transactions, newest first, one page at a time."""
    settings = request.app.state.settings
    page = await service.list_transactions(
        db=db,
        owner_id=user.id,
        where=query,
        cursor=query.cursor,
        limit=min(query.limit or settings.page_size_default, settings.page_size_max),
    )
    with_postings = "postings" in query.include
    return TransactionPage(
        items=[describe(t, include_postings=with_postings) for t in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(idempotency_key)],
    responses=IDEMPOTENCY_RESPONSES,
)
async def create_transaction(
    data: Annotated[TransactionCreate, Body()],
    db: SessionDep,
    user: ApiUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """Record a simple transaction, a transfer or a split (see the request examples)."""
    transaction = await service.create_transaction(db=db, owner_id=user.id, data=data)
    return describe(transaction, include_postings="postings" in include)


@router.get("/{transaction_id}")
async def get_transaction(
    transaction_id: RowId,
    db: SessionDep,
    user: ApiUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """One transaction."""
    transaction = await service.get_transaction(
        db=db, owner_id=user.id, transaction_id=transaction_id
    )
    return describe(transaction, include_postings="postings" in include)


@router.put("/{transaction_id}")
async def replace_transaction(
    transaction_id: RowId,
    data: Annotated[TransactionCreate, Body()],
    db: SessionDep,
    user: ApiUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """Replace a transaction whole, in any of the three shapes."""
    transaction = await service.replace_transaction(
        db=db, owner_id=user.id, transaction_id=transaction_id, data=data
    )
    return describe(transaction, include_postings="postings" in include)


@router.patch("/{transaction_id}")
async def update_transaction(
    transaction_id: RowId,
    data: TransactionUpdate,
    db: SessionDep,
    user: ApiUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """Change the date, payee, memo or status."""
    transaction = await service.update_transaction(
        db=db, owner_id=user.id, transaction_id=transaction_id, data=data
    )
    return describe(transaction, include_postings="postings" in include)


@router.delete("/{transaction_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_transaction(transaction_id: RowId, db: SessionDep, user: ApiUser) -> None:
    """Delete a transaction."""
    await service.delete_transaction(db=db, owner_id=user.id, transaction_id=transaction_id)
