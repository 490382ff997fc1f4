"""What a person sees of authentication in the browser: sign-up, login, cookies, logout, and the
settings page (password change, access tokens).

Password users are made only where a real password is needed: argon2 costs ~25 ms a hash."""

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth import service
from finance.auth.models import AccessToken, BrowserSession
from finance.credentials import digest
from finance.db import Database
from finance.users.models import User
from tests.apps import make_app
from tests.users import OWNER_EMAIL, csrf_from, log_in

EMAIL = "ada@example.com"
PASSWORD = "tangerine orbit ladle"
NEW_PASSWORD = "velvet quarry mosaic"
API_ACCOUNTS = "/api/v1/accounts"


# --- helpers -----------------------------------------------------------------------------------


@asynccontextmanager
async def browser(
    app: FastAPI, *, base_url: str = "http://test", raise_app_exceptions: bool = True
) -> AsyncIterator[AsyncClient]:
    """A browser with no credentials yet; it keeps the cookies it is given. It sees a 500 as
    a browser does if `raise_app_exceptions` is false."""
    transport = ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    async with AsyncClient(transport=transport, base_url=base_url) as http:
        yield http


async def count(db: AsyncSession, model: type[Any], *where: Any) -> int:
    found = await db.scalar(select(func.count()).select_from(model).where(*where))
    await db.commit()  # end the read: the app's sessions share the connection on SQLite
    return found or 0


async def emails(db: AsyncSession) -> list[str]:
    found = list(await db.scalars(select(User.email).order_by(User.id)))
    await db.commit()
    return found


async def post_form(http: AsyncClient, url: str, data: dict[str, str], *, page: str) -> Response:
    """Post a form as a browser does: with the CSRF token of the page that shows it."""
    shown = await http.get(page)
    assert shown.status_code == 200, f"{page} answered {shown.status_code}"
    return await http.post(url, data={**data, "csrf_token": csrf_from(shown.text)})


async def sign_up(
    http: AsyncClient, email: str, password: str, again: str | None = None
) -> Response:
    form = {"email": email, "password": password, "password_again": again or password}
    # The login page carries the same CSRF token, and is there when sign-up is closed too.
    return await post_form(http, "/signup", form, page="/login")


def cookies_set(response: Response) -> dict[str, list[str]]:
    """Each cookie the response sets: its name and its attributes, lower-cased."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        found[name_value.split("=", 1)[0]] = sorted(a.lower() for a in attributes)
    return found


def session_cookie_value(response: Response, name: str = "finance_session") -> str:
    for header in response.headers.get_list("set-cookie"):
        cookie_name, _, rest = header.partition("=")
        if cookie_name == name:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


def field_error(html: str, field: str) -> str:
    """The message shown beside a form's field."""
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert found, f"no error beside {field}"
    return found.group(1)


def form_error(html: str) -> str:
    found = re.search(r'<p class="error form-error" role="alert">([^<]*)</p>', html)
    assert found, "no error for the whole form"
    return found.group(1)


@pytest.fixture
async def ada(db: AsyncSession) -> User:
    """A user with a real password."""
    return await service.create_user(db=db, email=EMAIL, password=PASSWORD)


# --- sign-up -----------------------------------------------------------------------------------


async def test_with_nobody_signed_up_every_page_leads_to_signup(anonymous: AsyncClient) -> None:
    for path in ("/", "/accounts", "/settings"):
        response = await anonymous.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/signup"
    page = await anonymous.get("/signup")
    assert page.status_code == 200
    assert "Welcome: create your account" in page.text


async def test_the_first_user_signs_up_and_the_dashboard_opens(
    anonymous: AsyncClient, db: AsyncSession
) -> None:
    created = await sign_up(anonymous, "  Ada@Example.COM ", PASSWORD)
    assert created.status_code == 303
    assert created.headers["location"] == "/"
    assert "finance_session" in cookies_set(created)

    dashboard = await anonymous.get("/")
    assert dashboard.status_code == 200
    assert "<h1>Dashboard</h1>" in dashboard.text
    assert EMAIL in (await anonymous.get("/settings")).text
    assert await emails(db) == [EMAIL]  # stored lower-case


