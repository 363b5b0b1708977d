"""The month's assessment as an Excel workbook (openpyxl) and as a printable PDF (records/pdf.py)."""

import io
import urllib.parse

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from liaison.escaping import safe_row
from liaison.models import Company
from records import pdf

from . import scoring, standing, table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(figs, ext):
    return f"{_('Monthly assessment')}-{figs.month}.{ext}"


def _disposition(name):
    return f"attachment; filename=\"assessment.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{urllib.parse.quote(name)}"


def _status_line(figs):
    if figs.closed:
        return _("Closed on %(date)s; figures frozen at %(computed)s.") % {
            "date": timezone.localtime(figs.closed.closed_at).strftime("%Y-%m-%d %H:%M"),
            "computed": timezone.localtime(figs.closed.computed_at).strftime("%Y-%m-%d %H:%M"),
        }
    return _("Not closed: live figures as of %(now)s.") % {"now": timezone.localtime().strftime("%Y-%m-%d %H:%M")}


def workbook(figs):
    wb = Workbook()
    head_fill = PatternFill("solid", fgColor="DDE6F0")
    bold = Font(bold=True)

    light_fills = {
        "green": PatternFill("solid", fgColor="D1E7DD"),
        "amber": PatternFill("solid", fgColor="FFE8B3"),
        "red": PatternFill("solid", fgColor="F8D7DA"),
    }
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def sheet(ws, title, rows, name_label, total=None):
        """One ranking: a title row, two header rows (the groups merged over their columns, the
        columns outside a group merged over both rows), a row per estate or staff member, the total
        below; numbers as numbers (percentages as percentages), panes frozen under the headers and
        beside the names, a filter on the header row."""
        ws.title = title
        ws.append([f"{_('Monthly assessment')} {figs.month}", _status_line(figs)])
        ws["A1"].font = Font(bold=True, size=13)
        first = 4  # the first column of the figures
        light_col = first + len(table.COLUMNS)
        basis_col = light_col + 1
        ws.append([])
        ws.append([])
        singles = {
            1: _("Rank"),
            2: name_label,
            3: _("Score"),
            light_col: _("Traffic light"),
            basis_col: _("Score based on"),
        }
        for col, label in singles.items():
            ws.cell(row=2, column=col, value=str(label))
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
        col = first
        for group, span in table.groups():
            ws.cell(row=2, column=col, value=str(group))
            if span > 1:
                ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + span - 1)
            col += span
        for k, c in enumerate(table.COLUMNS):
            ws.cell(row=3, column=first + k, value=str(c.label) + (f" ({c.unit})" if c.unit else ""))
        for row in ws.iter_rows(min_row=2, max_row=3, max_col=basis_col):
            for cell in row:
                cell.font = bold
                cell.fill = head_fill
                cell.alignment = center
        limits = standing.thresholds()
        for r in [*rows, *([total] if total is not None else [])]:
            sc = table.score_cell(r, limits, figs.weights)
            values = []
            for c in table.COLUMNS:
                v = table.value(r, c)
                values.append(v / 100 if v is not None and c.unit == "%" else v)
            ws.append(
                safe_row(
                    [r.rank, r.name, r.derived["score"] if not sc.no_data else sc.text]
                    + values
                    + [sc.light_label, sc.basis or (f"{sc.text}: {sc.reason}" if sc.reason else "")]
                )
            )
            n = ws.max_row
            ws.cell(row=n, column=3).number_format = "0.0"
            for k, c in enumerate(table.COLUMNS):
                ws.cell(row=n, column=first + k).number_format = "0%" if c.unit == "%" else "0.0" if c.derived else "0"
            if sc.light:
                ws.cell(row=n, column=3).fill = light_fills[sc.light]
                ws.cell(row=n, column=light_col).fill = light_fills[sc.light]
            if r is total:
                for cell in ws[n]:
                    cell.font = bold
        ws.column_dimensions["B"].width = 18
        for i in range(first, first + len(table.COLUMNS)):
            ws.column_dimensions[get_column_letter(i)].width = 10
        ws.column_dimensions[get_column_letter(light_col)].width = 10
        ws.column_dimensions[get_column_letter(basis_col)].width = 60
        ws.freeze_panes = "C4"
        # the filter covers the ranked rows, not the total under them
        ws.auto_filter.ref = f"A3:{get_column_letter(basis_col)}{3 + max(len(rows), 1)}"

    sheet(wb.active, _("Estates"), figs.estates, _("Estate"), total=_total_row(figs))
    sheet(wb.create_sheet(), _("Staff"), figs.staff, _("Staff member"))
    ws = wb.create_sheet(_("Cadence"))
    ws.append(
        [
            _("Estate"),
            _("Rule"),
            pgettext("period", "From"),
            pgettext("period", "To"),
            _("Held"),
            _("Required"),
            _("Status"),
        ]
    )
    for cell in ws[1]:
        cell.font = bold
        cell.fill = head_fill
    names = {r.id: r.name for r in figs.estates}
    labels = {"met": _("Met"), "missed": _("Missed"), "at_risk": _("At risk"), "open": _("In progress")}
    for eid in sorted(figs.cadence, key=lambda e: names.get(e, "")):
        for p in figs.cadence[eid]:
            ws.append(
                safe_row(
                    [
                        names.get(eid, ""),
                        p["name"],
                        p["start"],
                        p["end"],
                        p["held"],
                        p["required"],
                        labels.get(p["status"], p["status"]),
                    ]
                )
            )
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40
    ws = wb.create_sheet(_("Weights"))
    ws.append([_("Component"), _("Weight")])
    for key in scoring.DEFAULT_WEIGHTS:
        ws.append([str(scoring.COMPONENT_LABELS[key]), figs.weights.get(key, 0)])
    ws.column_dimensions["A"].width = 28
    return wb


