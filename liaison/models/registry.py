"""Core registry: company, estates, committees and their members, departments, staff, audit."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..phones import mobile_validator  # the one rule for mobile numbers


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DIRECTOR = "director", _("Office director")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPARTMENT = "department", _("Department staff")
    LEADER = "leader", _("Leader in charge")
    ASSESSOR = "assessor", _("Assessor")
    COMMITTEE = "committee", _("Committee member")


STAFF_ROLES = {Role.DIRECTOR, Role.SUPERVISOR, Role.DEPARTMENT}
ALL_ESTATES_ROLES = {Role.ADMIN, Role.LEADER, Role.ASSESSOR}


class User(AbstractUser):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COMMITTEE)
    phone = models.CharField(_("mobile"), max_length=11, blank=True, validators=[mobile_validator])
    department = models.ForeignKey(
        "Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.username

    @property
    def display_name(self):
        return self.name or self.get_full_name() or self.username

    @property
    def is_admin(self):
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def sees_all_estates(self):
        return self.is_superuser or self.role in ALL_ESTATES_ROLES

    @property
    def is_committee(self):
        return self.role == Role.COMMITTEE and not self.is_superuser

    @property
    def is_company_staff(self):
        return not self.is_committee


class Company(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")

    def __str__(self):
        return self.name


class Department(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("Community service office")
        MANAGEMENT = "management", _("Management office")
        SPECIALIST = "specialist", _("Specialist company")
        FUNCTIONAL = "functional", _("Functional department")

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MANAGEMENT)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="department_unique_name")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class Estate(models.Model):
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT)
    name = models.CharField(_("estate name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    district = models.CharField(_("district"), max_length=50, blank=True)
    street_office = models.CharField(_("street office"), max_length=100, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="estate_unique_name_per_company")]
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("estate_detail", args=[self.pk])

    def director(self):
        a = self.assignments.filter(role=Role.DIRECTOR).select_related("user").first()
        return a.user if a else None


class StaffAssignment(models.Model):
    """The company's team for an estate: who works on it and in which role."""

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(
        _("role in the estate"),
        max_length=20,
        choices=[(r.value, r.label) for r in (Role.DIRECTOR, Role.SUPERVISOR, Role.DEPARTMENT)],
    )

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [models.UniqueConstraint(fields=["estate", "user"], name="assignment_unique")]

    def __str__(self):
        return f"{self.estate} · {self.user} · {self.get_role_display()}"


class Committee(models.Model):
    class Kind(models.TextChoices):
        OC = "oc", _("Homeowners' committee")
        RC = "rc", _("Residents' committee")
        MC = "mc", _("Neighbourhood management committee")

    # seed 002: the management committee: 2-year term; chair, vice-chair and 7 members
    MC_TERM_YEARS = 2
    MC_SEATS = {"chair": 1, "vice_chair": 1, "member": 7}

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="committees")
    kind = models.CharField(_("committee type"), max_length=2, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    secretariat_contact = models.CharField(_("secretariat contact"), max_length=50, blank=True)
    secretariat_phone = models.CharField(
        _("secretariat phone"), max_length=11, blank=True, validators=[mobile_validator]
    )
    secretariat_email = models.EmailField(_("secretariat email"), blank=True)
    term_start = models.DateField(_("term start"))
    # indexed: the daily term scan (liaison.terms.scan_terms) reads the terms ending within 180 days
    term_end = models.DateField(_("term end"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=models.F("term_start")),
                name="committee_term_end_after_start",
            )
        ]
        ordering = ["estate__name", "kind"]

    def __str__(self):
        return f"{self.estate.name} {self.name}"

    def get_absolute_url(self):
        return reverse("committee_detail", args=[self.pk])

    def active_members(self):
        return self.members.filter(ended_on__isnull=True)

    def chair(self):
        return self.active_members().filter(role=CommitteeMember.Role.CHAIR).first()

    @classmethod
    def default_term_end(cls, kind, start):
        if kind == cls.Kind.MC and start:
            try:
                return start.replace(year=start.year + cls.MC_TERM_YEARS)
            except ValueError:  # 29 February
                return start.replace(year=start.year + cls.MC_TERM_YEARS, day=28)
        return None


class CommitteeMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    phone = models.CharField(_("mobile"), max_length=11, blank=True, validators=[mobile_validator])
    email = models.EmailField(_("email"), blank=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    # history is kept: a term that ends sets ended_on; the row stays
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason the term ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(role="chair", ended_on__isnull=True),
                name="one_active_chair_per_committee",
            ),
            models.UniqueConstraint(
                fields=["committee", "user"],
                condition=Q(ended_on__isnull=True, user__isnull=False),
                name="one_active_membership_per_user",
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=models.F("term_start")),
                name="member_term_end_after_start",
            ),
        ]
        ordering = ["ended_on", "role", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_active(self):
        return self.ended_on is None


class AuditEntry(models.Model):
    """One row per change that matters, written in the same transaction as the change."""

    created = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=100, blank=True, help_text="a job's name when no user acted")
    estate = models.ForeignKey(Estate, null=True, blank=True, on_delete=models.SET_NULL)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    action = models.CharField(max_length=50)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor or self.actor_label} {self.action} {self.object_type}#{self.object_id}"


def audit(obj, action, *, actor=None, job="", changes=None, estate=None, now=None):
    """Record a change. Call inside the transaction that makes the change."""
    if estate is None:
        estate = getattr(obj, "estate", None) if not isinstance(obj, Estate) else obj
    return AuditEntry.objects.create(
        created=now or timezone.now(),
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        actor_label=job,
        estate=estate,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=action,
        changes=_jsonable(changes or {}),
    )


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