async def test_once_someone_has_an_account_signup_is_closed(
    anonymous: AsyncClient, db: AsyncSession, owner: User
) -> None:
    form = await anonymous.get("/signup")
    assert form.status_code == 303
    assert form.headers["location"] == "/login"
    assert "Sign up" not in (await anonymous.get("/login")).text

    refused = await sign_up(anonymous, EMAIL, PASSWORD)
    assert refused.status_code == 422
    assert "sign-up is closed" in form_error(refused.text)
    assert "finance_session" not in cookies_set(refused)
    assert await emails(db) == [OWNER_EMAIL]


async def test_open_signup_lets_anyone_create_an_account(
    database: Database, db: AsyncSession, owner: User
) -> None:
    async with browser(make_app(database, signup_open=True)) as http:
        assert "Sign up" in (await http.get("/login")).text
        form = await http.get("/signup")
        assert form.status_code == 200
        assert "Create an account" in form.text

        created = await sign_up(http, EMAIL, PASSWORD)
        assert created.status_code == 303
        assert (await http.get("/")).status_code == 200
    assert await emails(db) == [OWNER_EMAIL, EMAIL]


async def test_an_email_taken_in_another_case_is_refused(
    database: Database, db: AsyncSession, owner: User
) -> None:
    async with browser(make_app(database, signup_open=True)) as http:
        refused = await sign_up(http, "Owner@EXAMPLE.com", PASSWORD)
    assert refused.status_code == 422
    assert form_error(refused.text) == "a user with the email owner@example.com already exists"
    assert "finance_session" not in cookies_set(refused)
    assert await emails(db) == [OWNER_EMAIL]


@pytest.mark.usefixtures("concurrent_connections")
async def test_two_people_racing_to_be_the_first_user_make_only_one_account(
    app: FastAPI, db: AsyncSession
) -> None:
    async with browser(app) as owner, browser(app) as intruder:
        forms = []
        for http, email in ((owner, EMAIL), (intruder, "intruder@example.com")):
            page = await http.get("/signup")
            form = {"email": email, "password": PASSWORD, "password_again": PASSWORD}
            forms.append((http, {**form, "csrf_token": csrf_from(page.text)}))
        answers = await asyncio.gather(*(http.post("/signup", data=form) for http, form in forms))
    assert sorted(answer.status_code for answer in answers) == [303, 422]
    assert len(await emails(db)) == 1


QUILL = "quillfeather.ostrogoth@example.com"


@pytest.mark.parametrize(
    ("email", "password", "again", "field", "message"),
    [
        (EMAIL, "orbit ladle", None, "password", "use at least 12 characters"),
        (EMAIL, "password1234", None, "password", "too common or too easy to guess"),
        (EMAIL, "qwertyuiop123", None, "password", "too common or too easy to guess"),
        # Strong on its own, but it is the user's email:
        (QUILL, "quillfeather.ostrogoth", None, "password", "too common or too easy to guess"),
        (EMAIL, PASSWORD, PASSWORD + " ", "password_again", "the two passwords differ"),
        ("ada.example.com", PASSWORD, None, "email", "enter an email address such as"),
    ],
    ids=["short", "common", "keyboard-walk", "from-the-email", "typed-differently", "bad-email"],
)
async def test_a_refused_signup_shows_the_reason_beside_the_field_and_creates_nothing(
    anonymous: AsyncClient,
    db: AsyncSession,
    email: str,
    password: str,
    again: str | None,
    field: str,
    message: str,
) -> None:
    refused = await sign_up(anonymous, email, password, again)
    assert refused.status_code == 422
    assert message in field_error(refused.text, field)
    assert f'value="{email}"' in refused.text  # the email is kept
    assert f'value="{password}"' not in refused.text  # the password is not sent back
    assert "finance_session" not in cookies_set(refused)
    assert await emails(db) == []
    assert (await anonymous.get("/")).headers["location"] == "/signup"


