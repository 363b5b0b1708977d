"""Issue 19 item 6: raising an issue tells the leader in charge according to its deadline policy (§4.1.4.4:
the matter is taken to the leader) — by default for important and major issues, not for normal ones."""

import pytest
from django.core.exceptions import ValidationError

from followups.models import DeadlinePolicy
from liaison.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db


def _told(leader):
    return list(
        Notification.objects.filter(recipient=leader, kind="issue.raised.leader").values_list("subject", flat=True)
    )


def test_major_and_important_issues_reach_the_leader_at_once(raise_issue, leader, director_a):
    raise_issue(urgency="major", description="地下车库B区大面积渗水", actor=director_a)
    raise_issue(urgency="important", description="2栋电梯困人", actor=director_a)
    subjects = _told(leader)
    assert len(subjects) == 2
    assert any("提出重大问题：地下车库B区大面积渗水" in s for s in subjects), subjects


def test_a_normal_issue_waits_for_the_escalation(raise_issue, leader, director_a):
    raise_issue(urgency="normal", actor=director_a)
    raise_issue(urgency="major", answer_on_spot="已当场答复", actor=director_a)  # closed at once: nothing to take
    assert _told(leader) == []


def test_the_policy_decides(raise_issue, leader, director_a):
    DeadlinePolicy.objects.update(tell_leader=DeadlinePolicy.TellLeader.NEVER)
    raise_issue(urgency="major", actor=director_a)
    assert _told(leader) == []
    DeadlinePolicy.objects.update(tell_leader=DeadlinePolicy.TellLeader.ALWAYS)
    raise_issue(urgency="normal", description="路灯不亮", actor=director_a)
    assert len(_told(leader)) == 1


def test_a_refused_issue_tells_nobody(raise_issue, leader):
    with pytest.raises(ValidationError):
        raise_issue(urgency="major", raised_at=at(2030, 1, 1, 10), now=at(2026, 9, 30, 10))
    assert _told(leader) == []
