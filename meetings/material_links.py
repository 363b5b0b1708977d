"""Download links for a meeting's materials that work without a portal account, for the committee
secretariat's e-mail (meetings/secretariat.py): materials too large to attach are linked, and the
secretariat usually has no login.

A link is signed (django.core.signing, salted for this use) and names one material; it expires after
MEETINGS_MATERIAL_LINK_DAYS (default 30) and stops working when the material is removed or the meeting
cancelled. Whoever holds the e-mail can open it, as they could open an attachment."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Material, Meeting

SALT = "meetings.material-link"


def link_days():
    return getattr(settings, "MEETINGS_MATERIAL_LINK_DAYS", 30)


def material_link(material):
    """The absolute URL of the signed download link for `material`."""
    token = signing.dumps({"material": material.pk, "meeting": material.meeting_id}, salt=SALT, compress=True)
    return f"{settings.SITE_URL.rstrip('/')}{reverse('meetings:material_link', args=[token])}"


def material_for(token):
    """The material a link names, or None when the link is forged, expired, or its material is gone or
    its meeting cancelled."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_days() * 86400)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    return (
        Material.objects.filter(pk=data.get("material"), meeting_id=data.get("meeting"))
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .first()
    )
