from liaison import access

from . import signoff
from .models import SignoffRequest


def panel(request, now):
    """Signers: documents waiting for their signature. Directors: their open requests and who is outstanding."""
    user = request.user
    from .views import signoff_pending_for

    pending = signoff_pending_for(user)
    outstanding = []
    if not user.is_committee:
        reqs = (
            access.scope(SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN), user)
            .filter(estate__in=access.managed_estates(user))
            .select_related("estate", "committee")[:20]
        )
        outstanding = [(r, list(signoff.outstanding(r))) for r in reqs]
    if not pending and not outstanding:
        return None
    return {"template": "records/home_panel.html", "pending": pending, "outstanding": outstanding}
