"""The inbox: unread badge, list, detail, mark read / all read, open link; nobody reads another's messages."""

import datetime

import pytest

from liaison.models import Notification
from liaison.notify import notify

NOW = datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def messages_for(director_a, supervisor_a, estate_a):
    def make(user, n=2):
        return [
            notify(
                [user],
                kind="issue.overdue",
                key=f"inbox-{user.pk}-{i}",
                subject=f"问题 #{i} 已逾期",
                body="请尽快处理",
                url=f"/issues/{i}/",
                estate=estate_a,
                now=NOW + datetime.timedelta(minutes=i),
            )[0]
            for i in range(n)
        ]

    return make


def test_header_badge_counts_unread(client_for, director_a, messages_for):
    messages_for(director_a, 3)
    page = client_for(director_a).get("/").content.decode()
    assert '<span class="badge bg-danger" id="unread-count">3</span>' in page


def test_list_shows_own_messages_newest_first(client_for, director_a, supervisor_a, messages_for):
    messages_for(director_a, 2)
    messages_for(supervisor_a, 1)
    page = client_for(director_a).get("/inbox/").content.decode()
    assert page.index("问题 #1 已逾期") < page.index("问题 #0 已逾期")
    assert page.count('data-notification="') == 2


def test_mark_one_read_then_all_read(client_for, director_a, messages_for):
    first, second, third = messages_for(director_a, 3)
    c = client_for(director_a)
    r = c.post(f"/inbox/{first.pk}/read/")
    assert r.status_code == 302 and r["Location"] == "/inbox/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert '<span class="badge bg-danger" id="unread-count">2</span>' in c.get("/inbox/").content.decode()
    unread_page = c.get("/inbox/?show=unread").content.decode()
    assert f'data-notification="{first.pk}"' not in unread_page and f'data-notification="{second.pk}"' in unread_page
    c.post("/inbox/read/")
    assert not Notification.objects.filter(recipient=director_a, read_at__isnull=True).exists()
    assert 'id="unread-count"' not in c.get("/inbox/").content.decode()


def test_open_marks_read_and_goes_to_the_thing(client_for, director_a, messages_for):
    (n,) = messages_for(director_a, 1)
    r = client_for(director_a).post(f"/inbox/{n.pk}/read/", {"go": "1"})
    assert r.status_code == 302 and r["Location"] == "/issues/0/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_never_redirects_off_site(client_for, director_a):
    (n,) = notify([director_a], kind="x", key="evil", subject="s", url="https://evil.example/phish", now=NOW)
    r = client_for(director_a).post(f"/inbox/{n.pk}/read/", {"go": "1"})
    assert r["Location"] == f"/inbox/{n.pk}/"


def test_detail_shows_the_whole_message_without_marking_it_read(client_for, director_a, messages_for):
    (n,) = messages_for(director_a, 1)
    page = client_for(director_a).get(f"/inbox/{n.pk}/").content.decode()
    assert "请尽快处理" in page and 'id="mark-read"' in page
    n.refresh_from_db()
    assert n.read_at is None


@pytest.mark.parametrize("method,path", [("get", "/inbox/{pk}/"), ("post", "/inbox/{pk}/read/")])
def test_another_users_message_is_404(client_for, director_a, chair_b, messages_for, method, path):
    (n,) = messages_for(director_a, 1)
    c = client_for(chair_b)
    r = getattr(c, method)(path.format(pk=n.pk), {"go": "1"} if method == "post" else None)
    assert r.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_touches_only_own_messages(client_for, director_a, supervisor_a, messages_for):
    messages_for(director_a, 2)
    messages_for(supervisor_a, 2)
    client_for(supervisor_a).post("/inbox/read/")
    assert Notification.objects.filter(recipient=director_a, read_at__isnull=True).count() == 2


def test_marking_needs_post_and_login(client, client_for, director_a, messages_for):
    (n,) = messages_for(director_a, 1)
    assert client.get("/inbox/").status_code == 302  # anonymous: to the login page
    assert client.post(f"/inbox/{n.pk}/read/").status_code == 302
    assert client_for(director_a).get(f"/inbox/{n.pk}/read/").status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_inbox_links_to_preferences(client_for, director_a):
    page = client_for(director_a).get("/inbox/").content.decode()
    assert 'href="/inbox/preferences/"' in page
