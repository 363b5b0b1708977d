"""Views of the monthly assessment: thin, every estate scoped through liaison.access.

Committee members, supervisors and department staff get 403; directors see their own estates only;
leaders, assessors and administrators see every estate.
"""

import datetime
import functools
import urllib.parse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from liaison import access
from liaison.bounds import parse_id
from liaison.filters import OPTIONS_LIMIT
from liaison.models import AuditEntry, StaffAssignment

from . import actions, cadence, charts, live, metrics, provisional, scoring, standing, table
from . import compute as comp
from .export import pdf_month, xlsx_response
from .models import AssessmentMonth, EstateFigures
from .months import Month

LIST_PAGE = 100


def current_time():
    """The views' clock (tests replace it to look at a month from a given moment)."""
    return timezone.now()


def assessment_view(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not comp.can_view(request.user):
            raise PermissionDenied
        if "year" in kwargs:
            month = Month.parse(f"{kwargs.pop('year')}-{kwargs.pop('month')}")
            if month is None:
                raise Http404
            kwargs["month"] = month
        return view(request, *args, **kwargs)

    return wrapped


def _month_url(name, month, **query):
    url = reverse(f"assessment:{name}", args=[month.year, month.month])
    if query:
        url += "?" + urllib.parse.urlencode(query)
    return url


@assessment_view
def index(request):
    month = Month.parse(request.GET.get("month", "")) or Month.default(current_time())
    return redirect("assessment:month", month.year, month.month)


TABLE_PAGE = 25  # rows of the estate table and of the staff table per page (exports list every row)


def _query(request, **changes):
    """The request's query string with `changes` applied (None removes a parameter)."""
    query = request.GET.copy()
    for key, val in changes.items():
        query.pop(key, None)
        if val not in (None, ""):
            query[key] = val
    return query.urlencode()


def table_page(request, rows, prefix, anchor):
    """One page of ranked rows, filtered by the name search `<prefix>q`: (search, page, pager links).

    The rows keep their rank among all rows (a search does not re-rank); a search starts at page 1."""
    search = request.GET.get(prefix + "q", "").strip()[:100]
    if search:
        folded = search.casefold()
        rows = [r for r in rows if folded in r.name.casefold()]
    page = Paginator(rows, TABLE_PAGE).get_page(request.GET.get(prefix + "page"))
    pager = []  # [(text, url, current)]: url None for the current page and the elisions
    if page.paginator.num_pages > 1:
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
            if number == page.number:
                pager.append((number, None, True))
            elif isinstance(number, int):
                pager.append((number, "?" + _query(request, **{prefix + "page": number}) + "#" + anchor, False))
            else:
                pager.append((number, None, False))
    return search, page, pager


@assessment_view
def month_view(request, month):
    now = current_time()
    full = request.GET.get("view") == "full"
    sort = request.GET.get("sort", "")
    sort_key, descending = sort.removeprefix("-"), sort.startswith("-")
    if sort_key not in table.SORT_KEYS:
        sort_key, descending = "", False
    # ranked by score (the stored scores suffice) or by name: only the rows shown are read; sorted by
    # another figure: every estate's figures
    figs = comp.month_figures(month, request.user, now, cadence=False, lazy=sort_key in ("", "score", "name"))
    links = table.links(month)
    lights = standing.count_lights(figs.estates)
    wanted_light = request.GET.get("light", "")
    estate_rows = figs.estates
    if wanted_light in standing.LIGHTS:
        estate_rows = [r for r in estate_rows if standing.light("score", r.derived.get("score")) == wanted_light]
    else:
        wanted_light = ""
    if sort_key:
        estate_rows = table.sort_rows(estate_rows, sort_key, descending, figs.weights)
    estate_q, estate_page, estate_pager = table_page(request, estate_rows, "", "estates")
    staff_q, staff_page, staff_pager = table_page(request, figs.staff, "staff_", "staff")
    comp.load_figures(figs, [*estate_page.object_list, *staff_page.object_list])
    summary_links = table.summary_links(month)
    limits = standing.thresholds()

    def summary_rows(rows):
        return [
            (r, table.score_cell(r, limits, figs.weights), table.summary_cells(r, summary_links, figs.weights, limits))
            for r in rows
        ]

    ctx = {
        "full": full,
        "summary_tab": "?" + _query(request, view=None, page=None, staff_page=None),
        "full_tab": "?" + _query(request, view="full", page=None, staff_page=None),
        **_sort_heads(request, sort_key, descending),
        "estate_summary_rows": summary_rows(estate_page.object_list),
        "staff_summary_rows": summary_rows(staff_page.object_list),
        "total_summary_cells": table.summary_cells(figs.total, summary_links, figs.weights, limits),
        "summary_columns": table.SUMMARY,
        "total_score_cell": table.score_cell(figs.total, limits, figs.weights),
        "month": month,
        "figs": figs,
        "prev": month.add(-1),
        "next": month.add(1) if month.add(1).start <= now else None,
        "groups": table.groups(),
        "columns": table.COLUMNS,
        "estate_q": estate_q,
        "estate_page": estate_page,
        "estate_pager": estate_pager,
        "estate_rows": [
            (r, c, table.score_cell(r, limits, figs.weights))
            for r, c in table.with_cells(estate_page.object_list, links)
        ],
        "clear_estate_q": _query(request, q=None, page=None),
        "staff_q": staff_q,
        "staff_page": staff_page,
        "staff_pager": staff_pager,
        "staff_rows": [
            (r, c, table.score_cell(r, limits, figs.weights))
            for r, c in table.with_cells(staff_page.object_list, links)
        ],
        "clear_staff_q": _query(request, staff_q=None, staff_page=None),
        "total_cells": table.cells(figs.total, links),
        "total_score": figs.total.derived["score"],
        "can_close": comp.can_close(request.user),
        "has_ended": month.has_ended(now),
        "as_of_today": figs.as_of is not None
        and timezone.localtime(figs.as_of).date() == timezone.localtime(now).date(),
        "interval": provisional.INTERVAL_MINUTES,
        "weights": [(scoring.COMPONENT_LABELS[k], figs.weights.get(k, 0)) for k in scoring.DEFAULT_WEIGHTS],
        "summary": _summary(request, month, figs, lights, wanted_light, now),
    }
    return render(request, "assessment/month.html", ctx)


# the first click on a header sorts the worst first: the lowest percentage, the most overdue issues
WORST_FIRST_DESCENDING = {"overdue"}


def _sort_heads(request, sort_key, descending):
    """(url, aria-sort value or "") of each sortable header of the estate table: a click sorts
    by the column (worst first), a second click reverses it."""
    heads = {}
    for key in table.SORT_KEYS:
        if key == sort_key:
            url_sort = key if descending else f"-{key}"
            aria = "descending" if descending else "ascending"
        else:
            url_sort = f"-{key}" if key in WORST_FIRST_DESCENDING else key
            aria = ""
        heads[key] = ("?" + _query(request, sort=url_sort, page=None) + "#estates", aria)
    if not sort_key:
        heads["score"] = ("?" + _query(request, sort="score", page=None) + "#estates", "descending")
    return {
        "name_head": heads["name"],
        "score_head": heads["score"],
        "summary_heads": [(c, *heads[c.key]) for c in table.SUMMARY],
        "sorted_by": sort_key,
    }


def _summary(request, month, figs, lights, wanted_light, now):
    """The head of the month view: the company's score and its change, the estates by traffic light,
    the month's top problems with their drill-downs."""
    score = figs.total.derived["score"]
    previous = standing.company_score(month.add(-1), [r.id for r in figs.estates], now)
    return {
        "score": score,
        "score_light": standing.light("score", score),
        "previous": previous,
        "change": standing.change(score, previous),
        "lights": [
            (key, standing.LIGHT_LABELS[key], lights[key], "?" + _query(request, light=key, page=None) + "#estates")
            for key in standing.LIGHTS
        ],
        "no_data": lights[None],
        "wanted_light": wanted_light,
        "wanted_light_label": standing.LIGHT_LABELS.get(wanted_light or None),
        "clear_light": "?" + _query(request, light=None, page=None) + "#estates",
        "problems": [(p, standing.problem_url(p, month)) for p in standing.problems(figs.total.figures)],
        "thresholds": standing.thresholds()["score"],
    }


def _scope(request, month, now):
    """(estate ids, staff user or None, director estates of that user, the estate or None) from the query."""
    estate_list = comp.visible_estate_list(request.user)
    ids = [pk for pk, _name in estate_list]
    estate = None
    if request.GET.get("estate"):
        wanted = parse_id(request.GET["estate"])
        if wanted is None:
            raise Http404
        if wanted not in ids:
            raise Http404
        estate = (wanted, dict(estate_list)[wanted])
        ids = [wanted]
    staff = None
    directed = []
    if request.GET.get("staff"):
        # a person outside the viewer's estates is refused as an unknown id is (as an estate outside them
        # is, above): never named, nor told apart from a user who does not exist
        wanted = parse_id(request.GET["staff"])
        staff = None if wanted is None else access.visible_staff(request.user).filter(pk=wanted).first()
        if staff is None:
            raise Http404
        directed = comp.director_estate_ids(staff.pk)
    return ids, staff, directed, estate


@assessment_view
def records(request, month, metric):
    if metric not in metrics.BY_KEY:
        raise Http404
    now = current_time()
    ids, staff, directed, estate = _scope(request, month, now)
    qs = metrics.records_for(
        metric, month, now, estate_ids=ids, user_id=staff.pk if staff else None, director_estate_ids=directed
    )
    family = metrics.BY_KEY[metric].family
    page = Paginator(qs, LIST_PAGE).get_page(request.GET.get("page"))
    closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).first()
    return render(
        request,
        "assessment/records.html",
        {
            "month": month,
            "metric": metrics.BY_KEY[metric],
            "family": family,
            "page": page,
            "count": page.paginator.count,
            "estate": estate,
            "staff": staff,
            "closed": closed,
            "as_of": provisional.computed_at(month) if closed is None else None,
            "querystring": request.GET.urlencode(),
            "back": _month_url("month", month),
            "other_query": "&".join(
                f"{k}={v}" for k, v in (("estate", request.GET.get("estate")), ("staff", request.GET.get("staff"))) if v
            ),
        },
    )


