"""The sign-off panel on the home page: documents waiting for the user's signature and, for those who
manage estates, their open requests with who has not signed yet."""

from django.db.models import Exists, OuterRef, Subquery

from liaison.views import home_scope

from .models import DocumentVersion, Signature, Signer, SignoffRequest


def _signed():
    """True for a signer who holds a valid signature on their request's current (highest-numbered)
    version: signoff.valid_signatures, as a column of each signer row."""
    current = DocumentVersion.objects.filter(request=OuterRef(OuterRef("request_id"))).order_by("-number")
    return Exists(
        Signature.objects.filter(
            signer=OuterRef("pk"), voided_at__isnull=True, version=Subquery(current.values("pk")[:1])
        )
    )


def _pending_for(scope):
    """Open requests waiting for this user's signature on the current version (what
    records.views.signoff_pending_for gives), newest first, in one query."""
    signers = (
        scope.filter(
            Signer.objects.filter(user=scope.user, request__status=SignoffRequest.Status.OPEN),
            estate="request__estate",
            committee="request__committee",
        )
        .annotate(signed=_signed())
        .select_related("request__committee")
        .only("request__title", "request__created_at", "request__committee__name")
        .order_by("-request__created_at", "-request_id")
    )
    pending = {}
    for signer in signers:
        if not signer.signed:
            pending.setdefault(signer.request_id, signer.request)
    return list(pending.values())


def _outstanding(scope):
    """[(request, [signers who have not signed its current version])] for the 20 newest open requests of
    the estates the user manages (signoff.outstanding for each), in two queries."""
    reqs = list(
        scope.filter(SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN, estate__in=scope.managed)).only(
            "title"
        )[:20]
    )
    if not reqs:
        return []
    waiting = {r.pk: [] for r in reqs}
    for signer in (
        Signer.objects.filter(request_id__in=list(waiting)).annotate(signed=_signed()).only("request_id", "name")
    ):
        if not signer.signed:
            waiting[signer.request_id].append(signer)
    return [(r, waiting[r.pk]) for r in reqs]


def panel(request, now):
    """Signers: documents waiting for their signature. Directors: their open requests and who is outstanding."""
    user = request.user
    if not user.is_authenticated:
        return None
    scope = home_scope(request)
    pending = _pending_for(scope)
    outstanding = [] if user.is_committee else _outstanding(scope)
    if not pending and not outstanding:
        return None
    return {"template": "records/home_panel.html", "pending": pending, "outstanding": outstanding}
