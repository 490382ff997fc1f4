"""Rendering pages: templates (found beside the package in a checkout, inside it in a wheel),
money and dates in the user's locale, and one helper that answers an htmx request with just the
block it asked for and a browser with the whole page."""

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from finance.amounts import write_amount
from finance.browser import CSRF_FIELD, csrf_token
from finance.money import minor_digits
from finance.notices import clear_notice, pending_notice

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """`finance/<name>` when installed from a wheel, else `<checkout>/<name>`."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


templates = Jinja2Blocks(directory=asset_dir("templates"))


def page_locale(request: Request) -> str:
    """The locale pages show money and dates in, and read typed amounts in (`FINANCE_LOCALE`)."""
    locale: str = request.app.state.settings.locale
    return locale


def money(minor: int, currency: str, locale: str) -> str:
    """Minor units shown as the locale writes money: "-$54.23", "-54,23 €", "￥1,500"."""
    amount = Decimal(minor).scaleb(-minor_digits(currency))
    return format_currency(amount, currency, locale=locale)


@pass_context
def money_in_locale(context: Context, minor: int, currency: str) -> str:
    """`money` in the page's locale."""
    return money(minor, currency, context["locale"])


@pass_context
def amount(context: Context, minor: int, currency: str) -> Markup:
    """Money in a span that tables align right, negatives marked (not by colour alone)."""
    css = "amount negative" if minor < 0 else "amount"
    return Markup('<span class="{}">{}</span>').format(
        css, money_in_locale(context, minor, currency)
    )


@pass_context
def typed(context: Context, amount: str) -> str:
    """A plain decimal string as people type it in the page's locale: "0,00" under de_DE."""
    return write_amount(amount, context["locale"])


def short_date(value: date, locale: str) -> str:
    """A date as the locale writes it briefly: "Oct 3, 2026", "03.10.2026"."""
    return format_date(value, format="medium", locale=locale)


@pass_context
def day(context: Context, value: date) -> str:
    """`short_date` in the page's locale."""
    return short_date(value, context["locale"])


@pass_context
def page_csrf_token(context: Context) -> str:
    """This browser's CSRF token, for `hx-headers` (empty where no browser is bound)."""
    request: Request = context["request"]
    return csrf_token(request) if hasattr(request.state, "browser_secret") else ""


@pass_context
def csrf_input(context: Context) -> Markup:
    """The hidden input that carries the CSRF token in a form posted without JavaScript."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, page_csrf_token(context)
    )


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment (a boosted link, or htmx restoring a page from
    history after Back, wants the whole page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and "HX-Boosted" not in headers
        and "HX-History-Restore-Request" not in headers
    )


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The page `name`; for an htmx request only its `block`, so one template serves both.
    A whole page shows the notice a change left for it (`finance.notices`), this once."""
    settings = request.app.state.settings
    fragment = block if block is not None and is_htmx(request) else None
    notice = None if fragment else pending_notice(request)
    full_context = {
        "settings": settings,
        "locale": page_locale(request),
        "flash": notice,
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request,
        name,
        full_context,
        status_code=status_code,
        headers=headers,
        block_name=fragment,
    )
    response.headers["Vary"] = "HX-Request"
    if notice is not None:
        clear_notice(request, response)
    return response


def redirect(url: str) -> RedirectResponse:
    """After a successful form post: see the result at `url` (post/redirect/get)."""
    return RedirectResponse(url, status_code=303)


async def htmx_redirects(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Middleware: htmx would follow a 303 itself and swap the whole next page into the
    fragment it targets; tell it to navigate instead (`HX-Redirect`). The cookies the redirect
    set (a notice, a new token's secret) go with it, for the page htmx navigates to."""
    response = await call_next(request)
    if response.status_code == 303 and is_htmx(request):
        navigate = Response(status_code=204, headers={"HX-Redirect": response.headers["location"]})
        for cookie in response.headers.getlist("set-cookie"):
            navigate.headers.append("set-cookie", cookie)
        return navigate
    return response


templates.env.globals.update(
    money=money_in_locale,
    amount=amount,
    typed=typed,
    day=day,
    csrf_token=page_csrf_token,
    csrf_input=csrf_input,
)
_macros = templates.env.get_template("_macros.html").module
templates.env.globals.update(
    {
        name: getattr(_macros, name)
        for name in ("field", "select", "form_error", "input", "select_control", "choice")
    }
)
