"""A committee's terms: the re-elections and voted extensions that move its term, and the markers that
make each term-end reminder happen once (liaison/terms.py holds the rules and the scan)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TermEvent(models.Model):
    """A re-election that starts the committee's next term, or a voted extension of the current one
    (seed 002 第七条: re-election brought forward or delayed by the committee's vote, a delay at most one
    year). The committee row keeps the current term; these rows are its history."""

    class Kind(models.TextChoices):
        REELECTION = "reelection", _("Re-election")
        EXTENSION = "extension", _("Term extension")

    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.CASCADE, related_name="term_events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=200, blank=True)
    result = models.TextField(_("result"), blank=True)
    # the term before and after the event
    old_start = models.DateField(null=True, blank=True)
    old_end = models.DateField(null=True, blank=True)
    new_start = models.DateField(null=True, blank=True)
    new_end = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("term event")
        verbose_name_plural = _("term events")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.committee} {self.get_kind_display()} {self.held_on}"


class TermReminder(models.Model):
    """One row per committee, term end and threshold (180, 90, 30, 7 days): the reminder for that
    threshold was sent (or passed over because a nearer one was due). The unique key makes two scans,
    concurrent or after a restart, send it once; a new term (another term_end) starts afresh."""

    committee = models.ForeignKey("liaison.Committee", on_delete=models.CASCADE, related_name="term_reminders")
    term_end = models.DateField()
    days = models.PositiveSmallIntegerField()
    sent = models.BooleanField(default=True, help_text="False: passed over, a nearer threshold was due")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "term_end", "days"], name="term_reminder_once")]

    def __str__(self):
        return f"{self.committee_id} {self.term_end} -{self.days}d"
