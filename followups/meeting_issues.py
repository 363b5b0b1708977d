"""Issues raised by the committee at a meeting (§4.1.4.4): recorded in the follow-up list from the
meeting's minutes page.

This sits in followups, above meetings: the follow-up list owns the issue, the meeting only shows those
raised at it (`meeting.issues`), and meetings never imports followups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.formsave import save_with_form
from meetings import actions as meeting_actions
from meetings import views as meeting_views
from meetings.forms import IssueForm

from .actions import raise_issue


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


@login_required
@require_POST
def meeting_issue_add(request, pk):
    """The minutes page's "record an issue" form. A refusal or a database error shows the minutes page
    again with the text as typed."""
    meeting = meeting_views.meeting_for(request, pk)
    form = IssueForm(request.POST)
    if form.is_valid():
        ok, _issue = save_with_form(
            form, raise_meeting_issue, meeting, actor=request.user, now=timezone.now(), **form.cleaned_data
        )
        if ok:
            messages.success(request, _("Issue recorded in the follow-up list."))
            return redirect("meetings:minutes", meeting.pk)
    if not meeting_actions.can_write_minutes(request.user, meeting) or not meeting.is_held:
        # no minutes page to show the form on: the errors as messages on whatever the minutes URL shows
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("meetings:minutes", meeting.pk)
    return meeting_views.minutes_page(request, meeting, issue_form=form)
