"""Rules of importing: a statement previewed against the ledger (each line new, a duplicate, or a
problem), confirmed as one batch in one database transaction, and undone as a whole.

Each new line gets a category: the first of the user's rules its payee fits, else the file's own
category if the user has one by that name, else the payee's category last time.

Duplicates are recognised by a key per line, kept in `import_keys`: the bank's own id when the
file gives one (OFX FITID, camt reference), else a fingerprint of the date, the amount, the
normalised payee and how many identical lines came before it in the same file. So re-importing a
statement, or one that overlaps it, adds nothing twice, while two identical coffees on one day in
one file are two transactions.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts.models import Account
from finance.accounts.repository import AccountRepository
from finance.errors import Conflict, InvalidInput, NotFound
from finance.imports.csv_reader import CsvMapping, column_problems, sniff
from finance.imports.formats import FileFormat, MappingNeeded, ReadFile, detect_format, read_file
from finance.imports.models import ImportBatch
from finance.imports.repository import ImportRepository, NewTransaction
from finance.imports.statement import FileRefused, LineProblem, Statement, StatementLine
from finance.money import Money, MoneyError
from finance.names import name_key
from finance.rules.matching import Categoriser
from finance.rules.service import categoriser
from finance.timestamps import utc_now
from finance.transactions.models import TransactionStatus

PAYEE_LENGTH = 200


@dataclass(frozen=True)
class PreviewLine:
    """A statement line as it would be imported."""

    new: NewTransaction
    line: int
    duplicate: bool


@dataclass
class Preview:
    """What confirming would do: the lines, the duplicates it would skip, the problems that
    stop it, and the net sum of what it would add (minor units of the account's currency)."""

    account: Account
    lines: list[PreviewLine] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def to_add(self) -> list[PreviewLine]:
        """The lines that are not duplicates."""
        return [line for line in self.lines if not line.duplicate]

    @property
    def duplicates(self) -> int:
        """How many lines the ledger holds already."""
        return sum(line.duplicate for line in self.lines)

    @property
    def net_minor(self) -> int:
        """Money in minus money out, over the lines to add."""
        return sum(line.new.amount_minor for line in self.to_add)


async def preview(
    db: AsyncSession, *, owner_id: int, account_id: int, statement: Statement
) -> Preview:
    """The statement checked against the account; nothing is written."""
    account = await import_account(db, owner_id, account_id)
    if statement.currency and statement.currency != account.currency:
        raise InvalidInput(
            "file",
            f"the file is in {statement.currency} but {account.name} is in {account.currency}",
        )
    result = Preview(account=account, problems=list(statement.problems))
    amounts: list[int] = []
    readable: list[StatementLine] = []
    for line in statement.lines:
        amount = checked_amount(line, account, result.problems)
        if amount is not None:
            readable.append(line)
            amounts.append(amount)
    keys = KeyMaker().keys(readable, amounts)
    known = await ImportRepository(db, owner_id).known_keys(account.id, keys)
    categorise = await Categorise.for_lines(db, owner_id, readable)
    for line, amount, key in zip(readable, amounts, keys, strict=True):
        new = new_transaction(line, amount, key, categorise(line))
        result.lines.append(PreviewLine(new=new, line=line.line, duplicate=key in known))
    result.problems.sort(key=lambda problem: problem.line)
    return result


@dataclass(frozen=True)
class Categorise:
    """Picks a new line's category: the first rule its payee fits, else the file's category if
    the owner has one by that name, else the payee's category last time. Payee histories are
    looked up once per payee, however many chunks of a file it appears in."""

    rules: Categoriser
    by_name: dict[str, int]
    by_payee: dict[str, int]
    looked_up: set[str]

    @classmethod
    async def for_owner(cls, db: AsyncSession, owner_id: int) -> "Categorise":
        """Ready for the owner's lines (call `learn` with each chunk before asking)."""
        names = await ImportRepository(db, owner_id).category_ids_by_key()
        return cls(await categoriser(db, owner_id=owner_id), names, {}, set())

    @classmethod
    async def for_lines(
        cls, db: AsyncSession, owner_id: int, lines: Sequence[StatementLine]
    ) -> "Categorise":
        """Ready for these lines."""
        categorise = await cls.for_owner(db, owner_id)
        await categorise.learn(db, owner_id, lines)
        return categorise

    async def learn(self, db: AsyncSession, owner_id: int, lines: Sequence[StatementLine]) -> None:
        """Look up the history of the payees not seen yet."""
        payees = {line.payee.lower() for line in lines} - self.looked_up
        self.by_payee.update(await ImportRepository(db, owner_id).last_categories(payees))
        self.looked_up.update(payees)

    def __call__(self, line: StatementLine) -> int | None:
        return (
            self.rules.category_for(line.payee)
            or (self.by_name.get(name_key(line.category)) if line.category else None)
            or self.by_payee.get(line.payee.lower())
        )


def new_transaction(
    line: StatementLine, amount: int, key: str, category_id: int | None
) -> NewTransaction:
    """A checked line as the transaction it becomes."""
    return NewTransaction(
        key=key,
        date=line.date,
        amount_minor=amount,
        payee=line.payee[:PAYEE_LENGTH],
        memo=line.memo,
        category_id=category_id,
    )


async def read_upload(
    db: AsyncSession,
    *,
    owner_id: int,
    account_id: int,
    filename: str,
    data: bytes,
    file_format: FileFormat | None = None,
    mapping: CsvMapping | None = None,
) -> ReadFile:
    """Read an uploaded file for an account: its format detected unless given, a CSV with the
    mapping given, else the one last confirmed for the account if it fits, else a guessed one.
    `InvalidInput` on `file` (or `mapping`) says why a file cannot be read."""
    await import_account(db, owner_id, account_id)
    chosen = file_format or detect_format(filename, data)
    if chosen is FileFormat.CSV and mapping is None:
        mapping = await saved_mapping(ImportRepository(db, owner_id), account_id, data)
    try:
        return read_file(data, chosen, mapping)
    except MappingNeeded as needed:
        raise InvalidInput("mapping", needed.message) from None
    except FileRefused as refused:
        raise InvalidInput("file", f"{filename}: {refused}") from None


async def confirm(
    db: AsyncSession,
    *,
    owner_id: int,
    account_id: int,
    statement: Statement,
    filename: str,
    file_format: str,
    mapping: CsvMapping | None = None,
) -> ImportBatch:
    """Import the statement's new lines as one batch, all or nothing; refused while any line
    has a problem. A CSV's mapping is remembered for the account. Commits."""
    checked = await preview(db, owner_id=owner_id, account_id=account_id, statement=statement)
    return await confirm_preview(
        db, checked=checked, filename=filename, file_format=file_format, mapping=mapping
    )


async def confirm_preview(
    db: AsyncSession,
    *,
    checked: Preview,
    filename: str,
    file_format: str,
    mapping: CsvMapping | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """`confirm` for a statement previewed a moment ago in the same session; `progress` hears
    how many transactions went in as they go. Commits."""
    if checked.problems:
        first = checked.problems[0]
        raise InvalidInput(
            "file",
            f"{filename}: {len(checked.problems)} line(s) cannot be read, first line "
            f"{first.line}: {first.message}; nothing was imported",
        )
    account = checked.account
    imports = ImportRepository(db, account.owner_id)
    batch = await imports.add_batch(
        ImportBatch(
            account_id=account.id,
            filename=filename[:255],
            file_format=file_format,
            added=len(checked.to_add),
            duplicates=checked.duplicates,
        )
    )
    new = [line.new for line in checked.to_add]
    await imports.insert(batch, account.currency, new, progress)
    if mapping is not None:
        await imports.save_mapping(account.id, mapping.model_dump_json())
    await db.commit()
    return batch


async def undo(db: AsyncSession, *, owner_id: int, batch_id: int) -> ImportBatch:
    """Delete every transaction a batch added; refused while one of them is reconciled.
    Commits."""
    imports = ImportRepository(db, owner_id)
    batch = await get_batch(db, owner_id=owner_id, batch_id=batch_id)
    if batch.undone_at is not None:
        raise Conflict(f"import {batch_id} has already been undone")
    if TransactionStatus.RECONCILED in await imports.batch_statuses(batch_id):
        raise Conflict(
            f"import {batch_id} holds reconciled transactions; unreconcile them to undo it"
        )
    await imports.delete_batch_transactions(batch_id)
    batch.undone_at = utc_now()
    await db.commit()
    return batch


async def get_batch(db: AsyncSession, *, owner_id: int, batch_id: int) -> ImportBatch:
    """One of the owner's imports (`NotFound` otherwise)."""
    batch = await ImportRepository(db, owner_id).batch(batch_id)
    if batch is None:
        raise NotFound("import", batch_id)
    return batch


async def list_batches(db: AsyncSession, *, owner_id: int) -> Sequence[ImportBatch]:
    """The owner's imports, newest first."""
    return await ImportRepository(db, owner_id).batches()


class KeyMaker:
    """Each line's duplicate key: its bank reference, else a fingerprint of its date, amount
    (minor units) and payee; both count repeats within the file, so a file can be keyed a
    chunk at a time."""

    def __init__(self) -> None:
        self.fingerprints: Counter[int] = Counter()
        """Repeats by the hash of (date, amount, payee): a few dozen bytes a line."""
        self.references: Counter[str] = Counter()

    def keys(self, lines: Sequence[StatementLine], amounts: Sequence[int]) -> list[str]:
        """The keys of the next lines of the file."""
        return [self.key(line, amount) for line, amount in zip(lines, amounts, strict=True)]

    def key(self, line: StatementLine, amount: int) -> str:
        """The key of the file's next line."""
        if line.reference:
            self.references[line.reference] += 1
            again = self.references[line.reference]  # a bank that reuses an id in one file
            return f"ref:{line.reference[:250]}" + (f"|{again}" if again > 1 else "")
        day, payee = line.date.isoformat(), " ".join(name_key(line.payee).split())
        identity = hash((day, amount, payee))
        self.fingerprints[identity] += 1
        return f"fp:{day}|{amount}|{payee[:200]}|{self.fingerprints[identity]}"


def minor_units(amount: Decimal, currency: str) -> int:
    """An exact amount in the currency's minor units (`MoneyError` if it has too many
    decimals)."""
    return Money.parse(format(amount, "f"), currency).minor


async def saved_mapping(
    imports: ImportRepository, account_id: int, data: bytes
) -> CsvMapping | None:
    """The account's remembered mapping, if this file's header has its columns."""
    saved = await imports.saved_mapping(account_id)
    if saved is None:
        return None
    try:
        layout = sniff(data)
    except FileRefused:
        return None  # reading the file will say why
    mapping = CsvMapping.model_validate_json(saved)
    return None if column_problems(mapping, layout.header) else mapping


async def import_account(db: AsyncSession, owner_id: int, account_id: int) -> Account:
    account = await AccountRepository(db, owner_id).get(account_id)
    if account is None:
        raise NotFound("account", account_id)
    if account.archived:
        raise InvalidInput("account_id", f"{account.name} is archived; unarchive it to import")
    return account


def checked_amount(
    line: StatementLine, account: Account, problems: list[LineProblem]
) -> int | None:
    """The line's amount in minor units if the line fits the account; if not, its problem is
    added and the answer is None."""
    try:
        amount = minor_units(line.amount, account.currency)
    except MoneyError as error:
        problems.append(LineProblem(line.line, f"amount {line.amount}: {error}"))
        return None
    if line.date < account.opening_date:
        problems.append(
            LineProblem(
                line.line,
                f"{line.date} is before {account.name}'s opening date ({account.opening_date}); "
                "move the account's opening date back first",
            )
        )
        return None
    return amount