def _total_row(figs):
    row = figs.total
    row.name = _("All estates shown")
    return row


def xlsx_response(figs):
    buf = io.BytesIO()
    workbook(figs).save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _disposition(_filename(figs, "xlsx"))
    response["Cache-Control"] = "private, no-store"
    return response


PDF_CSS = """
@page { size: A4 landscape; margin: 16mm 10mm 14mm 10mm; }
table.assess { font-size: 6.8pt; width: 100%; table-layout: fixed; }
table.assess th, table.assess td { padding: .8mm .6mm; text-align: center; }
/* the records PDF keeps its headers on one line; these figures need two or three */
table.assess thead th { white-space: normal; }
/* fixed widths for the narrow columns so that 排名 / 得分 never break between their characters; the
   figures share the rest (each header then breaks between words, as on the page) */
table.assess th.rank { width: 7mm; }
table.assess th.score { width: 9mm; }
table.assess td.name, table.assess th.name { text-align: left; width: 22mm; }
h2 { page-break-after: avoid; }
.summary { width: 100%; border-collapse: collapse; margin-bottom: 4mm; }
.summary td { vertical-align: top; border: 1px solid #ccc; padding: 2mm 3mm; width: 33%; }
.summary .big { font-size: 20pt; }
.light-green { color: #146c43; } .light-amber { color: #8a4f00; } .light-red { color: #a12230; }
.estate-page { page-break-before: always; }
table.figs { width: 100%; border-collapse: collapse; font-size: 8pt; margin-bottom: 3mm; }
table.figs th, table.figs td { border: 1px solid #999; padding: 1mm; text-align: center; }
svg.chart { width: 150mm; height: auto; }
svg.chart .grid { stroke: #e5e5e5; stroke-width: 1; }
svg.chart .axis, svg.chart .legend { font-size: 10px; fill: #555; }
svg.chart polyline { fill: none; stroke-width: 2; }
svg.chart polyline.s1, svg.chart circle.s1 { stroke: #0d6efd; }
svg.chart circle { fill: #fff; stroke-width: 2; }
svg.chart rect.s1 { fill: #0d6efd; }
"""


def _score_notes(figs):
    """[(estate name, score cell)] of the estates whose score leaves a component out or that have none:
    the PDF says so under the table."""
    limits = standing.thresholds()
    notes = []
    for r in figs.estates:
        sc = table.score_cell(r, limits, figs.weights)
        if sc.no_data or sc.missing:
            notes.append((r.name, sc))
    return notes


def _pdf_summary(figs, now):
    """The month at a glance, as the month view's head: the company's score and its change from last
    month, the estates by traffic light, the top problems."""
    score = figs.total.derived["score"]
    previous = standing.company_score(figs.month.add(-1), [r.id for r in figs.estates], now)
    lights = standing.count_lights(figs.estates)
    return {
        "score": score,
        "light": standing.light("score", score),
        "previous": previous,
        "change": standing.change(score, previous),
        "lights": [(k, standing.LIGHT_SIGNS[k], standing.LIGHT_LABELS[k], lights[k]) for k in standing.LIGHTS],
        "no_data": lights[None],
        "problems": standing.problems(figs.total.figures),
        "attention": [
            (r.name, r.derived["score"], standing.LIGHT_LABELS[standing.light("score", r.derived["score"])])
            for r in figs.estates
            if standing.light("score", r.derived["score"]) in ("red", "amber")
        ],
    }


def _attention_pages(figs, limits):
    """One page per red or amber estate, the worst first: its score and basis, problems, main figures,
    cadence periods."""
    links = table.summary_links(figs.month)
    pages = []
    for r in sorted(figs.estates, key=lambda r: (r.derived["score"] is None, r.derived["score"] or 0)):
        lt = standing.light("score", r.derived["score"], limits)
        if lt not in ("red", "amber"):
            continue
        pages.append(
            {
                "row": r,
                "score": table.score_cell(r, limits, figs.weights),
                "cells": table.summary_cells(r, links, figs.weights, limits),
                "problems": standing.problems(r.figures),
                "periods": sorted(figs.cadence.get(r.id, []), key=lambda p: p["name"]),
            }
        )
    return pages


def pdf_month(request, figs, *, trend=None, now=None):
    company = Company.objects.order_by("pk").values_list("name", flat=True).first() or ""
    ctx = {
        "figs": figs,
        "groups": table.groups(),
        "columns": table.COLUMNS,
        "estate_rows": [(r, [table.value(r, c) for c in table.COLUMNS]) for r in figs.estates],
        "notes": _score_notes(figs),
        "summary": _pdf_summary(figs, now or timezone.now()),
        "trend": trend,
        "attention_pages": _attention_pages(figs, standing.thresholds()),
        "summary_columns": table.SUMMARY,
        "staff_rows": [(r, [table.value(r, c) for c in table.COLUMNS]) for r in figs.staff],
        "total": [table.value(figs.total, c) for c in table.COLUMNS],
        "status_line": _status_line(figs),
        "company_name": company,
        "estate_name": "",
        "form_code": _("Monthly assessment"),
        "docref": str(figs.month),
        "form_title": f"{_('Monthly assessment')} {figs.month}",
        "weights": [(scoring.COMPONENT_LABELS[k], figs.weights.get(k, 0)) for k in scoring.DEFAULT_WEIGHTS],
    }
    html = render_to_string("assessment/pdf/month.html", ctx, request=request)
    try:
        data = pdf.html_to_pdf(html, extra_css=(PDF_CSS,))
    except pdf.PDFError as exc:
        messages.error(request, str(exc))
        return redirect("assessment:month", figs.month.year, figs.month.month)
    return pdf.pdf_response(data, _filename(figs, "pdf"), inline=False)
