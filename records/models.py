"""Records: the work contact sheet (PF-09-R05), online sign-off with frozen versions, the monthly work
plan (AM-02-R04), batch print jobs and the members' answers to a meeting's final minutes. Forms built
from other apps' data (sign-in sheet, minutes, callbacks) have no tables here: they are rendered from the
meetings and followups models."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_public_code():
    # short and unguessable, printed under the QR code: 10 hex digits
    return secrets.token_hex(5).upper()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class WorkContactSheet(models.Model):
    """PF-09-R05 《工作联系单》: a written matter sent to or received from a committee."""

    class Direction(models.TextChoices):
        TO_COMMITTEE = "to", _("To the committee")
        FROM_COMMITTEE = "from", _("From the committee")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        REPLIED = "replied", _("Replied")

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="contact_sheets"
    )
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="contact_sheets"
    )
    number = models.CharField(_("number"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.TO_COMMITTEE
    )
    subject = models.CharField(pgettext_lazy("contact sheet", "subject"), max_length=200)
    content = models.TextField(_("content"))
    support_requested = models.TextField(_("support requested"), blank=True)
    reply_by = models.DateField(_("reply requested by"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    replied_by_name = models.CharField(_("replied by"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # a sheet received from a committee opens (or is linked to) an issue: its reply and callback deadlines
    # are the issue's (followups.deadlines, the contact-sheet policy)
    issue = models.ForeignKey(
        "followups.Issue",
        verbose_name=_("issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_sheets",
    )
    # a sheet sent to a committee with a reply_by: the end of that day (Asia/Shanghai) while no reply is
    # recorded; the scan reminds before it and marks it overdue once (records/contact_scan.py)
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("work contact sheet")
        verbose_name_plural = _("work contact sheets")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "number"], condition=~Q(number=""), name="contact_sheet_unique_number"
            )
        ]
        indexes = [
            # the scan: WHERE reply_due_at IS NOT NULL AND next_check_at <= now ORDER BY next_check_at
            models.Index(
                fields=["next_check_at"],
                condition=Q(reply_due_at__isnull=False, next_check_at__isnull=False),
                name="contact_awaiting_next_check",
            )
        ]

    def __str__(self):
        return f"{self.number or '—'} {self.subject}"

    def get_absolute_url(self):
        return reverse("records:contact_detail", args=[self.pk])

    def reply_overdue(self, now):
        return self.reply_due_at is not None and self.reply_due_at <= now


class ContactSheetEvent(models.Model):
    """The reminder or the overdue mark of a sent sheet's reply_by: exactly once by constraint."""

    class Level(models.IntegerChoices):
        REMINDER = 0, _("Reminder")
        OVERDUE = 1, _("Overdue")

    sheet = models.ForeignKey(WorkContactSheet, on_delete=models.CASCADE, related_name="events")
    due_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    event_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    job = models.CharField(max_length=100, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        ordering = ["event_at", "id"]
        constraints = [models.UniqueConstraint(fields=["sheet", "due_at", "level"], name="contact_event_once")]

    @property
    def key(self):
        return f"contact:{self.sheet_id}:{self.due_at:%Y%m%dT%H%M%S}:{self.level}"


class SignoffRequest(models.Model):
    """A document sent to named committee signers (§4.1.7: signed by the chair and the members)."""

    class Source(models.TextChoices):
        CONTACT_SHEET = "contact", _("Work contact sheet")
        MINUTES = "minutes", _("Finalised minutes")
        REPORT = "report", _("Uploaded report")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting signatures")
        COMPLETED = "completed", _("Signed")
        DECLINED = "declined", pgettext_lazy("sign-off", "Declined")
        CANCELLED = "cancelled", _("Withdrawn")

    class Rule(models.TextChoices):
        # signoff.evaluate(): every signer decides first; recusals are left out of the count
        ALL = "all", _("Everyone who does not recuse agrees")
        MAJORITY = "majority", _("More than half of those who do not recuse agree")

    estate = models.ForeignKey("liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="signoff_requests"
    )
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    source = models.CharField(_("document"), max_length=10, choices=Source.choices)
    contact_sheet = models.ForeignKey(
        WorkContactSheet, null=True, blank=True, on_delete=models.PROTECT, related_name="signoff_requests"
    )
    # minutes live in the meetings app: we keep the id only (and freeze the rendered content)
    minutes_id = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.TextField(_("message to the signers"), blank=True)
    rule = models.CharField(_("completion rule"), max_length=10, choices=Rule.choices, default=Rule.ALL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    public_code = models.CharField(max_length=12, unique=True, default=new_public_code, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-off request")
        verbose_name_plural = _("sign-off requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("records:signoff_detail", args=[self.pk])

    def current_version(self):
        return self.versions.order_by("-number").first()


class DocumentVersion(models.Model):
    """A frozen rendering of the document: the exact bytes the signers see and sign."""

    request = models.ForeignKey(SignoffRequest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    html = models.TextField(blank=True, help_text="frozen HTML body shown to signers")
    pdf = models.BinaryField()
    filename = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="document_version_unique_number")]

    def __str__(self):
        return f"{self.request} v{self.number}"


class Signer(models.Model):
    """A named committee member who is asked to sign."""

    request = models.ForeignKey(SignoffRequest, on_delete=models.CASCADE, related_name="signers")
    member = models.ForeignKey("liaison.CommitteeMember", on_delete=models.PROTECT, related_name="+")
    # None: the member has no portal account and signs on paper (the director records it: signoff.record_paper)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="signoff_duties"
    )
    name = models.CharField(max_length=50)
    is_chair = models.BooleanField(default=False)
    role_label = models.CharField(max_length=30, blank=True)
    # next daily reminder; NULL once signed or when the request is closed. Serves the reminder scan:
    # Signer.objects.filter(next_reminder_at__lte=now) ordered by it.
    next_reminder_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_chair", "name"]
        constraints = [models.UniqueConstraint(fields=["request", "member"], name="signer_unique_member")]
        indexes = [
            models.Index(
                fields=["next_reminder_at"], condition=Q(next_reminder_at__isnull=False), name="signer_reminder_due"
            )
        ]

    def __str__(self):
        return self.name


def scan_path(instance, filename):
    return f"signoff/{instance.signer.request_id}/paper/{uuid.uuid4().hex}"


class Signature(models.Model):
    class Method(models.TextChoices):
        ONLINE = "online", _("Signed online")
        PAPER = "paper", _("Signed on paper")
        SMS = "sms", _("Signed with an SMS code")

    class Decision(models.TextChoices):
        """A signer's decision (signoff.sign): a reason is required to disagree (and comments to agree
        with comments); a recusal (回避, e.g. a conflict of interest) may give a short reason and is left
        out of the count. Until migration 0002 the only dissent was "decline" (shown as 不参加 at first,
        then 不同意, always with a reason and counted against): it became DISAGREE."""

        AGREE = "agree", _("Agree")
        AGREE_WITH_COMMENTS = "comments", _("Agree, with comments")
        DISAGREE = "disagree", pgettext_lazy("sign-off", "Disagree")
        RECUSE = "recuse", pgettext_lazy("sign-off", "Recuse")

    signer = models.ForeignKey(Signer, on_delete=models.CASCADE, related_name="signatures")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="signatures")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comments or reason"), blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the version's PDF as signed")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    # a wet signature (§4.1.7 签字认可 on paper): the director uploads a scan or photo of the signed page and
    # records the member's decision; signed_at is when it was recorded, recorded_by who recorded it
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.ONLINE)
    # signed with a code sent by SMS (liaison.otp): the last 4 digits of the number it went to
    phone_last4 = models.CharField(_("mobile (last 4 digits)"), max_length=4, blank=True)
    scan = models.FileField(_("scan of the signed page"), upload_to=scan_path, blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    scan_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["signer", "version"], name="one_signature_per_version")]

    def __str__(self):
        return f"{self.signer} {self.get_decision_display()}"

    @property
    def on_paper(self):
        return self.method == self.Method.PAPER

    @property
    def by_sms(self):
        return self.method == self.Method.SMS

    @property
    def agrees(self):
        return self.decision in (self.Decision.AGREE, self.Decision.AGREE_WITH_COMMENTS)

    @property
    def disagrees(self):
        return self.decision == self.Decision.DISAGREE

    @property
    def recused(self):
        return self.decision == self.Decision.RECUSE


