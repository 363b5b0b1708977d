"""The carry-forward rows of the minutes page (meetings.minutes_page): one row per item frozen when the
meeting was sent (meetings/carry.py), with the status recorded at the meeting; saved with the page."""

import functools

from . import actions
from .forms import CarryOutcomeFormSet

PREFIX = "carry"


class CarriedItems:
    template = "meetings/_carry_minutes.html"

    def formset(self, meeting, data, user):
        items = list(meeting.carried_items.all())
        if data is not None and f"{PREFIX}-TOTAL_FORMS" not in data:  # a POST without these rows changes none
            data = None
        initial = [{"item_id": c.pk, "outcome": c.outcome, "note": c.outcome_note} for c in items]
        fs = CarryOutcomeFormSet(data, prefix=PREFIX, initial=initial)
        by_id = {c.pk: c for c in items}
        for form, c in zip(fs.forms, items, strict=False):
            form.item = by_id.get(c.pk)
        return fs

    def steps(self, formset, meeting, actor, now):
        return [
            functools.partial(
                actions.record_carry_outcome,
                meeting,
                actor=actor,
                now=now,
                item_id=form.cleaned_data["item_id"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
            for form in formset.forms
            if form.has_changed()
        ]
