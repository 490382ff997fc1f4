"""Who may use which route, checked on every route the app has: the routes are found by walking
`app.routes`, so a route added later is checked without anyone remembering to.

A stranger is sent to log in (pages) or refused with 401 (API); another user's objects are not
found; a form without this browser's CSRF token is refused; a bearer token that is wrong,
expired, revoked or read-only is refused. Whatever is refused leaves the database as it was."""

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from finance.auth import service as auth_service
from finance.auth.models import AccessToken, TokenScope
from finance.auth.schemas import TokenCreate
from finance.credentials import TOKEN_PREFIX, digest, new_secret
from finance.models import Base
from finance.timestamps import utc_now
from finance.users.models import User
from tests.api import API, add_account, add_category, add_transaction
from tests.users import OWNER_EMAIL, add_user, credentials_for, csrf_from

# The contract, written out here rather than imported from the app, so that a change to the
# app's own constants cannot quietly change what these tests check.
PUBLIC_PATHS = frozenset(
    {
        "/health",
        "/docs",
        "/docs/assets",
        "/openapi.json",
        "/static",
        "/login",
        "/signup",
    }
)
"""Reachable without logging in, on purpose. Every other route must refuse a stranger."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
PROBLEM_JSON = "application/problem+json"
HTML = {"Accept": "text/html,application/xhtml+xml"}
NOT_FOUND_PAGE = "There is nothing here"
BOOKKEEPING_COLUMNS = frozenset({"last_used_at", "last_seen_at"})
"""When a session or token was last used: written by any authenticated request, so left out
when comparing the database before and after requests that must change nothing."""

PATH_PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")
OBJECT_PARAMETERS = (
    "account_id",
    "category_id",
    "transaction_id",
    "token_id",
    "batch_id",
    "rule_id",
)
"""The path parameters these tests know how to fill; a route with another one fails them."""

STRANGER_EMAIL = "stranger@example.com"
OWNERS_SECRETS = {
    "account": "Zebracorn Checking",
    "savings": "Okapi Savings",
    "category": "Narwhal Treats",
    "payee": "Quokka Bakery",
    "memo": "Pangolin birthday cake",
    "token": "Axolotl backup script",
    "email": OWNER_EMAIL,
}
"""What the owner's ledger holds that nobody else may see."""


# --- The routes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One method of one route."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def api(self) -> bool:
        return self.path.startswith(f"{API}/")

    @property
    def safe(self) -> bool:
        return self.method in SAFE_METHODS

    @property
    def public(self) -> bool:
        return self.path in PUBLIC_PATHS

    @property
    def parameters(self) -> list[str]:
        return [match[1] for match in PATH_PARAMETER.finditer(self.path)]

    def url(self, ids: Mapping[str, int]) -> str:
        """The path with each parameter filled from `ids`."""

        def fill(match: re.Match[str]) -> str:
            name = match[1]
            if name not in OBJECT_PARAMETERS:
                pytest.fail(
                    f"{self}: unknown path parameter {name!r}; add it to OBJECT_PARAMETERS and "
                    "to the ledgers of tests/auth/test_routes.py"
                )
            return str(ids[name])

        return PATH_PARAMETER.sub(fill, self.path)


def all_endpoints(app: FastAPI) -> list[Endpoint]:
    """Every method of every route the app answers, public ones included; a route that is not a
    FastAPI route (so these tests could not know its methods) fails them unless public."""
    endpoints: list[Endpoint] = []
    for route in iter_route_contexts(app.routes):
        path = route.path
        if isinstance(route.original_route, APIRoute) and path is not None:
            endpoints.extend(Endpoint(method, path) for method in sorted(route.methods or ()))
        elif path not in PUBLIC_PATHS:
            pytest.fail(f"{path}: not a FastAPI route, so these tests cannot check who may use it")
    assert any(e.api for e in endpoints) and any(not e.api for e in endpoints), endpoints
    return endpoints


def public_paths(app: FastAPI) -> set[str]:
    """The paths of the routes these tests leave out as public."""
    return {route.path for route in iter_route_contexts(app.routes) if route.path in PUBLIC_PATHS}


def protected(app: FastAPI, *, api: bool) -> list[Endpoint]:
    """The routes that need a logged-in user: the API's or the pages'."""
    return [e for e in all_endpoints(app) if not e.public and e.api is api]


