"""The CSV reader: sniffing, mapping suggestion and streaming, on the samples and on edge cases."""

import io
import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from finance.imports.csv_reader import (
    SNIFF_BYTES,
    CsvLayout,
    CsvMapping,
    DateFormat,
    parse_amount,
    read_csv,
    sniff,
    suggest_mapping,
)
from finance.imports.statement import FileRefused, LineProblem, StatementLine

DATA = Path(__file__).parent.parent / "data"
MALFORMED = DATA / "malformed"
SIMPLE_MAPPING = CsvMapping(date_column="Date", payee_column="Payee", amount_column="Amount")


def read_all(
    data: bytes, mapping: CsvMapping | None = None
) -> tuple[list[StatementLine], list[LineProblem]]:
    """Sniff `data`, map it (as suggested unless told), and read every row."""
    layout = sniff(data)
    mapping = mapping or suggest_mapping(layout)
    assert mapping is not None
    items = list(read_csv(io.BytesIO(data), mapping, layout))
    return (
        [item for item in items if isinstance(item, StatementLine)],
        [item for item in items if isinstance(item, LineProblem)],
    )


def csv_bytes(*lines: str, ending: str = "\n", encoding: str = "utf-8") -> bytes:
    return "".join(line + ending for line in lines).encode(encoding)


# The samples, with nothing but the suggested mapping


@pytest.mark.parametrize(
    ("name", "count", "net", "first", "last"),
    [
        ("checking-2026-10.csv", 73, "2029.45", date(2026, 10, 1), date(2026, 10, 31)),
        ("creditcard-2026-10.csv", 30, "-1545.08", date(2026, 10, 2), date(2026, 10, 30)),
        ("girokonto-2026-10.csv", 35, "4074.32", date(2026, 10, 1), date(2026, 10, 29)),
    ],
)
def test_each_sample_gives_its_stated_figures(name, count, net, first, last):
    path = DATA / name
    layout = sniff(path.read_bytes())
    mapping = suggest_mapping(layout)
    assert mapping is not None
    with path.open("rb") as stream:
        items = list(read_csv(stream, mapping, layout))
    assert all(isinstance(item, StatementLine) for item in items), items
    lines = [item for item in items if isinstance(item, StatementLine)]
    assert len(lines) == count
    assert sum(line.amount for line in lines) == Decimal(net)
    assert (lines[0].date, lines[-1].date) == (first, last)
    assert (min(line.date for line in lines), max(line.date for line in lines)) == (first, last)


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "line_ending", "header_line"),
    [
        ("checking-2026-10.csv", "utf-8", ",", "\n", 1),
        ("creditcard-2026-10.csv", "utf-8", ",", "\r\n", 1),
        ("girokonto-2026-10.csv", "cp1252", ";", "\r\n", 5),
    ],
)
def test_sniff_finds_how_each_sample_is_written(
    name, encoding, delimiter, line_ending, header_line
):
    layout = sniff((DATA / name).read_bytes())
    assert (layout.encoding, layout.delimiter, layout.line_ending) == (
        encoding,
        delimiter,
        line_ending,
    )
    assert layout.header_line == header_line
    assert 0 < len(layout.sample_rows) <= 20


def test_the_checking_sample_maps_a_signed_amount_and_its_running_balance():
    lines, _ = read_all((DATA / "checking-2026-10.csv").read_bytes())
    assert (lines[0].line, lines[0].payee, lines[0].amount) == (
        2,
        "Acme Corp Payroll",
        Decimal("3150.00"),
    )
    assert lines[-1].balance == Decimal("3549.45")
    assert lines[-1].line == 74


