"""The issue list's filters (the page and its Excel export): a django-filter FilterSet.

The options are what the user may see (liaison.access); a value outside them, a far date or a bad
number is a message on the field and that filter is left out, never an error page.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.bounds import SaneDateField, parse_id
from liaison.filters import PlacesFilterSet, longer_than_limit

from .forms import StaffLabel, staff_users
from .models import Category, Issue


class FilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            # said on the end date, next to the two dates (not above the filters, screens away on a phone);
            # neither date filters then
            self.add_error("date_to", ValidationError(_("The start date is after the end date.")))
            data.pop("date_from", None)
        return data


class SaneDateFilter(django_filters.DateFilter):
    """A date 2000–2100 (liaison.bounds): a far one would overflow the end-of-day arithmetic
    (9999-12-31 + 1 day); it is a message on the field and that filter is left out."""

    field_class = SaneDateField


class StaffField(StaffLabel, django_filters.fields.ModelChoiceField):
    pass


class StaffFilter(django_filters.ModelChoiceFilter):
    field_class = StaffField


class CheckFilter(django_filters.Filter):
    """A checkbox: on filters, off does not."""

    field_class = forms.BooleanField


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class IssueFilter(PlacesFilterSet):
    """Filters over the issues the user may see: pass `queryset=permissions.visible_issues(user)` and
    `request` (the options are read for `request.user`); `now` judges "overdue"."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("open", _("All open")), *Issue.Status.choices], empty_label="—", method="by_status"
    )
    overdue = CheckFilter(label=_("Overdue only"), method="only_overdue")
    assignee = StaffFilter(label=_("Person responsible"), queryset=staff_users())
    assignee_name = django_filters.CharFilter(
        label=_("Person responsible"), field_name="assignee__name", lookup_expr="icontains"
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label="—")
    date_from = SaneDateFilter(
        label=_("Raised from"), method="raised_from", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = SaneDateFilter(
        label=_("Raised until"),
        method="raised_until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Issue
        fields = []
        form = FilterForm

    def __init__(self, data=None, *args, now, **kwargs):
        super().__init__(data or None, *args, **kwargs)
        self.now = now
        self._bound_options()

    def _bound_options(self):
        """The places as PlacesFilterSet bounds them; the people responsible likewise: past
        OPTIONS_LIMIT a name search."""
        self.bound_places()
        filters = self.filters
        staff = filters["assignee"].queryset
        if self.request.user.is_committee:
            # a committee member picks among the people responsible for their own issues, never the
            # company's staff of other estates
            staff = filters["assignee"].queryset = staff.filter(pk__in=self.queryset.values("assignee"))
        if longer_than_limit(staff):
            filters["assignee"].extra["widget"] = forms.HiddenInput
        else:
            del filters["assignee_name"]

    def search(self, qs, name, value):
        q = value.strip()
        cond = (
            Q(title__icontains=q) | Q(description__icontains=q) | Q(raised_by__icontains=q) | Q(location__icontains=q)
        )
        number = parse_id(q.lstrip("#"))
        if number is not None:
            cond |= Q(pk=number)
        return qs.filter(cond)

    def by_status(self, qs, name, value):
        if value == "open":
            return qs.filter(closed_at__isnull=True)
        return qs.filter(status=value)

    def only_overdue(self, qs, name, value):
        return qs.filter(Issue.overdue_q(self.now)) if value else qs

    def raised_from(self, qs, name, value):
        return qs.filter(raised_at__gte=_start_of(value))

    def raised_until(self, qs, name, value):
        return qs.filter(raised_at__lt=_start_of(value + datetime.timedelta(days=1)))
