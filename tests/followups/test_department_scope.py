"""Department staff see their estates' issues and, in any estate, the issues assigned to them — and
nothing else (followups.permissions.visible_issues, on the list, the detail page and the counts)."""

import pytest

from followups import permissions
from followups.models import Issue
from liaison.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_department_sees_own_estate_and_assigned_issues_only(raise_issue, dept_a, estate_b, oc_b, client_for):
    own = raise_issue(title="本小区问题")
    assigned = raise_issue(estate=estate_b, committee=oc_b, title="外区指派问题")
    Issue.objects.filter(pk=assigned.pk).update(assignee=dept_a)
    foreign = raise_issue(estate=estate_b, committee=oc_b, title="外区他人问题")

    assert set(permissions.visible_issues(dept_a).values_list("pk", flat=True)) == {own.pk, assigned.pk}
    c = client_for(dept_a)
    body = c.get("/issues/").content.decode()
    assert "本小区问题" in body and "外区指派问题" in body and "外区他人问题" not in body
    assert c.get(f"/issues/{assigned.pk}/").status_code == 200
    assert c.get(f"/issues/{foreign.pk}/").status_code == 404


def test_another_department_member_without_estates_sees_only_their_assignments(raise_issue, estate_a):
    engineer = UserFactory(username="dept_x", role=Role.DEPARTMENT)
    issue = raise_issue(title="指派给无小区工程师")
    raise_issue(title="别的问题")
    assert not permissions.visible_issues(engineer).exists()
    Issue.objects.filter(pk=issue.pk).update(assignee=engineer)
    assert list(permissions.visible_issues(engineer).values_list("pk", flat=True)) == [issue.pk]
