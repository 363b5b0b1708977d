"""Digest items: documents awaiting signatures (for the signer's director: who is outstanding)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from liaison import access

from . import signoff
from .models import SignoffRequest


def items(user, now):
    out = []
    reqs = SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN)
    if user.is_committee:
        reqs = reqs.filter(signers__user=user)
    else:
        reqs = reqs.filter(estate__in=access.managed_estates(user))
    reqs = list(access.scope(reqs, user).select_related("estate").distinct()[:50])
    waiting = signoff.waiting_by_request(reqs)
    for req in reqs:
        names = [s.name for s in waiting[req.pk]]
        if not names:
            continue
        out.append(
            {
                "section": "awaiting",
                "text": _("Signatures awaited on “%(title)s” (%(estate)s): %(names)s")
                % {"title": req.title, "estate": req.estate.name, "names": "、".join(names)},
                "url": reverse("records:signoff_detail", args=[req.pk]),
            }
        )
    return out
