"""Query counts of the issue pages do not grow with the data: more estates, committees, issues and staff
(each staff member showing a department) cost no extra queries; the list reads a page's ids first
(KeysFirstPaginator) and gives the same pages as Django's paginator; the open list has its index."""

import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups import actions
from followups.models import Issue
from followups.views import KeysFirstPaginator
from liaison.models import Committee, Role
from tests.factories import AssignmentFactory, CommitteeFactory, DepartmentFactory, EstateFactory, UserFactory

pytestmark = pytest.mark.django_db


def add_estates(n, director, *, issues_each=3):
    """n more estates, each with a 业委会, a supervisor in a department and a few open issues (one overdue)."""
    now = timezone.now()
    for _ in range(n):
        estate = EstateFactory()
        oc = CommitteeFactory(estate=estate, kind=Committee.Kind.OC)
        AssignmentFactory(estate=estate, user=director, role=Role.DIRECTOR)
        supervisor = UserFactory(role=Role.SUPERVISOR, department=DepartmentFactory())
        AssignmentFactory(estate=estate, user=supervisor, role=Role.SUPERVISOR)
        for i in range(issues_each):
            raised = now - datetime.timedelta(days=10 if i == 0 else 0, minutes=i + 1)
            issue = actions.raise_issue(
                estate=estate,
                committee=oc,
                raised_by="张喆",
                raised_at=raised,
                description=f"{estate.name} 第{i}件事",
                source="meeting",
                now=raised + datetime.timedelta(seconds=1),
            )
            if i == 1:
                actions.assign(issue, assignee=supervisor, department=supervisor.department, actor=director, now=now)


def queries(client, url):
    client.get(url)  # the first request of a session does some one-time work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize(
    "who, query",
    [
        ("director", ""),
        ("director", "?status=open"),
        ("director", "?overdue=on"),
        ("leader", "?status=open"),
        ("leader", "?overdue=on&category=&q=事"),
    ],
)
def test_issue_list_queries_do_not_grow_with_estates_issues_and_staff(client, director_a, leader, who, query):
    user = {"director": director_a, "leader": leader}[who]
    client.force_login(user)
    url = reverse("followups:list") + query
    add_estates(2, director_a)
    small, page = queries(client, url)
    assert "第0件事" in page
    add_estates(8, director_a)
    large, page = queries(client, url)
    assert page.count('class="form-check-input issue-check"') >= 10  # the rows of 10 estates are listed
    assert large == small, f"{small} queries with 2 estates, {large} with 10"
    assert large <= 16  # 15, and one for whether the user sees one estate (the estate column)


def test_issue_list_offers_each_staff_member_with_department(client, director_a):
    add_estates(2, director_a)
    staff = UserFactory(name="钱工", role=Role.DEPARTMENT, department=DepartmentFactory(name="工程部"))
    client.force_login(director_a)
    page = client.get(reverse("followups:list")).content.decode()
    label = f"钱工 ({Role.DEPARTMENT.label} · 工程部)"
    # in the filter and in the bulk assignment, selectable by id
    assert page.count(f'<option value="{staff.pk}">{label}</option>') == 2
    filtered = client.get(reverse("followups:list") + f"?assignee={staff.pk}").content.decode()
    assert f'<option value="{staff.pk}" selected>{label}</option>' in filtered


def test_pages_hold_the_same_issues_in_the_same_order_as_before(client, director_a):
    """The list reads a page's ids first, then the rows: same pages as Django's paginator, ties included."""
    add_estates(5, director_a, issues_each=12)
    Issue.objects.filter(pk__in=Issue.objects.order_by("pk").values("pk")[:10]).update(
        raised_at=timezone.now() - datetime.timedelta(days=1)
    )  # ten issues raised at the same moment: ordered by id
    qs = Issue.objects.select_related("estate", "committee", "assignee", "department").order_by("-raised_at", "-id")
    for number in (1, 2, 3, 4, "last", "x"):
        ours = KeysFirstPaginator(qs, 10, orphans=2).get_page(number)
        theirs = Paginator(qs, 10, orphans=2).get_page(number)
        assert [i.pk for i in ours.object_list] == [i.pk for i in theirs.object_list]
        assert (ours.number, ours.paginator.num_pages) == (theirs.number, theirs.paginator.num_pages)
    client.force_login(director_a)
    page = client.get(reverse("followups:list") + "?page=2").content.decode()
    assert "2 / 2" in page and page.count('class="form-check-input issue-check"') == 10  # 60 issues, 50 a page


@pytest.mark.parametrize("orphans", [0, 2])
@pytest.mark.parametrize("number", [None, "", 1, "1", 2, "2", 3, 4, 7, 0, -1, "last", "x", 2.0, 2.5, "2.0"])
def test_pages_and_counts_as_djangos_paginator(director_a, raise_issue, orphans, number):
    """Each page number Django's get_page() answers (bad ones: page 1; beyond the end: the last page),
    read with the count and then the page's rows (their ids as a subquery) when the page exists."""
    now = timezone.now()
    for i in range(32):
        raise_issue(raised_at=now - datetime.timedelta(hours=i // 3), description=f"第{i}件")  # ties by time
    qs = Issue.objects.order_by("-raised_at", "-id")
    for each in (qs, qs.filter(description="没有这件")):
        theirs = Paginator(each, 10, orphans=orphans).get_page(number)
        with CaptureQueriesContext(connection) as ctx:
            ours = KeysFirstPaginator(each, 10, orphans=orphans).get_page(number)
        assert [i.pk for i in ours.object_list] == [i.pk for i in theirs.object_list]
        assert (ours.number, ours.paginator.num_pages, ours.paginator.count) == (
            theirs.number,
            theirs.paginator.num_pages,
            theirs.paginator.count,
        )
        if each is qs and number in (None, "", 1, "1", 2, "2", 3, "x", 2.0, "last"):
            assert len(ctx.captured_queries) == 2  # the count, then the page's rows


def test_the_open_list_index_exists():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Issue._meta.db_table)
    index = constraints["issue_open_list"]
    assert index["index"] and index["columns"][:2] == ["raised_at", "id"]
