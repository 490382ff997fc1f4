"""The packaged migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL, and `finance.migrate` reports where a database stands.

These tests are synchronous: `finance.migrate` runs its own event loop."""

import asyncio
import os
import shutil
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from finance import migrate
from finance.db import Database, create_engine
from finance.ledger.check import LedgerReport, check_ledger
from finance.ledger.models import Posting
from finance.models import Base
from tests.conftest import POSTGRES_URL_VARIABLE, create_database


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def on_connection(database_url: str, work: Callable[[Connection], Any]) -> Any:
    """Run `work` on a synchronous view of a connection to the database."""

    async def run() -> Any:
        engine = create_engine(database_url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def differences_from_models(database_url: str) -> list[Any]:
    """What autogenerate would change to make the database match `Base.metadata`."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        differences: list[Any] = on_connection(database_url, compare)
    assert [str(warning.message) for warning in caught] == []
    return differences


def schema_of(database_url: str) -> dict[str, dict[str, Any]]:
    """Every table as the database reports it: columns, keys, checks, indexes, all by name."""

    def describe(connection: Connection) -> dict[str, dict[str, Any]]:
        inspector = inspect(connection)
        tables: dict[str, dict[str, Any]] = {}
        for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
            primary_key = inspector.get_pk_constraint(table)
            tables[table] = {
                "columns": sorted(
                    (column["name"], str(column["type"]), column["nullable"])
                    for column in inspector.get_columns(table)
                ),
                "primary_key": (primary_key["name"], primary_key["constrained_columns"]),
                "foreign_keys": sorted(
                    (
                        key["name"],
                        tuple(key["constrained_columns"]),
                        key["referred_table"],
                        tuple(key["referred_columns"]),
                        key["options"].get("ondelete"),
                    )
                    for key in inspector.get_foreign_keys(table)
                    if key["name"] is not None
                ),
                "unique": sorted(
                    (
                        unique["name"],
                        tuple(unique["column_names"]),
                        repr(unique.get("dialect_options")),
                    )
                    for unique in inspector.get_unique_constraints(table)
                    if unique["name"] is not None
                ),
                "checks": sorted(
                    (check["name"], check["sqltext"])
                    for check in inspector.get_check_constraints(table)
                    if check["name"] is not None
                ),
                "indexes": sorted(
                    (
                        index["name"],
                        tuple(index["column_names"]),
                        index["unique"],
                        _options(index.get("dialect_options")),
                    )
                    for index in inspector.get_indexes(table)
                    if index["name"] is not None
                ),
            }
        return tables

    schema: dict[str, dict[str, Any]] = on_connection(database_url, describe)
    return schema


def _options(options: dict[str, Any] | None) -> str:
    """An index's dialect options as text, a partial index's condition (an SQL expression
    object) included."""
    return repr({name: str(value) for name, value in sorted((options or {}).items())})


def create_all(database_url: str) -> None:
    """The reference: the schema SQLAlchemy creates straight from the models."""

    async def run() -> None:
        engine = create_engine(database_url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(Base.metadata.create_all)
        finally:
            await engine.dispose()

    asyncio.run(run())


def assert_schema_matches_models(migrated_url: str, reference_url: str) -> dict[str, Any]:
    assert differences_from_models(migrated_url) == []
    create_all(reference_url)
    migrated = schema_of(migrated_url)
    assert set(migrated) == {table.name for table in Base.metadata.sorted_tables}
    assert migrated == schema_of(reference_url)
    return migrated


def test_upgrade_builds_the_models_schema_on_sqlite(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "migrated.db")
    migrate.upgrade(url)

    schema = assert_schema_matches_models(url, sqlite_url(tmp_path / "reference.db"))

    assert ("ck_postings_account_or_category", "account_id IS NULL OR category_id IS NULL") in (
        schema["postings"]["checks"]
    )
    assert [name for name, _ in schema["accounts"]["checks"]] == ["ck_accounts_account_type"]
    assert schema["categories"]["unique"][0][:2] == (
        "uq_categories_owner_id_parent_id_name_key",
        ("owner_id", "parent_id", "name_key"),
    )


def test_the_schema_enforces_the_checks(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "finance.db")
    migrate.upgrade(url)

    def insert_bad_account(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO users (id, email, display_name, created_at) "
                "VALUES (1, 'a@b', '', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO accounts (owner_id, name, name_key, type, currency, "
                "opening_balance_minor, opening_date, archived, note, created_at) VALUES "
                "(1, 'X', 'x', 'piggy_bank', 'USD', 0, '2026-01-01', 0, '', '2026-01-01 00:00:00')"
            )
        )

    with pytest.raises(IntegrityError, match="ck_accounts_account_type"):
        on_connection(url, insert_bad_account)


def test_revision_of_a_missing_database_is_none_and_creates_no_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"

    assert migrate.current_revision(sqlite_url(path)) is None
    assert not migrate.is_up_to_date(sqlite_url(path))
    assert not path.exists()


def test_revision_follows_upgrade_and_downgrade(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "finance.db")
    on_connection(url, lambda connection: None)  # an empty database file
    assert migrate.current_revision(url) is None

    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()
    assert migrate.is_up_to_date(url)

    command.downgrade(migrate.alembic_config(url), "base")
    assert migrate.current_revision(url) is None
    assert not migrate.is_up_to_date(url)
    assert schema_of(url) == {}


def test_upgrading_twice_keeps_the_data(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "finance.db")
    migrate.upgrade(url)

    def add_user(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO users (email, display_name, created_at) "
                "VALUES ('a@b', '', '2026-01-01 00:00:00')"
            )
        )
        connection.commit()

    on_connection(url, add_user)
    migrate.upgrade(url)

    count = on_connection(
        url, lambda connection: connection.scalar(text("SELECT count(*) FROM users"))
    )
    assert count == 1
    assert migrate.is_up_to_date(url)


@pytest.fixture
def postgres_databases() -> Callable[[str], str]:
    """Throwaway databases beside the shared test database (named after it, so runs on
    different test databases do not collide), empty when handed out. One left by an earlier
    test or run is emptied (its schema dropped and made again) rather than dropped: dropping a
    database makes PostgreSQL write a checkpoint, which took most of a minute beside the rest
    of the suite's writes."""
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_URL_VARIABLE} to a test database URL")
    server = make_url(server_url)

    async def prepare(url: str) -> None:
        if await create_database(url):
            return
        engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        finally:
            await engine.dispose()

    def make(suffix: str) -> str:
        name = f"{server.database}_{suffix}"
        url = server.set(database=name).render_as_string(hide_password=False)
        asyncio.run(prepare(url))
        return url

    return make


