"""Importing below the API: a statement previewed, confirmed as one batch, recognised when it
comes again, and undone to exactly the state before."""

import dataclasses
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.categories import service as categories
from finance.categories.schemas import CategoryCreate
from finance.errors import Conflict, InvalidInput, NotFound
from finance.imports import service
from finance.imports.camt_reader import read_camt053
from finance.imports.formats import FileFormat, OpenedFile
from finance.imports.matching import MatchKind
from finance.imports.service import Preview
from finance.imports.statement import LineProblem, Statement, StatementLine
from finance.ledger.check import check_ledger
from finance.ledger.models import AccountType, CategoryKind, Transaction, TransactionStatus
from finance.models import Base
from finance.users.models import User
from tests.users import add_user

DATA = Path(__file__).resolve().parent.parent / "data"
OCTOBER = date(2026, 10, 1)


async def open_account(db: AsyncSession, owner: User, currency: str = "USD") -> int:
    data = AccountCreate(
        name=f"Bank {currency}",
        type=AccountType.CHECKING,
        currency=currency,
        opening_date=date(2026, 1, 1),
    )
    return (await accounts.create_account(db=db, owner_id=owner.id, data=data)).account.id


def line(number: int, day: int, amount: str, payee: str, **fields: Any) -> StatementLine:
    return StatementLine(
        line=number, date=date(2026, 10, day), amount=Decimal(amount), payee=payee, **fields
    )


def statement(*lines: StatementLine, currency: str | None = None) -> Statement:
    return Statement(lines=list(lines), problems=[], currency=currency)


def opened(read: Statement) -> OpenedFile:
    return OpenedFile.of_statement("statement.csv", FileFormat.CSV, read)


async def preview(db: AsyncSession, owner: User, account_id: int, read: Statement) -> Preview:
    return await service.preview(
        db=db, owner_id=owner.id, account_id=account_id, opened=opened(read)
    )


async def confirm(db: AsyncSession, owner: User, account_id: int, read: Statement) -> Any:
    return await service.confirm(db=db, checked=await preview(db, owner, account_id, read))


async def balance(db: AsyncSession, owner: User, account_id: int) -> int:
    row = await accounts.get_account(db=db, owner_id=owner.id, account_id=account_id)
    return row.balance_minor