def test_the_credit_card_sample_maps_debit_and_credit_and_its_categories():
    layout = sniff((DATA / "creditcard-2026-10.csv").read_bytes())
    mapping = suggest_mapping(layout)
    assert mapping == CsvMapping(
        date_column="Transaction Date",
        payee_column="Description",
        debit_column="Debit",
        credit_column="Credit",
        category_column="Category",
        date_format=DateFormat.MONTH_DAY_YEAR,
    )
    lines, _ = read_all((DATA / "creditcard-2026-10.csv").read_bytes())
    assert (lines[0].payee, lines[0].category, lines[0].amount) == (
        "SHELL OIL 5739",
        "Fuel",
        Decimal("-38.69"),
    )
    assert all(line.amount < 0 for line in lines)


def test_the_girokonto_sample_is_read_under_its_preamble_in_cp1252_with_decimal_commas():
    layout = sniff((DATA / "girokonto-2026-10.csv").read_bytes())
    assert layout.header[3] == "Auftraggeber / Begünstigter"
    mapping = suggest_mapping(layout)
    assert mapping is not None
    assert (mapping.date_column, mapping.amount_column, mapping.memo_column) == (
        "Buchungstag",
        "Betrag (EUR)",
        "Verwendungszweck",
    )
    assert (mapping.date_format, mapping.decimal_separator) == (DateFormat.DAY_MONTH_YEAR_DOTS, ",")
    lines, _ = read_all((DATA / "girokonto-2026-10.csv").read_bytes())
    assert (lines[0].line, lines[0].payee, lines[0].amount) == (
        6,
        "Gehalt Müller & Söhne AG",
        Decimal("3150.00"),
    )
    assert lines[-1].line == 40


def test_a_mapping_survives_a_json_round_trip():
    mapping = suggest_mapping(sniff((DATA / "girokonto-2026-10.csv").read_bytes()))
    assert mapping is not None
    assert CsvMapping.model_validate_json(mapping.model_dump_json()) == mapping
    assert '"date_format":"%d.%m.%Y"' in mapping.model_dump_json()


# The malformed files


@pytest.mark.parametrize(
    "path",
    sorted(path for path in MALFORMED.glob("*.csv") if path.name != "formula-injection.csv"),
    ids=lambda path: path.name,
)
def test_every_malformed_csv_is_refused_or_names_its_bad_lines(path):
    try:
        _, problems = read_all(path.read_bytes())
    except FileRefused as refusal:
        assert refusal.message
        return
    assert problems
    for problem in problems:
        assert problem.line > 1
        assert "'" in problem.message or "fields where the header has" in problem.message


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.csv", "the file is empty"),
        ("header-only.csv", "line 1: the file has a header but no transactions under it"),
        ("binary.csv", "binary data, not CSV text"),
    ],
)
def test_files_that_cannot_be_read_at_all_are_refused_with_the_reason(name, reason):
    with pytest.raises(FileRefused, match=reason):
        sniff((MALFORMED / name).read_bytes())


def test_an_impossible_date_names_its_line_column_value_and_format():
    lines, problems = read_all((MALFORMED / "bad-date.csv").read_bytes())
    assert problems == [
        LineProblem(3, "Date '2026-13-45' is not a date in YYYY-MM-DD"),
    ]
    assert [line.line for line in lines] == [2, 4]


def test_a_non_numeric_amount_names_its_line_column_and_value():
    lines, problems = read_all((MALFORMED / "bad-amount.csv").read_bytes())
    assert problems == [
        LineProblem(3, "Amount 'twelve' is not an amount with a decimal point"),
    ]
    assert len(lines) == 1


def test_ragged_rows_name_how_many_fields_they_have():
    lines, problems = read_all((MALFORMED / "ragged.csv").read_bytes())
    assert lines == []
    assert [problem.line for problem in problems] == [2, 3]
    assert problems[0].message.startswith("2 fields where the header has 3 (Date, ")
    assert problems[1].message.startswith("5 fields where the header has 3 (Date, ")


def test_formula_cells_are_imported_verbatim():
    lines, problems = read_all((MALFORMED / "formula-injection.csv").read_bytes())
    assert problems == []
    assert [line.payee for line in lines] == [
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
    ]


# How files are written


