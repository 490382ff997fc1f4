"""Pages for importing a bank file: upload it, check the preview (and for a CSV, which column
holds what), confirm, and undo a past import. HTTP only: `service` does the work, and `uploads`
keeps the file on the server between preview and confirm, so nothing reaches the database before
the user confirms."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from finance.accounts import service as accounts
from finance.auth.dependencies import PageUser
from finance.categories import service as categories
from finance.db import SessionDep
from finance.errors import Conflict, InvalidInput, NotFound, TooLarge
from finance.forms import FORM_ERROR, FormInvalid, form_errors, form_values
from finance.imports import service, uploads
from finance.imports.csv_reader import CsvLayout, CsvMapping, DateFormat, sniff
from finance.imports.formats import FileFormat, OpenedFile, detect_format
from finance.imports.models import ImportBatch
from finance.imports.statement import FileRefused
from finance.schemas import InputModel, RowId, field_name
from finance.web import redirect, render

router = APIRouter(prefix="/imports", include_in_schema=False)

INDEX = "/imports"
FORMATS = [
    ("", "Detect from the file"),
    (FileFormat.CSV.value, "CSV"),
    (FileFormat.OFX.value, "OFX / QFX"),
    (FileFormat.QIF.value, "QIF"),
    (FileFormat.CAMT.value, "camt.053 (XML)"),
]
ROLES = [
    ("date", "Date"),
    ("payee", "Payee"),
    ("amount", "Amount (signed)"),
    ("debit", "Debit (money out)"),
    ("credit", "Credit (money in)"),
    ("memo", "Memo"),
    ("category", "Category"),
    ("balance", "Balance"),
    ("reference", "Bank reference"),
]
COLUMN_FIELDS = [f"{role}_column" for role, _ in ROLES]
DATE_FORMATS = [(date_format.value, date_format.label) for date_format in DateFormat]
DECIMAL_SEPARATORS = [(".", "Point (1.50)"), (",", "Comma (1,50)")]
MONEY_OUT = [("", "Negative (-1.50)"), ("on", "Positive (1.50)")]
"""How the amount column writes money out; positive means the signs are flipped."""
SAMPLE_ROWS = 5
PREVIEW_ROWS = 500
"""Lines the preview table shows; the totals count them all."""
CHOICE_MESSAGES = {
    "account_id": "choose the account the file belongs to",
    "format": "choose one of the formats listed",
}
NEGATE_LABEL = "“money out is written positive”"


class ImportChoice(InputModel):
    """The account a file goes to and its format (detected when not given)."""

    account_id: RowId
    file_format: FileFormat | None = Field(default=None, alias="format")


@dataclass(frozen=True)
class Draft:
    """A file on its way to being imported: stashed, with the account and format chosen."""

    upload: uploads.Upload
    account_id: int
    file_format: FileFormat
    fresh: bool = False
    """Just uploaded: an unreadable file goes back to the upload form."""


@router.get("")
async def import_page(
    request: Request,
    db: SessionDep,
    user: PageUser,
    imported: RowId | None = None,
    undone: RowId | None = None,
) -> Response:
    """The upload form and the past imports, with what the last action did."""
    notice = await _notice(db, user.id, imported=imported, undone=undone)
    return await _index(request, db, user.id, notice=notice)


@router.post("/preview")
async def preview_import(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Stash an upload (or take the stashed one back by its token) and show what importing it
    would do; writes nothing to the database."""
    values = await form_values(request)
    try:
        draft = await _draft(request, user.id, values)
    except FormInvalid as invalid:
        return await _index(request, db, user.id, values=values, errors=invalid.errors)
    return await _preview(request, db, user.id, draft, values)


