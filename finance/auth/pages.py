"""Pages for signing up, logging in and out, and the settings page (password and access tokens).

`public_router` is reachable without a session; `router` needs one. Neither is in the API.
"""

from collections.abc import Sequence
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from finance.auth import service
from finance.auth.dependencies import PageUser, session_limits, session_owner
from finance.auth.models import AccessToken
from finance.auth.schemas import Credentials, PasswordChange, SignUp, TokenCreate
from finance.browser import clear_cookie, cookie_name, session_cookie, set_cookie
from finance.config import Settings
from finance.credentials import digest, same
from finance.db import SessionDep
from finance.errors import Forbidden, TooManyAttempts
from finance.forms import FormInvalid, form_errors, form_values, parse_form, refusals_in_form
from finance.problems import headers_of, status_of
from finance.schemas import RowId
from finance.users.models import User
from finance.web import redirect, render

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)

PASSWORD_FIELDS = frozenset(
    {"password", "password_again", "current_password", "new_password", "new_password_again"}
)
TOKEN_SCOPES = [("read_write", "Read and write"), ("read", "Read only")]
NEW_TOKEN_MAX_AGE = 60
"""Seconds a new token's secret waits in its cookie for the settings page to show it."""


@public_router.get("/signup")
async def signup_form(request: Request, db: SessionDep) -> Response:
    """The first-run setup page (or sign-up, when the setting opens it)."""
    first_run = not await service.users_exist(db=db)
    if not first_run and not request.app.state.settings.signup_open:
        return redirect("/login")
    return _signup(request, first_run=first_run, values={})


@public_router.post("/signup")
async def sign_up(request: Request, db: SessionDep) -> Response:
    """Create the account and log in; the form again, with the reasons, if refused."""
    settings: Settings = request.app.state.settings
    values = await form_values(request, unstripped=PASSWORD_FIELDS)
    first_run = not await service.users_exist(db=db)
    try:
        data = parse_form(SignUp, values)
        login = await refusals_in_form(
            service.sign_up(db=db, data=data, open_signup=settings.signup_open)
        )
    except FormInvalid as invalid:
        return _signup(request, first_run=first_run, values=values, errors=invalid.errors)
    except Forbidden as closed:  # someone else was first; nothing was written
        return _signup(request, first_run=first_run, values=values, errors=form_errors(closed))
    return _logged_in(settings, login.secret, "/")


@public_router.get("/login")
async def login_form(request: Request, db: SessionDep, next: str = "/") -> Response:
    """The login page (a browser already logged in goes straight on)."""
    if await session_owner(request, db) is not None:
        return redirect(safe_next(next))
    return _login(request, values={"next": safe_next(next)})


@public_router.post("/login")
async def log_in(request: Request, db: SessionDep) -> Response:
    """Start a fresh session and go where the user was headed; the form again if refused,
    with 429 and `Retry-After` after too many failures."""
    settings: Settings = request.app.state.settings
    values = await form_values(request, unstripped=PASSWORD_FIELDS)
    target = safe_next(values.pop("next", "/"))
    kept = {"email": values.get("email", ""), "next": target}
    try:
        credentials = parse_form(Credentials, values)
        address = request.client.host if request.client else "unknown"
        login = await refusals_in_form(
            service.log_in(db=db, credentials=credentials, address=address)
        )
    except FormInvalid as invalid:
        return _login(request, values=kept, errors=invalid.errors)
    except TooManyAttempts as refusal:
        return _login(request, values=kept, errors=form_errors(refusal), refusal=refusal)
    return _logged_in(settings, login.secret, target)


@router.post("/logout")
async def log_out(request: Request, db: SessionDep) -> Response:
    """End this session; back to the login page."""
    settings: Settings = request.app.state.settings
    secret = request.cookies.get(session_cookie(settings))
    if secret:
        await service.log_out(db=db, session_secret=secret)
    response = redirect("/login")
    clear_cookie(response, settings, session_cookie(settings))
    return response


