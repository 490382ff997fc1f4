"""A whole user as one JSON file, and back: `finance export` and `finance import-backup`.

The format, version 1, is one JSON object; each list holds one object per line, in this order:

    {"format": "finance-backup", "version": 1,
    "user": {"email", "display_name", "created_at"},
    "accounts": [{"ref", "name", "type", "currency", "opening_balance", "opening_date" (or null),
                  "archived", "note", "created_at",
                  "demo" (only when true: added by the demo data, and removed with it)}],
    "categories": [{"ref", "parent" (a ref or null), "kind", "name", "created_at",
                    "demo" (only when true)}],
    "category_rules": [{"match", "pattern", "category" (a ref), "created_at"}],
    "import_batches": [{"ref", "account", "filename", "file_format", "added", "duplicates",
                        "created_at", "undone_at",
                        "left_out": [{"line", "reason", "text"}] (lines the import left out)}],
    "csv_mappings": [{"account", "mapping" (the stored JSON text)}],
    "transactions": [{"date", "payee", "memo", "status", "created_at", "updated_at",
                      "postings": [{"account", "category", "amount", "currency", "memo",
                                    "conversion" (only when true: one side of an exchange)}],
                      "import_keys": [{"account", "key", "batch"}]}]}

Accounts, categories and import batches are named by `ref`, numbered from 1 in the order their
rows were created (top-level categories first), never by database id; rows come in that order,
transactions by creation and postings as entered; money is an exact decimal string in its
currency; timestamps are ISO 8601 in UTC, kept as they were. Passwords, sessions and access
tokens are not written. Loading a file and writing it again therefore gives the same bytes.
"""

import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth.schemas import normalise_email
from finance.errors import Conflict, InvalidInput, NotFound
from finance.exports.repository import BackupRepository
from finance.exports.schemas import (
    BACKUP_FORMAT,
    BACKUP_VERSION,
    Backup,
    BackupCategory,
    BackupTransaction,
)
from finance.imports.models import CsvMappingRecord, ImportBatch, ImportKey, LeftOutLine
from finance.ledger.entries import Entry, Leg
from finance.ledger.journal import Journal
from finance.ledger.models import Account, Category, Posting, Transaction
from finance.money import format_minor, to_minor
from finance.rules.models import CategoryRule
from finance.users.models import User
from finance.users.repository import UserRepository

CHUNK = 1000
LEFT_OUT = {
    "browser_sessions": "logins belong to the server they were made on; log in again",
    "access_tokens": "secrets, which a backup must not carry; make new tokens",
    "login_failures": "throttling state, forgotten after fifteen minutes anyway",
    "account_totals": "sums of the postings, which the journal keeps as the backup loads",
    "account_months": "sums of the postings, as above",
    "category_months": "sums of the postings, as above",
    "import_joins": "how to part a transfer an import joined; a backup's batches are history",
    "idempotency_keys": "answers kept a day for a script's retries; a restored ledger is new",
}
"""The tables a backup leaves out on purpose, and why. Every other table is in it: a test fails
the moment a table is neither (`tests/exports/test_backup.py`), so no new table can be left out
of every backup unnoticed."""


@dataclass
class Refs:
    """Database id to file ref (when writing), or file ref to database id (when loading)."""

    accounts: dict[int, int] = field(default_factory=dict)
    categories: dict[int, int] = field(default_factory=dict)
    batches: dict[int, int] = field(default_factory=dict)


def stamp(value: datetime | None) -> str | None:
    """A timestamp as ISO 8601 in UTC."""
    return None if value is None else value.astimezone(UTC).isoformat()


def _day(value: date | None) -> str | None:
    """A day as ISO 8601, or None."""
    return None if value is None else value.isoformat()


def _line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


# Writing


async def write_backup(*, db: AsyncSession, email: str, write: Callable[[str], object]) -> int:
    """Write the user's backup through `write`, a piece at a time; the number of transactions."""
    user = await UserRepository(db).get_by_email(normalise_email(email))
    if user is None:
        raise NotFound("user", email)
    repository = BackupRepository(db, user.id)
    refs = Refs()
    write(f'{{"format": "{BACKUP_FORMAT}", "version": {BACKUP_VERSION},\n')
    write(f'"user": {_line(_user(user))},\n')
    sections: list[tuple[str, Sequence[dict[str, Any]]]] = [
        ("accounts", _accounts(await repository.accounts(), refs)),
        ("categories", _categories(await repository.categories(), refs)),
        ("category_rules", _rules(await repository.category_rules(), refs)),
        ("import_batches", _batches(await repository.import_batches(), refs)),
        ("csv_mappings", _mappings(await repository.csv_mappings(), refs)),
    ]
    for name, items in sections:
        write(f'"{name}": [' + ",".join("\n" + _line(item) for item in items) + "\n],\n")
    write('"transactions": [')
    count = 0
    async for transactions in _transaction_chunks(repository, refs):
        write(
            "".join(
                ("\n" if count + i == 0 else ",\n") + _line(t) for i, t in enumerate(transactions)
            )
        )
        count += len(transactions)
    write("\n]}\n")
    return count


