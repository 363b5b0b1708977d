"""Contacts that are not meetings (issue 19 item 4): recorded by the staff who run the estate, seen by
that committee's members and nobody of another estate; refused, with the input kept, without a
committee or dated in the future."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from liaison.models import AuditEntry, CommitteeMember
from meetings import actions
from meetings.models import Contact, ContactKind

pytestmark = pytest.mark.django_db


def _post(committee, when, **extra):
    data = {
        "estate": committee.estate_id,
        "committee": committee.pk,
        "kind": ContactKind.VISIT,
        "occurred_at": when.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M"),
        "summary": "走访居委会，通报电梯维修进度",
    }
    data.update(extra)
    return data


@pytest.fixture
def yesterday():
    return timezone.now() - datetime.timedelta(days=1)


def test_director_records_a_visit_with_members_and_an_attachment(
    client_for, estate_a, rc_a, rc_member_a, director_a, yesterday
):
    client = client_for(director_a)
    member = CommitteeMember.objects.get(user=rc_member_a)
    report = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    r = client.post(
        reverse("meetings:contact_create"), {**_post(rc_a, yesterday), "members": [member.pk], "files": [report]}
    )
    contact = Contact.objects.get()
    assert r.status_code == 302 and r["Location"] == contact.get_absolute_url()
    assert contact.staff == director_a and contact.recorded_by == director_a
    assert list(contact.members.all()) == [member]
    assert contact.attachments.get().original_name == "report.pdf"
    assert AuditEntry.objects.filter(object_type="meetings.contact", action="contact_recorded").count() == 1
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "走访" in page and "马晓兰" in page and "report.pdf" in page
    listing = client.get(reverse("meetings:contacts")).content.decode()
    assert contact.get_absolute_url() in listing
    download = client.get(reverse("meetings:contact_attachment", args=[contact.attachments.get().pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_no_committee_is_refused_with_the_input_kept(client_for, estate_a, rc_a, director_a, yesterday):
    r = client_for(director_a).post(reverse("meetings:contact_create"), {**_post(rc_a, yesterday), "committee": ""})
    page = r.content.decode()
    assert r.status_code == 400
    assert "请选择本次联络的委员会。" in page
    assert "走访居委会，通报电梯维修进度" in page  # the summary typed is still there
    assert not Contact.objects.exists()


def test_a_date_in_the_future_is_refused_in_english_too(client_for, estate_a, rc_a, director_a):
    director_a.language = "en"
    director_a.save(update_fields=["language"])
    client = client_for(director_a)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    r = client.post(reverse("meetings:contact_create"), _post(rc_a, tomorrow))
    page = r.content.decode()
    assert r.status_code == 400
    assert "this date is in the future" in page
    assert "走访居委会，通报电梯维修进度" in page
    assert not Contact.objects.exists()


def test_a_bad_attachment_is_refused_and_nothing_is_written(client_for, estate_a, rc_a, director_a, yesterday):
    fake = SimpleUploadedFile("report.pdf", b"<html><script>x</script>", content_type="application/pdf")
    r = client_for(director_a).post(reverse("meetings:contact_create"), {**_post(rc_a, yesterday), "files": [fake]})
    assert r.status_code == 400 and "report.pdf" in r.content.decode()
    assert not Contact.objects.exists()


def test_members_of_another_committee_cannot_be_named(estate_a, oc_a, rc_a, chair_a, director_a, yesterday):
    chair = CommitteeMember.objects.get(user=chair_a)
    with pytest.raises(ValidationError) as exc:
        actions.record_contact(
            estate=estate_a,
            committee=rc_a,
            kind=ContactKind.CALL,
            occurred_at=yesterday,
            summary="电话沟通",
            members=[chair],
            actor=director_a,
            now=timezone.now(),
        )
    assert "members" in exc.value.message_dict


def test_only_staff_who_run_the_estate_record(estate_a, oc_a, director_b, chair_a, yesterday):
    for actor in (director_b, chair_a):
        with pytest.raises(PermissionDenied):
            actions.record_contact(
                estate=estate_a,
                committee=oc_a,
                kind=ContactKind.CALL,
                occurred_at=yesterday,
                summary="电话沟通",
                actor=actor,
                now=timezone.now(),
            )


def test_committee_members_see_their_committees_contacts_only(
    client_for, estate_a, oc_a, rc_a, chair_a, rc_member_a, chair_b, director_b, director_a, yesterday
):
    def record(committee, summary):
        return actions.record_contact(
            estate=estate_a,
            committee=committee,
            kind=ContactKind.WRITTEN,
            occurred_at=yesterday,
            summary=summary,
            actor=director_a,
            now=timezone.now(),
        )

    to_oc, to_rc = record(oc_a, "致业委会的书面报告"), record(rc_a, "致居委会的函")
    chair = client_for(chair_a)
    assert chair.get(to_oc.get_absolute_url()).status_code == 200
    assert chair.get(to_rc.get_absolute_url()).status_code == 404
    listing = chair.get(reverse("meetings:contacts")).content.decode()
    assert "致业委会的书面报告" in listing and "致居委会的函" not in listing
    assert "contact-new" not in listing  # a committee member does not record contacts
    assert client_for(rc_member_a).get(to_rc.get_absolute_url()).status_code == 200
    for outsider in (chair_b, director_b):
        client = client_for(outsider)
        assert client.get(to_oc.get_absolute_url()).status_code == 404
        assert "致业委会的书面报告" not in client.get(reverse("meetings:contacts")).content.decode()


def test_the_list_filters_by_kind(client_for, estate_a, oc_a, director_a, yesterday):
    for kind, summary in ((ContactKind.CALL, "电话一"), (ContactKind.PUBLICATION, "公示损益表")):
        actions.record_contact(
            estate=estate_a,
            committee=oc_a,
            kind=kind,
            occurred_at=yesterday,
            summary=summary,
            actor=director_a,
            now=timezone.now(),
        )
    page = client_for(director_a).get(reverse("meetings:contacts"), {"kind": "publication"}).content.decode()
    assert "公示损益表" in page and "电话一" not in page
    bad = client_for(director_a).get(reverse("meetings:contacts"), {"month": "2026-13"})
    assert bad.status_code == 200
