"""Issues raised by the committee at a meeting (§4.1.4.4): recorded in the follow-up list from the
meeting's minutes page, saved with the rest of the page.

This sits in followups, above meetings: the follow-up list owns the issue, the meeting only shows those
raised at it (`meeting.issues`), and meetings never imports followups."""

import functools

from django import forms
from django.core.exceptions import PermissionDenied

from meetings import actions as meeting_actions
from meetings import periods
from meetings.carry import OpenItem
from meetings.forms import IssueForm

from .actions import raise_issue
from .models import Issue

IssueFormSet = forms.formset_factory(IssueForm, extra=1)


def raise_meeting_issue(meeting, *, actor, now, raised_by, description, answer_on_spot="", category=""):
    """An issue raised at `meeting`, by whoever may write its minutes; raised when the meeting started
    (or now, for a meeting that has not started yet)."""
    if not meeting_actions.can_write_minutes(actor, meeting):
        raise PermissionDenied
    return raise_issue(
        estate=meeting.estate,
        committee=meeting.committee,
        raised_by=raised_by,
        raised_at=min(meeting.starts_at, now),
        description=description,
        source="meeting",
        meeting=meeting,
        answer_on_spot=answer_on_spot,
        category=category,
        actor=actor,
        now=now,
    )


class MeetingIssues:
    """The issue rows of the minutes page (meetings.minutes_page): each filled row is raised with the
    page's save, in its transaction."""

    template = "followups/minutes_issues.html"

    def formset(self, meeting, data, user):
        if data is not None and "issue-TOTAL_FORMS" not in data:  # a POST without issue rows adds none
            data = None
        return IssueFormSet(data, prefix="issue")

    def steps(self, formset, meeting, actor, now):
        return [
            functools.partial(raise_meeting_issue, meeting, actor=actor, now=now, **form.cleaned_data)
            for form in formset.forms
            if form.has_changed()
        ]


def open_issues(committee, now):
    """The committee's issues open at `now`, for the next meeting's carry-forward item (meetings.carry):
    each with its person responsible and the day of its next deadline."""
    qs = (
        Issue.objects.filter(committee=committee, closed_at__isnull=True, raised_at__lte=now)
        .select_related("assignee")
        .order_by("raised_at", "pk")
    )
    items = []
    for i in qs:
        due = i.next_deadline()
        items.append(
            OpenItem(
                "issue",
                i.pk,
                i.headline,
                i.assignee.display_name if i.assignee_id else "",
                periods.local_date(due[1]) if due else None,
                Issue.Status(i.status).label,
                i.get_absolute_url(),
            )
        )
    return items
