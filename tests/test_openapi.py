"""The API documents itself: OpenAPI at /docs, an example on every object schema."""


async def test_docs_page_and_schema_are_served(client):
    assert (await client.get("/docs")).status_code == 200
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/accounts", "/api/v1/categories", "/api/v1/transactions", "/health"):
        assert path in paths


async def test_every_object_schema_has_an_example(client):
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    objects = {name: schema for name, schema in schemas.items() if "enum" not in schema}
    assert len(objects) >= 15
    missing = [name for name, schema in objects.items() if not schema.get("examples")]
    assert missing == []


async def test_errors_are_documented_as_problem_details(client):
    spec = (await client.get("/openapi.json")).json()
    answers = spec["paths"]["/api/v1/transactions/{transaction_id}"]["get"]["responses"]
    assert "application/problem+json" in answers["404"]["content"]
    assert "application/problem+json" in answers["422"]["content"]
