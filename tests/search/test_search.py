"""The search box: finds two-character Chinese words across kinds, marks them, and never shows what the
person may not see (another estate's records, a committee's draft minutes, the company's staff list)."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import AgendaItem, Minutes

pytestmark = pytest.mark.django_db


def search(client, q):
    r = client.get("/search/", {"q": q})
    assert r.status_code == 200
    return r.content.decode()


def test_a_two_character_word_is_found_in_issues_and_meetings_and_marked(
    raise_issue, make_meeting, director_a, client_for
):
    issue = raise_issue(title="地下车库漏水", description="B区顶板漏水，已三天")
    meeting = make_meeting(
        starts_at=timezone.now() + datetime.timedelta(days=9), now=timezone.now(), title="漏水维修协调会"
    )
    body = search(client_for(director_a), "漏水")
    issues = body.split('id="group-issues"', 1)[1].split("</section>", 1)[0]
    assert f'href="/issues/{issue.pk}/"' in issues and "地下车库<mark>漏水</mark>" in issues
    meetings = body.split('id="group-meetings"', 1)[1].split("</section>", 1)[0]
    assert f'href="/meetings/{meeting.pk}/"' in meetings and "<mark>漏水</mark>维修协调会" in meetings
    assert "共有 2 条结果" in body


def test_another_estates_records_are_never_found(raise_issue, oc_b, estate_b, chair_b, director_b, client_for):
    raise_issue(title="路灯不亮")
    for user in (chair_b, director_b):
        body = search(client_for(user), "路灯")
        assert "路灯不亮" not in body and 'id="search-none"' in body


def test_a_committee_member_finds_discussion_only_in_final_minutes(
    make_meeting, director_a, chair_a, member_a, client_for
):
    now = timezone.now()
    m = make_meeting(starts_at=now - datetime.timedelta(days=2), now=now - datetime.timedelta(days=12), send=True)
    AgendaItem.objects.create(meeting=m, title="车库照明", discussion="同意更换声控灯")
    Minutes.objects.create(meeting=m, host_name="王建国", recorder_name="李秘书", summary="声控灯另议")
    staff = search(client_for(director_a), "声控灯")
    assert "同意更换<mark>声控灯</mark>" in staff and "<mark>声控灯</mark>另议" in staff
    member = search(client_for(chair_a), "声控灯")
    assert "<mark>" not in member and 'id="search-none"' in member  # the draft is the office's
    Minutes.objects.filter(meeting=m).update(finalised_at=now)
    member = search(client_for(chair_a), "声控灯")
    assert "同意更换<mark>声控灯</mark>" in member and "<mark>声控灯</mark>另议" in member


def test_a_committee_member_does_not_search_the_company_staff(director_a, chair_a, client_for):
    surname = director_a.display_name[:1]
    assert director_a.display_name in search(client_for(director_a), surname)
    member = search(client_for(chair_a), director_a.display_name)
    assert 'id="group-people"' not in member or director_a.display_name not in member.split('id="group-people"')[1]


@pytest.mark.parametrize(
    "language, q, message",
    [
        ("zh-hans", "a", "请至少输入一个汉字"),
        ("en", "a", "at least two letters"),
        ("zh-hans", "漏" * 51, "最多 50 个字"),
    ],
)
def test_too_short_or_too_long_a_query_is_a_message_with_the_text_kept(director_a, client_for, language, q, message):
    director_a.language = language
    director_a.save()
    body = search(client_for(director_a), q)
    assert message in body and f'value="{q}"' in body


def test_one_chinese_character_is_a_query(raise_issue, director_a, client_for):
    raise_issue(title="东门路灯不亮")
    assert "东门路<mark>灯</mark>不亮" in search(client_for(director_a), "灯")


def test_the_top_bar_has_the_box(director_a, client_for):
    assert 'id="top-search"' in client_for(director_a).get("/").content.decode()


def test_queries_do_not_grow_with_the_results(raise_issue, director_a, client_for, django_assert_max_num_queries):
    for n in range(25):
        raise_issue(title=f"漏水{n}")
    client = client_for(director_a)
    with django_assert_max_num_queries(25):
        body = search(client, "漏水")
    assert body.count("search-hit") == 10 and "查看全部匹配的问题" in body


@pytest.mark.parametrize("q", ["0%", "%%", "_水", "漏.*", "'; DROP TABLE followups_issue; --", "(漏水", "\\"])
def test_sql_and_regex_characters_are_searched_as_text(raise_issue, director_a, client_for, q):
    """% and _ are not wildcards and regex characters mean themselves: no error, and only literal hits."""
    raise_issue(title="地下车库漏水")
    raise_issue(title="进度100%完成")
    body = search(client_for(director_a), q)
    assert "地下车库" not in body
    assert ("进度10<mark>0%</mark>完成" in body) == (q == "0%")
    assert "进度100%完成" not in body or q == "0%"


def test_five_hundred_characters_are_refused_with_the_text_kept(director_a, client_for):
    q = "漏水" * 250
    body = search(client_for(director_a), q)
    assert "最多 50 个字" in body and "search-hit" not in body
