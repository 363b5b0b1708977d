"""Views for the forms printed from meetings/follow-ups data, the monthly work plan and batch printing."""

import datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import access
from liaison.formsave import save_with_form
from liaison.models import Estate
from liaison.uploads import attachment_response

from . import actions, batch, documents, meetings_forms, pdf, plans
from .forms import MinutesResponseForm, PlanDecisionForm, WorkPlanForm, WorkPlanItemForm
from .models import AnnualPlan, BatchJob, MinutesResponsePhoto, WorkPlan, WorkPlanItem
from .views import pdf_or_error

# --- AM-02-R02 / AM-02-R03 from a meeting ---------------------------------------------------------------


@login_required
def signin_pdf(request, meeting_pk):
    meeting = meetings_forms.get_meeting(request, meeting_pk)
    recorded = request.GET.get("recorded") == "1"
    name = documents.filename("signin", meeting.title, _("recorded") if recorded else "")
    return pdf_or_error(
        request,
        lambda: meetings_forms.signin_pdf([meeting], recorded=recorded, user=request.user),
        name,
        "records:index",
    )


@login_required
def signin_html(request, meeting_pk):
    meeting = meetings_forms.get_meeting(request, meeting_pk)
    recorded = request.GET.get("recorded") == "1"
    sheet = meetings_forms.signin_sheet(meeting, recorded=recorded, user=request.user)
    return render(request, "records/signin.html", {"meeting": meeting, "sheet": sheet, "recorded": recorded})


def _visible_minutes(request, meeting_pk):
    meeting = meetings_forms.get_meeting(request, meeting_pk)
    minutes = getattr(meeting, "minutes", None)
    if minutes is None or (request.user.is_committee and not minutes.is_final):
        raise Http404
    return meeting, minutes


def _minutes_ctx(request, meeting, minutes, form=None):
    """The minutes with the members' answers: a member sees their own answer and the form (while the
    minutes are open to answers); the company's staff see who confirmed, who objected and what, and who
    has not answered."""
    user, now = request.user, timezone.now()
    member = access.in_committee(user, meeting.committee_id)
    mine = minutes.member_responses.filter(user=user).first() if member else None
    open_now = minutes.is_final and actions.minutes_open_to_answers(minutes, now)
    if member and open_now and form is None:
        form = MinutesResponseForm(initial={"answer": mine.answer, "comment": mine.comment} if mine else None)
    return {
        "meeting": meeting,
        "minutes": minutes,
        "fragment": meetings_forms.minutes_fragment(minutes),
        "can_manage": access.manages_estate(user, meeting.estate),
        "is_member": member,
        "mine": mine,
        "answer_form": form if member and open_now else None,
        "answers_close_at": actions.minutes_answers_close_at(minutes),
        "answers_open": open_now,
        "answers": actions.minutes_answers(minutes) if minutes.is_final and not user.is_committee else None,
    }


@login_required
def minutes_html(request, meeting_pk):
    meeting, minutes = _visible_minutes(request, meeting_pk)
    return render(request, "records/minutes.html", _minutes_ctx(request, meeting, minutes))


@login_required
@require_POST
def minutes_respond(request, meeting_pk):
    """A committee member confirms the final minutes or objects with a comment."""
    meeting, minutes = _visible_minutes(request, meeting_pk)  # 404 outside the member's committee
    if not access.in_committee(request.user, meeting.committee_id):
        raise PermissionDenied
    form = MinutesResponseForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        saved, response = save_with_form(
            form,
            actions.respond_to_minutes,
            minutes,
            user=request.user,
            answer=d["answer"],
            comment=d["comment"],
            photos=d["photos"],
            now=timezone.now(),
        )
        if saved:
            messages.success(
                request,
                _("You confirmed the minutes.") if not response.objected else _("Your objection was recorded."),
            )
            return redirect(reverse("records:minutes_html", args=[meeting.pk]) + "#minutes-answers")
    ctx = _minutes_ctx(request, meeting, minutes, form=form)
    if ctx["answer_form"] is None:  # closed meanwhile: say so
        for e in form.non_field_errors():
            messages.error(request, e)
    return render(request, "records/minutes.html", ctx, status=400)


def _visible_answer_photo(request, pk):
    """A photo of a member's answer: for whoever sees the answers (the company's staff who see the
    minutes) and for the member who answered; anyone else gets 404."""
    photo = get_object_or_404(MinutesResponsePhoto.objects.select_related("response__minutes"), pk=pk)
    _visible_minutes(request, photo.response.minutes.meeting_id)  # 404 outside the estate / committee
    if request.user.is_committee and photo.response.user_id != request.user.pk:
        raise Http404
    return photo


@login_required
def minutes_answer_photo(request, pk):
    photo = _visible_answer_photo(request, pk)
    return attachment_response(photo.file, photo.name, inline_images="download" not in request.GET)


@login_required
def minutes_answer_thumbnail(request, pk):
    photo = _visible_answer_photo(request, pk)
    return attachment_response(photo.thumbnail or photo.file, photo.name, inline_images=True)


