"""The issue list built for speed keeps the markup it had: the filter fields as crispy-forms rendered
them, the rows as the template loop rendered them, options as Django's Select renders them, dates
as |date:"DATETIME_FORMAT"; the filters are checked against the options shown
(no query of their own), and the open / overdue views have their index."""

import datetime
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms as django_forms
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from followups import actions, deadlines, forms, views
from followups.models import DEADLINE_LABELS, Issue
from followups.templatetags.issue_list import bs5_field, issue_rows
from liaison import access
from liaison.models import Committee, Role
from tests.factories import DepartmentFactory, UserFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def squash(html):
    """Markup without the whitespace that does not show (between tags, around a label's text)."""
    html = re.sub(r">\s+", ">", str(html))
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html).strip()


def filter_form(user, data):
    return forms.FilterForm(data, estates=access.visible_estates(user), committees=access.visible_committees(user))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"q": '<b>"漏水"</b> & co', "status": "open", "category": "repair", "date_from": "2026-03-01"},
        {"estate": "999999", "assignee": "abc", "date_from": "1900-01-01", "date_to": "9999-12-31"},
        {"date_from": "2026-03-05", "date_to": "2026-03-01", "overdue": "on"},
    ],
)
def test_filter_and_assignment_fields_render_as_crispy_did(director_a, estate_a, oc_a, dept_a, lang, data):
    translation.activate(lang)
    if data is not None and "status" in data:
        data = {**data, "estate": str(estate_a.pk), "committee": str(oc_a.pk), "assignee": str(dept_a.pk)}
    ours, theirs = filter_form(director_a, data), filter_form(director_a, data)
    if data is not None:
        assert ours.is_valid() == theirs.is_valid()
    for name in ours.fields:
        if name == "overdue":
            continue  # a checkbox: the template renders it itself
        assert squash(bs5_field(ours[name])) == squash(as_crispy_field(theirs[name])), name
    # required (the person responsible), with and without an error
    for bound in (None, {"assignee": ""}):
        ours, theirs = forms.AssignForm(bound), forms.AssignForm(bound)
        for name in ("assignee", "department"):
            assert squash(bs5_field(ours[name])) == squash(as_crispy_field(theirs[name])), name


def test_other_fields_render_as_crispy_did(director_a, oc_a):
    """Help text, required text inputs, and the fields left to crispy (textarea, file)."""
    data = {"committee": str(oc_a.pk), "raised_by": "", "source_ref": "x" * 101}
    committees = Committee.objects.filter(pk=oc_a.pk)
    ours = forms.IssueForm(data, user=director_a, committees=committees)
    theirs = forms.IssueForm(data, user=director_a, committees=committees)
    assert not ours.is_valid() and not theirs.is_valid()
    for name in ours.fields:
        assert squash(bs5_field(ours[name])) == squash(as_crispy_field(theirs[name])), name


# the list's rows as the template rendered them before (followups/templates/followups/issue_list.html)
OLD_ROWS = Template(
    """{% for r in rows %}{% with i=r.issue %}
  <tr class="{% if r.overdue %}row-overdue{% endif %}" data-issue="{{ i.pk }}">
    {% if can_bulk %}<td>{% if not i.is_closed %}<input type="checkbox" class="form-check-input issue-check" name="issue" value="{{ i.pk }}" aria-label="#{{ i.pk }}">{% endif %}</td>{% endif %}
    <td>#{{ i.pk }}</td>
    <td>{{ i.raised_at|date:"DATETIME_FORMAT" }}</td>
    <td>{{ i.estate.name }} · {{ i.committee.name }}</td>
    <td><a href="{{ i.get_absolute_url }}">{{ i.headline }}</a></td>
    <td>{{ i.get_category_display }}</td>
    <td>{{ i.get_status_display }}</td>
    <td>{{ i.assignee|default:"—" }}</td>
    <td>{% if r.next %}{{ r.next.0 }} · <span class="{% if r.overdue %}text-danger fw-bold{% endif %}">{{ r.when }}</span>{% else %}—{% endif %}</td>
  </tr>
  {% endwith %}{% endfor %}"""
)


def old_row(issue, now):
    nxt = issue.next_deadline()
    return {
        "issue": issue,
        "next": (DEADLINE_LABELS[nxt[0]], nxt[1]) if nxt else None,
        "when": deadlines.humanize(nxt[1], now) if nxt else "",
        "overdue": issue.is_overdue(now),
    }


