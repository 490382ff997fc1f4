"""One-time notices after a change ("Added Whole Foods, -$54.23"), for a browser without
JavaScript: the redirect that follows a form post carries the notice in a short-lived cookie,
and the next whole page shows it and clears the cookie, so a reload shows it no more. Pages are
never cached (`finance.browser`), so neither is a notice. A fragment for htmx neither shows nor
clears one: the page it lands in did not ask for it."""

from urllib.parse import quote, unquote

from fastapi import Request, Response

from finance.browser import clear_cookie, cookie_name, set_cookie
from finance.config import Settings

NOTICE_MAX_AGE = 60
"""Seconds a notice waits for the page after the redirect (a browser follows it at once)."""


def notice_cookie(settings: Settings) -> str:
    """The name of the cookie a notice travels in."""
    return cookie_name(settings, "notice")


def add_notice(request: Request, response: Response, text: str) -> Response:
    """`response` (a redirect), carrying `text` to the page it leads to."""
    settings: Settings = request.app.state.settings
    set_cookie(response, settings, notice_cookie(settings), quote(text), NOTICE_MAX_AGE)
    return response


def pending_notice(request: Request) -> str | None:
    """The notice waiting for this page, if any (`clear_notice` clears it)."""
    value = request.cookies.get(notice_cookie(request.app.state.settings))
    return unquote(value) if value else None


def clear_notice(request: Request, response: Response) -> None:
    """Clear the notice this page showed, so it is shown once."""
    settings: Settings = request.app.state.settings
    clear_cookie(response, settings, notice_cookie(settings))
