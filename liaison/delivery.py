"""Deliver the outbox: claim each due Delivery with a conditional UPDATE, send, mark.

The promise (docs/notifications.md, "Delivery promise"): no path sends a row that is not freshly claimed
by the sender. The claim (PENDING -> SENDING) commits before the network call and the mark (-> SENT)
after it. A worker that dies between the two leaves the row SENDING; when its claim expires the loop
reconciles it (`reconcile`): an SMS is sent again only if the provider, asked by the message's own id,
says it never left; an email is sent again once with the same Message-ID; a robot or WeChat post is
marked FAILED "interrupted" for the administrators (at most once). The inbox copy is never lost: it is
written with the event.
Ordinary failures (SMTP error, endpoint down, provider error codes, timeouts) retry with exponential
backoff and give up after a limit, visibly (FAILED, every attempt logged, administrators told in their inbox).
"""

import datetime
import logging
import os
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import people, sms, webhooks, wechat
from .escaping import header_text
from .models import (
    Delivery,
    DeliveryAttempt,
    Role,
    SmsTemplate,
    User,
    WeChatBinding,
    WeChatTemplate,
    kind_category,
)
from .notify import format_when, notify

log = logging.getLogger(__name__)

# Longer than any single send can take (webhook budget, SMTP timeouts, the task's hard time limit),
# so an expired claim means the worker died.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
# Stop the loop before the task's soft time limit; the task re-queues itself for the rest.
RUN_BUDGET_SECONDS = 180


def _setting(name, default, cast):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return cast(value)


def max_attempts():
    return _setting("LIAISON_DELIVERY_MAX_ATTEMPTS", 6, int)


def backoff(attempts):
    """Wait after the n-th failed attempt: base, 2×base, 4×base … capped at 6 hours."""
    base = _setting("LIAISON_DELIVERY_BACKOFF_SECONDS", 60, float)
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


class PermanentError(Exception):
    """Retrying cannot help (bad configuration, no address): fail at once."""


def due_deliveries(now):
    # one indexed query (partial index delivery_due): pending rows that are due, and claims that expired
    return Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")


def claim(delivery, now):
    """Conditional UPDATE on (id, old state): only one worker wins. The claim expires at next_attempt_at."""
    return (
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING, attempts=delivery.attempts).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            next_attempt_at=now + CLAIM_TIMEOUT,
        )
        == 1
    )


# --- rendering and sending -----------------------------------------------------------------------------


def absolute(url):
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL.rstrip('/')}{url}"


def _domain():
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"


