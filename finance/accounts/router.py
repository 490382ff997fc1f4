"""JSON API for accounts: HTTP in, service call, HTTP out."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from finance.accounts import service
from finance.accounts.schemas import AccountCreate, AccountRead, AccountUpdate, BalanceRead
from finance.accounts.service import AccountBalance
from finance.auth.dependencies import ApiUser
from finance.db import SessionDep
from finance.idempotency.routes import IDEMPOTENCY_RESPONSES, IdempotentRoute, idempotency_key
from finance.money import format_minor
from finance.schemas import Day, RowId

router = APIRouter(prefix="/accounts", tags=["accounts"], route_class=IdempotentRoute)


@router.get("")
async def list_accounts(
    db: SessionDep,
    user: ApiUser,
    archived: Annotated[
        bool | None, Query(description="Only archived (true) or active (false).")
    ] = None,
) -> list[AccountRead]:
    """Every account with its balance as of today and its projected balance, by name."""
    rows = await service.list_accounts(db=db, owner_id=user.id, archived=archived)
    return [_read(row) for row in rows]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(idempotency_key)],
    responses=IDEMPOTENCY_RESPONSES,
)
async def create_account(data: AccountCreate, db: SessionDep, user: ApiUser) -> AccountRead:
    """Open an account."""
    row = await service.create_account(db=db, owner_id=user.id, data=data)
    return _read(row)


@router.get("/{account_id}")
async def get_account(account_id: RowId, db: SessionDep, user: ApiUser) -> AccountRead:
    """One account with its balance as of today and its projected balance."""
    row = await service.get_account(db=db, owner_id=user.id, account_id=account_id)
    return _read(row)


@router.patch("/{account_id}")
async def update_account(
    account_id: RowId, data: AccountUpdate, db: SessionDep, user: ApiUser
) -> AccountRead:
    """Change an account's fields; archive it with `{"archived": true}`."""
    row = await service.update_account(db=db, owner_id=user.id, account_id=account_id, data=data)
    return _read(row)


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_account(account_id: RowId, db: SessionDep, user: ApiUser) -> None:
    """Delete an account without transactions (409 otherwise: archive it instead)."""
    await service.delete_account(db=db, owner_id=user.id, account_id=account_id)


@router.get("/{account_id}/balance")
async def get_balance(
    account_id: RowId,
    db: SessionDep,
    user: ApiUser,
    as_of: Annotated[
        Day | None,
        Query(description="End of this day; left out, every transaction counts, future ones too."),
    ] = None,
) -> BalanceRead:
    """The balance at the end of a day, and the part of it that has cleared."""
    result = await service.get_balance(db=db, owner_id=user.id, account_id=account_id, as_of=as_of)
    currency = result.account.currency
    return BalanceRead(
        account_id=result.account.id,
        as_of=result.as_of,
        currency=currency,
        balance=format_minor(result.balance_minor, currency),
        cleared_balance=format_minor(result.cleared_minor, currency),
    )


def _read(row: AccountBalance) -> AccountRead:
    return AccountRead.build(row.account, row.balance_minor, row.projected_minor)
