"""Issue 22, rows 1, 7, 8 and 16: the same bad input through the same URLs, answered with a message (or
a 400), never a 5xx, and nothing stored.

1. far dates (0001-01-01, 9999-12-31) in the meeting and issue forms and the API: a field error
   (liaison.bounds.validate_sane_date, 2000-01-01 … 2100-12-31);
7. Unicode digits ("²") in ids: parse_id takes ASCII digits only;
8. NUL in a path or a query: ControlCharacterMiddleware answers 400;
16. a Chinese .txt longer than the 2,048 bytes the type check reads is a valid text file.
"""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from followups import actions as issue_actions
from followups.models import Issue
from liaison.bounds import parse_id, sane_date
from liaison.uploads import sniff
from meetings import actions as meeting_actions
from meetings.cadence_defaults import ensure_default_kinds
from meetings.models import Material, Meeting

pytestmark = pytest.mark.django_db

FAR = ["0001-01-01T00:00", "9999-12-31T23:59"]
RANGE_ZH = "请输入 2000-01-01 至 2100-12-31 之间的日期。"


@pytest.fixture
def kinds(db):
    return ensure_default_kinds()


@pytest.fixture
def issue_a(oc_a, director_a):
    now = timezone.now()
    return issue_actions.raise_issue(
        estate=oc_a.estate,
        committee=oc_a,
        raised_by="张喆",
        raised_at=now - datetime.timedelta(hours=1),
        description="地下车库B区渗水",
        source="meeting",
        actor=director_a,
        now=now,
    )


@pytest.fixture
def draft(kinds, director_a, oc_a):
    now = timezone.now()
    return meeting_actions.create_meeting(
        estate=oc_a.estate,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title="材料会议",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=30, hours=2),
        place="管理处会议室",
        actor=director_a,
        now=now,
    )


def _api(user):
    _token, secret = ApiToken.create_for(user, "tests")
    client = Client()

    def post(url, data):
        return client.post(
            url, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )

    return post


def _meeting_post(estate, committee, kind, starts_at, ends_at):
    return {
        "estate": estate.pk,
        "committee": committee.pk,
        "kind": kind.pk,
        "title": "远日会议",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": "管理处会议室",
    }


# --- row 1: far dates ----------------------------------------------------------------------------------


def test_helpers_bound_dates_and_ids():
    assert sane_date(datetime.date(2000, 1, 1)) and sane_date(datetime.date(2100, 12, 31))
    assert not sane_date(datetime.date(1999, 12, 31)) and not sane_date(datetime.date(2101, 1, 1))
    assert parse_id("12") == 12 and parse_id(7) == 7
    for bad in ["²", "١٢", "", "-1", "1.0", " 1", "1" * 19, None, "１２"]:
        assert parse_id(bad) is None, bad


