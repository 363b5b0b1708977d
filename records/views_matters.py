"""Pages of the important matters (§4.1.6): the list (django-filter), a matter, its form. Staff of the
estate see every matter of it; a committee member sees the matters raised with their committee
(liaison.access.important_matters); only those who run the estate record and change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import access
from liaison.formsave import save_with_form

from . import matters
from .matter_forms import MatterFilter, MatterForm
from .models import ImportantMatter


def visible_matters(user):
    qs = ImportantMatter.objects.select_related(
        "estate", "committee", "meeting", "contact_sheet", "signoff_request", "recorded_by"
    )
    return access.important_matters(qs, user)


def _matter(request, pk):
    try:
        return visible_matters(request.user).get(pk=pk)
    except (ImportantMatter.DoesNotExist, ValueError, TypeError):
        raise Http404


@login_required
def matter_list(request):
    now = timezone.now()
    filterset = MatterFilter(request.GET, queryset=visible_matters(request.user), request=request, now=now)
    page = Paginator(filterset.qs.order_by(F("raised_at").asc(nulls_first=True), "raise_by", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "records/matter_list.html",
        {
            "filter": filterset,
            "page": page,
            "now": now,
            "can_create": access.managed_estates(request.user).exists(),
        },
    )


@login_required
def matter_detail(request, pk):
    matter = _matter(request, pk)
    return render(
        request,
        "records/matter_detail.html",
        {
            "matter": matter,
            "now": timezone.now(),
            "events": matter.events.filter(skipped=False) if not request.user.is_committee else [],
            "can_manage": access.manages_estate(request.user, matter.estate),
        },
    )


def _form_page(request, instance=None):
    data = request.POST if request.method == "POST" else None
    initial = {}
    if instance is None and request.GET.get("committee"):
        initial["committee"] = request.GET["committee"]
    form = MatterForm(data, instance=instance, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved, matter = save_with_form(form, matters.save_matter, form, by=request.user, now=timezone.now())
        if saved:
            messages.success(request, _("Important matter saved."))
            return redirect(matter)
    return render(request, "records/matter_form.html", {"form": form, "matter": instance})


@login_required
def matter_create(request):
    if not access.managed_estates(request.user).exists():
        raise PermissionDenied
    return _form_page(request)


@login_required
def matter_edit(request, pk):
    matter = _matter(request, pk)
    if not access.manages_estate(request.user, matter.estate):
        raise PermissionDenied
    return _form_page(request, matter)
