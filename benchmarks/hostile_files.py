"""How fast the readers refuse or read hostile bank files: entity bombs (OFX 2 and camt.053),
an unclosed CDATA section, and thousands of CDATA sections on one line, each of which a careless
parser would expand or rescan without end.

    .venv/bin/python benchmarks/hostile_files.py

Prints each file's time (the median of five runs) beside the most it should take; a reader that
expands or rescans takes seconds to minutes instead. The tests check what each is read as.
"""

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from finance.imports.camt_reader import read_camt053
from finance.imports.ofx_reader import read_ofx
from finance.imports.statement import FileRefused, Statement

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
ENTITY_BOMB = (
    '<!DOCTYPE OFX [<!ENTITY e0 "aaaaaaaaaa">'
    + "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 9))
    + "]>\n"
)
SGML_TRANSACTION = (
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261005<TRNAMT>-10.00<FITID>F{n}"
    "<NAME><![CDATA[SHOP {n}]]></STMTTRN>"
)


def ofx_entity_bomb() -> bytes:
    qfx = (DATA / "creditcard-2026-10.qfx").read_text(encoding="utf-8")
    return (
        qfx.replace("<OFX>", ENTITY_BOMB + "<OFX>", 1).replace("Shell Oil 5739", "&e8;", 1).encode()
    )


def cdata_on_one_line() -> bytes:
    body = "".join(SGML_TRANSACTION.format(n=n) for n in range(3000))
    return (
        "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKTRANLIST>"
        f"{body}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
    ).encode()


def unclosed_cdata() -> bytes:
    return ("<OFX>" + "<NAME><![CDATA[x" * 20000 + "</OFX>").encode()


CASES: list[tuple[str, Callable[[bytes], Statement], Callable[[], bytes], float]] = [
    ("OFX 2 with an entity bomb", read_ofx, ofx_entity_bomb, 0.5),
    ("OFX with 3,000 CDATA sections on one line", read_ofx, cdata_on_one_line, 1.0),
    ("OFX with a CDATA section never closed", read_ofx, unclosed_cdata, 0.5),
    (
        "camt.053 with an entity bomb",
        read_camt053,
        lambda: (DATA / "malformed" / "billion-laughs.xml").read_bytes(),
        0.2,
    ),
]


def outcome(reader: Callable[[bytes], Statement], data: bytes) -> str:
    """What `reader` makes of `data`: how many lines it read, or why it refused it."""
    try:
        return f"{len(reader(data).lines)} lines read"
    except FileRefused as refused:
        return f"refused: {refused}"


def seconds_to_read(reader: Callable[[bytes], Statement], data: bytes) -> float:
    """How long `reader` takes to read or refuse `data`."""
    started = time.perf_counter()
    outcome(reader, data)
    return time.perf_counter() - started


def main() -> None:
    """Time every case and print it beside its limit."""
    for name, reader, make, limit in CASES:
        data = make()
        taken = statistics.median(seconds_to_read(reader, data) for _ in range(5))
        verdict = "ok" if taken <= limit else "TOO SLOW"
        print(
            f"{name}: {outcome(reader, data)}, in {taken * 1000:.1f} ms"
            f" (at most {limit * 1000:.0f} ms) {verdict}"
        )


if __name__ == "__main__":
    main()
