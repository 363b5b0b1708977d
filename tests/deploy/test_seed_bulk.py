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
    # the data ends today: the seeder records the deadline events due until now, as a running scan would,
    # so a fixed end date would leave no issue with a check still to come once enough days have passed
    end = timezone.localdate()
    call_command("seed_bulk", estates=5, months=3, seed=7, end=end.isoformat(), issues=300, verbosity=0)
    return end


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
    # 300 asked for over three months; those of the current month after today are not written
    assert 200 <= issues.count() <= 300
    closed = issues.filter(status=Issue.Status.CLOSED)
    assert closed.exists() and issues.filter(closed_at__isnull=True).exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    # as if the scan had been running: what was due is recorded, the next check is in the future
    open_issues = issues.filter(closed_at__isnull=True)
    assert not open_issues.filter(next_check_at__lte=timezone.now()).exists()
    assert open_issues.filter(next_check_at__isnull=False).exists()
    assert DeadlineEvent.objects.filter(issue__closed_at__isnull=True).exists()
    # old issues are mostly closed
    cutoff = timezone.make_aware(datetime.datetime.combine(bulk - datetime.timedelta(days=45), datetime.time()))
    old = issues.filter(raised_at__lt=cutoff)
    assert old.exists()
    assert old.filter(status=Issue.Status.CLOSED).count() >= 0.9 * old.count()


def test_signoffs_are_consistent_with_the_signoff_rules(db, client):
    """Finalised OC minutes sent for signatures: each request's status is what records.signoff.evaluate
    says of its signatures; frozen versions carry their SHA-256; outstanding signers wait for a reminder."""
    from meetings.models import Minutes
    from records import signoff
    from records.models import DocumentVersion, Signature, Signer, SignoffRequest, sha256

    call_command("seed_bulk", estates=10, months=6, seed=7, end="2026-11-20", issues=200, verbosity=0)
    now = timezone.now()
    requests = list(SignoffRequest.objects.select_related("committee"))
    statuses = {r.status for r in requests}
    assert {SignoffRequest.Status.COMPLETED, SignoffRequest.Status.OPEN} <= statuses, statuses
    for req in requests:
        assert req.committee.kind == Committee.Kind.OC and req.source == SignoffRequest.Source.MINUTES
        minutes = Minutes.objects.select_related("meeting").get(pk=req.minutes_id)
        assert minutes.is_final and minutes.meeting.committee_id == req.committee_id
        assert req.signers.filter(is_chair=True, member__role="chair").count() == 1
        assert signoff.evaluate(req) == req.status, req.pk
        assert (req.completed_at is not None) == (req.status == SignoffRequest.Status.COMPLETED)
        current = req.current_version()
        assert not req.versions.exclude(pk=current.pk).filter(superseded_at__isnull=True).exists()
        # outstanding signers of an open request have their next reminder set, in the future
        waiting = signoff.outstanding(req)
        if req.status == SignoffRequest.Status.OPEN:
            assert waiting.exists() and not waiting.filter(next_reminder_at__isnull=True).exists()
        else:
            assert not req.signers.filter(next_reminder_at__isnull=False).exists()
    for v in DocumentVersion.objects.all():
        data = bytes(v.pdf)
        assert data.startswith(b"%PDF-") and v.sha256 == sha256(data)
    for sig in Signature.objects.select_related("version"):
        assert sig.sha256 == sig.version.sha256
        assert (sig.voided_at is not None) == (sig.version.superseded_at is not None)
    assert not Signer.objects.filter(next_reminder_at__lte=now).exists()
    assert signoff.send_reminders(now) == 0  # as if the reminder job had been running
    # a chair can open the sign-off page of their committee's request
    req = next(r for r in requests if r.status == SignoffRequest.Status.OPEN)
    chair = req.signers.get(is_chair=True).user
    client.force_login(chair)
    response = client.get(req.get_absolute_url())
    assert response.status_code == 200 and req.title in response.content.decode()


def test_refuses_to_add_a_second_set(bulk):
    with pytest.raises(CommandError, match="already"):
        call_command("seed_bulk", estates=5, months=3, seed=7, end="2026-11-20", issues=300, verbosity=0)


def _fingerprint(seed):
    from followups.models import Issue
    from records.models import SignoffRequest

    with transaction.atomic():
        call_command("seed_bulk", estates=4, months=2, seed=seed, end="2026-11-20", issues=120, verbosity=0)
        fp = (
            list(Estate.objects.order_by("pk").values_list("name", "district")),
            list(User.objects.order_by("pk").values_list("username", "name")),
            list(Issue.objects.order_by("pk").values_list("title", "raised_at", "status", "urgency")),
            list(SignoffRequest.objects.order_by("pk").values_list("public_code", "status", "versions__sha256")),
        )
        transaction.set_rollback(True)
    return fp


def test_same_seed_same_data_other_seed_other_data(db):
    first, again, other = _fingerprint(42), _fingerprint(42), _fingerprint(43)
    assert first == again
    assert first[0] != other[0] and first[2] != other[2]
