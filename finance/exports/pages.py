"""The export links of the transactions page: the list's filters, as a download."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from finance.auth.dependencies import PageUser
from finance.db import SessionDep
from finance.exports.download import download
from finance.exports.schemas import ExportFormat
from finance.transactions.listing import read_filters
from finance.web import page_locale

router = APIRouter(prefix="/exports", include_in_schema=False)


@router.get("/transactions")
async def export_transactions(
    request: Request, db: SessionDep, user: PageUser, format: ExportFormat = ExportFormat.CSV
) -> StreamingResponse:
    """The transactions the list shows for the same query string, as a file; a filter the list
    would leave out is left out here too."""
    params = {key: value for key, value in request.query_params.items() if key != "format"}
    filters = read_filters(params, page_locale(request)).query
    return download(db, user.id, format, filters)