async def dump(db: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for comparing whole states."""
    return {
        table.name: sorted(
            [tuple(row) for row in (await db.execute(select(table))).all()],
            key=lambda row: repr(row),
        )
        for table in Base.metadata.sorted_tables
    }


COFFEE_TWICE = statement(
    line(2, 3, "-4.50", "Blue Bottle Coffee"),
    line(3, 3, "-4.50", "Blue Bottle Coffee"),
    line(4, 4, "3150.00", "Acme Payroll"),
)


async def test_a_statement_lands_whole_and_moves_the_balance(db, owner):
    account_id = await open_account(db, owner)
    batch = await confirm(db, owner, account_id, COFFEE_TWICE)
    assert (batch.added, batch.duplicates) == (3, 0)
    assert await balance(db, owner, account_id) == 314100
    statuses = (await db.scalars(select(Transaction.status))).all()
    assert statuses == [TransactionStatus.CLEARED] * 3


async def test_importing_the_same_statement_again_adds_nothing(db, owner):
    account_id = await open_account(db, owner)
    await confirm(db, owner, account_id, COFFEE_TWICE)
    again = await confirm(db, owner, account_id, COFFEE_TWICE)
    assert (again.added, again.duplicates) == (0, 3)
    assert await balance(db, owner, account_id) == 314100


async def test_overlapping_statements_add_their_union_once(db, owner):
    account_id = await open_account(db, owner)
    first = statement(
        line(2, 1, "-10.00", "Shop"), line(3, 2, "-4.50", "Cafe"), line(4, 2, "-4.50", "Cafe")
    )
    second = statement(
        line(2, 2, "-4.50", "CAFE "), line(3, 2, "-4.50", "cafe"), line(4, 5, "-20.00", "Shop")
    )
    await confirm(db, owner, account_id, first)
    overlap = await confirm(db, owner, account_id, second)
    assert (overlap.added, overlap.duplicates) == (1, 2)
    assert await balance(db, owner, account_id) == -3900


async def test_bank_references_decide_over_fingerprints(db, owner):
    account_id = await open_account(db, owner)
    await confirm(db, owner, account_id, statement(line(2, 3, "-4.50", "Cafe", reference="A1")))
    same_id = statement(line(2, 3, "-4.50", "Cafe (corrected)", reference="A1"))
    other_id = statement(line(2, 3, "-4.50", "Cafe", reference="A2"))
    assert (await confirm(db, owner, account_id, same_id)).added == 0
    assert (await confirm(db, owner, account_id, other_id)).added == 1


async def test_a_bank_id_repeated_within_one_file_still_imports_every_line(db, owner):
    account_id = await open_account(db, owner)
    reused = statement(
        line(2, 3, "-4.50", "Cafe", reference="X"), line(3, 4, "-9.00", "Deli", reference="X")
    )
    assert (await confirm(db, owner, account_id, reused)).added == 2
    assert (await confirm(db, owner, account_id, reused)).added == 0


async def test_a_problem_line_stops_the_whole_file(db, owner):
    account_id = await open_account(db, owner)
    before = await dump(db)
    broken = Statement(
        lines=[line(2, 3, "-4.50", "Cafe"), line(4, 3, "-1.005", "Too precise")],
        problems=[LineProblem(3, "date '31.02.2026' is not a date")],
    )
    with pytest.raises(InvalidInput) as refused:
        await confirm(db, owner, account_id, broken)
    assert "2 line(s) cannot be read, first line 3" in refused.value.detail
    await db.rollback()
    assert await dump(db) == before


EARLY = statement(
    StatementLine(line=2, date=date(2025, 12, 30), amount=Decimal(1), payee="x"),
    line(3, 3, "-4.50", "Cafe"),
)
"""A statement whose first line is dated before `open_account`'s opening date."""


async def test_lines_before_the_opening_date_are_counted_and_refused_without_consent(db, owner):
    account_id = await open_account(db, owner)
    checked = await preview(db, owner, account_id, EARLY)
    assert (checked.before_opening_date, checked.first_date) == (1, date(2025, 12, 30))
    assert checked.problems == []
    with pytest.raises(InvalidInput, match=r"1 line\(s\) are dated before .* 2025-12-30"):
        await service.confirm(db=db, checked=checked)
    assert await balance(db, owner, account_id) == 0


async def test_moving_the_opening_date_back_lands_with_the_import(db, owner):
    account_id = await open_account(db, owner)
    checked = await preview(db, owner, account_id, EARLY)
    consent = service.Consent(move_opening_date=True)
    batch = await service.confirm(db=db, checked=checked, consent=consent)
    assert batch.added == 2
    moved = await accounts.get_account(db=db, owner_id=owner.id, account_id=account_id)
    assert moved.account.opening_date == date(2025, 12, 30)
    assert moved.balance_minor == -350


async def test_problem_lines_are_left_out_when_asked_and_the_batch_names_them(db, owner):
    account_id = await open_account(db, owner)
    broken = Statement(
        lines=[line(2, 3, "-4.50", "Cafe"), line(4, 3, "-1.005", "Too precise")],
        problems=[LineProblem(3, "date '31.02.2026' is not a date", text="31.02.2026,x,1")],
    )
    checked = await preview(db, owner, account_id, broken)
    consent = service.Consent(skip_problem_lines=True)
    batch = await service.confirm(db=db, checked=checked, consent=consent)
    assert batch.added == 1 and await balance(db, owner, account_id) == -450
    left_out = (await service.get_batch(db=db, owner_id=owner.id, batch_id=batch.id)).left_out
    assert [(left.line, left.text) for left in left_out] == [(3, "31.02.2026,x,1"), (4, "")]
    assert "not a date" in left_out[0].reason and "1.005" in left_out[1].reason
    await service.undo(db=db, owner_id=owner.id, batch_id=batch.id)
    assert await balance(db, owner, account_id) == 0
    assert (await db.scalars(select(Transaction.id))).all() == []


async def test_a_file_in_another_currency_is_refused(db, owner):
    account_id = await open_account(db, owner)
    with pytest.raises(InvalidInput, match="EUR"):
        await confirm(db, owner, account_id, statement(line(2, 3, "1", "x"), currency="EUR"))


async def test_lines_get_the_files_category_or_the_payees_last_one(db, owner):
    account_id = await open_account(db, owner)
    food = await categories.create_category(
        db=db, owner_id=owner.id, data=CategoryCreate(name="Food", kind=CategoryKind.EXPENSE)
    )
    rent = await categories.create_category(
        db=db, owner_id=owner.id, data=CategoryCreate(name="Rent", kind=CategoryKind.EXPENSE)
    )
    await confirm(db, owner, account_id, statement(line(2, 1, "-900", "Landlord", category="rent")))
    checked = await preview(
        db,
        owner,
        account_id,
        statement(line(2, 2, "-900", "LANDLORD"), line(3, 2, "-9", "Deli", category="Food")),
    )
    assert [row.new.category_id for row in checked.lines] == [rent.id, food.id]


async def test_undo_restores_exactly_the_state_before(db, owner):
    account_id = await open_account(db, owner)
    await confirm(db, owner, account_id, statement(line(2, 1, "-1.00", "Kept")))
    before = await dump(db)
    batch = await confirm(db, owner, account_id, COFFEE_TWICE)
    undone = await service.undo(db=db, owner_id=owner.id, batch_id=batch.id)
    assert undone.undone_at is not None
    after = await dump(db)
    assert {name: rows for name, rows in after.items() if name != "import_batches"} == {
        name: rows for name, rows in before.items() if name != "import_batches"
    }
    assert (await confirm(db, owner, account_id, COFFEE_TWICE)).added == 3


async def test_undo_is_refused_twice_and_while_a_line_is_reconciled(db, owner):
    account_id = await open_account(db, owner)
    owner_id, batch_id = owner.id, (await confirm(db, owner, account_id, COFFEE_TWICE)).id
    await db.execute(text("UPDATE transactions SET status = 'reconciled'"))
    await db.commit()
    with pytest.raises(Conflict, match="reconciled"):
        await service.undo(db=db, owner_id=owner_id, batch_id=batch_id)
    await db.rollback()  # (expires the objects loaded so far: only plain ids are used below)
    assert len((await db.scalars(select(Transaction.id))).all()) == 3
    await db.execute(text("UPDATE transactions SET status = 'cleared'"))
    await db.commit()
    await service.undo(db=db, owner_id=owner_id, batch_id=batch_id)
    with pytest.raises(Conflict, match="already"):
        await service.undo(db=db, owner_id=owner_id, batch_id=batch_id)


async def test_another_users_account_and_batches_are_not_found(db, owner):
    account_id = await open_account(db, owner)
    batch = await confirm(db, owner, account_id, COFFEE_TWICE)
    stranger = await add_user(db, "stranger@example.com")
    with pytest.raises(NotFound):
        await confirm(db, stranger, account_id, COFFEE_TWICE)
    with pytest.raises(NotFound):
        await service.undo(db=db, owner_id=stranger.id, batch_id=batch.id)
    assert await service.list_batches(db=db, owner_id=stranger.id) == []


async def test_the_camt_sample_imports_its_stated_count_and_sum(db, owner):
    account_id = await open_account(db, owner, currency="EUR")
    read = read_camt053((DATA / "girokonto-2026-10.camt053.xml").read_bytes())
    batch = await confirm(db, owner, account_id, read)
    assert batch.added == 35
    assert await balance(db, owner, account_id) == 407432
    assert (await confirm(db, owner, account_id, read)).added == 0


async def open_named(db: AsyncSession, owner: User, name: str, **fields: Any) -> int:
    data = AccountCreate(
        name=name, type=AccountType.CHECKING, currency="USD", opening_date=OCTOBER, **fields
    )
    return (await accounts.create_account(db=db, owner_id=owner.id, data=data)).account.id


async def test_a_line_typed_by_hand_or_imported_in_another_format_is_probably_there(db, owner):
    account_id = await open_account(db, owner)
    await confirm(db, owner, account_id, statement(line(2, 3, "-4.50", "Blue Bottle Coffee")))
    ofx = statement(
        line(10, 3, "-4.50", "BLUE BOTTLE COFFEE", reference="F1"),
        line(11, 3, "-4.50", "BLUE BOTTLE COFFEE", reference="F2"),
        line(12, 4, "-59.90", "AMAZON MKTP US*2K4", reference="F3"),
    )
    checked = await preview(db, owner, account_id, ofx)
    assert (checked.new, checked.probably_imported, checked.duplicates) == (2, 1, 0)
    assert [row.match.kind if row.match else None for row in checked.lines] == [
        MatchKind.PROBABLY_IMPORTED,
        None,
        None,
    ]
    batch = await service.confirm(db=db, checked=checked)
    assert (batch.added, batch.duplicates) == (2, 1)
    assert await balance(db, owner, account_id) == -450 * 2 - 5990


async def test_payees_that_agree_are_paired_before_the_rest(db, owner):
    account_id = await open_account(db, owner)
    await confirm(
        db,
        owner,
        account_id,
        statement(line(2, 5, "-61.66", "Aral Tankstelle"), line(3, 5, "-61.66", "Shell Oil 5739")),
    )
    checked = await preview(
        db,
        owner,
        account_id,
        statement(
            line(7, 5, "-61.66", "Kartenzahlung"), line(8, 5, "-61.66", "ARAL TANKSTELLE 12")
        ),
    )
    payees = [row.match.payee for row in checked.lines if row.match]
    assert payees == ["Shell Oil 5739", "Aral Tankstelle"]


async def test_a_transfer_joined_then_undone_leaves_the_ledger_whole_and_as_it_was(db, owner):
    checking = await open_named(db, owner, "Checking")
    card = await open_named(db, owner, "Card")
    rent = await categories.create_category(
        db=db, owner_id=owner.id, data=CategoryCreate(name="Bills", kind=CategoryKind.EXPENSE)
    )
    paid = statement(line(2, 5, "-200.00", "CARD PAYMENT", category="Bills"))
    await confirm(db, owner, checking, paid)
    await confirm(db, owner, card, statement(line(2, 1, "-9.99", "Streaming")))
    before = await dump(db)
    checked = await preview(db, owner, card, statement(line(4, 8, "200.00", "THANK YOU")))
    assert checked.lines[0].match is not None
    assert checked.lines[0].match.account_name == "Checking"
    batch = await service.confirm(db=db, checked=checked)
    assert len((await db.scalars(select(Transaction.id))).all()) == 2
    assert (await balance(db, owner, checking), await balance(db, owner, card)) == (-20000, 19001)
    assert (await check_ledger(db)).ok
    owner_id, batch_id = owner.id, batch.id
    await service.undo(db=db, owner_id=owner_id, batch_id=batch_id)
    assert (await check_ledger(db)).ok
    after = await dump(db)
    assert {name: rows for name, rows in after.items() if name != "import_batches"} == {
        name: rows for name, rows in before.items() if name != "import_batches"
    }
    assert rent.id in {row[2] for row in after["postings"]}


async def test_a_category_naming_the_other_account_makes_a_transfer(db, owner):
    checking = await open_named(db, owner, "Checking")
    savings = await open_named(db, owner, "Savings")
    moved = statement(
        line(2, 5, "-500.00", "To savings", category="Transfer:Savings"),
        line(3, 6, "-20.00", "Old habit", category="[savings]"),
    )
    checked = await preview(db, owner, checking, moved)
    assert [row.match.account_name for row in checked.lines if row.match] == ["Savings"] * 2
    await service.confirm(
        db=db, checked=checked, consent=service.Consent(keep_separate=frozenset({3}))
    )
    assert (await balance(db, owner, checking), await balance(db, owner, savings)) == (
        -52000,
        50000,
    )
    assert (await check_ledger(db)).ok


def month_of_coffees() -> Statement:
    return statement(*(line(n + 2, n + 1, f"-{n + 1}.00", f"Cafe {n}") for n in range(20)))


@pytest.mark.parametrize(
    ("keep", "payees"),
    [
        (range(0), []),
        (range(3), ["Cafe 0", "Cafe 1", "Cafe 2"]),
        (range(6, 16), [f"Cafe {n}" for n in range(6, 16)]),  # across three chunks of 7
        (range(18, 40), ["Cafe 18", "Cafe 19"]),
    ],
)
async def test_a_preview_keeps_the_lines_asked_for_whatever_the_chunks(
    db, owner, monkeypatch, keep, payees
):
    monkeypatch.setattr(service, "CHUNK", 7)
    account_id = await open_account(db, owner)
    checked = await service.preview(
        db=db,
        owner_id=owner.id,
        account_id=account_id,
        opened=opened(month_of_coffees()),
        keep_lines=keep,
    )
    assert [row.new.payee for row in checked.lines] == payees
    assert (checked.new, checked.net_minor) == (20, -21000)


async def test_a_file_is_read_and_checked_off_the_event_loop(db, owner):
    """Reading a big file must not freeze every other request: the reading happens in a
    worker thread, the event loop's thread only awaits it."""
    readers: set[str] = set()
    read = month_of_coffees()

    def lines() -> Iterator[StatementLine | LineProblem]:
        readers.add(threading.current_thread().name)
        yield from read.lines

    file = dataclasses.replace(opened(read), lines=lines)
    account_id = await open_account(db, owner)
    await service.preview(db=db, owner_id=owner.id, account_id=account_id, opened=file)
    assert readers and threading.current_thread().name not in readers
