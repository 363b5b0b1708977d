from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from followups.models import Issue
from liaison import access
from liaison.models import Committee
from liaison.photos import PhotoField
from liaison.uploads import IMAGE_TYPES, validate_upload

from . import signoff
from .models import (
    AnnualPlan,
    AnnualPlanItem,
    MinutesResponse,
    Signature,
    SignoffRequest,
    WorkContactSheet,
    WorkPlan,
    WorkPlanItem,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContactSheetForm(forms.ModelForm):
    class Meta:
        model = WorkContactSheet
        fields = [
            "committee",
            "direction",
            "number",
            "issued_on",
            "subject",
            "content",
            "support_requested",
            "reply_by",
            "reply",
            "replied_on",
            "replied_by_name",
            "status",
            "issue",
        ]
        widgets = {
            "issued_on": DATE,
            "reply_by": DATE,
            "replied_on": DATE,
            "content": forms.Textarea(attrs={"rows": 6}),
            "support_requested": forms.Textarea(attrs={"rows": 3}),
            "reply": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"number": _("Leave blank to number it automatically.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Committee.objects.filter(
            estate__in=access.managed_estates(user)
        ).select_related("estate")
        self.fields["committee"].label_from_instance = lambda c: f"{c.estate.name} · {c.name}"
        # a received sheet about an issue already recorded links it instead of opening another one
        self.fields["issue"].queryset = Issue.objects.filter(
            Q(closed_at__isnull=True) | Q(pk=self.instance.issue_id), estate__in=access.managed_estates(user)
        ).order_by("-raised_at")
        self.fields["issue"].label = _("Link to an issue already recorded")
        self.fields["issue"].help_text = _(
            "Only for a sheet received from a committee; left blank, saving it opens a new issue with the "
            "reply and callback deadlines."
        )
        self.fields["issue"].label_from_instance = lambda i: f"#{i.pk} {i.headline}"

    def clean(self):
        data = super().clean()
        if data.get("reply") and not data.get("replied_on"):
            self.add_error("replied_on", _("Enter the date of the reply."))
        if data.get("replied_on") and data.get("issued_on") and data["replied_on"] < data["issued_on"]:
            self.add_error("replied_on", _("The reply cannot be dated before the sheet."))
        committee = data.get("committee")
        issue = data.get("issue")
        if issue is not None:
            if data.get("direction") != WorkContactSheet.Direction.FROM_COMMITTEE:
                self.add_error("issue", _("Only a sheet received from a committee opens or links an issue."))
            elif committee and issue.committee_id != committee.pk:
                self.add_error("issue", _("This issue was raised by another committee."))
        number = data.get("number")
        if committee and number:
            clash = WorkContactSheet.objects.filter(estate=committee.estate, number=number)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("number", _("This number is already used in this estate."))
        return data


class SignoffForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=200)
    committee = forms.ModelChoiceField(label=_("Committee"), queryset=Committee.objects.none())
    members = forms.MultipleChoiceField(
        label=_("Signers"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        help_text=_(
            "The chair must sign; every member you tick is asked to sign. Members without a portal account sign "
            "on paper: the office director records the signed page."
        ),
    )
    rule = forms.ChoiceField(label=_("Completion rule"), choices=SignoffRequest.Rule.choices)
    message = forms.CharField(
        label=_("Message to the signers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("Report (PDF)"), required=False)

    def __init__(self, *args, user, committee=None, upload=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload = upload
        committees = Committee.objects.filter(estate__in=access.managed_estates(user)).select_related("estate")
        self.fields["committee"].queryset = committees
        self.fields["committee"].label_from_instance = lambda c: f"{c.estate.name} · {c.name}"
        if committee is not None:
            self.fields["committee"].initial = committee.pk
            self.fields["committee"].disabled = True
            self.fields["committee"].queryset = Committee.objects.filter(pk=committee.pk)
        choices = []
        for c in [committee] if committee else committees:
            for m in signoff.eligible_members(c):
                how = "" if m.user_id else f" · {_('signs on paper')}"
                choices.append((str(m.pk), f"{m.name}（{m.get_role_display()} · {c.name}{how}）"))
        self.fields["members"].choices = choices
        if committee is not None:
            self.fields["members"].initial = [k for k, _v in choices]
        if not upload:
            del self.fields["file"]
        else:
            self.fields["file"].required = True

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if f:
            kind = validate_upload(f)
            if kind != "application/pdf":
                raise ValidationError(_("Upload the report as a PDF file."))
        return f

    def clean(self):
        data = super().clean()
        committee = data.get("committee")
        ids = data.get("members") or []
        if committee and ids:
            members = list(signoff.eligible_members(committee).filter(pk__in=ids))
            if len(members) != len(set(ids)):
                self.add_error("members", _("Every signer must be an active member of this committee."))
            else:
                try:
                    data["member_objs"] = signoff.validate_signers(committee, members, data.get("rule"))
                except ValidationError as exc:
                    self.add_error("members", exc)
        return data


class SignForm(forms.Form):
    # the choices as the signer reads them: what each one asks for (the records show the short labels)
    DECISIONS = [
        (Signature.Decision.AGREE, Signature.Decision.AGREE.label),
        (Signature.Decision.AGREE_WITH_COMMENTS, Signature.Decision.AGREE_WITH_COMMENTS.label),
        (Signature.Decision.DISAGREE, _("Disagree (give your reason)")),
        (Signature.Decision.RECUSE, _("Recuse (for example a conflict of interest)")),
    ]

    decision = forms.ChoiceField(label=_("Your decision"), choices=DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comments or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you agree with comments or disagree; when you recuse, a short reason is optional."),
    )
    password = forms.CharField(
        label=_("Your password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your portal password to sign, or sign with a code sent by SMS below."),
    )
    code = forms.CharField(
        label=_("Or the code sent by SMS"),
        required=False,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*", "maxlength": 6}
        ),
        help_text=_("6 digits, valid for 10 minutes."),
    )
    version_id = forms.CharField(widget=forms.HiddenInput)
    version_sha256 = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, can_sms=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_sms:  # no mainland mobile on record: the password is the only way online
            del self.fields["code"]
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Re-enter your portal password to sign.")

    def clean(self):
        data = super().clean()
        decision, comment = data.get("decision"), (data.get("comment") or "").strip()
        problem = signoff.decision_problem(decision, comment) if decision else None
        if problem:
            self.add_error("comment", problem)
        code = (data.get("code") or "").strip()
        if code and not (code.isdigit() and len(code) == 6):
            self.add_error("code", _("The code has 6 digits."))
        elif "code" in self.fields and not code and not data.get("password"):
            self.add_error("password", _("Enter your password, or the code sent to you by SMS."))
        return data


class PaperSignatureForm(forms.Form):
    """A wet signature recorded by the director (signoff.record_paper checks it again)."""

    signer = forms.ChoiceField(label=_("Signer"), choices=())
    decision = forms.ChoiceField(
        label=_("Decision written on the page"), choices=SignForm.DECISIONS, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comments or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As written on the page; required when the member agrees with comments or disagrees."),
    )
    scan = forms.FileField(
        label=_("Scan or photo of the signed page"),
        help_text=_("An image (JPEG, PNG…) or a PDF. It is kept with the signature."),
    )
    version_id = forms.CharField(widget=forms.HiddenInput)
    version_sha256 = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, signers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].choices = [("", "—")] + [
            (str(s.pk), f"{s.name}（{s.role_label}）" if s.role_label else s.name) for s in signers
        ]

    def clean_scan(self):
        f = self.cleaned_data["scan"]
        kind = validate_upload(f)
        if kind != "application/pdf" and kind not in IMAGE_TYPES:
            raise ValidationError(_("Upload a scan or photo of the signed page: an image or a PDF."))
        return f

    def clean(self):
        data = super().clean()
        decision, comment = data.get("decision"), (data.get("comment") or "").strip()
        problem = signoff.decision_problem(decision, comment) if decision else None
        if problem:
            self.add_error("comment", problem)
        return data


class MinutesResponseForm(forms.Form):
    """A member's answer to final minutes (actions.respond_to_minutes checks it again)."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (MinutesResponse.Answer.CONFIRMED, _("I confirm the minutes")),
            (MinutesResponse.Answer.OBJECTED, _("I object (say what to)")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you object: what is wrong or missing, and what it should say."),
    )
    photos = PhotoField(label=_("Photos"))

    def clean(self):
        data = super().clean()
        if data.get("answer") == MinutesResponse.Answer.OBJECTED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Write what you object to: an objection needs a comment."))
        return data


class ReportVersionForm(forms.Form):
    file = forms.FileField(label=_("New version (PDF)"))
    note = forms.CharField(label=_("What changed"), max_length=300)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if validate_upload(f) != "application/pdf":
            raise ValidationError(_("Upload the report as a PDF file."))
        return f


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("The PDF to check"), required=False)
    sha256 = forms.CharField(label=_("or its SHA-256"), required=False, max_length=64)

    def clean_sha256(self):
        value = self.cleaned_data.get("sha256", "").strip().lower()
        if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
            raise ValidationError(_("A SHA-256 is 64 hexadecimal characters."))
        return value

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("sha256") and not self.errors:
            raise ValidationError(_("Upload the PDF, or enter its SHA-256."))
        f = data.get("file")
        if f and f.size > 30 * 1024 * 1024:
            self.add_error("file", _("The file is too large to check here."))
        return data


class WorkPlanForm(forms.ModelForm):
    class Meta:
        model = WorkPlan
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class WorkPlanItemForm(forms.ModelForm):
    class Meta:
        model = WorkPlanItem
        fields = ["date", "activity", "counterpart", "responsible", "note"]
        widgets = {"date": DATE}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_date(self):
        d = self.cleaned_data.get("date")
        if d and (d.year, d.month) != (self.plan.year, self.plan.month):
            raise ValidationError(_("The date must be in the plan's month."))
        return d


class AnnualPlanForm(forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class AnnualPlanItemForm(forms.ModelForm):
    """An item of the annual plan: its month (1–12), a meeting kind, one of the estate's committees."""

    month = forms.IntegerField(
        label=_("planned month"),
        widget=forms.NumberInput(attrs={"min": 1, "max": 12}),
        error_messages={"required": _("Give the planned month (1–12)."), "invalid": _("The month must be 1 to 12.")},
    )

    class Meta:
        model = AnnualPlanItem
        fields = ["month", "kind", "committee", "topic", "owner"]
        error_messages = {
            "kind": {"required": _("Choose the meeting kind.")},
            "committee": {"required": _("Choose the committee.")},
            "topic": {"required": _("Give the topic.")},
        }

    def __init__(self, *args, plan, **kwargs):
        from meetings.models import MeetingKind

        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["kind"].queryset = MeetingKind.objects.filter(active=True)
        self.fields["committee"].queryset = Committee.objects.filter(estate=plan.estate)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if not 1 <= month <= 12:
            raise ValidationError(_("The month must be 1 to 12."))
        return month


class PlanDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return for changes"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what should change."))
        return data