def _user(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "created_at": stamp(user.created_at),
    }


def _accounts(accounts: Sequence[Account], refs: Refs) -> list[dict[str, Any]]:
    refs.accounts.update({account.id: ref for ref, account in enumerate(accounts, 1)})
    return [
        {
            "ref": refs.accounts[account.id],
            "name": account.name,
            "type": account.type.value,
            "currency": account.currency,
            "opening_balance": format_minor(account.opening_balance_minor, account.currency),
            "opening_date": _day(account.opening_date),
            "archived": account.archived,
            "note": account.note,
            "created_at": stamp(account.created_at),
            **({"demo": True} if account.demo else {}),
        }
        for account in accounts
    ]


def _categories(categories: Sequence[Category], refs: Refs) -> list[dict[str, Any]]:
    refs.categories.update({category.id: ref for ref, category in enumerate(categories, 1)})
    return [
        {
            "ref": refs.categories[category.id],
            "parent": None if category.parent_id is None else refs.categories[category.parent_id],
            "kind": category.kind.value,
            "name": category.name,
            "created_at": stamp(category.created_at),
            **({"demo": True} if category.demo else {}),
        }
        for category in categories
    ]


def _rules(rules: Sequence[CategoryRule], refs: Refs) -> list[dict[str, Any]]:
    return [
        {
            "match": rule.match.value,
            "pattern": rule.pattern,
            "category": refs.categories[rule.category_id],
            "created_at": stamp(rule.created_at),
        }
        for rule in rules
    ]


def _batches(batches: Sequence[ImportBatch], refs: Refs) -> list[dict[str, Any]]:
    refs.batches.update({batch.id: ref for ref, batch in enumerate(batches, 1)})
    return [
        {
            "ref": refs.batches[batch.id],
            "account": refs.accounts[batch.account_id],
            "filename": batch.filename,
            "file_format": batch.file_format,
            "added": batch.added,
            "duplicates": batch.duplicates,
            "created_at": stamp(batch.created_at),
            "undone_at": stamp(batch.undone_at),
            "left_out": [
                {"line": left.line, "reason": left.reason, "text": left.text}
                for left in batch.left_out
            ],
        }
        for batch in batches
    ]


def _mappings(mappings: Sequence[CsvMappingRecord], refs: Refs) -> list[dict[str, Any]]:
    rows = [{"account": refs.accounts[m.account_id], "mapping": m.mapping} for m in mappings]
    return sorted(rows, key=lambda row: row["account"])


async def _transaction_chunks(
    repository: BackupRepository, refs: Refs
) -> AsyncIterator[list[dict[str, Any]]]:
    """The transactions by id, a chunk at a time, each with its postings and import keys."""
    last_id = 0
    while chunk := await repository.transactions_after(last_id, limit=CHUNK):
        keys: dict[int, list[ImportKey]] = {}
        for key in await repository.import_keys([t.id for t in chunk]):
            keys.setdefault(key.transaction_id, []).append(key)
        yield [_transaction(t, keys.get(t.id, []), refs) for t in chunk]
        last_id = chunk[-1].id
        repository.session.expunge_all()


def _transaction(transaction: Transaction, keys: list[ImportKey], refs: Refs) -> dict[str, Any]:
    imported = [
        {
            "account": refs.accounts[key.account_id],
            "key": key.key,
            "batch": refs.batches[key.batch_id],
        }
        for key in keys
    ]
    return {
        "date": transaction.date.isoformat(),
        "payee": transaction.payee,
        "memo": transaction.memo,
        "status": transaction.status.value,
        "created_at": stamp(transaction.created_at),
        "updated_at": stamp(transaction.updated_at),
        "postings": [_posting(posting, refs) for posting in transaction.postings],
        "import_keys": sorted(imported, key=lambda k: (k["account"], k["key"])),
    }


def _posting(posting: Posting, refs: Refs) -> dict[str, Any]:
    return {
        "account": None if posting.account_id is None else refs.accounts[posting.account_id],
        "category": None if posting.category_id is None else refs.categories[posting.category_id],
        "amount": format_minor(posting.amount_minor, posting.currency),
        "currency": posting.currency,
        "memo": posting.memo,
        **({"conversion": True} if posting.conversion else {}),
    }


# Loading


def read_backup(data: object) -> Backup:
    """The backup in `data` (parsed JSON); `InvalidInput` for another format or version, or a
    file that does not hold what this version writes."""
    kind = data.get("format") if isinstance(data, dict) else None
    version = data.get("version") if isinstance(data, dict) else None
    if kind != BACKUP_FORMAT or version != BACKUP_VERSION:
        raise InvalidInput(
            "file",
            f"not a {BACKUP_FORMAT} version {BACKUP_VERSION} file "
            f"(format {kind!r}, version {version!r})",
        )
    try:
        return Backup.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput("file", f"{where}: {first['msg']}") from None


