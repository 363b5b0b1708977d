"""Optimistic concurrency: every editable object (meeting, minutes, issue …) has a `version` column;
a save names the version its page read, and a change made meanwhile by someone else is refused."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else changed this after you opened it. Review their changes; your text is kept below — "
    "save again to replace their version with yours."
)


class StaleEdit(ValidationError):
    """The object was saved by someone else after the page (or API client) read it: optimistic
    concurrency refuses the save instead of silently overwriting. `current_version` is the row's version
    now, so a form can offer to save over it deliberately."""

    def __init__(self, current_version=None):
        super().__init__(STALE_MESSAGE, code="stale")
        self.current_version = current_version


def bump_version(model, pk, expected=None):
    """UPDATE … SET version = version + 1 WHERE pk = … AND version = expected; returns the new version.

    With `expected` None the current version is read under a row lock first (a change that was not made
    from a loaded page still bumps it, so those that were see it). 0 rows matched -> StaleEdit. Inside
    the caller's transaction the UPDATE also holds the row lock until commit, so two saves serialise."""
    if expected is None:
        expected = model.objects.select_for_update().filter(pk=pk).values_list("version", flat=True).first()
        if expected is None:
            raise StaleEdit(None)
    if model.objects.filter(pk=pk, version=expected).update(version=F("version") + 1) != 1:
        raise StaleEdit(model.objects.filter(pk=pk).values_list("version", flat=True).first())
    return expected + 1
