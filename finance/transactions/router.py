"""JSON API for transactions: HTTP in, service call, HTTP out."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, status

from finance.db import SessionDep
from finance.money import DecimalString
from finance.problems import PROBLEM_RESPONSES
from finance.transactions import service
from finance.transactions.models import TransactionStatus
from finance.transactions.repository import TransactionFilter
from finance.transactions.schemas import (
    Include,
    TransactionCreate,
    TransactionPage,
    TransactionRead,
    TransactionUpdate,
)
from finance.transactions.shapes import describe
from finance.users.dependencies import CurrentUser

router = APIRouter(prefix="/transactions", tags=["transactions"], responses=PROBLEM_RESPONSES)

IncludeQuery = Annotated[
    list[Include], Query(description="`postings` to show every leg of each transaction.")
]


def transaction_filter(
    account_id: int | None = None,
    category_id: Annotated[
        int | None, Query(description="A category; a parent matches its children too.")
    ] = None,
    date_from: Annotated[date | None, Query(description="On or after this day.")] = None,
    date_to: Annotated[date | None, Query(description="On or before this day.")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in the payee or memo, any case.")
    ] = None,
    amount_min: Annotated[
        DecimalString | None, Query(description="Signed account amount at least this.")
    ] = None,
    amount_max: Annotated[
        DecimalString | None, Query(description="Signed account amount at most this.")
    ] = None,
    status: TransactionStatus | None = None,
) -> TransactionFilter:
    """The list filters, from the query string."""
    return TransactionFilter(
        account_id=account_id,
        category_id=category_id,
        date_from=date_from,
        date_to=date_to,
        text=q,
        amount_min=amount_min,
        amount_max=amount_max,
        status=status,
    )


@router.get("")
async def list_transactions(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    where: Annotated[TransactionFilter, Depends(transaction_filter)],
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[
        int | None, Query(ge=1, description="Page size, capped by the server.")
    ] = None,
    include: IncludeQuery = [],  # noqa: B006 - FastAPI copies query defaults
) -> TransactionPage:
    """Matching transactions, newest first, one page at a time."""
    settings = request.app.state.settings
    page = await service.list_transactions(
        db=db,
        owner_id=user.id,
        where=where,
        cursor=cursor,
        limit=min(limit or settings.page_size_default, settings.page_size_max),
    )
    with_postings = "postings" in include
    return TransactionPage(
        items=[describe(t, include_postings=with_postings) for t in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_transaction(
    data: Annotated[TransactionCreate, Body()],
    db: SessionDep,
    user: CurrentUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """Record a simple transaction, a transfer or a split (see the request examples)."""
    transaction = await service.create_transaction(db=db, owner_id=user.id, data=data)
    return describe(transaction, include_postings="postings" in include)


@router.get("/{transaction_id}")
async def get_transaction(
    transaction_id: int,
    db: SessionDep,
    user: CurrentUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """One transaction."""
    transaction = await service.get_transaction(
        db=db, owner_id=user.id, transaction_id=transaction_id
    )
    return describe(transaction, include_postings="postings" in include)


@router.put("/{transaction_id}")
async def replace_transaction(
    transaction_id: int,
    data: Annotated[TransactionCreate, Body()],
    db: SessionDep,
    user: CurrentUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """Replace a transaction whole, in any of the three shapes."""
    transaction = await service.replace_transaction(
        db=db, owner_id=user.id, transaction_id=transaction_id, data=data
    )
    return describe(transaction, include_postings="postings" in include)


@router.patch("/{transaction_id}")
async def update_transaction(
    transaction_id: int,
    data: TransactionUpdate,
    db: SessionDep,
    user: CurrentUser,
    include: IncludeQuery = [],  # noqa: B006
) -> TransactionRead:
    """Change the date, payee, memo or status."""
    transaction = await service.update_transaction(
        db=db, owner_id=user.id, transaction_id=transaction_id, data=data
    )
    return describe(transaction, include_postings="postings" in include)


@router.delete("/{transaction_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_transaction(transaction_id: int, db: SessionDep, user: CurrentUser) -> None:
    """Delete a transaction."""
    await service.delete_transaction(db=db, owner_id=user.id, transaction_id=transaction_id)
