"""A consistent copy of a live SQLite database with SQLite's online backup API."""

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from finance.errors import Conflict, InvalidInput

PAGES_PER_STEP = 256
"""Pages copied per step; between steps the source is not locked, so writers go on."""


def sqlite_path(database_url: str) -> Path:
    """The file of a SQLite URL; `InvalidInput` for another database or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise InvalidInput(
            "database_url",
            "this copies SQLite files only; back up PostgreSQL with pg_dump "
            "(e.g. `pg_dump --format=custom --file=finance.dump DBNAME`)",
        )
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise InvalidInput("database_url", f"not a SQLite file: {url.database!r}")
    return Path(url.database)


def copy_sqlite(source: Path, target: Path, *, force: bool) -> None:
    """Copy `source` to `target` page by page while others keep using it, check the copy, and
    only then put it in place (so a failed copy never replaces an older one)."""
    if not source.is_file():
        raise InvalidInput("database_url", f"{source} does not exist")
    if target.exists() and not force:
        raise Conflict(f"{target} exists; pass --force to replace it")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reader,
        closing(sqlite3.connect(partial)) as writer,
    ):
        reader.execute("PRAGMA busy_timeout=5000")
        reader.backup(writer, pages=PAGES_PER_STEP)
        (verdict,) = writer.execute("PRAGMA integrity_check").fetchone()
    if verdict != "ok":
        partial.unlink()
        raise InvalidInput("database_url", f"the copy failed its integrity check: {verdict}")
    os.replace(partial, target)
