"""The start page; the full dashboard comes with the pages of the browser UI."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from finance.web import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """A page that points a visitor at the API and its documentation."""
    return templates.TemplateResponse(request, "home.html", {})