def test_a_byte_order_mark_is_not_part_of_the_first_column_name():
    data = b"\xef\xbb\xbf" + csv_bytes("Date,Payee,Amount", "2026-10-01,Café,1.00")
    layout = sniff(data)
    assert (layout.encoding, layout.header[0]) == ("utf-8-sig", "Date")
    lines, _ = read_all(data, SIMPLE_MAPPING)
    assert lines[0].payee == "Café"


def test_windows_1252_is_told_from_utf_8_even_past_the_sniffed_start():
    rows = [f"2026-10-01,Shop {n},-1.00" for n in range(SNIFF_BYTES // 20)]
    data = csv_bytes("Date,Payee,Amount", *rows, "2026-10-02,Café,-2.00", encoding="cp1252")
    assert len(data) > SNIFF_BYTES
    assert sniff(data).encoding == "cp1252"
    lines, _ = read_all(data, SIMPLE_MAPPING)
    assert lines[-1].payee == "Café"


def test_text_that_turns_out_not_to_be_the_sniffed_encoding_is_refused_with_where():
    start = csv_bytes("Date,Payee,Amount", "2026-10-01,Shop,-1.00")
    data = start + csv_bytes("2026-10-02,Caf\xe9,-2.00", encoding="cp1252")
    layout = sniff(start)
    with pytest.raises(FileRefused, match="line 3: this line is not utf-8 text"):
        list(read_csv(io.BytesIO(data), SIMPLE_MAPPING, layout))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x81\x8d\x8f\xff,\xfe\n\x90\x9d,1\n", "neither UTF-8 nor Windows-1252"),
        (b"PK\x03\x04rest of a zip", "Excel workbook"),
        (b"\xff\xfeD\x00a\x00", "UTF-16"),
        (b"Date,Payee,Amount\n\x01\x02\x03\x04,\x05,\x06\n", "control characters"),
        (b"<?xml version='1.0'?>\n<OFX></OFX>\n", "XML or HTML"),
        (b"   \r\n\r\n", "the file is empty"),
        (b"just some words\nand more words\n", "not split by comma, semicolon, tab or pipe"),
        (b"2026-10-01,Shop,-1.00\n2026-10-02,Shop,-2.00\n", "no recognisable header"),
    ],
)
def test_files_that_are_not_csv_text_are_refused(data, reason):
    with pytest.raises(FileRefused, match=reason):
        sniff(data)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(delimiter):
    data = csv_bytes(
        delimiter.join(["Date", "Payee", "Amount"]),
        delimiter.join(["2026-10-01", "Shop, with; punctuation|", "-1.00"]).replace(
            "Shop, with; punctuation|", '"Shop, with; punctuation|"'
        ),
        delimiter.join(["2026-10-02", "Other", "2.00"]),
    )
    assert sniff(data).delimiter == delimiter
    lines, problems = read_all(data, SIMPLE_MAPPING)
    assert problems == []
    assert [line.payee for line in lines] == ["Shop, with; punctuation|", "Other"]


def test_quoted_delimiters_and_newlines_stay_in_their_cell_and_lines_are_the_files_own():
    data = csv_bytes(
        "Date,Payee,Memo,Amount",
        '2026-10-01,"Smith, J.","line one',
        'line two",-1.00',
        "",
        "2026-10-02,Other,,oops",
        ending="\r\n",
    )
    layout = sniff(data)
    assert layout.line_ending == "\r\n"
    mapping = SIMPLE_MAPPING.model_copy(update={"memo_column": "Memo"})
    lines, problems = read_all(data, mapping)
    assert (lines[0].line, lines[0].payee, lines[0].memo) == (
        2,
        "Smith, J.",
        "line one\r\nline two",
    )
    assert problems == [LineProblem(5, "Amount 'oops' is not an amount with a decimal point")]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_each_line_ending_is_detected_and_counted(ending):
    data = csv_bytes(
        "Date,Payee,Amount", "2026-10-01,A,-1.00", "", "2026-10-02,B,oops", ending=ending
    )
    assert sniff(data).line_ending == ending
    lines, problems = read_all(data, SIMPLE_MAPPING)
    assert [line.line for line in lines] == [2]
    assert [problem.line for problem in problems] == [4]


