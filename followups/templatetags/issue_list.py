"""The issue list's markup built in Python: its filter fields (`|bs5_field`) and its rows (`{% issue_rows %}`).

The list shows ten filter fields, two bulk-assignment fields and fifty rows on every request; through
crispy's field templates (about thirty nodes per field) and a template loop (a dozen variable lookups
per row) they cost more than the rest of the page.
"""

import html

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_OWN = (forms.Select, forms.TextInput, forms.DateInput, forms.NumberInput, forms.EmailInput)


def _esc(value):
    return html.escape(value) if type(value) is str else conditional_escape(value)


@register.filter
def bs5_field(field):
    """The markup of crispy-forms' bootstrap5 `|as_crispy_field` for input and select fields: the
    wrapper `div_<id>` with class mb-3, the label (with the required marker), the widget with crispy's
    classes (the widget's class name, form-select / form-control, is-invalid on errors), the error block
    and the help text. Django's BoundField renders the widget, so ids, values, `required` and the aria
    attributes are Django's own. Other fields (checkboxes, radios, files…) go through crispy."""
    widget = field.field.widget
    if not isinstance(widget, _OWN) or isinstance(widget, (forms.RadioSelect, forms.SelectMultiple)):
        return as_crispy_field(field, "bootstrap5")
    if widget.is_hidden:
        return str(field)
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    if not css:
        css = name
    elif css.find(name) == -1:  # crispy's own test
        css += " " + name
    errors = field.errors
    have = css.split()
    for extra in ("form-select" if isinstance(widget, forms.Select) else "form-control", "is-invalid"):
        if extra not in have and (errors or extra != "is-invalid"):
            css += " " + extra
    widget.attrs["class"] = css  # as crispy does
    required = field.field.required
    wrapper = "mb-3" + (f" {field.css_classes()}" if field.css_classes() else "")
    out = [f'<div id="div_{_esc(field.auto_id)}" class="{_esc(wrapper)}">']
    if field.label:
        target = f'for="{_esc(field.id_for_label)}" ' if field.id_for_label else ""
        marker = '<span class="asteriskField">*</span>' if required else ""
        req = " requiredField" if required else ""
        out.append(f'<label {target}class="form-label{req}">{_esc(field.label)}{marker}</label>')
    out.append(str(field))
    if errors:
        field_id = getattr(errors, "field_id", None) or field.auto_id
        out.append(f'<div id="{_esc(field_id)}_error" class="invalid-feedback">')
        for n, error in enumerate(errors, 1):
            out.append(f'<p id="error_{n}_{_esc(field.auto_id)}"><strong>{_esc(error)}</strong></p>')
        out.append("</div>")
    if field.help_text:
        out.append(f'<div id="{_esc(field.auto_id)}_helptext" class="form-text">{field.help_text}</div>')
    out.append("</div>")
    return mark_safe("\n".join(out))


@register.simple_tag
def issue_rows(rows, can_bulk):
    """The table's <tr>s from followups.views._rows: a checkbox for bulk assignment (open issues, when the
    user may assign), number, raised, estate · committee, the headline linked to the issue, category,
    status, person responsible, next deadline (in red when overdue)."""
    out = []
    for r in rows:
        pk = r["pk"]
        check = ""
        if can_bulk:
            box = (
                f'<input type="checkbox" class="form-check-input issue-check" name="issue" value="{pk}" '
                f'aria-label="#{pk}">'
            )
            check = f"<td>{'' if r['closed'] else box}</td>"
        if r["next"]:
            red = "text-danger fw-bold" if r["overdue"] else ""
            nxt = f'{_esc(r["next"])} · <span class="{red}">{_esc(r["when"])}</span>'
        else:
            nxt = "—"
        out.append(
            f'<tr class="{"row-overdue" if r["overdue"] else ""}" data-issue="{pk}">{check}<td>#{pk}</td>'
            f"<td>{_esc(r['raised_at'])}</td><td>{_esc(r['where'])}</td>"
            f'<td><a href="{_esc(r["url"])}">{_esc(r["headline"])}</a></td>'
            f"<td>{_esc(r['category'])}</td><td>{_esc(r['status'])}</td><td>{_esc(r['assignee'])}</td>"
            f"<td>{nxt}</td></tr>\n"
        )
    return mark_safe("".join(out))