def build_email(notification):
    """The email of one message, in the recipient's language (User.language at send time)."""
    user = notification.recipient
    lang = user.language or settings.LANGUAGE_CODE
    ctx = {
        "user": user,
        "n": notification,
        "link": absolute(notification.url),
        "inbox_link": absolute(reverse("inbox")),
        "prefs_link": absolute(reverse("notification_preferences")),
        "sections": notification.data.get("sections") if isinstance(notification.data, dict) else None,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override(lang):
        template = "notifications/digest_email" if ctx["sections"] else "notifications/email"
        text = render_to_string(f"{template}.txt", ctx)
        html = render_to_string(f"{template}.html", ctx)
        subject = notification.shown_subject
    msg = EmailMultiAlternatives(
        subject=header_text(subject),  # user text (an issue's title): one line, or Django refuses it
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        # a stable Message-ID lets mail systems recognise a copy if one ever goes out twice
        headers={"Message-ID": f"<liaison.n{notification.pk}@{_domain()}>", "X-Liaison-Kind": notification.kind},
    )
    msg.attach_alternative(html, "text/html")
    return msg


def build_bundle(deliveries):
    """One email carrying several held messages of one recipient (quiet hours), oldest first."""
    items = sorted((d.notification for d in deliveries), key=lambda n: (n.created, n.pk))
    user = items[0].recipient
    lang = user.language or settings.LANGUAGE_CODE
    with translation.override(lang):
        subject = ngettext(
            "%(count)s message from the liaison portal",
            "%(count)s messages from the liaison portal",
            len(items),
        ) % {"count": len(items)}
        ctx = {
            "user": user,
            "subject": subject,
            "items": [
                {
                    "n": n,
                    "subject": n.shown_subject,
                    "body": n.shown_body,
                    "link": absolute(n.url),
                    "sections": n.data.get("sections") if isinstance(n.data, dict) else None,
                }
                for n in items
            ],
            "inbox_link": absolute(reverse("inbox")),
            "prefs_link": absolute(reverse("notification_preferences")),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        text = render_to_string("notifications/bundle_email.txt", ctx)
        html = render_to_string("notifications/bundle_email.html", ctx)
    lead = min(deliveries, key=lambda d: d.pk)
    msg = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": f"<liaison.b{lead.pk}@{_domain()}>", "X-Liaison-Kind": "bundle"},
    )
    msg.attach_alternative(html, "text/html")
    return msg


def send(delivery):
    """Send one delivery; return a short result text. Raises on failure."""
    if delivery.channel == Delivery.Channel.EMAIL:
        n = delivery.notification
        if not n.recipient.is_active or not n.recipient.email:
            raise PermanentError("recipient is inactive or has no email address")
        build_email(n).send()
        return f"sent to {n.recipient.email}"
    if delivery.channel == Delivery.Channel.SMS:
        return send_sms(delivery)
    if delivery.channel == Delivery.Channel.WECHAT:
        return send_wechat(delivery)
    if delivery.channel == Delivery.Channel.WEBHOOK:
        m, hook = delivery.group_message, delivery.webhook
        if not hook.active:
            raise PermanentError("the group robot was switched off")
        try:
            return webhooks.send(hook, m.subject, m.body, absolute(m.url))
        except webhooks.WebhookURLError as exc:
            raise PermanentError(str(exc))
    raise PermanentError(f"unknown channel {delivery.channel}")


def sms_out_id(delivery):
    """The message's own id, given to the provider (OutId / SessionContext) and asked about later."""
    return f"liaison-d{delivery.pk}"


def build_sms(notification):
    """(template, params, text as read) of a message's SMS, in the recipient's language; PermanentError
    when its category has no active template."""
    template = SmsTemplate.objects.filter(category=kind_category(notification.kind), active=True).first()
    if template is None:
        raise PermanentError(f"no active SMS template for {kind_category(notification.kind)!r} (admin: SMS templates)")
    params, text = template.render(message_values(notification), sms.sign_name())
    return template, params, text


def send_sms(delivery):
    n = delivery.notification
    phone = people.mobile_number(n.recipient) if n.recipient.is_active else None
    if not phone:
        raise PermanentError("recipient is inactive or has no mainland mobile number")
    template, params, text = build_sms(n)
    try:
        delivery.provider_message_id = sms.provider().send(
            phone, template.template_code, params, out_id=sms_out_id(delivery), text=text
        )
    except sms.SmsPermanentError as exc:
        raise PermanentError(str(exc))
    return f"sent to {phone[:3]}****{phone[-4:]} (id {delivery.provider_message_id}): {text}"


def message_values(notification):
    """The values a template may use, in the recipient's language."""
    lang = notification.recipient.language or settings.LANGUAGE_CODE
    with translation.override(lang):
        return {
            "subject": notification.text_in(lang)[0],
            "estate": notification.estate.name if notification.estate_id else "",
            "time": format_when(notification.created, notification.created),
        }


def send_wechat(delivery):
    n = delivery.notification
    binding = WeChatBinding.objects.filter(user=n.recipient).first()
    if not wechat.enabled():
        raise PermanentError("WeChat is not set up (LIAISON_WECHAT_APP_ID)")
    if not n.recipient.is_active or binding is None:
        raise PermanentError("recipient is inactive or no longer bound to WeChat")
    category = kind_category(n.kind)
    template = WeChatTemplate.objects.filter(category=category, active=True).first()
    if template is None:
        raise PermanentError(f"no active WeChat template for {category!r} (admin: WeChat templates)")
    try:
        delivery.provider_message_id = wechat.send_template(
            binding.openid, template.template_id, template.data(message_values(n)), url=absolute(n.url)
        )
    except wechat.WeChatError as exc:
        if exc.permanent:
            raise PermanentError(str(exc))
        raise
    return f"sent to WeChat {binding.openid[:6]}… (msgid {delivery.provider_message_id})"


# --- the loop ------------------------------------------------------------------------------------------


def _record(delivery, started, ok, result):
    DeliveryAttempt.objects.create(
        delivery=delivery,
        channel=delivery.channel,
        started_at=started,
        duration_ms=max(0, int((timezone.now() - started).total_seconds() * 1000)),
        ok=ok,
        result=str(result)[:2000],
    )


def _give_up(delivery, reason, now):
    """Mark FAILED (conditional on our claim) and tell the administrators, in one transaction."""
    with transaction.atomic():
        changed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.FAILED, last_error=str(reason)[:2000], next_attempt_at=now
        )
        if changed:
            alert_admins(delivery, reason, now)
    return changed