async def test_a_long_passphrase_signs_up_and_logs_in(anonymous: AsyncClient, app: FastAPI) -> None:
    passphrase = (
        "tangerine orbit ladle, velvet quarry mosaic; plum gazebo ferry at dawn and a kettle "
        "of brass owls humming in the rain"
    )
    created = await sign_up(anonymous, EMAIL, passphrase)
    assert created.status_code == 303, created.text
    async with browser(app) as http:
        assert (await log_in(http, EMAIL, passphrase)).status_code == 303


# --- login -------------------------------------------------------------------------------------


async def test_the_right_password_logs_in_and_goes_where_the_user_was_headed(
    anonymous: AsyncClient, ada: User
) -> None:
    asked = await anonymous.get("/accounts?archived=true")
    assert asked.headers["location"] == "/login?next=%2Faccounts%3Farchived%3Dtrue"
    login_page = await anonymous.get(asked.headers["location"])
    assert 'name="next" value="/accounts?archived=true"' in login_page.text

    logged_in = await log_in(anonymous, "ADA@example.com", PASSWORD, next="/accounts?archived=true")
    assert logged_in.status_code == 303
    assert logged_in.headers["location"] == "/accounts?archived=true"
    assert "finance_session" in cookies_set(logged_in)
    assert (await anonymous.get("/accounts?archived=true")).status_code == 200
    # Logged in already, the login page goes straight on.
    assert (await anonymous.get("/login?next=/settings")).headers["location"] == "/settings"


