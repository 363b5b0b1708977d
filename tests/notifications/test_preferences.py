"""The preferences page: email per kind for everyone; channel mutes for the estates one manages."""

import pytest

from liaison.models import AuditEntry, EstateMute, NotificationPreference


def test_choosing_email_per_kind(client_for, director_a):
    c = client_for(director_a)
    page = c.get("/inbox/preferences/").content.decode()
    assert page.count('type="checkbox"') >= 12 and 'value="issue"' in page
    r = c.post("/inbox/preferences/", {"email": ["meeting", "digest"]})
    assert r.status_code == 302
    off = set(NotificationPreference.objects.filter(user=director_a, email=False).values_list("category", flat=True))
    assert off == {"cadence", "issue", "signoff", "other"}
    page = c.get("/inbox/preferences/").content.decode()
    assert 'value="meeting" class="form-check-input" id="id_email_0" checked' in page


def test_unknown_kind_is_refused_with_a_message(client_for, director_a):
    r = client_for(director_a).post("/inbox/preferences/", {"email": ["meeting", "bogus"]})
    assert r.status_code == 200 and "bogus" in r.content.decode()
    assert not NotificationPreference.objects.exists()


def test_director_mutes_a_channel_for_their_estate(client_for, director_a, estate_a):
    c = client_for(director_a)
    assert f'id="estate-{estate_a.pk}"' in c.get("/inbox/preferences/").content.decode()
    r = c.post(f"/inbox/preferences/estates/{estate_a.pk}/", {f"e{estate_a.pk}-mute": ["webhook:*", "email:cadence"]})
    assert r.status_code == 302
    assert set(EstateMute.objects.values_list("channel", "category")) == {("webhook", ""), ("email", "cadence")}
    assert AuditEntry.objects.filter(action="notifications.mutes", estate=estate_a, actor=director_a).exists()
    c.post(f"/inbox/preferences/estates/{estate_a.pk}/", {f"e{estate_a.pk}-mute": ["email:cadence"]})
    assert set(EstateMute.objects.values_list("channel", "category")) == {("email", "cadence")}


def test_bad_mute_value_keeps_everything_and_says_why(client_for, director_a, estate_a):
    EstateMute.objects.create(estate=estate_a, channel="email", category="")
    r = client_for(director_a).post(f"/inbox/preferences/estates/{estate_a.pk}/", {f"e{estate_a.pk}-mute": ["fax:*"]})
    assert r.status_code == 400 and "fax:*" in r.content.decode()
    assert set(EstateMute.objects.values_list("channel", "category")) == {("email", "")}


@pytest.mark.parametrize("who", ["director_b", "dept_a", "chair_a", "leader"])
def test_others_cannot_mute_the_estate(request, client_for, estate_a, who):
    user = request.getfixturevalue(who)
    c = client_for(user)
    assert f'id="estate-{estate_a.pk}"' not in c.get("/inbox/preferences/").content.decode()
    r = c.post(f"/inbox/preferences/estates/{estate_a.pk}/", {f"e{estate_a.pk}-mute": ["email:*"]})
    assert r.status_code == 404
    assert not EstateMute.objects.exists()
