"""The issue's history reads as people's words: field names translated, choice values as their labels,
people by name, times in Asia/Shanghai in the product's date format, "—" for nothing, no Python repr."""

import datetime
import re

import pytest
from django.urls import reverse

from followups import actions, history, scan
from liaison.models import AuditEntry

from .conftest import at

pytestmark = pytest.mark.django_db

RAISED = at(2026, 11, 23, 22, 9)  # reply due 3 days later: 2026-11-26 22:09 Shanghai, 14:09 UTC


@pytest.fixture
def worked_issue(raise_issue, director_a, dept_a):
    issue = raise_issue(raised_at=RAISED, description="地下车库B区渗水")
    actions.assign(issue, assignee=dept_a, actor=director_a, now=RAISED + datetime.timedelta(hours=1))
    return issue


def _page(client_for, user, issue, lang):
    c = client_for(user)
    c.post(reverse("set_language"), {"language": lang, "next": "/"})
    html = c.get(reverse("followups:detail", args=[issue.pk])).content.decode()
    return html.split('id="history"', 1)[1].split("</details>", 1)[0]


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_history_in_chinese(client_for, director_a, dept_a, worked_issue):
    h = _page(client_for, director_a, worked_issue, "zh-hans")
    text = _text(h)
    assert "状态：已登记 → 进行中" in text
    assert "答复期限：2026年11月26日 22:09" in text  # stored 14:09 UTC
    assert f"责任人：{dept_a.display_name}" in text  # a person by name, not an id
    assert "提出问题" in text and "分派责任人" in text
    for raw in ("[None,", "None", "+00:00", "T14:09", "'open'", "in_progress", "reply_due_at", "assignee_id"):
        assert raw not in h, raw


def test_the_history_in_english(client_for, director_a, dept_a, worked_issue):
    h = _page(client_for, director_a, worked_issue, "en")
    text = _text(h)
    assert "Status: Recorded → In progress" in text
    assert "Reply due: 26 Nov 2026 22:09" in text
    assert "Issue raised" in text and "Assigned" in text
    for raw in ("[None,", "None", "+00:00", "reply_due_at", "assignee_id"):
        assert raw not in h, raw


def test_a_deadline_moved_and_cleared_reads_old_to_new(worked_issue, director_a):
    # a step that moves one deadline and clears another: both ends in the product's words
    AuditEntry.objects.create(
        object_type="followups.issue",
        object_id=str(worked_issue.pk),
        action="classified",
        actor=director_a,
        changes={
            "reply_due_at": ["2026-11-26T14:09:03.638666+00:00", "2026-11-27T01:30:00+00:00"],
            "callback_due_at": ["2026-11-26T14:09:00+00:00", None],
            "responsibility": "company",
            "reply_overdue": [False, True],
        },
    )
    row = history.issue_history(worked_issue)[0]
    said = {c.label: c for c in row.changes}
    assert (said["答复期限"].old, said["答复期限"].new) == ("2026年11月26日 22:09", "2026年11月27日 09:30")
    assert (said["下次回访期限"].old, said["下次回访期限"].new) == ("2026年11月26日 22:09", "—")
    assert said["职责归属"].value == "属于物业公司职责范围"
    assert (said["答复逾期"].old, said["答复逾期"].new) == ("否", "是")
    assert row.action == "分类定责"


def test_unknown_keys_and_values_fall_back_to_a_readable_form(worked_issue):
    AuditEntry.objects.create(
        object_type="followups.issue",
        object_id=str(worked_issue.pk),
        action="some.new_step",
        actor_label="followups.scan_issues",
        changes={"new_thing": [None, {"a_b": 1}], "other_list": ["x", "y"], "flag": None},
    )
    row = history.issue_history(worked_issue)[0]
    assert row.action == "Some new step"
    assert row.who == "期限扫描（系统自动）"
    shown = " ".join(f"{c.label} {c.value} {c.old} {c.new}" for c in row.changes)
    assert "New thing" in shown and "A b: 1" in shown and "Flag —" in shown
    assert "{" not in shown and "[" not in shown and "None" not in shown


def test_the_scans_steps_read_as_words(raise_issue, client_for, director_a):
    issue = raise_issue(raised_at=RAISED)
    scan.scan(now=RAISED + datetime.timedelta(days=4))
    h = _text(_page(client_for, director_a, issue, "zh-hans"))
    assert "标记逾期" in h and "环节：答复" in h and "事件：逾期" in h and "期限扫描（系统自动）" in h
    assert "followups.scan_issues" not in h and "overdue" not in h
    # the scan wrote the step's name in the default language; an English reader reads it in English
    en = _text(_page(client_for, director_a, issue, "en"))
    assert "Event: Overdue" in en and "逾期" not in en