def test_an_excel_separator_line_is_taken_for_preamble():
    layout = sniff(csv_bytes("sep=;", "Date;Payee;Amount", "2026-10-01;A;-1,00"))
    assert (layout.delimiter, layout.header_line) == (";", 2)


def test_preamble_and_blank_lines_above_the_header_are_skipped():
    data = csv_bytes(
        "Account statement",
        "Account:;DE89 3704 0044 0532 0130 00;",
        "Period:;01.10.2026 - 31.10.2026;",
        "",
        "Datum;Empfänger;Betrag;Saldo",
        "01.10.2026;Miete;-1.200,00;3.800,00",
        "",
        "02.10.2026;Gehalt;12.345,67;16.145,67",
    )
    layout = sniff(data)
    assert (layout.header_line, layout.header) == (5, ("Datum", "Empfänger", "Betrag", "Saldo"))
    lines, problems = read_all(data)
    assert problems == []
    assert [(line.line, line.amount, line.balance) for line in lines] == [
        (6, Decimal("-1200.00"), Decimal("3800.00")),
        (8, Decimal("12345.67"), Decimal("16145.67")),
    ]


def test_a_date_that_does_not_exist_is_named_in_the_files_format():
    data = csv_bytes("Buchungstag;Empfänger;Betrag", "01.02.2026;A;-1,00", "31.02.2026;B;-2,00")
    _, problems = read_all(data)
    assert problems == [LineProblem(3, "Buchungstag '31.02.2026' is not a date in DD.MM.YYYY")]


def test_dates_may_carry_a_time_and_day_first_slashes_are_told_by_which_part_varies():
    data = csv_bytes(
        "Date,Payee,Amount",
        "01/10/2026 08:15,A,-1.00",
        "02/10/2026,B,-1.00",
        "05/10/2026 23:59:59,C,-1.00",
    )
    mapping = suggest_mapping(sniff(data))
    assert mapping is not None
    assert mapping.date_format == DateFormat.DAY_MONTH_YEAR_SLASHES
    lines, _ = read_all(data)
    assert [line.date for line in lines] == [
        date(2026, 10, 1),
        date(2026, 10, 2),
        date(2026, 10, 5),
    ]


def test_blank_rows_and_trailing_empty_fields_are_not_problems():
    data = csv_bytes("Date,Payee,Amount", "2026-10-01,A,-1.00,", ",,", "", "2026-10-02,B,2.00")
    lines, problems = read_all(data, SIMPLE_MAPPING)
    assert problems == []
    assert [line.line for line in lines] == [2, 5]


def test_a_cell_too_long_for_a_message_is_cut_short():
    _, problems = read_all(csv_bytes("Date,Payee,Amount", f"2026-10-01,A,{'9x' * 500}"))
    assert len(problems[0].message) < 120
    assert problems[0].message.endswith("…' is not an amount with a decimal point")


def test_a_quote_that_never_closes_is_refused_rather_than_swallowing_the_file():
    rows = ["2026-10-01,A,-1.00", '2026-10-02,"never closed,-1.00'] + ["x" * 100] * 2000
    data = csv_bytes("Date,Payee,Amount", *rows)
    with pytest.raises(FileRefused, match="line 3: the CSV cannot be read: field larger"):
        read_all(data, SIMPLE_MAPPING)


# Amounts