@assessment_view
def cadence_view(request, month):
    now = current_time()
    ids, staff, _directed, estate = _scope(request, month, now)
    figs_closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).first()
    if figs_closed is not None:
        rows = []
        for periods in EstateFigures.objects.filter(closed_month=figs_closed, estate_id__in=ids).values_list(
            "cadence", flat=True
        ):
            rows.extend(periods)
    else:
        rows = [rp.as_dict() for rp in cadence.due_periods(month, live.cadence_now(month, now), ids)]
    if staff is not None:
        team = cadence.responsibles(ids)
        rows = [r for r in rows if staff.pk in cadence.owners(cadence.RulePeriod(**_rp_args(r)), team[r["estate_id"]])]
    status = request.GET.get("status", "")
    if status:
        rows = [r for r in rows if r["status"] == status]
    names = dict(comp.visible_estate_list(request.user))
    for r in rows:
        r["estate_name"] = names.get(r["estate_id"], "")
        r["meetings_url"] = reverse("assessment:cadence_meetings", args=[month.year, month.month, r["rule_id"]])
    rows.sort(key=lambda r: (r["estate_name"], r["name"]))
    return render(
        request,
        "assessment/cadence.html",
        {
            "month": month,
            "rows": rows,
            "estate": estate,
            "staff": staff,
            "status": status,
            "closed": figs_closed,
            "as_of": provisional.computed_at(month) if figs_closed is None else None,
            "back": _month_url("month", month),
        },
    )


