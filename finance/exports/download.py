"""The export as a file the browser downloads, for the API and the transactions page alike."""

from datetime import date

from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from finance.exports import service
from finance.exports.schemas import ExportFormat
from finance.transactions.schemas import TransactionFilters


def download(
    db: AsyncSession, owner_id: int, file_format: ExportFormat, where: TransactionFilters
) -> StreamingResponse:
    """The export as a streamed attachment named after today."""
    chunks = service.export_transactions(
        db=db, owner_id=owner_id, where=where, file_format=file_format
    )
    name = service.filename(file_format, date.today())
    return StreamingResponse(
        chunks,
        media_type=service.MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
