"""Importing a bank file into an account, one pipeline for the page, the API and `finance
import`: the file is opened (an upload, or a file on disk), previewed (every line checked
against the ledger: new, a duplicate, or a problem; nothing is written), confirmed as one batch
in one database transaction, and undone as a whole.

The file is read a chunk at a time, twice: the check pass is the preview, and the insert pass,
confirming, reads it again to put its new lines through the ledger's journal in bulk. So memory
holds a chunk of lines, not the file's (the preview keeps the lines it is asked to show). Keys
(`keys`) recognise lines imported before; `categorise` picks each new line's category.
"""

import asyncio
import io
import itertools
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
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
from finance.imports.matching import Match, Matcher, MatchKind
from finance.imports.models import ImportBatch, ImportJoin, LeftOutLine
from finance.imports.repository import ImportRepository, TransferSide
from finance.imports.statement import FileRefused, LineProblem, StatementLine
from finance.ledger.entries import Entry, Leg, simple_legs
from finance.ledger.journal import Journal
from finance.ledger.models import Account, TransactionStatus
from finance.money import Money, MoneyError
from finance.timestamps import utc_now

CHUNK = 1000
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
    """A statement line as it would be imported; `match` says what the ledger holds of it
    already, if its key does not (a transaction it probably duplicates, a transfer's other
    side)."""

    new: NewTransaction
    line: int
    duplicate: bool
    match: Match | None = None


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
    probably_imported: int = 0
    """Lines the account probably holds already (not by their key): skipped unless chosen."""
    transfers: int = 0
    """New lines that become transfers with another account (counted in `new` too)."""
    before_opening_date: int = 0
    """How many readable lines are dated before the account's opening date."""
    first_date: date | None = None
    """The date of the file's earliest readable line."""
    known: bytearray = field(default_factory=bytearray)
    """For each readable line in turn, whether the account holds it already: confirming, in the
    same database transaction, reads the file again but need not look its keys up again."""
    matches: dict[int, Match] = field(default_factory=dict)
    """Every line's match, by line number, for confirming."""

    @property
    def line_count(self) -> int:
        """How many lines can be read: the new ones and the duplicates, sure or probable."""
        return self.new + self.duplicates + self.probably_imported

    def count(self, line_number: int, amount: int, duplicate: bool) -> None:
        """Count one readable line as new, a duplicate, or probably imported."""
        self.known.append(duplicate)
        match = self.matches.get(line_number)
        if duplicate:
            self.duplicates += 1
        elif match is not None and match.kind is MatchKind.PROBABLY_IMPORTED:
            self.probably_imported += 1
        else:
            self.new += 1
            self.net_minor += amount
            self.transfers += match is not None


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


async def open_spooled_upload(
    *,
    db: AsyncSession,
    owner_id: int,
    account_id: int,
    filename: str,
    file: BinaryIO,
    file_format: FileFormat | None = None,
    mapping: CsvMapping | None = None,
) -> OpenedFile:
    """An upload as `open_upload` opens one, read from the file it was received into (on disk
    past its first megabyte) each time from the start, a chunk at a time, never whole."""
    file.seek(0)
    head = file.read(SNIFF_BYTES + 1)

    @contextmanager
    def from_start() -> Iterator[BinaryIO]:
        file.seek(0)
        yield file

    return await _open(db, owner_id, account_id, filename, head, from_start, file_format, mapping)


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
    open_binary: Callable[[], AbstractContextManager[BinaryIO]],
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
    keep_lines: range | None = None,
    keep_problems: int | None = None,
) -> Preview:
    """Every line of the file checked against the account; nothing is written. The preview
    keeps the readable lines whose positions (from 0) are in `keep_lines`, and the first
    `keep_problems` problems (all of either if None)."""
    account = await _import_account(db, owner_id, account_id)
    if opened.currency and opened.currency != account.currency:
        raise InvalidInput(
            "account_id",
            f"the file is in {opened.currency} but {account.name} is in {account.currency}",
        )
    result = Preview(account, opened)
    keys, imports = KeyMaker(), ImportRepository(db, owner_id)
    matcher = Matcher(imports, account, await _other_accounts(db, owner_id, account))
    categorise = await Categorise.for_owner(db, owner_id)
    chunks = _checked_chunks(opened, account, keys, result, keep_problems)
    position = 0
    async for lines, amounts, chunk_keys in chunks:
        known = await imports.known_keys(account.id, chunk_keys)
        result.matches.update(await matcher.match(lines, amounts, chunk_keys, known))
        kept = range(len(lines)) if keep_lines is None else _overlap(keep_lines, position, lines)
        await categorise.learn(db, owner_id, lines[kept.start : kept.stop])
        for index, (line, amount, key) in enumerate(zip(lines, amounts, chunk_keys, strict=True)):
            _count_date(result, line.date)
            duplicate = key in known
            result.count(line.line, amount, duplicate)
            if index in kept:
                new = _new_transaction(line, amount, key, categorise(line))
                match = result.matches.get(line.line)
                result.lines.append(PreviewLine(new, line.line, duplicate, match))
        position += len(lines)
    if not (result.line_count or result.problem_count):
        raise InvalidInput("file", f"{opened.name}: the file holds no transactions")
    result.problems.sort(key=lambda problem: problem.line)
    return result