def unsafe_pages(app: FastAPI) -> list[Endpoint]:
    """Every page route that changes something, login and sign-up included."""
    return [e for e in all_endpoints(app) if not e.api and not e.safe]


# --- What the requests send -------------------------------------------------------------------


def json_body(endpoint: Endpoint, ids: Mapping[str, int]) -> dict[str, Any] | None:
    """A plausible JSON body for an API write, using the objects in `ids`."""
    if endpoint.safe or endpoint.method == "DELETE":
        return None
    transaction = {
        "date": "2026-10-04",
        "account_id": ids["account_id"],
        "amount": "-9.99",
        "payee": "Mallory Mart",
        "category_id": ids["category_id"],
    }
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", f"{API}/accounts"): {
            "name": "Mallory Account",
            "type": "checking",
            "currency": "USD",
            "opening_date": "2026-01-01",
        },
        ("PATCH", f"{API}/accounts/{{account_id}}"): {"name": "Renamed by Mallory"},
        ("POST", f"{API}/categories"): {"name": "Mallory Category", "kind": "expense"},
        ("PATCH", f"{API}/categories/{{category_id}}"): {"name": "Renamed by Mallory"},
        ("POST", f"{API}/transactions"): transaction,
        ("PUT", f"{API}/transactions/{{transaction_id}}"): transaction,
        ("PATCH", f"{API}/transactions/{{transaction_id}}"): {"payee": "Mallory Mart"},
    }
    return bodies.get((endpoint.method, endpoint.path), {})


def form_data(endpoint: Endpoint, ids: Mapping[str, int]) -> dict[str, str] | None:
    """Plausible form data for a page that changes something, using the objects in `ids`."""
    if endpoint.safe:
        return None
    account = {
        "name": "Mallory Account",
        "type": "checking",
        "currency": "USD",
        "opening_balance": "0",
        "opening_date": "2026-01-01",
        "note": "",
    }
    transaction = {
        "return": "",
        "date": "2026-10-04",
        "payee": "Mallory Mart",
        "memo": "",
        "amount": "9.99",
        "kind": "expense",
        "account_id": str(ids["account_id"]),
        "category_id": str(ids["category_id"]),
        "to_account_id": "",
    }
    passphrase = "correct horse battery staple 42"
    forms: dict[str, dict[str, str]] = {
        "/accounts": account,
        "/accounts/{account_id}": account,
        "/transactions": transaction,
        "/transactions/undo": transaction,
        "/transactions/{transaction_id}": transaction,
        "/transactions/{transaction_id}/delete": {"return": ""},
        "/categories": {"name": "Mallory Category", "kind": "expense"},
        "/categories/{category_id}": {"name": "Mallory Category", "kind": "expense"},
        "/categories/{category_id}/delete": {"replace_with": ""},
        "/settings/password": {
            "current_password": "not the password",
            "new_password": passphrase,
            "new_password_again": passphrase,
        },
        "/settings/tokens": {"name": "Mallory token", "scope": "read_write"},
        "/signup": {
            "email": "mallory@example.com",
            "password": passphrase,
            "password_again": passphrase,
        },
        "/login": {"email": OWNER_EMAIL, "password": "not the password", "next": "/"},
    }
    return dict(forms.get(endpoint.path, {}))