@login_required
def minutes_pdf(request, meeting_pk):
    meeting, minutes = _visible_minutes(request, meeting_pk)
    return pdf_or_error(
        request,
        lambda: meetings_forms.minutes_pdf(minutes),
        documents.filename("minutes", meeting.title),
        "records:index",
    )


# --- CS-01-R01 callbacks ----------------------------------------------------------------------------------------


@login_required
def callbacks_issue(request, issue_pk):
    issue = meetings_forms.get_issue(request, issue_pk)
    groups = meetings_forms.callback_groups_for_issue(issue)
    if request.GET.get("format") == "pdf":
        return pdf_or_error(
            request,
            lambda: meetings_forms.callbacks_pdf(issue.estate, groups),
            documents.filename("callback", issue.pk),
            "records:index",
        )
    return render(request, "records/callbacks.html", {"groups": groups, "estate": issue.estate, "issue": issue})


def _check_month(year, month):
    """ValueError unless a month the records can be about (far years overflow the date arithmetic)."""
    if not 2000 <= year <= 2100:
        raise ValueError(year)
    datetime.date(year, month, 1)


def _month(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        _check_month(year, month)
    except (TypeError, ValueError):
        year, month = today.year, today.month
    return year, month


def _estate(request, pk):
    return access.get_visible(Estate.objects.select_related("company"), request.user, pk, estate="pk", committee=None)


@login_required
def callbacks_month(request, estate_pk):
    estate = _estate(request, estate_pk)
    year, month = _month(request)
    groups = meetings_forms.callback_groups_for_month(request.user, estate, year, month)
    period = f"{year}-{month:02d}"
    if request.GET.get("format") == "pdf":
        return pdf_or_error(
            request,
            lambda: meetings_forms.callbacks_pdf(estate, groups, period=period),
            documents.filename("callback", estate.name, period),
            "records:index",
        )
    return render(
        request,
        "records/callbacks.html",
        {"groups": groups, "estate": estate, "year": year, "month": month, "period": period},
    )


# --- AM-02-R04 monthly work plan ----------------------------------------------------------------------------------


def _plan(request, pk):
    return access.get_visible(WorkPlan.objects.select_related("estate__company"), request.user, pk, committee=None)


@login_required
def plan_list(request):
    if request.user.is_committee:
        raise PermissionDenied
    plans_qs = access.scope(WorkPlan.objects.select_related("estate"), request.user, committee=None)
    annual_qs = access.scope(AnnualPlan.objects.select_related("estate"), request.user, committee=None)
    estate = request.GET.get("estate", "")
    if estate.isdigit():  # one estate's plans (the assessment's column links here)
        plans_qs, annual_qs = plans_qs.filter(estate_id=estate), annual_qs.filter(estate_id=estate)
    today = timezone.localdate()
    nxt = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "records/plan_list.html",
        {
            "plans": plans_qs[:200],
            "annual_plans": access.scope(AnnualPlan.objects.select_related("estate"), request.user, committee=None)[
                :200
            ],
            "this_year": today.year,
            "estates": access.managed_estates(request.user),
            "this_month": today,
            "next_month": nxt,
            "is_leader": access.has_leader_powers(request.user),
        },
    )


@login_required
@require_POST
def plan_open(request):
    estate = _estate(request, request.POST.get("estate"))
    if not access.manages_estate(request.user, estate):
        raise PermissionDenied
    try:
        year, month = int(request.POST.get("year")), int(request.POST.get("month"))
        _check_month(year, month)
    except (TypeError, ValueError):
        messages.error(request, _("Choose a valid month."))
        return redirect("records:plan_list")
    plan = plans.get_or_create_plan(estate, year, month, by=request.user, now=timezone.now())
    return redirect(plan)


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    can_edit = plan.editable and access.manages_estate(request.user, plan.estate)
    item_form = WorkPlanItemForm(plan=plan)
    note_form = WorkPlanForm(instance=plan)
    if request.method == "POST" and can_edit:
        action = request.POST.get("action")
        now = timezone.now()
        if action == "add":
            item_form = WorkPlanItemForm(request.POST, plan=plan)
            if item_form.is_valid():
                saved, _item = save_with_form(
                    item_form, actions.add_plan_item, plan, item_form, by=request.user, now=now
                )
                if saved:
                    messages.success(request, _("Activity added."))
                    return redirect(plan)
        elif action == "note":
            note_form = WorkPlanForm(request.POST, instance=plan)
            if note_form.is_valid():
                saved, _saved = save_with_form(
                    note_form, actions.set_plan_note, plan, note_form, by=request.user, now=now
                )
                if saved:
                    return redirect(plan)
    return render(
        request,
        "records/plan_detail.html",
        {
            "plan": plan,
            "items": plan.items.all(),
            "can_edit": can_edit,
            "item_form": item_form,
            "note_form": note_form,
            "decision_form": PlanDecisionForm(),
            "can_decide": access.has_leader_powers(request.user) and plan.status == WorkPlan.Status.SUBMITTED,
        },
    )


