"""The import API: preview a bank file, confirm it as a batch, list batches, undo one.

Files are sent as `multipart/form-data` (`file`, `account_id`, optional `format` and, for a CSV,
`mapping` as JSON). Preview and confirm take the same fields, so a script previews, looks, and
sends the same request to `POST /imports` to confirm.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError

from finance.auth.dependencies import ApiUser
from finance.db import SessionDep
from finance.errors import InvalidInput, TooLarge
from finance.idempotency.routes import IDEMPOTENCY_RESPONSES, IdempotentRoute, idempotency_key
from finance.imports import service
from finance.imports.csv_reader import CsvMapping
from finance.imports.schemas import ImportBatchRead, ImportPreviewRead, ImportUpload
from finance.money import format_minor
from finance.problems import UPLOAD_PROBLEMS
from finance.schemas import RowId

router = APIRouter(prefix="/imports", tags=["imports"], route_class=IdempotentRoute)

Upload = Annotated[ImportUpload, Form(media_type="multipart/form-data")]
PREVIEW_LIMIT = 100
"""How many lines a preview shows unless asked for more."""
PREVIEW_LIMIT_MAX = 1000
PROBLEMS_SHOWN = 1000
"""How many of a file's problems a preview lists (`problem_count` counts them all)."""


@router.post("/preview", responses=UPLOAD_PROBLEMS)
async def preview_import(
    request: Request,
    upload: Upload,
    db: SessionDep,
    user: ApiUser,
    offset: Annotated[int, Query(ge=0, description="The first line to show (from 0).")] = 0,
    limit: Annotated[
        int, Query(ge=1, le=PREVIEW_LIMIT_MAX, description="How many lines to show.")
    ] = PREVIEW_LIMIT,
) -> ImportPreviewRead:
    """What importing the file would add, skip as duplicate, and refuse; writes nothing. The
    totals cover the whole file; `lines` holds a page of it (`offset`, `limit`) and `problems`
    the first problems."""
    checked = await _preview(request, upload, db, user.id, range(offset, offset + limit))
    return preview_answer(checked)


@router.post(
    "",
    status_code=201,
    dependencies=[Depends(idempotency_key)],
    responses={**UPLOAD_PROBLEMS, **IDEMPOTENCY_RESPONSES},
)
async def confirm_import(
    request: Request, upload: Upload, db: SessionDep, user: ApiUser
) -> ImportBatchRead:
    """Import the file's new lines as one batch, all or nothing (422 while a line has a
    problem or is dated before the account's opening date, unless `skip_problem_lines` or
    `move_opening_date` says what to do about them). Lines probably imported already are
    skipped but those in `import_anyway`; lines matched as a transfer join their other side but
    those in `keep_separate`."""
    checked = await _preview(request, upload, db, user.id, range(0))
    consent = service.Consent(
        skip_problem_lines=upload.skip_problem_lines,
        move_opening_date=upload.move_opening_date,
        import_anyway=frozenset(upload.import_anyway),
        keep_separate=frozenset(upload.keep_separate),
    )
    batch = await service.confirm(db=db, checked=checked, consent=consent)
    return ImportBatchRead.model_validate(batch)


@router.get("")
async def list_imports(db: SessionDep, user: ApiUser) -> list[ImportBatchRead]:
    """Every import, newest first."""
    batches = await service.list_batches(db=db, owner_id=user.id)
    return [ImportBatchRead.model_validate(batch) for batch in batches]


@router.get("/{batch_id}")
async def get_import(batch_id: RowId, db: SessionDep, user: ApiUser) -> ImportBatchRead:
    """One import."""
    return ImportBatchRead.model_validate(
        await service.get_batch(db=db, owner_id=user.id, batch_id=batch_id)
    )


@router.delete("/{batch_id}")
async def undo_import(batch_id: RowId, db: SessionDep, user: ApiUser) -> ImportBatchRead:
    """Undo an import: every transaction it added is deleted (409 while one is reconciled)."""
    return ImportBatchRead.model_validate(
        await service.undo(db=db, owner_id=user.id, batch_id=batch_id)
    )


def preview_answer(checked: service.Preview) -> ImportPreviewRead:
    """A preview as the API shows it."""
    currency, opened = checked.account.currency, checked.opened
    return ImportPreviewRead.model_validate(
        {
            "account_id": checked.account.id,
            "filename": opened.name,
            "file_format": opened.file_format,
            "currency": currency,
            "line_count": checked.line_count,
            "new": checked.new,
            "duplicates": checked.duplicates,
            "probably_imported": checked.probably_imported,
            "transfers": checked.transfers,
            "net": format_minor(checked.net_minor, currency),
            "problem_count": checked.problem_count,
            "problems": checked.problems,
            "before_opening_date": checked.before_opening_date,
            "first_date": checked.first_date,
            "lines": [
                {
                    "line": row.line,
                    "date": row.new.date,
                    "amount": format_minor(row.new.amount_minor, currency),
                    "payee": row.new.payee,
                    "memo": row.new.memo,
                    "category_id": row.new.category_id,
                    "duplicate": row.duplicate,
                    "match": row.match,
                }
                for row in checked.lines
            ],
            "csv": None
            if opened.layout is None or opened.mapping is None
            else {
                "header": list(opened.layout.header),
                "sample_rows": [list(row) for row in opened.layout.sample_rows],
                "mapping": opened.mapping.model_dump(mode="json"),
            },
        }
    )


async def _preview(
    request: Request, upload: ImportUpload, db: SessionDep, owner_id: int, keep_lines: range
) -> service.Preview:
    """The uploaded file, read up to the size limit, opened and checked, keeping the lines at
    the positions `keep_lines` names and the first `PROBLEMS_SHOWN` problems."""
    limit = request.app.state.settings.import_max_megabytes * 1024 * 1024
    if (upload.file.size or 0) > limit:
        raise TooLarge(f"the file is larger than {limit // (1024 * 1024)} MB")
    opened = await service.open_spooled_upload(
        db=db,
        owner_id=owner_id,
        account_id=upload.account_id,
        filename=upload.file.filename or "upload",
        file=upload.file.file,
        file_format=upload.file_format,
        mapping=_mapping(upload.mapping),
    )
    return await service.preview(
        db=db,
        owner_id=owner_id,
        account_id=upload.account_id,
        opened=opened,
        keep_lines=keep_lines,
        keep_problems=PROBLEMS_SHOWN,
    )


def _mapping(text: str | None) -> CsvMapping | None:
    if not text:
        return None
    try:
        return CsvMapping.model_validate_json(text)
    except ValidationError as error:
        message = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise InvalidInput("mapping", message) from None
