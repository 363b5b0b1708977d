from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.bounds import SaneDateField, SaneDateTimeField
from liaison.formsave import version_field
from liaison.uploads import validate_image, validate_upload

from .actions import resolution_errors
from .models import AgendaItem, CarryItem, MeetingKind, Resolution

DT = {"type": "datetime-local", "class": "form-control"}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class KindSelect(forms.Select):
    """Each kind says which committees it is held with (data-committee-kinds), so the page offers the
    kinds of the committee chosen (static/meetings/meeting_form.js); the server still checks."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        kind = getattr(value, "instance", None)
        if kind is not None:
            option["attrs"]["data-committee-kinds"] = kind.committee_kinds
        return option


class CommitteeSelect(forms.Select):
    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        committee = getattr(value, "instance", None)
        if committee is not None:
            option["attrs"]["data-kind"] = committee.kind
        return option


class MeetingForm(forms.Form):
    version = version_field()
    committee = forms.ModelChoiceField(label=_("Committee"), queryset=None, widget=CommitteeSelect)
    kind = forms.ModelChoiceField(
        label=_("Meeting kind"), queryset=MeetingKind.objects.filter(active=True), widget=KindSelect
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = SaneDateTimeField(label=_("Starts at"), widget=DateTimeLocalInput())
    ends_at = SaneDateTimeField(label=_("Ends at"), widget=DateTimeLocalInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when moving a meeting that has been sent: the invitees see it."),
    )
    override_reason = forms.CharField(
        label=_("Override the notice rule — written reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for an emergency: the override is shown on the meeting and counts in the monthly assessment."
        ),
    )
    confirm_overlap = forms.BooleanField(label=_("Save anyway despite the overlap"), required=False)

    def __init__(self, *args, estate, committees, editing=None, past=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate
        if past:  # recorded afterwards: no notice to keep (actions.record_past_meeting)
            del self.fields["override_reason"]
        self.fields["committee"].queryset = committees
        self.fields["committee"].label_from_instance = lambda c: f"{c.name}（{c.get_kind_display()}）"
        self.fields["kind"].label_from_instance = lambda k: k.label
        if editing is None or not editing.sent_at:
            del self.fields["reason"]
        if editing is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = editing.version
        if editing is not None and editing.sent_at:
            self.fields["committee"].disabled = True
            self.fields["kind"].disabled = True

    def clean(self):
        data = super().clean()
        s, e = data.get("starts_at"), data.get("ends_at")
        if s and e and e <= s:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data

    def hide_unneeded(self):
        """The override reason and the overlap confirmation show once the server has found them needed
        (a notice too short: an error coded "notice"; an overlap) or when they carry a value. The rules
        stay on the server: a hidden field is still checked there."""
        needed = {
            "override_reason": self.has_error("starts_at", code="notice")
            or self.has_error("override_reason")
            or bool(self["override_reason"].value() if "override_reason" in self.fields else ""),
            "confirm_overlap": self.has_error("confirm_overlap"),
        }
        for name, show in needed.items():
            if name in self.fields and not show:
                self.fields[name].widget = forms.HiddenInput()


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "order",
            "title",
            "presenter",
            "cause",
            "process",
            "necessity",
            "owners_attitude",
            "support_requested",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 2})
            for f in ["cause", "process", "necessity", "owners_attitude", "support_requested"]
        }
        help_texts = {
            "cause": _("Why this comes up (§4.1.4.3)."),
            "process": _("What has happened so far."),
            "necessity": _("Why it has to be done."),
            "owners_attitude": _("What the owners think of it."),
            "support_requested": _("What the committee is asked to do."),
        }


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Material"), validators=[validate_upload])


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo"), validators=[validate_image])
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class InviteForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Company staff"), queryset=None, required=False)
    name = forms.CharField(label=_("Or another person: name"), required=False, max_length=50)
    unit = forms.CharField(label=_("Unit / role"), required=False, max_length=100)
    phone = forms.CharField(label=_("Mobile"), required=False, max_length=20)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name}（{u.get_role_display()}）"

    def clean(self):
        data = super().clean()
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose a staff member or enter a name."))
        return data


def arrival_field():
    return forms.TimeField(
        label=_("Arrived at (if late)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty for someone there from the start."),
    )


class WalkInForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    unit = forms.CharField(label=_("Unit / room or organisation"), required=False, max_length=100)
    phone = forms.CharField(label=_("Mobile"), required=False, max_length=20)
    arrived = arrival_field()


class ArrivalForm(forms.Form):
    """The time a latecomer on the invitation list arrived, typed beside their "present" button."""

    arrived = arrival_field()


class CheckinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Your mobile number"), max_length=20)


class MinutesForm(forms.Form):
    version = version_field()  # 0: no minutes yet when the page was loaded
    host_name = forms.CharField(label=_("Host"), max_length=50)
    recorder_name = forms.CharField(label=_("Recorder"), max_length=50)
    summary = forms.CharField(label=_("Other discussion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"discussion_{item.pk}"] = forms.CharField(
                label=_("Discussion: %(item)s") % {"item": item.title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=item.discussion,
            )

    def discussions(self):
        return {item.pk: self.cleaned_data.get(f"discussion_{item.pk}", "") for item in self.items}


class ResolutionForm(forms.Form):
    """A new resolution on the minutes page; what it must have is actions.resolution_errors (one rule)."""

    text = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False)
    owner = forms.ModelChoiceField(label=_("Person responsible (portal user)"), queryset=None, required=False)
    owner_name = forms.CharField(label=_("Or name of the person responsible"), required=False, max_length=50)
    action = forms.CharField(label=_("Action"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = SaneDateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, meeting, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()
        self.fields["owner"].queryset = staff
        self.fields["owner"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if "due_date" in self.errors:  # not a date: said already
            return data
        for field, message in resolution_errors(self.meeting, **{f: data.get(f) for f in self.fields}).items():
            self.add_error(field, message)
        return data


ResolutionFormSet = forms.formset_factory(ResolutionForm, extra=1)


class IssueForm(forms.Form):
    """An issue raised at the meeting, recorded from the minutes page (followups raises it)."""

    raised_by = forms.CharField(label=_("Raised by"), max_length=100)
    description = forms.CharField(label=_("Issue"), widget=forms.Textarea(attrs={"rows": 2}))
    answer_on_spot = forms.CharField(
        label=_("Answered on the spot"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("If answered at the meeting, write the answer: the issue is then closed at once."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolutionNoteForm(forms.Form):
    """A progress note in the resolution register (seed 004 篇3 七.8)."""

    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("unchanged"))] + [c for c in Resolution.Status.choices if c[0] in Resolution.OPEN_STATUSES],
    )
    version = version_field()


class ResolutionCloseForm(forms.Form):
    """Closing a resolution: the result is required."""

    note = forms.CharField(
        label=pgettext_lazy("resolution", "Result"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    version = version_field()


class ResolutionEditForm(forms.Form):
    """The person responsible, the action plan and the due date of an open resolution."""

    owner = forms.ModelChoiceField(label=_("Person responsible (portal user)"), queryset=None, required=False)
    owner_name = forms.CharField(label=_("Or name of the person responsible"), required=False, max_length=50)
    action = forms.CharField(label=_("Action"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = SaneDateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = version_field()

    def __init__(self, *args, resolution, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolution = resolution
        self.fields["owner"].queryset = staff
        self.fields["owner"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if "due_date" in self.errors:
            return data
        errors = resolution_errors(
            self.resolution.meeting,
            text=self.resolution.text,
            owner_name=data.get("owner_name"),
            action=data.get("action"),
            due_date=data.get("due_date"),
            owner=data.get("owner"),
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data


class CarryOutcomeForm(forms.Form):
    """What became of one item carried forward, recorded on the minutes page."""

    item_id = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Status at the meeting"),
        required=False,
        choices=[("", "—"), *CarryItem.Outcome.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


CarryOutcomeFormSet = forms.formset_factory(CarryOutcomeForm, extra=0)