@router.post("/confirm")
async def confirm_import(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Import the previewed file as one batch, then back to the list; the preview again, with
    the reason, if it is refused."""
    values = await form_values(request)
    try:
        draft = await _draft(request, user.id, values)
        mapping = _saved_mapping(values.get("mapping", ""))
    except FormInvalid as invalid:
        return await _index(request, db, user.id, values=values, errors=invalid.errors)
    try:
        opened = await _open(db, user.id, draft, mapping)
        checked = await service.preview(
            db=db, owner_id=user.id, account_id=draft.account_id, opened=opened, keep_lines=range(0)
        )
        consent = await _consent(request, values)
        batch = await service.confirm(db=db, checked=checked, consent=consent)
    except (InvalidInput, Conflict, NotFound) as refused:
        kept = {**values, **_mapping_values(mapping)}
        return await _preview(request, db, user.id, draft, kept, failure=refused.detail)
    await run_in_threadpool(uploads.discard, user.id, draft.upload.token)
    return redirect(f"{INDEX}?imported={batch.id}")


@router.get("/{batch_id}/undo")
async def confirm_undo(
    request: Request, batch_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Ask before undoing an import (the confirmation works without JavaScript)."""
    batch = await service.get_batch(db=db, owner_id=user.id, batch_id=batch_id)
    return await _undo_page(request, db, user.id, batch)


@router.post("/{batch_id}/undo")
async def undo_import(
    request: Request, batch_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Delete every transaction the import added; refused (409, with the reason) while one of
    them is reconciled."""
    try:
        await service.undo(db=db, owner_id=user.id, batch_id=batch_id)
    except Conflict as refused:
        batch = await service.get_batch(db=db, owner_id=user.id, batch_id=batch_id)
        return await _undo_page(request, db, user.id, batch, error=refused.detail)
    return redirect(f"{INDEX}?undone={batch_id}")


# Reading the form


async def _draft(request: Request, owner_id: int, values: Mapping[str, str]) -> Draft:
    """The file this form is about: the stashed one its token names, else the one uploaded
    (stashed now). `FormInvalid` says what is missing; `TooLarge` for a file over the limit."""
    try:
        choice = _choice(values)
        token = values.get("token", "")
        if token:
            upload = await run_in_threadpool(uploads.load, owner_id, token)
        else:
            filename, data = await _uploaded(request)
            upload = await run_in_threadpool(uploads.stash, owner_id, filename, data)
    except InvalidInput as expired:
        raise FormInvalid(form_errors(expired)) from None
    finally:
        await (await request.form()).close()  # the uploaded file's temporary copy
    file_format = choice.file_format or detect_format(upload.filename, upload.data)
    return Draft(upload, choice.account_id, file_format, fresh=not token)


async def _consent(request: Request, values: Mapping[str, str]) -> service.Consent:
    """What the confirm form's boxes agree to."""
    return service.Consent(
        skip_problem_lines=values.get("skip_problem_lines") == "on",
        move_opening_date=values.get("move_opening_date") == "on",
        import_anyway=await _chosen_lines(request, "import_anyway"),
        keep_separate=await _chosen_lines(request, "keep_separate"),
    )


def _choice(values: Mapping[str, str]) -> ImportChoice:
    given = {key: values[key] for key in ("account_id", "format") if values.get(key)}
    try:
        return ImportChoice.model_validate(given)
    except ValidationError as error:
        fields = {field_name(e["loc"]) for e in error.errors()}
        raise FormInvalid(
            {name: CHOICE_MESSAGES.get(name, "check this field") for name in fields}
        ) from None


async def _uploaded(request: Request) -> tuple[str, bytes]:
    """The uploaded file's name and bytes, read up to the size limit."""
    file = (await request.form()).get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        raise FormInvalid({"file": "choose the bank file to import"})
    limit = request.app.state.settings.import_max_megabytes * 1024 * 1024
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is larger than {limit // (1024 * 1024)} MB")
    return file.filename, data


async def _chosen_lines(request: Request, name: str) -> frozenset[int]:
    """The line numbers of the ticked boxes called `name`."""
    ticked = (await request.form()).getlist(name)
    if not all(isinstance(value, str) and value.isdigit() for value in ticked):
        raise InvalidInput(name, "a ticked line is not a line number; preview the file again")
    return frozenset(int(str(value)) for value in ticked)


def _form_mapping(values: Mapping[str, str]) -> CsvMapping:
    """The mapping the form's selects describe (`FormInvalid` beside the selects at fault)."""
    given: dict[str, Any] = {name: values[name] for name in COLUMN_FIELDS if values.get(name)}
    given["date_format"] = values.get("date_format") or DateFormat.ISO
    given["decimal_separator"] = values.get("decimal_separator") or "."
    given["negate_amounts"] = values.get("negate_amounts") == "on"
    try:
        return CsvMapping.model_validate(given)
    except ValidationError as error:
        raise FormInvalid(_mapping_errors(error)) from None


def _mapping_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in error.errors():
        name = field_name(problem["loc"])
        if problem["type"] == "missing":
            role = name.removesuffix("_column")
            errors[name] = f"choose the column that holds the {role}"
        else:
            message = str(problem["msg"]).removeprefix("Value error, ")
            key = "mapping" if name == "body" else name
            errors[key] = message.replace("negate_amounts", NEGATE_LABEL)
    return errors


def _saved_mapping(text: str) -> CsvMapping | None:
    """The previewed mapping the confirm form carries, as JSON."""
    if not text:
        return None
    try:
        return CsvMapping.model_validate_json(text)
    except ValidationError:
        raise FormInvalid({"file": "the column mapping was lost; upload the file again"}) from None


def _mapping_values(mapping: CsvMapping | None) -> dict[str, str]:
    """A mapping as the form's fields hold it."""
    if mapping is None:
        return {}
    fields = mapping.model_dump(mode="json")
    return {
        key: "on" if value is True else "" if value in (None, False) else str(value)
        for key, value in fields.items()
    }


# Previewing


async def _open(
    db: AsyncSession, owner_id: int, draft: Draft, mapping: CsvMapping | None
) -> OpenedFile:
    return await service.open_upload(
        db=db,
        owner_id=owner_id,
        account_id=draft.account_id,
        filename=draft.upload.filename,
        data=draft.upload.data,
        file_format=draft.file_format,
        mapping=mapping,
    )


async def _preview(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    draft: Draft,
    values: Mapping[str, str],
    *,
    failure: str | None = None,
) -> Response:
    """Read the file and check it against the account: the preview, or the form with the
    reasons (an unreadable new upload goes back to the upload form)."""
    mapped = draft.file_format is FileFormat.CSV and "date_column" in values
    try:
        opened = await _open(db, owner_id, draft, _form_mapping(values) if mapped else None)
    except (FormInvalid, InvalidInput, NotFound) as refused:
        kept = dict(values) if mapped else {}
        return await _unread(request, db, owner_id, draft, kept, _reasons(refused))
    try:
        checked = await service.preview(
            db=db,
            owner_id=owner_id,
            account_id=draft.account_id,
            opened=opened,
            keep_lines=range(PREVIEW_ROWS),
        )
    except (InvalidInput, NotFound) as refused:
        kept = _mapping_values(opened.mapping)
        return await _unread(request, db, owner_id, draft, kept, _reasons(refused))
    page = PreviewPage(draft, opened.layout, _mapping_values(opened.mapping), opened.mapping)
    errors = {FORM_ERROR: failure} if failure else {}
    return await page.render(request, db, owner_id, checked=checked, errors=errors)


async def _unread(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    draft: Draft,
    mapping_values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    """The file could not be read or checked as asked: the mapping form for a CSV whose
    columns must be chosen or did not fit, else (a new upload) the upload form with the
    reason, else the choices again with the reason beside the one at fault."""
    layout = _layout(draft)
    if "file" in errors and (draft.fresh or layout is None):
        await run_in_threadpool(uploads.discard, owner_id, draft.upload.token)
        values = {"account_id": str(draft.account_id), "format": draft.file_format.value}
        return await _index(request, db, owner_id, values=values, errors=errors)
    if "file" in errors:
        errors = {"mapping": errors["file"]}
    page = PreviewPage(draft, layout, mapping_values)
    asked = list(errors) == ["mapping"] and not mapping_values  # columns to choose: a step
    return await page.render(
        request, db, owner_id, errors=errors, status_code=200 if asked else 422
    )


def _layout(draft: Draft) -> CsvLayout | None:
    """A CSV's header and first rows, to choose its columns from (None if it has none)."""
    if draft.file_format is not FileFormat.CSV:
        return None
    try:
        return sniff(draft.upload.data)
    except FileRefused:
        return None


def _reasons(refused: FormInvalid | InvalidInput | NotFound) -> dict[str, str]:
    """A refusal as form errors, beside the field at fault; an account that is not the user's
    is a choice to make again."""
    if isinstance(refused, FormInvalid):
        return refused.errors
    if isinstance(refused, NotFound):
        return {"account_id": "choose one of your accounts"}
    return form_errors(refused)


@dataclass(frozen=True)
class PreviewPage:
    """The preview page of a draft: its choices, and for a CSV its columns and mapping."""

    draft: Draft
    layout: CsvLayout | None
    mapping_values: dict[str, str]
    mapping: CsvMapping | None = None
    """The mapping the file was read with, which confirming uses again."""

    async def render(
        self,
        request: Request,
        db: AsyncSession,
        owner_id: int,
        *,
        checked: service.Preview | None = None,
        errors: dict[str, str] | None = None,
        status_code: int | None = None,
    ) -> Response:
        errors = errors or {}
        names = {c.id: c.name for c in await categories.list_categories(db=db, owner_id=owner_id)}
        context = {
            "nav": "Import",
            "upload": self.draft.upload,
            "values": {
                "account_id": str(self.draft.account_id),
                "format": self.draft.file_format.value,
                "mapping": self.mapping.model_dump_json() if self.mapping else "",
                **self.mapping_values,
            },
            "errors": errors,
            "layout": self.layout,
            "columns": [(name, name) for name in self.layout.header if name] if self.layout else [],
            "sample_rows": self.layout.sample_rows[:SAMPLE_ROWS] if self.layout else (),
            "checked": checked,
            "shown_lines": checked.lines[:PREVIEW_ROWS] if checked else [],
            "category_names": names,
            **await _choices(db, owner_id),
        }
        status = status_code or (422 if errors else 200)
        return render(request, "imports/preview.html", context, block="preview", status_code=status)


# The list and the undo page


async def _choices(db: AsyncSession, owner_id: int) -> dict[str, Any]:
    """The accounts a file can go to, the formats, and the mapping's options."""
    rows = await accounts.list_accounts(db=db, owner_id=owner_id)
    return {
        "accounts": [
            (str(row.account.id), f"{row.account.name} ({row.account.currency})")
            for row in rows
            if not row.account.archived
        ],
        "account_names": {row.account.id: row.account.name for row in rows},
        "formats": FORMATS,
        "roles": ROLES,
        "date_formats": DATE_FORMATS,
        "decimal_separators": DECIMAL_SEPARATORS,
        "money_out": MONEY_OUT,
    }


async def _index(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    *,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    """The upload form (with the reasons it was refused, if it was) and the past imports."""
    context = {
        "nav": "Import",
        "values": dict(values or {}),
        "errors": errors or {},
        "notice": notice,
        "batches": await service.list_batches(db=db, owner_id=owner_id),
        **await _choices(db, owner_id),
    }
    status_code = 422 if errors else 200
    return render(request, "imports/index.html", context, block="preview", status_code=status_code)


async def _notice(
    db: AsyncSession, owner_id: int, *, imported: int | None, undone: int | None
) -> str | None:
    """What the import or undo just done did, in words."""
    batch_id = imported or undone
    if batch_id is None:
        return None
    try:
        batch = await service.get_batch(db=db, owner_id=owner_id, batch_id=batch_id)
    except NotFound:
        return None
    if imported:
        skipped = _count(batch.duplicates, "duplicate")
        left_out = f" {_count(len(batch.left_out), 'line')} left out (listed below)." * bool(
            batch.left_out
        )
        return f"Imported {_count(batch.added, 'transaction')} ({skipped} skipped).{left_out}"
    return f"Undid the import of {batch.filename}: its transactions are deleted."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


async def _undo_page(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    batch: ImportBatch,
    *,
    error: str | None = None,
) -> Response:
    account = await accounts.get_account(db=db, owner_id=owner_id, account_id=batch.account_id)
    context = {
        "nav": "Import",
        "batch": batch,
        "account": account.account,
        "errors": {FORM_ERROR: error} if error else {},
    }
    return render(
        request, "imports/undo.html", context, block="form", status_code=409 if error else 200
    )
