async def test_health_answers_ok(client):
    response = await client.get("/health")
    assert response.status_code == 200


async def test_accounts_list_starts_empty(client):
    response = await client.get("/api/v1/accounts")
    assert response.status_code == 200
    assert response.json() == []
