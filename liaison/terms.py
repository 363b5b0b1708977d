"""A committee's term: when it lapses, how far a voted extension may go, and the term-end reminders.

Rules, each a plain function taking `now` where time matters:
- term_lapsed(committee, now): the term's last day (term_end) is past — the estate, home and sign-off
  pages flag it (a committee whose term lapsed cannot sign anything valid);
- days_left(committee, now): days until term_end (negative once lapsed);
- normal_term_end(kind, start): the end of an ordinary term, where the kind has a fixed length (the
  小区管理委员会: 2 years, seed 002 第七条);
- extension_limit(...) / extension_problem(...): a voted extension (seed 002 第七条: re-election may be
  brought forward or delayed by the committee's vote, a delay at most one year; other kinds as set in
  LIAISON_TERM_EXTENSION_MONTHS);
- scan_terms(now): the daily job — reminds the estate's director(s) and the committee's chair 180, 90,
  30 and 7 days before term_end, each once (a TermReminder row per committee, term end and threshold).
"""

import calendar
import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from . import people
from .models import Committee, TermEvent, TermReminder, audit
from .notify import notify

JOB = "liaison.terms"
# days before the term's last day on which the director and the chair are reminded
THRESHOLDS = (180, 90, 30, 7)
# how far a voted extension may take a term beyond its normal end, per committee kind (months; None: no
# limit set by the portal). The 小区管理委员会's is seed 002 第七条; the others are editable settings.
DEFAULT_EXTENSION_MONTHS = {Committee.Kind.MC: 12, Committee.Kind.OC: 12, Committee.Kind.RC: None}


def local_date(now):
    return timezone.localdate(now) if isinstance(now, datetime.datetime) else now


def days_left(committee, now):
    """Days from today to the term's last day (0 on that day, negative once it lapsed), or None."""
    if committee.term_end is None:
        return None
    return (committee.term_end - local_date(now)).days


def term_lapsed(committee, now):
    """The committee's term is over: its last day (term_end) is before today. The one rule the estate,
    home and sign-off pages show."""
    left = days_left(committee, now)
    return left is not None and left < 0


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def normal_term_end(kind, start):
    """The end of an ordinary term of `kind` started on `start`, or None where the kind has no fixed
    length (the 业委会's is in its own rules of procedure; the 居委会 is elected by the government side)."""
    return Committee.default_term_end(kind, start)


def extension_months(kind):
    configured = getattr(settings, "LIAISON_TERM_EXTENSION_MONTHS", None) or {}
    return configured.get(kind, DEFAULT_EXTENSION_MONTHS.get(kind))


def elected_end(committee):
    """The end of the current term as elected, before any extension: for a kind with a fixed length its
    normal end, else the end before the first extension recorded in this term, else term_end."""
    normal = normal_term_end(committee.kind, committee.term_start)
    if normal:
        return normal
    first = (
        TermEvent.objects.filter(committee=committee, kind=TermEvent.Kind.EXTENSION, old_start=committee.term_start)
        .order_by("recorded_at", "pk")
        .first()
    )
    return first.old_end if first else committee.term_end


def extension_limit(kind, base_end):
    """The latest end a voted extension may give a term whose normal end is `base_end`, or None."""
    months = extension_months(kind)
    if months is None or base_end is None:
        return None
    return add_months(base_end, months)


def _date(value):
    return formats.date_format(value, "DATE_FORMAT")


def beyond_limit_message(kind, limit):
    if kind == Committee.Kind.MC:
        return _(
            "A management committee's term is 2 years; the committee may vote to delay re-election by at most "
            "one year (seed 002 第七条): this term may end on %(limit)s at the latest."
        ) % {"limit": _date(limit)}
    return _(
        "A term of this committee type may be extended by at most %(n)s months: it may end on %(limit)s at the latest."
    ) % {
        "n": extension_months(kind),
        "limit": _date(limit),
    }


def term_length_problem(kind, start, end, *, decision=""):
    """Why a committee's term `start`–`end` cannot be saved as typed on its form, or None. A term longer
    than the kind's normal one is a voted delay of re-election (seed 002 第七条): allowed up to the limit
    when the decision is given."""
    normal = normal_term_end(kind, start)
    if not (normal and end and end > normal):
        return None
    limit = extension_limit(kind, normal)
    if limit and end > limit:
        return beyond_limit_message(kind, limit)
    if not decision:
        return _(
            "A management committee's term is 2 years (seed 002 第七条). A later end is a delay of re-election "
            "voted by the committee: enter that decision below."
        )
    return None


