"""Security headers on every response: what the browser may load, frame, sniff and send on.

Pages run no inline script: htmx comes from its pinned URL (checked against its SRI hash) and
the app's own `/static/app.js`, so the policy names exactly those. The API documentation
(`/docs`) loads Swagger UI from this server alone and runs no inline script either; its policy
differs from the pages' only in needing no other origin at all.
"""

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response

from finance.config import Settings

DOCS_PATHS = ("/docs",)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"


def content_security_policy(settings: Settings) -> str:
    """The pages' policy: scripts only from this server and htmx's origin, nothing inline."""
    htmx = urlsplit(settings.htmx_url)
    htmx_origin = f"{htmx.scheme}://{htmx.netloc}" if htmx.netloc else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {htmx_origin}".strip(),
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(
    settings: Settings,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Middleware adding the headers; the policy is worked out once, from the settings."""
    page_policy = content_security_policy(settings)

    async def add_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        docs = request.url.path.startswith(DOCS_PATHS)
        response.headers["Content-Security-Policy"] = DOCS_POLICY if docs else page_policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if settings.https:
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    return add_headers
