from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.bounds import SaneDateTimeField
from liaison.filters import CommitteeLabel
from liaison.models import Department, Role, User
from liaison.photos import FilesField, PhotoField

from .models import Callback, Category, Issue, OutsideBody, Satisfaction, Source, Urgency

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalField(SaneDateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DT_FORMAT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Enter a date and time, e.g. 2026-10-09 14:30."), "required": _("Enter a date and time.")},
        )
        super().__init__(**kwargs)


def local_now():
    return timezone.localtime().replace(second=0, microsecond=0)


def staff_users():
    return (
        User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.SUPERVISOR, Role.DEPARTMENT, Role.LEADER])
        .select_related("department")
        .order_by("role", "name", "username")
    )  # label shows the department


def estate_staff_choices(issue):
    """Whom an issue can be given to: the staff assigned to its estate (its office and the department
    staff working there), the leaders, and whoever has it now — not the whole company."""
    return (
        staff_users()
        .filter(Q(assignments__estate_id=issue.estate_id) | Q(role=Role.LEADER) | Q(pk=issue.assignee_id))
        .distinct()
    )


class IssueStaffForm(forms.Form):
    """A step form with a person responsible; `issue` narrows the people to estate_staff_choices."""

    def __init__(self, *args, issue=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issue is not None:
            self.fields["assignee"].queryset = estate_staff_choices(issue)


class StaffLabel:
    """A staff member offered by name, role and department (the label of every "person responsible")."""

    def label_from_instance(self, obj):
        dept = f" · {obj.department.name}" if obj.department_id else ""
        return f"{obj.display_name} ({obj.get_role_display()}{dept})"


class StaffChoiceField(StaffLabel, forms.ModelChoiceField):
    pass


class CommitteeChoiceField(CommitteeLabel, forms.ModelChoiceField):
    pass


class IssueForm(forms.Form):
    committee = CommitteeChoiceField(label=_("Committee"), queryset=None)
    raised_by = forms.CharField(label=_("Raised by"), max_length=100)
    raised_at = DateTimeLocalField(label=_("Raised at"), help_text=_("May be in the past; never in the future."))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    source_ref = forms.CharField(
        label=_("Source reference"), max_length=100, required=False, help_text=_("e.g. the contact sheet's number")
    )
    title = forms.CharField(label=_("Subject"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—")] + Category.choices, required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    answer_on_spot = forms.CharField(
        label=_("Answered on the spot"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("If the issue was answered on the spot, record the answer: the issue is closed at once."),
    )
    photos = PhotoField(label=_("Photos"))
    attachment = FilesField(
        label=_("Other files"), help_text=_("PDF, Word, Excel, PPT or text, e.g. a letter or a contact sheet.")
    )

    def __init__(self, *args, user, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["committee"].queryset = committees
        if committees.count() == 1:
            self.fields["committee"].initial = committees.first().pk
        if user.is_committee:
            # a committee member raises online, now, in their own name
            for name in ("raised_by", "raised_at", "source", "source_ref", "answer_on_spot"):
                del self.fields[name]
        else:
            self.fields["raised_at"].initial = local_now()


class ClassifyForm(IssueStaffForm):
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)  # the issue's, as shown
    responsibility = forms.ChoiceField(
        label=_("Responsibility"),
        choices=[c for c in Issue.Responsibility.choices if c[0]],
        widget=forms.RadioSelect,
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    assignee = StaffChoiceField(label=_("Person responsible"), queryset=staff_users(), required=False)
    outside_reason = forms.CharField(
        label=_("Reason given to the committee"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the issue is outside the company's responsibility."),
    )


class AssignForm(IssueStaffForm):
    assignee = StaffChoiceField(label=_("Person responsible"), queryset=staff_users())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply to the committee"), widget=forms.Textarea(attrs={"rows": 3}))


class OutsideBodyForm(forms.ModelForm):
    acted_at = DateTimeLocalField(label=_("When"))

    class Meta:
        model = OutsideBody
        fields = ["kind", "name", "contact", "action", "acted_at"]
        widgets = {"action": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acted_at"].initial = local_now()


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(forms.Form):
    called_at = DateTimeLocalField(label=_("When"))
    method = forms.ChoiceField(
        label=_("Method"), choices=[c for c in Callback.Method.choices if c[0] != Callback.Method.ONLINE]
    )
    person_reached = forms.CharField(label=_("Person reached"), max_length=100)
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}))
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    next_step = forms.CharField(label=_("Next step"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    resolved = forms.BooleanField(
        label=_("The matter is resolved (closes the issue if the committee is satisfied)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["called_at"].initial = local_now()


class ConfirmForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("If you are not satisfied, say what is still not resolved."),
    )


class CloseForm(forms.Form):
    decision = forms.CharField(
        label=_("Manager's decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed unless a satisfied callback was recorded after the resolution."),
    )


class AttachForm(forms.Form):
    photos = PhotoField(label=_("Photos"))
    file = FilesField(label=_("Other files"))

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("photos") or data.get("file")):
            raise forms.ValidationError(_("Choose at least one photo or file."))
        return data

    @property
    def uploads(self):
        return [*self.cleaned_data.get("photos", []), *self.cleaned_data.get("file", [])]
