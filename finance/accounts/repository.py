"""Queries on accounts (their balances are the ledger's: `finance.ledger.repository`). Never
commits."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.ledger.models import Account
from finance.names import name_key


class AccountRepository:
    """One owner's accounts."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def list(self, *, archived: bool | None = None) -> Sequence[Account]:
        """The owner's accounts by name, optionally only archived or only active ones."""
        query = select(Account).where(Account.owner_id == self.owner_id)
        if archived is not None:
            query = query.where(Account.archived == archived)
        return (await self.session.scalars(query.order_by(Account.name_key, Account.id))).all()

    async def get(self, account_id: int) -> Account | None:
        """The owner's account with this id."""
        return await self.session.scalar(
            select(Account).where(Account.id == account_id, Account.owner_id == self.owner_id)
        )

    async def get_by_name(self, name: str) -> Account | None:
        """The owner's account with this name, ignoring case."""
        return await self.session.scalar(
            select(Account).where(
                Account.owner_id == self.owner_id, Account.name_key == name_key(name)
            )
        )

    async def add(self, account: Account) -> Account:
        """Stage a new account and give it an id."""
        account.owner_id = self.owner_id
        self.session.add(account)
        await self.session.flush()
        return account

    async def delete(self, account: Account) -> None:
        """Stage the account's removal."""
        await self.session.delete(account)
        await self.session.flush()
