"""The transaction list as a file, streamed page by page: memory stays bounded whatever the
ledger's size, and each page is read in its own short transaction, so writers (SQLite's single
write lock) wait at most one page."""

from collections.abc import AsyncIterator, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts.repository import AccountRepository
from finance.categories.repository import CategoryRepository
from finance.exports.rows import ExportRow, Names, Scope, csv_header, csv_rows, json_rows, rows_of
from finance.exports.schemas import ExportFormat
from finance.ledger.models import Category
from finance.pagination import Position
from finance.transactions.repository import TransactionRepository
from finance.transactions.schemas import TransactionFilters

PAGE_SIZE = 500
MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSON: "application/json"}


def filename(file_format: ExportFormat, today: date) -> str:
    """`transactions-YYYY-MM-DD.csv` (or `.json`)."""
    return f"transactions-{today.isoformat()}.{file_format.value}"


async def export_transactions(
    *, db: AsyncSession, owner_id: int, where: TransactionFilters, file_format: ExportFormat
) -> AsyncIterator[str]:
    """The owner's matching transactions, newest first, as CSV or JSON text in chunks."""
    names, scope = await _names_and_scope(db, owner_id, where)
    pages = _pages(db, owner_id, where, names, scope)
    if file_format is ExportFormat.CSV:
        yield csv_header()
        async for rows in pages:
            yield csv_rows(rows)
        return
    yield "["
    first = True
    async for rows in pages:
        if rows:
            yield json_rows(rows, first=first)
            first = False
    yield "]\n" if first else "\n]\n"


async def _pages(
    db: AsyncSession, owner_id: int, where: TransactionFilters, names: Names, scope: Scope
) -> AsyncIterator[list[ExportRow]]:
    repository = TransactionRepository(db, owner_id)
    after: Position | None = None
    while True:
        page = await repository.page(where, after=after, limit=PAGE_SIZE)
        rows = [row for transaction in page for row in rows_of(transaction, names, scope)]
        if page:
            after = Position(page[-1].date, page[-1].id)
        await db.commit()  # ends the read: no lock or snapshot held between pages
        db.expunge_all()
        yield rows
        if len(page) < PAGE_SIZE:
            return


async def _names_and_scope(
    db: AsyncSession, owner_id: int, where: TransactionFilters
) -> tuple[Names, Scope]:
    accounts = await AccountRepository(db, owner_id).list()
    categories = await CategoryRepository(db, owner_id).list()
    names = Names(
        accounts={account.id: account.name for account in accounts},
        categories=category_paths(categories),
    )
    chosen = None
    if where.category_id is not None:
        chosen = frozenset(c.id for c in categories if where.category_id in (c.id, c.parent_id))
    return names, Scope(account_id=where.account_id, category_ids=chosen)


def category_paths(categories: Sequence[Category]) -> dict[int, str]:
    """Each category's name as `Parent:Child`."""
    by_id = {c.id: c for c in categories}
    return {
        c.id: f"{by_id[c.parent_id].name}:{c.name}" if c.parent_id in by_id else c.name
        for c in by_id.values()
    }