async def load_backup(*, db: AsyncSession, backup: Backup, email: str | None = None) -> User:
    """Load the backup for `email` (default: the file's user), created without a password if
    absent, in one transaction; `Conflict` if that user already has data."""
    user = await _empty_user(db, backup, normalise_email(email or backup.user.email))
    repository = BackupRepository(db, user.id)
    refs = Refs()
    await _load_accounts(repository, backup, refs)
    await _load_categories(repository, backup.categories, refs)
    await repository.add_all(
        [
            CategoryRule(
                owner_id=user.id,
                match=rule.match,
                pattern=rule.pattern,
                category_id=_ref(refs.categories, rule.category, "category"),
                created_at=rule.created_at,
            )
            for rule in backup.category_rules
        ]
    )
    await _load_batches(repository, backup, refs)
    journal = Journal(db, user.id)
    for start in range(0, len(backup.transactions), CHUNK):
        chunk = backup.transactions[start : start + CHUNK]
        await _load_transactions(repository, journal, chunk, refs)
    await db.commit()
    return user


async def _empty_user(db: AsyncSession, backup: Backup, email: str) -> User:
    users = UserRepository(db)
    user = await users.get_by_email(email)
    if user is None:
        return await users.add(
            User(
                email=email,
                display_name=backup.user.display_name,
                created_at=backup.user.created_at,
            )
        )
    if await BackupRepository(db, user.id).has_data():
        raise Conflict(f"{email} already has data; load a backup only into an empty ledger")
    return user


def _ref(ids: Mapping[int, int], ref: int, what: str) -> int:
    if ref not in ids:
        raise InvalidInput("file", f"no {what} with ref {ref} (before its first use)")
    return ids[ref]


async def _load_accounts(repository: BackupRepository, backup: Backup, refs: Refs) -> None:
    accounts = [
        Account(
            owner_id=repository.owner_id,
            name=item.name,
            type=item.type,
            currency=item.currency,
            opening_balance_minor=to_minor(
                f"accounts.{index}.opening_balance", item.opening_balance, item.currency
            ),
            opening_date=item.opening_date,
            archived=item.archived,
            note=item.note,
            created_at=item.created_at,
            demo=item.demo,
        )
        for index, item in enumerate(backup.accounts)
    ]
    await repository.add_all(accounts)
    refs.accounts.update(
        {item.ref: row.id for item, row in zip(backup.accounts, accounts, strict=True)}
    )


async def _load_categories(
    repository: BackupRepository, items: list[BackupCategory], refs: Refs
) -> None:
    """Parents first: a child's parent must come before it in the file."""
    for item in items:
        category = Category(
            owner_id=repository.owner_id,
            parent_id=None
            if item.parent is None
            else _ref(refs.categories, item.parent, "category"),
            kind=item.kind,
            name=item.name,
            created_at=item.created_at,
            demo=item.demo,
        )
        await repository.add_all([category])
        refs.categories[item.ref] = category.id


async def _load_batches(repository: BackupRepository, backup: Backup, refs: Refs) -> None:
    batches = [
        ImportBatch(
            owner_id=repository.owner_id,
            account_id=_ref(refs.accounts, item.account, "account"),
            filename=item.filename,
            file_format=item.file_format,
            added=item.added,
            duplicates=item.duplicates,
            created_at=item.created_at,
            undone_at=item.undone_at,
            left_out=[LeftOutLine(**left.model_dump()) for left in item.left_out],
        )
        for item in backup.import_batches
    ]
    await repository.add_all(batches)
    refs.batches.update(
        {item.ref: row.id for item, row in zip(backup.import_batches, batches, strict=True)}
    )
    await repository.add_all(
        [
            CsvMappingRecord(
                account_id=_ref(refs.accounts, item.account, "account"), mapping=item.mapping
            )
            for item in backup.csv_mappings
        ]
    )


async def _load_transactions(
    repository: BackupRepository,
    journal: Journal,
    items: Sequence[BackupTransaction],
    refs: Refs,
) -> None:
    """Through the journal, which refuses a transaction that does not balance."""
    ids = await journal.record_many([_entry(item, refs) for item in items])
    await repository.add_all(
        [
            ImportKey(
                account_id=_ref(refs.accounts, key.account, "account"),
                key=key.key,
                transaction_id=transaction_id,
                batch_id=_ref(refs.batches, key.batch, "import batch"),
            )
            for item, transaction_id in zip(items, ids, strict=True)
            for key in item.import_keys
        ]
    )
    repository.session.expunge_all()


def _entry(item: BackupTransaction, refs: Refs) -> Entry:
    return Entry(
        date=item.date,
        payee=item.payee,
        memo=item.memo,
        status=item.status,
        created_at=item.created_at,
        updated_at=item.updated_at,
        legs=[
            Leg(
                account_id=None if p.account is None else _ref(refs.accounts, p.account, "account"),
                category_id=None
                if p.category is None
                else _ref(refs.categories, p.category, "category"),
                amount_minor=to_minor("postings.amount", p.amount, p.currency),
                currency=p.currency,
                memo=p.memo,
                conversion=p.conversion,
            )
            for p in item.postings
        ],
    )
