from functools import cached_property

from . import access
from .models import CommitteeMember, Notification

# a person on several committees is named by their most senior seat first
SENIORITY = [
    CommitteeMember.Role.CHAIR,
    CommitteeMember.Role.VICE_CHAIR,
    CommitteeMember.Role.SECRETARY,
    CommitteeMember.Role.MEMBER,
]


class Viewer:
    """What the pages say about the signed-in person, each read on first use (most pages need none)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def memberships(self):
        """Active committee seats (committee members only), the most senior first."""
        if not self.user.is_committee:
            return []
        seats = CommitteeMember.objects.filter(user=self.user, ended_on__isnull=True).select_related(
            "committee__estate"
        )
        return sorted(seats, key=lambda m: (SENIORITY.index(m.role) if m.role in SENIORITY else 9, m.committee_id))

    @cached_property
    def role_label(self):
        """The role word of the top bar and the account page: a committee member by their seat (主任, 委员…),
        not the account type."""
        if self.user.is_committee and self.memberships:
            labels = []
            for m in self.memberships:
                if m.get_role_display() not in labels:
                    labels.append(m.get_role_display())
            return " / ".join(str(label) for label in labels)
        return self.user.get_role_display()

    @cached_property
    def one_estate(self):
        """Sees one estate: lists leave out the estate column (the same name on every row)."""
        if self.user.is_committee:
            return len({m.committee.estate_id for m in self.memberships}) <= 1
        return access.sees_one_estate(self.user)

    @cached_property
    def one_committee(self):
        """A committee member of one committee: lists leave out the committee too."""
        return self.user.is_committee and len(self.memberships) <= 1


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "viewer": Viewer(user),
    }
