"""Browser tests: the real app in a real server process, driven in headless Chromium.

Debian's chromium (installed by .ci/run) is launched by Playwright; nothing is downloaded by
Playwright itself. The pages load htmx from a CDN, which tests cannot reach, so the browser is
served the same pinned file from the npm registry instead (fetched once with `npm pack` into
`.cache/`); since the page asks for it with an SRI hash, every test also proves the hash is
right. Every other address outside this machine is blocked.

Every page but /signup and /login needs a logged-in browser. The `server` fixture starts on a
copy of a database that the real CLI migrated and gave one user (`TEST_EMAIL`, `TEST_PASSWORD`)
and an API token (`Server.token`): made once a session, copied per test, so a test pays for no
extra process. The page fixtures log in through the real login form before the test starts;
`anonymous_page` does not, and `first_run_server` has nobody's account yet.

All browser tests share one event loop for the session (`loop_scope="session"`), so Playwright
and the other async tests do not fight over loops. A failing test leaves a screenshot in
`test-artifacts/`.
"""

import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright, expect
from playwright.async_api import Error as PlaywrightError

from finance.config import Settings

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "browser-assets"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HTMX = ("htmx.org@2.0.11", "package/dist/htmx.min.js")
AXE = ("axe-core@4.11.4", "package/axe.min.js")
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def unavailable(reason: str) -> None:
    """Skip on a developer's machine without the tools; in CI a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def npm_file(spec: str, member: str) -> Path:
    """One file of an npm package, fetched once with `npm pack` into `.cache/`."""
    target = CACHE / spec / Path(member).name
    if target.exists():
        return target
    if shutil.which("npm") is None:
        unavailable("browser tests need npm to fetch " + spec)
    with tempfile.TemporaryDirectory() as folder:
        packed = subprocess.run(
            ["npm", "pack", spec, "--pack-destination", folder],
            capture_output=True,
            text=True,
            check=False,
        )
        if packed.returncode != 0:
            unavailable(f"npm pack {spec} failed: {packed.stderr.strip()}")
        (tarball,) = Path(folder).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            source = archive.extractfile(member)
            assert source is not None, member
            target.parent.mkdir(parents=True, exist_ok=True)
            fetched = target.with_name(f"{target.name}.{os.getpid()}")
            fetched.write_bytes(source.read())
            os.replace(fetched, target)  # whole or not at all: test workers fetch side by side
    return target


@pytest.fixture(scope="session")
def htmx_file() -> Path:
    """The pinned htmx, as the CDN serves it."""
    return npm_file(*HTMX)


@pytest.fixture(scope="session")
def axe_file() -> Path:
    """axe-core, for accessibility scans."""
    return npm_file(*AXE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


TEST_EMAIL = "tester@example.com"
TEST_PASSWORD = "correct-horse-ledger-42"


class Server(str):
    """A running `finance serve`: its base URL, and the test user's token for the JSON API."""

    token: str

    def __new__(cls, base_url: str, token: str) -> "Server":
        server = super().__new__(cls, base_url)
        server.token = token
        return server

    @property
    def auth(self) -> dict[str, str]:
        """The headers an API request sends as the test user."""
        return {"Authorization": f"Bearer {self.token}"}


