"""Meetings: kinds, cadence rules and their period status, meetings with agenda, materials,
invitations, what was sent, attendance (sign-in, AM-02-R02), minutes (AM-02-R03), resolutions, photos.

Field names are documented for the other apps in docs/meetings.md.
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from liaison import access

COMMITTEE_KINDS = [
    ("oc", _("Homeowners' committee")),
    ("rc", _("Residents' committee")),
    ("mc", _("Neighbourhood management committee")),
]


QUORUM_CHOICES = [
    ("none", _("No quorum")),
    ("two_thirds", _("Two thirds of the members present")),
    ("more_than_half", _("More than half of the members present")),
]
MAJORITY_CHOICES = [
    ("half_present", _("More than half of those present voting for")),
    ("half_members", _("More than half of all members voting for")),
    ("two_thirds_present", _("Two thirds of those present voting for")),
]


def _token():
    return secrets.token_urlsafe(24)


class MeetingKind(models.Model):
    """A kind of meeting (data, editable by an administrator)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    # comma-separated committee kinds this meeting kind is held with ("oc,rc"); blank = any
    committee_kinds = models.CharField(_("committee types"), max_length=20, blank=True)
    requires_approval = models.BooleanField(
        _("needs the leader's approval"), default=False, help_text=_("Special-topic meetings, §4.1.4.1")
    )
    min_notice_days = models.PositiveSmallIntegerField(
        _("minimum notice (days)"), default=0, help_text=_("Days between sending the notice and the meeting")
    )
    is_emergency = models.BooleanField(_("emergency meeting"), default=False)
    clause = models.CharField(_("source clause"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # quorum and votes (seed 002 第六条 for the management committee); a committee may override them
    # (VoteRule); the arithmetic is meetings.rules.quorum / meetings.rules.passed
    quorum = models.CharField(_("quorum"), max_length=20, choices=QUORUM_CHOICES, default="none")
    majority = models.CharField(
        _("a resolution passes with"), max_length=20, choices=MAJORITY_CHOICES, default="half_present"
    )
    allows_consensus = models.BooleanField(_("resolutions may be recorded as by consensus"), default=True)

    class Meta:
        verbose_name = _("meeting kind")
        verbose_name_plural = _("meeting kinds")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def allowed_for(self, committee_kind):
        kinds = [k.strip() for k in self.committee_kinds.split(",") if k.strip()]
        return not kinds or committee_kind in kinds


class VoteRule(models.Model):
    """One committee's own quorum and majority for a meeting kind (a 业委会's rules of procedure),
    overriding the kind's defaults; editable by an administrator."""

    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.CASCADE, related_name="vote_rules"
    )
    kind = models.ForeignKey(
        MeetingKind, verbose_name=_("meeting kind"), on_delete=models.CASCADE, related_name="vote_rules"
    )
    quorum = models.CharField(_("quorum"), max_length=20, choices=QUORUM_CHOICES)
    majority = models.CharField(_("a resolution passes with"), max_length=20, choices=MAJORITY_CHOICES)
    allows_consensus = models.BooleanField(_("resolutions may be recorded as by consensus"), default=True)
    clause = models.CharField(_("source clause"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("committee's quorum and majority")
        verbose_name_plural = _("committees' quorum and majority")
        constraints = [models.UniqueConstraint(fields=["committee", "kind"], name="vote_rule_once_per_kind")]


class MeetingSeries(models.Model):
    """Recurring meetings ("the second Tuesday of every month, 15:00"): the rule that makes draft
    meetings ahead of time (meetings/series.py), each then scheduled, approved and sent like any other."""

    class Frequency(models.TextChoices):
        MONTHLY_WEEKDAY = "monthly_weekday", _("Every month on a weekday (e.g. the second Tuesday)")
        MONTHLY_DAY = "monthly_day", _("Every month on a day of the month")
        WEEKLY = "weekly", _("Every week on a weekday")

    class OnHoliday(models.TextChoices):
        NEXT_WORKING_DAY = "next", _("Move to the next working day")
        SKIP = "skip", _("Skip that date")
        KEEP = "keep", _("Keep the date")

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="meeting_series"
    )
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="meeting_series"
    )
    kind = models.ForeignKey(
        MeetingKind, verbose_name=_("meeting kind"), on_delete=models.PROTECT, related_name="series"
    )
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    frequency = models.CharField(_("repeats"), max_length=20, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    nth = models.SmallIntegerField(_("which"), null=True, blank=True)  # 1–4, -1 the last
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)  # 0 Monday … 6 Sunday
    monthday = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    start_time = models.TimeField(_("starts at (time)"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=120)
    starts_on = models.DateField(_("first date"))
    until = models.DateField(_("last date"))
    on_holiday = models.CharField(
        _("on a day that is not a working day"), max_length=10, choices=OnHoliday.choices, default=OnHoliday.KEEP
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["estate", "pk"]
        indexes = [models.Index(fields=["until"], condition=Q(cancelled_at__isnull=True), name="series_running")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:series", args=[self.pk])


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The meetings `user` may see: liaison.access.meetings (a committee sees a meeting once sent)."""
        return access.meetings(self, user)


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        REJECTED = "rejected", _("Returned by the leader")
        CONFIRMED = "confirmed", _("Confirmed and sent")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.DRAFT, Status.AWAITING_APPROVAL, Status.REJECTED, Status.CONFIRMED)

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="meetings"
    )
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.ForeignKey(
        MeetingKind, verbose_name=_("meeting kind"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    # a meeting made by a series, and the date the rule gave it: moving it keeps that date, so the series
    # never makes it again
    series = models.ForeignKey(MeetingSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    occurrence = models.DateField(_("date in the series"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organized_meetings",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # optimistic concurrency: every change by a person bumps it (meetings.actions.bump_version); an edit
    # made from a page showing an older version is refused instead of silently overwriting
    version = models.PositiveIntegerField(default=1, editable=False)

    # notice rule (§4.1.4.2, §4.2.1.2): the days required when saved, and a written override
    notice_days_required = models.PositiveSmallIntegerField(_("notice required (days)"), default=0)
    notice_override = models.BooleanField(_("notice rule overridden"), default=False)
    notice_override_reason = models.TextField(_("reason for overriding the notice rule"), blank=True)
    notice_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice_override_at = models.DateTimeField(null=True, blank=True)
    # whether the committee was told at least notice_days_required x 24 hours before the start, judged
    # when it was told (sent, or rescheduled to a new time); None until then. The assessment counts False.
    notice_kept = models.BooleanField(_("notice rule kept"), null=True, blank=True)
    # a meeting recorded after it took place (actions.record_past_meeting): nobody was invited through the
    # portal, the notice and approval rules were not applied; by whom and when it was entered
    entered_afterwards_at = models.DateTimeField(_("entered afterwards at"), null=True, blank=True)
    entered_afterwards_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered afterwards by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # leader's approval (§4.1.4.1)
    approval_requested_at = models.DateTimeField(_("approval requested at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_meetings",
    )
    approval_instruction = models.TextField(_("leader's instruction (领导批示)"), blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_comment = models.TextField(_("leader's comment"), blank=True)

    # sending the notice to the committee
    sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)

    # rescheduling / cancelling; SEQUENCE of the iCalendar event
    sequence = models.PositiveIntegerField(default=0)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    # attendance recorded => the meeting is "held" for the cadence
    attendance_recorded_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)
    # the quorum as the sign-in sheet stands (rules.quorum, stored by actions on every sign-in change):
    # True = below quorum, the meeting does not count for the cadence; None = the kind has no quorum
    below_quorum = models.BooleanField(_("below quorum"), null=True, blank=True)
    checkin_token = models.CharField(max_length=64, default=_token, unique=True, editable=False)

    # minutes within 3 days (seed 004 篇3 七.7); the deadline is an indexed column
    # indexed for the monthly assessment (minutes falling due in the month, closed ones included);
    # the partial index below serves the reminder scan
    minutes_due_at = models.DateTimeField(_("minutes due by"), null=True, blank=True, db_index=True)
    minutes_reminded_at = models.DateTimeField(null=True, blank=True)
    minutes_breach_at = models.DateTimeField(_("minutes deadline missed at"), null=True, blank=True)
    # set when the minutes are distributed or the breach is recorded: the scan is done with this meeting
    minutes_closed_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.UniqueConstraint(fields=["series", "occurrence"], name="meeting_once_per_occurrence"),
        ]
        indexes = [
            models.Index(fields=["estate", "starts_at"]),
            models.Index(fields=["committee", "starts_at"]),
            # serves the minutes scan: WHERE minutes_closed_at IS NULL AND minutes_due_at IS NOT NULL
            # ORDER BY minutes_due_at
            models.Index(
                fields=["minutes_due_at"],
                condition=Q(minutes_closed_at__isnull=True, minutes_due_at__isnull=False),
                name="meeting_minutes_pending",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_held(self):
        return self.attendance_recorded_at is not None

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED


class MeetingChange(models.Model):
    """A reschedule or cancellation, with the reason (kept for history)."""

    class Kind(models.TextChoices):
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_starts_at = models.DateTimeField(null=True, blank=True)
    old_ends_at = models.DateTimeField(null=True, blank=True)
    new_starts_at = models.DateTimeField(null=True, blank=True)
    new_ends_at = models.DateTimeField(null=True, blank=True)
    old_place = models.CharField(max_length=200, blank=True)
    new_place = models.CharField(max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]


class AgendaItem(models.Model):
    """An agenda item; a request to the committee states cause, process, necessity, owners' attitude and
    the support asked (§4.1.4.3, §4.2.2.1). `discussion` is filled in the minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("agenda item"), max_length=200)
    presenter = models.CharField(_("presented by"), max_length=100, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    process = models.TextField(_("process so far"), blank=True)
    necessity = models.TextField(_("necessity"), blank=True)
    owners_attitude = models.TextField(_("owners' attitude"), blank=True)
    support_requested = models.TextField(_("support asked of the committee"), blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    # the item "上次会议决议及问题落实情况" a meeting starts with (meetings/carry.py)
    carry_forward = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


def material_path(instance, filename):
    return f"meetings/{instance.meeting_id}/materials/{uuid.uuid4().hex}"


def photo_path(instance, filename):
    return f"meetings/{instance.meeting_id}/photos/{uuid.uuid4().hex}"


class Material(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="materials"
    )
    file = models.FileField(upload_to=material_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class Photo(models.Model):
    """Photos taken at the meeting (§4.1.2 camera)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]


class Invitation(models.Model):
    """Someone invited: a committee member, a company staff member, or an outside person."""

    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_invitations"
    )
    member = models.ForeignKey(
        "liaison.CommitteeMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    unit = models.CharField(_("unit / role"), max_length=100, blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="invitation_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["meeting", "member"], condition=Q(member__isnull=False), name="invitation_once_per_member"
            ),
        ]

    def __str__(self):
        return self.name


class Dispatch(models.Model):
    """What was sent, when, to whom: the agenda and materials going out (invitation, update, cancellation)."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation with agenda and materials")
        UPDATE = "update", _("Change of time or place")
        CANCELLATION = "cancellation", _("Cancellation")
        MINUTES = "minutes", _("Minutes")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="dispatches")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"name", "unit", "email", "user_id"}] and the secretariat
    recipients = models.JSONField(default=list)
    secretariat_email = models.EmailField(blank=True)
    secretariat_emailed_at = models.DateTimeField(null=True, blank=True)
    # snapshot of what went out: agenda titles and material names, time and place
    content = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("sent notice")
        verbose_name_plural = _("sent notices")
        ordering = ["sent_at", "pk"]


class Attendance(models.Model):
    """One line of the sign-in sheet (AM-02-R02)."""

    class Method(models.TextChoices):
        STAFF = "staff", _("Ticked by staff")
        WALK_IN = "walk_in", _("Walk-in, added by staff")
        QR = "qr", _("Signed in by QR code")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendances"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    unit = models.CharField(_("unit / role"), max_length=100, blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    signed_in_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["signed_in_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "invitation"],
                condition=Q(invitation__isnull=False),
                name="attendance_once_per_invite",
            ),
        ]

    def __str__(self):
        return self.name


