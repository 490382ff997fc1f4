"""OFX/QFX: the samples reproduce their figures and the CSV exports of the same accounts; each
transaction keeps its FITID and the line it starts on; headers are read leniently for the encoding;
truncated, non-OFX, multi-account and entity-declaring files are refused with a clear message; a bad
transaction is a problem, not a refusal."""

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finance.imports.ofx_reader import read_ofx
from finance.imports.statement import FileRefused, LineProblem

DATA = Path(__file__).parent.parent / "data"
CHECKING = DATA / "checking-2026-10.ofx"
CREDIT_CARD = DATA / "creditcard-2026-10.qfx"

SGML_HEADER = (
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n"
    "CHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
)
XML_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
)
ENTITY_BOMB = (
    '<!DOCTYPE OFX [<!ENTITY e0 "aaaaaaaaaa">'
    + "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 9))
    + "]>\n"
)


def sgml(*transactions: str, header: str = SGML_HEADER, statement: str = "STMTRS") -> str:
    """An OFX 1 bank (or other) statement holding the SGML transactions, one per string."""
    body = "".join(f"<STMTTRN>\r\n{t}</STMTTRN>\r\n" for t in transactions)
    return (
        f"{header}<OFX>\r\n<BANKMSGSRSV1>\r\n<STMTTRNRS>\r\n<{statement}>\r\n<CURDEF>USD\r\n"
        f"<BANKTRANLIST>\r\n{body}</BANKTRANLIST>\r\n</{statement}>\r\n</STMTTRNRS>\r\n"
        "</BANKMSGSRSV1>\r\n</OFX>\r\n"
    )


def transaction(
    amount: str = "-10.00", posted: str = "20261005", name: str = "SHOP", more: str = ""
) -> str:
    """The fields of one SGML STMTTRN, without closing tags."""
    return (
        f"<TRNTYPE>DEBIT\r\n<DTPOSTED>{posted}\r\n<TRNAMT>{amount}\r\n<FITID>F1\r\n"
        f"<NAME>{name}\r\n{more}"
    )


def refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as refused:
        read_ofx(data)
    return str(refused.value)


@pytest.mark.parametrize(
    ("path", "count", "net", "first", "last"),
    [
        (CHECKING, 73, Decimal("2029.45"), date(2026, 10, 1), date(2026, 10, 31)),
        (CREDIT_CARD, 30, Decimal("-1545.08"), date(2026, 10, 2), date(2026, 10, 30)),
    ],
)
def test_samples_reproduce_their_figures(path, count, net, first, last):
    statement = read_ofx(path.read_bytes())
    assert len(statement.lines) == count
    assert sum(line.amount for line in statement.lines) == net
    assert statement.lines[0].date == first
    assert statement.lines[-1].date == last
    assert statement.problems == []
    assert statement.currency == "USD"