async def send(
    http: AsyncClient,
    endpoint: Endpoint,
    *,
    path_ids: Mapping[str, int],
    body_ids: Mapping[str, int] | None = None,
    csrf_field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The request a client would make to `endpoint`: the path names the objects of `path_ids`,
    the body (JSON for the API, a form for pages) those of `body_ids`."""
    url = endpoint.url(path_ids)
    body_ids = body_ids or path_ids
    if endpoint.api:
        body = json_body(endpoint, body_ids)
        return await http.request(endpoint.method, url, json=body, headers=headers)
    form = form_data(endpoint, body_ids)
    if csrf_field is not None and not endpoint.safe:
        form = {**(form or {}), CSRF_FIELD: csrf_field}
    return await http.request(endpoint.method, url, data=form, headers=headers)


def new_client(app: FastAPI, **options: Any) -> AsyncClient:
    """A client of the app with the given cookies and headers, and nothing else. A crash is
    answered 500, as a browser would see it, so that a walk goes on and reports every route."""
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://test", **options)


def client_with_token(app: FastAPI, secret: str) -> AsyncClient:
    """A script's client: a bearer token and nothing else."""
    return new_client(app, headers={"Authorization": f"Bearer {secret}"})


async def token_secret(
    db: AsyncSession, user: User, name: str, **fields: Any
) -> tuple[AccessToken, str]:
    return await auth_service.create_token(
        db=db, user_id=user.id, data=TokenCreate(name=name, **fields)
    )


# --- What the answers must be -----------------------------------------------------------------


def problem(response: Response, status: int) -> list[str]:
    """Why `response` is not problem details with `status` (nothing if it is)."""
    if response.status_code != status:
        return [f"answered {response.status_code}, not {status}: {response.text[:200]}"]
    if response.headers.get("content-type") != PROBLEM_JSON:
        return [f"content-type {response.headers.get('content-type')}, not {PROBLEM_JSON}"]
    body = response.json()
    if body.get("status") != status or not body.get("detail"):
        return [f"problem details without the status or a detail: {body}"]
    return []


def bearer_refusal(response: Response, status: int, error: str | None = None) -> list[str]:
    """Why `response` is not a bearer refusal: problem details and `WWW-Authenticate: Bearer`,
    with `error="<error>"` if given."""
    reasons = problem(response, status)
    challenge = response.headers.get("www-authenticate", "")
    if not challenge.startswith("Bearer"):
        reasons.append(f"WWW-Authenticate is {challenge!r}, not a Bearer challenge")
    elif error is not None and f'error="{error}"' not in challenge:
        reasons.append(f'WWW-Authenticate is {challenge!r}, without error="{error}"')
    return reasons


def sent_to(response: Response, page: str, *, then: str | None = None) -> list[str]:
    """Why `response` is not a 303 to `page` (with `next` = `then`, if given)."""
    location = response.headers.get("location", "")
    if response.status_code != 303:
        return [f"answered {response.status_code}, not a redirect to {page}"]
    target = urlsplit(location)
    if target.path != page:
        return [f"redirected to {location}, not to {page}"]
    if then is not None:
        after = parse_qs(target.query).get("next", ["/"])
        if after != [then]:
            return [f"redirected to {location}: after logging in the user would land on {after}"]
    return []


def login_redirect(response: Response, endpoint: Endpoint, url: str) -> list[str]:
    """Why `response` is not the way to the login page for a request to `url`: a page comes back
    after logging in (`next`); a form posted is not sent again, nor opened with GET (which it
    does not answer), so its URL must not be `next`."""
    if endpoint.safe:
        return sent_to(response, "/login", then=url)
    reasons = sent_to(response, "/login")
    location = urlsplit(response.headers.get("location", ""))
    if not reasons and parse_qs(location.query).get("next") == [url]:
        reasons.append(f"redirected to {location.geturl()}: after logging in, a GET of a form URL")
    return reasons


def not_found_page(response: Response) -> list[str]:
    """Why `response` is not the HTML "not found" page."""
    if response.status_code != 404:
        return [f"answered {response.status_code}, not 404: {response.text[:200]}"]
    if not response.headers.get("content-type", "").startswith("text/html"):
        return [f"content-type {response.headers.get('content-type')}, not the HTML 404 page"]
    if NOT_FOUND_PAGE not in response.text:
        return ["the 404 page does not say there is nothing here"]
    return []


def leaks(response: Response) -> list[str]:
    """The owner's secrets that `response` shows."""
    return [
        f"shows the owner's {what} {secret!r}"
        for what, secret in OWNERS_SECRETS.items()
        if secret in response.text
    ]


def report(failures: list[str]) -> str:
    return "\n".join(failures)


Dump = dict[str, list[tuple[Any, ...]]]


async def dump(session_factory: async_sessionmaker[AsyncSession]) -> Dump:
    """Every row of every table, in primary key order, without the bookkeeping columns."""
    tables: Dump = {}
    async with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in BOOKKEEPING_COLUMNS]
            result = await session.execute(select(*columns).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in result]
    return tables


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
async def ledger(client: AsyncClient, db: AsyncSession, owner: User) -> dict[str, int]:
    """The owner's ledger: two accounts, a category, a purchase and a transfer, and a named
    access token; the ids that fill path parameters."""
    checking = await add_account(client, OWNERS_SECRETS["account"], opening_balance="250.00")
    savings = await add_account(client, OWNERS_SECRETS["savings"], type="savings")
    category = await add_category(client, OWNERS_SECRETS["category"])
    purchase = await add_transaction(
        client,
        account_id=checking["id"],
        amount="-12.50",
        payee=OWNERS_SECRETS["payee"],
        memo=OWNERS_SECRETS["memo"],
        category_id=category["id"],
    )
    await add_transaction(
        client, from_account_id=checking["id"], to_account_id=savings["id"], amount="100.00"
    )
    token, _secret = await token_secret(db, owner, OWNERS_SECRETS["token"])
    batch = await import_statement(client, checking["id"], OWNERS_SECRETS["payee"])
    rule = await add_rule(client, OWNERS_SECRETS["payee"], category["id"])
    return {
        "account_id": checking["id"],
        "category_id": category["id"],
        "transaction_id": purchase["id"],
        "token_id": token.id,
        "batch_id": batch["id"],
        "rule_id": rule["id"],
    }