class IssuedPdf(models.Model):
    """Every signed PDF handed out: its bytes' SHA-256 is what the public verification page checks."""

    request = models.ForeignKey(SignoffRequest, on_delete=models.CASCADE, related_name="issued")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="issued")
    sha256 = models.CharField(max_length=64, unique=True)
    # the signature state the PDF shows (version + signatures): one issued PDF per state
    state_key = models.CharField(max_length=64, unique=True)
    pdf = models.BinaryField()
    signatures_count = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class MinutesResponse(models.Model):
    """A committee member's answer to a meeting's final minutes: confirmed, or objected with a comment
    (seed 001: the minutes of a coordination are confirmed by those concerned, 签字确认; seed 004 篇3 七.7:
    minutes go to every attendee). One per member and minutes, changed in place while the minutes are
    open to answers (actions.respond_to_minutes); each change is in the audit log."""

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        OBJECTED = "objected", _("Objected")

    minutes = models.ForeignKey(
        "meetings.Minutes", verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="member_responses"
    )
    member = models.ForeignKey("liaison.CommitteeMember", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="minutes_responses")
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("answer to the minutes")
        verbose_name_plural = _("answers to the minutes")
        ordering = ["answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["minutes", "user"], name="minutes_response_one_per_member")]

    def __str__(self):
        return f"{self.member} {self.get_answer_display()}"

    @property
    def objected(self):
        return self.answer == self.Answer.OBJECTED


class WorkPlan(models.Model):
    """AM-02-R04 《 年 月工作计划》 for one estate and month."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    estate = models.ForeignKey("liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("notes"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("leader's comment"), blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("monthly work plan")
        verbose_name_plural = _("monthly work plans")
        ordering = ["-year", "-month", "estate__name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year", "month"], name="work_plan_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="work_plan_valid_month"),
        ]

    def __str__(self):
        return f"{self.estate} {self.year}-{self.month:02d}"

    def get_absolute_url(self):
        return reverse("records:plan_detail", args=[self.pk])

    @property
    def editable(self):
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class WorkPlanItem(models.Model):
    class Origin(models.TextChoices):
        CADENCE = "cadence", _("Cadence rule")
        MEETING = "meeting", _("Scheduled meeting")
        MANUAL = "manual", _("Added by hand")
        ANNUAL = "annual", _("Annual work plan")

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="items")
    date = models.DateField(_("date"), null=True, blank=True)
    activity = models.CharField(_("activity"), max_length=200)
    counterpart = models.CharField(_("with"), max_length=100, blank=True)
    responsible = models.CharField(_("responsible"), max_length=50, blank=True)
    note = models.CharField(_("notes"), max_length=200, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    source_key = models.CharField(max_length=80, blank=True, help_text="meeting:<id> or rule:<id>:<period>")
    removed = models.BooleanField(_("removed from the plan"), default=False)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source_key"], condition=~Q(source_key=""), name="work_plan_item_unique_source"
            )
        ]

    def __str__(self):
        return self.activity


class AnnualPlan(models.Model):
    """《社区服务办公室年度工作计划》 (§4.1.1): the office's plan of the year's meetings with the
    committees of one estate, generated from the estate's cadence rules (records.annual), edited by
    the director, submitted to and approved or returned by the leader in charge (records.plans).
    Once approved, the monthly plans (AM-02-R04) draw their month's items from it."""

    Status = WorkPlan.Status

    estate = models.ForeignKey("liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("notes"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("leader's comment"), blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("annual work plan")
        verbose_name_plural = _("annual work plans")
        ordering = ["-year", "estate__name"]
        constraints = [models.UniqueConstraint(fields=["estate", "year"], name="annual_plan_unique_year")]

    def __str__(self):
        return f"{self.estate} {self.year}"

    def get_absolute_url(self):
        return reverse("records:annual_detail", args=[self.pk])

    @property
    def editable(self):
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class AnnualPlanItem(models.Model):
    """One planned meeting of the year: its month, kind, committee, topic and owner. Items generated
    from a cadence rule keep the rule (its meeting kinds all count when matching meetings held);
    removed items are kept (a regenerate skips them), as in the monthly plan."""

    class Origin(models.TextChoices):
        CADENCE = "cadence", _("Cadence rule")
        CARRIED = "carried", _("From last year's plan")
        MANUAL = "manual", _("Added by hand")

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="items")
    month = models.PositiveSmallIntegerField(_("planned month"))
    kind = models.ForeignKey(
        "meetings.MeetingKind", verbose_name=_("meeting kind"), on_delete=models.PROTECT, related_name="+"
    )
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    owner = models.CharField(_("owner"), max_length=50, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    rule = models.ForeignKey("meetings.CadenceRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_key = models.CharField(max_length=80, blank=True, help_text="rule:<id>:<period start>:<n> or carried:<id>")
    removed = models.BooleanField(_("removed from the plan"), default=False)

    class Meta:
        ordering = ["month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source_key"], condition=~Q(source_key=""), name="annual_plan_item_unique_source"
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="annual_plan_item_valid_month"),
        ]

    def __str__(self):
        return self.topic


class BatchJob(models.Model):
    """A large print job rendered by Celery; the page polls its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", pgettext_lazy("batch job", "Failed")

    kind = models.CharField(max_length=20)
    estate = models.ForeignKey("liaison.Estate", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    result = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self):
        return int(100 * self.done / self.total) if self.total else 0


class MinutesResponsePhoto(models.Model):
    """A photo a member adds to their answer to the minutes (issue 16 item 2: e.g. the place an objection
    is about), re-encoded without location metadata with a thumbnail (liaison.photos)."""

    response = models.ForeignKey(MinutesResponse, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to="minutes/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="minutes/%Y/%m/thumbs/", blank=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "id"]


# --- important matters (§4.1.6) ----------------------------------------------------------------------------


class MatterKind(models.TextChoices):
    # seed 000 §4.1.6, in its order
    MAINTENANCE_FUND = "fund", _("Use of the public maintenance fund after the warranty")
    GOVERNMENT = "government", _("New government measures needing the committee's support")
    SERVICE_WORK = "service", _("Service work touching owners' interests")
    COVENANT = "covenant", _("Owners breaching the owners' covenant against the majority")
    ACCIDENT = "accident", _("Major accident or event")
    OTHER = "other", _("Other matter needing the committee's support")


class MatterPolicy(models.Model):
    """By when a matter of one kind must be raised with the 业委会 (editable in the admin). 0 days means
    the same day: by the end of the day it became known (Asia/Shanghai)."""

    kind = models.CharField(_("kind"), max_length=12, choices=MatterKind.choices, unique=True)
    raise_within_days = models.PositiveSmallIntegerField(
        _("raise within (days)"), default=3, help_text=_("0 = the same day it became known.")
    )
    remind_before_hours = models.PositiveIntegerField(_("reminder before the raise-by moment (hours)"), default=24)
    escalate_after_hours = models.PositiveIntegerField(
        _("escalate to the leader in charge after (hours past the raise-by moment)"), default=0
    )

    class Meta:
        verbose_name = _("important-matter policy")
        verbose_name_plural = _("important-matter policies")
        ordering = ["kind"]

    def __str__(self):
        return MatterKind(self.kind).label


class ImportantMatter(models.Model):
    """A matter that must be raised with the 业委会 promptly (§4.1.6): when it became known, by when it must
    be raised, how it was raised (a meeting, a work contact sheet or a written report signed under §4.1.7)
    and the committee's answer. `next_check_at` is the scan's next moment (records/matter_scan.py)."""

    class Via(models.TextChoices):
        MEETING = "meeting", _("At a meeting")
        CONTACT_SHEET = "contact", _("By a work contact sheet (PF-09-R05)")
        REPORT = "report", _("By a written report signed by the committee")

    estate = models.ForeignKey("liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="important_matters"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MatterKind.choices)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    description = models.TextField(_("details of the matter"))
    known_at = models.DateTimeField(_("became known at"))
    raise_by = models.DateTimeField(_("to be raised by"))
    raised_at = models.DateTimeField(_("raised with the committee at"), null=True, blank=True)
    raised_via = models.CharField(_("how it was raised"), max_length=10, choices=Via.choices, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_sheet = models.ForeignKey(
        WorkContactSheet,
        verbose_name=_("work contact sheet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matters",
    )
    signoff_request = models.ForeignKey(
        SignoffRequest,
        verbose_name=_("signed report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matters",
    )
    answer = models.TextField(_("the committee's answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    # the scan's marks (the events themselves are MatterEvent rows)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("important matter")
        verbose_name_plural = _("important matters")
        ordering = ["-known_at", "-id"]
        indexes = [
            # the scan: WHERE raised_at IS NULL AND next_check_at <= now ORDER BY next_check_at
            models.Index(
                fields=["next_check_at"],
                condition=Q(raised_at__isnull=True, next_check_at__isnull=False),
                name="matter_unraised_next_check",
            ),
            # the list and the assessment: an estate's matters by raise-by moment
            models.Index(fields=["estate", "raise_by"], name="matter_estate_raise_by"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("records:matter_detail", args=[self.pk])

    @property
    def link(self):
        """The meeting, contact sheet or signed report it was raised by."""
        return {"meeting": self.meeting, "contact": self.contact_sheet, "report": self.signoff_request}.get(
            self.raised_via
        )

    def is_late(self, now):
        """Not raised by its raise-by moment (or raised after it)."""
        return (self.raised_at or now) > self.raise_by

    @staticmethod
    def late_q(T):
        """Raised after the raise-by moment, or not raised by T although due (judged at T)."""
        return Q(raise_by__lt=T) & (Q(raised_at__isnull=True) | Q(raised_at__gte=T) | Q(raised_at__gt=F("raise_by")))


class MatterEvent(models.Model):
    """A reminder or the escalation of one matter's raise-by moment: exactly once by constraint."""

    class Level(models.IntegerChoices):
        REMINDER = 0, _("Reminder")
        LEADER = 3, _("Escalated to the leader in charge")

    matter = models.ForeignKey(ImportantMatter, on_delete=models.CASCADE, related_name="events")
    due_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    event_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    job = models.CharField(max_length=100, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        ordering = ["event_at", "id"]
        constraints = [models.UniqueConstraint(fields=["matter", "due_at", "level"], name="matter_event_once")]

    @property
    def key(self):
        return f"matter:{self.matter_id}:{self.due_at:%Y%m%dT%H%M%S}:{self.level}"
