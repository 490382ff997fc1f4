"""Security headers on every response, pages, API, errors and static files alike."""

import re

import pytest
from httpx import ASGITransport, AsyncClient

from tests.apps import make_app

PATHS = [
    "/",
    "/accounts",
    "/transactions",
    "/api/v1/accounts",
    "/api/v1/nothing",
    "/static/app.css",
]


@pytest.mark.parametrize("path", PATHS)
async def test_every_response_carries_the_security_headers(client, path):
    response = await client.get(path)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "https://cdn.jsdelivr.net" in script_src  # where htmx comes from, and nothing else
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers


async def test_the_api_documentation_keeps_working_under_its_own_policy(client):
    response = await client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy  # no other origin: everything it loads comes from this server


async def test_the_api_documentation_loads_only_files_this_server_serves(client):
    page = (await client.get("/docs")).text
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(loaded) == 4 and all(url.startswith("/") for url in loaded), loaded
    assert "<script>" not in page  # every script is a file of its own
    for url in loaded:
        assert (await client.get(url)).status_code == 200, url


async def test_hsts_is_sent_when_served_over_https(app, client):

    secure = make_app(app.state.database, https=True)
    async with AsyncClient(transport=ASGITransport(app=secure), base_url="http://test") as http:
        response = await http.get("/health")
    assert response.headers["strict-transport-security"].startswith("max-age=")
