"""Object access matrix generated from the URL configuration (issue 9, "Abuse refused").

Every URL pattern that names an object (an id-like keyword argument: pk, *_pk, *_id, token, code …)
must either have an entry in OBJECT_URLS (how to build an object of estate A for it) or be listed in
PUBLIC / NOT_OBJECT_SCOPED with a reason. A new URL without an entry fails
`test_every_object_url_is_covered`: add it here.

For each entry, people of estate B (its office director and its 业委会 chair) and anonymous visitors
GET and POST the URL of estate A's object: they must get 403/404 (405 for a method the view never
accepts; anonymous: the login page), and no row in the database may change. A positive control (the
object's owner does not get 404) proves the builder made a reachable object.
"""

import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .conftest import WriteRecorder, diff, fingerprint
from .urlwalk import object_urls

# url name -> (kwargs of estate A's object, persona who may reach it: not 404)
OBJECT_URLS = {
    # registry (liaison/)
    "estate_detail": (lambda w: {"pk": w.estate.pk}, "director_a"),
    "estate_edit": (lambda w: {"pk": w.estate.pk}, "admin_user"),
    "assignment_add": (lambda w: {"pk": w.estate.pk}, "director_a"),
    "assignment_remove": (lambda w: {"pk": w.assignment.pk}, "admin_user"),
    "committee_create": (lambda w: {"estate_pk": w.estate.pk}, "director_a"),
    "committee_detail": (lambda w: {"pk": w.oc.pk}, "director_a"),
    "committee_edit": (lambda w: {"pk": w.oc.pk}, "director_a"),
    "committee_reelect": (lambda w: {"pk": w.oc.pk}, "director_a"),
    "committee_extend": (lambda w: {"pk": w.oc.pk}, "director_a"),
    "member_create": (lambda w: {"committee_pk": w.oc.pk}, "director_a"),
    "member_edit": (lambda w: {"pk": w.member.pk}, "director_a"),
    "member_end_term": (lambda w: {"pk": w.member.pk}, "director_a"),
    # notifications (per user: the recipient is director_a)
    "inbox_detail": (lambda w: {"pk": w.notification.pk}, "director_a"),
    "inbox_read": (lambda w: {"pk": w.notification.pk}, "director_a"),
    "estate_mutes": (lambda w: {"pk": w.estate.pk}, "director_a"),
    # meetings
    "meetings:detail": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:edit": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:submit": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:withdraw": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:send": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:approve": (lambda w: {"pk": w.awaiting.pk}, "leader"),
    "meetings:reject": (lambda w: {"pk": w.awaiting.pk}, "leader"),
    "meetings:cancel": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:series": (lambda w: {"pk": w.series.pk}, "director_a"),
    "meetings:vote_rules": (lambda w: {"pk": w.oc.pk}, "director_a"),
    "meetings:series_cancel": (lambda w: {"pk": w.series.pk}, "director_a"),
    "meetings:agenda_add": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:agenda_edit": (lambda w: {"pk": w.agenda.pk}, "director_a"),
    "meetings:agenda_delete": (lambda w: {"pk": w.agenda.pk}, "director_a"),
    "meetings:material_upload": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:material": (lambda w: {"pk": w.material.pk}, "director_a"),
    "meetings:material_delete": (lambda w: {"pk": w.material.pk}, "director_a"),
    "meetings:photo_upload": (lambda w: {"pk": w.held.pk}, "director_a"),
    "meetings:photo": (lambda w: {"pk": w.photo.pk}, "director_a"),
    "meetings:invite_add": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "meetings:invite_remove": (lambda w: {"pk": w.invitation.pk}, "director_a"),
    "meetings:respond": (lambda w: {"pk": w.invitation.pk}, "chair_a"),
    "meetings:signin": (lambda w: {"pk": w.held.pk}, "director_a"),
    "meetings:signin_tick": (lambda w: {"pk": w.held.pk, "inv_pk": w.pending_invitation.pk}, "director_a"),
    "meetings:signin_walkin": (lambda w: {"pk": w.held.pk}, "director_a"),
    "meetings:signin_all": (lambda w: {"pk": w.held.pk}, "director_a"),
    "meetings:attendance_remove": (lambda w: {"pk": w.attendance.pk}, "director_a"),
    "meetings:minutes": (lambda w: {"pk": w.held.pk}, "director_a"),
    "meetings:resolution": (lambda w: {"pk": w.resolution.pk}, "director_a"),
    "meetings:contact": (lambda w: {"pk": w.contact.pk}, "director_a"),
    "meetings:contact_attach": (lambda w: {"pk": w.contact.pk}, "director_a"),
    "meetings:contact_attachment": (lambda w: {"pk": w.contact_attachment.pk}, "chair_a"),
    "meetings:resolution_note": (lambda w: {"pk": w.resolution.pk}, "director_a"),
    "meetings:resolution_edit": (lambda w: {"pk": w.resolution.pk}, "director_a"),
    "meetings:resolution_done": (lambda w: {"pk": w.resolution.pk}, "director_a"),
    "meetings:minutes_finalise": (lambda w: {"pk": w.held.pk}, "director_a"),
    # follow-ups
    "followups:detail": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:classify": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:assign": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:reply": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:coordinate": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:resolve": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:callback": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:confirm": (lambda w: {"pk": w.issue.pk}, "chair_a"),
    "followups:close": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:attach": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "followups:attachment": (lambda w: {"pk": w.attachment.pk}, "director_a"),
    "followups:attachment_thumbnail": (lambda w: {"pk": w.attachment.pk}, "director_a"),
    # records
    "records:contact_detail": (lambda w: {"pk": w.sheet.pk}, "director_a"),
    "records:contact_edit": (lambda w: {"pk": w.sheet.pk}, "director_a"),
    "records:contact_pdf": (lambda w: {"pk": w.sheet.pk}, "director_a"),
    "records:matter_detail": (lambda w: {"pk": w.matter.pk}, "chair_a"),
    "records:matter_edit": (lambda w: {"pk": w.matter.pk}, "director_a"),
    "records:signoff_detail": (lambda w: {"pk": w.signoff.pk}, "director_a"),
    "records:signoff_sign": (lambda w: {"pk": w.signoff.pk}, "chair_a"),
    "records:signoff_code": (lambda w: {"pk": w.signoff.pk}, "chair_a"),
    "records:signoff_paper": (lambda w: {"pk": w.signoff.pk}, "director_a"),
    "records:signoff_scan": (lambda w: {"pk": w.signoff.pk, "sig_pk": w.paper_signature.pk}, "director_a"),
    "records:signoff_version_pdf": (lambda w: {"pk": w.signoff.pk, "number": 1}, "director_a"),
    "records:signoff_signed_pdf": (lambda w: {"pk": w.signoff.pk}, "director_a"),
    "records:signoff_refresh": (lambda w: {"pk": w.signoff.pk}, "director_a"),
    "records:signoff_upload_version": (lambda w: {"pk": w.signoff.pk}, "director_a"),
    "records:signoff_cancel": (lambda w: {"pk": w.signoff.pk}, "director_a"),
    "records:signin_html": (lambda w: {"meeting_pk": w.held.pk}, "director_a"),
    "records:signin_pdf": (lambda w: {"meeting_pk": w.held.pk}, "director_a"),
    "records:minutes_html": (lambda w: {"meeting_pk": w.held.pk}, "director_a"),
    "records:minutes_respond": (lambda w: {"meeting_pk": w.held.pk}, "chair_a"),
    "records:minutes_pdf": (lambda w: {"meeting_pk": w.held.pk}, "director_a"),
    "records:minutes_answer_photo": (lambda w: {"pk": w.answer_photo.pk}, "director_a"),
    "records:minutes_answer_thumbnail": (lambda w: {"pk": w.answer_photo.pk}, "director_a"),
    "records:callbacks_issue": (lambda w: {"issue_pk": w.issue.pk}, "director_a"),
    "records:callbacks_month": (lambda w: {"estate_pk": w.estate.pk}, "director_a"),
    "records:plan_detail": (lambda w: {"pk": w.plan.pk}, "director_a"),
    "records:plan_item_toggle": (lambda w: {"pk": w.plan.pk, "item_pk": w.plan_item.pk}, "director_a"),
    "records:plan_action": (lambda w: {"pk": w.plan.pk, "action": "submit"}, "director_a"),
    "records:plan_pdf": (lambda w: {"pk": w.plan.pk}, "director_a"),
    "records:annual_detail": (lambda w: {"pk": w.annual_plan.pk}, "director_a"),
    "records:annual_pdf": (lambda w: {"pk": w.annual_plan.pk}, "director_a"),
    "records:annual_item_edit": (lambda w: {"pk": w.annual_plan.pk, "item_pk": w.annual_item.pk}, "director_a"),
    "records:annual_item_toggle": (lambda w: {"pk": w.annual_plan.pk, "item_pk": w.annual_item.pk}, "director_a"),
    "records:annual_action": (lambda w: {"pk": w.annual_plan.pk, "action": "submit"}, "director_a"),
    "records:batch_job": (lambda w: {"pk": w.batch.pk}, "director_a"),
    "records:batch_download": (lambda w: {"pk": w.batch.pk}, "director_a"),
    # assessment (a cadence rule of estate A)
    "assessment:cadence_meetings": (
        lambda w: {"year": w.now.year, "month": w.now.month, "rule_id": w.rule().pk},
        "assessor",
    ),
    # assessment: one estate's month (its director and the managers)
    "assessment:estate_month": (
        lambda w: {"year": w.now.year, "month": w.now.month, "estate_id": w.estate.pk},
        "director_a",
    ),
    # JSON API (Bearer tokens: the view's own scoping is tested, not CSRF)
    "api:estate-detail": (lambda w: {"pk": w.estate.pk}, "director_a"),
    "api:committee-detail": (lambda w: {"pk": w.oc.pk}, "director_a"),
    "api:meeting-detail": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "api:meeting-submit": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "api:meeting-send": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "api:meeting-approve": (lambda w: {"pk": w.awaiting.pk}, "leader"),
    "api:meeting-reject": (lambda w: {"pk": w.awaiting.pk}, "leader"),
    "api:meeting-cancel": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "api:meeting-agenda": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "api:meeting-invitations": (lambda w: {"pk": w.draft.pk}, "director_a"),
    "api:meeting-attendance": (lambda w: {"pk": w.held.pk}, "director_a"),
    "api:meeting-walk-ins": (lambda w: {"pk": w.held.pk}, "director_a"),
    "api:meeting-minutes": (lambda w: {"pk": w.held.pk}, "director_a"),
    "api:meeting-finalise-minutes": (lambda w: {"pk": w.held.pk}, "director_a"),
    "api:meeting-resolutions": (lambda w: {"pk": w.held.pk}, "director_a"),
    "api:meeting-raise-issue": (lambda w: {"pk": w.held.pk}, "director_a"),
    "api:invitation-respond": (lambda w: {"pk": w.invitation.pk}, "chair_a"),
    "api:resolution-complete": (lambda w: {"pk": w.resolution.pk}, "director_a"),
    "api:issue-detail": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:issue-classify": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:issue-assign": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:issue-reply": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:issue-coordinate": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:issue-resolve": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:issue-callback": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:issue-confirm": (lambda w: {"pk": w.issue.pk}, "chair_a"),
    "api:issue-close": (lambda w: {"pk": w.issue.pk}, "director_a"),
    "api:signoff-detail": (lambda w: {"pk": w.signoff.pk}, "director_a"),
    "api:signoff-sign": (lambda w: {"pk": w.signoff.pk}, "chair_a"),
    "api:token_revoke": (lambda w: {"pk": w.api_token().pk}, "director_a"),
}

