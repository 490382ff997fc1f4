"""Application settings, read from the environment (prefix ``FINANCE_``) and ``.env``."""

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from finance.pagination import LARGEST_PAGE


class Settings(BaseSettings):
    """Every setting the app reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_prefix="FINANCE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./finance.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    sql_echo: bool = Field(default=False, description="Log every SQL statement.")
    auto_migrate: bool = Field(
        default=True,
        description="`finance serve` migrates the database first; if false, refuses a stale one.",
    )
    sqlite_busy_timeout_ms: int = Field(
        default=5000, ge=0, description="How long a SQLite writer waits for the lock."
    )
    sqlite_wait_seconds: float = Field(
        default=60,
        gt=0,
        description="On a SQLite file, how long a request waits its turn (writes one at a time, "
        "reads `sqlite_readers` at a time) before it is answered 503.",
    )
    sqlite_readers: int = Field(
        default=2, ge=1, description="On a SQLite file, how many requests read at once."
    )
    signup_open: bool = Field(
        default=False,
        description="Anyone may create an account (otherwise only the first user, at setup).",
    )
    session_idle_minutes: int = Field(
        default=720, ge=1, description="A browser session unused this long ends."
    )
    session_lifetime_hours: int = Field(
        default=168, ge=1, description="A browser session ends this long after login."
    )
    htmx_url: str = Field(
        default="https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js",
        description="Where browsers load htmx from; serve it from your own host if you like.",
    )
    htmx_integrity: str = Field(
        default="sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
        description="The SRI hash of that file (empty to leave the check out).",
    )
    https: bool = Field(
        default=False,
        description="Served over HTTPS (behind a TLS proxy): send HSTS; cookies become "
        "Secure with the __Host- prefix.",
    )
    locale: str = Field(
        default="en_US",
        description="How pages show money and dates, and read typed amounts (a Babel locale: "
        "de_DE...).",
    )
    import_max_megabytes: int = Field(
        default=20, ge=1, description="The largest bank file an upload may be (413 beyond)."
    )
    page_size_default: int = Field(default=50, ge=1, description="Transactions per page.")
    page_size_max: int = Field(
        default=500, ge=1, le=LARGEST_PAGE, description="Largest page a client may ask."
    )

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (ValueError, UnknownLocaleError):
            raise ValueError(f"{value!r} is not a locale Babel knows (e.g. en_US, de_DE)") from None
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