async def test_without_next_the_login_goes_to_the_dashboard(
    anonymous: AsyncClient, ada: User
) -> None:
    page = await anonymous.get("/login")
    response = await anonymous.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_every_login_starts_a_new_session(app: FastAPI, db: AsyncSession, ada: User) -> None:
    planted = "a-session-id-chosen-by-an-attacker"
    async with browser(app) as http:
        http.cookies.set("finance_session", planted)
        first = session_cookie_value(await log_in(http, EMAIL, PASSWORD))
        second = session_cookie_value(
            await post_form(
                http, "/login", {"email": EMAIL, "password": PASSWORD}, page="/settings"
            )
        )
    assert len({planted, first, second}) == 3
    assert await count(db, BrowserSession, BrowserSession.secret_hash == digest(planted)) == 0
    async with browser(app) as attacker:
        attacker.cookies.set("finance_session", planted)
        assert (await attacker.get("/")).headers["location"] == "/login"
    async with browser(app) as other:
        other.cookies.set("finance_session", second)
        assert (await other.get("/")).status_code == 200


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    anonymous: AsyncClient, ada: User
) -> None:
    stranger = "bob@example.com"
    wrong = await log_in(anonymous, EMAIL, NEW_PASSWORD)
    unknown = await log_in(anonymous, stranger, PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert field_error(response.text, "password") == "the email or the password is wrong"
        assert "finance_session" not in cookies_set(response)
    assert wrong.text.replace(EMAIL, "someone") == unknown.text.replace(stranger, "someone")
    assert (await anonymous.get("/")).headers["location"] == "/login"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
async def test_next_never_leads_to_another_site(
    anonymous: AsyncClient, ada: User, target: str
) -> None:
    page = await anonymous.get("/login", params={"next": target})
    assert 'name="next" value="/"' in page.text
    response = await log_in(anonymous, EMAIL, PASSWORD, next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_a_password_with_spaces_at_either_end_works_exactly_as_typed(
    anonymous: AsyncClient, app: FastAPI
) -> None:
    spaced = f"  {PASSWORD}  "
    assert (await sign_up(anonymous, EMAIL, spaced)).status_code == 303
    for typed in (PASSWORD, f"{spaced} "):  # two failures: still below the throttle
        async with browser(app) as http:
            assert (await log_in(http, EMAIL, typed)).status_code == 422, repr(typed)
    async with browser(app) as http:
        assert (await log_in(http, EMAIL, spaced)).status_code == 303


# --- cookies -----------------------------------------------------------------------------------


async def test_cookies_are_http_only_lax_and_site_wide_without_secure_over_http(
    anonymous: AsyncClient, ada: User
) -> None:
    first_page = await anonymous.get("/login")
    binding = cookies_set(first_page)["finance_browser"]
    logged_in = await log_in(anonymous, EMAIL, PASSWORD)
    session = cookies_set(logged_in)["finance_session"]
    for attributes in (binding, session):
        assert {"httponly", "path=/", "samesite=lax"} <= set(attributes)
        assert "secure" not in attributes
    assert "max-age=604800" in session  # the session's lifetime: a week


async def test_over_https_cookies_are_secure_with_the_host_prefix(
    database: Database, ada: User
) -> None:
    app = make_app(database, https=True)
    async with browser(app, base_url="https://test") as http:
        first_page = await http.get("/login")
        assert set(cookies_set(first_page)) == {"__Host-finance_browser"}
        logged_in = await log_in(http, EMAIL, PASSWORD)
        assert set(cookies_set(logged_in)) == {"__Host-finance_session"}
        for attributes in (*cookies_set(first_page).values(), *cookies_set(logged_in).values()):
            assert {"httponly", "path=/", "samesite=lax", "secure"} <= set(attributes)
            assert not any(a.startswith("domain=") for a in attributes)
        assert (await http.get("/")).status_code == 200

        # The unprefixed name means nothing over HTTPS.
        secret = session_cookie_value(logged_in, "__Host-finance_session")
    async with browser(app, base_url="https://test") as other:
        other.cookies.set("finance_session", secret)
        assert (await other.get("/")).headers["location"] == "/login"


# --- logout ------------------------------------------------------------------------------------


async def test_after_logout_the_old_cookie_opens_nothing(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    secret = client.cookies["finance_session"]
    assert await count(db, BrowserSession, BrowserSession.secret_hash == digest(secret)) == 1

    out = await client.post("/logout")
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert "max-age=0" in cookies_set(out)["finance_session"]
    assert await count(db, BrowserSession, BrowserSession.secret_hash == digest(secret)) == 0

    async with browser(app) as http:
        http.cookies.set("finance_session", secret)
        assert (await http.get("/")).headers["location"] == "/login"
        assert (await http.get("/settings")).headers["location"] == "/login?next=%2Fsettings"


async def test_logging_out_one_browser_leaves_the_others_logged_in(
    app: FastAPI, db: AsyncSession, ada: User
) -> None:
    async with browser(app) as laptop, browser(app) as phone:
        assert (await log_in(laptop, EMAIL, PASSWORD)).status_code == 303
        assert (await log_in(phone, EMAIL, PASSWORD)).status_code == 303
        out = await post_form(laptop, "/logout", {}, page="/")
        assert out.status_code == 303
        assert (await laptop.get("/")).headers["location"] == "/login"
        assert (await phone.get("/")).status_code == 200
    assert await count(db, BrowserSession) == 1


# --- the settings page: password ---------------------------------------------------------------


def password_form(current: str, new: str, again: str | None = None) -> dict[str, str]:
    return {
        "current_password": current,
        "new_password": new,
        "new_password_again": new if again is None else again,
    }


async def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    app: FastAPI, db: AsyncSession, ada: User
) -> None:
    async with browser(app) as laptop, browser(app) as phone:
        assert (await log_in(laptop, EMAIL, PASSWORD)).status_code == 303
        assert (await log_in(phone, EMAIL, PASSWORD)).status_code == 303
        changed = await post_form(
            laptop, "/settings/password", password_form(PASSWORD, NEW_PASSWORD), page="/settings"
        )
        assert changed.status_code == 303
        assert changed.headers["location"] == "/settings?changed=password"
        page = await laptop.get(changed.headers["location"])
        assert page.status_code == 200
        assert "Your password is changed; your other sessions have ended." in page.text
        assert (await phone.get("/settings")).headers["location"] == "/login?next=%2Fsettings"
    assert await count(db, BrowserSession) == 1

    async with browser(app) as http:
        assert (await log_in(http, EMAIL, PASSWORD)).status_code == 422
        assert (await log_in(http, EMAIL, NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (password_form(NEW_PASSWORD, PASSWORD), "current_password", "not your current password"),
        (password_form(PASSWORD, "password1234"), "new_password", "too common"),
        (password_form(PASSWORD, "short one"), "new_password", "at least 12 characters"),
        (
            password_form(PASSWORD, NEW_PASSWORD, NEW_PASSWORD.upper()),
            "new_password_again",
            "differ",
        ),
    ],
    ids=["wrong-current", "common", "short", "typed-differently"],
)
async def test_a_refused_password_change_is_explained_and_changes_nothing(
    app: FastAPI,
    db: AsyncSession,
    ada: User,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    # A 500 is answered as a browser sees it, not raised here with the app's frames.
    async with (
        browser(app, raise_app_exceptions=False) as laptop,
        browser(app) as phone,
    ):
        assert (await log_in(laptop, EMAIL, PASSWORD)).status_code == 303
        assert (await log_in(phone, EMAIL, PASSWORD)).status_code == 303
        refused = await post_form(laptop, "/settings/password", form, page="/settings")
        assert refused.status_code == 422
        assert message in field_error(refused.text, field)
        assert EMAIL in refused.text  # still the settings page
        for value in form.values():
            assert f'value="{value}"' not in refused.text
        assert (await laptop.get("/settings")).status_code == 200
        assert (await phone.get("/settings")).status_code == 200
    assert await count(db, BrowserSession) == 2
    stored = await db.scalar(select(User.password_hash).where(User.id == ada.id))
    await db.commit()
    assert stored == ada.password_hash


# --- the settings page: access tokens ----------------------------------------------------------


NEW_TOKEN = re.compile(r'<code class="secret" id="new-token">([^<]+)</code>')


def token_rows(html: str) -> list[str]:
    """The listed tokens, each row's cells joined by " | "."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL)
    return [
        " | ".join(cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)[:2])
        for row in rows
    ]


async def test_the_settings_page_shows_who_is_logged_in(client: AsyncClient) -> None:
    page = await client.get("/settings")
    assert page.status_code == 200
    assert f"Logged in as <strong>{OWNER_EMAIL}</strong>" in page.text
    assert token_rows(page.text) == ["tests | Read and write"]


async def test_a_new_token_is_shown_once_works_and_stops_working_when_revoked(
    client: AsyncClient, anonymous: AsyncClient, db: AsyncSession
) -> None:
    created = await client.post("/settings/tokens", data={"name": "Budget script"})
    assert created.status_code == 303 and created.headers["location"] == "/settings"
    shown = await client.get("/settings")
    found = NEW_TOKEN.search(shown.text)
    assert found, "the new token's secret is not shown"
    secret = found.group(1)
    assert secret.startswith("fin_")
    assert secret not in created.text
    assert token_rows(shown.text) == ["Budget script | Read and write", "tests | Read and write"]

    reloaded = await client.get("/settings")
    assert secret not in reloaded.text
    assert NEW_TOKEN.search(reloaded.text) is None
    assert "Budget script | Read and write" in token_rows(reloaded.text)

    bearer = {"Authorization": f"Bearer {secret}"}
    assert (await anonymous.get(API_ACCOUNTS, headers=bearer)).status_code == 200

    token_id = await db.scalar(select(AccessToken.id).where(AccessToken.name == "Budget script"))
    await db.commit()
    assert f'action="/settings/tokens/{token_id}/revoke"' in reloaded.text
    revoked = await client.post(f"/settings/tokens/{token_id}/revoke")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/settings?changed=token"
    after = await client.get(revoked.headers["location"])
    assert "The token is revoked; it no longer works." in after.text
    assert token_rows(after.text) == ["tests | Read and write"]
    assert (await anonymous.get(API_ACCOUNTS, headers=bearer)).status_code == 401


async def test_a_read_only_token_is_listed_as_such_and_can_read(
    client: AsyncClient, anonymous: AsyncClient
) -> None:
    created = await client.post(
        "/settings/tokens", data={"name": "Reports", "scope": "read", "expires_in_days": "30"}
    )
    assert created.status_code == 303
    shown = await client.get(created.headers["location"])
    assert "Reports | Read only" in token_rows(shown.text)
    found = NEW_TOKEN.search(shown.text)
    assert found
    bearer = {"Authorization": f"Bearer {found.group(1)}"}
    assert (await anonymous.get(API_ACCOUNTS, headers=bearer)).status_code == 200


async def test_a_new_tokens_secret_is_shown_once_and_a_reload_creates_nothing(
    client: AsyncClient, db: AsyncSession
) -> None:
    created = await client.post("/settings/tokens", data={"name": "Nightly"})
    carried = cookies_set(created)["finance_new_token"]
    assert {"httponly", "samesite=lax", "path=/", "max-age=60"} <= set(carried)

    shown = await client.get("/settings")
    assert shown.headers["cache-control"] == "no-store"
    assert NEW_TOKEN.search(shown.text) is not None
    assert "Your new token <strong>Nightly</strong>" in shown.text
    assert "max-age=0" in cookies_set(shown)["finance_new_token"]  # cleared at once

    for _reload in range(2):
        again = await client.get("/settings")
        assert NEW_TOKEN.search(again.text) is None
        assert "finance_new_token" not in cookies_set(again)
    assert await count(db, AccessToken) == 2  # the fixture's and Nightly, once


async def test_with_htmx_the_new_token_is_shown_on_the_page_htmx_goes_to(
    client: AsyncClient,
) -> None:
    created = await client.post(
        "/settings/tokens", data={"name": "Nightly"}, headers={"HX-Request": "true"}
    )
    assert created.status_code == 204 and created.headers["hx-redirect"] == "/settings"
    shown = await client.get(created.headers["hx-redirect"])
    assert NEW_TOKEN.search(shown.text) is not None


async def test_a_secret_that_belongs_to_no_token_of_the_user_is_never_shown(
    client: AsyncClient,
) -> None:
    client.cookies.set("finance_new_token", "fin_made-up")
    page = await client.get("/settings")
    assert page.status_code == 200
    assert NEW_TOKEN.search(page.text) is None and "fin_made-up" not in page.text


async def test_a_token_name_already_used_in_any_case_is_refused_and_creates_nothing(
    client: AsyncClient, db: AsyncSession
) -> None:
    await client.post("/settings/tokens", data={"name": "Nightly"})
    await client.get("/settings")
    refused = await client.post("/settings/tokens", data={"name": "NIGHTLY"})
    assert refused.status_code == 422
    assert "already have a token named &#39;NIGHTLY&#39;" in form_error(refused.text)
    assert 'value="NIGHTLY"' in refused.text  # the input is kept
    assert "finance_new_token" not in cookies_set(refused)
    assert NEW_TOKEN.search(refused.text) is None
    assert await count(db, AccessToken) == 2


async def test_revoking_a_token_already_gone_changes_nothing_else(
    client: AsyncClient, db: AsyncSession
) -> None:
    response = await client.post("/settings/tokens/999999/revoke")
    assert response.status_code == 404
    assert await count(db, AccessToken) == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": ""}, "name", "Field required"),
        ({"name": "   "}, "name", "Field required"),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        (
            {"name": "Nightly", "expires_in_days": "0"},
            "expires_in_days",
            "greater than or equal to 1",
        ),
        ({"name": "Nightly", "expires_in_days": "soon"}, "expires_in_days", "valid integer"),
    ],
    ids=["empty-name", "blank-name", "long-name", "zero-days", "not-a-number"],
)
async def test_a_refused_token_form_is_explained_and_creates_nothing(
    client: AsyncClient, db: AsyncSession, form: dict[str, str], field: str, message: str
) -> None:
    refused = await client.post("/settings/tokens", data=form)
    assert refused.status_code == 422
    assert message in field_error(refused.text, field)
    assert NEW_TOKEN.search(refused.text) is None
    if form["name"].strip():
        assert f'value="{form["name"]}"' in refused.text  # the input is kept
    assert await count(db, AccessToken) == 1  # only the fixture's