@pytest.mark.parametrize(
    ("text", "separator", "amount"),
    [
        ("1234.56", ".", "1234.56"),
        ("-0.01", ".", "-0.01"),
        ("+7.5", ".", "7.5"),
        ("1,234.56", ".", "1234.56"),
        ("1,234,567.89", ".", "1234567.89"),
        ("1'234.56", ".", "1234.56"),
        ("1 234.56", ".", "1234.56"),
        ("1.234,56", ",", "1234.56"),
        ("-1.234.567,89", ",", "-1234567.89"),
        ("1 234,56", ",", "1234.56"),
        ("1\u00a0234,56", ",", "1234.56"),
        ("1'234,56", ",", "1234.56"),
        ("12,34-", ",", "-12.34"),
        ("(12.34)", ".", "-12.34"),
        ("$1,234.56", ".", "1234.56"),
        ("-$5.00", ".", "-5.00"),
        ("$-5.00", ".", "-5.00"),
        ("5,00 €", ",", "5.00"),
        ("\u221212.00", ".", "-12.00"),
        (".50", ".", "0.50"),
        ("1234", ",", "1234"),
        ("0.10000000000000000000000000000001", ".", "0.10000000000000000000000000000001"),
    ],
)
def test_amounts_are_read_exactly(text, separator, amount):
    parsed = parse_amount(text, separator)
    assert parsed == Decimal(amount)
    assert str(parsed) == amount


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("", "."),
        ("twelve", "."),
        ("12,34", "."),
        ("12.34", ","),
        ("1,23.45", "."),
        ("1.2.3", "."),
        ("1,234 567.00", "."),
        ("12.", "."),
        ("1e5", "."),
        ("--1", "."),
        ("-(1.00)", "."),
        ("(1.00", "."),
        ("-", "."),
        ("NaN", "."),
        ("\u0661\u0662", "."),
        ("1" + " " * 60 + "x", "."),
    ],
)
def test_things_that_are_not_amounts_are_refused(text, separator):
    assert parse_amount(text, separator) is None


DEBIT_CREDIT = CsvMapping(
    date_column="Date", payee_column="Payee", debit_column="Debit", credit_column="Credit"
)


def test_debit_is_money_out_and_credit_money_in_whatever_sign_the_file_writes():
    data = csv_bytes(
        "Date,Payee,Debit,Credit",
        "2026-10-01,A,12.00,",
        "2026-10-01,B,-3.00,",
        "2026-10-01,C,,5.00",
        "2026-10-01,D,0.00,7.00",
        "2026-10-01,E,0.00,",
    )
    lines, problems = read_all(data, DEBIT_CREDIT)
    assert problems == []
    assert [line.amount for line in lines] == [
        Decimal("-12.00"),
        Decimal("-3.00"),
        Decimal("5.00"),
        Decimal("7.00"),
        Decimal("0"),
    ]


def test_a_row_with_both_or_neither_debit_and_credit_is_a_problem():
    data = csv_bytes("Date,Payee,Debit,Credit", "2026-10-01,A,1.00,2.00", "2026-10-02,B,,")
    lines, problems = read_all(data, DEBIT_CREDIT)
    assert lines == []
    assert problems == [
        LineProblem(
            2,
            "both Debit '1.00' and Credit '2.00' are filled;"
            " a row is money out or money in, not both",
        ),
        LineProblem(3, "neither Debit nor Credit is filled"),
    ]


def test_german_soll_and_haben_columns_are_suggested_as_debit_and_credit():
    data = csv_bytes("Datum;Empfänger;Soll;Haben", "01.10.2026;A;1.234,50;", "02.10.2026;B;;99,00")
    mapping = suggest_mapping(sniff(data))
    assert mapping is not None
    assert (mapping.debit_column, mapping.credit_column, mapping.decimal_separator) == (
        "Soll",
        "Haben",
        ",",
    )
    lines, _ = read_all(data)
    assert [line.amount for line in lines] == [Decimal("-1234.50"), Decimal("99.00")]


def test_negate_amounts_reads_a_file_that_writes_money_out_positive():
    data = csv_bytes("Date,Payee,Amount", "2026-10-01,Coffee,4.50", "2026-10-02,Refund,-2.00")
    mapping = SIMPLE_MAPPING.model_copy(update={"negate_amounts": True})
    lines, _ = read_all(data, mapping)
    assert [line.amount for line in lines] == [Decimal("-4.50"), Decimal("2.00")]


