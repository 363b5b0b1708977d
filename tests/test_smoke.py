def test_home_redirects_anonymous_to_login(client, db):
    r = client.get("/")
    assert r.status_code == 302 and "/login/" in r["Location"]
