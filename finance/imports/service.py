"""Importing a bank file into an account, one pipeline for the page, the API and `finance
import`: the file is opened (an upload, or a file on disk), previewed (every line checked
against the ledger: new, a duplicate, or a problem; nothing is written), confirmed as one batch
in one database transaction, and undone as a whole.

The file is read a chunk at a time, twice: the check pass is the preview, and the insert pass,
confirming, reads it again to put its new lines through the ledger's journal in bulk. So memory
holds a chunk of lines, not the file's (the preview keeps the lines it is asked to show). Keys
(`keys`) recognise lines imported before; `categorise` picks each new line's category.
"""

import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.repository import AccountRepository
from finance.errors import Conflict, InvalidInput, NotFound
from finance.imports.categorise import Categorise
from finance.imports.csv_reader import SNIFF_BYTES, CsvMapping, column_problems, sniff
from finance.imports.formats import (
    FileFormat,
    MappingNeeded,
    OpenedFile,
    detect_format,
    open_file,
)
from finance.imports.keys import KeyMaker
from finance.imports.models import ImportBatch, LeftOutLine
from finance.imports.repository import ImportRepository
from finance.imports.statement import FileRefused, LineProblem, StatementLine
from finance.ledger.entries import Entry, simple_legs
from finance.ledger.journal import Journal
from finance.ledger.models import Account, TransactionStatus
from finance.money import Money, MoneyError
from finance.timestamps import utc_now

CHUNK = 5000
"""How many lines are checked, or inserted, at a time."""
PAYEE_LENGTH = 200


@dataclass(frozen=True)
class NewTransaction:
    """A checked line as the transaction it becomes: the account moves by `amount_minor`."""

    key: str
    date: date
    amount_minor: int
    payee: str
    memo: str
    category_id: int | None


@dataclass(frozen=True)
class PreviewLine:
    """A statement line as it would be imported."""

    new: NewTransaction
    line: int
    duplicate: bool


@dataclass
class Preview:
    """What confirming the file would do: how many lines are new and how many the account
    holds already, the net sum of the new ones (minor units of the account's currency), and
    the problems that stop it; with the lines themselves, as many as were asked for."""

    account: Account
    opened: OpenedFile
    lines: list[PreviewLine] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    """The problems, by line (the first ones, if fewer were asked for)."""
    new: int = 0
    duplicates: int = 0
    problem_count: int = 0
    net_minor: int = 0
    before_opening_date: int = 0
    """How many readable lines are dated before the account's opening date."""
    first_date: date | None = None
    """The date of the file's earliest readable line."""
    known: bytearray = field(default_factory=bytearray)
    """For each readable line in turn, whether the account holds it already: confirming, in the
    same database transaction, reads the file again but need not look its keys up again."""

    @property
    def line_count(self) -> int:
        """How many lines can be read: the new ones and the duplicates."""
        return self.new + self.duplicates


# Opening a file


async def open_upload(
    *,
    db: AsyncSession,
    owner_id: int,
    account_id: int,
    filename: str,
    data: bytes,
    file_format: FileFormat | None = None,
    mapping: CsvMapping | None = None,
) -> OpenedFile:
    """An uploaded file for an account, ready to preview: its format detected unless given, a
    CSV with the mapping given, else the one last confirmed for the account if it fits, else a
    guessed one. `InvalidInput` on `file` (or `mapping`) says why it cannot be read."""
    return await _open(
        db,
        owner_id,
        account_id,
        filename,
        data[: SNIFF_BYTES + 1],
        lambda: io.BytesIO(data),
        file_format,
        mapping,
    )


async def open_path(
    *,
    db: AsyncSession,
    owner_id: int,
    account_id: int,
    path: Path,
    file_format: FileFormat | None = None,
) -> OpenedFile:
    """A file on disk, as `open_upload` opens an upload; a CSV is read from disk a chunk at a
    time, never whole."""
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES + 1)
    return await _open(
        db, owner_id, account_id, path.name, head, lambda: path.open("rb"), file_format, None
    )


async def _open(
    db: AsyncSession,
    owner_id: int,
    account_id: int,
    name: str,
    head: bytes,
    open_binary: Callable[[], BinaryIO],
    file_format: FileFormat | None,
    mapping: CsvMapping | None,
) -> OpenedFile:
    await _import_account(db, owner_id, account_id)
    chosen = file_format or detect_format(name, head)
    if chosen is FileFormat.CSV and mapping is None:
        mapping = await _saved_mapping(ImportRepository(db, owner_id), account_id, head)
    try:
        return open_file(name, head, open_binary, chosen, mapping)
    except MappingNeeded as needed:
        raise InvalidInput("mapping", needed.message) from None
    except FileRefused as refused:
        raise InvalidInput("file", f"{name}: {refused}") from None


