"""Contacts that are not meetings (calls, visits, written reports, postings, publications, the inquiry
window): the list, the form and the page of one. Thin: liaison.access scopes, actions.py writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import access
from liaison.bounds import parse_id
from liaison.formsave import save_with_form
from liaison.models import CommitteeMember, Role
from liaison.uploads import attachment_response

from . import actions
from .filters import ContactFilter
from .forms import ContactAttachmentForm, ContactForm
from .models import Contact, ContactAttachment
from .views import _estate_to_schedule, _staff_for


def contact_for(request, pk):
    """The contact if the user may see it (liaison.access.contacts), else 404."""
    qs = actions.visible_contacts(request.user).select_related("estate", "committee", "staff", "recorded_by")
    try:
        return qs.get(pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404


@login_required
def contact_list(request):
    """Every contact the user may see: filters by estate, committee, kind and month."""
    filterset = ContactFilter(
        request.GET,
        queryset=actions.visible_contacts(request.user).select_related("estate", "committee", "staff"),
        request=request,
    )
    page = Paginator(filterset.qs.prefetch_related("members"), 50).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "meetings/contacts.html",
        {
            "form": filterset.form,
            "page": page,
            "rows": page.object_list,
            "query": keep.urlencode(),
            "filters_open": bool(filterset.form.errors),
            "can_record": access.managed_estates(request.user).exists(),
        },
    )


def _form(request, estate):
    committees = estate.committees.all()
    return ContactForm(
        request.POST or None,
        request.FILES or None,
        committees=committees,
        staff=_staff_for(estate).exclude(role=Role.COMMITTEE).distinct(),
        members=CommitteeMember.objects.filter(committee__in=committees, ended_on__isnull=True).select_related(
            "committee"
        ),
        initial={"staff": request.user.pk, "committee": parse_id(request.GET.get("committee", ""))},
    )


@login_required
def contact_create(request):
    estate, pick = _estate_to_schedule(request)
    if pick is not None:
        return pick
    form = _form(request, estate)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, contact = save_with_form(
            form,
            actions.record_contact,
            estate=estate,
            committee=d["committee"],
            kind=d["kind"],
            occurred_at=d["occurred_at"],
            summary=d["summary"],
            members=d["members"],
            staff=d["staff"],
            files=d["files"],
            actor=request.user,
            now=timezone.now(),
        )
        if ok:
            messages.success(request, _("Contact recorded. It counts for the cadence rules that accept its kind."))
            return redirect(contact)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/contact_form.html", {"form": form, "estate": estate}, status=status)


def _contact_page(request, contact, *, attach_form=None, status=200):
    manage = access.manages_estate(request.user, contact.estate)
    if manage and attach_form is None:
        attach_form = ContactAttachmentForm(initial={"version": contact.version})
    return render(
        request,
        "meetings/contact.html",
        {
            "contact": contact,
            "members": contact.members.select_related("committee"),
            "attachments": contact.attachments.all(),
            "attach_form": attach_form if manage else None,
        },
        status=status,
    )


@login_required
def contact_detail(request, pk):
    return _contact_page(request, contact_for(request, pk))


@login_required
@require_POST
def contact_attach(request, pk):
    contact = contact_for(request, pk)
    if not access.manages_estate(request.user, contact.estate):
        raise PermissionDenied
    form = ContactAttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _a = save_with_form(
            form,
            actions.add_contact_attachment,
            contact,
            actor=request.user,
            now=timezone.now(),
            file=form.cleaned_data["file"],
            version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("Attachment added."))
            return redirect(contact)
    return _contact_page(request, contact, attach_form=form, status=400)


@login_required
def contact_attachment(request, pk):
    try:
        att = ContactAttachment.objects.get(pk=pk)
    except (ContactAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404
    contact_for(request, att.contact_id)
    return attachment_response(att.file, att.original_name)