def finance(*args: str, cwd: Path, stdin: str | None = None) -> str:
    """Run the `finance` CLI, as the server is run; its standard output."""
    done = subprocess.run(
        [sys.executable, "-c", "from finance.cli import app; app()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 0, f"finance {' '.join(args)}: {done.stderr}"
    return done.stdout


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A migrated database with the test user and an API token of theirs, as the CLI makes
    them; the file and the token. Made once, copied by every test that uses `server`."""
    folder = tmp_path_factory.mktemp("seeded")
    url = sqlite_url(folder / "finance.db")
    finance("db", "upgrade", "--database-url", url, cwd=folder)
    finance(
        "users",
        "create",
        TEST_EMAIL,
        "--password-stdin",
        "--database-url",
        url,
        cwd=folder,
        stdin=TEST_PASSWORD + "\n",
    )
    token = finance(
        "tokens",
        "create",
        "--user",
        TEST_EMAIL,
        "--name",
        "Browser tests",
        "--database-url",
        url,
        cwd=folder,
    ).strip()
    assert token.startswith("fin_"), token
    return folder / "finance.db", token


@pytest.fixture
def server(tmp_path: Path, seeded_database: tuple[Path, str]) -> Iterator[Server]:
    """`finance serve` on a fresh copy of the seeded database: the test user exists."""
    database, token = seeded_database
    for file in database.parent.glob(database.name + "*"):  # with any -wal and -shm file
        shutil.copy(file, tmp_path / file.name)
    with serving(tmp_path, tmp_path / database.name) as base_url:
        yield Server(base_url, token)


@pytest.fixture
def first_run_server(tmp_path: Path) -> Iterator[str]:
    """`finance serve` on an empty database (it migrates it): nobody has an account yet."""
    with serving(tmp_path, tmp_path / "finance.db") as base_url:
        yield base_url


@contextmanager
def serving(folder: Path, database: Path) -> Iterator[str]:
    """`finance serve` on the SQLite file, logging to `server.log` beside it; its base URL."""
    port = free_port()
    env = {**os.environ, "FINANCE_DATABASE_URL": sqlite_url(database)}
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from finance.cli import app; app()",
                "serve",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base_url, process)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=10)


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not become healthy in 30 s")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, which Playwright drives (it downloads no browser of its own)."""
    if not CHROMIUM.exists():
        unavailable("browser tests need Debian's chromium: apt-get install chromium")
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """One headless Chromium for the session."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


async def new_context(browser: Browser, htmx_file: Path, **options: Any) -> BrowserContext:
    """A fresh browser profile that gets htmx locally and reaches nothing off this machine."""
    context = await browser.new_context(**options)
    htmx_url = Settings(_env_file=None).htmx_url

    async def serve_htmx(route: Route) -> None:
        await route.fulfill(
            path=htmx_file,
            content_type="application/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    async def block_outside(route: Route) -> None:
        await route.abort()

    # The route added last is asked first: the htmx file before the block on everything else.
    await context.route(lambda url: not url.startswith("http://127.0.0.1"), block_outside)
    await context.route(htmx_url, serve_htmx)
    return context


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's outcome on the test, so fixtures can tell whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


async def open_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    htmx_file: Path,
    login: str | None,
    **options: Any,
) -> AsyncIterator[Page]:
    """A page in a fresh profile, logged in to the `login` server unless that is None. It fails
    the test if the Content-Security-Policy blocked anything."""
    context = await new_context(browser, htmx_file, **options)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []  # what the Content-Security-Policy blocked: must be nothing
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    if login is not None:
        await log_in(page, login)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        await capture(page, ARTIFACTS / f"{request.node.name}.png")
    await context.close()
    assert refused == [], refused


async def submit_login(page: Page, email: str = TEST_EMAIL, password: str = TEST_PASSWORD) -> None:
    """Fill in the login form on the page and press Log in, as a person does."""
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()


async def log_in(page: Page, server: str) -> None:
    """Log the test user in through the login page; done when the dashboard shows."""
    await page.goto(f"{server}/login")
    await submit_login(page)
    await expect(page).to_have_url(f"{server}/")
    await expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest_asyncio.fixture(loop_scope="session")
async def page(
    request: pytest.FixtureRequest, browser: Browser, htmx_file: Path, server: Server
) -> AsyncIterator[Page]:
    """A desktop-sized page, logged in."""
    async for opened in open_page(request, browser, htmx_file, server, viewport=DESKTOP):
        yield opened


@pytest_asyncio.fixture(loop_scope="session")
async def anonymous_page(
    request: pytest.FixtureRequest, browser: Browser, htmx_file: Path
) -> AsyncIterator[Page]:
    """A desktop-sized page that has logged in nowhere."""
    async for opened in open_page(request, browser, htmx_file, None, viewport=DESKTOP):
        yield opened


SCREENS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}


@pytest_asyncio.fixture(loop_scope="session", params=sorted(SCREENS))
async def any_screen(
    request: pytest.FixtureRequest, browser: Browser, htmx_file: Path, server: Server
) -> AsyncIterator[Page]:
    """The test runs twice: on a desktop-sized page and on a phone, logged in."""
    async for opened in open_page(request, browser, htmx_file, server, **SCREENS[request.param]):
        yield opened


@pytest_asyncio.fixture(loop_scope="session")
async def phone(
    request: pytest.FixtureRequest, browser: Browser, htmx_file: Path, server: Server
) -> AsyncIterator[Page]:
    """A 375-pixel-wide phone screen, touch enabled, logged in."""
    async for opened in open_page(request, browser, htmx_file, server, **SCREENS["phone"]):
        yield opened


@pytest_asyncio.fixture(loop_scope="session")
async def no_js_page(
    request: pytest.FixtureRequest, browser: Browser, htmx_file: Path, server: Server
) -> AsyncIterator[Page]:
    """A page with JavaScript switched off, logged in (the login form needs no script)."""
    async for opened in open_page(
        request, browser, htmx_file, server, viewport=DESKTOP, java_script_enabled=False
    ):
        yield opened


AXE_URL = "/__tests__/axe.min.js"


async def serious_violations(page: Page, axe_file: Path) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now. axe is served as if
    from the app itself, so the page's Content-Security-Policy lets it run unweakened."""
    origin = page.url.split("/", 3)[:3]

    async def serve_axe(route: Route) -> None:
        await route.fulfill(path=axe_file, content_type="application/javascript")

    await page.route("/".join(origin) + AXE_URL, serve_axe)
    await page.add_script_tag(url=AXE_URL)
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run()).violations
            .filter((v) => ["serious", "critical"].includes(v.impact))
            .map((v) => ({id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target)}))"""
    )
    return found


async def screenshot(page: Page, name: str) -> None:
    """Keep a picture of the page as a test artefact, for people to look at."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        await capture(page, folder / f"{name}.png")
    except PlaywrightError as error:  # Chromium sometimes refuses one capture, on a busy machine
        if "Unable to capture screenshot" not in error.message:
            raise
        await page.wait_for_timeout(200)
        await capture(page, folder / f"{name}.png")


async def capture(page: Page, path: Path) -> None:
    """A full-page screenshot that leaves the page as it was. (Playwright hides the text caret
    by default by giving every input a `style` attribute, left behind empty; htmx may copy it
    into the next swap, where the Content-Security-Policy, which allows no inline style,
    refuses it and fails the test.)"""
    await page.screenshot(path=path, full_page=True, caret="initial")


async def unfold(page: Page) -> None:
    """Open what a phone folds away on the page (the transactions page's add form and filters),
    tapping each summary as a person would; nothing to do on a wide screen."""
    folded = page.locator("details.fold:not([open]) > summary")
    for _ in range(await folded.count()):
        await folded.first.click()
