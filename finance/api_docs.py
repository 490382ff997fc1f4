"""`/docs`: the API's Swagger UI, served whole from this app: its script and stylesheet from the
installed Swagger UI files (`/docs/assets`), its start-up from `/static/docs.js`. Nothing is
inline and nothing comes from another origin, so its security policy needs neither."""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
SWAGGER_UI_FILES = Path(fastapi_offline.__file__).parent / "static"
"""Swagger UI's own script and stylesheet, as the `fastapi-offline` package ships them."""
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>finance API</title>
<link rel="icon" href="{ASSETS_PATH}/favicon.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH)
async def swagger_ui() -> HTMLResponse:
    """The interactive API documentation."""
    return HTMLResponse(PAGE)


def swagger_ui_assets() -> StaticFiles:
    """The files `/docs` loads, to mount at `ASSETS_PATH`."""
    return StaticFiles(directory=SWAGGER_UI_FILES)