def _rp_args(d):
    args = dict(d)
    args["start"] = datetime.date.fromisoformat(d["start"])
    args["end"] = datetime.date.fromisoformat(d["end"])
    args["kind_ids"] = tuple(d["kind_ids"])
    args["contact_kinds"] = tuple(d.get("contact_kinds", ()))
    return {k: v for k, v in args.items() if k in cadence.RulePeriod.__dataclass_fields__}


@assessment_view
def cadence_meetings(request, month, rule_id):
    """The meetings behind one rule's period in the month (the drill-down of a cadence figure)."""
    now = current_time()
    ids = [pk for pk, _n in comp.visible_estate_list(request.user)]
    periods = [rp for rp in cadence.due_periods(month, live.cadence_now(month, now), ids) if rp.rule_id == rule_id]
    if not periods:
        raise Http404
    rp = periods[0]
    meetings = list(cadence.period_meetings(rp))
    contacts = list(cadence.period_contacts(rp, now)) if rp.contact_kinds else None
    return render(
        request,
        "assessment/cadence_meetings.html",
        {
            "month": month,
            "rp": rp,
            "meetings": meetings,
            "contacts": contacts,
            "back": _month_url("cadence", month, estate=rp.estate_id),
        },
    )


def _month_series(months, ids, now):
    """(closed months, [(month, summed figures or None, derived or None)]) of these estates: a closed
    month's frozen figures, else its provisional snapshot as the month view reads it; None for a month
    that has not begun. A few queries, whatever the number of months."""
    closed, sums = comp.closed_totals(months, ids)
    w = scoring.weights()
    not_closed = [m for m in months if (m.year, m.month) not in closed and m.start <= now]
    provisional_sums = provisional.totals(not_closed, now, ids)
    series = []
    for m in months:
        key = (m.year, m.month)
        if key in closed:
            fig = sums.get(key, {})
            wm = closed[key].weights or w
        elif m.start > now:
            fig, wm = None, w
        else:  # not closed: its provisional snapshot, as the month view reads it
            fig, wm = provisional_sums[m], w
        series.append((m, fig, scoring.derive(fig, wm) if fig is not None else None))
    return closed, series


