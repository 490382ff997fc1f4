"""`finance users ...` and `finance tokens ...` on a SQLite file, then the app on that same file,
as the person who ran the commands would use it.

Synchronous tests: the commands run their own event loops, and so does the test client."""

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient, Response
from typer.testing import CliRunner, Result

from finance import cli
from finance.config import Settings
from finance.main import create_app
from tests.users import csrf_from

SETTINGS_VARIABLES = [f"FINANCE_{name.upper()}" for name in Settings.model_fields]
EMAIL = "ada@example.com"
PASSWORD = "tangerine orbit ladle"
NEW_PASSWORD = "velvet quarry mosaic"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the environment or a `.env` file."""
    monkeypatch.chdir(tmp_path)
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def database(tmp_path: Path) -> str:
    """The URL of a migrated, empty SQLite file."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'finance.db'}"
    upgraded = CliRunner().invoke(cli.app, ["db", "upgrade", "--database-url", url])
    assert upgraded.exit_code == 0, upgraded.output
    return url


def finance(database: str, *args: str, stdin: str | None = None) -> Result:
    """Run `finance ARGS --database-url DATABASE`."""
    return CliRunner().invoke(cli.app, [*args, "--database-url", database], input=stdin)


def query(database: str, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    """Read the file with the standard library, without changing it."""
    path = database.removeprefix("sqlite+aiosqlite:///")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute(sql, parameters).fetchall()


def create_user(database: str, email: str = EMAIL, password: str = PASSWORD) -> None:
    created = finance(database, "users", "create", email, "--password-stdin", stdin=password + "\n")
    assert created.exit_code == 0, created.output


class Browser:
    """A browser on the app, driven from synchronous code: its requests run on its own event
    loop, between which the commands may run theirs."""

    def __init__(self, runner: asyncio.Runner, http: AsyncClient) -> None:
        self.runner = runner
        self.http = http

    def get(self, url: str, **options: Any) -> Response:
        return self.runner.run(self.http.get(url, **options))

    def post(self, url: str, **options: Any) -> Response:
        return self.runner.run(self.http.post(url, **options))


@contextmanager
def browser(database: str) -> Iterator[Browser]:
    """A browser on the app serving this database."""
    with asyncio.Runner() as runner:
        app = create_app(Settings(database_url=database, _env_file=None))
        http = AsyncClient(transport=ASGITransport(app=app), base_url="http://test")
        try:
            yield Browser(runner, http)
        finally:
            runner.run(http.aclose())
            runner.run(app.state.database.engine.dispose())


def log_in(http: Browser, email: str, password: str) -> Response:
    page = http.get("/login")
    form = {"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    return http.post("/login", data=form)


def api_status(database: str, token: str, method: str = "GET") -> int:
    with browser(database) as http:
        headers = {"Authorization": f"Bearer {token}"}
        if method == "GET":
            return http.get("/api/v1/accounts", headers=headers).status_code
        body = {"name": "Wallet", "type": "cash", "currency": "EUR"}
        return http.post("/api/v1/accounts", headers=headers, json=body).status_code


# --- users -------------------------------------------------------------------------------------


def test_a_user_created_from_the_shell_logs_in_with_that_password(database: str) -> None:
    created = finance(
        database, "users", "create", "Ada@Example.COM", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert created.exit_code == 0, created.output
    assert "Created the user ada@example.com." in created.stdout
    assert PASSWORD not in created.output

    with browser(database) as http:
        assert log_in(http, EMAIL, NEW_PASSWORD).status_code == 422
        logged_in = log_in(http, EMAIL, PASSWORD)
        assert logged_in.status_code == 303
        page = http.get("/settings")
        assert page.status_code == 200
        assert EMAIL in page.text


def test_a_password_from_stdin_keeps_its_spaces_but_not_the_line_ending(database: str) -> None:
    spaced = f"  {PASSWORD} "
    created = finance(database, "users", "create", EMAIL, "--password-stdin", stdin=spaced + "\r\n")
    assert created.exit_code == 0, created.output
    with browser(database) as http:
        assert log_in(http, EMAIL, PASSWORD).status_code == 422
        assert log_in(http, EMAIL, spaced).status_code == 303


def test_without_password_stdin_the_password_is_asked_twice(database: str) -> None:
    mistyped = finance(database, "users", "create", EMAIL, stdin=f"{PASSWORD}\n{NEW_PASSWORD}\n")
    assert mistyped.exit_code != 0
    assert query(database, "SELECT email FROM users") == []

    created = finance(database, "users", "create", EMAIL, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.exit_code == 0, created.output
    assert PASSWORD not in created.output  # hidden as typed
    with browser(database) as http:
        assert log_in(http, EMAIL, PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "use at least 12 characters"),
        ("password1234", "too common or too easy to guess"),
        ("ada@example.com", "too common or too easy to guess"),
        ("", "use at least 12 characters"),
    ],
)
def test_a_weak_password_is_refused_and_nobody_is_created(
    database: str, password: str, message: str
) -> None:
    refused = finance(database, "users", "create", EMAIL, "--password-stdin", stdin=password + "\n")
    assert refused.exit_code == 1
    assert message in refused.stderr
    assert query(database, "SELECT email FROM users") == []


def test_a_malformed_email_is_refused(database: str) -> None:
    refused = finance(
        database, "users", "create", "ada.example.com", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert refused.exit_code == 1
    assert "enter an email address" in refused.stderr
    assert query(database, "SELECT email FROM users") == []


def test_an_email_already_taken_is_refused_in_any_case(database: str) -> None:
    create_user(database)
    again = finance(
        database, "users", "create", "ADA@example.com", "--password-stdin", stdin=NEW_PASSWORD
    )
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert query(database, "SELECT email FROM users") == [(EMAIL,)]
    with browser(database) as http:  # the first password is untouched
        assert log_in(http, EMAIL, PASSWORD).status_code == 303


def test_users_list_shows_every_email(database: str) -> None:
    create_user(database)
    create_user(database, "bob@example.com", NEW_PASSWORD)
    listed = finance(database, "users", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [EMAIL, "bob@example.com"]
    assert all(line.endswith("\tpassword set") for line in lines)
    assert PASSWORD not in listed.output and "argon2" not in listed.output


def test_set_password_changes_it_and_ends_every_session(database: str) -> None:
    create_user(database)
    with browser(database) as http:
        assert log_in(http, EMAIL, PASSWORD).status_code == 303
        assert http.get("/settings").status_code == 200

        reset = finance(
            database, "users", "set-password", "ADA@example.com", "--password-stdin",
            stdin=NEW_PASSWORD + "\n",
        )  # fmt: skip
        assert reset.exit_code == 0, reset.output
        assert "their sessions have ended" in reset.stdout

        assert http.get("/settings").headers["location"] == "/login?next=%2Fsettings"
        assert query(database, "SELECT count(*) FROM browser_sessions") == [(0,)]
        assert log_in(http, EMAIL, PASSWORD).status_code == 422
        assert log_in(http, EMAIL, NEW_PASSWORD).status_code == 303


def test_set_password_refuses_a_weak_one_and_keeps_the_old(database: str) -> None:
    create_user(database)
    with browser(database) as http:
        assert log_in(http, EMAIL, PASSWORD).status_code == 303
        refused = finance(
            database, "users", "set-password", EMAIL, "--password-stdin", stdin="password1234\n"
        )
        assert refused.exit_code == 1
        assert "too common" in refused.stderr
        assert http.get("/settings").status_code == 200  # still logged in
    with browser(database) as http:
        assert log_in(http, EMAIL, PASSWORD).status_code == 303


def test_set_password_for_an_unknown_user_fails(database: str) -> None:
    refused = finance(
        database, "users", "set-password", EMAIL, "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert refused.exit_code == 1
    assert "user ada@example.com not found" in refused.stderr


def test_user_commands_refuse_a_database_not_yet_migrated(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    refused = finance(url, "users", "create", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    assert refused.exit_code == 1
    assert "finance db upgrade" in refused.stderr


# --- tokens ------------------------------------------------------------------------------------


def create_token(database: str, *options: str, user: str = EMAIL) -> str:
    created = finance(database, "tokens", "create", "--user", user, *options)
    assert created.exit_code == 0, created.output
    return created.stdout


def test_tokens_create_prints_only_the_token_which_works(database: str) -> None:
    create_user(database)
    stdout = create_token(database, "--name", "Backup script")
    assert stdout.endswith("\n") and stdout.count("\n") == 1
    token = stdout.strip()
    assert token.startswith("fin_")
    assert " " not in token and len(token) > 40
    assert api_status(database, token) == 200
    assert api_status(database, token, "POST") == 201
    assert api_status(database, token + "x") == 401


def test_the_token_is_not_stored_and_is_not_listed(database: str) -> None:
    create_user(database)
    token = create_token(database, "--name", "Backup script").strip()
    listed = finance(database, "tokens", "list", "--user", EMAIL)
    assert listed.exit_code == 0, listed.output
    [line] = listed.stdout.splitlines()
    token_id, name, scope, created, last_used, expires = line.split("\t")
    assert (name, scope, last_used, expires) == (
        "Backup script",
        "read_write",
        "never used",
        "no expiry",
    )
    assert created == f"created {datetime.now(UTC):%Y-%m-%d}"
    assert query(database, "SELECT id FROM access_tokens") == [(int(token_id),)]
    assert token not in listed.output
    assert token.removeprefix("fin_") not in listed.output
    dump = "\n".join(str(row) for row in query(database, "SELECT * FROM access_tokens"))
    assert token.removeprefix("fin_") not in dump


def test_a_read_only_token_that_expires(database: str) -> None:
    create_user(database)
    token = create_token(
        database, "--name", "Reports", "--read-only", "--expires-in-days", "30"
    ).strip()
    assert api_status(database, token) == 200
    assert api_status(database, token, "POST") == 403
    [line] = finance(database, "tokens", "list", "--user", EMAIL).stdout.splitlines()
    fields = line.split("\t")
    assert fields[1:3] == ["Reports", "read"]
    in_thirty_days = datetime.now(UTC) + timedelta(days=30)
    assert fields[5] == f"expires {in_thirty_days:%Y-%m-%d}"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--name", "Nightly", "--expires-in-days", "0"], "expires_in_days"),
        (["--name", ""], "name"),
        (["--name", "x" * 101], "name"),
    ],
    ids=["zero-days", "empty-name", "long-name"],
)
def test_tokens_create_refuses_bad_input_and_creates_nothing(
    database: str, options: list[str], message: str
) -> None:
    create_user(database)
    refused = finance(database, "tokens", "create", "--user", EMAIL, *options)
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert message in refused.stderr
    assert query(database, "SELECT count(*) FROM access_tokens") == [(0,)]


def test_a_token_name_the_user_already_has_is_refused_in_any_case(database: str) -> None:
    create_user(database)
    create_token(database, "--name", "Backup")
    refused = finance(database, "tokens", "create", "--user", EMAIL, "--name", "BACKUP")
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert "Refused: you already have a token named 'BACKUP'" in refused.stderr
    assert query(database, "SELECT count(*) FROM access_tokens") == [(1,)]


def test_a_revoked_token_stops_working(database: str) -> None:
    create_user(database)
    kept = create_token(database, "--name", "Kept").strip()
    revoked = create_token(database, "--name", "Revoked").strip()
    [revoked_id] = [
        line.split("\t")[0]
        for line in finance(database, "tokens", "list", "--user", EMAIL).stdout.splitlines()
        if line.split("\t")[1] == "Revoked"
    ]
    done = finance(database, "tokens", "revoke", "--user", EMAIL, revoked_id)
    assert done.exit_code == 0, done.output
    assert "Revoked the token" in done.stdout
    assert api_status(database, revoked) == 401
    assert api_status(database, kept) == 200
    listed = finance(database, "tokens", "list", "--user", EMAIL).stdout
    assert "Revoked" not in listed and "Kept" in listed

    again = finance(database, "tokens", "revoke", "--user", EMAIL, revoked_id)
    assert again.exit_code == 1
    assert "not found" in again.stderr


def test_a_token_of_another_user_cannot_be_revoked_by_naming_the_wrong_user(
    database: str,
) -> None:
    create_user(database)
    create_user(database, "bob@example.com", NEW_PASSWORD)
    token = create_token(database, "--name", "Ada's").strip()
    [(token_id,)] = query(database, "SELECT id FROM access_tokens")
    refused = finance(database, "tokens", "revoke", "--user", "bob@example.com", str(token_id))
    assert refused.exit_code == 1
    assert api_status(database, token) == 200


@pytest.mark.parametrize(
    "command",
    [
        ["tokens", "create", "--user", "nobody@example.com", "--name", "X"],
        ["tokens", "list", "--user", "nobody@example.com"],
        ["tokens", "revoke", "--user", "nobody@example.com", "1"],
    ],
    ids=["create", "list", "revoke"],
)
def test_token_commands_for_an_unknown_user_fail(database: str, command: list[str]) -> None:
    create_user(database)
    refused = finance(database, *command)
    assert refused.exit_code == 1
    assert "user nobody@example.com not found" in refused.stderr
    assert refused.stdout == ""
    assert query(database, "SELECT count(*) FROM access_tokens") == [(0,)]


def test_a_users_email_is_matched_in_any_case_by_token_commands(database: str) -> None:
    create_user(database)
    token = create_token(database, "--name", "Mixed case", user="  ADA@Example.com ").strip()
    assert api_status(database, token) == 200