def alert_admins(delivery, reason, now):
    admins = User.objects.filter(is_active=True).filter(role=Role.ADMIN) | User.objects.filter(
        is_active=True, is_superuser=True
    )
    target = delivery.notification or delivery.group_message
    notify(
        admins.distinct(),
        kind="delivery.failed",
        key=f"delivery-failed:{delivery.pk}:{now.isoformat()}",
        subject=_("Delivery failed: %(channel)s · %(subject)s"),
        body=_("Gave up after %(attempts)s attempts. Last error: %(error)s"),
        params={
            "channel": delivery.get_channel_display(),
            "subject": str(target)[:80],
            "attempts": delivery.attempts,
            "error": str(reason)[:300],
        },
        url=reverse("admin:liaison_delivery_change", args=[delivery.pk]),
        now=now,
        email=False,  # never through the channel that may be failing; the inbox and admin show it
    )


def deliver_one(delivery, now, clock=None):
    """Claim, send, mark one due delivery. Returns 'sent', 'retry', 'failed', 'interrupted' or None (lost race)."""
    if delivery.status == Delivery.Status.SENDING:
        # an expired claim: the worker died between claim and mark
        return reconcile(delivery, now)
    clock = time.monotonic() if clock is None else clock  # the monotonic time at which `now` was taken
    if not claim(delivery, now):
        return None
    if delivery.held and delivery.channel == Delivery.Channel.EMAIL:
        delivery.attempts += 1
        return deliver_held(delivery, now, clock)
    delivery.attempts += 1
    started = timezone.now()
    if delivery.held and delivery.notification.read_at is not None:
        # an SMS held for the quiet hours and read in the portal meanwhile: not sent
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SKIPPED, last_error="", next_attempt_at=now
        )
        _record(delivery, started, True, "not sent: read in the portal before the quiet hours ended")
        return "skipped"
    try:
        result = send(delivery)
    except PermanentError as exc:
        log.warning("delivery %s failed permanently: %s", delivery.pk, exc)
        _record(delivery, started, False, exc)
        _give_up(delivery, exc, now)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any channel failure is recorded, then retried
        log.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, exc)
        error = f"{type(exc).__name__}: {exc}"
        _record(delivery, started, False, error)
        if delivery.attempts >= max_attempts():
            _give_up(delivery, error, now)
            return "failed"
        # counted from the end of this attempt: `now` plus the time the query, claim and attempt took
        elapsed = datetime.timedelta(seconds=time.monotonic() - clock)
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING,
            next_attempt_at=now + elapsed + backoff(delivery.attempts),
            last_error=error[:2000],
        )
        return "retry"
    mark_sent(delivery, result, started)
    return "sent"


def mark_sent(delivery, result, started, group=None):
    """The mark after a successful send (the step a crash can prevent: see the delivery promise);
    `group`: the deliveries one bundle email carried (`delivery` among them)."""
    rows = group or [delivery]
    Delivery.objects.filter(pk__in=[d.pk for d in rows], status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_message_id=getattr(delivery, "provider_message_id", "") or "",
    )
    for d in rows:
        _record(d, started, True, result)


# --- reconciling an interrupted send (docs/notifications.md, "No lost reminder") -----------------------------