async def add_rule(client: AsyncClient, pattern: str, category_id: int) -> dict[str, Any]:
    """A categorisation rule."""
    response = await client.post(
        f"{API}/rules", json={"pattern": pattern, "category_id": category_id}
    )
    assert response.status_code == 201, response.text
    rule: dict[str, Any] = response.json()
    return rule


async def import_statement(client: AsyncClient, account_id: int, payee: str) -> dict[str, Any]:
    """A one-line bank statement imported into the account; the import batch."""
    statement = f"Date,Description,Amount\n2026-10-04,{payee},-2.00\n".encode()
    response = await client.post(
        f"{API}/imports",
        data={"account_id": str(account_id)},
        files={"file": ("statement.csv", statement)},
    )
    assert response.status_code == 201, response.text
    batch: dict[str, Any] = response.json()
    return batch


@dataclass(frozen=True)
class Stranger:
    """Another user, logged in with their own session and token, with a ledger of their own."""

    http: AsyncClient
    ids: dict[str, int]


@pytest.fixture
async def stranger(
    app: FastAPI, db: AsyncSession, ledger: dict[str, int]
) -> AsyncIterator[Stranger]:
    user = await add_user(db, STRANGER_EMAIL)
    credentials = await credentials_for(db, user)
    async with new_client(app, cookies=credentials.cookies, headers=credentials.headers) as http:
        wallet = await add_account(http, "Bravo Wallet")
        snacks = await add_category(http, "Bravo Snacks")
        purchase = await add_transaction(
            http,
            account_id=wallet["id"],
            amount="-3.00",
            payee="Bravo Deli",
            category_id=snacks["id"],
        )
        token, _secret = await token_secret(db, user, "Bravo laptop")
        batch = await import_statement(http, wallet["id"], "Bravo Bakery")
        rule = await add_rule(http, "Bravo", snacks["id"])
        ids = {
            "account_id": wallet["id"],
            "category_id": snacks["id"],
            "transaction_id": purchase["id"],
            "token_id": token.id,
            "batch_id": batch["id"],
            "rule_id": rule["id"],
        }
        yield Stranger(http, ids)


async def browser_csrf(http: AsyncClient) -> str:
    """Visit the login page as a browser does: the client keeps the browser cookie it is given,
    and the CSRF token the page's form carries is returned."""
    page = await http.get("/login")
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


# --- The walk itself ------------------------------------------------------------------------


async def test_only_the_intended_routes_are_public(app):
    assert public_paths(app) == PUBLIC_PATHS
    found = {str(endpoint) for endpoint in all_endpoints(app)}
    some_known = {
        f"GET {API}/accounts",
        f"DELETE {API}/transactions/{{transaction_id}}",
        "GET /",
        "POST /categories/{category_id}/delete",
        "POST /settings/tokens/{token_id}/revoke",
        "POST /login",
    }
    assert some_known <= found, "the walk of app.routes misses routes"


# --- 1. Nobody logged in ------------------------------------------------------------------------


