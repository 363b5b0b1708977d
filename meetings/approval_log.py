"""What changed on a meeting while the leader had it for approval (§4.1.4.1: the leader approves what
they read). Each change was told to the leaders (actions._tell_approver); the approval box lists the
ones since it was (again) put to them, so a leader sees what is new before approving."""

from liaison.models import Notification
from liaison.notify import about_key

KIND = "meeting.changed_for_approver"


def changes_told(meeting, user):
    """The messages `user` got about changes to `meeting` since its approval was last requested."""
    if not meeting.approval_requested_at:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient=user, kind=KIND, about=about_key(meeting), created__gte=meeting.approval_requested_at
    ).order_by("created", "pk")
