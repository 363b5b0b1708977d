from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_the_header_counts_unread_messages_once_per_page(client, director_a):
    client.force_login(director_a)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/estates/")
    assert r.status_code == 200
    unread = [q for q in ctx.captured_queries if "liaison_notification" in q["sql"] and "read_at" in q["sql"]]
    assert len(unread) == 1, [q["sql"] for q in unread]
