"""Which reader a file needs, and a file opened for reading: its lines, as often as needed."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO, Self

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


LineSource = Callable[[], Iterator[StatementLine | LineProblem]]
"""A file's lines and unreadable lines, read from the file's start each time it is called."""


@dataclass(frozen=True)
class OpenedFile:
    """A bank file ready to be read as often as the importer needs (`lines`): its name and
    format, the currency it says it is in, and for a CSV the layout and mapping it is read
    with."""

    name: str
    file_format: FileFormat
    lines: LineSource
    currency: str | None = None
    layout: CsvLayout | None = None
    mapping: CsvMapping | None = None

    @classmethod
    def of_statement(cls, name: str, file_format: FileFormat, statement: Statement) -> Self:
        """A statement already read whole."""
        items: list[StatementLine | LineProblem] = [*statement.problems, *statement.lines]
        return cls(name, file_format, lambda: iter(items), statement.currency)


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


def open_file(
    name: str,
    head: bytes,
    open_binary: Callable[[], AbstractContextManager[BinaryIO]],
    file_format: FileFormat,
    mapping: CsvMapping | None = None,
) -> OpenedFile:
    """A file to read, given its first bytes and a way to open it from the start. OFX, QIF and
    camt are read whole here; a CSV is read a line at a time each time its lines are asked
    for, with `mapping` or else the one its header suggests. `FileRefused` if it cannot be
    read at all; `MappingNeeded` for a CSV whose columns must be chosen."""
    if file_format is not FileFormat.CSV:
        with open_binary() as file:
            statement = READERS[file_format](file.read())
        return OpenedFile.of_statement(name, file_format, statement)
    layout = sniff(head)
    chosen = mapping or suggest_mapping(layout)
    if chosen is None:
        raise MappingNeeded(layout)

    def lines() -> Iterator[StatementLine | LineProblem]:
        with open_binary() as file:
            yield from read_csv(file, chosen, layout)

    return OpenedFile(name, file_format, lines, layout=layout, mapping=chosen)


READERS: dict[FileFormat, Callable[[bytes], Statement]] = {
    FileFormat.OFX: read_ofx,
    FileFormat.QIF: read_qif,
    FileFormat.CAMT: read_camt053,
}
