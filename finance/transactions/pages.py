"""Pages for transactions."""

from fastapi import APIRouter

router = APIRouter(prefix="/transactions", include_in_schema=False)
