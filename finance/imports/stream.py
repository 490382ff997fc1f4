"""Importing a large file without holding it in memory: the lines are read twice, once to
check them all (problems, duplicates, totals) and, if none has a problem, once more to insert
them a chunk at a time, all in one database transaction. The command line imports this way; a
CSV is read straight from its file.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts.models import Account
from finance.errors import InvalidInput
from finance.imports.csv_reader import (
    SNIFF_BYTES,
    CsvLayout,
    CsvMapping,
    read_csv,
    sniff,
    suggest_mapping,
)
from finance.imports.formats import FileFormat, detect_format, read_file
from finance.imports.models import ImportBatch
from finance.imports.repository import ImportRepository
from finance.imports.service import (
    Categorise,
    KeyMaker,
    checked_amount,
    import_account,
    new_transaction,
    saved_mapping,
)
from finance.imports.statement import FileRefused, LineProblem, StatementLine

LineSource = Callable[[], Iterator[StatementLine | LineProblem]]
"""Reads the file from its start, each time it is called."""
CHUNK = 5000
KEPT_PROBLEMS = 100


@dataclass(frozen=True)
class OpenedFile:
    """A file ready to be read as often as needed."""

    file_format: FileFormat
    source: LineSource
    currency: str | None = None
    mapping: CsvMapping | None = None


@dataclass
class StreamedImport:
    """What an import did (or, in a dry run or with problems, would do)."""

    new: int = 0
    duplicates: int = 0
    net_minor: int = 0
    problem_count: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    """The first `KEPT_PROBLEMS` of them."""
    batch: ImportBatch | None = None


async def open_file(
    db: AsyncSession,
    *,
    owner_id: int,
    account_id: int,
    path: Path,
    file_format: FileFormat | None = None,
) -> OpenedFile:
    """A file on disk, its format detected unless given; a CSV with the account's remembered
    mapping if it fits, else a guessed one (`InvalidInput` if it cannot be read)."""
    await import_account(db, owner_id, account_id)
    head = _read(path, SNIFF_BYTES + 1)
    chosen = file_format or detect_format(path.name, head)
    try:
        if chosen is not FileFormat.CSV:
            statement = read_file(_read(path), chosen).statement
            return OpenedFile(
                chosen,
                lambda: iter([*statement.problems, *statement.lines]),
                statement.currency,
            )
        layout = sniff(head)
    except FileRefused as refused:
        raise InvalidInput("file", f"{path.name}: {refused}") from None
    mapping = await saved_mapping(ImportRepository(db, owner_id), account_id, head)
    mapping = mapping or suggest_mapping(layout)
    if mapping is None:
        raise InvalidInput("mapping", "the columns cannot be guessed; import it on the page")
    return OpenedFile(chosen, lambda: _csv_lines(path, mapping, layout), mapping=mapping)


async def import_stream(
    db: AsyncSession,
    *,
    owner_id: int,
    account_id: int,
    opened: OpenedFile,
    filename: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> StreamedImport:
    """Check every line, then (unless `dry_run` or a line has a problem) import the new ones
    as one batch; `progress(count, total)` hears of each chunk inserted. Commits."""
    account = await import_account(db, owner_id, account_id)
    if opened.currency and opened.currency != account.currency:
        raise InvalidInput(
            "file", f"the file is in {opened.currency} but {account.name} is in {account.currency}"
        )
    try:
        result = await _check(db, account, opened.source)
        if result.problem_count or dry_run:
            return result
        imports = ImportRepository(db, owner_id)
        result.batch = await imports.add_batch(
            ImportBatch(
                account_id=account.id,
                filename=filename[:255],
                file_format=opened.file_format,
                added=result.new,
                duplicates=result.duplicates,
            )
        )
        total = result.new
        await _insert(
            db,
            account,
            opened.source,
            result.batch,
            None if progress is None else lambda count: progress(count, total),
        )
    except FileRefused as refused:
        raise InvalidInput("file", f"{filename}: {refused}") from None
    if opened.mapping is not None:
        await imports.save_mapping(account.id, opened.mapping.model_dump_json())
    await db.commit()
    return result


async def _check(db: AsyncSession, account: Account, source: LineSource) -> StreamedImport:
    result = StreamedImport()
    keys = KeyMaker()
    imports = ImportRepository(db, account.owner_id)
    for lines, amounts in _checked_chunks(source, account, result):
        chunk_keys = keys.keys(lines, amounts)
        known = await imports.known_keys(account.id, chunk_keys)
        for key, amount in zip(chunk_keys, amounts, strict=True):
            if key in known:
                result.duplicates += 1
            else:
                result.new += 1
                result.net_minor += amount
    if not (result.new or result.duplicates or result.problem_count):
        raise FileRefused("the file holds no transactions")
    return result


async def _insert(
    db: AsyncSession,
    account: Account,
    source: LineSource,
    batch: ImportBatch,
    progress: Callable[[int], None] | None,
) -> None:
    keys = KeyMaker()
    imports = ImportRepository(db, account.owner_id)
    categorise = await Categorise.for_owner(db, account.owner_id)
    for lines, amounts in _checked_chunks(source, account, StreamedImport()):
        chunk_keys = keys.keys(lines, amounts)
        known = await imports.known_keys(account.id, chunk_keys)
        fresh = [
            (line, amount, key)
            for line, amount, key in zip(lines, amounts, chunk_keys, strict=True)
            if key not in known
        ]
        await categorise.learn(db, account.owner_id, [line for line, _amount, _key in fresh])
        new = [new_transaction(line, amount, key, categorise(line)) for line, amount, key in fresh]
        await imports.insert(batch, account.currency, new, progress)


def _checked_chunks(
    source: LineSource, account: Account, result: StreamedImport
) -> Iterator[tuple[list[StatementLine], list[int]]]:
    """The readable lines a chunk at a time, with their amounts; problems go to `result`."""
    lines_read = source()
    while chunk := list(itertools.islice(lines_read, CHUNK)):
        lines, amounts, problems = [], [], []
        for item in chunk:
            if isinstance(item, LineProblem):
                problems.append(item)
                continue
            amount = checked_amount(item, account, problems)
            if amount is not None:
                lines.append(item)
                amounts.append(amount)
        result.problem_count += len(problems)
        result.problems.extend(problems[: KEPT_PROBLEMS - len(result.problems)])
        yield lines, amounts


def _csv_lines(
    path: Path, mapping: CsvMapping, layout: CsvLayout
) -> Iterator[StatementLine | LineProblem]:
    with path.open("rb") as file:
        yield from read_csv(file, mapping, layout)


def _read(path: Path, size: int = -1) -> bytes:
    """The file's first `size` bytes (all of them by default)."""
    with path.open("rb") as file:
        return file.read(size)
