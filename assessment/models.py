"""Closed months: a frozen snapshot of the month's figures (seed 000 §5.0, monthly assessment).

A month that is not closed is computed live from the records of the other apps. Closing it stores the
figures as they are at that moment (raw counts and durations, JSON, per estate and per staff member and
estate), together with the weights in force, so later edits to meetings, issues or sign-offs do not
change it. Recomputing a closed month is an explicit action that writes an audit entry with the reason
and what changed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssessmentMonth(models.Model):
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    closed_at = models.DateTimeField(pgettext_lazy("month close", "closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the moment the frozen figures were computed (the close, or the latest recompute)
    computed_at = models.DateTimeField(_("figures computed at"), default=timezone.now)
    recomputed_count = models.PositiveIntegerField(_("times recomputed"), default=0)
    weights = models.JSONField(_("weights used"), default=dict)
    # company-wide totals, for the trend charts
    totals = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("closed assessment month")
        verbose_name_plural = _("closed assessment months")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="assessment_month_once"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="assessment_month_valid"),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d}"


class EstateFigures(models.Model):
    """The frozen figures of one estate in a closed month."""

    closed_month = models.ForeignKey(AssessmentMonth, on_delete=models.CASCADE, related_name="estate_figures")
    estate = models.ForeignKey("liaison.Estate", on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(default=dict)
    score = models.FloatField(null=True, blank=True)
    # the cadence rule periods due that month, as judged at the close
    cadence = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["closed_month", "estate"], name="estate_figures_once")]


class StaffFigures(models.Model):
    """The frozen figures of one staff member at one estate in a closed month.

    Kept per estate so a director, who sees only their own estates, sees a staff member's figures
    summed over those estates only.
    """

    closed_month = models.ForeignKey(AssessmentMonth, on_delete=models.CASCADE, related_name="staff_figures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    estate = models.ForeignKey("liaison.Estate", on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["closed_month", "user", "estate"], name="staff_figures_once"),
        ]


class ProvisionalSnapshot(models.Model):
    """The figures of a month that is not closed, as of `computed_at` (every estate, raw and summable).

    Written by the beat job every 10 minutes for the current and the previous month (and refreshed for
    any other month not closed that has one), by a manager's "refresh now", or by the first view of a
    month without one. One row per month, upserted, with its `ProvisionalRow`s replaced in the same
    transaction, so a reader sees either the old or the new figures, never a mix. Not a close: a closed
    month (`AssessmentMonth`) always wins.

    Besides the per-estate figures, it keeps what a manager who sees every estate needs to rank them
    without reading every estate's figures: the total of every estate, each estate's and each staff
    member's score (with `weights`, the weights they were computed with) and each staff member's
    figures summed over every estate.
    """

    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    computed_at = models.DateTimeField(_("figures computed at"))
    weights = models.JSONField(default=dict)  # the weights of the scores below (scoring.weights())
    estate_ids = models.JSONField(default=list)  # every estate computed: the "every estate" rows' scope
    # raw figures summed over every estate, each list of durations reduced to its median (all the
    # total row shows of it: `provisional._shown_total`)
    total = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("provisional assessment figures")
        verbose_name_plural = _("provisional assessment figures")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="assessment_provisional_once"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="assessment_provisional_valid"),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ProvisionalRow(models.Model):
    """One part of a provisional snapshot: an estate (`user` empty: its figures and cadence periods), a
    staff member at an estate (both set: a cell, like `StaffFigures`), or a staff member over every
    estate (`estate` empty). `score` is computed with the snapshot's weights (estates and staff over
    every estate)."""

    snapshot = models.ForeignKey(ProvisionalSnapshot, on_delete=models.CASCADE, related_name="rows")
    estate = models.ForeignKey("liaison.Estate", on_delete=models.CASCADE, null=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    score = models.FloatField(null=True)
    figures = models.JSONField(default=dict)
    cadence = models.JSONField(default=list)  # an estate's rule periods due in the month

    class Meta:
        # the month view reads a snapshot's estate rows, its staff-over-every-estate rows, or the rows of
        # given estates / staff: (snapshot, estate, user) answers each as an index range
        indexes = [models.Index(fields=["snapshot", "estate", "user"], name="assess_prov_row_snap_est_user")]