def test_upgrade_builds_the_models_schema_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    url = postgres_databases("migrated")
    assert migrate.current_revision(url) is None

    migrate.upgrade(url)

    assert migrate.is_up_to_date(url)
    schema = assert_schema_matches_models(url, postgres_databases("reference"))
    ((name, _columns, options),) = schema["categories"]["unique"]
    assert name == "uq_categories_owner_id_parent_id_name_key"
    assert "'postgresql_nulls_not_distinct': True" in options


LATER_MIGRATION = '''"""A later migration, for tests.

Revision ID: 9999
Revises: {down}
"""

from alembic import op

revision = "9999"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''


def with_later_migration(tmp_path: Path, url: str, body: str) -> Config:
    """The packaged migrations plus a revision 9999 whose `upgrade` runs `body`."""
    scripts = tmp_path / "migrations"
    shutil.copytree(Path(migrate.__file__).parent / "migrations", scripts)
    later = LATER_MIGRATION.format(body=body, down=migrate.head_revision())
    (scripts / "versions" / "9999_later.py").write_text(later)
    config = migrate.alembic_config(url)
    config.set_main_option("script_location", str(scripts))
    return config


def add_a_transaction(connection: Connection) -> None:
    for statement in (
        "INSERT INTO users (id, email, display_name, created_at) "
        "VALUES (1, 'a@b', '', '2026-01-01 00:00:00')",
        "INSERT INTO transactions (id, owner_id, date, payee, memo, status, updated_at, "
        "created_at) VALUES (1, 1, '2026-01-02', 'Shop', '', 'cleared', "
        "'2026-01-02 00:00:00', '2026-01-02 00:00:00')",
        "INSERT INTO postings (transaction_id, amount_minor, currency, memo) "
        "VALUES (1, 100, 'USD', ''), (1, -100, 'USD', '')",
    ):
        connection.execute(text(statement))
    connection.commit()


def count_rows(url: str, table: str) -> int:
    count: int = on_connection(
        url, lambda connection: connection.scalar(text(f"SELECT count(*) FROM {table}"))
    )
    return count


def test_a_table_rebuilt_by_a_later_migration_keeps_the_rows_that_reference_it(
    tmp_path: Path,
) -> None:
    """SQLite rebuilds a table to alter it; with foreign keys enforced, dropping the old copy
    would cascade and delete every posting."""
    url = sqlite_url(tmp_path / "finance.db")
    migrate.upgrade(url)
    on_connection(url, add_a_transaction)
    rebuild = (
        '    with op.batch_alter_table("transactions", recreate="always") as batch:\n'
        '        batch.alter_column("payee", nullable=False)'
    )

    command.upgrade(with_later_migration(tmp_path, url, rebuild), "head")

    assert migrate.current_revision(url) == "9999"
    assert count_rows(url, "postings") == 2


def test_a_migration_that_leaves_references_dangling_is_rolled_back(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "finance.db")
    migrate.upgrade(url)
    on_connection(url, add_a_transaction)
    config = with_later_migration(tmp_path, url, '    op.execute("DELETE FROM users")')

    with pytest.raises(RuntimeError, match="broke foreign keys"):
        command.upgrade(config, "head")

    assert migrate.current_revision(url) == migrate.head_revision()
    assert count_rows(url, "users") == 1


LEDGER_AT_0003 = """
INSERT INTO users (id, email, display_name, created_at) VALUES (1, 'a@b', '', '2026-01-01');
INSERT INTO accounts (id, owner_id, name, name_key, type, currency, opening_balance_minor,
                      opening_date, archived, note, created_at)
    VALUES (1, 1, 'Checking', 'checking', 'checking', 'USD', 0, '2026-01-01', false, '',
            '2026-01-01'),
           (2, 1, 'Savings', 'savings', 'savings', 'USD', 0, '2026-01-01', false, '',
            '2026-01-01');
INSERT INTO categories (id, owner_id, parent_id, kind, name, name_key, created_at)
    VALUES (1, 1, NULL, 'expense', 'Food', 'food', '2026-01-01');
INSERT INTO transactions (id, owner_id, date, payee, memo, status, updated_at, created_at)
    VALUES (1, 1, '2026-10-03', 'Shop', '', 'cleared', '2026-10-03', '2026-10-03'),
           (2, 1, '2026-10-20', 'Move', '', 'uncleared', '2026-10-20', '2026-10-20'),
           (3, 1, '2026-11-02', 'Split', '', 'reconciled', '2026-11-02', '2026-11-02');
INSERT INTO postings (transaction_id, account_id, category_id, amount_minor, currency, memo)
    VALUES (1, 1, NULL, -5000, 'USD', ''), (1, NULL, 1, 5000, 'USD', ''),
           (2, 1, NULL, -2500, 'USD', ''), (2, 2, NULL, 2500, 'USD', ''),
           (3, 1, NULL, -900, 'USD', ''), (3, NULL, 1, 600, 'USD', ''),
           (3, NULL, NULL, 300, 'USD', '')
"""
"""A ledger as revision 0003 stored it: a purchase, a transfer, and a split with an
uncategorised line."""


def fills_the_totals_from_the_postings_already_there(url: str) -> None:
    config = migrate.alembic_config(url)
    command.upgrade(config, "0003")

    def add_ledger(connection: Connection) -> None:
        for statement in LEDGER_AT_0003.split(";"):
            connection.execute(text(statement))
        connection.commit()

    on_connection(url, add_ledger)
    migrate.upgrade(url)

    def totals(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
        rows = {
            name: connection.execute(text(f"SELECT * FROM {name}")).all()
            for name in ("account_totals", "account_months", "category_months")
        }  # months as text, as SQLite gives them back from plain SQL
        return {
            name: sorted(tuple(map(_text_date, row)) for row in found)
            for name, found in rows.items()
        }

    assert on_connection(url, totals) == {
        "account_totals": [(1, -8400, -5900, 3), (2, 2500, 0, 1)],
        "account_months": [
            (1, "2026-10-01", -7500, -5000, 2),
            (1, "2026-11-01", -900, -900, 1),
            (2, "2026-10-01", 2500, 0, 1),
        ],
        "category_months": [
            (1, "2026-10-01", "USD", 5000, 1),
            (1, "2026-11-01", "USD", 600, 1),
        ],
    }
    report = asyncio.run(_check(url))
    assert report.ok, report.totals


def _text_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def _check(url: str) -> LedgerReport:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with Database(engine).session() as db:
            return await check_ledger(db)
    finally:
        await engine.dispose()


def test_upgrading_to_the_totals_fills_them_on_sqlite(tmp_path: Path) -> None:
    fills_the_totals_from_the_postings_already_there(sqlite_url(tmp_path / "finance.db"))


def test_upgrading_to_the_totals_fills_them_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    fills_the_totals_from_the_postings_already_there(postgres_databases("totals"))


def going_back_before_0005_dates_every_account(url: str) -> None:
    """Migration 0005 lets an account have no opening date; going back gives each such account
    its first transaction's day (or today, without one), so no row breaks the older schema."""
    migrate.upgrade(url)

    def add_ledger(connection: Connection) -> None:
        undated = LEDGER_AT_0003.replace("'2026-01-01', false", "NULL, false")
        for statement in undated.split(";"):
            connection.execute(text(statement))
        connection.commit()

    on_connection(url, add_ledger)
    command.downgrade(migrate.alembic_config(url), "0004")

    dates = on_connection(
        url,
        lambda connection: connection.execute(
            text("SELECT name, opening_date FROM accounts ORDER BY id")
        ).all(),
    )
    assert [(name, _text_date(day)) for name, day in dates] == [
        ("Checking", "2026-10-03"),
        ("Savings", "2026-10-20"),
    ]


def test_going_back_before_optional_opening_dates_dates_every_account_on_sqlite(
    tmp_path: Path,
) -> None:
    going_back_before_0005_dates_every_account(sqlite_url(tmp_path / "finance.db"))


def test_going_back_before_optional_opening_dates_dates_every_account_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    going_back_before_0005_dates_every_account(postgres_databases("opening_dates"))


def test_going_back_before_left_out_lines_drops_only_their_table(tmp_path: Path) -> None:
    """Migration 0006 adds the lines an import left out; going back removes that table alone."""
    url = sqlite_url(tmp_path / "finance.db")
    migrate.upgrade(url)
    assert "import_left_out_lines" in schema_of(url)
    command.downgrade(migrate.alembic_config(url), "0005")
    tables = schema_of(url)
    assert "import_left_out_lines" not in tables and "import_batches" in tables
    migrate.upgrade(url)
    assert "import_left_out_lines" in schema_of(url)


def going_back_before_0007_drops_the_joins_and_keeps_the_transfers(url: str) -> None:
    """Migration 0007 records the transfers an import joined; going back drops the records,
    the transfers stay as they are, and coming forward again works."""
    migrate.upgrade(url)

    def add_join(connection: Connection) -> None:
        for statement in LEDGER_AT_0003.split(";"):
            connection.execute(text(statement))
        connection.execute(
            text(
                "INSERT INTO import_batches (id, owner_id, account_id, filename, file_format, "
                "added, duplicates, created_at) VALUES (1, 1, 2, 's.csv', 'csv', 1, 0, "
                "'2026-10-21')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO import_joins (batch_id, transaction_id, posting_id, category_id) "
                "VALUES (1, 2, 4, NULL)"
            )
        )
        connection.commit()

    on_connection(url, add_join)
    command.downgrade(migrate.alembic_config(url), "0006")
    tables = on_connection(url, lambda connection: inspect(connection).get_table_names())
    assert "import_joins" not in tables
    postings = on_connection(
        url, lambda connection: connection.execute(text("SELECT count(*) FROM postings")).scalar()
    )
    assert postings == 7
    migrate.upgrade(url)
    assert migrate.is_up_to_date(url)


def test_going_back_before_import_joins_keeps_the_transfers_on_sqlite(tmp_path: Path) -> None:
    going_back_before_0007_drops_the_joins_and_keeps_the_transfers(
        sqlite_url(tmp_path / "finance.db")
    )


def test_going_back_before_import_joins_keeps_the_transfers_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    going_back_before_0007_drops_the_joins_and_keeps_the_transfers(postgres_databases("joins"))


def conversion_postings_come_and_go(url: str) -> None:
    """Migration 0008 adds `postings.conversion`: false for every posting already there, and
    only off accounts and categories; going back drops the column and keeps every posting (a
    conversion leg reads as an uncategorised line, so each currency still balances)."""
    command.upgrade(migrate.alembic_config(url), "0007")

    def add_ledger(connection: Connection) -> None:
        for statement in LEDGER_AT_0003.split(";"):
            connection.execute(text(statement))
        connection.commit()

    on_connection(url, add_ledger)
    migrate.upgrade(url)
    flags = "SELECT conversion FROM postings ORDER BY id"
    assert on_connection(url, lambda c: c.execute(text(flags)).scalars().all()) == [False] * 7

    def add_posting(account_id: str) -> Callable[[Connection], None]:
        def insert(connection: Connection) -> None:
            connection.execute(
                text(
                    "INSERT INTO postings (transaction_id, account_id, category_id, amount_minor,"
                    f" currency, memo, conversion) VALUES (2, {account_id}, NULL, 0, 'EUR', '',"
                    " true)"
                )
            )
            connection.commit()

        return insert

    with pytest.raises(IntegrityError, match="ck_postings_conversion_off_accounts"):
        on_connection(url, add_posting("1"))
    on_connection(url, add_posting("NULL"))
    command.downgrade(migrate.alembic_config(url), "0007")
    assert "conversion" not in {column for column, *_ in schema_of(url)["postings"]["columns"]}
    count = "SELECT count(*) FROM postings"
    assert on_connection(url, lambda c: c.execute(text(count)).scalar()) == 8
    migrate.upgrade(url)
    assert on_connection(url, lambda c: c.execute(text(flags)).scalars().all()) == [False] * 8


def test_conversion_postings_come_and_go_on_sqlite(tmp_path: Path) -> None:
    conversion_postings_come_and_go(sqlite_url(tmp_path / "finance.db"))


def test_conversion_postings_come_and_go_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    conversion_postings_come_and_go(postgres_databases("conversion"))


def test_reports_find_the_conversion_legs_by_their_index_on_sqlite(tmp_path: Path) -> None:
    """The partial index holds the conversion legs alone; SQLite uses it only if its condition
    is written as SQLAlchemy asks (`conversion = 1`), else every report scans every posting."""
    url = sqlite_url(tmp_path / "finance.db")
    migrate.upgrade(url)
    query = select(Posting.currency).where(Posting.conversion)

    def plan(connection: Connection) -> str:
        sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
        return " ".join(
            str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
        )

    assert "USING INDEX ix_postings_conversion" in on_connection(url, plan)


def run(*statements: str) -> Callable[[Connection], None]:
    """A function that runs these SQL statements on a connection and commits (`on_connection`)."""

    def execute(connection: Connection) -> None:
        for statement in statements:
            connection.execute(text(statement))
        connection.commit()

    return execute


def idempotency_keys_come_and_go(url: str) -> None:
    """Migration 0009 adds `idempotency_keys`: a key is one owner's, once, and goes with its
    owner; going back drops the table alone, and coming forward again works."""
    command.upgrade(migrate.alembic_config(url), "0008")

    on_connection(
        url,
        run(
            "INSERT INTO users (id, email, display_name, created_at) "
            "VALUES (1, 'a@b', '', '2026-01-01'), (2, 'c@d', '', '2026-01-01')"
        ),
    )
    migrate.upgrade(url)
    add_key = (
        "INSERT INTO idempotency_keys (owner_id, key, fingerprint, status_code, created_at) "
        "VALUES ({owner}, 'retry-1', 'f', 201, '2026-12-06 03:00:00')"
    )
    on_connection(url, run(add_key.format(owner=1), add_key.format(owner=2)))
    with pytest.raises(IntegrityError, match="idempotency_keys"):
        on_connection(url, run(add_key.format(owner=1)))
    on_connection(url, run("DELETE FROM users WHERE id = 2"))
    owners = "SELECT owner_id FROM idempotency_keys"
    assert on_connection(url, lambda c: c.execute(text(owners)).scalars().all()) == [1]
    command.downgrade(migrate.alembic_config(url), "0008")
    tables = schema_of(url)
    assert "idempotency_keys" not in tables and "users" in tables
    migrate.upgrade(url)
    assert migrate.is_up_to_date(url)
    assert "idempotency_keys" in schema_of(url)


def test_idempotency_keys_come_and_go_on_sqlite(tmp_path: Path) -> None:
    idempotency_keys_come_and_go(sqlite_url(tmp_path / "finance.db"))


def test_idempotency_keys_come_and_go_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    idempotency_keys_come_and_go(postgres_databases("idempotency"))


def demo_flags_come_and_go(url: str) -> None:
    """Migration 0010 marks accounts and categories as demo data: what is there already is the
    person's own; going back drops the flags alone, every row kept."""
    command.upgrade(migrate.alembic_config(url), "0009")

    on_connection(
        url,
        run(
            "INSERT INTO users (id, email, display_name, created_at) "
            "VALUES (1, 'a@b', '', '2026-01-01')",
            "INSERT INTO accounts (id, owner_id, name, name_key, type, currency, "
            "opening_balance_minor, archived, note, created_at) "
            "VALUES (1, 1, 'Mine', 'mine', 'checking', 'USD', 0, false, '', '2026-01-01')",
            "INSERT INTO categories (id, owner_id, kind, name, name_key, created_at) "
            "VALUES (1, 1, 'expense', 'Food', 'food', '2026-01-01')",
        ),
    )
    migrate.upgrade(url)
    flags = "SELECT demo FROM accounts UNION ALL SELECT demo FROM categories"
    assert on_connection(url, lambda c: c.execute(text(flags)).scalars().all()) == [False] * 2
    on_connection(url, run("UPDATE accounts SET demo = true"))
    command.downgrade(migrate.alembic_config(url), "0009")
    tables = schema_of(url)
    for table in ("accounts", "categories"):
        assert "demo" not in {column for column, *_ in tables[table]["columns"]}
    rows = "SELECT count(*) FROM accounts UNION ALL SELECT count(*) FROM categories"
    assert on_connection(url, lambda c: c.execute(text(rows)).scalars().all()) == [1, 1]
    migrate.upgrade(url)
    assert on_connection(url, lambda c: c.execute(text(flags)).scalars().all()) == [False] * 2


def test_demo_flags_come_and_go_on_sqlite(tmp_path: Path) -> None:
    demo_flags_come_and_go(sqlite_url(tmp_path / "finance.db"))


def test_demo_flags_come_and_go_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    demo_flags_come_and_go(postgres_databases("demo_flags"))


TOKENS_AT_0010 = [
    (1, 1, "CI"),
    (2, 1, "ci"),
    (3, 2, "ci"),
    (4, 1, "Ci"),
    (5, 1, "x" * 100),
    (6, 1, "X" * 100),
]


def token_names_become_unique_per_user(url: str) -> None:
    """Migration 0011 makes a user's token names unique whatever the case: names already alike
    are told apart, the oldest keeping its name; another user's alike name is left alone."""
    command.upgrade(migrate.alembic_config(url), "0010")

    def add_tokens(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO users (id, email, display_name, created_at) VALUES "
                "(1, 'a@example.com', '', '2026-01-01 00:00:00'), "
                "(2, 'b@example.com', '', '2026-01-01 00:00:00')"
            )
        )
        for token_id, user_id, name in TOKENS_AT_0010:
            connection.execute(
                text(
                    "INSERT INTO access_tokens (id, user_id, name, scope, secret_hash, created_at) "
                    "VALUES (:id, :user_id, :name, 'read', :hash, '2026-01-01 00:00:00')"
                ),
                {"id": token_id, "user_id": user_id, "name": name, "hash": f"{token_id:064}"},
            )
        connection.commit()

    on_connection(url, add_tokens)
    migrate.upgrade(url)

    names = on_connection(
        url,
        lambda connection: connection.execute(
            text("SELECT user_id, name, name_key FROM access_tokens ORDER BY id")
        ).all(),
    )
    assert names == [
        (1, "CI", "ci"),
        (1, "ci (2)", "ci (2)"),
        (2, "ci", "ci"),
        (1, "Ci (3)", "ci (3)"),
        (1, "x" * 100, "x" * 100),
        (1, "X" * 96 + " (2)", "x" * 96 + " (2)"),
    ]

    def add_alike(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO access_tokens (id, user_id, name, name_key, scope, secret_hash, "
                "created_at) VALUES (7, 1, 'CI', 'ci', 'read', :hash, '2026-01-01 00:00:00')"
            ),
            {"hash": "f" * 64},
        )

    with pytest.raises(IntegrityError, match="name_key"):
        on_connection(url, add_alike)


def test_alike_token_names_are_told_apart_on_upgrade_on_sqlite(tmp_path: Path) -> None:
    token_names_become_unique_per_user(sqlite_url(tmp_path / "finance.db"))


def test_alike_token_names_are_told_apart_on_upgrade_on_postgresql(
    postgres_databases: Callable[[str], str],
) -> None:
    token_names_become_unique_per_user(postgres_databases("token_names"))
