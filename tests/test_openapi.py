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


async def test_every_api_operation_documents_the_errors_it_can_answer(client):
    spec = (await client.get("/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        if path.startswith("/api/")
        for method, operation in methods.items()
    ]
    assert len(operations) >= 20
    for path, method, operation in operations:
        answers = operation["responses"]
        for status in ("401", "404", "422", "503"):
            assert list(answers[status]["content"]) == ["application/problem+json"], (path, status)
        assert "Retry-After" in answers["503"]["headers"], (path, method)
        assert ("400" in answers) == ("requestBody" in operation), (path, method)


async def test_an_upload_documents_the_file_size_limit(client):
    spec = (await client.get("/openapi.json")).json()
    for path in ("/api/v1/imports", "/api/v1/imports/preview"):
        answers = spec["paths"][path]["post"]["responses"]
        assert "application/problem+json" in answers["413"]["content"]


async def test_request_schemas_carry_the_limits_the_server_enforces(client):
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    update = schemas["AccountUpdate"]["properties"]
    assert update["name"]["type"] == "string"  # null is refused: leave the field out instead
    assert {"type": "null"} in update["opening_date"]["anyOf"]  # null removes the limit
    assert schemas["AccountCreate"]["properties"]["currency"]["pattern"] == "^[A-Za-z]{3}$"
    day = schemas["TransactionUpdate"]["properties"]["date"]
    assert day["format"] == "date" and day["pattern"].startswith("^(19|20|21)")
    upload = spec["paths"]["/api/v1/imports/preview"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    listing = spec["paths"]["/api/v1/transactions"]["get"]["parameters"]
    limit = next(p for p in listing if p["name"] == "limit")["schema"]["anyOf"][0]
    assert (limit["minimum"], limit["maximum"]) == (1, 10_000)