class Minutes(models.Model):
    """The minutes (AM-02-R03). Discussion per agenda item lives on AgendaItem.discussion."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    host_name = models.CharField(_("host"), max_length=50)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="recorded_minutes"
    )
    recorder_name = models.CharField(_("recorder"), max_length=50)
    summary = models.TextField(_("other discussion"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # optimistic concurrency, as Meeting.version (a form showing no minutes yet carries 0)
    version = models.PositiveIntegerField(default=1, editable=False)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    distributed_at = models.DateTimeField(_("distributed at"), null=True, blank=True)
    # minutes finalised with no resolution: why, in the director's words (seed 004 篇3 七.6)
    no_resolution_reason = models.TextField(_("why there is no resolution"), blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    @property
    def is_final(self):
        return self.finalised_at is not None


class ResolutionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The resolutions `user` may see: liaison.access.resolutions (a committee sees its own committee's,
        of meetings sent to it)."""
        return access.resolutions(self, user)

    def open(self):
        return self.exclude(status=Resolution.Status.DONE)

    def overdue(self, now):
        return self.filter(Resolution.overdue_q(now))


class Resolution(models.Model):
    """A decision with a person responsible, an action and a due date (seed 004 篇3 七.6, 七.8), tracked to
    its end in the resolution register: progress notes, reminders, overdue mark and escalation
    (meetings/resolution_scan.py, the issues' deadline-scan pattern)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    # the meeting's estate and committee, copied when the resolution is made: the register filters and
    # scopes by them (liaison.access.scope) and the assessment counts per estate
    estate = models.ForeignKey(
        "liaison.Estate",
        verbose_name=_("estate"),
        null=True,
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    committee = models.ForeignKey(
        "liaison.Committee",
        verbose_name=_("committee"),
        null=True,
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="resolutions"
    )
    order = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("resolution"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_resolutions",
    )
    owner_name = models.CharField(_("person responsible"), max_length=50)
    action = models.TextField(_("action"))
    due_date = models.DateField(_("due date"), db_index=True)
    # the vote (seed 002 第六条): counts, or by consensus where the kind allows it; passed is computed
    # by rules.passed when recorded and stored
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstaining"), null=True, blank=True)
    by_consensus = models.BooleanField(_("by consensus"), default=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # the end of the due date in Asia/Shanghai (rules.resolution_due_at): the moment it becomes overdue
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    completed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_note = models.TextField(_("how it was done"), blank=True)
    # the scan's marks (each set once, by the event that made it): reminded, marked overdue, escalated
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the leader at"), null=True, blank=True)
    # the earliest moment the scan has something to do for this open resolution (None: nothing more)
    next_check_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["order", "pk"]
        indexes = [
            # serves the resolution scan: WHERE completed_at IS NULL AND next_check_at <= now
            # ORDER BY next_check_at
            models.Index(
                fields=["next_check_at"],
                condition=Q(completed_at__isnull=True, next_check_at__isnull=False),
                name="resolution_open_next_check",
            ),
            # the register: an estate's / committee's resolutions by due date
            models.Index(fields=["estate", "due_date"], name="resolution_estate_due"),
            models.Index(fields=["committee", "due_date"], name="resolution_committee_due"),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return reverse("meetings:resolution", args=[self.pk])

    @property
    def is_open(self):
        return self.status != self.Status.DONE

    @staticmethod
    def overdue_q(now):
        """Open and past its due date at `now`: the one definition (register filter, badge, assessment)."""
        return ~Q(status=Resolution.Status.DONE) & Q(due_at__lte=now)

    def is_overdue(self, now):
        return self.is_open and self.due_at is not None and self.due_at <= now


class ResolutionNote(models.Model):
    """A progress note on a resolution (seed 004 篇3 七.8: someone tracks each resolution to its end)."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("written by"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Resolution.Status.choices, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["created_at", "pk"]