@pytest.mark.parametrize("when", FAR)
@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_meeting_form_refuses_a_far_date(when, field, client_for, director_a, estate_a, oc_a, kinds):
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=30)).replace(second=0, microsecond=0)
    data = _meeting_post(
        estate_a,
        oc_a,
        kinds["oc_routine"],
        starts.strftime("%Y-%m-%dT%H:%M"),
        (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    data[field] = when
    r = client_for(director_a).post(reverse("meetings:create") + f"?estate={estate_a.pk}", data)
    assert r.status_code == 200
    assert RANGE_ZH in r.content.decode()
    assert not Meeting.objects.exists()
    # the list still answers
    assert client_for(director_a).get(reverse("meetings:list")).status_code == 200


@pytest.mark.parametrize("when", FAR)
def test_issue_form_refuses_a_far_raised_at(when, client_for, director_a, oc_a):
    r = client_for(director_a).post(
        reverse("followups:create"),
        {
            "committee": oc_a.pk,
            "raised_by": "张喆",
            "raised_at": when,
            "source": "meeting",
            "description": "远日问题",
            "urgency": "normal",
        },
    )
    assert r.status_code == 200
    assert RANGE_ZH in r.content.decode()
    assert not Issue.objects.exists()
    assert client_for(director_a).get(reverse("followups:list")).status_code == 200


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31"])
def test_issue_filter_refuses_a_far_date(when, client_for, director_a, issue_a):
    client = client_for(director_a)
    for name in ("date_from", "date_to"):
        r = client.get(reverse("followups:list"), {name: when})
        assert r.status_code == 200 and RANGE_ZH in r.content.decode(), name


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:00+08:00"])
def test_api_refuses_a_far_date(when, director_a, estate_a, oc_a, kinds):
    post = _api(director_a)
    ok = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    r = post("/api/meetings/", _meeting_post(estate_a, oc_a, kinds["oc_routine"], when, ok))
    assert r.status_code == 400, r.content
    assert r.json()["fields"]["starts_at"][0]["code"] == "date_range"
    assert not Meeting.objects.exists()
    r = post(
        "/api/issues/",
        {"committee": oc_a.pk, "description": "远日问题", "raised_by": "张喆", "raised_at": when, "source": "meeting"},
    )
    assert r.status_code == 400, r.content
    assert r.json()["fields"]["raised_at"][0]["code"] == "date_range"
    assert not Issue.objects.exists()
    # the API's list filter: the same field, the same message
    _token, secret = ApiToken.create_for(director_a, "filter")
    r = Client().get("/api/meetings/", {"starts_after": when}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 400 and r.json()["fields"]["starts_after"][0]["code"] == "date_range"


# --- row 7: Unicode digits -----------------------------------------------------------------------------


def test_unicode_digits_are_no_error(client_for, director_a, estate_a, oc_a, issue_a, kinds):
    client = client_for(director_a)
    urls = [
        reverse("followups:list") + "?q=²",
        reverse("followups:export") + "?q=²",
        reverse("meetings:cadence") + "?estate=²",
        reverse("meetings:create") + f"?estate={estate_a.pk}&committee=²",
        reverse("meetings:create") + f"?estate={estate_a.pk}&kind=²&for_rule=²",
        reverse("followups:create") + "?committee=²",
        reverse("followups:list") + "?estate=²",
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, url
    r = client.post(reverse("followups:bulk_assign"), {"issue": ["²"], "assignee": director_a.pk})
    assert r.status_code < 500


# --- row 8: NUL in a path or query ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/meetings/checkin/abc%00/", "/meetings/calendar/abc%00.ics", "/records/v/ABC%00/", "/estates/?q=%00"],
)
def test_nul_is_a_400_without_login(url):
    r = Client().get(url)
    assert r.status_code == 400, url
    assert "控制字符" in r.content.decode()


def test_nul_is_a_400_logged_in_and_in_english(client_for, director_a):
    client = client_for(director_a)
    assert client.get("/estates/?q=%00").status_code == 400
    assert client.get("/meetings/?q=a%01b").status_code == 400
    director_a.language = "en"
    director_a.save(update_fields=["language"])
    r = client.get("/records/v/ABC%00/")
    assert r.status_code == 400 and "control character" in r.content.decode()


def test_nul_in_a_form_is_a_400_but_line_breaks_are_text(client_for, director_a, oc_a):
    client = client_for(director_a)
    data = {"committee": oc_a.pk, "description": "漏水\x00", "urgency": "normal"}
    r = client.post(reverse("followups:create"), {**data, "raised_by": "张喆", "raised_at": "2026-01-01T10:00"})
    assert r.status_code == 400 and not Issue.objects.exists()
    # tab and line breaks in a form's text are no control characters to refuse
    r = client.post(
        reverse("followups:create"),
        {
            **data,
            "description": "漏水\r\n\t三楼",
            "raised_by": "张喆",
            "raised_at": "2026-01-01T10:00",
            "source": "meeting",
        },
    )
    assert r.status_code != 400


def test_nul_in_the_api_path_is_json(director_a):
    _token, secret = ApiToken.create_for(director_a, "tests")
    r = Client().get("/api/meetings/%00/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 400 and r.json()["code"] == "control_character"


# --- row 16: Chinese text past the sniffed head --------------------------------------------------------


def test_sniff_keeps_a_character_cut_at_the_end():
    text = ("业委会会议材料：电梯更新方案说明。" * 200).encode()
    for cut in range(2040, 2049):
        assert sniff(text[:cut]) == "text/plain", cut
    assert sniff(b"\xff\xfe\x00bad") is None  # not UTF-8 at all is still refused


def test_a_chinese_text_material_uploads(client_for, director_a, draft):
    data = ("第一条：电梯更新方案，业主意见征询结果汇总。\n" * 68).encode()  # 4,556 bytes
    with pytest.raises(UnicodeDecodeError):  # the 2,048 bytes the check reads end inside a character
        data[:2048].decode("utf-8")
    r = client_for(director_a).post(
        reverse("meetings:material_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("材料.txt", data, content_type="text/plain")},
    )
    assert r.status_code in (200, 302)
    assert Material.objects.filter(meeting=draft).count() == 1