def reconcile(delivery, now):
    """A claim expired: the worker died after claiming the row, before marking it. Did the message leave?

    - SMS: ask the provider about the message by its own id (the out id it was sent with). The provider
      has it → marked sent, not sent again. The provider has no such message (or reports it undelivered)
      → sent again. The provider cannot be asked just now → asked again later, up to the attempt limit.
    - Email: SMTP cannot be asked, so it is sent again **once**, with the same Message-ID (a mail system
      that got the first copy recognises the second); interrupted a second time, it is marked failed for the
      administrators. A held bundle is sent again as the same bundle.
    - Group robots and WeChat cannot be asked and have no Message-ID: marked failed for the
      administrators, never sent twice (at most once).
    Returns "reconciled" (it had left), "resent" (queued again), "retry" (ask later), "interrupted"
    (marked failed) or None (another worker got there first).
    """
    stale = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=delivery.claimed_at)
    if delivery.channel == Delivery.Channel.SMS:
        return _reconcile_sms(delivery, stale, now)
    if delivery.channel == Delivery.Channel.EMAIL and not delivery.resent:
        with transaction.atomic():
            lead_id = delivery.bundle_id or delivery.pk
            group = Delivery.objects.filter(status=Delivery.Status.SENDING).filter(
                models.Q(pk=lead_id) | models.Q(bundle_id=lead_id)
            )
            if not stale.exists():
                return None
            # the bundle's rows go back together: bundled again, the lowest id leads and names the Message-ID
            rows = list(group.select_for_update()) if group.filter(pk=delivery.pk).exists() else [delivery]
            Delivery.objects.filter(pk__in=[r.pk for r in rows], status=Delivery.Status.SENDING).update(
                status=Delivery.Status.PENDING, resent=True, bundle=None, next_attempt_at=now
            )
            for r in rows:
                _record(r, now, False, "interrupted while sending: sent again once, with the same Message-ID")
        return "resent"
    reason = _("Interrupted while sending (worker stopped); it may or may not have been delivered.")
    with transaction.atomic():
        if not stale.update(status=Delivery.Status.FAILED, last_error=str(reason), next_attempt_at=now):
            return None
        _record(delivery, now, False, reason)
        if delivery.bundle_id is None:
            alert_admins(delivery, reason, now)  # a held message sent with others: one alert for them all
    return "interrupted"


def _reconcile_sms(delivery, stale, now):
    phone = people.mobile_number(delivery.notification.recipient)
    started = timezone.now()
    try:
        if not phone:
            raise sms.SmsPermanentError("no mainland mobile number any more")
        status = sms.provider().query_status(sms_out_id(delivery), phone=phone, sent_at=delivery.claimed_at or now)
    except sms.SmsError as exc:
        error = f"interrupted; the provider could not be asked whether it was sent: {exc}"
        if isinstance(exc, sms.SmsPermanentError) or delivery.attempts >= max_attempts():
            with transaction.atomic():
                if not stale.update(status=Delivery.Status.FAILED, last_error=error[:2000], next_attempt_at=now):
                    return None
                _record(delivery, started, False, error)
                alert_admins(delivery, error, now)
            return "interrupted"
        # still claimed; asked again after the backoff (the attempt counts)
        if not stale.update(
            attempts=F("attempts") + 1, next_attempt_at=now + backoff(delivery.attempts), last_error=error[:2000]
        ):
            return None
        _record(delivery, started, False, error)
        return "retry"
    if status.left:
        changed = stale.update(
            status=Delivery.Status.SENT,
            sent_at=delivery.claimed_at or now,
            last_error="",
            provider_message_id=status.message_id or delivery.provider_message_id,
        )
        if changed:
            _record(delivery, started, True, f"interrupted, but the provider has it ({status.state}): not sent again")
        return "reconciled" if changed else None
    # the provider has no such message (or reports it undelivered): send it again, same out id
    changed = stale.update(status=Delivery.Status.PENDING, resent=True, next_attempt_at=now)
    if changed:
        _record(
            delivery, started, False, f"interrupted; the provider says it was not sent ({status.state}): sending again"
        )
    return "resent" if changed else None


# --- held messages (quiet hours): one email for all of a recipient's held messages ------------------------

BUNDLE_LIMIT = 50


