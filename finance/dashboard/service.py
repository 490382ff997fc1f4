"""The dashboard's figures, from the other domains' services."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.service import AccountBalance
from finance.categories import service as categories
from finance.ledger.models import Category, CategoryKind, Transaction
from finance.transactions import service as transactions
from finance.transactions.schemas import TransactionFilters

LATEST = 10


@dataclass(frozen=True)
class Dashboard:
    """Net worth (as of today, and projected with future-dated transactions), balances, this
    month's income and spending up to today, the latest transactions; sums are per currency,
    since amounts in two currencies do not add up. Net worth is the sum of the signed balances:
    what is owed on a credit card or loan is negative, so it counts against the assets."""

    accounts: list[AccountBalance]
    categories: list[Category]
    net_worth: dict[str, int]
    projected_net_worth: dict[str, int]
    income: dict[str, int]
    spending: dict[str, int]
    latest: list[Transaction]
    month_start: date
    today: date


async def dashboard(*, db: AsyncSession, owner_id: int, today: date) -> Dashboard:
    """Everything the dashboard shows, for the month `today` is in, up to the end of `today`."""
    balances = await accounts.list_accounts(db=db, owner_id=owner_id, today=today)
    category_list = await categories.list_categories(db=db, owner_id=owner_id)
    month_start = today.replace(day=1)
    totals = await categories.category_totals(
        db=db, owner_id=owner_id, date_from=month_start, date_to=today
    )
    kinds = {category.id: category.kind for category in category_list}
    income: dict[str, int] = defaultdict(int)
    spending: dict[str, int] = defaultdict(int)
    for total in totals:
        kind = kinds.get(total.category_id) if total.category_id is not None else None
        if kind is CategoryKind.INCOME or (kind is None and total.minor < 0):
            income[total.currency] -= total.minor
        else:
            spending[total.currency] += total.minor
    net_worth: dict[str, int] = defaultdict(int)
    projected: dict[str, int] = defaultdict(int)
    for row in balances:
        net_worth[row.account.currency] += row.balance_minor
        projected[row.account.currency] += row.projected_minor
    page = await transactions.list_transactions(
        db=db, owner_id=owner_id, where=TransactionFilters(date_to=today), cursor=None, limit=LATEST
    )
    return Dashboard(
        balances,
        category_list,
        dict(net_worth),
        dict(projected),
        dict(income),
        dict(spending),
        page.items,
        month_start,
        today,
    )
