"""Signing in and signing without a password (issue 16 item 6): one-time secrets sent by SMS.

Actions (each writes its audit row in its transaction; the SMS leaves after commit, from the worker:
the task send_one_time_sms, retried with backoff while the link or code is still valid):
- request_link(): a member with a mainland mobile on record asks for a sign-in link. The answer is the
  same whether or not the number belongs to anyone (no account enumeration); the link is single use,
  valid LINK_TTL, bound to that member; only a keyed hash of its token is stored.
- open_link(): the link's token signs that member in once; wrong, expired or used links are refused with
  the reason, and counted (on the row when it exists, and per client address).
- request_code() / check_code() / use_code(): a 6-digit code for one sign-off request, valid CODE_TTL,
  dead after CODE_TRIES wrong tries (a new code is needed).

Asking (a link or a code) is limited per number and per client address (OTP_PHONE_RATE, OTP_IP_RATE,
"count/seconds", in Django's cache: liaison.ratelimit); opening links is limited per address
(OTP_OPEN_RATE). Every rule takes `now`.
"""

import datetime
import hmac
import logging
import secrets

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from . import people, ratelimit, sms
from .models import CommitteeMember, Notification, SmsChallenge, SmsTemplate, User, audit
from .models.notifications import fill
from .phones import mainland_mobile

log = logging.getLogger(__name__)

LINK_TTL = datetime.timedelta(minutes=15)
CODE_TTL = datetime.timedelta(minutes=10)
CODE_TRIES = 5
CODE_DIGITS = 6
# kinds of inbox messages that ask the member to act on their item (oldest unread first)
PENDING_KINDS = ("signoff.requested", "signoff.reminder")

# used when the SmsTemplate row is missing or inactive: nothing would be sent (logged)
TEMPLATE_CATEGORY = {SmsChallenge.Purpose.LOGIN: "login", SmsChallenge.Purpose.SIGN: "code"}


class OtpError(Exception):
    """A refusal the member should read. `code`: limited, invalid, expired, used, tries, nophone, send."""

    def __init__(self, message, code=""):
        super().__init__(message)
        self.code = code


def _rate(name, default):
    return ratelimit.parse(getattr(settings, name, default) or default)


def _hash(nonce, secret):
    return salted_hmac("liaison.otp", f"{nonce}:{secret}").hexdigest()


def _take_ask(phone, ip, now):
    """Reserve one ask for the number and one for the address; False when either is used up."""
    ts = now.timestamp()
    limit, window = _rate("OTP_PHONE_RATE", "3/900")
    if not ratelimit.take("otp-phone", phone, limit=limit, window=window, now=ts):
        return False
    limit, window = _rate("OTP_IP_RATE", "10/900")
    return ratelimit.take("otp-ip", ip or "unknown", limit=limit, window=window, now=ts)


def user_for_phone(number):
    """The one active member whose account or active committee seat has this mobile, else None
    (nobody, or two people sharing a number: a link could not say whose it is)."""
    if not number:
        return None
    ids = set(User.objects.filter(phone=number, is_active=True).values_list("pk", flat=True))
    seats = CommitteeMember.objects.filter(phone=number, ended_on__isnull=True, user__is_active=True)
    ids |= set(seats.values_list("user_id", flat=True))
    if len(ids) != 1:
        return None
    user = User.objects.get(pk=ids.pop())
    # the account's own number wins over a seat's: the link goes only to the number the channel uses
    return user if people.mobile_number(user) == number else None


def _send(challenge, values):
    """Send the challenge's SMS. False when nothing can be sent (no template, a permanent refusal);
    sms.SmsError (worth retrying: a timeout, throttling) is raised for the task to retry."""
    category = TEMPLATE_CATEGORY[challenge.purpose]
    template = SmsTemplate.objects.filter(category=category, active=True).first()
    if template is None:
        log.error("no active SMS template for %r (admin: SMS templates): nothing sent", category)
        return False
    sign = sms.sign_name()
    params = [(n, str(values.get(n, ""))) for n in template.variable_names()]
    text = f"【{sign}】" + fill(template.text, values)
    try:
        sms.provider().send(
            challenge.phone, template.template_code, params, out_id=f"liaison-otp{challenge.pk}", text=text
        )
    except sms.SmsPermanentError as exc:
        log.warning("SMS %s to %s****%s refused: %s", category, challenge.phone[:3], challenge.phone[-4:], exc)
        return False
    return True


