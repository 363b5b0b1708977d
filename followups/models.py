"""Issues raised by committees and everything that follows them (seed 000 §4.1.4.4–4.1.4.6, §4.1.8,
§4.2.2.2–4.2.2.3): classification, assignment, replies, outside coordination, callbacks (CS-01-R01),
deadline policies and the exactly-once scan events.

Deadlines are stored on the issue as indexed timestamps; `next_check_at` is the earliest moment the
scan has something to do for an open issue (a reminder, an overdue mark or an escalation), so a scan
with nothing to do is one indexed query (see followups/scan.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison import access


class Source(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CONTACT_SHEET = "contact_sheet", _("Work contact sheet (PF-09-R05)")
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    DEVELOPER = "developer", _("Developer")
    ONLINE = "online", _("Raised online")


class Category(models.TextChoices):
    REPAIR = "repair", _("Repairs and maintenance")
    FACILITIES = "facilities", _("Common facilities")
    ENVIRONMENT = "environment", _("Cleaning and environment")
    GREENING = "greening", _("Greening")
    SECURITY = "security", _("Security and order")
    PARKING = "parking", _("Parking and traffic")
    FEES = "fees", _("Fees and finance")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    # seed 003 【8】3(5): minor / important (service faults) / major complaints
    NORMAL = "normal", _("Normal")
    IMPORTANT = "important", _("Important")
    MAJOR = "major", _("Major")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


SATISFIED_ENOUGH = (Satisfaction.SATISFIED, Satisfaction.BASIC)


class DeadlinePolicy(models.Model):
    """How long each step may take, chosen by source, category and urgency (blank = any).

    The most specific matching active policy wins (most fields matched), then the lowest `priority`.
    """

    class Counting(models.TextChoices):
        CALENDAR = "calendar", _("Calendar days")
        WORKING = "working", _("Working days (official calendar)")

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")

    class TellLeader(models.TextChoices):
        # §4.1.4.4: the matter is taken to the leader; by default the leader hears of the weighty ones at once
        BY_URGENCY = "", _("Important and major issues")
        ALWAYS = "always", _("Every issue")
        NEVER = "never", _("None (only when escalated)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    basis = models.CharField(_("source of the rule"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100, help_text=_("Lower wins on a tie."))
    source = models.CharField(_("issue source"), max_length=20, choices=Source.choices, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, blank=True)
    counting = models.CharField(_("days are counted in"), max_length=10, choices=Counting.choices, default="calendar")
    # taken to the leader / department head (e.g. major complaint: to the director the same day)
    triage_within = models.PositiveIntegerField(_("triage within"), null=True, blank=True)
    triage_unit = models.CharField(_("triage unit"), max_length=5, choices=Unit.choices, default="days")
    reply_within = models.PositiveIntegerField(_("reply within"), null=True, blank=True, default=3)
    reply_unit = models.CharField(_("reply unit"), max_length=5, choices=Unit.choices, default="days")
    resolve_within = models.PositiveIntegerField(_("resolve within"), null=True, blank=True)
    resolve_unit = models.CharField(_("resolve unit"), max_length=5, choices=Unit.choices, default="days")
    callback_within_days = models.PositiveIntegerField(_("first callback within (days)"), default=3)
    followup_every_days = models.PositiveIntegerField(_("further callbacks every (days)"), default=3)
    remind_before_hours = models.PositiveIntegerField(_("reminder before a deadline (hours)"), default=24)
    escalate_director_after_hours = models.PositiveIntegerField(
        _("escalate to the office director after (hours overdue)"), default=24
    )
    escalate_leader_after_hours = models.PositiveIntegerField(
        _("escalate to the leader in charge after (hours overdue)"), default=72
    )
    tell_leader = models.CharField(
        _("tell the leader in charge when raised"),
        max_length=10,
        choices=TellLeader.choices,
        blank=True,
        default=TellLeader.BY_URGENCY,
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["priority", "name"]

    def __str__(self):
        return self.name

    def specificity(self, *, source, category, urgency):
        """Number of matched fields, or -1 when a set field does not match."""
        score = 0
        for mine, theirs in ((self.source, source), (self.category, category), (self.urgency, urgency)):
            if mine:
                if mine != theirs:
                    return -1
                score += 1
        return score


class IssueQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The issues `user` may see: liaison.access.issues, the one statement of the rule."""
        return access.issues(self, user)

    def overdue(self, now):
        return self.filter(Issue.overdue_q(now))


