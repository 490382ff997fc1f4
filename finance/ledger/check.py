"""Whole-database checks of the ledger's invariants, across every owner (`finance db check`).

The journal keeps these rules on every write; this module finds rows that break them anyway
(edits made by hand in SQL, a bug), each check one query, and recomputes every maintained total
from the postings to compare it with the stored one.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from finance.ledger.models import Account, Category, Posting, Transaction
from finance.ledger.totals import TotalMismatch, mismatches, recomputed, stored
from finance.users.models import User


@dataclass(frozen=True)
class Problem:
    """One transaction that breaks a rule, and which rule."""

    transaction_id: int
    owner_id: int
    message: str


@dataclass(frozen=True)
class LedgerReport:
    """What `check_ledger` looked at and what it found wrong."""

    users: int
    accounts: int
    transactions: int
    postings: int
    problems: Sequence[Problem] = field(default_factory=list)
    totals: Sequence[TotalMismatch] = field(default_factory=list)
    """Maintained totals that differ from the sums of their postings."""

    @property
    def ok(self) -> bool:
        """True when no rule is broken and every total is right."""
        return not self.problems and not self.totals


async def check_ledger(db: AsyncSession) -> LedgerReport:
    """Check every transaction and every total of every owner; read-only."""
    problems = [
        *await unbalanced_transactions(db),
        *await short_transactions(db),
        *await mismatched_currencies(db),
        *await foreign_references(db),
    ]
    problems.sort(key=lambda problem: (problem.transaction_id, problem.message))
    return LedgerReport(
        users=await _count(db, User),
        accounts=await _count(db, Account),
        transactions=await _count(db, Transaction),
        postings=await _count(db, Posting),
        problems=problems,
        totals=mismatches(await stored(db), await recomputed(db)),
    )


async def unbalanced_transactions(db: AsyncSession) -> list[Problem]:
    """Transactions whose postings do not sum to zero in some currency."""
    query = (
        select(
            Transaction.id,
            Transaction.owner_id,
            Posting.currency,
            func.sum(Posting.amount_minor),
        )
        .join(Posting, Posting.transaction_id == Transaction.id)
        .group_by(Transaction.id, Transaction.owner_id, Posting.currency)
        .having(func.sum(Posting.amount_minor) != 0)
        .order_by(Transaction.id, Posting.currency)
    )
    rows = (await db.execute(query)).all()
    return [
        Problem(transaction_id, owner_id, f"postings in {currency} sum to {total} minor units")
        for transaction_id, owner_id, currency, total in rows
    ]


async def short_transactions(db: AsyncSession) -> list[Problem]:
    """Transactions with fewer than two postings: nothing moves from anywhere to anywhere."""
    count = func.count(Posting.id)
    query = (
        select(Transaction.id, Transaction.owner_id, count)
        .outerjoin(Posting, Posting.transaction_id == Transaction.id)
        .group_by(Transaction.id, Transaction.owner_id)
        .having(count < 2)
        .order_by(Transaction.id)
    )
    rows = (await db.execute(query)).all()
    return [
        Problem(transaction_id, owner_id, f"has {postings} posting(s); a transaction needs two")
        for transaction_id, owner_id, postings in rows
    ]


async def mismatched_currencies(db: AsyncSession) -> list[Problem]:
    """Postings in another currency than the account they move."""
    query = (
        select(Transaction.id, Transaction.owner_id, Posting.currency, Account.id, Account.currency)
        .join(Posting, Posting.transaction_id == Transaction.id)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.currency != Account.currency)
        .order_by(Transaction.id, Posting.id)
    )
    rows = (await db.execute(query)).all()
    return [
        Problem(
            transaction_id,
            owner_id,
            f"posts {currency} to account {account_id}, which holds {account_currency}",
        )
        for transaction_id, owner_id, currency, account_id, account_currency in rows
    ]


async def foreign_references(db: AsyncSession) -> list[Problem]:
    """Postings that name another owner's account or category."""
    account, category = aliased(Account), aliased(Category)
    query = (
        select(Transaction.id, Transaction.owner_id, account.id, category.id)
        .join(Posting, Posting.transaction_id == Transaction.id)
        .outerjoin(account, account.id == Posting.account_id)
        .outerjoin(category, category.id == Posting.category_id)
        .where(
            (account.owner_id != Transaction.owner_id) | (category.owner_id != Transaction.owner_id)
        )
        .order_by(Transaction.id, Posting.id)
    )
    rows = (await db.execute(query)).all()
    return [
        Problem(
            transaction_id,
            owner_id,
            f"uses account {account_id} of another owner"
            if account_id is not None
            else f"uses category {category_id} of another owner",
        )
        for transaction_id, owner_id, account_id, category_id in rows
    ]


async def _count(db: AsyncSession, model: type[User | Account | Transaction | Posting]) -> int:
    return (await db.scalar(select(func.count()).select_from(model))) or 0
