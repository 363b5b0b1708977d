"""Thin views: parse the input, call followups.actions, render. Objects come through permissions.py."""

import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from liaison import cn_calendar
from liaison.bounds import parse_id
from liaison.escaping import safe_row
from liaison.filters import active_count, longer_than_limit
from liaison.formsave import save_with_form
from liaison.uploads import IMAGE_TYPES, attachment_response, sniff

from . import actions, deadlines, forms, history, permissions
from .filters import IssueFilter
from .home import issue_row
from .models import DEADLINE_LABELS, DeadlinePolicy, IssueAttachment

# --- list, filters, export, bulk assign ---------------------------------------------------------------


def _filtered(request, now):
    """The issue list's FilterSet over what the user may see (its `.qs`: the filtered issues)."""
    issues = permissions.visible_issues(request.user).select_related("estate", "committee", "assignee", "department")
    return IssueFilter(request.GET, queryset=issues, request=request, now=now)


class KeysFirstPaginator(Paginator):
    """Reads a page in one query that picks the page's ids first (a narrow sort, an index-only scan for
    deep pages) and then reads only those rows with their joined columns: sorting thousands of matching
    rows with their joins (e.g. every overdue issue for a leader) was most of the list's database time."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(list(self.object_list.filter(pk__in=ids)), number, self)


def _assign_form(filterset):
    """The bulk-assign form, its people a pick list of at most OPTIONS_LIMIT: everyone, or when the
    company is larger the staff of the estate the list is filtered by (None: choose an estate first)."""
    form = forms.AssignForm()
    staff = form.fields["assignee"].queryset
    if not longer_than_limit(staff):
        return form
    estate = filterset.form.cleaned_data.get("estate") if filterset.form.is_valid() else None
    if estate is None:
        return None
    form.fields["assignee"].queryset = staff.filter(assignments__estate=estate).distinct()
    return form


@login_required
def issue_list(request):
    now = timezone.now()
    user = request.user
    filterset = _filtered(request, now)
    page = KeysFirstPaginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    active = active_count(filterset.form)
    return render(
        request,
        "followups/issue_list.html",
        {
            "form": filterset.form,
            "filters_active": active,
            # on a phone the filters are folded; open when one is set or has an error (its message shows)
            "filters_open": bool(active or filterset.form.errors),
            "page": page,
            "rows": [issue_row(i, now) for i in page.object_list],
            "query": query.urlencode(),
            "can_bulk": permissions.can_triage_some(user),
            "assign_form": _assign_form(filterset),
            "can_raise": permissions.can_raise(user),
        },
    )


EXPORT_COLUMNS = [
    (_("No."), lambda i, now: i.pk),
    (_("Estate"), lambda i, now: i.estate.name),
    (_("Committee"), lambda i, now: i.committee.name),
    (_("Raised by"), lambda i, now: i.raised_by),
    (_("Raised at"), lambda i, now: i.raised_at),
    (_("Source"), lambda i, now: i.get_source_display()),
    (_("Category"), lambda i, now: i.get_category_display()),
    (_("Urgency"), lambda i, now: i.get_urgency_display()),
    (_("Subject"), lambda i, now: i.title),
    (_("Description"), lambda i, now: i.description),
    (_("Location"), lambda i, now: i.location),
    (_("Status"), lambda i, now: i.get_status_display()),
    (_("Responsibility"), lambda i, now: i.get_responsibility_display()),
    (_("Department"), lambda i, now: str(i.department or "")),
    (_("Person responsible"), lambda i, now: str(i.assignee or "")),
    (_("Reply due"), lambda i, now: i.reply_due_at),
    (_("Replied at"), lambda i, now: i.replied_at),
    (_("Next callback due"), lambda i, now: i.callback_due_at),
    (_("Last callback"), lambda i, now: i.last_callback_at),
    (_("Satisfaction"), lambda i, now: i.get_satisfaction_display()),
    (_("Closed at"), lambda i, now: i.closed_at),
    (_("Overdue"), lambda i, now: _("yes") if i.is_overdue(now) else ""),
]


@login_required
def issue_export(request):
    now = timezone.now()
    qs = _filtered(request, now).qs
    wb = Workbook()
    ws = wb.active
    ws.title = _("Issues")[:31]
    ws.append([str(c[0]) for c in EXPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FDE2E1")
    for issue in qs.iterator(chunk_size=500):
        values = []
        for _label, get in EXPORT_COLUMNS:
            v = get(issue, now)
            if isinstance(v, datetime.datetime):
                v = timezone.localtime(v).replace(tzinfo=None)
            values.append(v)
        ws.append(safe_row(values))  # a title like =HYPERLINK(…) stays text
        if issue.is_overdue(now):
            for cell in ws[ws.max_row]:
                cell.fill = red
    for col in ("E", "P", "Q", "R", "S", "U"):
        for cell in ws[col][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
        ws.column_dimensions[col].width = 17
    ws.column_dimensions["J"].width = 50
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"issues-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def bulk_assign(request):
    user = request.user
    form = forms.AssignForm(request.POST)
    ids = [n for n in map(parse_id, request.POST.getlist("issue")) if n is not None]
    back = redirect(request.POST.get("back") if _safe_back(request.POST.get("back")) else "followups:list")
    if not ids:
        messages.error(request, _("Select at least one issue to assign."))
        return back
    if not form.is_valid():
        messages.error(request, _("Choose the person responsible."))
        return back
    issues = list(permissions.visible_issues(user).filter(pk__in=ids).select_related("estate"))
    if len(issues) != len(set(ids)):
        raise Http404
    refused = [i for i in issues if not permissions.can_triage(user, i)]
    if refused:
        messages.error(
            request,
            _("You may not assign issue(s) %(ids)s; nothing was assigned.")
            % {"ids": ", ".join(f"#{i.pk}" for i in refused)},
        )
        return back
    try:
        n = actions.bulk_assign(
            issues, assignee=form.cleaned_data["assignee"], department=form.cleaned_data["department"], actor=user
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages) + " " + _("Nothing was assigned."))
        return back
    messages.success(request, _("%(n)d issue(s) assigned to %(who)s.") % {"n": n, "who": form.cleaned_data["assignee"]})
    return back


def _safe_back(url):
    return bool(url) and url.startswith("/issues/") and "//" not in url


# --- raising -----------------------------------------------------------------------------------------


@login_required
def issue_create(request):
    user = request.user
    if not permissions.can_raise(user):
        raise PermissionDenied
    committees = permissions.raisable_committees(user)
    if not committees.exists():
        messages.error(request, _("You have no committee to raise an issue for."))
        return redirect("followups:list")
    initial = {}
    if parse_id(request.GET.get("committee", "")) is not None:
        initial["committee"] = parse_id(request.GET["committee"])
    form = forms.IssueForm(
        request.POST or None, request.FILES or None, user=user, committees=committees, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        now = timezone.now()
        committee = d["committee"]
        ok, issue = save_with_form(
            form,
            actions.raise_issue,
            estate=committee.estate,
            committee=committee,
            raised_by=_member_of(user, committee) if user.is_committee else d["raised_by"],
            raised_at=now if user.is_committee else d["raised_at"],
            description=d["description"],
            source="online" if user.is_committee else d["source"],
            source_ref=d.get("source_ref", ""),
            answer_on_spot=d.get("answer_on_spot", ""),
            category=d["category"],
            title=d["title"],
            location=d["location"],
            urgency=d["urgency"],
            attachments=[*d.get("photos", []), *d.get("attachment", [])],
            actor=user,
            now=now,
        )
        if ok:
            if issue.is_closed:
                messages.success(
                    request, _("Issue #%(pk)s recorded and closed: answered on the spot.") % {"pk": issue.pk}
                )
            else:
                messages.success(
                    request,
                    _("Issue #%(pk)s recorded. A reply and a callback are due by the dates shown.") % {"pk": issue.pk},
                )
            return redirect(issue)
    return render(request, "followups/issue_form.html", {"form": form})


def _member_of(user, committee):
    return committee.members.filter(user=user, ended_on__isnull=True).first() or user.display_name


# --- detail and the steps ----------------------------------------------------------------------------------


def _detail_context(request, issue, now, **bound):
    user = request.user
    staff = not user.is_committee
    dls = []
    for kind, due, done in (
        ("triage", issue.triage_due_at, issue.triaged_at),
        ("reply", issue.reply_due_at, issue.replied_at),
        ("resolve", issue.resolve_due_at, issue.resolved_at),
        ("callback", issue.first_callback_due_at, issue.first_callback_at),
    ):
        if due:
            dls.append(
                {
                    "label": DEADLINE_LABELS[kind],
                    "due": due,
                    "done": done,
                    "late": (done and done > due) or (not done and due < now and not issue.is_closed),
                    "when": "" if (done or issue.is_closed) else deadlines.humanize(due, now),
                }
            )
    if issue.callback_due_at and issue.first_callback_at:
        dls.append(
            {
                "label": _("Next callback"),
                "due": issue.callback_due_at,
                "done": None,
                "late": issue.callback_due_at < now,
                "when": deadlines.humanize(issue.callback_due_at, now),
            }
        )
    ctx = {
        "issue": issue,
        "now": now,
        "deadlines": dls,
        "overdue": issue.is_overdue(now),
        "calendar_known": deadlines.calendar_known_for(issue),
        "working_days": deadlines.policy_value(issue.policy, "counting") == DeadlinePolicy.Counting.WORKING,
        "replies": issue.replies.select_related("replied_by"),
        "callbacks": issue.callbacks.select_related("recorded_by"),
        "outside_bodies": issue.outside_bodies.all(),
        "attachments": [a for a in issue.attachments.all() if not a.is_photo],
        "photos": [a for a in issue.attachments.all() if a.is_photo],
        "staff": staff,
        "events": history.issue_events(issue) if staff else [],
        "history": history.issue_history(issue) if staff else [],
        "can": permissions.abilities(user, issue),
    }
    ctx["classify_form"] = bound.get("classify_form") or forms.ClassifyForm(
        issue=issue,
        initial={
            "responsibility": issue.responsibility or None,
            "assignee": issue.assignee_id,
            "department": issue.department_id,
            "outside_reason": issue.outside_reason,
            "version": issue.version,
        },
    )
    ctx["assign_form"] = bound.get("assign_form") or forms.AssignForm(
        issue=issue, initial={"assignee": issue.assignee_id, "department": issue.department_id}
    )
    ctx["reply_form"] = bound.get("reply_form") or forms.ReplyForm()
    ctx["coordinate_form"] = bound.get("coordinate_form") or forms.OutsideBodyForm()
    ctx["resolve_form"] = bound.get("resolve_form") or forms.ResolveForm()
    ctx["callback_form"] = bound.get("callback_form") or forms.CallbackForm(
        initial={"person_reached": _chair_name(issue)}
    )
    ctx["confirm_form"] = bound.get("confirm_form") or forms.ConfirmForm()
    ctx["close_form"] = bound.get("close_form") or forms.CloseForm()
    ctx["attach_form"] = bound.get("attach_form") or forms.AttachForm()
    ctx["open_panel"] = next(iter(bound), "")
    return ctx


def _chair_name(issue):
    chair = issue.committee.chair()
    return chair.name if chair else issue.raised_by


@login_required
def issue_detail(request, pk):
    issue = permissions.get_issue(request.user, pk)
    return render(request, "followups/issue_detail.html", _detail_context(request, issue, timezone.now()))


def _step(request, pk, *, form_class, form_key, check, run, success, files=False):
    """POST-only step on an issue: validate the form, run the action, or show the detail page with errors."""
    if request.method != "POST":
        return redirect("followups:detail", pk)
    issue = permissions.get_issue(request.user, pk)
    if not check(request.user, issue):
        raise PermissionDenied
    extra = {"issue": issue} if issubclass(form_class, forms.IssueStaffForm) else {}
    form = form_class(request.POST, request.FILES, **extra) if files else form_class(request.POST, **extra)
    now = timezone.now()
    if form.is_valid():
        ok, _result = save_with_form(form, run, issue, form.cleaned_data, now)
        if ok:
            messages.success(request, success)
            return redirect("followups:detail", pk)
    issue.refresh_from_db()
    messages.error(request, _("Please correct the errors below."))
    return render(
        request, "followups/issue_detail.html", _detail_context(request, issue, now, **{form_key: form}), status=400
    )


@login_required
def issue_classify(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.ClassifyForm,
        form_key="classify_form",
        check=permissions.can_triage,
        run=lambda issue, d, now: actions.classify(
            issue,
            version=d.get("version"),
            responsibility=d["responsibility"],
            assignee=d["assignee"],
            department=d["department"],
            outside_reason=d["outside_reason"],
            actor=request.user,
            now=now,
        ),
        success=_("Issue classified."),
    )


@login_required
def issue_assign(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.AssignForm,
        form_key="assign_form",
        check=permissions.can_triage,
        run=lambda issue, d, now: actions.assign(
            issue, assignee=d["assignee"], department=d["department"], actor=request.user, now=now
        ),
        success=_("Issue assigned."),
    )


@login_required
def issue_reply(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.ReplyForm,
        form_key="reply_form",
        check=permissions.can_work,
        run=lambda issue, d, now: actions.add_reply(issue, text=d["text"], actor=request.user, now=now),
        success=_("Reply recorded; the committee has been told."),
    )


@login_required
def issue_coordinate(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.OutsideBodyForm,
        form_key="coordinate_form",
        check=permissions.can_work,
        run=lambda issue, d, now: actions.add_outside_body(issue, **d, actor=request.user, now=now),
        success=_("Coordination recorded."),
    )


@login_required
def issue_resolve(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.ResolveForm,
        form_key="resolve_form",
        check=permissions.can_work,
        run=lambda issue, d, now: actions.mark_resolved(issue, resolution=d["resolution"], actor=request.user, now=now),
        success=_("Marked as resolved. The committee is asked to confirm; a callback is still due."),
    )


@login_required
def issue_callback(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.CallbackForm,
        form_key="callback_form",
        check=permissions.can_callback,
        run=lambda issue, d, now: actions.record_callback(issue, **d, actor=request.user, now=now),
        success=_("Callback recorded."),
    )


@login_required
def issue_confirm(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.ConfirmForm,
        form_key="confirm_form",
        check=permissions.can_confirm,
        run=lambda issue, d, now: actions.confirm_resolution(
            issue, user=request.user, satisfaction=d["satisfaction"], comment=d["comment"], now=now
        ),
        success=_("Thank you: your answer has been recorded."),
    )


@login_required
def issue_close(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.CloseForm,
        form_key="close_form",
        check=lambda u, i: permissions.can_triage(u, i) or permissions.can_decide_close(u, i),
        run=lambda issue, d, now: actions.close_issue(issue, actor=request.user, decision=d["decision"], now=now),
        success=_("Issue closed."),
    )


@login_required
def issue_attach(request, pk):
    return _step(
        request,
        pk,
        form_class=forms.AttachForm,
        form_key="attach_form",
        check=permissions.can_attach,
        run=lambda issue, d, now: actions.attach_files(
            issue, files=[*d["photos"], *d["file"]], actor=request.user, now=now
        ),
        success=_("Photos and files added."),
        files=True,
    )


def _visible_attachment(request, pk):
    att = get_object_or_404(IssueAttachment, pk=pk)
    permissions.get_issue(request.user, att.issue_id)  # 404 unless the issue is visible
    return att


@login_required
def attachment_download(request, pk):
    """A photo opens in the browser (?download=1 saves it); any other file is a download."""
    att = _visible_attachment(request, pk)
    return attachment_response(att.file, att.name, inline_images="download" not in request.GET)


@login_required
def attachment_thumbnail(request, pk):
    att = _visible_attachment(request, pk)
    if att.thumbnail:
        return attachment_response(att.thumbnail, att.name, inline_images=True)
    # an image attached before photos had thumbnails: the picture itself
    with att.file.open("rb") as f:
        kind = sniff(f.read(2048))
    if kind in IMAGE_TYPES:
        return attachment_response(att.file, att.name, inline_images=True)
    raise Http404


# --- policies ------------------------------------------------------------------------------------------


@login_required
def policy_list(request):
    if request.user.is_committee:
        raise PermissionDenied
    year = timezone.localdate().year
    return render(
        request,
        "followups/policy_list.html",
        {
            "policies": DeadlinePolicy.objects.all(),
            "known_years": sorted(cn_calendar.KNOWN_YEARS),
            "this_year_known": cn_calendar.is_known(year),
            "next_year_known": cn_calendar.is_known(year + 1),
            "year": year,
            "next_year": year + 1,
        },
    )
