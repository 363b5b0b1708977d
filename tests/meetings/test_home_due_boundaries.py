"""'Due next' (the home page and the cadence page) counts a meeting by its day in Asia/Shanghai: a
meeting in the first minutes of a period (still the day before in UTC) counts in it, one in the first
minutes after a period's end does not; "scheduled" means starting from now on."""

import datetime

import pytest

from liaison.models import Committee
from meetings import cadence
from meetings.models import Meeting
from tests.factories import CommitteeFactory

from .conftest import sh

pytestmark = pytest.mark.django_db


def held(committee, kind, at):
    return Meeting.objects.create(
        estate=committee.estate,
        committee=committee,
        kind=kind,
        title=f"{at:%m-%d %H:%M}",
        starts_at=at,
        ends_at=at + datetime.timedelta(hours=1),
        place="会议室",
        status=Meeting.Status.HELD,
        attendance_recorded_at=at + datetime.timedelta(hours=1),
    )


def due_next(estate, now):
    return {r["rule"].code: r for r in cadence.due_next(estate, now)}


@pytest.mark.parametrize(
    "at, counts",
    [
        (sh(2026, 3, 31, 23, 30), True),  # last evening of March in Shanghai (15:30 UTC)
        (sh(2026, 4, 1, 0, 30), False),  # first night of April in Shanghai (still 31 March in UTC)
        (sh(2026, 3, 1, 0, 15), True),  # first minutes of March (28 February in UTC)
        (sh(2026, 2, 28, 23, 45), False),  # last minutes of February
    ],
)
def test_a_meeting_counts_in_the_period_of_its_local_day(estate_a, oc_a, rules_a, kinds, at, counts):
    CommitteeFactory(estate=estate_a, kind=Committee.Kind.RC, name="居委会")
    held(oc_a, kinds["oc_monthly"], at)
    rows = due_next(estate_a, sh(2026, 3, 20, 9, 0))
    assert rows["oc_monthly"]["held"] == (1 if counts else 0)


def test_scheduled_means_from_now_on(estate_a, oc_a, rules_a, kinds):
    now = sh(2026, 3, 20, 9, 0)
    for at in (now - datetime.timedelta(minutes=1), now, now + datetime.timedelta(days=3)):
        Meeting.objects.create(
            estate=estate_a,
            committee=oc_a,
            kind=kinds["oc_monthly"],
            title=f"{at:%d %H:%M}",
            starts_at=at,
            ends_at=at + datetime.timedelta(hours=1),
            place="会议室",
            status=Meeting.Status.CONFIRMED,
        )
    rows = due_next(estate_a, now)
    assert rows["oc_monthly"]["scheduled"] == 2 and rows["oc_monthly"]["held"] == 0