def recorded_extension(committee, start, end):
    """The decision of an extension already recorded that gives `committee` the term `start`–`end`, or ""."""
    event = (
        TermEvent.objects.filter(committee=committee, kind=TermEvent.Kind.EXTENSION, new_start=start, new_end=end)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return event.result if event else ""


def extension_problem(committee, new_end):
    """Why the term of `committee` cannot be extended to `new_end`, or None."""
    if committee.term_end is None:
        return _("This committee's term has no end date: there is nothing to extend.")
    if new_end <= committee.term_end:
        return _("An extension must end after the current term end (%(end)s).") % {"end": _date(committee.term_end)}
    limit = extension_limit(committee.kind, elected_end(committee))
    if limit and new_end > limit:
        return beyond_limit_message(committee.kind, limit)
    return None


def reelection_problem(committee, held_on, new_end):
    """Why a re-election on `held_on` starting a term to `new_end` cannot be recorded, as (field, message),
    or None."""
    if held_on <= committee.term_start:
        return "held_on", _("The re-election must be after the current term started (%(start)s).") % {
            "start": _date(committee.term_start)
        }
    if new_end is None:
        return "new_end", _("Enter the end of the new term.")
    if new_end <= held_on:
        return "new_end", _("The new term must end after the re-election.")
    normal = normal_term_end(committee.kind, held_on)
    if normal and new_end > normal:
        return "new_end", _(
            "A management committee's term is 2 years (seed 002 第七条): the new term ends on %(end)s at the latest."
        ) % {"end": _date(normal)}
    return None


# --- the daily scan ---------------------------------------------------------------------------------


def due_committees(now):
    """Committees whose term ends within a threshold not yet reminded: one query on the indexed term_end."""
    today = local_date(now)
    missing = Q()
    for days in THRESHOLDS:
        done = TermReminder.objects.filter(committee=OuterRef("pk"), term_end=OuterRef("term_end"), days=days)
        missing |= Q(term_end__lte=today + datetime.timedelta(days=days)) & ~Exists(done)
    return (
        Committee.objects.filter(term_end__isnull=False, term_end__gte=today)
        .filter(missing)
        .select_related("estate")
        .order_by("term_end", "pk")
    )


def _claim(committee, days, now, *, sent):
    """Store the marker for (committee, term end, days); True when this call stored it."""
    try:
        with transaction.atomic():
            TermReminder.objects.create(
                committee=committee, term_end=committee.term_end, days=days, sent=sent, created=now
            )
    except IntegrityError:
        return False  # another scan (or an earlier run) took it
    return True


def recipients(committee):
    chair = committee.chair()
    return [*people.directors(committee.estate), *([chair.user] if chair and chair.user_id else [])]


def scan_terms(now):
    """Remind the director(s) and the chair once per threshold before the term ends. The nearest threshold
    reached is sent; farther ones not yet sent (a committee entered late, a scan down for months) are
    marked passed over, so nobody gets three reminders at once. Returns the number of reminders sent."""
    sent = 0
    today = local_date(now)
    for committee in due_committees(now):
        left = (committee.term_end - today).days
        reached = [d for d in THRESHOLDS if left <= d]
        nearest = min(reached)
        with transaction.atomic():
            if not _claim(committee, nearest, now, sent=True):
                continue
            for days in reached:
                if days != nearest:
                    _claim(committee, days, now, sent=False)
            notify(
                recipients(committee),
                kind="term.due",
                key=f"committee:{committee.pk}:term:{committee.term_end.isoformat()}:{nearest}d",
                subject=_("%(committee)s: the term ends on %(end)s, in %(days)s days"),
                body=_(
                    "Prepare the re-election in time: a committee whose term has lapsed cannot sign anything "
                    "valid. Record the re-election, or a delay voted by the committee, on the committee's page."
                ),
                params={"committee": str(committee), "end": committee.term_end, "days": left},
                url=reverse("committee_detail", args=[committee.pk]),
                estate=committee.estate,
                now=now,
            )
            audit(
                committee, "term.reminded", job=JOB, now=now, changes={"days": nearest, "term_end": committee.term_end}
            )
            sent += 1
    return sent
