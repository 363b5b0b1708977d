"""Views of the annual work plan (《社区服务办公室年度工作计划》, §4.1.1): open or generate it, edit its
items, submit, decide, print; the plan against what was held (records.annual.against_actual)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import access
from liaison.formsave import save_with_form
from liaison.models import Estate

from . import actions, annual, documents, pdf, plans
from .forms import AnnualPlanForm, AnnualPlanItemForm, PlanDecisionForm
from .models import AnnualPlan, AnnualPlanItem
from .views import pdf_or_error

MIN_YEAR, MAX_YEAR = 2000, 2100


def _plan(request, pk):
    return access.get_visible(AnnualPlan.objects.select_related("estate__company"), request.user, pk, committee=None)


def _item(plan, item_pk):
    try:
        return plan.items.select_related("kind", "committee").get(pk=item_pk)
    except AnnualPlanItem.DoesNotExist:
        raise Http404


@login_required
@require_POST
def annual_open(request):
    estate = access.get_visible(
        Estate.objects.all(), request.user, request.POST.get("estate"), estate="pk", committee=None
    )
    if not access.manages_estate(request.user, estate):
        raise PermissionDenied
    try:
        year = int(request.POST.get("year"))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(year)
    except (TypeError, ValueError):
        messages.error(request, _("Choose a valid year."))
        return redirect("records:plan_list")
    plan = plans.get_or_create_annual(estate, year, by=request.user, now=timezone.now())
    return redirect(plan)


def _detail(request, plan, *, item_form=None, note_form=None, status=200):
    can_edit = plan.editable and access.manages_estate(request.user, plan.estate)
    actual = annual.against_actual(plan, timezone.now())
    return render(
        request,
        "records/annual_detail.html",
        {
            "plan": plan,
            "rows": actual["items"],
            "months": actual["months"],
            "totals": actual["totals"],
            "removed": plan.items.filter(removed=True).select_related("kind", "committee"),
            "can_edit": can_edit,
            "item_form": item_form or AnnualPlanItemForm(plan=plan),
            "note_form": note_form or AnnualPlanForm(instance=plan),
            "decision_form": PlanDecisionForm(),
            "can_decide": access.has_leader_powers(request.user) and plan.status == AnnualPlan.Status.SUBMITTED,
        },
        status=status,
    )


@login_required
def annual_detail(request, pk):
    plan = _plan(request, pk)
    if request.method != "POST":
        return _detail(request, plan)
    if not (plan.editable and access.manages_estate(request.user, plan.estate)):
        raise PermissionDenied
    now = timezone.now()
    if request.POST.get("action") == "note":
        form = AnnualPlanForm(request.POST, instance=plan)
        if form.is_valid():
            saved, _plan_saved = save_with_form(form, actions.set_annual_note, plan, form, by=request.user, now=now)
            if saved:
                messages.success(request, _("Saved."))
                return redirect(plan)
        return _detail(request, plan, note_form=form, status=400)
    form = AnnualPlanItemForm(request.POST, plan=plan)
    if form.is_valid():
        saved, _item_saved = save_with_form(form, actions.add_annual_item, plan, form, by=request.user, now=now)
        if saved:
            messages.success(request, _("Item added to the plan."))
            return redirect(plan)
    messages.error(request, _("The item was not added: see the form below."))
    return _detail(request, plan, item_form=form, status=400)


@login_required
def annual_item_edit(request, pk, item_pk):
    plan = _plan(request, pk)
    if not (plan.editable and access.manages_estate(request.user, plan.estate)):
        raise PermissionDenied
    item = _item(plan, item_pk)
    form = AnnualPlanItemForm(request.POST or None, instance=item, plan=plan)
    if request.method == "POST" and form.is_valid():
        saved, _item_saved = save_with_form(
            form, actions.edit_annual_item, plan, form, by=request.user, now=timezone.now()
        )
        if saved:
            messages.success(request, _("Item saved."))
            return redirect(plan)
    status = 400 if request.method == "POST" else 200
    return render(request, "records/annual_item_form.html", {"plan": plan, "item": item, "form": form}, status=status)


@login_required
@require_POST
def annual_item_toggle(request, pk, item_pk):
    plan = _plan(request, pk)
    if not (plan.editable and access.manages_estate(request.user, plan.estate)):
        raise PermissionDenied
    actions.toggle_annual_item(plan, _item(plan, item_pk), by=request.user, now=timezone.now())
    return redirect(plan)


@login_required
@require_POST
def annual_action(request, pk, action):
    plan = _plan(request, pk)
    now = timezone.now()
    try:
        if action == "generate":
            n = plans.generate_annual(plan, by=request.user, now=now)
            messages.info(request, _("%(n)s items added from the cadence rules and last year's plan.") % {"n": n})
        elif action == "submit":
            plans.submit_annual(plan, by=request.user, now=now)
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
            plans.decide_annual(plan, by=request.user, approve=approve, comment=form.cleaned_data["comment"], now=now)
            messages.success(request, _("Approved.") if approve else _("Returned to the director."))
        else:
            raise Http404
    except plans.PlanError as exc:
        messages.error(request, str(exc))
    return redirect(plan)


@login_required
def annual_pdf(request, pk):
    plan = _plan(request, pk)
    items = plan.items.filter(removed=False).select_related("kind", "committee")
    ctx = {"plan": plan, "items": items, **documents.header(plan.estate, "annual", str(plan.year))}
    return pdf_or_error(
        request,
        lambda: pdf.render_pdf("records/pdf/annual_plan.html", ctx),
        documents.filename("annual", plan.estate.name, str(plan.year)),
        plan,
    )