def test_checking_matches_the_csv_export_of_the_same_account():
    with (DATA / "checking-2026-10.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    lines = read_ofx(CHECKING.read_bytes()).lines
    assert [line.date.isoformat() for line in lines] == [row["Date"] for row in rows]
    assert [line.amount for line in lines] == [Decimal(row["Amount"]) for row in rows]
    # The OFX writes names in capitals; otherwise they agree, `&amp;` unescaped.
    assert [line.payee.casefold() for line in lines] == [
        row["Description"].casefold() for row in rows
    ]
    assert lines[5].payee == "PG&E WEB ONLINE"


def test_credit_card_matches_the_csv_export_with_debit_as_money_out():
    with (DATA / "creditcard-2026-10.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    expected = [Decimal(row["Credit"] or "0") - Decimal(row["Debit"] or "0") for row in rows]
    lines = read_ofx(CREDIT_CARD.read_bytes()).lines
    assert [line.amount for line in lines] == expected
    assert [line.date.strftime("%m/%d/%Y") for line in lines] == [
        row["Transaction Date"] for row in rows
    ]
    assert [line.payee.casefold() for line in lines] == [
        row["Description"].casefold() for row in rows
    ]


@pytest.mark.parametrize("path", [CHECKING, CREDIT_CARD])
def test_every_transaction_keeps_its_fitid_and_starting_line(path):
    raw = path.read_bytes().decode("ascii")
    lines = read_ofx(path.read_bytes()).lines
    assert [line.reference for line in lines] == re.findall(r"<FITID>([^<\r\n]+)", raw)
    assert len({line.reference for line in lines}) == len(lines)
    starts = [n for n, text in enumerate(raw.splitlines(), start=1) if "<STMTTRN>" in text]
    assert [line.line for line in lines] == starts
    assert lines[0].line == (39 if path == CHECKING else 8)


def test_checking_memo_is_read():
    first = read_ofx(CHECKING.read_bytes()).lines[0]
    assert (first.payee, first.memo, first.category) == ("ACME CORP PAYROLL", "Salary", "")


def test_truncated_file_is_refused_at_the_open_transaction():
    message = refusal((DATA / "malformed" / "truncated.ofx").read_bytes())
    assert message == "line 11: the file ends in the middle of a transaction (truncated?)"


def test_file_cut_between_transactions_is_refused():
    data = sgml(transaction()).split("</BANKTRANLIST>")[0].encode()
    assert "truncated" in refusal(data)


def test_transaction_without_closing_tag_is_refused():
    data = sgml(transaction(), transaction()).replace("</STMTTRN>", "", 1).encode()
    assert refusal(data) == "line 17: this transaction has no closing </STMTTRN>"


@pytest.mark.parametrize(
    "data",
    [
        (DATA / "checking-2026-10.csv").read_bytes(),
        (DATA / "malformed" / "binary.csv").read_bytes(),
        (DATA / "malformed" / "not-xml.xml").read_bytes(),
        b'<?xml version="1.0"?><Document><BkToCstmrStmt/></Document>',
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_non_ofx_input_is_refused(data):
    assert refusal(data) == "not an OFX file (it has no <OFX> element)"


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n"])
def test_empty_file_is_refused(data):
    assert refusal(data) == "the file is empty"


def test_entity_declaration_in_ofx_2_is_refused():
    """(How fast: benchmarks/hostile_files.py.)"""
    qfx = CREDIT_CARD.read_text(encoding="utf-8")
    hostile = qfx.replace("<OFX>", ENTITY_BOMB + "<OFX>", 1).replace("Shell Oil 5739", "&e8;", 1)
    message = refusal(hostile.encode())
    assert "entity-expansion" in message


@pytest.mark.parametrize(
    "declaration", ['<!DOCTYPE OFX SYSTEM "file:///etc/passwd">\n', '<!ENTITY x "y">\n']
)
def test_any_dtd_is_refused(declaration):
    data = XML_HEADER + declaration + sgml(transaction(), header="")
    assert "DTD or XML entities" in refusal(data.encode())


def test_billion_laughs_sample_is_refused():
    assert "entity" in refusal((DATA / "malformed" / "billion-laughs.xml").read_bytes())


@pytest.mark.parametrize(
    ("header", "encoding"),
    [
        (SGML_HEADER, "cp1252"),
        (SGML_HEADER.replace("CHARSET:1252", "CHARSET:NONE"), "cp1252"),
        (SGML_HEADER.replace("USASCII", "UTF-8").replace("1252", "NONE"), "utf-8"),
        (SGML_HEADER.replace("CHARSET:1252", "CHARSET:ISO-8859-1"), "latin-1"),
    ],
)
def test_sgml_text_is_decoded_as_the_header_says_or_as_cp1252(header, encoding):
    data = sgml(transaction(name="CAFÉ MÜLLER"), header=header).encode(encoding)
    assert read_ofx(data).lines[0].payee == "CAFÉ MÜLLER"


def test_ofx_2_is_decoded_as_its_declaration_says():
    data = XML_HEADER + sgml(transaction(name="Café &amp; Bäckerei"), header="")
    assert read_ofx(data.encode("utf-8")).lines[0].payee == "Café & Bäckerei"


def test_short_or_missing_header_and_lf_line_ends_are_accepted():
    short = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n"
    for header in (short, ""):
        data = sgml(transaction(), header=header).replace("\r\n", "\n")
        statement = read_ofx(data.encode())
        assert statement.lines[0].amount == Decimal("-10.00")
        assert statement.lines[0].line == header.count("\n") + 7


def test_credit_card_statement_in_ofx_1_and_xml_closing_tags_in_sgml():
    data = sgml(
        "<TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261005</DTPOSTED><TRNAMT>-1.50</TRNAMT>"
        "<FITID>X9</FITID><NAME>KIOSK</NAME>",
        statement="CCSTMTRS",
    )
    line = read_ofx(data.encode()).lines[0]
    assert (line.amount, line.reference, line.payee) == (Decimal("-1.50"), "X9", "KIOSK")


def test_payee_aggregate_private_tags_and_long_names_are_read_without_warnings():
    payee = transaction(name="x", more="<INTU.BID>3000\r\n").replace(
        "<NAME>x\r\n", "<PAYEE>\r\n<NAME>CITY OF SPRINGFIELD WATER UTILITY\r\n</PAYEE>\r\n"
    )
    long_name = transaction(name="A MERCHANT NAME FAR LONGER THAN THIRTY-TWO CHARACTERS")
    lines = read_ofx(sgml(payee, long_name).encode()).lines  # warnings are errors here
    assert lines[0].payee == "CITY OF SPRINGFIELD WATER UTILITY"
    assert lines[1].payee == "A MERCHANT NAME FAR LONGER THAN THIRTY-TWO CHARACTERS"


def test_time_zone_never_moves_the_date():
    data = sgml(transaction(posted="20261031220000.000[-5:EST]"))
    assert read_ofx(data.encode()).lines[0].date == date(2026, 10, 31)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("+3150.00", "3150.00"), ("-0.10", "-0.10"), ("-47,77", "-47.77"), (".5", "0.5")],
)
def test_amounts_are_exact_and_keep_their_sign(amount, expected):
    line = read_ofx(sgml(transaction(amount=amount)).encode()).lines[0]
    assert line.amount == Decimal(expected)
    assert str(line.amount) == expected


def test_bad_transactions_are_problems_and_the_rest_is_read():
    data = sgml(
        transaction(posted="20261345"),
        transaction(amount="12.3.4"),
        transaction(amount="NaN"),
        transaction().replace("<DTPOSTED>20261005\r\n", ""),
        transaction(more="<CURRENCY>\r\n<CURRATE>1.1\r\n<CURSYM>EUR\r\n</CURRENCY>\r\n"),
        transaction(amount="-3.00"),
    )
    statement = read_ofx(data.encode())
    assert [line.amount for line in statement.lines] == [Decimal("-3.00")]
    assert statement.problems == [
        LineProblem(17, "DTPOSTED '20261345' is not a date (YYYYMMDD…)"),
        LineProblem(24, "TRNAMT '12.3.4' is not an amount"),
        LineProblem(31, "TRNAMT 'NaN' is not an amount"),
        LineProblem(38, "the transaction has no date (DTPOSTED)"),
        LineProblem(44, "the amount is in EUR, not in the statement's currency (USD)"),
    ]


def test_several_statements_are_refused():
    single = sgml(transaction())
    inner = single[single.index("<BANKMSGSRSV1>") : single.index("</OFX>")]
    data = single.replace("</OFX>", inner + "</OFX>")
    assert "2 statements" in refusal(data.encode())


def test_investment_statement_is_refused():
    data = sgml(transaction(), statement="INVSTMTRS")
    assert refusal(data.encode()) == "investment statements are not supported"


def test_statement_without_transactions_is_refused():
    assert refusal(sgml().encode()) == "the statement holds no transactions"


def test_stray_text_is_refused_with_its_line():
    data = sgml(transaction()).replace("</BANKTRANLIST>", "</BANKTRANLIST>stray")
    assert refusal(data.encode()) == ("line 24: broken OFX markup (stray text or unbalanced tags)")


def test_cdata_is_read_as_text():
    data = sgml(transaction(name="<![CDATA[AT&T <WIRELESS>]]>", more="<MEMO><![CDATA[&amp;]]>\r\n"))
    line = read_ofx(data.encode()).lines[0]
    assert (line.payee, line.memo) == ("AT&T <WIRELESS>", "&amp;")


def test_cdata_on_one_long_line_is_read():
    """(How fast: benchmarks/hostile_files.py.)"""
    names = [transaction(name=f"<![CDATA[SHOP {n}]]>") for n in range(3000)]
    data = sgml(*names, header="").replace("\r\n", "").encode()
    lines = read_ofx(data).lines
    assert [line.payee for line in lines] == [f"SHOP {n}" for n in range(3000)]
    assert {line.line for line in lines} == {1}


def test_unclosed_cdata_is_refused():
    """(How fast: benchmarks/hostile_files.py.)"""
    data = "<OFX>" + "<NAME><![CDATA[x" * 20000 + "</OFX>"
    assert refusal(data.encode()) == "a CDATA section is never closed"


def test_a_statement_without_a_currency_takes_each_lines_own():
    read = read_ofx((DATA / "others" / "ofxparse-v102-empty-tags.ofx").read_bytes())
    assert read.currency is None and read.problems == []
    assert [(line.amount, line.currency) for line in read.lines] == [(Decimal("12.34"), "AUD")]