@router.get("/settings")
async def show_settings(request: Request, db: SessionDep, user: PageUser) -> Response:
    """The user's password form and access tokens; a token just created shows its secret,
    this once: the cookie that carried it here is cleared at once."""
    settings: Settings = request.app.state.settings
    secret = request.cookies.get(new_token_cookie(settings))
    response = await _settings(request, db, user, new_secret=secret)
    if secret is not None:
        clear_cookie(response, settings, new_token_cookie(settings))
    return response


@router.post("/settings/password")
async def change_password(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Change the password; every other session of the user ends."""
    settings: Settings = request.app.state.settings
    values = await form_values(request, unstripped=PASSWORD_FIELDS)
    try:
        data = parse_form(PasswordChange, values)
        secret = request.cookies[session_cookie(settings)]
        await refusals_in_form(
            service.change_password(db=db, user=user, data=data, session_secret=secret)
        )
    except FormInvalid as invalid:
        return await _settings(request, db, user, password_errors=invalid.errors)
    return redirect("/settings?changed=password")


@router.post("/settings/tokens")
async def create_token(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Create an access token, then show its secret on the settings page, this once
    (post/redirect/get: reloading that page creates no second token). A name the user has
    already given a token is refused."""
    settings: Settings = request.app.state.settings
    values = await form_values(request)
    try:
        data = parse_form(TokenCreate, values)
        _token, secret = await refusals_in_form(
            service.create_token(db=db, user_id=user.id, data=data)
        )
    except FormInvalid as invalid:
        return await _settings(request, db, user, token_values=values, token_errors=invalid.errors)
    response = redirect("/settings")
    set_cookie(response, settings, new_token_cookie(settings), secret, NEW_TOKEN_MAX_AGE)
    return response


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request, token_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Revoke a token: it stops working at once."""
    await service.revoke_token(db=db, user_id=user.id, token_id=token_id)
    return redirect("/settings?changed=token")


def new_token_cookie(settings: Settings) -> str:
    """The name of the cookie that carries a new token's secret to the settings page."""
    return cookie_name(settings, "new_token")


def _created(tokens: Sequence[AccessToken], secret: str | None) -> tuple[str, str] | None:
    """The name and secret of the listed token `secret` belongs to, if any (one revoked
    meanwhile, or a cookie that belongs to no token of the user's, shows nothing)."""
    if secret is None:
        return None
    secret_hash = digest(secret)
    found = next((token for token in tokens if same(token.secret_hash, secret_hash)), None)
    return None if found is None else (found.name, secret)


def safe_next(target: str) -> str:
    """Where to go after login: a path on this site, never another site."""
    parts = urlsplit(target)
    foreign = parts.scheme or parts.netloc or target.startswith("//") or "\\" in target
    return "/" if foreign or not target.startswith("/") else target


def _logged_in(settings: Settings, secret: str, target: str) -> Response:
    response = redirect(target)
    lifetime = int(session_limits(settings).lifetime.total_seconds())
    set_cookie(response, settings, session_cookie(settings), secret, lifetime)
    return response


def _signup(
    request: Request,
    *,
    first_run: bool,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    context = {"first_run": first_run, "values": values, "errors": errors or {}}
    return render(request, "auth/signup.html", context, status_code=422 if errors else 200)


def _login(
    request: Request,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    refusal: TooManyAttempts | None = None,
) -> Response:
    status = status_of(refusal) if refusal else 422 if errors else 200
    context = {"values": values, "errors": errors or {}}
    headers = headers_of(refusal) if refusal else None
    return render(request, "auth/login.html", context, status_code=status, headers=headers)


async def _settings(
    request: Request,
    db: SessionDep,
    user: User,
    *,
    password_errors: dict[str, str] | None = None,
    token_values: dict[str, str] | None = None,
    token_errors: dict[str, str] | None = None,
    new_secret: str | None = None,
) -> Response:
    errors = password_errors or token_errors
    tokens = await service.list_tokens(db=db, user_id=user.id)
    context = {
        "nav": "Settings",
        "user": user,
        "tokens": tokens,
        "scopes": TOKEN_SCOPES,
        "password_errors": password_errors or {},
        "token_values": token_values or {"scope": "read_write"},
        "token_errors": token_errors or {},
        "new_token": _created(tokens, new_secret),
        "changed": request.query_params.get("changed"),
    }
    return render(request, "auth/settings.html", context, status_code=422 if errors else 200)
