"""The meetings list's filters: estate and committee (liaison.filters, bounded to what the user may see)
and the calendar's month. A bad value is a message on its field and is left out, never an error page."""

import datetime
import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.bounds import DATE_MAX, DATE_MIN
from liaison.filters import PlacesFilterSet

from . import periods
from .models import Contact, ContactKind, Meeting, Resolution

MONTH = re.compile(r"(\d{4})-(\d{1,2})")


class MonthField(forms.CharField):
    """A month as 2026-11, the first of it as a date; years 2000–2100 (liaison.bounds: far months
    overflow the calendar's day arithmetic and nobody plans them)."""

    widget = forms.HiddenInput

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        found = MONTH.fullmatch(value)
        try:
            first = datetime.date(int(found[1]), int(found[2]), 1) if found else None
        except ValueError:
            first = None
        if first is None or not DATE_MIN <= first <= DATE_MAX:
            raise forms.ValidationError(_("Enter a month as 2026-11, between 2000-01 and 2100-12."), code="month")
        return first


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class MeetingFilter(PlacesFilterSet):
    """Filters over the meetings the user may see: pass `queryset=actions.visible_meetings(user)` and
    `request`."""

    month = MonthFilter(label=_("Month"), method="calendar_only")

    class Meta:
        model = Meeting
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data or None, *args, **kwargs)
        self.bound_places()

    def calendar_only(self, qs, name, value):
        # the month picks the calendar shown, it does not narrow the coming and past lists
        return qs

    def month_shown(self, now):
        """The first day of the calendar's month: the one asked for, else the current one."""
        return self.chosen("month") or periods.local_date(now).replace(day=1)


class CheckFilter(django_filters.Filter):
    """A checkbox: ticked filters, unticked leaves the list alone."""

    field_class = forms.BooleanField


class ResolutionFilter(PlacesFilterSet):
    """The resolution register's filters over the resolutions the user may see: pass
    `queryset=Resolution.objects.visible_to(user)`, `request` and `now` (judges "overdue")."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("All open")), *Resolution.Status.choices],
        empty_label="—",
        method="by_status",
    )
    overdue = CheckFilter(label=_("Overdue only"), method="only_overdue")

    class Meta:
        model = Resolution
        fields = []

    def __init__(self, data=None, *args, now, **kwargs):
        super().__init__(data or None, *args, **kwargs)
        self.now = now
        self.bound_places()

    def by_status(self, qs, name, value):
        if value == "open":
            return qs.open()
        return qs.filter(status=value)

    def only_overdue(self, qs, name, value):
        return qs.overdue(self.now) if value else qs


class ContactFilter(PlacesFilterSet):
    """The contacts list's filters over the contacts the user may see: pass
    `queryset=Contact.objects.visible_to(user)` and `request`."""

    kind = django_filters.ChoiceFilter(label=_("Kind of contact"), choices=ContactKind.choices, empty_label="—")
    month = MonthFilter(label=_("Month"), method="in_month", widget=forms.TextInput(attrs={"placeholder": "2026-11"}))

    class Meta:
        model = Contact
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data or None, *args, **kwargs)
        self.bound_places()

    def in_month(self, qs, name, value):
        year, month = value.year, value.month
        end = periods.last_day(year, month)
        return qs.filter(
            occurred_at__gte=periods.start_of_day(value),
            occurred_at__lt=periods.start_of_day(end + datetime.timedelta(days=1)),
        )
