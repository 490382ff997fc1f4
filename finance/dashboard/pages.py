"""The dashboard page, and loading the demo data into an empty ledger."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from finance.auth.dependencies import PageUser
from finance.dashboard.service import dashboard
from finance.db import SessionDep
from finance.demo import DemoRefused, load_demo
from finance.transactions.display import row
from finance.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def show_dashboard(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Net worth, balances, this month's income and spending, the latest transactions."""
    figures = await dashboard(db=db, owner_id=user.id, today=date.today())
    context = {"nav": "Dashboard", "board": figures, "row": row}
    return render(request, "dashboard/index.html", context)


@router.post("/demo")
async def load_demo_data(request: Request, db: SessionDep, user: PageUser) -> RedirectResponse:
    """Fill an empty ledger with a year of demo data (refused once there is data)."""
    try:
        await load_demo(db, owner=user)
    except DemoRefused:
        await db.rollback()
    return redirect("/")