def _overlap(keep: range, position: int, lines: Sequence[StatementLine]) -> range:
    """The indexes in a chunk of `lines`, starting at `position` in the file, that `keep`
    names."""
    start = min(max(keep.start - position, 0), len(lines))
    return range(start, max(start, min(keep.stop - position, len(lines))))


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
    import_anyway: frozenset[int] = frozenset()
    """Lines probably imported already (by number) to import all the same."""
    keep_separate: frozenset[int] = frozenset()
    """Lines matched as a transfer's side (by number) to import as lines of their own."""


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
    account's opening date, unless `consent` says what to do about them. Lines probably
    imported already are skipped, but those `consent.import_anyway` names; a line whose
    transfer's other side is in another account joins it (one transaction), but those
    `consent.keep_separate` names. A CSV's mapping is remembered for the account; `progress`
    hears how many transactions went in after each chunk. Commits."""
    account, opened = checked.account, checked.opened
    require_consent(checked, consent)
    choices = Choices(checked, consent.import_anyway, consent.keep_separate)
    if consent.move_opening_date and checked.first_date is not None:
        await accounts.open_account_by(db, account, checked.first_date)
    imports = ImportRepository(db, account.owner_id)
    batch = await imports.add_batch(
        ImportBatch(
            account_id=account.id,
            filename=opened.name[:255],
            file_format=opened.file_format,
            added=0,
            duplicates=0,
            left_out=[],
        )
    )
    journal = Journal(db, account.owner_id)
    keys, categorise = KeyMaker(), await Categorise.for_owner(db, account.owner_id)
    known, left_out = iter(checked.known), Preview(account, opened)
    async for lines, amounts, chunk_keys in _checked_chunks(opened, account, keys, left_out, None):
        fresh = [
            (line, amount, key)
            for line, amount, key in zip(lines, amounts, chunk_keys, strict=True)
            if not next(known) and choices.imported(line.line)
        ]
        plain = [item for item in fresh if choices.join(item[0].line) is None]
        await categorise.learn(db, account.owner_id, [line for line, _amount, _key in plain])
        entries = [
            _entry(account, line, amount, categorise(line), choices.transfer(line.line))
            for line, amount, _key in plain
        ]
        ids = await journal.record_many(entries)
        await imports.add_keys(batch, ids, [key for _line, _amount, key in plain])
        for line, _amount, key in fresh:
            side = choices.join(line.line)
            if side is not None:
                await _join(journal, imports, batch, key, side)
        batch.added += len(fresh)
        if progress is not None:
            progress(len(fresh))
    batch.duplicates = checked.line_count - batch.added
    batch.left_out.extend(
        LeftOutLine(line=problem.line, reason=problem.message, text=problem.text)
        for problem in left_out.problems
    )
    if opened.mapping is not None:
        await imports.save_mapping(account.id, opened.mapping.model_dump_json())
    await db.commit()
    return batch


@dataclass(frozen=True)
class Choices:
    """What the person chose for the lines of a preview that the ledger holds already."""

    checked: Preview
    import_anyway: frozenset[int]
    keep_separate: frozenset[int]

    def __post_init__(self) -> None:
        for field_name, chosen, kind, meaning in (
            (
                "import_anyway",
                self.import_anyway,
                MatchKind.PROBABLY_IMPORTED,
                "probably imported already",
            ),
            (
                "keep_separate",
                self.keep_separate,
                MatchKind.TRANSFER,
                "a transfer with another account",
            ),
        ):
            wrong = sorted(n for n in chosen if self._kind(n) is not kind)
            if wrong:
                raise InvalidInput(field_name, f"line {wrong[0]} of the file is not {meaning}")

    def _kind(self, line_number: int) -> MatchKind | None:
        match = self.checked.matches.get(line_number)
        return None if match is None else match.kind

    def imported(self, line_number: int) -> bool:
        """Whether a line the key does not recognise goes in."""
        probable = self._kind(line_number) is MatchKind.PROBABLY_IMPORTED
        return not probable or line_number in self.import_anyway

    def join(self, line_number: int) -> TransferSide | None:
        """The other side, already in another account, that the line joins, if it does."""
        match = self._transfer(line_number)
        return None if match is None else match.side

    def transfer(self, line_number: int) -> int | None:
        """The other account of a line that becomes a new transfer (its category names an
        account that holds no other side), if it does."""
        match = self._transfer(line_number)
        return None if match is None or match.side is not None else match.account_id

    def _transfer(self, line_number: int) -> Match | None:
        match = self.checked.matches.get(line_number)
        if match is None or match.kind is not MatchKind.TRANSFER:
            return None
        return None if line_number in self.keep_separate else match


async def _join(
    journal: Journal, imports: ImportRepository, batch: ImportBatch, key: str, side: TransferSide
) -> None:
    """Make a line and its transfer's other side one transaction: the other side's category
    leg becomes this account's leg, and the join is recorded for undo."""
    await journal.move_leg(side.posting_id, account_id=batch.account_id, category_id=None)
    join = ImportJoin(
        batch_id=batch.id,
        transaction_id=side.transaction_id,
        posting_id=side.posting_id,
        category_id=side.category_id,
    )
    await imports.add_join(join)
    await imports.add_keys(batch, [side.transaction_id], [key])


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


