"""QIF: the sample reproduces its figures; the date forms Quicken writes, thousands separators,
CRLF and a missing final `^` are read; a bad date or amount is a problem on its own line; empty,
headerless, multi-account and non-bank files are refused with a clear message."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finance.imports.qif_reader import read_qif
from finance.imports.statement import FileRefused, LineProblem, StatementLine

SAMPLE = Path(__file__).parent.parent / "data" / "cash-2026-10.qif"


def qif(*records: str, header: str = "!Type:Bank") -> bytes:
    """A QIF file: the header, then each record (its lines joined by newlines) closed by `^`."""
    return "".join(f"{line}\n" for line in [header, *[f"{r}\n^" for r in records]]).encode()


def refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as refused:
        read_qif(data)
    return str(refused.value)


def test_sample_reproduces_its_figures():
    statement = read_qif(SAMPLE.read_bytes())
    assert len(statement.lines) == 14
    assert sum(line.amount for line in statement.lines) == Decimal("5847.59")
    assert statement.lines[0].date == date(2026, 10, 1)
    assert statement.lines[-1].date == date(2026, 10, 31)
    assert statement.problems == []
    assert statement.currency is None


def test_sample_fields_and_lines():
    lines = read_qif(SAMPLE.read_bytes()).lines
    assert lines[0] == StatementLine(
        line=2,
        date=date(2026, 10, 1),
        amount=Decimal("3150.00"),
        payee="Acme Corp Payroll",
        category="Salary",
    )
    assert [line.line for line in lines[:3]] == [2, 7, 12]


def test_all_fields_are_read():
    record = "D10/05/2026\nT-1,234.56\nPLandlord\nMOctober rent\nLHousing:Rent\nN1042\nC*"
    line = read_qif(qif(record)).lines[0]
    assert (line.amount, line.payee, line.memo, line.category, line.reference) == (
        Decimal("-1234.56"),
        "Landlord",
        "October rent",
        "Housing:Rent",
        "1042",
    )


def test_transfer_category_is_kept_as_text():
    line = read_qif(qif("D10/05/2026\nT-500.00\nPTransfer\nL[Savings]")).lines[0]
    assert line.category == "[Savings]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/01/2026", date(2026, 10, 1)),
        ("1/5/2026", date(2026, 1, 5)),
        ("1/5'26", date(2026, 1, 5)),
        (" 1/ 5'26", date(2026, 1, 5)),
        ("12/31'99", date(2099, 12, 31)),
        ("01/05/26", date(2026, 1, 5)),
        ("12/31/99", date(1999, 12, 31)),
        ("10-01-2026", date(2026, 10, 1)),
        ("2026-01-05", date(2026, 1, 5)),
        ("05.01.2026", date(2026, 1, 5)),
    ],
)
def test_date_forms(text, expected):
    assert read_qif(qif(f"D{text}\nT1.00")).lines[0].date == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567.89", "1234567.89"),
        ("-1,000", "-1000"),
        ("+12.5", "12.5"),
        ("-.50", "-0.50"),
        ("0.00", "0.00"),
    ],
)
def test_amounts_are_exact_with_thousands_separators(text, expected):
    amount = read_qif(qif(f"D10/01/2026\nT{text}")).lines[0].amount
    assert str(amount) == expected


def test_u_amount_is_used_without_t():
    assert read_qif(qif("D10/01/2026\nU-2,000.00")).lines[0].amount == Decimal("-2000.00")


def test_crlf_and_missing_final_caret():
    data = b"!Type:CCard\r\nD10/01/2026\r\nT-1.00\r\n^\r\nD10/02/2026\r\nT-2.00\r\nPLast"
    lines = read_qif(data).lines
    assert [(line.line, line.amount, line.payee) for line in lines] == [
        (2, Decimal("-1.00"), ""),
        (5, Decimal("-2.00"), "Last"),
    ]


def test_bad_date_and_amount_are_problems_on_their_own_lines():
    data = qif(
        "D10/01/2026\nT1.00",
        "PBad date\nD13/45/2026\nT2.00",
        "D10/02/2026\nT12,34",
        "D10/03/2026\nTabc",
        "D10/04/2026\nPNo amount",
        "T5.00\nPNo date",
        "D10/05/2026\nT3.00",
    )
    statement = read_qif(data)
    assert [line.amount for line in statement.lines] == [Decimal("1.00"), Decimal("3.00")]
    assert statement.problems == [
        LineProblem(6, "'13/45/2026' is not a date (MM/DD/YYYY)"),
        LineProblem(10, "'12,34' is not an amount"),
        LineProblem(13, "'abc' is not an amount"),
        LineProblem(15, "the record has no amount (T line)"),
        LineProblem(18, "the record has no date (D line)"),
    ]


def test_split_lines_are_skipped_and_the_total_kept():
    record = (
        "D10/07/2026\nT-100.00\nPCostco\nLGroceries\n"
        "SGroceries\nEFood\n$-60.00\nSHousehold\n$-40.00\n%40"
    )
    statement = read_qif(qif(record, "D10/08/2026\nT-1.00"))
    assert [(line.amount, line.category, line.memo) for line in statement.lines] == [
        (Decimal("-100.00"), "Groceries", ""),
        (Decimal("-1.00"), "", ""),
    ]
    assert statement.problems == []


@pytest.mark.parametrize("header", ["!Type:Bank", "!Type:CCard", "!Type:Cash", "!type:oth a "])
def test_bank_style_types_are_read(header):
    assert len(read_qif(qif("D10/01/2026\nT1.00", header=header)).lines) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\r\n \n", "the file is empty"),
        (b"!Type:Bank\n", "the file holds no transactions"),
        (b"!Type:Bank\n^\n^\n", "the file holds no transactions"),
        (
            b"D10/01/2026\nT1.00\n^\n",
            "line 1: not a QIF file (it does not start with a !Type: line)",
        ),
        (b"Date,Amount\n", "line 1: not a QIF file (it does not start with a !Type: line)"),
        (b"\x00\x01\x02binary", "a binary file, not a QIF file"),
        (
            b"!Type:Invst\nD10/01/2026\n^\n",
            "line 1: QIF type 'Invst' is not supported (only Bank, CCard, Cash, Oth A, Oth L)",
        ),
        (
            b"\n!Type:Cat\nNGroceries\n^\n",
            "line 2: QIF type 'Cat' is not supported (only Bank, CCard, Cash, Oth A, Oth L)",
        ),
        (
            b"!Option:AutoSwitch\n!Account\nNChecking\nTBank\n^\nNSavings\nTBank\n^\n",
            "no bank records (!Type:Bank, CCard, Cash, Oth A or Oth L) in the file",
        ),
        (
            b"!Account\n",
            "no bank records (!Type:Bank, CCard, Cash, Oth A or Oth L) in the file",
        ),
        (
            b"!Account\nNChecking\n^\n",
            "no bank records (!Type:Bank, CCard, Cash, Oth A or Oth L) in the file",
        ),
        (
            b"!Clear:AutoSwitch\n!Class\nNWork\n^\n",
            "line 2: '!Class' is not a !Type: line; only single-account exports are supported",
        ),
        (
            b"!Type:Bank\nD10/01/2026\nT1.00\n^\n!Type:CCard\nD10/01/2026\nT1.00\n^\n",
            "line 5: a second header '!Type:CCard': export one account at a time",
        ),
    ],
)
def test_unreadable_files_are_refused(data, message):
    assert refusal(data) == message


def test_utf8_and_cp1252_text():
    record = "D10/01/2026\nT-4.50\nPCafé Müller"
    assert read_qif(qif(record)).lines[0].payee == "Café Müller"
    cp1252 = qif(record).decode("utf-8").encode("cp1252")
    assert read_qif(cp1252).lines[0].payee == "Café Müller"
    assert read_qif(b"\xef\xbb\xbf" + qif(record)).lines[0].payee == "Café Müller"


def test_one_leading_account_description_and_switches_are_skipped():
    data = b"!Option:AutoSwitch\n!Account\nNChecking\nTBank\n^\n!Type:Bank\nD10/01/2026\nT1.00\n^\n"
    assert [line.line for line in read_qif(data).lines] == [7]


OTHERS = Path(__file__).resolve().parent.parent / "data" / "others"


def test_a_quicken_full_export_skips_its_lists_and_reads_the_bank_records():
    read = read_qif((OTHERS / "quicken-full-export.qif").read_bytes())
    assert read.problems == []
    assert [(line.date, line.amount, line.payee) for line in read.lines] == [
        (date(2026, 10, 1), Decimal("-4.50"), "Blue Bottle Coffee"),
        (date(2026, 10, 2), Decimal("3150.00"), "Acme Payroll"),
        (date(2026, 10, 5), Decimal("-200.00"), "Visa payment"),
    ]


def test_bank_records_of_several_named_accounts_are_refused_naming_them():
    data = (
        b"!Account\nNChecking\nTBank\n^\n!Type:Bank\nD10/01/2026\nT1.00\n^\n"
        b"!Account\nNVisa\nTCCard\n^\n!Type:CCard\nD10/02/2026\nT-2.00\n^\n"
    )
    assert refusal(data) == (
        "line 13: a second header '!Type:CCard': export one account at a time "
        "(the file holds 'Checking', 'Visa')"
    )


def test_slashed_dates_are_read_day_first_when_some_cannot_be_month_first():
    read = read_qif(qif("D23/10/2013\nT-6.50", "D11/10/2013\nT31.00"))
    assert [line.date for line in read.lines] == [date(2013, 10, 23), date(2013, 10, 11)]