async def test_without_credentials_the_api_answers_401_and_nothing_changes(
    app, anonymous, ledger, session_factory
):
    before = await dump(session_factory)
    failures = []
    for endpoint in protected(app, api=True):
        response = await send(anonymous, endpoint, path_ids=ledger)
        failures += [f"{endpoint}: {why}" for why in bearer_refusal(response, 401)]
        failures += [f"{endpoint}: {why}" for why in leaks(response)]
    assert not failures, report(failures)
    assert await dump(session_factory) == before


async def test_without_a_session_every_page_leads_to_login_and_nothing_changes(
    app, anonymous, ledger, session_factory
):
    before = await dump(session_factory)
    failures = []
    async with new_client(app) as browser:
        token = await browser_csrf(browser)  # an anonymous browser with a valid CSRF token
        for endpoint in protected(app, api=False):
            url = endpoint.url(ledger)
            anonymous.cookies.clear()  # no cookie at all, not even the anonymous browser's
            bare = await send(anonymous, endpoint, path_ids=ledger)
            bound = await send(browser, endpoint, path_ids=ledger, csrf_field=token)
            for who, response in (("no cookie", bare), ("a fresh browser", bound)):
                failures += [
                    f"{endpoint} ({who}): {why}" for why in login_redirect(response, endpoint, url)
                ]
                failures += [f"{endpoint} ({who}): {why}" for why in leaks(response)]
    assert not failures, report(failures)
    assert await dump(session_factory) == before


async def test_before_anyone_signs_up_every_page_leads_to_sign_up(app, anonymous, session_factory):
    nothing_yet = dict.fromkeys(OBJECT_PARAMETERS, 1)
    failures = []
    for endpoint in protected(app, api=False):
        anonymous.cookies.clear()
        response = await send(anonymous, endpoint, path_ids=nothing_yet)
        failures += [f"{endpoint}: {why}" for why in sent_to(response, "/signup")]
    for endpoint in protected(app, api=True):
        response = await send(anonymous, endpoint, path_ids=nothing_yet)
        failures += [f"{endpoint}: {why}" for why in bearer_refusal(response, 401)]
    assert not failures, report(failures)
    assert all(rows == [] for rows in (await dump(session_factory)).values())


# --- 2. Another user's objects ------------------------------------------------------------------


async def test_another_users_objects_are_not_found_by_any_route_and_stay_as_they_were(
    app, ledger, stranger, session_factory
):
    before = await dump(session_factory)
    failures = []
    with_objects = [e for e in all_endpoints(app) if e.parameters and not e.public]
    assert with_objects
    for endpoint in with_objects:
        response = await send(
            stranger.http,
            endpoint,
            path_ids=ledger,
            body_ids=stranger.ids,
            headers=None if endpoint.api else HTML,
        )
        found = problem(response, 404) if endpoint.api else not_found_page(response)
        failures += [f"{endpoint}: {why}" for why in found + leaks(response)]
    assert not failures, report(failures)
    assert await dump(session_factory) == before


async def test_another_users_lists_and_pages_never_show_the_owners_ledger(app, ledger, stranger):
    owners = ledger
    api_lists = [
        (f"{API}/accounts", {}, "Bravo Wallet"),
        (f"{API}/accounts", {"archived": "false"}, "Bravo Wallet"),
        (f"{API}/categories", {}, "Bravo Snacks"),
        (f"{API}/transactions", {}, "Bravo Deli"),
        (f"{API}/transactions", {"include": "postings"}, "Bravo Deli"),
        (f"{API}/transactions", {"account_id": owners["account_id"]}, None),
        (f"{API}/transactions", {"category_id": owners["category_id"]}, None),
        (f"{API}/transactions", {"q": "Quokka"}, None),
        (f"{API}/transactions", {"q": "Pangolin"}, None),
        (f"{API}/transactions", {"date_from": "2000-01-01", "amount_max": "0"}, "Bravo Deli"),
    ]
    pages = [
        ("/", {}, "Bravo Wallet"),
        ("/accounts", {}, "Bravo Wallet"),
        ("/accounts", {"archived": "true"}, "Bravo Wallet"),
        ("/transactions", {}, "Bravo Deli"),
        ("/transactions", {"account_id": owners["account_id"]}, None),
        ("/transactions", {"q": "Quokka"}, None),
        ("/categories", {}, "Bravo Snacks"),
        ("/settings", {}, "Bravo laptop"),
    ]
    failures = []
    for url, params, own in [*api_lists, *pages]:
        headers = None if url.startswith(API) else HTML
        response = await stranger.http.get(url, params=params, headers=headers)
        where = f"GET {url} {params}"
        if response.status_code != 200:
            failures.append(f"{where}: answered {response.status_code}: {response.text[:200]}")
        elif own is not None and own not in response.text:
            failures.append(f"{where}: does not show the user's own {own!r}")
        elif url == f"{API}/transactions" and own is None and response.json()["items"]:
            failures.append(f"{where}: lists transactions of the owner's filter")
        failures += [f"{where}: {why}" for why in leaks(response)]
    assert not failures, report(failures)