async def _checked_chunks(
    opened: OpenedFile,
    account: Account,
    keys: KeyMaker,
    result: Preview,
    keep_problems: int | None,
) -> AsyncIterator[tuple[list[StatementLine], list[int], list[str]]]:
    """The file's readable lines a chunk at a time, with their amounts in minor units and their
    keys; the lines that cannot be imported are counted in `result` (the first `keep_problems`
    kept). Each chunk is read, checked and keyed in a worker thread: a big file never holds
    up the event loop, and so every other request, for longer than a chunk's database work."""
    lines_read = opened.lines()
    while True:
        try:
            chunk = await asyncio.to_thread(_check_chunk, lines_read, account, keys)
        except FileRefused as refused:
            raise InvalidInput("file", f"{opened.name}: {refused}") from None
        if chunk is None:
            return
        lines, amounts, chunk_keys, problems = chunk
        result.problem_count += len(problems)
        room = len(problems) if keep_problems is None else keep_problems - len(result.problems)
        result.problems.extend(problems[: max(0, room)])
        yield lines, amounts, chunk_keys


def _check_chunk(
    lines_read: Iterator[StatementLine | LineProblem], account: Account, keys: KeyMaker
) -> tuple[list[StatementLine], list[int], list[str], list[LineProblem]] | None:
    """The next chunk of the file read and checked: its lines, their amounts and keys, and its
    problems; None at the end of the file."""
    chunk = list(itertools.islice(lines_read, CHUNK))
    if not chunk:
        return None
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
    return lines, amounts, keys.keys(lines, amounts), problems


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


def _entry(
    account: Account,
    line: StatementLine,
    amount: int,
    category_id: int | None,
    transfer_to: int | None,
) -> Entry:
    """An imported line as the ledger records it, cleared since the bank has it: against its
    category, or a transfer with the other account the file's category names."""
    legs = simple_legs(account, amount, category_id)
    if transfer_to is not None:
        legs = (legs[0], Leg(-amount, account.currency, account_id=transfer_to))
    return Entry(line.date, legs, line.payee[:PAYEE_LENGTH], line.memo, TransactionStatus.CLEARED)


# Batches


async def undo(*, db: AsyncSession, owner_id: int, batch_id: int) -> ImportBatch:
    """Delete every transaction a batch added and part the transfers it joined, giving the
    other side back its category; refused while one of them is reconciled, or while a later
    batch has joined one of them. Commits."""
    imports = ImportRepository(db, owner_id)
    batch = await get_batch(db=db, owner_id=owner_id, batch_id=batch_id)
    if batch.undone_at is not None:
        raise Conflict(f"import {batch_id} has already been undone")
    later = await imports.joining_batch(batch_id)
    if later is not None:
        raise Conflict(
            f"import {later.id} ({later.filename}) joined transactions of this import as "
            f"transfers; undo import {later.id} first"
        )
    if TransactionStatus.RECONCILED in await imports.batch_statuses(batch_id):
        raise Conflict(
            f"import {batch_id} holds reconciled transactions; unreconcile them to undo it"
        )
    journal = Journal(db, owner_id)
    joins = await imports.batch_joins(batch_id)
    for join in joins:
        if await imports.leg_in_account(join.posting_id, batch.account_id):
            await journal.move_leg(join.posting_id, account_id=None, category_id=join.category_id)
    joined = {join.transaction_id for join in joins}
    added = [i for i in await imports.batch_transaction_ids(batch_id) if i not in joined]
    await journal.delete_many(added)
    await imports.forget_batch(batch_id)
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


async def _other_accounts(db: AsyncSession, owner_id: int, account: Account) -> list[Account]:
    """The owner's other accounts in the account's currency: where a transfer's other side
    can be."""
    found = await AccountRepository(db, owner_id).list()
    return [a for a in found if a.id != account.id and a.currency == account.currency]


async def _import_account(db: AsyncSession, owner_id: int, account_id: int) -> Account:
    """The account a file goes into: the owner's, and not archived."""
    account = await AccountRepository(db, owner_id).get(account_id)
    if account is None:
        raise NotFound("account", account_id)
    if account.archived:
        raise InvalidInput("account_id", f"{account.name} is archived; unarchive it to import")
    return account