@login_required
@require_POST
def plan_item_toggle(request, pk, item_pk):
    plan = _plan(request, pk)
    if not (plan.editable and access.manages_estate(request.user, plan.estate)):
        raise PermissionDenied
    try:
        item = plan.items.get(pk=item_pk)
    except WorkPlanItem.DoesNotExist:
        raise Http404
    actions.toggle_plan_item(plan, item, by=request.user, now=timezone.now())
    return redirect(plan)


@login_required
@require_POST
def plan_action(request, pk, action):
    plan = _plan(request, pk)
    now = timezone.now()
    try:
        if action == "generate":
            if not access.manages_estate(request.user, plan.estate):
                raise PermissionDenied
            n = plans.generate(plan, by=request.user, now=now)
            messages.info(
                request, _("%(n)s activities added from the cadence rules and scheduled meetings.") % {"n": n}
            )
        elif action == "submit":
            if not access.manages_estate(request.user, plan.estate):
                raise PermissionDenied
            plans.submit(plan, by=request.user, now=now)
            messages.success(request, _("Submitted to the leader for approval."))
        elif action == "decide":
            if not access.has_leader_powers(request.user):
                raise PermissionDenied
            form = PlanDecisionForm(request.POST)
            if not form.is_valid():
                for errs in form.errors.values():
                    for e in errs:
                        messages.error(request, e)
                return redirect(plan)
            approve = form.cleaned_data["decision"] == "approve"
            plans.decide(plan, by=request.user, approve=approve, comment=form.cleaned_data["comment"], now=now)
            messages.success(request, _("Approved.") if approve else _("Returned to the director."))
        else:
            raise Http404
    except plans.PlanError as exc:
        messages.error(request, str(exc))
    return redirect(plan)


@login_required
def plan_pdf(request, pk):
    plan = _plan(request, pk)
    ctx = {"plan": plan, "items": plan.items.filter(removed=False), **documents.header(plan.estate, "plan", str(plan))}
    return pdf_or_error(
        request,
        lambda: pdf.render_pdf("records/pdf/work_plan.html", ctx),
        documents.filename("plan", plan.estate.name, f"{plan.year}-{plan.month:02d}"),
        plan,
    )


# --- batch printing ---------------------------------------------------------------------------------------------------


@login_required
def batch_page(request):
    if request.user.is_committee:
        raise PermissionDenied
    now = timezone.now()
    start, end = meetings_forms.next_week(now)
    meetings = list(meetings_forms.next_week_meetings(request.user, now))
    jobs = BatchJob.objects.filter(requested_by=request.user)[:10]
    return render(
        request,
        "records/batch.html",
        {
            "meetings": meetings,
            "start": start,
            "end": end - datetime.timedelta(days=1),
            "jobs": jobs,
            "estates": access.visible_estates(request.user),
            "today": timezone.localdate(),
            "inline_limit": batch.inline_limit(),
        },
    )


@login_required
@require_POST
def batch_start(request):
    if request.user.is_committee:
        raise PermissionDenied
    kind = request.POST.get("kind")
    now = timezone.now()
    if kind == "signin_next_week":
        meetings = list(meetings_forms.next_week_meetings(request.user, now))
        if not meetings:
            messages.info(request, _("No meetings next week."))
            return redirect("records:batch")
        if len(meetings) <= batch.inline_limit():
            return pdf_or_error(
                request,
                lambda: meetings_forms.signin_pdf(meetings, user=request.user),
                documents.filename("signin", _("next week")),
                "records:batch",
            )
        job = actions.start_batch_job(
            request.user, "signin_next_week", {"meeting_ids": [m.pk for m in meetings]}, total=len(meetings)
        )
    elif kind == "month_archive":
        estate = _estate(request, request.POST.get("estate"))
        try:
            year, month = int(request.POST.get("year")), int(request.POST.get("month"))
            _check_month(year, month)
        except (TypeError, ValueError):
            messages.error(request, _("Choose a valid month."))
            return redirect("records:batch")
        job = actions.start_batch_job(request.user, "month_archive", {"year": year, "month": month}, estate=estate)
    else:
        raise Http404
    return redirect("records:batch_job", pk=job.pk)


def _job(request, pk):
    try:
        return BatchJob.objects.get(pk=pk, requested_by=request.user)
    except (BatchJob.DoesNotExist, ValueError):
        raise Http404


@login_required
def batch_job(request, pk):
    job = _job(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "done": job.done,
                "total": job.total,
                "percent": job.percent,
                "error": job.error,
                "download": reverse("records:batch_download", args=[job.pk])
                if job.status == BatchJob.Status.DONE
                else "",
            }
        )
    return render(request, "records/batch_job.html", {"job": job})


@login_required
def batch_download(request, pk):
    job = _job(request, pk)
    if job.status != BatchJob.Status.DONE or job.result is None:
        raise Http404
    if job.content_type == pdf.PDF_MIME:
        return pdf.pdf_response(bytes(job.result), job.filename, inline=False)
    response = HttpResponse(bytes(job.result), content_type=job.content_type)
    response["Content-Disposition"] = f"attachment; filename=\"records.zip\"; filename*=UTF-8''{quote(job.filename)}"
    return response
