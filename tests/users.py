"""Test users and their credentials, made directly in the database (no password hashing)."""

import re
from dataclasses import dataclass

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth import service as auth_service
from finance.auth.models import BrowserSession
from finance.auth.schemas import TokenCreate
from finance.browser import CSRF_HEADER
from finance.credentials import digest, new_secret
from finance.users.models import User
from finance.users.repository import UserRepository

OWNER_EMAIL = "owner@example.com"


async def add_user(db: AsyncSession, email: str) -> User:
    """A user without a password (tests log in by creating sessions and tokens directly)."""
    user = await UserRepository(db).add(User(email=email))
    await db.commit()
    return user


@dataclass(frozen=True)
class LoggedIn:
    """What a logged-in client sends with every request."""

    cookies: dict[str, str]
    headers: dict[str, str]


async def credentials_for(db: AsyncSession, user: User) -> LoggedIn:
    """What a logged-in client sends: a session cookie with its CSRF header for pages, and a
    read-write bearer token for the API (named "tests", or "tests 2"... for the same user's
    next clients: a user's token names are unique)."""
    session_secret = new_secret()
    db.add(BrowserSession(user_id=user.id, secret_hash=digest(session_secret)))
    await db.commit()
    earlier = len(await auth_service.list_tokens(db=db, user_id=user.id))
    name = f"tests {earlier + 1}" if earlier else "tests"
    _token, token_secret = await auth_service.create_token(
        db=db, user_id=user.id, data=TokenCreate(name=name)
    )
    return LoggedIn(
        cookies={"finance_session": session_secret},
        headers={
            "Authorization": f"Bearer {token_secret}",
            CSRF_HEADER: digest(f"csrf:{session_secret}"),
        },
    )


CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token a page embeds in its forms."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def log_in(client: AsyncClient, email: str, password: str, *, next: str = "/") -> Response:
    """Log in through the login page, as a browser does (the client keeps the cookies)."""
    page = await client.get("/login")
    form = {"email": email, "password": password, "next": next}
    return await client.post("/login", data={**form, "csrf_token": csrf_from(page.text)})


NOTICE = re.compile(r'<main id="main"[^>]*>\s*<p class="notice" role="status">(.*?)</p>', re.S)


def notice_on(html: str) -> str | None:
    """The one-time notice a page shows at its top after a change (as HTML), if any."""
    found = NOTICE.search(html)
    return found.group(1) if found else None
