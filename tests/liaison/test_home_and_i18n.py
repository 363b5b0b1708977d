import datetime

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from liaison import demo
from liaison.models import CommitteeMember, Estate, StaffAssignment, User


def test_director_home_lists_only_assigned_estates(client, director_a, estate_a, estate_b):
    client.force_login(director_a)
    body = client.get("/").content.decode()
    assert "我负责的小区" in body and "翠湖花园" in body and "锦绣苑" not in body


def test_leader_home_lists_every_estate(client, leader, estate_a, estate_b):
    client.force_login(leader)
    body = client.get("/").content.decode()
    assert "全部小区" in body and "翠湖花园" in body and "锦绣苑" in body


def test_committee_member_home_shows_own_committee_only(client, chair_a, oc_a, oc_b, rc_a):
    client.force_login(chair_a)
    body = client.get("/").content.decode()
    assert "我的委员会" in body and oc_a.name in body
    assert oc_b.name not in body and rc_a.name not in body


def test_department_staff_home(client, dept_a):
    client.force_login(dept_a)
    assert "分派给我的工作" in client.get("/").content.decode()


def test_switch_to_english_and_back(client, director_a):
    client.force_login(director_a)
    # the switch offers each language in its own name
    assert ">English</button>" in client.get("/").content.decode()
    r = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    body = r.content.decode()
    assert "My estates" in body and "Log out" in body
    r = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"}, follow=True)
    assert "我负责的小区" in r.content.decode()


def test_dates_print_the_chinese_way():
    with translation.override("zh-hans"):
        out = Template("{{ d|date }}").render(Context({"d": datetime.date(2026, 11, 24)}))
    assert out == "2026年11月24日"
    with translation.override("en"):
        assert Template("{{ d|date }}").render(Context({"d": datetime.date(2026, 11, 24)})) == "24 Nov 2026"


def test_committee_dates_shown_in_chinese(client, director_a, oc_a):
    client.force_login(director_a)
    assert "2025年1月1日" in client.get(reverse("committee_detail", args=[oc_a.pk])).content.decode()


def test_every_page_has_a_content_security_policy(client, director_a):
    client.force_login(director_a)
    r = client.get("/")
    assert "script-src 'self'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_demo_data_is_idempotent():
    demo.seed()
    counts = [m.objects.count() for m in (User, Estate, StaffAssignment, CommitteeMember)]
    call_command("seed_demo")
    assert [m.objects.count() for m in (User, Estate, StaffAssignment, CommitteeMember)] == counts
    # one account per role, all logging in with the documented password
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"admin", "director", "supervisor", "department", "leader", "assessor", "committee"}
    assert User.objects.get(username="oc_chair").check_password(demo.DEMO_PASSWORD)


def test_idle_session_is_logged_out(client, director_a, settings):
    settings.IDLE_TIMEOUT_SECONDS = 60
    client.force_login(director_a)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = session["last_seen"] - 3600
    session.save()
    r = client.get("/")
    assert r.status_code == 302 and reverse("login") in r["Location"]
