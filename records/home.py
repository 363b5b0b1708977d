"""The sign-off panel on the home page: documents waiting for the user's signature and, for those who
manage estates, their open requests with who has not signed yet."""

from collections import namedtuple

from django.db.models import Exists, OuterRef, Subquery

from liaison.views import home_scope

from .models import DocumentVersion, Signature, Signer, SignoffRequest

Pending = namedtuple("Pending", "pk title created_at committee_name")
Waiting = namedtuple("Waiting", "pk name")


def _signed():
    """True for a signer who holds a valid signature on their request's current (highest-numbered)
    version: signoff.valid_signatures, as a column of each signer row."""
    current = DocumentVersion.objects.filter(request=OuterRef(OuterRef("request_id"))).order_by("-number")
    return Exists(
        Signature.objects.filter(
            signer=OuterRef("pk"), voided_at__isnull=True, version=Subquery(current.values("pk")[:1])
        )
    )


def _signers(scope, request_ids):
    """The user's signer rows on the open requests they may see, and every signer row of the requests
    `request_ids`, each with `signed` (on the current version), newest request first: one query."""
    mine = scope.filter(
        Signer.objects.filter(user=scope.user, request__status=SignoffRequest.Status.OPEN),
        estate="request__estate",
        committee="request__committee",
    )
    if request_ids:
        mine = mine | Signer.objects.filter(request_id__in=request_ids)
    return (
        mine.annotate(signed=_signed())
        .order_by("-request__created_at", "-request_id", "-is_chair", "name")
        .values_list(
            "pk",
            "name",
            "user_id",
            "signed",
            "request_id",
            "request__title",
            "request__created_at",
            "request__committee__name",
        )
    )


def panel(request, now):
    """Signers: documents waiting for their signature (records.views.signoff_pending_for). Directors:
    the 20 newest open requests of the estates they manage and who has not signed the current version
    (signoff.outstanding for each). Two queries."""
    user = request.user
    if not user.is_authenticated:
        return None
    scope = home_scope(request)
    reqs = []
    if not user.is_committee:
        reqs = list(
            scope.filter(
                SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN, estate__in=scope.managed)
            ).only("title")[:20]
        )
    waiting = {r.pk: [] for r in reqs}
    pending = {}
    for pk, name, user_id, signed, request_id, *pending_request in _signers(scope, list(waiting)):
        if signed:
            continue
        if user_id == user.pk:
            pending.setdefault(request_id, Pending(request_id, *pending_request))
        if request_id in waiting:
            waiting[request_id].append(Waiting(pk, name))
    if not pending and not reqs:
        return None
    return {
        "template": "records/home_panel.html",
        "pending": list(pending.values()),
        "outstanding": [(r, waiting[r.pk]) for r in reqs],
    }
