"""The home page's overdue count is the number of issues the list's "overdue only" filter shows, and the
rows the list marks overdue: one definition (Issue.overdue_q), for a deadline a second ago and a second
from now, deadlines met, closed issues, callbacks due, and another estate's issues."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import Issue

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 10, 8, 12)
SECOND = datetime.timedelta(seconds=1)
DAY = datetime.timedelta(days=1)
NO_DEADLINES = dict.fromkeys(
    ("triage_due_at", "triaged_at", "reply_due_at", "replied_at", "resolve_due_at", "resolved_at", "callback_due_at")
)


@pytest.fixture
def issues(raise_issue, estate_b, oc_b):
    """Issues of estate A (and two of B) with their deadlines set around NOW; {description: overdue at NOW}."""
    cases = {
        "答复期限刚过": (dict(reply_due_at=NOW - SECOND), True),
        "答复期限将到": (dict(reply_due_at=NOW + SECOND), False),
        "答复期限正是此刻": (dict(reply_due_at=NOW), False),  # due at NOW: not yet missed
        "已按时答复": (dict(reply_due_at=NOW - DAY, replied_at=NOW - 2 * DAY), False),
        "分派期限已过": (dict(triage_due_at=NOW - SECOND, reply_due_at=NOW + DAY), True),
        "已分派": (dict(triage_due_at=NOW - DAY, triaged_at=NOW - 2 * DAY), False),
        "解决期限已过": (dict(replied_at=NOW - DAY, resolve_due_at=NOW - SECOND), True),
        "已按时解决": (dict(resolve_due_at=NOW - SECOND, resolved_at=NOW - DAY), False),
        "回访已到期": (dict(replied_at=NOW - DAY, callback_due_at=NOW - SECOND), True),
        "回访将到期": (dict(replied_at=NOW - DAY, callback_due_at=NOW + SECOND), False),
        "没有期限": ({}, False),
    }
    made = {}
    for description, (deadlines, overdue) in cases.items():
        issue = raise_issue(raised_at=at(2026, 9, 20, 10), description=description)
        Issue.objects.filter(pk=issue.pk).update(**{**NO_DEADLINES, **deadlines})
        made[description] = overdue
    # closed (its deadlines stay as they were when it closed: long passed)
    closed = raise_issue(raised_at=at(2026, 9, 20, 10), description="已关闭的旧问题", answer_on_spot="当场答复")
    Issue.objects.filter(pk=closed.pk).update(reply_due_at=NOW - DAY, callback_due_at=NOW - DAY)
    made["已关闭的旧问题"] = False
    # another estate's: overdue, but not the director's
    for description, due in (("B小区逾期", NOW - SECOND), ("B小区未逾期", NOW + DAY)):
        issue = raise_issue(estate=estate_b, committee=oc_b, raised_at=at(2026, 9, 20, 10), description=description)
        Issue.objects.filter(pk=issue.pk).update(**{**NO_DEADLINES, "reply_due_at": due})
    return made


def home_overdue(client):
    page = client.get(reverse("home")).content.decode()
    return int(re.search(r'<strong id="panel-overdue">(\d+)</strong>', page).group(1))


def listed(client, query=""):
    page = client.get(reverse("followups:list") + query).content.decode()
    rows = re.findall(r'<tr class="(row-overdue)?" data-issue="(\d+)">', page)
    return {int(pk) for _mark, pk in rows}, {int(pk) for mark, pk in rows if mark}


@pytest.mark.parametrize("persona", ["director_a", "leader"])
def test_the_home_pages_overdue_count_is_what_the_overdue_filter_lists(
    request, client, monkeypatch, issues, persona, estate_a
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    client.force_login(request.getfixturevalue(persona))
    late = [description for description, overdue in issues.items() if overdue]
    overdue = set(Issue.objects.filter(description__in=late).values_list("pk", flat=True))
    b_overdue = Issue.objects.get(description="B小区逾期").pk
    if persona == "leader":
        overdue.add(b_overdue)

    filtered, marked_in_filtered = listed(client, "?overdue=on")
    everything, marked = listed(client)
    assert filtered == overdue
    assert marked_in_filtered == filtered  # each row the filter lists is shown as overdue …
    assert marked == overdue  # … and the unfiltered list marks exactly those
    assert home_overdue(client) == len(overdue) == (5 if persona == "leader" else 4)
    assert (b_overdue in everything) == (persona == "leader")
