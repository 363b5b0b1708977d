"""What other apps add to the minutes page, so that the page stays one form saved at once.

The minutes page is filled in top to bottom during or after the meeting: the minutes, each agenda item's
discussion, the resolutions and the issues the committee raised. Issues belong to followups, which sits
above meetings (meetings never imports it); followups registers its part here in its AppConfig.ready().

A part has `template` (included inside the page's form, given `part` and its `formset`), `formset(meeting,
data, user)` (bound when `data` is given), and `steps(formset, meeting, actor, now)`: callables that save
its rows, run by meetings.actions.save_minutes_page inside the page's one transaction."""

PARTS = []


def register(part):
    if part not in PARTS:
        PARTS.append(part)
