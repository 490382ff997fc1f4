"""Pages for categories."""

from fastapi import APIRouter

router = APIRouter(prefix="/categories", include_in_schema=False)
