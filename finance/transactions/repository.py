"""Queries on transactions and postings, which only `finance.ledger.journal` writes. Never
commits."""

import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from finance.ledger.models import Account, Category, Posting, Transaction
from finance.money import AMOUNT_PATTERN, Money, MoneyError, minor_bound
from finance.pagination import Position
from finance.transactions.schemas import TransactionFilters


class TransactionRepository:
    """One owner's transactions."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def get(self, transaction_id: int) -> Transaction | None:
        """The owner's transaction with this id, postings loaded."""
        return await self.session.scalar(
            select(Transaction).where(
                Transaction.id == transaction_id, Transaction.owner_id == self.owner_id
            )
        )

    async def page(
        self, where: TransactionFilters, *, after: Position | None, limit: int
    ) -> Sequence[Transaction]:
        """Up to `limit` matching transactions, newest first, strictly after `after`."""
        query = select(Transaction).where(Transaction.owner_id == self.owner_id)
        query = await self._filtered(query, where)
        if after is not None:
            query = query.where(
                tuple_(Transaction.date, Transaction.id) < tuple_(after.date, after.id)
            )
        query = query.order_by(Transaction.date.desc(), Transaction.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()

    async def payees(self, *, limit: int) -> Sequence[str]:
        """The distinct payees of the owner's transactions, most recently used first."""
        query = (
            select(Transaction.payee)
            .where(Transaction.owner_id == self.owner_id, Transaction.payee != "")
            .group_by(Transaction.payee)
            .order_by(func.max(Transaction.date).desc(), Transaction.payee)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def last_category_for_payee(self, payee: str) -> int | None:
        """The category of the newest transaction line with this payee (any case) that has one."""
        query = (
            select(Posting.category_id)
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .where(
                Transaction.owner_id == self.owner_id,
                func.lower(Transaction.payee) == func.lower(payee),
                Posting.category_id.is_not(None),
            )
            .order_by(Transaction.date.desc(), Transaction.id.desc(), Posting.id)
            .limit(1)
        )
        return await self.session.scalar(query)

    async def _filtered(
        self, query: Select[Transaction], where: TransactionFilters
    ) -> Select[Transaction]:
        query = query.where(*self._header_conditions(where))
        if where.q:
            query = query.where(await self._text_or_amount(where.q))
        if where.category_id is not None:
            categories = self._category_and_children(where.category_id)
            query = query.where(self._has_posting(Posting.category_id.in_(categories)))
        account_leg = await self._account_leg_conditions(where)
        if account_leg:
            query = query.where(self._has_posting(Posting.account_id.is_not(None), *account_leg))
        return query

    @staticmethod
    def _header_conditions(where: TransactionFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if where.date_from is not None:
            conditions.append(Transaction.date >= where.date_from)
        if where.date_to is not None:
            conditions.append(Transaction.date <= where.date_to)
        if where.status is not None:
            conditions.append(Transaction.status == where.status)
        return conditions

    async def _text_or_amount(self, text: str) -> ColumnElement[bool]:
        """The text in the payee or memo, any case; or, if it is an amount ("54.23"), an
        account moving by exactly that much, in or out ("-54.23": only out, "+54.23": in)."""
        matches = [
            Transaction.payee.icontains(text, autoescape=True),
            Transaction.memo.icontains(text, autoescape=True),
        ]
        if re.fullmatch(AMOUNT_PATTERN, text):
            account_leg = Posting.account_id.is_not(None)
            matches.append(self._has_posting(account_leg, await self._amount_is(text)))
        return or_(*matches)

    async def _amount_is(self, amount: str) -> ColumnElement[bool]:
        """A posting of this amount in any of the owner's currencies that can hold it exactly;
        either sign unless one is given."""
        signs = {"-": (-1,), "+": (1,)}.get(amount[0], (-1, 1))
        per_currency = []
        for currency in await self._currencies():
            try:
                minor = Money.parse(amount.lstrip("+-"), currency).minor
            except MoneyError:  # more decimal places than the currency has: no such amount
                continue
            amounts = [sign * minor for sign in signs]
            per_currency.append(
                and_(Posting.currency == currency, Posting.amount_minor.in_(amounts))
            )
        return or_(false(), *per_currency)

    async def _currencies(self) -> Sequence[str]:
        """The currencies of the owner's accounts."""
        query = select(Account.currency).where(Account.owner_id == self.owner_id).distinct()
        return (await self.session.scalars(query)).all()

    async def _account_leg_conditions(self, where: TransactionFilters) -> list[ColumnElement[bool]]:
        """What one account posting of a matching transaction must satisfy (none: no filter)."""
        conditions: list[ColumnElement[bool]] = []
        if where.account_id is not None:
            conditions.append(Posting.account_id == where.account_id)
        if where.amount_min is not None or where.amount_max is not None:
            conditions.append(await self._amount_in_range(where.amount_min, where.amount_max))
        return conditions

    @staticmethod
    def _has_posting(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(Posting.transaction_id == Transaction.id, *conditions)

    def _category_and_children(self, category_id: int) -> Select[int]:
        return select(Category.id).where(
            Category.owner_id == self.owner_id,
            or_(Category.id == category_id, Category.parent_id == category_id),
        )

    async def _amount_in_range(self, low: str | None, high: str | None) -> ColumnElement[bool]:
        """A posting's amount within [low, high], each bound read in the posting's currency."""
        per_currency = []
        for currency in await self._currencies():
            bounds: list[ColumnElement[bool]] = [Posting.currency == currency]
            if low is not None:
                bounds.append(Posting.amount_minor >= minor_bound(low, currency, upward=True))
            if high is not None:
                bounds.append(Posting.amount_minor <= minor_bound(high, currency, upward=False))
            per_currency.append(and_(*bounds))
        return or_(*per_currency) if per_currency else false()
