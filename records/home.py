"""The sign-off panel on the home page: documents waiting for the user's signature and, for those who
manage estates, their open requests with who has not signed yet."""

from liaison import access

from . import signoff
from .models import SignoffRequest

OUTSTANDING_SHOWN = 20  # the newest open requests of the estates the user manages


def panel(request, now):
    """Signers: documents waiting for their signature (signoff.pending_for). Those who manage estates:
    the newest open requests there and who has not signed the current version. Three queries at most,
    however many requests there are."""
    user = request.user
    if not user.is_authenticated:
        return None
    pending = list(signoff.pending_for(user).select_related("committee"))
    outstanding = []
    if not user.is_committee:
        reqs = list(
            access.scope(SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN), user).filter(
                estate__in=access.managed_estates(user)
            )[:OUTSTANDING_SHOWN]
        )
        waiting = signoff.waiting_by_request(reqs)
        outstanding = [(r, waiting[r.pk]) for r in reqs]
    if not pending and not outstanding:
        return None
    return {"template": "records/home_panel.html", "pending": pending, "outstanding": outstanding}
