"""A committee chair's journey in Chromium: sees the document awaiting signature on the home page,
mistypes the password (nothing recorded), signs, and the director sees the request completed; the
batch job page polls its progress. No console errors (strict CSP)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from records import batch, documents, signoff
from records.models import BatchJob, Signature, SignoffRequest

from . import factories as f

pytestmark = pytest.mark.browser


def login(page, live_server, user, password):
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")
    page.wait_for_url(live_server.url + "/")


@pytest.mark.django_db(transaction=True)
def test_chair_signs_from_home_page(live_server, browser, oc_a, director_a, chair_a, password):
    sheet = f.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    req = signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=[chair_a.memberships.get()],
        by=director_a,
        now=timezone.now(),
        pdf=documents.frozen_pdf(oc_a.estate, "contact", fragment),
        html=fragment,
        contact_sheet=sheet,
    )
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 400" not in m.text else None)
    login(page, live_server, chair_a, password)
    page.click(f"#signoff-pending a[href='{req.get_absolute_url()}']")
    page.wait_for_selector("#sign-card")
    assert "地下车库照明" in page.inner_text(".paper")
    page.check("input[name=decision][value=agree]")
    page.fill("#id_password", "wrong")
    page.click("#sign-submit")
    page.wait_for_selector(".alert-danger, .invalid-feedback, .alert-block")
    assert not Signature.objects.exists()
    page.check("input[name=decision][value=agree]")
    page.fill("#id_password", password)
    page.click("#sign-submit")
    page.wait_for_selector("#signature-table")
    assert "张喆" in page.inner_text("#signature-table")
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.COMPLETED
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_batch_progress_page_shows_download(live_server, browser, oc_a, director_a, password, settings):
    start, _end = batch.meetings_forms.next_week(timezone.now())
    f.meeting(oc_a.estate, oc_a, organizer=director_a, starts_at=start + datetime.timedelta(hours=10))
    ids = list(oc_a.estate.meetings.values_list("pk", flat=True))
    job = BatchJob.objects.create(kind="signin_next_week", params={"meeting_ids": ids}, requested_by=director_a)
    batch.run_job(job.pk)
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, director_a, password)
    page.goto(live_server.url + reverse("records:batch_job", args=[job.pk]))
    page.wait_for_selector("#batch-download:not(.d-none)")
    assert BatchJob.objects.get().status == "done"
    assert errors == []
