"""JSON API for exports: `GET /api/v1/exports/transactions?format=csv|json&<filters>`."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from finance.auth.dependencies import ApiUser
from finance.db import SessionDep
from finance.exports.download import download
from finance.exports.schemas import ExportQuery

router = APIRouter(prefix="/exports", tags=["exports"])

FILE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The file, one row per transaction line, as an attachment.",
        "content": {"text/csv": {}, "application/json": {}},
    }
}


@router.get("/transactions", response_class=StreamingResponse, responses=FILE_RESPONSES)
async def export_transactions(
    db: SessionDep, user: ApiUser, query: Annotated[ExportQuery, Query()]
) -> StreamingResponse:
    """The matching transactions as a CSV or JSON file: date, account, payee, memo, category,
    amount (a decimal string), currency, status, transaction id; a split gives a row per
    category line, a transfer a row per account."""
    return download(db, user.id, query.format, query)