class Issue(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Recorded")
        IN_PROGRESS = "in_progress", _("In progress")
        COORDINATING = "coordinating", _("Coordinating (outside the company)")
        RESOLVED = "resolved", _("Resolved, awaiting confirmation")
        CLOSED = "closed", _("Closed")

    class Responsibility(models.TextChoices):
        UNDECIDED = "", _("Not yet classified")
        COMPANY = "company", _("Within the company's responsibility")
        OUTSIDE = "outside", _("Outside the company's responsibility")

    class CloseReason(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("Answered on the spot")
        CALLBACK = "callback", _("Satisfied callback")
        CONFIRMED = "confirmed", _("Confirmed by the committee")
        DECISION = "decision", _("Manager's decision")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.COORDINATING, Status.RESOLVED)

    estate = models.ForeignKey(
        "liaison.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="issues"
    )
    committee = models.ForeignKey(
        "liaison.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="issues"
    )
    raised_by = models.CharField(_("raised by"), max_length=100)
    raised_by_member = models.ForeignKey(
        "liaison.CommitteeMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MEETING)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
    )
    source_ref = models.CharField(
        _("source reference"), max_length=100, blank=True, help_text=_("e.g. the work contact sheet's number")
    )
    title = models.CharField(_("subject"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    responsibility = models.CharField(
        _("responsibility"), max_length=10, choices=Responsibility.choices, blank=True, default=""
    )
    outside_reason = models.TextField(_("reason given to the committee"), blank=True)
    answer_on_spot = models.TextField(_("answer given on the spot"), blank=True)
    department = models.ForeignKey(
        "liaison.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_issues",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    policy = models.ForeignKey(
        DeadlinePolicy, verbose_name=_("deadline policy"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # deadlines and when they were met (the monthly assessment reads these columns)
    triage_due_at = models.DateTimeField(_("triage due"), null=True, blank=True, db_index=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True, db_index=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("next callback due"), null=True, blank=True, db_index=True)
    # the monthly assessment counts first callbacks falling due in the month (assessment.metrics)
    first_callback_due_at = models.DateTimeField(_("first callback due"), null=True, blank=True, db_index=True)
    first_callback_at = models.DateTimeField(_("first callback at"), null=True, blank=True)
    last_callback_at = models.DateTimeField(_("last callback at"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(pgettext_lazy("issue", "resolution"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_reason = models.CharField(_("closed because"), max_length=20, choices=CloseReason.choices, blank=True)
    close_decision = models.TextField(_("manager's decision"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True, help_text=_("latest callback")
    )
    # overdue marks set by the scan; they stay set as a record that a deadline was missed
    reply_overdue = models.BooleanField(_("reply overdue"), default=False)
    callback_overdue = models.BooleanField(_("callback overdue"), default=False)
    resolve_overdue = models.BooleanField(_("resolution overdue"), default=False)
    triage_overdue = models.BooleanField(_("triage overdue"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    # optimistic concurrency: every step taken by a person bumps it (followups.actions._save); a step
    # sent from a page showing an older version is refused. The scan's bookkeeping (overdue marks,
    # escalation level, next check) does not bump it: it changes nothing a person edits.
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-raised_at", "-id"]
        indexes = [
            # serves the scan: WHERE closed_at IS NULL AND next_check_at <= now ORDER BY next_check_at
            # the scan (WHERE closed_at IS NULL AND next_check_at <= now ORDER BY next_check_at) and the
            # home panel's first open issues (ORDER BY next_check_at, raised_at DESC LIMIT 10): one index,
            # read in order, so neither sorts every open issue of the company
            models.Index(
                fields=["next_check_at", "-raised_at"],
                condition=Q(closed_at__isnull=True),
                name="issue_open_next_check",
            ),
            models.Index(fields=["estate", "raised_at"], name="issue_estate_raised"),
            # department staff's open issues: their estates' (issue_open_estate) OR assigned to them; with
            # this partial index PostgreSQL combines the two instead of reading every open issue
            models.Index(fields=["assignee"], condition=Q(closed_at__isnull=True), name="issue_open_assignee"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("raised_at")),
                name="issue_closed_after_raised",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.headline}"

    def get_absolute_url(self):
        return reverse("followups:detail", args=[self.pk])

    @property
    def headline(self):
        return self.headline_of(self.title, self.description)

    @staticmethod
    def headline_of(title, description):
        text = title or description
        return text if len(text) <= 40 else text[:39] + "…"

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    # the columns open_deadlines() reads, in the order deadlines_of() takes them
    DEADLINE_COLUMNS = (
        "status",
        "triage_due_at",
        "triaged_at",
        "reply_due_at",
        "replied_at",
        "resolve_due_at",
        "resolved_at",
        "callback_due_at",
    )

    def open_deadlines(self):
        """[(kind, due_at)] of deadlines not yet met."""
        return self.deadlines_of(*(getattr(self, c) for c in self.DEADLINE_COLUMNS))

    @classmethod
    def deadlines_of(
        cls, status, triage_due_at, triaged_at, reply_due_at, replied_at, resolve_due_at, resolved_at, callback_due_at
    ):
        """open_deadlines() from the column values (for lists read as plain values, not instances)."""
        out = []
        if status == cls.Status.CLOSED:
            return out
        if triage_due_at and not triaged_at:
            out.append(("triage", triage_due_at))
        if reply_due_at and not replied_at:
            out.append(("reply", reply_due_at))
        if resolve_due_at and not resolved_at:
            out.append(("resolve", resolve_due_at))
        if callback_due_at:
            out.append(("callback", callback_due_at))
        return out

    def next_deadline(self):
        return self.next_deadline_of(*(getattr(self, c) for c in self.DEADLINE_COLUMNS))

    @classmethod
    def next_deadline_of(cls, *columns):
        """next_deadline() from the DEADLINE_COLUMNS values: (kind, due_at) of the earliest not met, or None."""
        d = cls.deadlines_of(*columns)
        return min(d, key=lambda x: x[1]) if d else None

    def is_overdue(self, now=None):
        now = now or timezone.now()
        return any(due < now for _kind, due in self.open_deadlines())

    @classmethod
    def overdue_q(cls, at):
        """THE definition of overdue, judged at `at`: open then, with a deadline before `at` whose step had
        not been done by `at`. The home page's count, the issue list's and the API's filter ask it of the
        present; the assessment asks it of a month's end, when a reply or a closing made later does not
        undo the lateness. (is_overdue() says the same of one issue read into memory, at present.)"""

        def missed(due, done):
            return Q(**{f"{due}__lt": at}) & (Q(**{f"{done}__isnull": True}) | Q(**{f"{done}__gte": at}))

        return (Q(closed_at__isnull=True) | Q(closed_at__gte=at)) & (
            missed("triage_due_at", "triaged_at")
            | missed("reply_due_at", "replied_at")
            | missed("resolve_due_at", "resolved_at")
            | Q(callback_due_at__lt=at)
        )


DEADLINE_LABELS = {
    "triage": pgettext_lazy("deadline", "Triage"),
    "reply": pgettext_lazy("deadline", "Reply"),
    "resolve": pgettext_lazy("deadline", "Resolution"),
    "callback": pgettext_lazy("deadline", "Callback"),
}


class Reply(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("reply"))
    replied_at = models.DateTimeField(_("replied at"))
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["replied_at", "id"]


class OutsideBody(models.Model):
    """A body outside the company the office helps the committee coordinate with (§4.1.4.6)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        UTILITY = "utility", _("Utility")
        DEVELOPER = "developer", _("Developer")
        STREET = "street", _("Street office / community")
        OTHER = "other", _("Other unit")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="outside_bodies")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    action = models.TextField(_("what was done"))
    acted_at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("outside body coordinated with")
        verbose_name_plural = _("outside bodies coordinated with")
        ordering = ["acted_at", "id"]


class Callback(models.Model):
    """One callback (回访), CS-01-R01: when, method, person reached, result, satisfaction, next step."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("At a meeting")
        MESSAGE = "message", _("Message (WeChat/SMS)")
        ONLINE = "online", _("Online confirmation")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="callbacks")
    estate = models.ForeignKey("liaison.Estate", on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey("liaison.Committee", on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("when"), db_index=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.PHONE)
    person_reached = models.CharField(_("person reached"), max_length=100)
    result = models.TextField(pgettext_lazy("callback", "result"))
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    next_step = models.TextField(_("next step"), blank=True)
    due_at = models.DateTimeField(_("callback was due"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["called_at", "id"]
        indexes = [models.Index(fields=["estate", "called_at"], name="callback_estate_month")]


class IssueAttachment(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="issues/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # photos (liaison.photos): the stored file is the re-encoded picture without location metadata, the
    # thumbnail what the issue page shows; blank for other files and for attachments from before photos
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    thumbnail = models.FileField(_("thumbnail"), upload_to="issues/%Y/%m/thumbs/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    @property
    def is_photo(self):
        return bool(self.thumbnail)


class DeadlineEvent(models.Model):
    """A reminder, overdue mark or escalation for one deadline of one issue: exactly once by constraint."""

    class Level(models.IntegerChoices):
        REMINDER = 0, _("Reminder")
        OVERDUE = 1, _("Overdue")
        DIRECTOR = 2, _("Escalated to the office director")
        LEADER = 3, _("Escalated to the leader in charge")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    deadline = models.CharField(max_length=10)  # triage / reply / resolve / callback
    due_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # when it should have happened (due_at ± offset) and when the scan recorded it
    event_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    job = models.CharField(max_length=100, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    # a reminder found only after its deadline passed (downtime) is recorded, not sent
    skipped = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("deadline event")
        verbose_name_plural = _("deadline events")
        ordering = ["event_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "deadline", "due_at", "level"], name="deadline_event_once"),
        ]

    @property
    def key(self):
        return f"issue:{self.issue_id}:{self.deadline}:{self.due_at:%Y%m%dT%H%M%S}:{self.level}"
