"""Whatever is typed into the issue list's address: a page with a message in the user's language, never an
error page (followups.filters.IssueFilter)."""

import pytest

pytestmark = pytest.mark.django_db


def test_far_dates_in_the_filter_get_a_message_not_an_error(client, director_a, estate_a):
    client.force_login(director_a)
    r = client.get("/issues/?date_from=1900-01-01&date_to=9999-12-31")
    assert r.status_code == 200
    # the one range message of every date field (liaison.bounds), on each of the two dates
    assert r.content.decode().count("请输入 2000-01-01 至 2100-12-31 之间的日期。") == 2


def test_a_huge_number_in_the_search_box_is_just_text(client, director_a, estate_a, raise_issue):
    issue = raise_issue(description="编号" + "9" * 40)
    client.force_login(director_a)
    r = client.get("/issues/?q=" + "9" * 40)
    assert r.status_code == 200
    assert f'data-issue="{issue.pk}"' in r.content.decode()  # found as text


def test_a_number_in_the_search_box_finds_that_issue(client, director_a, raise_issue):
    wanted, other = raise_issue(description="要找的"), raise_issue(description="别的")
    client.force_login(director_a)
    page = client.get(f"/issues/?q=%23{wanted.pk}").content.decode()
    assert "要找的" in page and "别的" not in page and other.pk != wanted.pk


BAD = {
    "estate": "abc",
    "committee": "-1",
    "assignee": "9" * 40,
    "status": "bogus",
    "category": "<script>",
    "date_from": "2026-13-45",
}
MESSAGES = {
    "zh-hans": {"estate": "选择一个有效的选项", "date_from": "输入一个有效的日期"},
    "en": {"estate": "Select a valid choice", "date_from": "Enter a valid date"},
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_bad_values_get_a_message_in_the_users_language(client, director_a, raise_issue, lang):
    raise_issue(description="照常列出")
    director_a.language = lang  # the language the user chose (liaison.language)
    director_a.save(update_fields=["language"])
    client.force_login(director_a)
    r = client.get("/issues/", {**BAD, "overdue": "maybe", "page": "x"})
    assert r.status_code == 200
    page = r.content.decode()
    for name in BAD:
        assert f'id="id_{name}_error"' in page, name  # each field says what is wrong with it
    for text in MESSAGES[lang].values():
        assert text in page
    assert "照常列出" in page  # the bad filters are left out, the list is still there


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_start_after_the_end_is_said_once_above_the_filters(client, director_a, lang):
    director_a.language = lang
    director_a.save(update_fields=["language"])
    client.force_login(director_a)
    r = client.get("/issues/?date_from=2026-03-05&date_to=2026-03-01")
    assert r.status_code == 200
    text = {"zh-hans": "开始日期晚于结束日期", "en": "The start date is after the end date."}[lang]
    assert r.content.decode().count(text) == 1
