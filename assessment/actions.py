"""Closing a month and recomputing a closed one: the only writes of the assessment (to its own tables).

Both compute every estate's figures (not only those the manager sees), store them in one transaction
and write an audit entry in that same transaction. Both are outermost actions (durable transactions).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liaison.models import Estate, audit

from . import compute as comp
from . import live, metrics, scoring
from .models import AssessmentMonth, EstateFigures, ProvisionalSnapshot, StaffFigures


def _store(am, data, w):
    estate_rows = [
        EstateFigures(
            closed_month=am,
            estate_id=eid,
            figures=fig,
            score=scoring.score(fig, w),
            cadence=data["cadence"].get(eid, []),
        )
        for eid, fig in data["estates"].items()
    ]
    EstateFigures.objects.bulk_create(estate_rows, batch_size=500)
    StaffFigures.objects.bulk_create(
        [
            StaffFigures(closed_month=am, user_id=uid, estate_id=eid, figures=fig)
            for (uid, eid), fig in data["staff"].items()
        ],
        batch_size=500,
    )
    total = {}
    for fig in data["estates"].values():
        metrics.add_into(total, fig)
    return {row.estate_id: row.score for row in estate_rows}, total


def close_month(month, *, actor, now):
    """Freeze the month's figures. Refused before the month has ended and when already closed."""
    if not comp.can_close(actor):
        raise ValidationError(_("Only the leader in charge, an assessor or an administrator can close a month."))
    if not month.has_ended(now):
        raise ValidationError(
            _("%(month)s has not ended yet; it can be closed from its last day on.") % {"month": month}
        )
    w = scoring.weights()
    data = live.compute(month, now, Estate.objects.values_list("pk", flat=True), every=True)
    try:
        with transaction.atomic(durable=True):
            am = AssessmentMonth.objects.create(
                year=month.year, month=month.month, closed_at=now, closed_by=actor, computed_at=now, weights=w
            )
            scores, total = _store(am, data, w)
            am.totals = total
            am.save(update_fields=["totals"])
            # the provisional figures are replaced by the frozen ones
            ProvisionalSnapshot.objects.filter(year=month.year, month=month.month).delete()
            audit(
                am,
                "closed",
                actor=actor,
                now=now,
                changes={"month": str(month), "estates": len(scores), "staff": len(data["staff"]), "weights": w},
            )
    except IntegrityError:
        raise ValidationError(_("%(month)s is already closed.") % {"month": month})
    return am


def recompute_month(month, *, actor, now, reason):
    """Replace a closed month's figures with the records as they are now (explicit and audited)."""
    if not comp.can_close(actor):
        raise ValidationError(_("Only the leader in charge, an assessor or an administrator can recompute a month."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for recomputing a finalised month."))
    w = scoring.weights()
    data = live.compute(month, now, Estate.objects.values_list("pk", flat=True), every=True)
    with transaction.atomic(durable=True):
        am = AssessmentMonth.objects.select_for_update().filter(year=month.year, month=month.month).first()
        if am is None:
            raise ValidationError(_("%(month)s is not closed; its figures are live already.") % {"month": month})
        old_scores = dict(EstateFigures.objects.filter(closed_month=am).values_list("estate_id", "score"))
        old_weights = am.weights
        EstateFigures.objects.filter(closed_month=am).delete()
        StaffFigures.objects.filter(closed_month=am).delete()
        scores, total = _store(am, data, w)
        names = dict(Estate.objects.filter(pk__in=set(scores) | set(old_scores)).values_list("pk", "name"))
        changed = {
            names.get(eid, str(eid)): [old_scores.get(eid), scores.get(eid)]
            for eid in sorted(set(scores) | set(old_scores))
            if old_scores.get(eid) != scores.get(eid)
        }
        am.totals = total
        am.weights = w
        am.computed_at = now
        am.recomputed_count += 1
        am.save(update_fields=["totals", "weights", "computed_at", "recomputed_count"])
        changes = {"month": str(month), "reason": reason, "scores": changed}
        if old_weights != w:
            changes["weights"] = [old_weights, w]
        audit(am, "recomputed", actor=actor, now=now, changes=changes)
    return am, changed