@pytest.fixture
def varied_issues(raise_issue, estate_a, oc_a, director_a):
    """Issues in many states: new, overdue, triage due, replied, resolved, callback due, closed, with and
    without a subject, a long description, markup in the text, an assignee without a display name."""
    now = timezone.now()
    nameless = UserFactory(name="", username="eng<1>", role=Role.DEPARTMENT)
    issues = [
        raise_issue(raised_at=now - datetime.timedelta(hours=2), description="新近问题"),
        raise_issue(raised_at=now - datetime.timedelta(days=9), description="逾期" * 30, category="repair"),
        raise_issue(raised_at=now - datetime.timedelta(days=1), title='<i>"标题"</i> & 1', description="x"),
        raise_issue(raised_at=at(2026, 1, 5, 9), description="已关闭", answer_on_spot="当场答复"),
        raise_issue(raised_at=now - datetime.timedelta(days=4), description="等待回访", category="complaint"),
    ]
    actions.assign(issues[1], assignee=nameless, actor=director_a, now=now)
    actions.assign(issues[2], assignee=director_a, actor=director_a, now=now)
    Issue.objects.filter(pk=issues[2].pk).update(triage_due_at=now + datetime.timedelta(hours=5))
    Issue.objects.filter(pk=issues[4].pk).update(
        replied_at=now - datetime.timedelta(days=3),
        resolve_due_at=now + datetime.timedelta(days=2),
        resolved_at=now - datetime.timedelta(days=1),
        callback_due_at=now - datetime.timedelta(minutes=30),
        status=Issue.Status.RESOLVED,
    )
    return issues


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("can_bulk", [True, False])
def test_rows_render_as_the_template_did(varied_issues, lang, can_bulk):
    translation.activate(lang)
    now = timezone.now()
    qs = Issue.objects.select_related("estate", "committee", "assignee", "department")
    before = OLD_ROWS.render(Context({"rows": [old_row(i, now) for i in qs], "can_bulk": can_bulk}))
    values = list(views._list_rows(Issue.objects.values("pk")))
    after = issue_rows(views._rows(values, now, views._places(values, forms.SharedOptions())), can_bulk)
    assert squash(after) == squash(before)
    assert "row-overdue" in after and "&lt;i&gt;&quot;标题&quot;&lt;/i&gt; &amp; 1" in after and "eng&lt;1&gt;" in after


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_dates_as_django_formats_them(lang):
    translation.activate(lang)
    fmt = views._datetime_format()
    for moment in (at(2026, 1, 5, 9, 7), at(2026, 11, 24, 0, 0), at(2026, 12, 31, 23, 59, 59), at(2030, 6, 9, 12)):
        local = timezone.localtime(moment)
        assert fmt(local) == formats.date_format(local, "DATETIME_FORMAT")


@pytest.mark.parametrize("value", [None, "", "2", 3, "999", ["3"]])
@pytest.mark.parametrize("empty_label", ["---------", None])
def test_listed_options_render_as_djangos_select(value, empty_label):
    rows = [(2, 'a<b & "c"'), (3, "x"), (30, "y'z"), (7, "漢字")]
    attrs = {"class": "select form-select", "id": "id_f", "required": True}
    field = django_forms.ChoiceField(required=False)
    field.empty_label = empty_label
    field.widget = forms.Select()
    forms.show_choices(field, lambda: rows)
    expected = django_forms.Select(choices=([("", empty_label)] if empty_label else []) + rows)
    assert field.widget.render("f", value, attrs=dict(attrs)) == expected.render("f", value, attrs=dict(attrs))


def test_the_staff_list_is_read_once_and_shown_twice(client, director_a, raise_issue):
    raise_issue(description="待分派")
    staff = UserFactory(name="钱工", role=Role.DEPARTMENT, department=DepartmentFactory(name="工程部"))
    client.force_login(director_a)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("followups:list")).content.decode()
    assert page.count(f'<option value="{staff.pk}">') == 2
    assert sum('"liaison_user"."role" AS "role"' in q["sql"] for q in ctx.captured_queries) == 1


def test_filters_are_checked_against_the_options_shown(client, director_a, estate_a, estate_b, raise_issue):
    raise_issue(description="A小区的事")
    client.force_login(director_a)
    url = reverse("followups:list")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    plain = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url, {"estate": estate_a.pk}).content.decode()
    assert len(ctx.captured_queries) == plain  # no query of its own to check the estate
    assert "A小区的事" in page and f'<option value="{estate_a.pk}" selected>' in page
    # an estate the director does not see, or no estate at all: a message, nothing listed, no error
    for wrong in (estate_b.pk, 10**12, "x"):
        r = client.get(url, {"estate": wrong})
        assert r.status_code == 200
        body = r.content.decode()
        assert 'class="select form-select is-invalid"' in body and "A小区的事" in body  # the filter is ignored


def test_export_still_filters_by_the_listed_options(client, director_a, estate_a, raise_issue):
    import io

    from openpyxl import load_workbook

    issue = raise_issue(description="导出这件")
    client.force_login(director_a)
    r = client.get(reverse("followups:export"), {"estate": estate_a.pk, "assignee": "", "committee": ""})
    rows = [row[0] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True)]
    assert rows == [issue.pk]


def test_the_open_list_index_exists():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Issue._meta.db_table)
    index = constraints["issue_open_list"]
    assert index["index"] and index["columns"][:2] == ["raised_at", "id"]


@pytest.mark.parametrize("orphans", [0, 2])
@pytest.mark.parametrize("number", [None, "", 1, "1", 2, "2", 3, 4, 7, 0, -1, "last", "x", 2.0, 2.5, "2.0"])
def test_pages_and_counts_as_djangos_paginator(director_a, raise_issue, orphans, number):
    """Each page number Django's get_page() answers (bad ones: page 1; beyond the end: the last page),
    read with the count in one query when the page exists."""
    from django.core.paginator import Paginator

    now = timezone.now()
    for i in range(32):
        raise_issue(raised_at=now - datetime.timedelta(hours=i // 3), description=f"第{i}件")  # ties by time
    qs = Issue.objects.order_by("-raised_at", "-id")
    for each in (qs, qs.filter(description="没有这件")):
        theirs = Paginator(each, 10, orphans=orphans).get_page(number)
        with CaptureQueriesContext(connection) as ctx:
            ours = views.KeysFirstPaginator(each, 10, orphans=orphans).get_page(number)
        assert [i.pk for i in ours.object_list] == [i.pk for i in theirs.object_list]
        assert (ours.number, ours.paginator.num_pages, ours.paginator.count) == (
            theirs.number,
            theirs.paginator.num_pages,
            theirs.paginator.count,
        )
        if each is qs and number in (None, "", 1, "1", 2, "2", 3, "x", 2.0, "last"):
            assert len(ctx.captured_queries) == 2  # the page's ids with the count, then its rows