# URLs reachable without an account on purpose: a secret in the URL is the credential
PUBLIC = {
    "meetings:calendar_feed": "private iCalendar feed; the token is a per-user secret (test_calendar_feed_*)",
    "meetings:material_link": "signed, expiring link to one material in the secretariat's e-mail; the token "
    "names the file and is checked by signing.loads (test_a_material_link_expires)",
    "meetings:checkin": "QR self sign-in at the meeting; the token is printed on the QR code (test_checkin_*)",
    "sms_login_open": "one-time sign-in link sent by SMS; the token is a single-use secret bound to one member, "
    "stored as a keyed hash, expiring in 15 minutes (tests/liaison/test_sms_login.py)",
    "records:verify_code": "public verification of a signed PDF printed under its QR code (test_verify_*)",
}
# objects that are not bound to an estate: every signed-in user may read them, by design
NOT_ESTATE_BOUND = {
    "api:meetingkind-detail": "meeting kinds are shared configuration (read-only for everyone signed in)",
}
# whole namespaces protected by another mechanism
NOT_OBJECT_SCOPED = {
    "admin": "Django admin: staff only (is_staff), tested by test_admin_is_staff_only",
}

FOREIGN = ["director_b", "chair_b"]
POST_DATA = {
    "title": "篡改",
    "name": "篡改",
    "text": "篡改",
    "note": "篡改",
    "reason": "篡改",
    "comment": "篡改",
    "description": "篡改",
    "place": "篡改",
    "subject": "篡改",
    "content": "篡改",
    "password": "x",
    "decision": "agree",
    "response": "declined",
    "ended_on": "2026-01-01",
    "end_reason": "篡改",
    "role": "member",
    "kind": "oc",
    "host_name": "篡改",
    "recorder_name": "篡改",
    "summary": "篡改",
    "raised_by": "篡改",
    "reply": "篡改",
    "resolution": "篡改",
    "result": "篡改",
    "person_reached": "篡改",
    "satisfaction": "satisfied",
    "method": "phone",
    "instruction": "篡改",
    "responsibility": "company",
}
DENIED = {401, 403, 404, 405}