def _month_labels(request, months):
    return [
        f"{m.month}月" if request.LANGUAGE_CODE.startswith("zh") else f"{m.year % 100}-{m.month:02d}" for m in months
    ]


@assessment_view
def estate_month(request, month, estate_id):
    """One estate's month (issue 18, item 4): its light and score with what it was based on, its top
    problems, the main figures, every figure by group, cadence per rule, its staff, its 12-month trend;
    for managers and the estate's director (the estates the user sees, liaison.access)."""
    now = current_time()
    names = dict(comp.visible_estate_list(request.user))
    if estate_id not in names:
        raise Http404
    figs = comp.month_figures(month, request.user, now, estate_list=[(estate_id, names[estate_id])])
    (row,) = figs.estates
    limits = standing.thresholds()
    links = table.links(month)
    summary_links = table.summary_links(month)
    groups = []
    for text, c, path in table.cells(row, links):
        if not groups or groups[-1][0] != c.group:
            groups.append((c.group, []))
        groups[-1][1].append((c, text, path))
    periods = figs.cadence.get(estate_id, [])
    for p in periods:
        p["meetings_url"] = reverse("assessment:cadence_meetings", args=[month.year, month.month, p["rule_id"]])
    months = month.last(12)
    closed_months, series = _month_series(months, [estate_id], now)
    trend = charts.chart(
        _month_labels(request, months),
        [(_("Score"), [d["score"] if d else None for _m, _f, d in series], "s1")],
        title=_("Score"),
        y_max=100,
    )
    return render(
        request,
        "assessment/estate_month.html",
        {
            "month": month,
            "estate": (estate_id, names[estate_id]),
            "figs": figs,
            "row": row,
            "score": table.score_cell(row, limits, figs.weights),
            "cells": table.summary_cells(row, summary_links, figs.weights, limits),
            "summary_columns": table.SUMMARY,
            "problems": [(p, standing.problem_url(p, month, estate=estate_id)) for p in standing.problems(row.figures)],
            "groups": groups,
            "periods": sorted(periods, key=lambda p: p["name"]),
            "staff_rows": [
                (
                    r,
                    table.score_cell(r, limits, figs.weights),
                    table.summary_cells(r, summary_links, figs.weights, limits),
                )
                for r in figs.staff
            ],
            "summary_heads": [(c, "", "") for c in table.SUMMARY],
            "trend": trend,
            "trend_rows": [(m, d, (m.year, m.month) in closed_months) for m, _f, d in series],
            "back": _month_url("month", month),
            "directors": StaffAssignment.objects.filter(estate_id=estate_id)
            .select_related("user")
            .order_by("role", "user__name"),
        },
    )


