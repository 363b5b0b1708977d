"""A committee member's pages as the server renders them for a phone (issue 16, items 1 and 3): lists as
cards made from the same rows as the desktop tables, filters folded behind one button, an error beside its
field; the member's own role word; nothing made for the company's staff (clause numbers, hashes, the API
menu, another estate's people). The browser side (widths, cells, scrolling) is tests/e2e/test_member_phone.py.

The demo data (liaison.demo.seed) is the world: 张喆 (oc_chair) chairs 翠湖花园's 业委会, the director 王建国
runs 翠湖花园 and 锦绣苑, 钱立 (director2) runs 老城新村."""

import re

import pytest

from followups.models import Issue
from liaison import demo
from liaison.models import User
from meetings.models import Meeting
from records.models import SignoffRequest

pytestmark = pytest.mark.django_db

HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
CARD = re.compile(r'<li class="card item-card[^"]*" data-issue="(\d+)"')
ROW = re.compile(r'<tr class="[^"]*" data-issue="(\d+)"')
HIDDEN_INPUT = re.compile(r'<input type="hidden"[^>]*>')


def shown_hash(page):
    """A SHA-256 the page shows (a hidden form field that carries it back to the server shows nothing)."""
    return HASH.search(HIDDEN_INPUT.sub("", page))


@pytest.fixture
def people(db):
    demo.seed()
    return {u.username: u for u in User.objects.all()}


def html(client, user, url, lang="zh-hans"):
    if user.language != lang:
        user.language = lang  # the language the account chose (liaison.language)
        user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def member_pages(user):
    """Every page a committee member uses, with the ids of their own objects."""
    meetings = [f"/meetings/{m.pk}/" for m in Meeting.objects.visible_to(user)]
    issues = [f"/issues/{i.pk}/" for i in Issue.objects.visible_to(user)]
    committees = [f"/committees/{m.committee_id}/" for m in user.memberships.filter(ended_on__isnull=True)]
    return [
        "/",
        "/meetings/",
        *meetings,
        "/issues/",
        "/issues/?status=open",
        *issues,
        "/issues/new/",
        "/records/",
        "/records/signoff/",
        "/inbox/",
        "/inbox/preferences/",
        "/account/",
        *committees,
    ]


def test_lists_are_cards_from_the_same_rows_as_the_tables(client, people):
    chair = people["oc_chair"]
    page = html(client, chair, "/issues/")
    cards, rows = CARD.findall(page), ROW.findall(page)
    assert len(cards) == Issue.objects.visible_to(chair).count() >= 5
    assert cards == rows  # one card per row of the desktop table, in the same order
    assert 'class="d-md-none list-unstyled mb-3" id="issue-cards"' in page and 'class="d-none d-md-block"' in page
    home = html(client, chair, "/")
    table, cards = home.split('id="panel-issue-table"')[1].split("</table>", 1)
    assert len(CARD.findall(cards.split("</ul>")[0])) == table.count("<tr class") >= 5
    meetings = html(client, chair, "/meetings/")
    past = re.findall(r'<li class="card item-card mb-2" data-meeting="(\d+)"', meetings)
    assert sorted(past) == sorted(str(m.pk) for m in Meeting.objects.visible_to(chair))


def test_one_estate_gets_no_estate_column_or_line(client, people):
    chair, director = people["oc_chair"], people["director"]
    for url in ("/issues/", "/", "/meetings/", f"/issues/{Issue.objects.visible_to(chair).first().pk}/"):
        page = html(client, chair, url)
        assert "<th>小区</th>" not in page and '<dt class="col-sm-3">小区</dt>' not in page, url
        assert "翠湖花园 · 翠湖花园业主委员会</td>" not in page, url
    # the director runs two estates: their table keeps the column
    assert "<th>小区 · 委员会</th>" in html(client, director, "/issues/")
    assert "<th>小区</th>" in html(client, director, "/meetings/")


def test_a_member_is_called_by_their_seat(client, people):
    for username, zh, en in (
        ("oc_chair", "主任", "Chair"),
        ("oc_member", "委员", "Member"),
        ("oc_secretary", "秘书", "Secretary"),
        ("mc_chair", "主任", "Chair"),
    ):
        user = people[username]
        for lang, word in (("zh-hans", zh), ("en", en)):
            page = html(client, user, "/", lang)
            # the name, then the seat (shown on phones and wide screens; the title carries it between)
            found = re.search(r'id="whoami" title="([^"]*)">([^<]*)<span[^>]*> · ([^<]*)</span>', page)
            assert found.groups() == (word, user.display_name, word), (username, lang)
            assert "委员会成员" not in page and "Committee member" not in page
            account = html(client, user, "/account/", lang)
            assert re.search(r'id="account-role">([^<]*)<', account).group(1) == word
            seat = user.memberships.get(ended_on__isnull=True).committee
            assert str(seat) in account
    director = people["director"]
    assert re.search(r"王建国<span[^>]*> · 社区服务办公室主任<", html(client, director, "/"))
    assert "翠湖花园 · 社区服务办公室主任" in html(client, director, "/account/")