# Mappings


def test_a_mapping_naming_a_missing_column_is_refused_before_reading():
    layout = sniff((DATA / "checking-2026-10.csv").read_bytes())
    mapping = CsvMapping(date_column="Date", payee_column="Payee", amount_column="Amount")
    with pytest.raises(FileRefused, match="column 'Payee' is not in the file's header"):
        read_csv(io.BytesIO(b""), mapping, layout)


def test_a_mapping_validated_against_a_header_refuses_a_missing_column():
    with pytest.raises(ValidationError, match="column 'Betrag' is not in the file's header"):
        CsvMapping.model_validate(
            {"date_column": "Date", "payee_column": "Payee", "amount_column": "Betrag"},
            context={"header": ["Date", "Payee", "Amount"]},
        )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"amount_column": "A", "debit_column": "D", "credit_column": "C"}, "not both"),
        ({"debit_column": "D"}, "both a debit and a credit column"),
        ({}, "name an amount column"),
        ({"amount_column": "Date"}, "column 'Date' is mapped twice"),
        ({"debit_column": "D", "credit_column": "C", "negate_amounts": True}, "amount column only"),
        ({"amount_column": "A", "date_format": "%d-%m-%Y"}, "date_format"),
        ({"amount_column": "A", "colour": "red"}, "colour"),
    ],
)
def test_a_mapping_that_cannot_make_sense_is_refused(fields, reason):
    with pytest.raises(ValidationError, match=reason):
        CsvMapping.model_validate({"date_column": "Date", "payee_column": "Payee", **fields})


def test_no_mapping_is_suggested_when_the_columns_cannot_be_told():
    layout = sniff(csv_bytes("Foo,Bar,Baz", "x,y,z", "u,v,w"))
    assert layout.header_line == 1
    assert suggest_mapping(layout) is None


def test_a_title_row_as_wide_as_the_header_is_not_taken_for_it():
    data = csv_bytes("Checking,Account,Statement", "Date,Payee,Amount", "2026-10-01,A,-1.00")
    assert sniff(data).header == ("Date", "Payee", "Amount")


# Streaming


class EndlessStatement(io.RawIOBase):
    """A CSV file that never ends, to show rows are read as they are needed."""

    def __init__(self) -> None:
        self.rows = (f"2026-10-01,Shop {n},-1.00\n".encode() for n in itertools.count())
        self.pending = b"Date,Payee,Amount\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer):
            self.pending += next(self.rows)
        size = len(buffer)
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def test_rows_are_streamed_not_read_all_at_once():
    stream = EndlessStatement()
    layout = sniff(b"Date,Payee,Amount\n2026-10-01,Shop 0,-1.00\n")
    items = list(itertools.islice(read_csv(io.BufferedReader(stream), SIMPLE_MAPPING, layout), 5))
    assert [item.line for item in items] == [2, 3, 4, 5, 6]


def test_reading_leaves_the_callers_stream_open():
    data = csv_bytes("Date,Payee,Amount", "2026-10-01,A,-1.00")
    stream = io.BytesIO(data)
    assert len(list(read_csv(stream, SIMPLE_MAPPING, sniff(data)))) == 1
    assert not stream.closed


def test_a_layout_from_another_file_is_refused():
    layout = sniff(csv_bytes("Date,Payee,Amount", "2026-10-01,A,-1.00"))
    other = csv_bytes("Datum,Payee,Amount", "2026-10-01,A,-1.00")
    with pytest.raises(FileRefused, match="line 1: this is not the header"):
        list(read_csv(io.BytesIO(other), SIMPLE_MAPPING, layout))


def test_a_layout_is_plain_json_for_a_preview():
    layout = sniff(csv_bytes("Date,Payee,Amount", "2026-10-01,A,-1.00"))
    assert CsvLayout.model_validate_json(layout.model_dump_json()) == layout
    assert layout.sample_rows == (("2026-10-01", "A", "-1.00"),)
