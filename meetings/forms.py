from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.bounds import SaneDateField, SaneDateTimeField
from liaison.formsave import version_field
from liaison.uploads import validate_image, validate_upload

from .actions import resolution_errors
from .models import (
    MAJORITY_CHOICES,
    QUORUM_CHOICES,
    AgendaItem,
    CarryItem,
    ContactKind,
    MeetingKind,
    MeetingSeries,
    Resolution,
)

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
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        help_text=_("All 11 digits, as on your invitation."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )


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
    # the vote (seed 002 第六条): checked by votes.vote_errors (negative, more than those present)
    votes_for = forms.IntegerField(label=_("For"), required=False)
    votes_against = forms.IntegerField(label=_("Against"), required=False)
    votes_abstain = forms.IntegerField(label=_("Abstaining"), required=False)
    by_consensus = forms.BooleanField(label=_("By consensus"), required=False)

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


class SeriesForm(forms.ModelForm):
    """A recurring meeting. Which of weekday / which weekday / day of the month apply follows `repeats`
    (meetings/series.py); the page shows the ones it needs, the server checks them."""

    version = version_field()
    starts_on = SaneDateField(label=_("First date"), widget=forms.DateInput(attrs={"type": "date"}))
    until = SaneDateField(
        label=_("Last date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most 60 meetings; a series can be extended later."),
    )

    class Meta:
        model = MeetingSeries
        fields = [
            "committee",
            "kind",
            "title",
            "place",
            "frequency",
            "interval",
            "nth",
            "weekday",
            "monthday",
            "start_time",
            "duration_minutes",
            "starts_on",
            "until",
            "on_holiday",
        ]
        widgets = {
            "committee": CommitteeSelect,
            "kind": KindSelect,
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "nth": forms.Select(
                choices=[
                    ("", "—"),
                    (1, _("the first")),
                    (2, _("the second")),
                    (3, _("the third")),
                    (4, _("the fourth")),
                    (-1, _("the last")),
                ]
            ),
            "weekday": forms.Select(
                choices=[
                    ("", "—"),
                    (0, _("Monday")),
                    (1, _("Tuesday")),
                    (2, _("Wednesday")),
                    (3, _("Thursday")),
                    (4, _("Friday")),
                    (5, _("Saturday")),
                    (6, _("Sunday")),
                ]
            ),
        }
        help_texts = {
            "interval": _("1 for every month (or week), 2 for every other one."),
            "on_holiday": _("Holidays and make-up working days (调休) follow the official calendar."),
        }

    def __init__(self, *args, estate, committees, editing=None, **kwargs):
        super().__init__(*args, instance=editing, **kwargs)
        self.estate = estate
        self.fields["committee"].queryset = committees
        self.fields["committee"].label_from_instance = lambda c: f"{c.name}（{c.get_kind_display()}）"
        self.fields["kind"].queryset = MeetingKind.objects.filter(active=True)
        self.fields["kind"].label_from_instance = lambda k: k.label
        self.fields["interval"].min_value = 1
        self.fields["interval"].widget.attrs.update(min=1, max=12)
        self.fields["monthday"].widget.attrs.update(min=1, max=31)
        self.fields["duration_minutes"].widget.attrs.update(min=15, max=1440, step=15)
        if editing is None:
            del self.fields["version"]
            self.fields["frequency"].initial = MeetingSeries.Frequency.MONTHLY_WEEKDAY
        else:
            self.fields["version"].initial = editing.version
            for name in ("committee", "kind", "starts_on"):
                self.fields[name].disabled = True
        # the rule reads as a sentence: repeats / every / which / weekday or day; then time and dates
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *(["version"] if editing is not None else []),
            Row(Column("committee", css_class="col-md-6"), Column("kind", css_class="col-md-6")),
            Row(Column("title", css_class="col-md-6"), Column("place", css_class="col-md-6")),
            Row(
                Column("frequency", css_class="col-md-4"),
                Column("interval", css_class="col-md-2"),
                Column("nth", css_class="col-md-3"),
                Column("weekday", css_class="col-md-3"),
                Column("monthday", css_class="col-md-3"),
            ),
            Row(Column("start_time", css_class="col-md-4"), Column("duration_minutes", css_class="col-md-4")),
            Row(Column("starts_on", css_class="col-md-4"), Column("until", css_class="col-md-4")),
            "on_holiday",
        )

    def clean(self):
        data = super().clean()
        frequency = data.get("frequency")
        needs = {
            MeetingSeries.Frequency.WEEKLY: ["weekday"],
            MeetingSeries.Frequency.MONTHLY_WEEKDAY: ["nth", "weekday"],
            MeetingSeries.Frequency.MONTHLY_DAY: ["monthday"],
        }.get(frequency, [])
        for name in needs:
            if data.get(name) in (None, ""):
                self.add_error(name, _("Choose this for the rule chosen."))
        for name in {"nth", "weekday", "monthday"} - set(needs):
            data[name] = None
        if data.get("interval") is not None and not 1 <= data["interval"] <= 12:
            self.add_error("interval", _("Enter a number from 1 to 12."))
        if data.get("monthday") is not None and not 1 <= data["monthday"] <= 31:
            self.add_error("monthday", _("Enter a day from 1 to 31."))
        return data

    def series_fields(self):
        d = self.cleaned_data
        return {k: d[k] for k in self.Meta.fields if k in d and k not in self.disabled_names()}

    def disabled_names(self):
        return {name for name, f in self.fields.items() if f.disabled}


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by liaison.uploads (size, type by content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ContactForm(forms.Form):
    """A contact with a committee that has taken place (actions.record_contact checks it again)."""

    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=None,
        required=False,  # the action says what is missing, in the same words as every other refusal
        widget=CommitteeSelect,
    )
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=[("", "—"), *ContactKind.choices], required=False)
    occurred_at = SaneDateTimeField(label=_("Date and time"), widget=DateTimeLocalInput(), required=False)
    staff = forms.ModelChoiceField(label=_("Company staff"), queryset=None, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Committee members present or contacted"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(
        label=_("Attachments"),
        required=False,
        validators=[validate_upload],
        help_text=_("The written report, the letter, a photo of the posting … (PDF, Word, Excel, images)."),
    )

    def __init__(self, *args, committees, staff, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["committee"].label_from_instance = lambda c: f"{c.name}（{c.get_kind_display()}）"
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda u: f"{u.display_name}（{u.get_role_display()}）"
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda m: (
            f"{m.committee.name} · {m.name}（{m.get_role_display()}）"
        )


class ContactAttachmentForm(forms.Form):
    version = version_field()
    file = forms.FileField(label=_("Attachment"), validators=[validate_upload])


class VoteRuleForm(forms.Form):
    """A committee's own quorum and majority for one kind of meeting (its rules of procedure)."""

    kind = forms.ModelChoiceField(label=_("Meeting kind"), queryset=None)
    quorum = forms.ChoiceField(label=_("Quorum"), choices=QUORUM_CHOICES)
    majority = forms.ChoiceField(label=_("A resolution passes with"), choices=MAJORITY_CHOICES)
    allows_consensus = forms.BooleanField(label=_("Resolutions may be recorded as by consensus"), required=False)
    clause = forms.CharField(label=_("Source (rules of procedure, article)"), required=False, max_length=100)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
