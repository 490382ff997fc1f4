"""camt.053: the sample statement reproduces its figures and the CSV export of the same account;
entity bombs, DTDs, non-XML and other ISO 20022 messages are refused; entries read by local name
whatever the namespace version, signed by CdtDbtInd, booked only, and a bad one is a problem."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from defusedxml import DTDForbidden

from finance.imports.camt_reader import DTD_REFUSED, ENTITIES_REFUSED, read_camt053
from finance.imports.statement import FileRefused, LineProblem

DATA = Path(__file__).parent.parent / "data"
SAMPLE = DATA / "girokonto-2026-10.camt053.xml"
ACCOUNT = "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
BOOKED = "<BookgDt><Dt>2026-10-05</Dt></BookgDt>"


def camt(*entries: str, version: str = "02", account: str = ACCOUNT) -> bytes:
    """A camt.053 document of that version with one statement holding the entries."""
    return document(f"<Stmt><Id>S1</Id>{account}{''.join(entries)}\n</Stmt>", version=version)


def document(statements: str, version: str = "02", message: str = "camt.053") -> bytes:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{message}.001.{version}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{namespace}">\n<BkToCstmrStmt>\n{statements}\n</BkToCstmrStmt>\n'
        "</Document>\n"
    ).encode()


def entry(
    amount: str = "10.00",
    indicator: str = "DBIT",
    *,
    status: str = "<Sts>BOOK</Sts>",
    dates: str = BOOKED,
    currency: str = "EUR",
    body: str = "",
) -> str:
    """One Ntry on a line of its own."""
    return (
        f'\n<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"{status}{dates}{body}</Ntry>"
    )


def tx(party: str = "", *, role: str = "Cdtr", remittance: str = "", refs: str = "") -> str:
    """One TxDtls with a related party, remittance lines and references."""
    parties = f"<RltdPties><{role}><Nm>{party}</Nm></{role}></RltdPties>" if party else ""
    info = f"<RmtInf>{remittance}</RmtInf>" if remittance else ""
    references = f"<Refs>{refs}</Refs>" if refs else ""
    return f"<TxDtls>{references}{parties}{info}</TxDtls>"


def details(*transactions: str) -> str:
    return f"<NtryDtls>{''.join(transactions)}</NtryDtls>"


def entry_lines(data: bytes) -> list[int]:
    """Where each Ntry starts, found in the raw text."""
    text = data.decode()
    return [number for number, line in enumerate(text.splitlines(), 1) if "<Ntry>" in line]


def refusal(data: bytes) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        read_camt053(data)
    return caught.value


def csv_dates_and_amounts() -> list[tuple[date, Decimal]]:
    """The German CSV export of the same account, read with the csv module alone."""
    text = (DATA / "girokonto-2026-10.csv").read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[4][0] == "Buchungstag"
    return [
        (
            datetime.strptime(row[0], "%d.%m.%Y").date(),
            Decimal(row[5].replace(".", "").replace(",", ".")),
        )
        for row in rows[5:]
        if row
    ]


def test_the_sample_reproduces_its_figures():
    statement = read_camt053(SAMPLE.read_bytes())

    assert statement.problems == []
    assert statement.currency == "EUR"
    assert len(statement.lines) == 35
    assert sum(line.amount for line in statement.lines) == Decimal("4074.32")
    assert statement.lines[0].date == date(2026, 10, 1)
    assert statement.lines[-1].date == date(2026, 10, 29)
    # Opening balance 4210.55 plus the entries gives the closing balance the file states.
    assert Decimal("4210.55") + sum(line.amount for line in statement.lines) == Decimal("8284.87")


def test_the_sample_matches_the_csv_export_of_the_same_account():
    statement = read_camt053(SAMPLE.read_bytes())

    camt_rows = [(line.date, line.amount) for line in statement.lines]
    assert camt_rows == csv_dates_and_amounts()


def test_the_sample_gives_party_memo_reference_and_the_line_of_each_entry():
    data = SAMPLE.read_bytes()
    statement = read_camt053(data)

    first, second = statement.lines[:2]
    assert (first.payee, first.memo, first.reference) == (
        "Acme Corp Payroll",
        "Salary 01.10.",
        "2026000000",
    )
    assert (second.payee, second.amount) == ("Comcast Cable", Decimal("-89.99"))
    assert [line.line for line in statement.lines] == entry_lines(data)
    assert all(line.balance is None for line in statement.lines)


def test_an_entity_bomb_is_refused_without_expanding():
    """(How fast: benchmarks/hostile_files.py.)"""
    data = (DATA / "malformed" / "billion-laughs.xml").read_bytes()
    refused = refusal(data)
    assert refused.message == ENTITIES_REFUSED
    # Refused by the DOCTYPE handler, before any entity is declared, let alone expanded.
    assert isinstance(refused.__cause__, DTDForbidden)


@pytest.mark.parametrize(
    "doctype",
    ["<!DOCTYPE Document>", '<!DOCTYPE Document SYSTEM "file:///etc/passwd">'],
)
def test_any_dtd_is_refused(doctype):
    data = camt(entry()).replace(b"<Document", doctype.encode() + b"\n<Document", 1)

    assert refusal(data).message == DTD_REFUSED


def test_an_undeclared_entity_is_refused_as_broken_xml():
    data = camt(entry(body="<AddtlNtryInf>&xxe;</AddtlNtryInf>"))

    assert "undefined entity" in refusal(data).message


def test_not_xml_is_refused_with_its_line():
    refused = refusal((DATA / "malformed" / "not-xml.xml").read_bytes())

    assert refused.message.startswith("not an XML file")
    assert refused.line == 1


def test_binary_noise_is_refused():
    assert refusal(bytes(range(256))).message.startswith("not an XML file")


@pytest.mark.parametrize("data", [b"", b"  \r\n\n"])
def test_an_empty_file_is_refused(data):
    assert refusal(data).message == "the file is empty"


@pytest.mark.parametrize(
    ("message", "body", "named"),
    [
        ("camt.052", "BkToCstmrAcctRpt", "'BkToCstmrAcctRpt'"),
        ("camt.054", "BkToCstmrDbtCdtNtfctn", "'BkToCstmrDbtCdtNtfctn'"),
        ("pain.001", "CstmrCdtTrfInitn", "'CstmrCdtTrfInitn'"),
        ("camt.052", "BkToCstmrStmt", "camt.052.001.02"),
    ],
)
def test_other_iso_20022_messages_are_refused(message, body, named):
    data = document("<Stmt/>", message=message).replace(b"BkToCstmrStmt", body.encode())

    refused = refusal(data)

    assert refused.message.startswith("not a camt.053 statement (root element 'Document'")
    assert named in refused.message


def test_another_xml_document_is_refused():
    refused = refusal(b"<OFX><BANKMSGSRSV1/></OFX>")

    assert refused.message == "not a camt.053 statement (root element 'OFX')"


def test_a_statement_document_without_a_statement_is_refused():
    data = document("")

    assert "no statement" in refusal(data).message


def test_a_statement_without_entries_reads_as_no_lines():
    statement = read_camt053(camt())

    assert (statement.lines, statement.problems, statement.currency) == ([], [], "EUR")


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08"])
def test_every_namespace_version_reads(version):
    statement = read_camt053(camt(entry("12.50", "CRDT"), version=version))

    assert [line.amount for line in statement.lines] == [Decimal("12.50")]


def test_a_version_08_statement_reads_party_under_pty_and_booking_date_time():
    booked = "<BookgDt><DtTm>2026-10-07T23:30:00+02:00</DtTm></BookgDt>"
    party = "<RltdPties><Cdtr><Pty><Nm>Stadtwerke  München</Nm></Pty></Cdtr></RltdPties>"
    lines = "<Ustrd>Abschlag</Ustrd><Ustrd>Oktober 2026</Ustrd>"
    transaction = f"<TxDtls>{party}<RmtInf>{lines}</RmtInf></TxDtls>"
    data = camt(entry("75.00", dates=booked, body=details(transaction)), version="08")

    [line] = read_camt053(data).lines

    assert line.date == date(2026, 10, 7)
    assert line.amount == Decimal("-75.00")
    assert line.payee == "Stadtwerke München"
    assert line.memo == "Abschlag Oktober 2026"


def test_a_prefixed_namespace_reads():
    data = camt(entry()).replace(b"<", b"<c:").replace(b"<c:/", b"</c:").replace(b"<c:?", b"<?")
    data = data.replace(b' xmlns="', b' xmlns:c="')

    assert len(read_camt053(data).lines) == 1


def test_a_debit_and_a_credit_take_their_signs_and_counterparties():
    debit = entry("40.10", "DBIT", body=details(tx("Bäckerei Schmidt", role="Cdtr")))
    credit = entry("1200", "CRDT", body=details(tx("Arbeitgeber GmbH", role="Dbtr")))
    data = camt(debit, credit)

    statement = read_camt053(data)

    assert [(line.amount, line.payee) for line in statement.lines] == [
        (Decimal("-40.10"), "Bäckerei Schmidt"),
        (Decimal("1200"), "Arbeitgeber GmbH"),
    ]
    assert [line.line for line in statement.lines] == entry_lines(data)


def test_the_account_holder_is_never_taken_for_the_payee():
    own = "<RltdPties><Dbtr><Nm>Erika Mustermann</Nm></Dbtr></RltdPties>"
    info = "<AddtlNtryInf>KARTENZAHLUNG</AddtlNtryInf>"
    data = camt(entry("5.00", "DBIT", body=f"{info}<NtryDtls><TxDtls>{own}</TxDtls></NtryDtls>"))

    assert read_camt053(data).lines[0].payee == "KARTENZAHLUNG"


def test_a_reversal_names_the_other_party_of_the_original_payment():
    returned = details(tx("Kunde AG", role="Dbtr"))
    data = camt(entry("30.00", "DBIT", body=f"<RvslInd>true</RvslInd>{returned}"))

    [line] = read_camt053(data).lines

    assert (line.amount, line.payee) == (Decimal("-30.00"), "Kunde AG")


@pytest.mark.parametrize(
    "status", ["<Sts>PDNG</Sts>", "<Sts>INFO</Sts>", "<Sts><Cd>PDNG</Cd></Sts>"]
)
def test_an_entry_not_booked_is_skipped(status):
    data = camt(entry("1.00"), entry("99.00", status=status), entry("2.00"))

    statement = read_camt053(data)

    assert [line.amount for line in statement.lines] == [Decimal("-1.00"), Decimal("-2.00")]
    assert statement.problems == []


@pytest.mark.parametrize("status", ["<Sts><Cd>BOOK</Cd></Sts>", "<Sts> book </Sts>", ""])
def test_a_booked_entry_reads_in_any_status_form(status):
    assert len(read_camt053(camt(entry(status=status))).lines) == 1


@pytest.mark.parametrize(
    ("amount", "indicator", "dates", "problem"),
    [
        ("12,50", "DBIT", BOOKED, "the amount '12,50' is not a positive decimal number"),
        ("-3.00", "DBIT", BOOKED, "the amount '-3.00' is not a positive decimal number"),
        ("1e3", "CRDT", BOOKED, "the amount '1e3' is not a positive decimal number"),
        ("", "CRDT", BOOKED, "the amount '' is not a positive decimal number"),
        ("3.00", "DEBIT", BOOKED, "the credit/debit indicator 'DEBIT' is neither CRDT nor DBIT"),
        ("3.00", "DBIT", "<BookgDt><Dt>2026-02-30</Dt></BookgDt>", "not a valid date"),
        ("3.00", "DBIT", "<BookgDt><Dt>30.10.2026</Dt></BookgDt>", "not a valid date"),
        ("3.00", "DBIT", "", "neither a booking date (BookgDt) nor a value date (ValDt)"),
    ],
)
def test_a_bad_entry_is_a_problem_with_its_line(amount, indicator, dates, problem):
    data = camt(entry("1.00"), entry(amount, indicator, dates=dates), entry("2.00"))

    statement = read_camt053(data)

    assert [line.amount for line in statement.lines] == [Decimal("-1.00"), Decimal("-2.00")]
    [found] = statement.problems
    assert found.line == entry_lines(data)[1]
    assert problem in found.message


def test_an_entry_in_another_currency_is_a_problem():
    data = camt(entry("1.00"), entry("5.00", currency="USD"))

    statement = read_camt053(data)

    assert len(statement.lines) == 1
    assert statement.problems == [
        LineProblem(entry_lines(data)[1], "the amount is in USD, but the statement is in EUR")
    ]


def test_without_an_account_currency_the_first_entry_names_it():
    data = camt(entry(currency="CHF"), entry(currency="EUR"), account="")

    statement = read_camt053(data)

    assert statement.currency == "CHF"
    assert [problem.message for problem in statement.problems] == [
        "the amount is in EUR, but the statement is in CHF"
    ]


def test_the_value_date_stands_in_for_a_missing_booking_date():
    data = camt(entry(dates="<ValDt><Dt>2026-10-09</Dt></ValDt>"))

    assert read_camt053(data).lines[0].date == date(2026, 10, 9)


def test_a_batch_entry_is_one_line_with_the_entry_total():
    batch = details(
        tx("Anna", remittance="<Ustrd>Lohn 10/2026</Ustrd>"),
        tx("Ben", remittance="<Ustrd>Lohn 10/2026</Ustrd>"),
        tx("Cem", remittance="<Ustrd>Spesen</Ustrd>"),
    )
    data = camt(entry("3000.00", body=f"<AcctSvcrRef>B-1</AcctSvcrRef>{batch}"))

    [line] = read_camt053(data).lines

    assert line.amount == Decimal("-3000.00")
    assert line.payee == "batch of 3 transactions"
    assert line.memo == "Lohn 10/2026; Spesen"
    assert line.reference == "B-1"


def test_a_batch_entry_takes_its_additional_information_as_payee():
    batch = details(tx("Anna"), tx("Ben"))
    info = "<AddtlNtryInf>SAMMLER-UEBERWEISUNG</AddtlNtryInf>"

    [line] = read_camt053(camt(entry("10.00", body=f"{info}{batch}"))).lines

    assert line.payee == "SAMMLER-UEBERWEISUNG"


@pytest.mark.parametrize(
    ("entry_ref", "refs", "reference"),
    [
        ("<AcctSvcrRef>BANK-1</AcctSvcrRef>", "<EndToEndId>E2E-1</EndToEndId>", "BANK-1"),
        ("", "<AcctSvcrRef>TX-1</AcctSvcrRef><EndToEndId>E2E-1</EndToEndId>", "TX-1"),
        ("", "<EndToEndId>E2E-1</EndToEndId>", "E2E-1"),
        ("", "<EndToEndId>NOTPROVIDED</EndToEndId>", ""),
        ("", "", ""),
    ],
)
def test_the_reference_falls_back_to_the_end_to_end_id(entry_ref, refs, reference):
    data = camt(entry(body=f"{entry_ref}{details(tx('Shop', refs=refs))}"))

    assert read_camt053(data).lines[0].reference == reference


def test_statements_of_one_account_read_together():
    first = f"<Stmt><Id>S1</Id>{ACCOUNT}{entry('1.00')}</Stmt>"
    second = f"<Stmt><Id>S2</Id>{ACCOUNT}{entry('2.00')}</Stmt>"

    statement = read_camt053(document(first + "\n" + second))

    assert [line.amount for line in statement.lines] == [Decimal("-1.00"), Decimal("-2.00")]


def test_statements_of_two_accounts_are_refused():
    other = ACCOUNT.replace("DE89370400440532013000", "DE02120300000000202051")
    first = f"<Stmt><Id>S1</Id>{ACCOUNT}{entry('1.00')}</Stmt>"
    second = f"<Stmt><Id>S2</Id>{other}{entry('2.00')}</Stmt>"

    refused = refusal(document(first + second))

    assert "2 accounts" in refused.message
    assert "DE02120300000000202051 EUR" in refused.message


def test_blank_lines_before_the_declaration_keep_line_numbers_true():
    data = b"\n\n" + camt(entry())

    assert [line.line for line in read_camt053(data).lines] == entry_lines(data)