@assessment_view
def trends(request):
    now = current_time()
    month = Month.parse(request.GET.get("month", "")) or Month.default(now)
    estate_list = comp.visible_estate_list(request.user)
    ids = [pk for pk, _n in estate_list]
    estate = None
    # past OPTIONS_LIMIT estates the pick list becomes a name search (as on the issue list)
    many = len(estate_list) > OPTIONS_LIMIT
    name = request.GET.get("estate_name", "").strip()[:100] if many else ""
    candidates = []
    if name and not request.GET.get("estate"):
        candidates = [(pk, n) for pk, n in estate_list if name in n]
        if len(candidates) == 1:
            (estate,) = candidates
            candidates = []
        elif not candidates:
            messages.warning(request, _("No estate you see has “%(name)s” in its name.") % {"name": name})
    if request.GET.get("estate"):
        wanted = parse_id(request.GET["estate"])
        if wanted is None:
            raise Http404
        if wanted not in ids:
            raise Http404
        estate = (wanted, dict(estate_list)[wanted])
    if estate:
        ids = [estate[0]]
    compare = None  # a second estate whose score is drawn beside the first (issue 18: two estates compared)
    if request.GET.get("compare"):
        wanted = parse_id(request.GET["compare"])
        if wanted is None or wanted not in dict(estate_list):
            raise Http404
        compare = (wanted, dict(estate_list)[wanted])
    months = [m for m in month.last(12)]
    closed, series = _month_series(months, ids, now)
    labels = _month_labels(request, months)

    def col(key, derived=True):
        return [(d[key] if derived else f.get(key, 0)) if f is not None else None for _m, f, d in series]

    ctx_charts = [
        charts.chart(labels, [(_("Score"), col("score"), "s1")], title=_("Score"), y_max=100),
        charts.chart(
            labels,
            [(_("Cadence met"), col("cadence_pct"), "s1"), (_("Minutes on time"), col("minutes_pct"), "s2")],
            title=_("Meetings"),
            y_max=100,
            unit="%",
        ),
        charts.chart(
            labels,
            [(_("Replied on time"), col("reply_pct"), "s1"), (_("Callbacks on time"), col("callback_pct"), "s2")],
            title=_("Replies and callbacks on time"),
            y_max=100,
            unit="%",
        ),
        charts.chart(
            labels,
            [
                (pgettext("count", "Raised"), col("raised", False), "s1"),
                (_("Closed"), col("closed", False), "s2"),
                (_("Overdue"), col("overdue", False), "s3"),
            ],
            title=_("Issues"),
            kind="bar",
        ),
        charts.chart(
            labels,
            [
                (_("Satisfied"), col("sat_satisfied", False), "s2"),
                (_("Basically satisfied"), col("sat_basic", False), "s1"),
                (_("Unsatisfied"), col("sat_unsatisfied", False), "s3"),
            ],
            title=_("Satisfaction at callbacks"),
            kind="bar",
        ),
        charts.chart(
            labels,
            [
                (_("Median days to close"), col("close_days"), "s1"),
                (_("Median days to sign"), col("signoff_days"), "s2"),
            ],
            title=_("Median days"),
        ),
    ]
    if compare is not None:
        _closed, other = _month_series(months, [compare[0]], now)
        first = estate[1] if estate else _("All estates shown")
        ctx_charts.insert(
            0,
            charts.chart(
                labels,
                [(first, col("score"), "s1"), (compare[1], [d["score"] if d else None for _m, _f, d in other], "s3")],
                title=_("Score: %(a)s and %(b)s") % {"a": first, "b": compare[1]},
                y_max=100,
            ),
        )
    table_rows = [(m, f, d, (m.year, m.month) in closed) for m, f, d in series]
    return render(
        request,
        "assessment/trends.html",
        {
            "month": month,
            "charts": ctx_charts,
            "estate": estate,
            "estates": [] if many else estate_list,
            "name_search": many,
            "estate_name": estate[1] if estate and many else name,
            "candidates": candidates[:20],
            "more_candidates": max(len(candidates) - 20, 0),
            "table_rows": table_rows,
            "month_value": str(month),
            "compare": compare,
        },
    )


