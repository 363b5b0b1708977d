"""The issue list's option lists kept between requests (followups.forms.SharedOptions): read once, then
shown again without a query, and shown anew after any save or delete of what they list; a change that
sends no signal shows within the time limit; with the cache down every request reads them."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from followups import forms
from liaison.models import Role
from tests.factories import AssignmentFactory, CommitteeFactory, DepartmentFactory, EstateFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/issues/"


def option_queries(captured):
    """The queries that read option lists: estates, committees, staff, departments."""
    marks = ('"liaison_user"."role" AS "role"', 'FROM "liaison_department"', 'FROM "liaison_estate"')
    return [q["sql"] for q in captured if any(m in q["sql"] for m in marks) and "followups_issue" not in q["sql"]]


def estate_select(page):
    """The filter's estate <select> (option values are ids: other selects' ids may be the same numbers)."""
    return re.search(r'<select name="estate".*?</select>', page, re.S).group(0)


def without_token(page):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def get(client, url=LIST, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response.content.decode(), option_queries(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["leader", "director_a"])
def test_read_once_then_shown_without_a_query(request, client, persona, estate_a, oc_a, dept_a, raise_issue):
    raise_issue()  # a row: the bulk assignment is shown
    client.force_login(request.getfixturevalue(persona))
    first, read = get(client)
    assert read, "the first visit reads the lists"
    again, read = get(client)
    assert read == [] and without_token(again) == without_token(first)
    filtered, read = get(client, data={"estate": estate_a.pk, "assignee": dept_a.pk})
    assert read == []
    assert (
        f'<option value="{estate_a.pk}" selected>' in filtered and f'<option value="{dept_a.pk}" selected>' in filtered
    )
    assert first.count(f">{dept_a.name} (") == 2  # the staff list: in the filter and the bulk assignment


def test_estates_committees_staff_and_departments_show_their_changes(client, leader, estate_a, oc_a, raise_issue):
    raise_issue()
    spare = CommitteeFactory(estate=estate_a, name="临时委员会")
    client.force_login(leader)
    page, _read = get(client)
    assert "临时委员会" in page
    estate_a.name = "翠湖花园（新）"
    estate_a.save()
    oc_a.name = "新一届业委会"
    oc_a.save()
    newcomer = UserFactory(name="新来的钱工", role=Role.DEPARTMENT, department=DepartmentFactory(name="工程部"))
    page, read = get(client)
    assert read
    assert ">翠湖花园（新）</option>" in page and ">翠湖花园（新） · 新一届业委会</option>" in page
    assert "<td>翠湖花园（新） · 新一届业委会</td>" in page  # the row's estate and committee
    assert page.count(f'<option value="{newcomer.pk}">新来的钱工 ({Role.DEPARTMENT.label} · 工程部)</option>') == 2
    newcomer.is_active = False
    newcomer.save()
    department = newcomer.department
    other = UserFactory(name="孙工", role=Role.DEPARTMENT, department=department)
    department.name = "维修部"
    department.save()
    spare.delete()
    page, _read = get(client)
    assert f'<option value="{newcomer.pk}">' not in page
    assert f"孙工 ({Role.DEPARTMENT.label} · 维修部)" in page and f'<option value="{other.pk}">' in page
    assert "临时委员会" not in page


def test_a_directors_estates_follow_their_assignments(client, director_a, estate_a, estate_b, oc_b):
    client.force_login(director_a)
    page, _read = get(client)
    assert f'<option value="{estate_b.pk}">' not in estate_select(page)
    assignment = AssignmentFactory(estate=estate_b, user=director_a, role=Role.DIRECTOR)
    page, read = get(client)
    assert read and f'<option value="{estate_b.pk}">锦绣苑</option>' in estate_select(page)
    assert ">锦绣苑 · 锦绣苑业主委员会</option>" in page  # its committee in the committee filter
    assignment.delete()
    page, _read = get(client)
    assert f'<option value="{estate_b.pk}">' not in estate_select(page)


def test_each_user_and_language_has_their_own_lists(client, director_a, director_b, estate_a, estate_b, leader):
    client.force_login(director_a)
    page_a, _read = get(client)
    client.force_login(director_b)
    page_b, _read = get(client)
    estates_a, estates_b = estate_select(page_a), estate_select(page_b)
    assert f'<option value="{estate_a.pk}">' in estates_a and f'<option value="{estate_b.pk}">' not in estates_a
    assert f'<option value="{estate_b.pk}">' in estates_b and f'<option value="{estate_a.pk}">' not in estates_b
    chinese, _read = get(client)
    english, _read = get(client, HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("zh-hans"):
        zh = str(Role.DIRECTOR.label)
    with translation.override("en"):
        en = str(Role.DIRECTOR.label)
    assert zh != en
    assert f"{director_b.name} ({zh}" in chinese and f"{director_b.name} ({en}" not in chinese
    assert f"{director_b.name} ({en}" in english and f"{director_b.name} ({zh}" not in english


def test_a_login_is_not_a_change(client, leader):
    client.force_login(leader)
    get(client)
    token = cache.get("followups:shared-options")
    client.force_login(leader)  # saves last_login
    _page, read = get(client)
    assert cache.get("followups:shared-options") == token and read == []


def test_a_change_is_seen_again_when_its_transaction_commits(leader, django_capture_on_commit_callbacks):
    forms.SharedOptions()
    tokens = [cache.get("followups:shared-options")]
    with django_capture_on_commit_callbacks(execute=True):
        EstateFactory(name="新小区")
        tokens.append(cache.get("followups:shared-options"))  # at once
    tokens.append(cache.get("followups:shared-options"))  # and after the commit
    assert len(set(tokens)) == 3


def test_changes_without_signals_show_within_the_time_limit(client, leader, estate_a, monkeypatch):
    from liaison.models import Estate

    client.force_login(leader)
    get(client)
    Estate.objects.filter(pk=estate_a.pk).update(name="改名未通知")  # no signal
    page, _read = get(client)
    assert "改名未通知" not in page  # kept (at most SHARED_OPTIONS_SECONDS)
    monkeypatch.setattr(forms, "SHARED_OPTIONS_SECONDS", 0)
    page, _read = get(client)
    assert ">改名未通知</option>" in page


def test_with_the_cache_down_every_request_reads_the_lists(client, leader, estate_a, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    client.force_login(leader)
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    for _ in range(2):
        page, read = get(client)
        assert read and f'<option value="{estate_a.pk}">翠湖花园</option>' in page
    CommitteeFactory(estate=estate_a, name="又一个委员会")  # a save with the cache down: no error
    page, _read = get(client)
    assert "又一个委员会" in page


def test_the_process_keeps_a_bounded_number_of_lists(monkeypatch):
    monkeypatch.setattr(forms, "_SHARED_MAX", 3)
    monkeypatch.setattr(forms, "_shared", {})
    shared = forms.SharedOptions()
    for n in range(10):
        assert list(shared.get(("n", n), lambda n=n: [(n, str(n))])) == [(n, str(n))]
        assert len(forms._shared) <= 3


def test_a_staff_members_estates_and_committees_in_one_query(director_a, dept_a, estate_a, estate_b, oc_a, rc_a):
    from liaison import access

    AssignmentFactory(estate=estate_b, user=director_a, role=Role.DIRECTOR)
    AssignmentFactory(estate=EstateFactory(name="无委员会小区"), user=director_a, role=Role.DIRECTOR)
    CommitteeFactory(estate=estate_b, name="锦绣苑业主委员会")
    for user in (director_a, dept_a):
        read = forms.estates_and_committees(access.visible_estates(user))
        with CaptureQueriesContext(connection) as ctx:
            estates, committees = read()
            read()
        assert len(ctx.captured_queries) == 1
        assert estates == list(forms.estate_choices(access.visible_estates(user)))
        assert committees == forms.committee_choices(access.visible_committees(user))
        assert len(committees) >= 2


def test_rows_of_estates_and_committees_added_without_a_signal_show_their_names(client, leader, raise_issue):
    from followups import actions
    from liaison.models import Committee, Estate

    raise_issue()
    client.force_login(leader)
    get(client)
    template = Estate.objects.first()
    estate = Estate.objects.bulk_create([Estate(company=template.company, name="批量新建小区")])[0]
    committee = Committee.objects.bulk_create(
        [Committee(estate=estate, kind=Committee.Kind.OC, name="批量新建业委会", term_start=datetime.date(2025, 1, 1))]
    )[0]
    actions.raise_issue(
        estate=estate,
        committee=committee,
        raised_by="甲",
        raised_at=timezone.now(),
        description="新小区的事",
        source="meeting",
    )
    page, _read = get(client)
    assert "<td>批量新建小区 · 批量新建业委会</td>" in page
