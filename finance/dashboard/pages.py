"""The dashboard page, and loading the demo data into an empty ledger."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from finance.dashboard.service import dashboard
from finance.db import SessionDep
from finance.demo import DemoRefused, load_demo
from finance.users.dependencies import CurrentUser
from finance.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def show_dashboard(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    """Net worth, balances, this month's income and spending, the latest transactions."""
    figures = await dashboard(db=db, owner_id=user.id, today=date.today())
    return render(request, "dashboard/index.html", {"nav": "Dashboard", "board": figures})


@router.post("/demo")
async def load_demo_data(request: Request, db: SessionDep, user: CurrentUser) -> RedirectResponse:
    """Fill an empty ledger with a year of demo data (refused once there is data)."""
    try:
        await load_demo(db, email=user.email)
    except DemoRefused:
        await db.rollback()
    return redirect("/")