# --- 3. CSRF ------------------------------------------------------------------------------------


async def test_every_form_is_refused_without_this_browsers_csrf_token(
    app, db, owner, ledger, session_factory
):
    elsewhere = await credentials_for(db, owner)  # the same user in another browser
    forged = [
        ("no token", None, None),
        ("a made-up header", {CSRF_HEADER: digest("made up")}, None),
        ("a made-up form field", None, digest("made up")),
        ("another browser's token", {CSRF_HEADER: elsewhere.headers[CSRF_HEADER]}, None),
        ("an empty header", {CSRF_HEADER: ""}, None),
    ]
    endpoints = unsafe_pages(app)
    assert {"POST /login", "POST /signup"} <= {str(e) for e in endpoints}
    # A session of its own for each route, so that logging out in one does not end the others.
    sessions = [await credentials_for(db, owner) for _endpoint in endpoints]
    failures = []
    for endpoint, credentials in zip(endpoints, sessions, strict=True):
        async with new_client(app, cookies=credentials.cookies) as browser:
            before = await dump(session_factory)
            for how, headers, field in forged:
                response = await send(
                    browser, endpoint, path_ids=ledger, headers=headers, csrf_field=field
                )
                if response.status_code != 403:
                    failures.append(f"{endpoint} with {how}: answered {response.status_code}")
            if await dump(session_factory) != before:
                failures.append(f"{endpoint}: a refused request changed the database")
    assert not failures, report(failures)

    # The same requests with the browser's own token are heard: the token is what refused them.
    for endpoint, credentials in zip(endpoints, sessions, strict=True):
        async with new_client(app, cookies=credentials.cookies) as browser:
            right = credentials.headers[CSRF_HEADER]
            genuine = await send(browser, endpoint, path_ids=ledger, csrf_field=right)
        if genuine.status_code == 403 or genuine.status_code >= 500:
            failures.append(f"{endpoint} with the right token: answered {genuine.status_code}")
        if genuine.status_code >= 500:
            break  # the database may be unusable after a crash: the routes after it would fail
    assert not failures, report(failures)


@pytest.mark.parametrize("path", ["/login", "/signup"])
async def test_logging_in_and_signing_up_need_the_csrf_token_of_the_browser(
    app, ledger, session_factory, path
):
    endpoint = Endpoint("POST", path)
    before = await dump(session_factory)
    async with new_client(app) as bare, new_client(app) as browser:
        token = await browser_csrf(browser)
        refused = [
            await send(bare, endpoint, path_ids=ledger),
            await send(bare, endpoint, path_ids=ledger, csrf_field=token),  # not its browser's
            await send(browser, endpoint, path_ids=ledger),
            await send(browser, endpoint, path_ids=ledger, csrf_field=digest("made up")),
        ]
        assert [response.status_code for response in refused] == [403] * len(refused)
        assert await dump(session_factory) == before  # no login failure counted, no user made

        heard = await send(browser, endpoint, path_ids=ledger, csrf_field=token)
    assert heard.status_code != 403 and heard.status_code < 500, heard.text


# --- 4. Bearer tokens ---------------------------------------------------------------------------


