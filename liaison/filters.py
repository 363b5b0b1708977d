"""What every list's filters share (django-filter): the estate and committee a user may pick, bounded.

The options are what the user may see (liaison.access); a value outside them or a bad number is a
message on the field and that filter is left out, never an error page. The issue list
(followups.filters) and the meetings list (meetings.filters) build on PlacesFilterSet.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from . import access
from .bounds import parse_id

# a pick list longer than this is no help to a person (nobody scrolls 1,000 estates) and its page grows
# with the company: the estate filter becomes a name search, the committee list waits for an estate
# (README, "Design")
OPTIONS_LIMIT = 100


class CommitteeLabel:
    """A committee offered as "estate · committee" (the queryset selects the estate)."""

    def label_from_instance(self, obj):
        return f"{obj.estate.name} · {obj.name}"


class CommitteeField(CommitteeLabel, django_filters.fields.ModelChoiceField):
    pass


class CommitteeFilter(django_filters.ModelChoiceFilter):
    field_class = CommitteeField


def _estates(request):
    return access.visible_estates(request.user)


def _committees(request):
    return access.visible_committees(request.user).select_related("estate")


def counted(qs):
    """How many rows, counted no further than one past OPTIONS_LIMIT."""
    return qs[: OPTIONS_LIMIT + 1].count()


def longer_than_limit(qs):
    """More than OPTIONS_LIMIT rows."""
    return counted(qs) > OPTIONS_LIMIT


class PlacesFilterSet(django_filters.FilterSet):
    """Estate and committee filters over what `request.user` may see; pass `request`."""

    estate = django_filters.ModelChoiceFilter(label=_("Estate"), queryset=_estates, empty_label=_("All my estates"))
    estate_name = django_filters.CharFilter(label=_("Estate"), field_name="estate__name", lookup_expr="icontains")
    committee = CommitteeFilter(label=_("Committee"), queryset=_committees, empty_label=_("All committees"))

    def bound_places(self):
        """Pick lists of at most OPTIONS_LIMIT entries: more estates become a name search (the id a link
        carries, e.g. ?estate=7, still filters), and committees are offered for the chosen estate. For a
        committee member one estate or one committee to choose from is no choice, and is not offered."""
        filters = self.filters
        estates = filters["estate"].queryset(self.request)
        estate_count = counted(estates)
        if estate_count > OPTIONS_LIMIT:
            filters["estate"].extra["widget"] = forms.HiddenInput
        else:
            del filters["estate_name"]
        single = self.request.user.is_committee  # staff keep their pick lists (a link may set them)
        if single and estate_count <= 1:
            del filters["estate"]
            filters.pop("estate_name", None)
        committees = filters["committee"].queryset(self.request)
        chosen = parse_id((self.data or {}).get("estate", ""))
        if chosen is not None:
            filters["committee"].queryset = committees.filter(estate_id=chosen)
            return
        committee_count = counted(committees)
        if committee_count > OPTIONS_LIMIT:
            filters["committee"].queryset = committees
            filters["committee"].extra["widget"] = forms.HiddenInput
        elif single and committee_count <= 1:
            del filters["committee"]

    def chosen(self, name):
        """The valid value of filter `name` (None when unset, invalid or not offered)."""
        if not self.form.is_valid() and not self.is_bound:  # nothing asked
            return None
        return self.form.cleaned_data.get(name)  # an invalid value is left out of it


def active_count(form):
    """How many of the form's filters the request sets (the phone's filter button shows the number)."""
    return sum(1 for name in form.fields if form.data.get(name) not in (None, ""))