def _covered(name):
    return name in OBJECT_URLS or name in PUBLIC or name in NOT_ESTATE_BOUND or name.split(":")[0] in NOT_OBJECT_SCOPED


def test_every_object_url_is_covered():
    missing = sorted(n for n in object_urls() if not _covered(n))
    assert not missing, (
        "URLs that name an object but are not in the access matrix (add a builder to OBJECT_URLS in "
        f"tests/reliability/test_object_access.py, or to PUBLIC with a reason): {missing}"
    )


def test_matrix_has_no_stale_entries():
    stale = sorted(set(OBJECT_URLS) - set(object_urls()))
    assert not stale, f"entries for URLs that no longer exist: {stale}"


def _is_api(name):
    return name.startswith("api:") and name != "api:token_revoke"


def _client(name, user):
    """A client for `user` (None: anonymous): a Bearer token for the JSON API, else a session."""
    if user is None:
        return Client()
    if _is_api(name):
        from django.utils import timezone

        from api.models import ApiToken

        token, raw = ApiToken.create_for(user, "reliability")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no "touch" write later
        return Client(headers={"Authorization": f"Bearer {raw}"})
    client = Client()
    client.force_login(user)
    return client


def _methods(name):
    return ("get", "post", "patch", "put", "delete") if _is_api(name) else ("get", "post")


