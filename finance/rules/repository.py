"""Queries on rules, and on the transaction lines rules may categorise. Never commits."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.ledger.models import Posting, Transaction, category_line
from finance.rules.models import CategoryRule


class RuleRepository:
    """One owner's rules."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def list(self) -> Sequence[CategoryRule]:
        """The rules, oldest first (the order they are tried in)."""
        return (
            await self.session.scalars(
                select(CategoryRule)
                .where(CategoryRule.owner_id == self.owner_id)
                .order_by(CategoryRule.id)
            )
        ).all()

    async def get(self, rule_id: int) -> CategoryRule | None:
        """One of the owner's rules."""
        return await self.session.scalar(
            select(CategoryRule).where(
                CategoryRule.owner_id == self.owner_id, CategoryRule.id == rule_id
            )
        )

    async def add(self, rule: CategoryRule) -> CategoryRule:
        """Stage a rule and give it an id."""
        rule.owner_id = self.owner_id
        self.session.add(rule)
        await self.session.flush()
        return rule

    async def delete(self, rule: CategoryRule) -> None:
        """Delete a rule."""
        await self.session.delete(rule)

    async def categorisable_lines(
        self, *, overwrite: bool
    ) -> Sequence[tuple[int, str, int | None]]:
        """(posting id, payee, category id) of every simple transaction's category line: the
        transactions with exactly one line off the accounts (not splits, not transfers);
        only uncategorised ones unless `overwrite`."""
        simple = (
            select(Posting.transaction_id)
            .where(category_line())
            .group_by(Posting.transaction_id)
            .having(func.count() == 1)
        )
        query = (
            select(Posting.id, Transaction.payee, Posting.category_id)
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .where(
                Transaction.owner_id == self.owner_id,
                category_line(),
                Posting.transaction_id.in_(simple),
            )
        )
        if not overwrite:
            query = query.where(Posting.category_id.is_(None))
        rows = await self.session.execute(query)
        return [(posting_id, payee, category_id) for posting_id, payee, category_id in rows]
