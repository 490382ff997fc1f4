"""The browser's two cookies and the CSRF token derived from them.

A logged-in browser holds the session cookie; any other browser gets an anonymous "binding"
cookie on its first page. Either is an HttpOnly random secret, and the CSRF token a page embeds
is a digest of it: a page of ours can show the token, a page elsewhere can neither read the
cookie nor compute the token, so a forged request from it is refused (403).

Over HTTPS (the `https` setting) the cookies are `Secure` and carry the `__Host-` prefix, which
pins them to this host and path `/`.
"""

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from finance.config import Settings
from finance.credentials import digest, new_secret, same
from finance.db import SAFE_METHODS
from finance.errors import Forbidden

CSRF_FIELD = "csrf_token"
"""The hidden input every form posts."""
CSRF_HEADER = "X-CSRF-Token"
"""The header htmx sends (`hx-headers` on the page's body)."""
UNPROTECTED_PATHS = ("/api/", "/static/", "/health", "/docs", "/openapi.json")


def cookie_name(settings: Settings, name: str) -> str:
    """`finance_<name>`, with the `__Host-` prefix over HTTPS."""
    return f"__Host-finance_{name}" if settings.https else f"finance_{name}"


def session_cookie(settings: Settings) -> str:
    """The name of the session cookie."""
    return cookie_name(settings, "session")


def binding_cookie(settings: Settings) -> str:
    """The name of the anonymous browser's cookie."""
    return cookie_name(settings, "browser")


def set_cookie(response: Response, settings: Settings, name: str, value: str, max_age: int) -> None:
    """Set one of our cookies: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    """Tell the browser to drop one of our cookies."""
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=settings.https)


def csrf_token(request: Request) -> str:
    """The token this browser's forms must send back."""
    return digest(f"csrf:{request.state.browser_secret}")


async def check_csrf(request: Request) -> None:
    """Dependency of every page route: an unsafe request without this browser's token is
    refused with 403 before anything happens."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None or not same(sent, csrf_token(request)):
        raise Forbidden(
            "this form has expired or did not come from this site; reload the page and try again"
        )


BINDING_MAX_AGE = 60 * 60 * 24 * 365


def bind_browser(
    settings: Settings,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Middleware: every page request knows its browser's secret (`request.state`), a browser
    without one is given the anonymous cookie, and no page is kept in a cache (Back after
    logout must not show the ledger)."""
    session_name, binding_name = session_cookie(settings), binding_cookie(settings)

    async def bind(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith(UNPROTECTED_PATHS):
            return await call_next(request)
        known = request.cookies.get(session_name) or request.cookies.get(binding_name)
        request.state.browser_secret = known or new_secret()
        response = await call_next(request)
        response.headers.setdefault("Cache-Control", "no-store")  # nobody's money in a cache
        if not known:
            set_cookie(
                response, settings, binding_name, request.state.browser_secret, BINDING_MAX_AGE
            )
        return response

    return bind