def _send(client, name, method, url):
    if method == "get":
        return client.get(url)
    if _is_api(name):
        return getattr(client, method)(url, POST_DATA, content_type="application/json")
    return client.post(url, POST_DATA)


def _final_status(client, r, *, anonymous):
    """The status a person ends up with: a redirect counts as refused when it goes to the login page
    (anonymous) or to a page that itself refuses (e.g. a POST-only step redirecting a GET to the detail)."""
    if r.status_code != 302:
        return r.status_code
    location = r["Location"]
    if anonymous and "/login/" in location:
        return 403
    if not location.startswith("/"):
        return 302
    return {403: 403, 404: 404}.get(client.get(location).status_code, 302)


def _apps():
    return sorted({n.split(":")[0] if ":" in n else "liaison" for n in OBJECT_URLS})


@pytest.mark.parametrize("app", _apps())
def test_foreign_roles_are_refused_and_nothing_changes(app, world, personas):
    """Per app: every object URL × (estate B's director, B's chair, anonymous) × (GET, POST)."""
    names = [n for n in OBJECT_URLS if (n.split(":")[0] if ":" in n else "liaison") == app]
    names = [n for n in names if n in object_urls()]
    failures = []
    for name in names:
        build, owner = OBJECT_URLS[name]
        url = reverse(name, kwargs=build(world))
        clients = {role: _client(name, personas.get(role)) for role in [*FOREIGN, None]}
        for role, client in clients.items():
            who = role or "anonymous"
            for method in _methods(name):
                with transaction.atomic(), WriteRecorder() as rec:
                    r = _send(client, name, method, url)
                    status = _final_status(client, r, anonymous=role is None)
                    transaction.set_rollback(True)  # restore, so one hole does not hide the next
                changed = rec.writes
                if changed:
                    failures.append(f"{name} {method.upper()} by {who} CHANGED {changed}")
                if status not in DENIED:
                    failures.append(f"{name} {method.upper()} by {who}: {status} (want 403/404)")
        # positive control: the object exists and its owner reaches it (else the check above proves nothing)
        client = _client(name, personas[owner])
        with transaction.atomic():
            r = client.get(url)
            transaction.set_rollback(True)
        if r.status_code == 404:
            failures.append(f"{name}: its owner {owner} gets 404 too: the builder in OBJECT_URLS is wrong")
    assert not failures, "\n".join(failures)