async def _saved_mapping(
    imports: ImportRepository, account_id: int, head: bytes
) -> CsvMapping | None:
    """The account's remembered mapping, if this file's header has its columns."""
    saved = await imports.saved_mapping(account_id)
    if saved is None:
        return None
    try:
        layout = sniff(head)
    except FileRefused:
        return None  # reading the file will say why
    mapping = CsvMapping.model_validate_json(saved)
    return None if column_problems(mapping, layout.header) else mapping


# The check pass and the insert pass


async def preview(
    *,
    db: AsyncSession,
    owner_id: int,
    account_id: int,
    opened: OpenedFile,
    keep_lines: int | None = None,
    keep_problems: int | None = None,
) -> Preview:
    """Every line of the file checked against the account; nothing is written. The preview
    keeps the first `keep_lines` lines and `keep_problems` problems (all of them if None)."""
    account = await _import_account(db, owner_id, account_id)
    if opened.currency and opened.currency != account.currency:
        raise InvalidInput(
            "account_id",
            f"the file is in {opened.currency} but {account.name} is in {account.currency}",
        )
    result = Preview(account, opened)
    keys, imports = KeyMaker(), ImportRepository(db, owner_id)
    categorise = await Categorise.for_owner(db, owner_id)
    for lines, amounts in _checked_chunks(opened, account, result, keep_problems):
        chunk_keys = keys.keys(lines, amounts)
        known = await imports.known_keys(account.id, chunk_keys)
        room = len(lines) if keep_lines is None else max(0, keep_lines - len(result.lines))
        await categorise.learn(db, owner_id, lines[:room])
        for index, (line, amount, key) in enumerate(zip(lines, amounts, chunk_keys, strict=True)):
            _count_date(result, line.date)
            duplicate = key in known
            result.known.append(duplicate)
            result.duplicates += duplicate
            result.new += not duplicate
            result.net_minor += 0 if duplicate else amount
            if index < room:
                new = _new_transaction(line, amount, key, categorise(line))
                result.lines.append(PreviewLine(new=new, line=line.line, duplicate=duplicate))
    if not (result.line_count or result.problem_count):
        raise InvalidInput("file", f"{opened.name}: the file holds no transactions")
    result.problems.sort(key=lambda problem: problem.line)
    return result


def _count_date(result: Preview, day: date) -> None:
    """Note a readable line's date: the file's first date, and lines before the opening."""
    opening = result.account.opening_date
    result.before_opening_date += opening is not None and day < opening
    if result.first_date is None or day < result.first_date:
        result.first_date = day


@dataclass(frozen=True)
class Consent:
    """What the person agreed to when confirming, beyond importing the new lines."""

    skip_problem_lines: bool = False
    """Leave out the lines that cannot be read (the batch records them) and import the rest."""
    move_opening_date: bool = False
    """Move the account's opening date back to the file's first date, in the same commit."""


NO_CONSENT = Consent()