async def test_wrong_expired_and_revoked_tokens_are_refused_by_every_api_route(
    app, db, owner, ledger, session_factory
):
    expiring, expiring_secret = await token_secret(db, owner, "Expiring", expires_in_days=1)
    revoked, revoked_secret = await token_secret(db, owner, "Revoked")
    for secret in (expiring_secret, revoked_secret):  # both work, to begin with
        async with client_with_token(app, secret) as http:
            assert (await http.get(f"{API}/accounts")).status_code == 200
    await db.execute(
        update(AccessToken)
        .where(AccessToken.id == expiring.id)
        .values(expires_at=utc_now() - timedelta(seconds=1))
    )
    await db.commit()
    await auth_service.revoke_token(db=db, user_id=owner.id, token_id=revoked.id)

    before = await dump(session_factory)
    failures = []
    tokens = [
        ("a wrong token", new_secret(TOKEN_PREFIX)),
        ("an expired token", expiring_secret),
        ("a revoked token", revoked_secret),
    ]
    for how, secret in tokens:
        async with client_with_token(app, secret) as http:
            for endpoint in protected(app, api=True):
                response = await send(http, endpoint, path_ids=ledger)
                reasons = bearer_refusal(response, 401, "invalid_token")
                failures += [f"{endpoint} with {how}: {why}" for why in reasons]
    assert not failures, report(failures)
    assert await dump(session_factory) == before


async def test_a_revoked_token_stops_working_on_the_very_next_request(app, client, db, owner):
    by_service, by_service_secret = await token_secret(db, owner, "Revoked through the service")
    on_page, on_page_secret = await token_secret(db, owner, "Revoked on the settings page")
    async with (
        client_with_token(app, by_service_secret) as script,
        client_with_token(app, on_page_secret) as other_script,
    ):
        assert (await script.get(f"{API}/accounts")).status_code == 200
        assert (await other_script.get(f"{API}/accounts")).status_code == 200

        await auth_service.revoke_token(db=db, user_id=owner.id, token_id=by_service.id)
        page = await client.post(f"/settings/tokens/{on_page.id}/revoke")
        assert page.status_code == 303, page.text

        for http in (script, other_script):
            response = await http.get(f"{API}/accounts")
            assert not bearer_refusal(response, 401, "invalid_token"), response.text


async def test_a_read_only_token_reads_every_api_route_but_changes_nothing(
    app, db, owner, ledger, session_factory
):
    _token, secret = await token_secret(db, owner, "Reader", scope=TokenScope.READ)
    failures = []
    async with client_with_token(app, secret) as http:
        reads = [e for e in protected(app, api=True) if e.safe]
        writes = [e for e in protected(app, api=True) if not e.safe]
        assert reads and writes
        for endpoint in reads:
            response = await send(http, endpoint, path_ids=ledger)
            if response.status_code != 200:
                failures.append(f"{endpoint}: answered {response.status_code}: {response.text}")
        before = await dump(session_factory)
        for endpoint in writes:
            response = await send(http, endpoint, path_ids=ledger)
            reasons = bearer_refusal(response, 403, "insufficient_scope")
            failures += [f"{endpoint}: {why}" for why in reasons]
    assert not failures, report(failures)
    assert await dump(session_factory) == before


async def test_a_browser_session_does_not_open_the_api(app, db, owner, ledger, session_factory):
    credentials = await credentials_for(db, owner)
    browser_only = {CSRF_HEADER: credentials.headers[CSRF_HEADER]}
    before = await dump(session_factory)
    failures = []
    async with new_client(app, cookies=credentials.cookies, headers=browser_only) as browser:
        assert (await browser.get("/accounts")).status_code == 200  # the session is good
        for endpoint in protected(app, api=True):
            response = await send(browser, endpoint, path_ids=ledger)
            failures += [f"{endpoint}: {why}" for why in bearer_refusal(response, 401)]
    assert not failures, report(failures)
    assert await dump(session_factory) == before


async def test_a_bearer_token_does_not_open_the_pages(app, db, owner, ledger, session_factory):
    _token, secret = await token_secret(db, owner, "Script")
    before = await dump(session_factory)
    failures = []
    async with client_with_token(app, secret) as script:
        assert (await script.get(f"{API}/accounts")).status_code == 200  # the token is good
        for endpoint in protected(app, api=False):
            script.cookies.clear()
            response = await send(script, endpoint, path_ids=ledger)
            reasons = login_redirect(response, endpoint, endpoint.url(ledger))
            failures += [f"{endpoint}: {why}" for why in reasons + leaks(response)]
    assert not failures, report(failures)
    assert await dump(session_factory) == before
