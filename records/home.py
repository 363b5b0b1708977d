from liaison import access

from .models import DocumentVersion, Signature, Signer, SignoffRequest


def _current_versions(request_ids):
    """{request id: id of its current (highest-numbered) version}, in one query."""
    current = {}
    for request_id, version_id in (
        DocumentVersion.objects.filter(request_id__in=request_ids)
        .order_by("request_id", "-number")
        .values_list("request_id", "pk")
    ):
        current.setdefault(request_id, version_id)
    return current


def _signed(request_ids, versions, **signer_filter):
    """Ids of signers who hold a valid signature on their request's current version
    (signoff.valid_signatures, for several requests at once)."""
    rows = Signature.objects.filter(
        signer__request_id__in=request_ids, version_id__in=versions.values(), voided_at__isnull=True, **signer_filter
    ).values_list("signer_id", "signer__request_id", "version_id")
    return {signer_id for signer_id, request_id, version_id in rows if versions.get(request_id) == version_id}


def _pending_for(user):
    """Open requests waiting for this user's signature on the current version (what
    records.views.signoff_pending_for gives), in four queries however many requests there are."""
    reqs = list(
        access.scope(SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN, signers__user=user), user)
        .select_related("estate", "committee")
        .distinct()
    )
    if not reqs:
        return []
    ids = [r.pk for r in reqs]
    versions = _current_versions(ids)
    signed = _signed(ids, versions, signer__user=user)
    waiting = {
        request_id
        for signer_id, request_id in Signer.objects.filter(request_id__in=ids, user=user).values_list(
            "pk", "request_id"
        )
        if signer_id not in signed
    }
    return [r for r in reqs if r.pk in waiting]


def _outstanding(reqs):
    """[(request, [signers who have not signed its current version])] (signoff.outstanding for each)."""
    ids = [r.pk for r in reqs]
    if not ids:
        return []
    versions = _current_versions(ids)
    signed = _signed(ids, versions)
    by_request = {pk: [] for pk in ids}
    for signer in Signer.objects.filter(request_id__in=ids).select_related("user"):
        if signer.pk not in signed:
            by_request[signer.request_id].append(signer)
    return [(r, by_request[r.pk]) for r in reqs]


def panel(request, now):
    """Signers: documents waiting for their signature. Directors: their open requests and who is outstanding."""
    user = request.user
    pending = _pending_for(user)
    outstanding = []
    if not user.is_committee:
        reqs = list(
            access.scope(SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN), user)
            .filter(estate__in=access.managed_estates(user))
            .select_related("estate", "committee")[:20]
        )
        outstanding = _outstanding(reqs)
    if not pending and not outstanding:
        return None
    return {"template": "records/home_panel.html", "pending": pending, "outstanding": outstanding}
