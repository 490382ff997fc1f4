"""Which reader a file needs, and reading it into one `Statement`."""

import io
from dataclasses import dataclass
from enum import StrEnum

from finance.imports.camt_reader import read_camt053
from finance.imports.csv_reader import CsvLayout, CsvMapping, read_csv, sniff, suggest_mapping
from finance.imports.ofx_reader import read_ofx
from finance.imports.qif_reader import read_qif
from finance.imports.statement import FileRefused, LineProblem, Statement, StatementLine


class FileFormat(StrEnum):
    """The bank file formats the importer reads."""

    CSV = "csv"
    OFX = "ofx"
    QIF = "qif"
    CAMT = "camt"


@dataclass(frozen=True)
class ReadFile:
    """A file read: its format, its statement, and for a CSV the layout and mapping used."""

    file_format: FileFormat
    statement: Statement
    layout: CsvLayout | None = None
    mapping: CsvMapping | None = None


class MappingNeeded(FileRefused):
    """A CSV whose columns could not be guessed: the user must say which holds what."""

    def __init__(self, layout: CsvLayout) -> None:
        super().__init__(
            "choose which column holds the date, the payee and the amount "
            "(or the debit and the credit)"
        )
        self.layout = layout


def detect_format(filename: str, data: bytes) -> FileFormat:
    """The format from the file's start, else its name; CSV when nothing else fits."""
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    name = filename.lower()
    if start.startswith(b"OFXHEADER") or b"<OFX>" in start or name.endswith((".ofx", ".qfx")):
        return FileFormat.OFX
    if start.startswith(b"!TYPE:") or start.startswith(b"!OPTION") or name.endswith(".qif"):
        return FileFormat.QIF
    if start.startswith(b"<?XML") or b"CAMT.053" in start or name.endswith(".xml"):
        return FileFormat.CAMT
    return FileFormat.CSV


def read_file(data: bytes, file_format: FileFormat, mapping: CsvMapping | None = None) -> ReadFile:
    """Read a whole file (`FileRefused` if it cannot be read at all; `MappingNeeded` for a CSV
    whose columns must be chosen)."""
    if file_format is FileFormat.OFX:
        return ReadFile(file_format, read_ofx(data))
    if file_format is FileFormat.QIF:
        return ReadFile(file_format, read_qif(data))
    if file_format is FileFormat.CAMT:
        return ReadFile(file_format, read_camt053(data))
    layout = sniff(data)
    chosen = mapping or suggest_mapping(layout)
    if chosen is None:
        raise MappingNeeded(layout)
    lines: list[StatementLine] = []
    problems: list[LineProblem] = []
    for item in read_csv(io.BytesIO(data), chosen, layout):
        if isinstance(item, StatementLine):
            lines.append(item)
        else:
            problems.append(item)
    if not lines and not problems:
        raise FileRefused("the file holds no transactions under its header")
    return ReadFile(file_format, Statement(lines, problems), layout, chosen)
