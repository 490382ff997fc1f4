"""How the import API shows a preview and a batch."""

from datetime import date, datetime
from typing import Any, Literal

from fastapi import UploadFile
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from finance.imports.formats import FileFormat
from finance.schemas import OutputModel, RowId

PREVIEW_LINE: dict[str, JsonValue] = {
    "line": 2,
    "date": "2026-10-01",
    "amount": "-47.77",
    "payee": "Shell Oil 5739",
    "memo": "",
    "category_id": 4,
    "duplicate": False,
    "match": None,
}
BATCH: dict[str, JsonValue] = {
    "id": 1,
    "account_id": 1,
    "filename": "checking-2026-10.csv",
    "file_format": "csv",
    "added": 73,
    "duplicates": 0,
    "created_at": "2026-11-01T09:30:00Z",
    "undone_at": None,
    "left_out": [],
}


class ImportUpload(BaseModel):
    """A bank file for an account, as `multipart/form-data`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"account_id": 1, "format": "csv"}]},
    )

    file: UploadFile
    account_id: RowId = Field(description="The account the file belongs to.")
    file_format: FileFormat | None = Field(
        default=None, alias="format", description="Detected from the file if left out."
    )
    mapping: str | None = Field(
        default=None,
        description="For a CSV: which column holds what, as JSON (see the preview's `csv`).",
    )
    import_anyway: list[int] = Field(
        default_factory=list,
        description="Lines (numbers) probably imported already to import all the same.",
    )
    keep_separate: list[int] = Field(
        default_factory=list,
        description="Lines (numbers) matched as a transfer to import as lines of their own.",
    )
    skip_problem_lines: bool = Field(
        default=False,
        description="Confirming: leave out the lines the preview lists as `problems` (the batch "
        "records them in `left_out`) and import the rest.",
    )
    move_opening_date: bool = Field(
        default=False,
        description="Confirming: move the account's opening date back to the file's "
        "`first_date`, in the same commit, when lines are dated before it.",
    )


class LineProblemRead(OutputModel):
    """A line of the file that cannot be imported, and why."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"line": 3, "message": "'twelve' is not an amount"}]}
    )

    line: int
    message: str
    text: str
    """The line as the file wrote it, where the reader has it (else empty)."""


class LineMatchRead(OutputModel):
    """What the ledger already holds of a line its key does not recognise:
    `probably_imported`, the account's transaction it probably is (skipped unless the line is
    in `import_anyway`); or `transfer`, the other side in `account_id` that the line joins as
    one transfer (unless it is in `keep_separate`; `transaction_id` null: the file's category
    names the account, and a new transfer is made)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "transfer",
                    "transaction_id": 12,
                    "payee": "Visa payment",
                    "account_id": 2,
                    "account_name": "Visa",
                }
            ]
        },
    )

    kind: Literal["probably_imported", "transfer"]
    transaction_id: int | None
    payee: str
    account_id: int | None
    account_name: str


class PreviewLineRead(OutputModel):
    """A line as it would be imported; `duplicate` lines are already in the account."""

    model_config = ConfigDict(json_schema_extra={"examples": [PREVIEW_LINE]})

    line: int
    date: date
    amount: str
    payee: str
    memo: str
    category_id: int | None
    duplicate: bool
    match: LineMatchRead | None


class CsvLayoutRead(OutputModel):
    """What the CSV looks like, so its columns can be mapped."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "header": ["Date", "Description", "Amount", "Balance"],
                    "sample_rows": [["2026-10-01", "Shell Oil 5739", "-47.77", "4622.23"]],
                    "mapping": {
                        "date_column": "Date",
                        "payee_column": "Description",
                        "amount_column": "Amount",
                        "balance_column": "Balance",
                        "date_format": "%Y-%m-%d",
                        "decimal_separator": ".",
                    },
                }
            ]
        }
    )

    header: list[str]
    sample_rows: list[list[str]]
    mapping: dict[str, Any]


class ImportPreviewRead(OutputModel):
    """What confirming this file would do; nothing has been written."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_id": 1,
                    "filename": "checking-2026-10.csv",
                    "file_format": "csv",
                    "currency": "USD",
                    "line_count": 1,
                    "new": 1,
                    "duplicates": 0,
                    "probably_imported": 0,
                    "transfers": 0,
                    "net": "-47.77",
                    "problem_count": 0,
                    "problems": [],
                    "before_opening_date": 0,
                    "first_date": "2026-10-01",
                    "lines": [PREVIEW_LINE],
                    "csv": None,
                }
            ]
        }
    )

    account_id: RowId
    filename: str
    file_format: str
    currency: str
    line_count: int
    """How many lines of the file can be read: page through them with `offset` and `limit`."""
    new: int
    duplicates: int
    probably_imported: int
    """Lines the account probably holds already; skipped unless named in `import_anyway`."""
    transfers: int
    """New lines that become transfers with another account (counted in `new`)."""
    net: str
    """Money in minus money out over the new lines."""
    problem_count: int
    problems: list[LineProblemRead]
    """Confirming is refused while there are any, unless `skip_problem_lines` leaves them out."""
    before_opening_date: int
    """How many lines are dated before the account's opening date: confirming is refused while
    there are any, unless `move_opening_date` moves it back to `first_date`."""
    first_date: date | None
    """The date of the file's earliest readable line."""
    lines: list[PreviewLineRead]
    """The page of lines the request's `offset` and `limit` ask for."""
    csv: CsvLayoutRead | None


class LeftOutLineRead(OutputModel):
    """A line of a confirmed file that was left out, and why."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "line": 3,
                    "reason": "Date '2026-13-45' is not a date in YYYY-MM-DD",
                    "text": "2026-13-45,Broken date,-1.00",
                }
            ]
        },
    )

    line: int
    reason: str
    text: str


class ImportBatchRead(OutputModel):
    """A confirmed import."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [BATCH]})

    id: RowId
    account_id: RowId
    filename: str
    file_format: str
    added: int
    duplicates: int
    created_at: datetime
    undone_at: datetime | None
    left_out: list[LeftOutLineRead]
    """The lines of the file that were left out, unreadable, and why."""