@pytest.mark.parametrize("username", ["oc_chair", "oc_member", "rc_member", "mc_chair"])
def test_members_see_no_clause_numbers_hashes_or_api(client, people, username):
    user = people[username]
    for lang in ("zh-hans", "en"):
        for url in member_pages(user):
            page = html(client, user, url, lang)
            assert "§" not in page, (url, lang)
            assert not shown_hash(page), (url, lang)
            assert 'id="nav-api"' not in page, (url, lang)


def test_staff_keep_clause_numbers_and_the_api_menu(client, people):
    director = people["director"]
    meeting = Meeting.objects.visible_to(people["oc_chair"]).filter(kind__clause__startswith="§").first()
    page = html(client, director, f"/meetings/{meeting.pk}/")
    assert meeting.kind.clause in page
    assert 'id="nav-api"' in page
    assert meeting.kind.clause not in html(client, people["oc_chair"], f"/meetings/{meeting.pk}/")


def test_a_member_signing_sees_no_hash_but_the_verification_page(client, people):
    chair, director = people["oc_chair"], people["director"]
    req = SignoffRequest.objects.filter(committee__members__user=chair).first()
    page = html(client, chair, f"/records/signoff/{req.pk}/")
    assert not shown_hash(page)
    assert f'href="/records/v/{req.public_code}/"' in page
    assert req.current_version().sha256 in html(client, director, f"/records/signoff/{req.pk}/")  # staff keep it


def test_member_pickers_hold_only_their_estates_people(client, people):
    chair = people["oc_chair"]
    page = html(client, chair, "/issues/")
    people_offered = re.search(r'<select name="assignee".*?</select>', page, re.S).group(0)
    offered = set(re.findall(r'<option value="(\d+)"', people_offered))
    responsible = {str(i.assignee_id) for i in Issue.objects.visible_to(chair) if i.assignee_id}
    assert offered == responsible and offered
    for other in ("director2", "leader", "assessor"):  # 老城新村's director; the company's own people
        assert people[other].display_name not in page
    # one estate and one committee: nothing to choose there
    assert '<select name="estate"' not in page and '<select name="committee"' not in page
    form = html(client, chair, "/issues/new/")
    assert 'name="raised_by"' not in form and 'name="assignee"' not in form
    committees = re.search(r'<select name="committee".*?</select>', form, re.S).group(0)
    assert "锦绣苑" not in committees and "老城新村" not in committees


def test_filters_fold_behind_one_button_and_open_when_set(client, people):
    chair = people["oc_chair"]
    form_tag = re.compile(r'<form method="get" class="([^"]*)" id="issue-filter">')
    page = html(client, chair, "/issues/")
    assert 'id="filter-toggle"' in page and 'data-bs-target="#issue-filter"' in page
    assert form_tag.search(page).group(1).split() == ["row", "g-2", "align-items-end", "mb-3", "collapse", "d-md-flex"]
    page = html(client, chair, "/issues/?status=open&overdue=on")
    assert "show" in form_tag.search(page).group(1).split()
    assert re.search(r'id="filter-toggle">筛选 <span class="badge bg-primary">2</span>', page)
    # a start after the end: open, and the message sits on the end date, beside the dates
    page = html(client, chair, "/issues/?date_from=2026-03-05&date_to=2026-03-01")
    assert "show" in form_tag.search(page).group(1).split()
    field = re.search(r'<div id="div_id_date_to".*?</div>\s*</div>', page, re.S).group(0)
    assert "开始日期晚于结束日期" in field and page.count("开始日期晚于结束日期") == 1
    # the meetings page of a member of one committee has nothing to filter
    assert 'id="meeting-filter"' not in html(client, chair, "/meetings/")


def test_a_refused_issue_says_why_beside_the_field(client, people):
    chair = people["oc_chair"]
    chair.language = "zh-hans"
    chair.save(update_fields=["language"])
    client.force_login(chair)
    page = client.post("/issues/new/", {"committee": "", "description": "", "urgency": "normal"}).content.decode()
    for name in ("committee", "description"):
        field = re.search(rf'<div id="div_id_{name}".*?</div>\s*</div>', page, re.S).group(0)
        assert "is-invalid" in field and "invalid-feedback" in field, name
    assert 'class="phone-bar"' in page  # the submit button stays within reach of a thumb


def test_a_members_meeting_card_answers_the_invitation(client, people):
    member = people["rc_member"]  # invited to the residents' committee's coming meeting
    page = html(client, member, "/meetings/")
    card = re.search(r'<ul class="d-md-none list-unstyled mb-3" id="upcoming-cards">.*?</ul>', page, re.S).group(0)
    assert "您的回复" in card and 'value="accepted"' in card and 'name="next" value="/meetings/"' in card
    inv = member.meeting_invitations.get(meeting__status=Meeting.Status.CONFIRMED)
    response = client.post(f"/meetings/invitations/{inv.pk}/respond/", {"response": "accepted", "next": "/meetings/"})
    assert response.status_code == 302 and response["Location"] == "/meetings/"
    inv.refresh_from_db()
    assert inv.response == "accepted"
    assert "参加" in html(client, member, "/meetings/").split('id="upcoming-cards"')[1].split("</ul>")[0]
