"""Who is asking: `ApiUser` (a bearer token, for `/api/v1`) and `PageUser` (a browser session,
for pages). Both are also attached to their whole router in `finance.main`, so a new route
cannot forget them."""

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from finance.auth import service
from finance.browser import session_cookie
from finance.config import Settings
from finance.db import SAFE_METHODS, SessionDep
from finance.errors import ReadOnlyToken, Unauthenticated
from finance.users.models import User

bearer = HTTPBearer(
    auto_error=False,
    description="A personal access token: create one on the Settings page or with "
    "`finance tokens create`.",
)


class LoginRequired(Exception):
    """A page needs a logged-in browser: answered by a redirect to `location`."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


async def api_user(
    request: Request,
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The owner of the bearer token; 401 without a valid one, 403 when a read-only token
    tries to write."""
    if credentials is None:
        raise Unauthenticated("send a personal access token: Authorization: Bearer <token>")
    database = request.app.state.database
    found = await service.token_owner(db=db, database=database, secret=credentials.credentials)
    if found is None:
        raise Unauthenticated("the access token is wrong, expired or revoked", rejected=True)
    user, token = found
    if request.method not in SAFE_METHODS and not service.can_write(token):
        raise ReadOnlyToken("this access token is read-only")
    return user


async def page_user(request: Request, db: SessionDep) -> User:
    """The user of this browser's session; without one, a redirect to login (or to sign-up
    while nobody has an account)."""
    user = await session_owner(request, db)
    if user is not None:
        request.state.user = user
        return user
    if not await service.users_exist(db=db):
        raise LoginRequired("/signup")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET" or here == "/":  # a form posted after the session ended
        raise LoginRequired("/login")
    raise LoginRequired("/login?" + urlencode({"next": here}))


async def session_owner(request: Request, db: SessionDep) -> User | None:
    """The user of this browser's live session, if it has one."""
    settings: Settings = request.app.state.settings
    secret = request.cookies.get(session_cookie(settings))
    if not secret:
        return None
    return await service.session_user(
        db=db,
        database=request.app.state.database,
        session_secret=secret,
        limits=session_limits(settings),
    )


def session_limits(settings: Settings) -> service.SessionLimits:
    """The session expiry the settings ask for."""
    return service.SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_lifetime_hours),
    )


ApiUser = Annotated[User, Depends(api_user)]
PageUser = Annotated[User, Depends(page_user)]