def claim_bundle(lead, now):
    """Claim the recipient's other held email deliveries that are due, for the lead's message.

    Conditional UPDATE (status pending → sending, bundle = lead): a row another worker claimed first is
    not touched, and the rows marked with this lead are exactly the ones this worker claimed.
    """
    recipient_id = lead.notification.recipient_id
    ids = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            held=True,
            channel=Delivery.Channel.EMAIL,
            notification__recipient_id=recipient_id,
            next_attempt_at__lte=now,
        )
        .exclude(pk=lead.pk)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: BUNDLE_LIMIT - 1]
    )
    if ids:
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            bundle=lead,
            next_attempt_at=now + CLAIM_TIMEOUT,
        )
    members = list(
        Delivery.objects.filter(bundle=lead, status=Delivery.Status.SENDING)
        .exclude(pk=lead.pk)
        .select_related("notification__recipient")
    )
    return [lead, *members]


def deliver_held(lead, now, clock):
    """Send a recipient's held messages that are due as one email (one message: its own email).

    A held message read in the portal meanwhile (or marked read by acting on its item) is not sent.
    Failures retry (all together, with the lead's backoff) and give up together with one alert.
    """
    group = claim_bundle(lead, now)
    unread = [d for d in group if d.notification.read_at is None]
    read = [d for d in group if d.notification.read_at is not None]
    started = timezone.now()
    for d in read:
        Delivery.objects.filter(pk=d.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SKIPPED, last_error="", next_attempt_at=now
        )
        _record(d, started, True, "not sent: read in the portal before the quiet hours ended")
    if not unread:
        return "skipped"
    head = unread[0]
    pks = [d.pk for d in unread]
    user = head.notification.recipient
    try:
        if not user.is_active or not user.email:
            raise PermanentError("recipient is inactive or has no email address")
        msg = build_email(head.notification) if len(unread) == 1 else build_bundle(unread)
        msg.send()
    except PermanentError as exc:
        for d in unread:
            _record(d, started, False, exc)
        _fail_together(head, unread, exc, now)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any channel failure is recorded, then retried
        log.warning("held deliveries %s attempt failed: %s", pks, exc)
        error = f"{type(exc).__name__}: {exc}"
        for d in unread:
            _record(d, started, False, error)
        attempts = max(d.attempts for d in unread)
        if attempts >= max_attempts():
            _fail_together(head, unread, error, now)
            return "failed"
        elapsed = datetime.timedelta(seconds=time.monotonic() - clock)
        Delivery.objects.filter(pk__in=pks, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING,
            bundle=None,
            next_attempt_at=now + elapsed + backoff(attempts),
            last_error=error[:2000],
        )
        return "retry"
    result = f"sent to {user.email}" + (f" (one email with {len(unread)} held messages)" if len(unread) > 1 else "")
    mark_sent(head, result, started, group=unread)
    return "sent"


def _fail_together(head, group, reason, now):
    others = [d.pk for d in group if d.pk != head.pk]
    with transaction.atomic():
        if others:
            Delivery.objects.filter(pk__in=others, status=Delivery.Status.SENDING).update(
                status=Delivery.Status.FAILED, last_error=str(reason)[:2000], next_attempt_at=now
            )
        _give_up(head, reason, now)


def deliver_pending(now=None, limit=500, budget=RUN_BUDGET_SECONDS):
    """Deliver what is due, one row at a time. Returns counts and when the next retry is due."""
    # and "skipped", "resent", "reconciled" when any
    counts = {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0, "more": False}
    started = time.monotonic()
    for _i in range(limit):
        if time.monotonic() - started > budget:
            counts["more"] = True
            break
        current, clock = now or timezone.now(), time.monotonic()
        delivery = due_deliveries(current).select_related("notification__recipient", "group_message", "webhook").first()
        if delivery is None:
            break
        outcome = deliver_one(delivery, current, clock)
        if outcome:
            counts[outcome] = counts.get(outcome, 0) + 1
    else:
        counts["more"] = True
    counts["next_retry_at"] = next_retry_at() if counts["retry"] else None
    return counts


def next_retry_at():
    return (
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def retry(deliveries, now=None):
    """An administrator sends failed deliveries again (a new round of attempts)."""
    now = now or timezone.now()
    return deliveries.filter(status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None, bundle=None
    )