# --- public URLs with a secret in them --------------------------------------------------------------


def test_public_urls_refuse_guessed_secrets(world, client):
    before = fingerprint()
    for name, kwarg in [
        ("meetings:calendar_feed", "token"),
        ("meetings:checkin", "token"),
        ("records:verify_code", "code"),
    ]:
        url = reverse(name, kwargs={kwarg: uuid.uuid4().hex[:12]})
        assert client.get(url).status_code == 404, name
        r = client.post(url, {"name": "张喆", "phone": "13800000000"})
        assert r.status_code in (404, 405), name
    assert diff(before, fingerprint()) == []


def test_calendar_feed_of_estate_b_does_not_show_estate_a(world, personas, client):
    from meetings.models import CalendarToken

    token = CalendarToken.objects.create(user=personas["director_b"]).token
    body = client.get(reverse("meetings:calendar_feed", kwargs={"token": token})).content.decode()
    assert "BEGIN:VCALENDAR" in body
    assert world.draft.title not in body and world.held.title not in body
    own = CalendarToken.objects.create(user=personas["director_a"]).token
    body = client.get(reverse("meetings:calendar_feed", kwargs={"token": own})).content.decode()
    assert world.draft.title in body or world.held.title in body  # control: the feed does list meetings


def test_checkin_token_is_per_meeting(world, client):
    """The QR page of a meeting names that meeting only; another meeting's pk cannot be reached from it."""
    r = client.get(reverse("meetings:checkin", kwargs={"token": world.held.checkin_token}))
    assert r.status_code == 200
    assert world.held.title in r.content.decode() and world.draft.title not in r.content.decode()


def test_verify_shows_no_private_content_for_a_code(world, client):
    r = client.get(reverse("records:verify_code", kwargs={"code": world.signoff.public_code}))
    assert r.status_code == 200
    assert world.sheet.content not in r.content.decode()


def test_admin_is_staff_only(world, personas):
    urls = [
        reverse("admin:liaison_estate_change", args=[world.estate.pk]),
        reverse("admin:meetings_meeting_change", args=[world.draft.pk]),
        reverse("admin:followups_issue_change", args=[world.issue.pk]),
        reverse("admin:liaison_estate_delete", args=[world.estate.pk]),
    ]
    for role in ["director_a", "leader", "chair_a", "director_b"]:
        client = Client()
        client.force_login(personas[role])
        for url in urls:
            r = client.get(url)
            assert r.status_code == 302 and "/admin/login/" in r["Location"], (role, url, r.status_code)
            r = client.post(url, {"post": "yes"})
            assert r.status_code == 302 and "/admin/login/" in r["Location"], (role, url, r.status_code)
    from liaison.models import Estate

    assert Estate.objects.filter(pk=world.estate.pk).exists()
    admin = Client()
    admin.force_login(personas["admin_user"])
    assert admin.get(urls[0]).status_code == 200  # control