@require_POST
@assessment_view
def close(request, month):
    try:
        actions.close_month(month, actor=request.user, now=current_time())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(month)s is closed: its figures are frozen.") % {"month": month})
    return redirect("assessment:month", month.year, month.month)


@require_POST
@assessment_view
def recompute(request, month):
    try:
        _am, changed = actions.recompute_month(
            month, actor=request.user, now=current_time(), reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(month)s recomputed: %(n)s estate score(s) changed.") % {"month": month, "n": len(changed)},
        )
    return redirect("assessment:month", month.year, month.month)


@require_POST
@assessment_view
def refresh(request, month):
    """A manager's "refresh now": recompute a month not closed synchronously (audited)."""
    if not comp.can_close(request.user):
        raise PermissionDenied
    now = current_time()
    if AssessmentMonth.objects.filter(year=month.year, month=month.month).exists():
        messages.error(request, _("%(month)s is closed: recompute it from the records instead.") % {"month": month})
    elif month.start > now:
        messages.error(request, _("%(month)s has not begun yet.") % {"month": month})
    else:
        snap = provisional.store(month, now, actor=request.user)
        if snap is None:
            messages.info(request, _("The figures were refreshed meanwhile; showing the latest."))
        else:
            messages.success(
                request,
                _("Figures of %(month)s recomputed from the records as of %(at)s.")
                % {"month": month, "at": timezone.localtime(now).strftime("%H:%M")},
            )
    return redirect("assessment:month", month.year, month.month)


@assessment_view
def history(request, month):
    closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).first()
    entries = []
    if closed is not None:
        entries = AuditEntry.objects.filter(
            object_type=closed._meta.label_lower, object_id=str(closed.pk)
        ).select_related("actor")
    return render(request, "assessment/history.html", {"month": month, "closed": closed, "entries": entries})


@assessment_view
def export_xlsx(request, month):
    figs = comp.month_figures(month, request.user, current_time())
    return xlsx_response(figs)


@assessment_view
def export_pdf(request, month):
    now = current_time()
    figs = comp.month_figures(month, request.user, now)
    months = month.last(12)
    _closed, series = _month_series(months, [r.id for r in figs.estates], now)
    trend = charts.chart(
        _month_labels(request, months),
        [(_("Score"), [d["score"] if d else None for _m, _f, d in series], "s1")],
        title=_("Company score, last 12 months"),
        y_max=100,
    )
    return pdf_month(request, figs, trend=trend, now=now)
