"""The app finds its settings, templates, static files and migrations from a checkout and from
a wheel."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from finance import web
from finance.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_templates_static_files_and_migrations(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("finance-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "finance/templates/base.html",
        "finance/static/app.css",
        "finance/migrations/env.py",
        "finance/migrations/script.py.mako",
    ):
        assert expected in names
    assert any(name.startswith("finance/migrations/versions/") for name in names)


def test_assets_come_from_the_package_when_installed_and_the_checkout_otherwise(
    tmp_path, monkeypatch
):
    assert web.asset_dir("templates") == ROOT / "templates"
    installed = tmp_path / "site-packages" / "finance"
    (installed / "templates").mkdir(parents=True)
    monkeypatch.setattr(web, "PACKAGE_DIR", installed)
    assert web.asset_dir("templates") == installed / "templates"


def test_env_example_documents_every_setting():
    documented = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"FINANCE_{name.upper()}=" in documented, name


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FINANCE_DATABASE_URL", "postgresql+asyncpg://u@db/finance")
    monkeypatch.setenv("FINANCE_PAGE_SIZE_MAX", "100")
    settings = Settings(_env_file=None)
    assert settings.database_url == "postgresql+asyncpg://u@db/finance"
    assert settings.page_size_max == 100


async def test_the_start_page_renders_with_its_stylesheet(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "/docs" in response.text
    stylesheet = await client.get("/static/app.css")
    assert stylesheet.status_code == 200


def test_an_unknown_locale_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("FINANCE_LOCALE", "xx_NOWHERE")
    with pytest.raises(ValueError, match="not a locale"):
        Settings(_env_file=None)
