from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import terms
from .bounds import SaneDateField
from .models import Committee, CommitteeMember, Estate, Role, StaffAssignment, User
from .phones import MobileField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EstateForm(forms.ModelForm):
    class Meta:
        model = Estate
        fields = ["name", "address", "district", "street_office"]

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company or getattr(self.instance, "company", None)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Estate.objects.filter(company=self.company, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("The company already has an estate named “%(name)s”."), params={"name": name})
        return name

    def save(self, commit=True):
        self.instance.company = self.company
        return super().save(commit)


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = StaffAssignment
        fields = ["user", "role"]

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.DIRECTOR, Role.SUPERVISOR, Role.DEPARTMENT]
        ).order_by("name")

    def clean(self):
        data = super().clean()
        user = data.get("user")
        if user and StaffAssignment.objects.filter(estate=self.estate, user=user).exists():
            raise forms.ValidationError(_("%(name)s is already on this estate's team."), params={"name": user})
        return data

    def save(self, commit=True):
        self.instance.estate = self.estate
        return super().save(commit)


class CommitteeForm(forms.ModelForm):
    class Meta:
        model = Committee
        fields = [
            "kind",
            "name",
            "secretariat_contact",
            "secretariat_phone",
            "secretariat_email",
            "term_start",
            "term_end",
        ]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}
        field_classes = {"term_start": SaneDateField, "term_end": SaneDateField}
        help_texts = {"term_end": _("A management committee's term is 2 years; left empty it is filled in.")}

    extension_decision = forms.CharField(
        label=_("Decision delaying re-election"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for a term longer than normal: the committee's vote (date, how many for and against). "
            "A management committee may delay re-election by at most one year (seed 002 第七条)."
        ),
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate

    def clean(self):
        data = super().clean()
        kind, start, end = data.get("kind"), data.get("term_start"), data.get("term_end")
        if kind == Committee.Kind.MC and start and not end:
            data["term_end"] = end = Committee.default_term_end(kind, start)
        if start and end and end <= start:
            self.add_error("term_end", _("The term must end after it starts."))
        elif kind and start and end:
            decision = data.get("extension_decision", "").strip()
            if not decision and self.instance.pk:
                # editing something else of a committee whose longer term is already on record
                decision = terms.recorded_extension(self.instance, start, end)
            problem = terms.term_length_problem(kind, start, end, decision=decision)
            if problem:
                self.add_error("term_end", problem)
        if kind and start:
            overlapping = Committee.objects.filter(estate=self.estate, kind=kind).exclude(pk=self.instance.pk)
            overlapping = overlapping.filter(Q(term_end__isnull=True) | Q(term_end__gt=start))
            if end:
                overlapping = overlapping.filter(term_start__lt=end)
            if overlapping.exists():
                self.add_error(
                    "term_start", _("This estate already has a committee of this type whose term overlaps these dates.")
                )
        return data

    def save(self, commit=True):
        self.instance.estate = self.estate
        return super().save(commit)


class MemberForm(forms.ModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["name", "role", "phone", "email", "user", "term_start", "term_end"]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}
        # "+86 138 1234 5678" is accepted and stored as 13812345678; anything but a mainland mobile is refused
        field_classes = {"term_start": SaneDateField, "term_end": SaneDateField, "phone": MobileField}
        # the model's contextless "name" reads as a thing's (名称); a member is a person
        labels = {"name": pgettext_lazy("person", "Name")}

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        # committee accounts not serving another estate's committee: a director must not see (nor enrol)
        # another estate's committee members
        elsewhere = CommitteeMember.objects.filter(ended_on__isnull=True, user__isnull=False).exclude(
            committee__estate=committee.estate
        )
        self.fields["user"].queryset = (
            User.objects.filter(role=Role.COMMITTEE, is_active=True)
            .exclude(pk__in=elsewhere.values("user"))
            .order_by("name")
        )
        self.fields["user"].required = False
        if not self.instance.pk:
            self.fields["term_start"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        role, start, end, user = data.get("role"), data.get("term_start"), data.get("term_end"), data.get("user")
        if start and end and end <= start:
            self.add_error("term_end", _("The term must end after it starts."))
        active = self.committee.active_members().exclude(pk=self.instance.pk)
        if role == CommitteeMember.Role.CHAIR and active.filter(role=CommitteeMember.Role.CHAIR).exists():
            self.add_error(
                "role",
                _("The committee already has an active chair. End the current chair's term first."),
            )
        if self.committee.kind == Committee.Kind.MC and role in Committee.MC_SEATS:
            if active.filter(role=role).count() >= Committee.MC_SEATS[role]:
                self.add_error(
                    "role",
                    _("A management committee has at most %(n)s active members in this role (seed 002).")
                    % {"n": Committee.MC_SEATS[role]},
                )
        if user and active.filter(user=user).exists():
            self.add_error("user", _("This account already belongs to an active member of the committee."))
        return data

    def save(self, commit=True):
        self.instance.committee = self.committee
        return super().save(commit)


class EndTermForm(forms.Form):
    ended_on = SaneDateField(label=_("Term ended on"), widget=DateInput())
    end_reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["ended_on"].initial = timezone.localdate()

    def clean_ended_on(self):
        d = self.cleaned_data["ended_on"]
        if d < self.member.term_start:
            raise forms.ValidationError(_("A term cannot end before it started."))
        return d


class ReelectionForm(forms.Form):
    """A re-election that starts the committee's next term (liaison.actions.record_reelection)."""

    held_on = SaneDateField(label=_("Re-election held on"), widget=DateInput())
    method = forms.CharField(
        label=_("Method"),
        max_length=200,
        help_text=_("e.g. owners' general assembly, written vote; residents' representatives, show of hands"),
    )
    result = forms.CharField(
        label=_("Election result"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who was elected, and the votes."),
    )
    new_end = SaneDateField(
        label=_("New term ends on"),
        widget=DateInput(),
        required=False,
        help_text=_("A management committee's new term is 2 years; left empty it is filled in."),
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee

    def clean(self):
        data = super().clean()
        held_on, new_end = data.get("held_on"), data.get("new_end")
        if held_on and not new_end:
            data["new_end"] = new_end = terms.normal_term_end(self.committee.kind, held_on)
        if held_on:
            problem = terms.reelection_problem(self.committee, held_on, new_end)
            if problem:
                self.add_error(*problem)
        return data


class ExtensionForm(forms.Form):
    """A delay of re-election voted by the committee (seed 002 第七条; liaison.actions.extend_term)."""

    new_end = SaneDateField(label=_("Term extended to"), widget=DateInput())
    held_on = SaneDateField(label=_("Decided on"), widget=DateInput())
    result = forms.CharField(
        label=_("The committee's decision"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How it was voted: the meeting, how many for and against, and why re-election is delayed."),
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee

    def clean(self):
        data = super().clean()
        new_end = data.get("new_end")
        if new_end:
            problem = terms.extension_problem(self.committee, new_end)
            if problem:
                self.add_error("new_end", problem)
        return data
