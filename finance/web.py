"""Where the templates and static files are: beside the package in a checkout, inside it in a
wheel (the build copies `templates/` and `static/` into `finance/`)."""

from pathlib import Path

from fastapi.templating import Jinja2Templates

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """`finance/<name>` when installed from a wheel, else `<checkout>/<name>`."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


templates = Jinja2Templates(directory=asset_dir("templates"))
