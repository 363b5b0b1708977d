"""Important matters (seed 000 §4.1.6): the rules (raise-by moment, what a matter may say) and the
actions that write them. The scan that reminds and escalates is records/matter_scan.py.

- `default_raise_by(kind, known_at)`: the kind's MatterPolicy (admin → important-matter policies): by the
  end of the day it became known plus `raise_within_days` (0 = the same day), Asia/Shanghai.
- `problems(..., now)`: a matter dated in the future, a raise-by before it became known, a way of raising
  without its meeting / contact sheet / signed report, an answer before it was raised — each a message on
  its field; nothing is written.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from liaison import access
from liaison.models import audit
from liaison.versions import bump_version

from . import matter_scan
from .matter_rules import FUTURE_TOLERANCE, default_raise_by
from .models import ImportantMatter


def problems(matter, now):
    """{field: message} of what is wrong with `matter` at `now` (empty: it may be saved)."""
    errors = {}
    if matter.known_at and matter.known_at > now + FUTURE_TOLERANCE:
        errors["known_at"] = _("A matter cannot become known in the future.")
    if matter.known_at and matter.raise_by and matter.raise_by < matter.known_at:
        errors["raise_by"] = _("The raise-by moment cannot be before the matter became known.")
    if matter.raised_at:
        if matter.raised_at > now + FUTURE_TOLERANCE:
            errors["raised_at"] = _("The time raised cannot be in the future.")
        elif matter.known_at and matter.raised_at < matter.known_at:
            errors["raised_at"] = _("A matter cannot be raised before it became known.")
        if not matter.raised_via:
            errors["raised_via"] = _("Say how the matter was raised with the committee.")
    elif matter.raised_via:
        errors["raised_at"] = _("Enter when the matter was raised with the committee.")
    needed = {
        ImportantMatter.Via.MEETING: ("meeting", _("Choose the meeting it was raised at.")),
        ImportantMatter.Via.CONTACT_SHEET: ("contact_sheet", _("Choose the work contact sheet it was raised by.")),
        ImportantMatter.Via.REPORT: ("signoff_request", _("Choose the signed report it was raised by.")),
    }
    if matter.raised_via in needed:
        field, message = needed[matter.raised_via]
        if getattr(matter, f"{field}_id") is None:
            errors[field] = message
    for field in ("meeting", "contact_sheet", "signoff_request"):
        linked = getattr(matter, field)
        if linked is not None and linked.committee_id != matter.committee_id:
            errors[field] = _("This belongs to another committee.")
    if matter.answer.strip() and not matter.raised_at:
        errors["answer"] = _("Record how the matter was raised before the committee's answer.")
    if matter.answer.strip() and not matter.answered_on:
        errors["answered_on"] = _("Enter the date of the answer.")
    return errors


def _check(matter, by, now):
    matter.estate = matter.committee.estate
    if not access.manages_estate(by, matter.estate):
        raise PermissionDenied
    if not matter.raise_by and matter.known_at and matter.kind:
        matter.raise_by = default_raise_by(matter.kind, matter.known_at)
    errors = problems(matter, now)
    if errors:
        raise ValidationError(errors)


def _clock(matter):
    matter.next_check_at = matter_scan.next_check_at(matter)


def save_matter(form, *, by, now):
    """Create or change a matter from a valid MatterForm (a blank raise-by takes the kind's default)."""
    matter = form.save(commit=False)
    creating = matter.pk is None
    before = {} if creating else dict(ImportantMatter.objects.filter(pk=matter.pk).values()[0])
    _check(matter, by, now)
    with transaction.atomic(durable=True):
        if creating:
            matter.recorded_by = by
            matter.created_at = matter.updated_at = now
            matter.save()
        else:
            matter.version = bump_version(ImportantMatter, matter.pk, form.cleaned_data.get("version"))
            matter.updated_at = now
        _clock(matter)
        matter.save()
        after = dict(ImportantMatter.objects.filter(pk=matter.pk).values()[0])
        changes = {
            k: [before.get(k), v]
            for k, v in after.items()
            if k not in ("updated_at", "version", "next_check_at") and before.get(k) != v
        }
        audit(matter, "matter.created" if creating else "matter.changed", actor=by, now=now, changes=changes)
    return matter