def send_challenge(challenge_id, values, *, now=None):
    """Send one challenge's SMS (the task send_one_time_sms): nothing once it is used or expired."""
    challenge = SmsChallenge.objects.filter(pk=challenge_id).first()
    now = now or timezone.now()
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= now:
        return False
    return _send(challenge, values)


@shared_task(bind=True, max_retries=4)
def send_one_time_sms(self, challenge_id, values):
    """The task: retried after 10, 20, 40, 80 s on a provider's timeout or throttling; send_challenge
    sends nothing once the secret is used or expired. (Here, not in tasks.py, which imports it: the
    action enqueues it without an import cycle.)"""
    try:
        return send_challenge(challenge_id, values)
    except sms.SmsError as exc:
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries)


def _enqueue(challenge_id, values):
    """After commit: the SMS leaves from the worker, so the page never waits for the provider (and an
    answer for a known number takes as long as one for an unknown one). The broker down: sent here."""
    try:
        send_one_time_sms.apply_async(args=[challenge_id, values], retry=False)
    except Exception:  # noqa: BLE001 - the broker (Redis) is unreachable
        log.warning("broker unreachable: sending one-time SMS %s from the web process", challenge_id)
        try:
            send_challenge(challenge_id, values)
        except sms.SmsError as exc:
            log.warning("one-time SMS %s not sent: %s", challenge_id, exc)


def link_url(token):
    return settings.SITE_URL.rstrip("/") + reverse("sms_login_open", args=[token])


def request_link(phone, *, ip, now):
    """Ask for a sign-in link for `phone`. Returns True (the neutral answer: sent if the number is a
    member's); raises OtpError("limited") when the number or the address asked too often, and for a
    number that is not a mainland mobile ("invalid", on the form)."""
    number = mainland_mobile(phone)
    if number is None:
        raise OtpError(_("Enter a mainland mobile number: 11 digits starting with 1, e.g. 13812345678."), "invalid")
    if not _take_ask(number, ip, now):
        raise OtpError(_("Too many requests for a sign-in link. Wait 15 minutes and try again."), "limited")
    user = user_for_phone(number)
    if user is None:
        return True  # the same answer: nobody learns whether the number has an account
    token = secrets.token_urlsafe(12)  # 96 bits: single use, 15 minutes, rate-limited; short for the SMS
    nonce = secrets.token_hex(8)
    with transaction.atomic(durable=True):
        challenge = SmsChallenge.objects.create(
            purpose=SmsChallenge.Purpose.LOGIN,
            user=user,
            phone=number,
            nonce=nonce,
            # the link carries the nonce-free token: its hash is looked up, so it is keyed on the token only
            secret_hash=_hash("", token),
            created_at=now,
            expires_at=now + LINK_TTL,
            ip_address=ip,
        )
        audit(challenge, "otp.link_requested", actor=user, now=now, changes={"phone": f"****{number[-4:]}", "ip": ip})
        transaction.on_commit(lambda: _enqueue(challenge.pk, {"link": link_url(token)}))
    return True


def open_link(token, *, ip, now):
    """Sign-in by link: the member the link was sent to, once. Raises OtpError with the reason."""
    ts = now.timestamp()
    limit, window = _rate("OTP_OPEN_RATE", "20/900")
    if ratelimit.used("otp-open", ip or "unknown", window=window, now=ts) >= limit:
        raise OtpError(_("Too many wrong sign-in links from this device. Wait 15 minutes and try again."), "limited")
    challenge = None
    if token and len(token) <= 64:
        challenge = (
            SmsChallenge.objects.filter(purpose=SmsChallenge.Purpose.LOGIN, secret_hash=_hash("", token))
            .select_related("user")
            .first()
        )
    problem = _link_problem(challenge, now)
    if problem is None:
        with transaction.atomic(durable=True):
            # the conditional UPDATE makes the link single use even when opened twice at the same moment
            took = SmsChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True, expires_at__gt=now).update(
                used_at=now
            )
            if took == 1:
                audit(challenge, "otp.link_used", actor=challenge.user, now=now, changes={"ip": ip})
                return challenge.user
        problem = OtpError(_("This sign-in link was already used. Ask for a new one."), "used")
    ratelimit.take("otp-open", ip or "unknown", limit=limit, window=window, now=ts)
    if challenge is not None:
        with transaction.atomic(durable=True):
            SmsChallenge.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1)
            audit(challenge, "otp.link_refused", now=now, job="liaison.otp", changes={"reason": problem.code, "ip": ip})
    raise problem