class ResolutionEvent(models.Model):
    """A reminder, overdue mark or escalation of one resolution's due date: exactly once by constraint
    (as followups.DeadlineEvent)."""

    class Level(models.IntegerChoices):
        REMINDER = 0, _("Reminder")
        OVERDUE = 1, _("Overdue")
        LEADER = 3, _("Escalated to the leader in charge")

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="events")
    due_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    event_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    job = models.CharField(max_length=100, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        ordering = ["event_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "due_at", "level"], name="resolution_event_once"),
        ]

    @property
    def key(self):
        return f"resolution:{self.resolution_id}:{self.due_at:%Y%m%dT%H%M%S}:{self.level}"


def validate_contact_kinds(value):
    unknown = sorted({k.strip() for k in value.split(",") if k.strip()} - set(ContactKind.values))
    if unknown:
        raise ValidationError(
            _("Unknown contact kind(s): %(kinds)s."), params={"kinds": ", ".join(unknown)}, code="contact_kind"
        )


class CadenceRule(models.Model):
    """How often meetings of given kinds must happen with a committee type of one estate."""

    class Period(models.TextChoices):
        MONTH = "month", _("Every month")
        TWO_MONTHS = "two_months", _("Every two months")
        QUARTER = "quarter", _("Every quarter")
        HALF_YEAR = "half_year", _("Every half-year")
        YEAR = "year", _("Every year")
        MONTH_BY_DAY = "month_by_day", _("Each month before a given day")
        MONTH_WINDOW = "month_window", _("Each month between two days")

    class Responsible(models.TextChoices):
        DIRECTOR = "director", _("Office director")
        SUPERVISOR = "supervisor", _("Supervisor")

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.CASCADE, related_name="cadence_rules"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    committee_kind = models.CharField(_("committee type"), max_length=2, choices=COMMITTEE_KINDS)
    kinds = models.ManyToManyField(
        MeetingKind, verbose_name=_("meeting kinds that count"), related_name="cadence_rules"
    )
    # contacts that are not meetings counted like a meeting held (Contact.kind codes, comma-separated:
    # "visit,call"); blank: meetings only. meetings.cadence.count_periods reads `contact_kind_codes`
    contact_kinds = models.CharField(
        _("contact kinds that count"),
        max_length=200,
        blank=True,
        validators=[validate_contact_kinds],
        help_text=_(
            "Comma-separated: call, visit, wechat, written, notice, publication, inquiry_window. "
            "A recorded contact of these kinds counts like a meeting held."
        ),
    )
    min_count = models.PositiveSmallIntegerField(_("minimum number"), default=1)
    period = models.CharField(_("period"), max_length=20, choices=Period.choices, default=Period.MONTH)
    # MONTH_BY_DAY: due before day_to (period = 1st .. day_to - 1); MONTH_WINDOW: day_from .. day_to
    day_from = models.PositiveSmallIntegerField(_("from day of month"), null=True, blank=True)
    day_to = models.PositiveSmallIntegerField(_("to day of month"), null=True, blank=True)
    at_risk_days = models.PositiveSmallIntegerField(_("warn this many days before the period ends"), default=7)
    responsible = models.CharField(
        _("responsible"), max_length=20, choices=Responsible.choices, default=Responsible.DIRECTOR
    )
    clause = models.CharField(_("source clause"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # periods are checked from here on (no misses invented for the time before the rule existed)
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)

    class Meta:
        verbose_name = _("cadence rule")
        verbose_name_plural = _("cadence rules")
        ordering = ["estate", "committee_kind", "code"]
        constraints = [models.UniqueConstraint(fields=["estate", "code"], name="cadence_rule_code_per_estate")]

    def __str__(self):
        return f"{self.estate} · {self.name}"

    @property
    def contact_kind_codes(self):
        """The Contact kinds this rule counts, as a set of codes."""
        return {k.strip() for k in self.contact_kinds.split(",") if k.strip()}


class CadencePeriod(models.Model):
    """One row per (rule, period): its status, and when each notice went out (each exactly once)."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        AT_RISK = "at_risk", _("At risk")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")

    estate = models.ForeignKey("liaison.Estate", on_delete=models.CASCADE, related_name="cadence_periods")
    rule = models.ForeignKey(CadenceRule, on_delete=models.CASCADE, related_name="periods")
    period_start = models.DateField()
    period_end = models.DateField(help_text="last day of the period (inclusive)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    held_count = models.PositiveSmallIntegerField(default=0)
    scheduled_count = models.PositiveSmallIntegerField(default=0)
    required_count = models.PositiveSmallIntegerField(default=1)
    computed_at = models.DateTimeField(null=True, blank=True)
    at_risk_notified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    missed_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cadence period")
        verbose_name_plural = _("cadence periods")
        ordering = ["period_start", "rule"]
        constraints = [models.UniqueConstraint(fields=["rule", "period_start"], name="cadence_period_once")]
        indexes = [models.Index(fields=["estate", "period_start"])]


class CalendarToken(models.Model):
    """A secret for the user's private iCalendar feed URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_calendar")
    token = models.CharField(max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(default=timezone.now)


class CarryItem(models.Model):
    """One open resolution or issue carried into a meeting with the same committee, under its agenda item
    "上次会议决议及问题落实情况" (meetings/carry.py): frozen when the meeting is sent; the minutes record its
    status at the meeting."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution")
        ISSUE = "issue", _("Issue")

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        IN_PROGRESS = "in_progress", _("In progress")
        NOT_DONE = "not_done", _("Not done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="carried_items")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_items"
    )
    order = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    # as it stood when the meeting was sent
    text = models.TextField(_("item"))
    owner_name = models.CharField(_("person responsible"), max_length=100, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # the status's English label (stored untranslated, shown in the reader's language)
    status_label = models.CharField(_("status when sent"), max_length=100, blank=True)
    url = models.CharField(max_length=200, blank=True)
    # recorded in the minutes
    outcome = models.CharField(_("status at the meeting"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("carried-forward item")
        verbose_name_plural = _("carried-forward items")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "object_id"], name="carry_item_once"),
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def status_display(self):
        """The status it had when the meeting was sent, in the reader's language."""
        return gettext(self.status_label) if self.status_label else ""


class ContactKind(models.TextChoices):
    """Communication with a committee that is not a meeting (§4.1.1, §4.2.1.1, 篇2 四.1(4)). A cadence
    rule names the kinds it counts (CadenceRule.contact_kinds)."""

    CALL = "call", pgettext_lazy("contact kind", "Phone call")
    VISIT = "visit", pgettext_lazy("contact kind", "Visit")
    WECHAT = "wechat", _("WeChat exchange")
    WRITTEN = "written", _("Written report or letter")
    NOTICE = "notice", _("Notice-board posting")
    PUBLICATION = "publication", _("Publication")
    INQUIRY_WINDOW = "inquiry_window", _("Inquiry window held")


def contact_attachment_path(instance, filename):
    return f"meetings/contacts/{instance.contact_id}/{uuid.uuid4().hex}"


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The contacts `user` may see: liaison.access.contacts (a committee sees its own committee's)."""
        return access.contacts(self, user)


class Contact(models.Model):
    """A call, visit, WeChat exchange, written report, notice-board posting or publication with a
    committee, or an inquiry window held: recorded by the staff who run the estate
    (actions.record_contact), counted by the cadence rules that accept its kind."""

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="contacts"
    )
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(_("kind of contact"), max_length=20, choices=ContactKind.choices)
    occurred_at = models.DateTimeField(_("date and time"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("company staff"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contacts_made",
    )
    members = models.ManyToManyField(
        "liaison.CommitteeMember", verbose_name=_("committee members present or contacted"), blank=True
    )
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("record", "contact")
        verbose_name_plural = pgettext_lazy("record", "contacts")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # serves the cadence counter: contacts of an estate in a period window
            models.Index(fields=["estate", "occurred_at"]),
            models.Index(fields=["committee", "occurred_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.committee}"

    def get_absolute_url(self):
        return reverse("meetings:contact", args=[self.pk])


class ContactAttachment(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=contact_attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
