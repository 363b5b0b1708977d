"""manage.py seed_bulk: the benchmark data is coherent, usable and refuses to be added twice."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from liaison import access
from liaison.models import Committee, Estate, User


@pytest.fixture
def bulk(db):
    call_command("seed_bulk", estates=5, months=3, seed=7, end="2026-11-20", issues=300, verbosity=0)


def test_every_estate_has_its_team_and_committees(bulk, client):
    estates = list(Estate.objects.all())
    assert len(estates) == 5
    for estate in estates:
        assert estate.director() is not None
        kinds = set(estate.committees.values_list("kind", flat=True))
        assert Committee.Kind.RC in kinds and kinds & {Committee.Kind.OC, Committee.Kind.MC}
    director = User.objects.get(username="b_director001")
    assert access.visible_estates(director).count() == 5  # one director per five estates
    # the printed password works through the login form
    response = client.post("/login/", {"username": "b_director001", "password": "liaison-bench-2026"})
    assert response.status_code == 302


def test_meetings_and_issues_follow_a_steady_state(bulk):
    from followups.models import DeadlineEvent, Issue
    from meetings.models import Meeting

    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert held.exists()
    assert all(m.attendances.exists() for m in held[:20])
    issues = Issue.objects.all()
    assert 250 <= issues.count() <= 300
    closed = issues.filter(status=Issue.Status.CLOSED)
    assert closed.exists() and issues.filter(closed_at__isnull=True).exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    # as if the scan had been running: what was due is recorded, the next check is in the future
    open_issues = issues.filter(closed_at__isnull=True)
    assert not open_issues.filter(next_check_at__lte=timezone.now()).exists()
    assert open_issues.filter(next_check_at__isnull=False).exists()
    assert DeadlineEvent.objects.filter(issue__closed_at__isnull=True).exists()
    # old issues are mostly closed
    cutoff = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    old = issues.filter(raised_at__lt=cutoff)
    assert old.filter(status=Issue.Status.CLOSED).count() >= 0.9 * old.count()


def test_refuses_to_add_a_second_set(bulk):
    with pytest.raises(CommandError, match="already"):
        call_command("seed_bulk", estates=5, months=3, seed=7, end="2026-11-20", issues=300, verbosity=0)


def _fingerprint(seed):
    from followups.models import Issue

    with transaction.atomic():
        call_command("seed_bulk", estates=4, months=2, seed=seed, end="2026-11-20", issues=120, verbosity=0)
        fp = (
            list(Estate.objects.order_by("pk").values_list("name", "district")),
            list(User.objects.order_by("pk").values_list("username", "name")),
            list(Issue.objects.order_by("pk").values_list("title", "raised_at", "status", "urgency")),
        )
        transaction.set_rollback(True)
    return fp


def test_same_seed_same_data_other_seed_other_data(db):
    first, again, other = _fingerprint(42), _fingerprint(42), _fingerprint(43)
    assert first == again
    assert first[0] != other[0] and first[2] != other[2]