def _link_problem(challenge, now):
    if challenge is None or not challenge.user.is_active:
        return OtpError(
            _("This sign-in link is not valid. Check that you opened the whole link, or ask for a new one."), "invalid"
        )
    if challenge.used_at is not None:
        return OtpError(_("This sign-in link was already used. Ask for a new one."), "used")
    if challenge.expires_at <= now:
        return OtpError(_("This sign-in link has expired (it is valid for 15 minutes). Ask for a new one."), "expired")
    return None


def pending_url(user):
    """Where a sign-in link lands: the member's oldest unread request to sign, else the home page."""
    item = (
        Notification.objects.filter(recipient=user, kind__in=PENDING_KINDS, read_at__isnull=True)
        .exclude(url="")
        .order_by("created")
        .first()
    )
    return item.url if item else reverse("home")


# --- signing codes ------------------------------------------------------------------------------------


def signing_target(request_id):
    return f"signoff:{request_id}"


def request_code(user, target, *, ip, now):
    """Send a new 6-digit code for `target` to the member's number; earlier codes for it stop working.
    Returns the last 4 digits of the number. OtpError: no number, or asked too often."""
    number = people.mobile_number(user)
    if not number:
        raise OtpError(_("There is no mainland mobile number on record for you. Sign with your password."), "nophone")
    if not _take_ask(number, ip, now):
        raise OtpError(_("Too many codes asked for. Wait 15 minutes and try again."), "limited")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    nonce = secrets.token_hex(8)
    with transaction.atomic(durable=True):
        SmsChallenge.objects.filter(
            purpose=SmsChallenge.Purpose.SIGN, user=user, target=target, used_at__isnull=True
        ).update(used_at=now)
        challenge = SmsChallenge.objects.create(
            purpose=SmsChallenge.Purpose.SIGN,
            user=user,
            phone=number,
            target=target,
            nonce=nonce,
            secret_hash=_hash(nonce, code),
            created_at=now,
            expires_at=now + CODE_TTL,
            ip_address=ip,
        )
        audit(challenge, "otp.code_requested", actor=user, now=now, changes={"target": target, "ip": ip})
        transaction.on_commit(lambda: _enqueue(challenge.pk, {"code": code}))
    return number[-4:]


def check_code(user, target, code, *, now):
    """The member's open code for `target` if `code` matches it (not yet used: see use_code). A wrong
    code counts a try (committed, whatever happens next); after CODE_TRIES the code is dead."""
    code = (code or "").strip()
    challenge = (
        SmsChallenge.objects.filter(purpose=SmsChallenge.Purpose.SIGN, user=user, target=target)
        .order_by("-created_at", "-pk")
        .first()
    )
    if challenge is None or challenge.used_at is not None:
        raise OtpError(_("Ask for a code first: tap “Send me a code by SMS”."), "invalid")
    if challenge.attempts >= CODE_TRIES:
        raise OtpError(_("Too many wrong codes. Ask for a new code."), "tries")
    if challenge.expires_at <= now:
        raise OtpError(_("This code has expired (it is valid for 10 minutes). Ask for a new code."), "expired")
    if hmac.compare_digest(_hash(challenge.nonce, code), challenge.secret_hash):
        return challenge
    with transaction.atomic():
        SmsChallenge.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1)
        audit(challenge, "otp.code_refused", actor=user, now=now, changes={"target": target})
    left = CODE_TRIES - challenge.attempts - 1
    if left <= 0:
        raise OtpError(_("Too many wrong codes. Ask for a new code."), "tries")
    raise OtpError(
        _("The code is not correct (%(n)s tries left). Your signature was not recorded.") % {"n": left}, "wrong"
    )


def use_code(challenge, *, now):
    """Spend the code (inside the signing transaction: rolled back with it). False when it was spent meanwhile."""
    return SmsChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=now) == 1


def token_digest(token):
    """For tests and the admin: the stored form of a link token."""
    return _hash("", token)