async def confirm(
    *,
    db: AsyncSession,
    checked: Preview,
    consent: Consent = NO_CONSENT,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Import the new lines of a file previewed in this same database transaction, as one
    batch, all or nothing; refused while any line has a problem or is dated before the
    account's opening date, unless `consent` says what to do about them. A CSV's mapping is
    remembered for the account; `progress` hears how many transactions went in after each
    chunk. Commits."""
    account, opened = checked.account, checked.opened
    require_consent(checked, consent)
    if consent.move_opening_date and checked.first_date is not None:
        await accounts.open_account_by(db, account, checked.first_date)
    imports = ImportRepository(db, account.owner_id)
    batch = await imports.add_batch(
        ImportBatch(
            account_id=account.id,
            filename=opened.name[:255],
            file_format=opened.file_format,
            added=checked.new,
            duplicates=checked.duplicates,
            left_out=[],
        )
    )
    journal = Journal(db, account.owner_id)
    keys, categorise = KeyMaker(), await Categorise.for_owner(db, account.owner_id)
    known, left_out = iter(checked.known), Preview(account, opened)
    for lines, amounts in _checked_chunks(opened, account, left_out, None):
        chunk_keys = keys.keys(lines, amounts)
        fresh = [
            (line, amount, key)
            for line, amount, key in zip(lines, amounts, chunk_keys, strict=True)
            if not next(known)
        ]
        await categorise.learn(db, account.owner_id, [line for line, _amount, _key in fresh])
        entries = [_entry(account, line, amount, categorise(line)) for line, amount, _ in fresh]
        ids = await journal.record_many(entries)
        await imports.add_keys(batch, ids, [key for _line, _amount, key in fresh])
        if progress is not None:
            progress(len(entries))
    batch.left_out.extend(
        LeftOutLine(line=problem.line, reason=problem.message, text=problem.text)
        for problem in left_out.problems
    )
    if opened.mapping is not None:
        await imports.save_mapping(account.id, opened.mapping.model_dump_json())
    await db.commit()
    return batch


def require_consent(checked: Preview, consent: Consent) -> None:
    """Refuse a file with unreadable lines, or lines before the opening date, unless the
    person agreed to leave the former out and to move the opening date for the latter."""
    name, account = checked.opened.name, checked.account
    if checked.problem_count and not consent.skip_problem_lines:
        first = checked.problems[0] if checked.problems else None
        where = f", first line {first.line}: {first.message}" if first else ""
        raise InvalidInput(
            "file",
            f"{name}: {checked.problem_count} line(s) cannot be read{where}; nothing was "
            "imported (fix them, or choose to leave them out)",
        )
    if checked.before_opening_date and not consent.move_opening_date:
        raise InvalidInput(
            "move_opening_date",
            f"{name}: {checked.before_opening_date} line(s) are dated before "
            f"{account.name}'s opening date ({account.opening_date}); nothing was imported "
            f"(move the opening date back to {checked.first_date} to import them)",
        )


def _checked_chunks(
    opened: OpenedFile, account: Account, result: Preview, keep_problems: int | None
) -> Iterator[tuple[list[StatementLine], list[int]]]:
    """The file's readable lines a chunk at a time, with their amounts in minor units; the
    lines that cannot be imported are counted in `result` (the first `keep_problems` kept)."""
    try:
        lines_read = opened.lines()
        while chunk := list(itertools.islice(lines_read, CHUNK)):
            lines: list[StatementLine] = []
            amounts: list[int] = []
            problems: list[LineProblem] = []
            for item in chunk:
                checked = item if isinstance(item, LineProblem) else _amount(item, account)
                if isinstance(checked, LineProblem):
                    problems.append(checked)
                elif isinstance(item, StatementLine):
                    lines.append(item)
                    amounts.append(checked)
            result.problem_count += len(problems)
            room = len(problems) if keep_problems is None else keep_problems - len(result.problems)
            result.problems.extend(problems[: max(0, room)])
            yield lines, amounts
    except FileRefused as refused:
        raise InvalidInput("file", f"{opened.name}: {refused}") from None


def _amount(line: StatementLine, account: Account) -> int | LineProblem:
    """The line's amount in the account's minor units, or why the line does not fit the
    account."""
    if line.currency and line.currency != account.currency:
        return LineProblem(
            line.line,
            f"the amount is in {line.currency}, not in {account.currency} like the account",
        )
    try:
        return Money.parse(format(line.amount, "f"), account.currency).minor
    except MoneyError as error:
        return LineProblem(line.line, f"amount {line.amount}: {error}")


def _new_transaction(
    line: StatementLine, amount: int, key: str, category_id: int | None
) -> NewTransaction:
    return NewTransaction(
        key=key,
        date=line.date,
        amount_minor=amount,
        payee=line.payee[:PAYEE_LENGTH],
        memo=line.memo,
        category_id=category_id,
    )


def _entry(account: Account, line: StatementLine, amount: int, category_id: int | None) -> Entry:
    """An imported line as the ledger records it: cleared, since the bank has it."""
    legs = simple_legs(account, amount, category_id)
    return Entry(line.date, legs, line.payee[:PAYEE_LENGTH], line.memo, TransactionStatus.CLEARED)


# Batches


async def undo(*, db: AsyncSession, owner_id: int, batch_id: int) -> ImportBatch:
    """Delete every transaction a batch added; refused while one of them is reconciled.
    Commits."""
    imports = ImportRepository(db, owner_id)
    batch = await get_batch(db=db, owner_id=owner_id, batch_id=batch_id)
    if batch.undone_at is not None:
        raise Conflict(f"import {batch_id} has already been undone")
    if TransactionStatus.RECONCILED in await imports.batch_statuses(batch_id):
        raise Conflict(
            f"import {batch_id} holds reconciled transactions; unreconcile them to undo it"
        )
    await Journal(db, owner_id).delete_many(await imports.batch_transaction_ids(batch_id))
    batch.undone_at = utc_now()
    await db.commit()
    return batch


async def get_batch(*, db: AsyncSession, owner_id: int, batch_id: int) -> ImportBatch:
    """One of the owner's imports (`NotFound` otherwise)."""
    batch = await ImportRepository(db, owner_id).batch(batch_id)
    if batch is None:
        raise NotFound("import", batch_id)
    return batch


async def list_batches(*, db: AsyncSession, owner_id: int) -> Sequence[ImportBatch]:
    """The owner's imports, newest first."""
    return await ImportRepository(db, owner_id).batches()


async def _import_account(db: AsyncSession, owner_id: int, account_id: int) -> Account:
    """The account a file goes into: the owner's, and not archived."""
    account = await AccountRepository(db, owner_id).get(account_id)
    if account is None:
        raise NotFound("account", account_id)
    if account.archived:
        raise InvalidInput("account_id", f"{account.name} is archived; unarchive it to import")
    return account
