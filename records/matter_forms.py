"""The important matters' form and list filters (§4.1.6)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from followups.forms import DateTimeLocalField
from liaison import access
from liaison.filters import CommitteeLabel, PlacesFilterSet
from meetings.models import Meeting

from .models import ImportantMatter, MatterKind, SignoffRequest, WorkContactSheet

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitteeChoice(CommitteeLabel, forms.ModelChoiceField):
    pass


class MatterForm(forms.ModelForm):
    known_at = DateTimeLocalField(label=_("became known at"))
    raise_by = DateTimeLocalField(
        label=_("to be raised by"),
        required=False,
        help_text=_("Leave blank for the kind's default (e.g. a major accident: the same day)."),
    )
    raised_at = DateTimeLocalField(label=_("raised with the committee at"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ImportantMatter
        fields = [
            "committee",
            "kind",
            "title",
            "description",
            "known_at",
            "raise_by",
            "raised_at",
            "raised_via",
            "meeting",
            "contact_sheet",
            "signoff_request",
            "answer",
            "answered_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "answer": forms.Textarea(attrs={"rows": 3}),
            "answered_on": DATE,
        }
        field_classes = {"committee": CommitteeChoice}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        estates = access.managed_estates(user)
        committees = access.visible_committees(user).filter(estate__in=estates).select_related("estate")
        self.fields["committee"].queryset = committees
        linked = {"committee__in": committees.values("pk")}
        if self.instance.pk:
            linked = {"committee": self.instance.committee_id}
            self.fields["version"].initial = self.instance.version
        self.fields["meeting"].queryset = (
            Meeting.objects.filter(**linked).exclude(status="cancelled").order_by("-starts_at")
        )
        self.fields["contact_sheet"].queryset = WorkContactSheet.objects.filter(**linked)
        self.fields["signoff_request"].queryset = SignoffRequest.objects.filter(**linked).exclude(status="cancelled")
        self.fields["raised_via"].required = False


class MatterFilter(PlacesFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MatterKind.choices, empty_label="—")
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            ("unraised", _("Not yet raised")),
            ("late", _("Past its raise-by moment")),
            ("raised", _("Raised, awaiting the answer")),
            ("answered", _("Answered")),
        ],
        empty_label="—",
        method="by_state",
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = ImportantMatter
        fields = []

    def __init__(self, data=None, *args, now, **kwargs):
        super().__init__(data or None, *args, **kwargs)
        self.now = now
        self.bound_places()

    def by_state(self, qs, name, value):
        if value == "unraised":
            return qs.filter(raised_at__isnull=True)
        if value == "late":
            return qs.filter(raised_at__isnull=True, raise_by__lt=self.now)
        if value == "raised":
            return qs.filter(raised_at__isnull=False, answer="")
        return qs.filter(raised_at__isnull=False).exclude(answer="")

    def search(self, qs, name, value):
        q = value.strip()
        return qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
