"""The application factory: `create_app(settings)` wires settings, database, routers and errors."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from finance import api_docs, health
from finance.accounts.pages import router as account_pages
from finance.accounts.router import router as accounts_router
from finance.auth.dependencies import LoginRequired, api_user, page_user
from finance.auth.pages import public_router as public_auth_pages
from finance.auth.pages import router as auth_pages
from finance.browser import bind_browser, check_csrf
from finance.categories.pages import router as category_pages
from finance.categories.router import router as categories_router
from finance.config import Settings, get_settings
from finance.dashboard.pages import router as dashboard_pages
from finance.db import open_database
from finance.exports.pages import router as export_pages
from finance.exports.router import router as exports_router
from finance.imports.pages import router as import_pages
from finance.imports.router import router as imports_router
from finance.problems import PROBLEM_RESPONSES, document_problems, install_problem_handlers
from finance.rules.pages import router as rule_pages
from finance.rules.router import router as rules_router
from finance.security import security_headers
from finance.transactions.pages import register_router as register_pages
from finance.transactions.pages import router as transaction_pages
from finance.transactions.router import router as transactions_router
from finance.web import asset_dir, htmx_redirects, redirect

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    """Every JSON router under `/api/v1`, each route behind a bearer token and documenting the
    errors it can answer."""
    api = APIRouter(
        prefix=API_PREFIX, dependencies=[Depends(api_user)], responses=PROBLEM_RESPONSES
    )
    for router in (
        accounts_router,
        categories_router,
        transactions_router,
        imports_router,
        rules_router,
        exports_router,
    ):
        document_problems(router.routes)
        api.include_router(router)
    return api


def page_routers() -> list[APIRouter]:
    """Every page: unsafe requests must carry the CSRF token; all but sign-up and login need a
    logged-in browser."""
    private = APIRouter(dependencies=[Depends(page_user), Depends(check_csrf)])
    for router in (
        dashboard_pages,
        account_pages,
        register_pages,
        transaction_pages,
        import_pages,
        category_pages,
        rule_pages,
        auth_pages,
        export_pages,
    ):
        private.include_router(router)
    public = APIRouter(dependencies=[Depends(check_csrf)])
    public.include_router(public_auth_pages)
    return [private, public]


async def _login_required(_request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    return redirect(error.location)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready app. The engine exists from here on, so nothing depends on lifespan having run;
    lifespan only disposes of it at shutdown."""
    settings = settings or get_settings()
    database = open_database(
        settings.database_url,
        echo=settings.sql_echo,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        wait_s=settings.sqlite_wait_seconds,
        readers=settings.sqlite_readers,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.database.dispose()

    app = FastAPI(
        title="finance",
        summary="A self-hosted personal finance tracker.",
        description='Amounts are decimal strings in the currency of their account ("-12.34"). '
        "Errors are RFC 9457 problem details.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    install_problem_handlers(app)
    app.add_exception_handler(LoginRequired, _login_required)
    app.middleware("http")(bind_browser(settings))
    app.middleware("http")(htmx_redirects)
    app.middleware("http")(security_headers(settings))
    app.include_router(api_router())
    app.include_router(health.router)
    app.include_router(api_docs.router)
    for pages in page_routers():
        app.include_router(pages)
    app.mount(api_docs.ASSETS_PATH, api_docs.swagger_ui_assets(), name="docs-assets")
    app.mount("/static", StaticFiles(directory=asset_dir("static")), name="static")
    return app
