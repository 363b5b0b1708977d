"""Whom an issue can be given to: the people working for its estate and the leaders, not the whole
company (another estate's director is neither offered nor accepted)."""

import re

import pytest

from followups.models import Issue

pytestmark = pytest.mark.django_db


def test_the_person_list_is_the_estates_people(client, director_a, director_b, supervisor_a, leader, raise_issue):
    issue = raise_issue(title="翠湖漏水")
    client.force_login(director_a)
    html = client.get(f"/issues/{issue.pk}/").content.decode()
    people = re.search(r'<select name="assignee".*?</select>', html, re.S).group(0)
    assert director_a.name in people and supervisor_a.name in people and leader.name in people
    assert director_b.name not in people


def test_another_estates_director_is_refused_and_nothing_changes(client, director_a, director_b, raise_issue):
    issue = raise_issue(title="翠湖漏水")
    client.force_login(director_a)
    response = client.post(f"/issues/{issue.pk}/assign/", {"assignee": director_b.pk})
    assert response.status_code == 400
    assert Issue.objects.get(pk=issue.pk).assignee_id is None


def test_only_those_who_may_assign_are_offered_bulk_assignment(client, dept_a, director_a, raise_issue):
    raise_issue(title="翠湖漏水")
    client.force_login(dept_a)
    html = client.get("/issues/").content.decode()
    assert "翠湖漏水" in html and 'id="bulk-form"' in html  # the list is one form
    assert 'id="bulk-assign"' not in html and 'class="form-check-input issue-check"' not in html
    client.force_login(director_a)
    assert 'id="bulk-assign"' in client.get("/issues/").content.decode()
