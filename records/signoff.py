"""Online sign-off of written reports to a committee (seed 000 §4.1.7: signed by the chair and members).

Rules, all plain functions taking `now`:
- start(): a request with named signers (active members of the committee with a portal account);
  the document is frozen as version 1 (rendered PDF bytes + SHA-256).
- sign(): the signer re-enters their password; agree / agree with comments / disagree (a reason is
  required) / recuse (回避, a short reason optional); keeps who, when, address and the SHA-256 of the
  exact version. A stale version is refused.
- new_version(): any change after sending makes a new version; signatures of earlier versions are
  voided (kept, marked void) and the signers are asked again.
- evaluate(): the completion rule (every signer decides; recusals are not counted; then everyone else
  agrees, or more than half of them — the request's rule); tally() counts each choice for the pages
  and the signed PDF.
- send_reminders(): one reminder a day per outstanding signer (indexed next_reminder_at, claimed with a
  conditional UPDATE, and a per-day notify key).
"""

import dataclasses
import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison import access, clientip, otp, uploads
from liaison.models import CommitteeMember, audit
from liaison.notify import Text, acted_on, notify

from .models import DocumentVersion, IssuedPdf, Signature, Signer, SignoffRequest, sha256

REMINDER_HOUR = 9  # local time of the daily reminder
RECUSAL_REASON_MAX = 200  # a recusal's reason is optional and short
# "decline" was the only dissent before migration 0002 (it became "disagree"); API clients may still send it
LEGACY_DECISIONS = {"decline": Signature.Decision.DISAGREE}


class SignError(Exception):
    """A refusal the signer should read; `code` "stale" when the document changed meanwhile."""

    def __init__(self, message, code=""):
        super().__init__(message)
        self.code = code


def next_reminder(now):
    """The next 09:00 local time strictly after `now`, at least a day after the request."""
    local = timezone.localtime(now)
    day = local.date() + datetime.timedelta(days=1)
    naive = datetime.datetime.combine(day, datetime.time(REMINDER_HOUR))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def eligible_members(committee):
    """The committee's active members: those with a portal account sign online, the others on paper
    (the director records their wet signature, record_paper)."""
    return committee.active_members().filter(Q(user__isnull=True) | Q(user__is_active=True)).select_related("user")


def validate_signers(committee, members, rule):
    members = list(members)
    if not members:
        raise ValidationError(_("Choose at least one signer."))
    allowed = {m.pk for m in eligible_members(committee)}
    if any(m.pk not in allowed for m in members):
        raise ValidationError(_("Every signer must be an active member of this committee."))
    chair = committee.chair()
    if chair is None:
        raise ValidationError(_("This committee has no chair on record; add the chair before asking for signatures."))
    if chair.pk not in {m.pk for m in members}:
        raise ValidationError(_("The chair (%(name)s) must be among the signers.") % {"name": chair.name})
    return members


def _url(req):
    return reverse("records:signoff_detail", args=[req.pk])


@transaction.atomic
def start(
    *,
    committee,
    title,
    source,
    members,
    by,
    now,
    pdf,
    html="",
    filename="",
    contact_sheet=None,
    minutes_id=None,
    message="",
    rule=SignoffRequest.Rule.ALL,
):
    members = validate_signers(committee, members, rule)
    req = SignoffRequest.objects.create(
        estate=committee.estate,
        committee=committee,
        title=title,
        source=source,
        contact_sheet=contact_sheet,
        minutes_id=minutes_id,
        message=message,
        rule=rule,
        requested_by=by,
        created_at=now,
    )
    version = DocumentVersion.objects.create(
        request=req,
        number=1,
        title=title,
        html=html,
        pdf=pdf,
        filename=filename,
        sha256=sha256(pdf),
        created_by=by,
        created_at=now,
    )
    for m in members:
        Signer.objects.create(
            request=req,
            member=m,
            user=m.user,
            name=m.name,
            is_chair=m.role == CommitteeMember.Role.CHAIR,
            role_label=m.get_role_display(),
            next_reminder_at=next_reminder(now) if m.user_id else None,
        )
    audit(
        req,
        "signoff.requested",
        actor=by,
        now=now,
        changes={"title": title, "signers": [m.name for m in members], "sha256": version.sha256},
    )
    _ask(req, version, now, by)
    return req


def _ask(req, version, now, actor):
    users = [s.user for s in req.signers.select_related("user") if s.user_id]
    notify(
        users,
        kind="signoff.requested",
        key=f"signoff:{req.pk}:v{version.number}:requested",
        subject=_("Please sign: %(title)s") if version.number == 1 else _("Please sign again (new version): %(title)s"),
        body=_(
            "%(estate)s asks you to review and sign “%(title)s”. Open the portal, read it, and sign with your password."
        ),
        params={"title": req.title, "estate": req.estate.name},
        url=_url(req),
        estate=req.estate,
        now=now,
        actor=actor,
    )


def valid_signatures(req, version=None):
    version = version or req.current_version()
    return Signature.objects.filter(signer__request=req, version=version, voided_at__isnull=True)


def _signed_current():
    """The signer (the outer row) holds a valid signature on its request's current (highest-numbered)
    version: valid_signatures() as a condition, for any number of signers in one query."""
    current = DocumentVersion.objects.filter(request=OuterRef(OuterRef("request"))).order_by("-number").values("pk")
    return Exists(
        Signature.objects.filter(signer=OuterRef("pk"), voided_at__isnull=True, version=Subquery(current[:1]))
    )


def outstanding_signers(requests):
    """Signers of `requests` (ids or a queryset) who have not signed their request's current version."""
    return Signer.objects.filter(request__in=requests).exclude(_signed_current()).select_related("user")


def outstanding(req):
    """Signers who have not signed the current version."""
    return outstanding_signers([req.pk])


def waiting_by_request(reqs):
    """{request id: [signers who have not signed its current version]} for `reqs`: one query."""
    waiting = {r.pk: [] for r in reqs}
    for signer in outstanding_signers(list(waiting)):
        waiting[signer.request_id].append(signer)
    return waiting


def pending_for(user):
    """Open requests `user` may see that wait for their signature on the current version."""
    mine = Signer.objects.filter(request=OuterRef("pk"), user=user).exclude(_signed_current())
    return access.scope(SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN), user).filter(Exists(mine))


@dataclasses.dataclass
class Tally:
    """The decisions on a request's current version: counts per choice, each dissent's and recusal's
    reason, and who has not decided yet."""

    rule: str
    signers: int
    agree: int = 0
    comments: int = 0
    disagree: int = 0
    recuse: int = 0
    dissents: list = dataclasses.field(default_factory=list)  # [(signer, reason)]
    recusals: list = dataclasses.field(default_factory=list)  # [(signer, reason)]
    pending: list = dataclasses.field(default_factory=list)  # [signer]

    @property
    def agreeing(self):
        return self.agree + self.comments

    @property
    def voting(self):
        """Those who did not recuse (the undecided included): the base of the count."""
        return self.signers - self.recuse

    @property
    def needed(self):
        """Agreements needed out of `voting`: all of them, or more than half."""
        return self.voting if self.rule == SignoffRequest.Rule.ALL else self.voting // 2 + 1

    @property
    def complete(self):
        return not self.pending

    @property
    def agreed(self):
        return self.complete and self.voting > 0 and self.agreeing >= self.needed

    @property
    def cannot_agree(self):
        """Already decided against, whatever those who have not decided do (the request still waits
        for them: everyone's decision is recorded)."""
        if self.rule == SignoffRequest.Rule.ALL:
            return self.disagree > 0
        # the best case is everyone undecided agreeing (one recusing lowers the need by at most one)
        return self.agreeing + len(self.pending) < self.needed

    def counts(self):
        """[(decision, label, count)] in the order of the choices."""
        n = {
            Signature.Decision.AGREE: self.agree,
            Signature.Decision.AGREE_WITH_COMMENTS: self.comments,
            Signature.Decision.DISAGREE: self.disagree,
            Signature.Decision.RECUSE: self.recuse,
        }
        return [(value, label, n[value]) for value, label in Signature.Decision.choices]

    def summary(self):
        """The counts as one text ("agree 2, disagree 1, recuse 1"), rendered in each reader's language."""
        return Text(
            _("agree %(agree)s, disagree %(disagree)s, recuse %(recuse)s"),
            {"agree": self.agreeing, "disagree": self.disagree, "recuse": self.recuse},
        )


def tally(req, sigs=None, signers=None):
    """Tally of the valid signatures on the current version (`sigs`, `signers`: already loaded)."""
    sigs = list(valid_signatures(req).select_related("signer")) if sigs is None else list(sigs)
    signers = list(req.signers.all()) if signers is None else list(signers)
    t = Tally(rule=req.rule, signers=len(signers))
    decided = set()
    for s in sigs:
        decided.add(s.signer_id)
        if s.decision == Signature.Decision.AGREE:
            t.agree += 1
        elif s.decision == Signature.Decision.AGREE_WITH_COMMENTS:
            t.comments += 1
        elif s.decision == Signature.Decision.RECUSE:
            t.recuse += 1
            t.recusals.append((s.signer, s.comment))
        else:  # disagree (and any unknown value: never counted as agreeing)
            t.disagree += 1
            t.dissents.append((s.signer, s.comment))
    t.pending = [x for x in signers if x.pk not in decided]
    return t


def counts_by_request(reqs):
    """{request id: {decision: count}} on each request's current version, for a list: one query."""
    ids = [getattr(r, "pk", r) for r in reqs]
    out = {pk: {} for pk in ids}
    if not ids:
        return out
    # each request's current version: no later one; read from the page's requests (index on request),
    # then their signatures (index on version), so the cost follows the page, not the company
    newer = DocumentVersion.objects.filter(request=OuterRef("request"), number__gt=OuterRef("number"))
    current = DocumentVersion.objects.filter(request__in=ids).filter(~Exists(newer)).values("pk")
    rows = (
        Signature.objects.filter(version__in=current, voided_at__isnull=True)
        .values("version__request", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        out[row["version__request"]][row["decision"]] = row["n"]
    return out


def evaluate(req):
    """The status the signatures on the current version call for: the completion rule.

    Seed 000 §4.1.7: reports to the 业委会 are "signed by the chair and the members" (请主任、委员签字认可):
    the chair is always among the signers (validate_signers), and a request stays open until every named
    signer has decided — agree, agree with comments, disagree or recuse — so each member's position is on
    record. Seed 002 第六条 (the committee's own rule: a resolution needs more than half of the members
    taking part, 到会成员半数以上表决通过): a member who recuses (回避, e.g. a conflict of interest) takes no
    part, so recusals are left out of the count, never counted against. Then:
    - rule `all` (the default): agreed when everyone who did not recuse agrees;
    - rule `majority`: agreed when more than half of those who did not recuse agree (the chair's
      signature counts as one, as in 第六条).
    Agreed -> COMPLETED (已签署); not agreed -> DECLINED (未获同意); everyone recusing agrees to nothing.
    """
    if req.status == SignoffRequest.Status.CANCELLED:
        return req.status
    t = tally(req)
    if not t.complete:
        return SignoffRequest.Status.OPEN
    return SignoffRequest.Status.COMPLETED if t.agreed else SignoffRequest.Status.DECLINED


def decision_problem(decision, comment):
    """Why `decision` with `comment` cannot be recorded (a message for the signer), or None."""
    if decision == Signature.Decision.DISAGREE and not comment:
        return _("“Disagree” needs your reason. Your signature was not recorded.")
    if decision == Signature.Decision.AGREE_WITH_COMMENTS and not comment:
        return _("Write your comments, or choose “Agree”.")
    if decision == Signature.Decision.RECUSE and len(comment) > RECUSAL_REASON_MAX:
        return _("Keep the reason for recusing short: at most %(n)s characters.") % {"n": RECUSAL_REASON_MAX}
    if decision not in Signature.Decision.values:
        return _("Choose agree, agree with comments, disagree or recuse.")
    return None


def check_password(request, user, password):
    """Re-authentication: the signer's own password (throttled like the login by django-axes)."""
    if not password:
        return False
    try:
        again = authenticate(request, username=user.get_username(), password=password)
    except PermissionDenied:
        raise SignError(_("Too many wrong passwords. Wait a while and try again."))
    return again is not None and again.pk == user.pk


def client_ip(request):
    # behind a trusted proxy the client's own address, not the proxy's (liaison.clientip)
    return clientip.client_ip(request)


def ask_code(req, *, request, user, now):
    """Send the signer a 6-digit code by SMS to sign `req` without a password (liaison.otp: 10 minutes,
    5 wrong tries, asks limited per number and address). Returns the number's last 4 digits."""
    if req.status != SignoffRequest.Status.OPEN:
        raise SignError(_("This document is no longer waiting for signatures."))
    if not outstanding(req).filter(user=user).exists():
        raise SignError(_("You are not a signer of this document."))
    try:
        return otp.request_code(user, otp.signing_target(req.pk), ip=client_ip(request), now=now)
    except otp.OtpError as exc:
        raise SignError(str(exc), code="code")


def sign(req, *, request, user, password, decision, comment, version_id, version_sha256, now, code=""):
    """Sign with the password or, instead, with the SMS code sent by ask_code (method "sms")."""
    comment = (comment or "").strip()
    decision = LEGACY_DECISIONS.get(decision, decision)
    problem = decision_problem(decision, comment)  # before the password: a refusal costs no attempt
    if problem:
        raise SignError(problem)
    challenge = None
    if code:
        try:  # a wrong code counts a try whatever happens next (committed before the signing transaction)
            challenge = otp.check_code(user, otp.signing_target(req.pk), code, now=now)
        except otp.OtpError as exc:
            raise SignError(str(exc), code="code")
    elif not check_password(request, user, password):
        raise SignError(_("The password is not correct. Your signature was not recorded."))
    with transaction.atomic():
        req = SignoffRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != SignoffRequest.Status.OPEN:
            raise SignError(_("This document is no longer waiting for signatures."))
        signer = req.signers.filter(user=user).first()
        if signer is None:
            raise SignError(_("You are not a signer of this document."))
        version = req.current_version()
        if str(version.pk) != str(version_id) or version.sha256 != version_sha256:
            raise SignError(
                _("The document was changed after you opened it. Read the new version and sign again."), code="stale"
            )
        if Signature.objects.filter(signer=signer, version=version).exists():
            raise SignError(_("You have already signed this version."))
        # the code is spent with the signature: rolled back together when anything below fails
        if challenge is not None and not otp.use_code(challenge, now=now):
            raise SignError(_("Ask for a code first: tap “Send me a code by SMS”."), code="code")
        sig = Signature.objects.create(
            signer=signer,
            version=version,
            decision=decision,
            comment=comment,
            signed_at=now,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            sha256=version.sha256,
            method=Signature.Method.SMS if challenge else Signature.Method.ONLINE,
            phone_last4=challenge.phone_last4 if challenge else "",
        )
        Signer.objects.filter(pk=signer.pk).update(next_reminder_at=None)
        audit(
            req,
            "signoff.signed",
            actor=user,
            now=now,
            changes={
                "signer": signer.name,
                "decision": decision,
                "version": version.number,
                "sha256": version.sha256,
                "ip": sig.ip_address,
                "method": sig.method,
                **({"phone": f"****{sig.phone_last4}"} if challenge else {}),
            },
        )
        acted_on(user, req, now=now)  # "please sign" and its reminders are read once signed
        _apply_status(req, now, actor=user)
    return sig


def record_paper(req, *, by, signer_id, decision, comment, scan, version_id, version_sha256, now):
    """The director records a member's signature on paper (签字认可 on the printed page, §4.1.7): the scan
    or photo of the signed page (an image or a PDF, judged by its content), the member's decision, who
    recorded it and when. It counts in the completion rule like a signature made online, and prints with
    its method. Refused: a file that is not an image or PDF, a stale version, a signer who already signed."""
    if not access.directs_estate(by, req.estate):
        raise PermissionDenied
    comment = (comment or "").strip()
    problem = decision_problem(decision, comment)
    if problem:
        raise SignError(problem)
    try:
        kind = uploads.validate_upload(scan)
    except ValidationError as exc:
        raise SignError(" ".join(exc.messages), code="scan")
    if kind not in uploads.IMAGE_TYPES and kind != "application/pdf":
        raise SignError(_("Upload a scan or photo of the signed page: an image or a PDF."), code="scan")
    with transaction.atomic():
        req = SignoffRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != SignoffRequest.Status.OPEN:
            raise SignError(_("This document is no longer waiting for signatures."))
        signer = req.signers.filter(pk=signer_id).first()
        if signer is None:
            raise SignError(_("Choose one of the document's signers."), code="signer")
        version = req.current_version()
        if str(version.pk) != str(version_id) or version.sha256 != version_sha256:
            raise SignError(
                _("The document was changed after you opened it. Read the new version and sign again."), code="stale"
            )
        if Signature.objects.filter(signer=signer, version=version).exists():
            raise SignError(_("%(name)s has already signed this version.") % {"name": signer.name}, code="signer")
        scan.seek(0)
        sig = Signature(
            signer=signer,
            version=version,
            decision=decision,
            comment=comment,
            signed_at=now,
            sha256=version.sha256,
            method=Signature.Method.PAPER,
            scan_name=scan.name[:200],
            scan_type=kind,
            recorded_by=by,
        )
        sig.scan.save("scan", scan, save=False)
        sig.save()
        Signer.objects.filter(pk=signer.pk).update(next_reminder_at=None)
        audit(
            req,
            "signoff.paper_signed",
            actor=by,
            now=now,
            changes={
                "signer": signer.name,
                "decision": decision,
                "version": version.number,
                "sha256": version.sha256,
                "scan": sig.scan_name,
            },
        )
        if signer.user_id:
            acted_on(signer.user, req, now=now)
        _apply_status(req, now, actor=by)
    return sig


def _apply_status(req, now, *, actor=None, job=""):
    new = evaluate(req)
    if new == req.status:
        return
    old = req.status
    req.status = new
    req.completed_at = now if new == SignoffRequest.Status.COMPLETED else None
    req.save(update_fields=["status", "completed_at"])
    audit(req, "signoff.status", actor=actor, job=job, now=now, changes={"status": [old, new]})
    if new != SignoffRequest.Status.OPEN:
        req.signers.update(next_reminder_at=None)
    if new in (SignoffRequest.Status.COMPLETED, SignoffRequest.Status.DECLINED):
        version = req.current_version()
        recipients = [req.requested_by, req.estate.director(), *[s.user for s in req.signers.select_related("user")]]
        done = new == SignoffRequest.Status.COMPLETED
        notify(
            [u for u in recipients if u],
            kind="signoff.completed",
            key=f"signoff:{req.pk}:v{version.number}:{new}",
            subject=_("Signed by all: %(title)s") if done else _("Sign-off declined: %(title)s"),
            body=_("“%(title)s” (version %(version)s) is signed by all: %(counts)s.")
            if done
            else _("“%(title)s” (version %(version)s) was not agreed: %(counts)s. Open it to read the reasons."),
            params={"title": req.title, "version": version.number, "counts": tally(req).summary()},
            url=_url(req),
            estate=req.estate,
            now=now,
            actor=actor,
        )


@transaction.atomic
def new_version(req, *, pdf, html="", filename="", title=None, by, now, note=""):
    """Freeze changed content as a new version. Earlier signatures are voided, visibly. No-op when
    the bytes are the same as the current version's."""
    req = SignoffRequest.objects.select_for_update().get(pk=req.pk)
    if req.status == SignoffRequest.Status.CANCELLED:
        return None
    current = req.current_version()
    digest = sha256(pdf)
    if current and current.sha256 == digest:
        return None
    if title:
        req.title = title
        req.save(update_fields=["title"])
    number = (current.number if current else 0) + 1
    version = DocumentVersion.objects.create(
        request=req,
        number=number,
        title=req.title,
        html=html,
        pdf=pdf,
        filename=filename,
        sha256=digest,
        change_note=note[:300],
        created_by=by,
        created_at=now,
    )
    voided = 0
    if current:
        DocumentVersion.objects.filter(pk=current.pk).update(superseded_at=now)
        voided = Signature.objects.filter(signer__request=req, voided_at__isnull=True).update(
            voided_at=now, void_reason=str(_("Superseded by version %(n)s") % {"n": number})[:200]
        )
    old_status = req.status
    req.status = SignoffRequest.Status.OPEN
    req.completed_at = None
    req.save(update_fields=["status", "completed_at"])
    req.signers.filter(user__isnull=False).update(next_reminder_at=next_reminder(now))
    audit(
        req,
        "signoff.new_version",
        actor=by,
        now=now,
        changes={
            "version": number,
            "sha256": digest,
            "voided_signatures": voided,
            "status": [old_status, req.status],
            "note": note,
        },
    )
    _ask(req, version, now, by)
    return version


@transaction.atomic
def cancel(req, *, by, now, reason=""):
    req = SignoffRequest.objects.select_for_update().get(pk=req.pk)
    if req.status == SignoffRequest.Status.CANCELLED:
        return
    old = req.status
    req.status = SignoffRequest.Status.CANCELLED
    req.save(update_fields=["status"])
    req.signers.update(next_reminder_at=None)
    audit(req, "signoff.status", actor=by, now=now, changes={"status": [old, req.status], "reason": reason})


def send_reminders(now, *, limit=500):
    """Remind each outstanding signer once a day. Safe to run twice or concurrently."""
    sent = 0
    due = (
        Signer.objects.filter(next_reminder_at__lte=now)
        .select_related("request", "request__estate", "user")
        .order_by("next_reminder_at")[:limit]
    )
    for signer in due:
        old = signer.next_reminder_at
        req = signer.request
        with transaction.atomic():
            if req.status != SignoffRequest.Status.OPEN:
                Signer.objects.filter(pk=signer.pk, next_reminder_at=old).update(next_reminder_at=None)
                continue
            claimed = Signer.objects.filter(pk=signer.pk, next_reminder_at=old).update(
                next_reminder_at=next_reminder(now)
            )
            if claimed != 1:
                continue  # another run took it
            day = timezone.localdate(now).isoformat()
            created = notify(
                [signer.user],
                kind="signoff.reminder",
                key=f"signoff:{req.pk}:remind:{signer.pk}:{day}",
                subject=_("Reminder: your signature is awaited on “%(title)s”"),
                body=_("Requested on %(date)s. Open the portal to read and sign."),
                params={"title": req.title, "date": timezone.localdate(req.created_at)},  # printed per language
                url=_url(req),
                estate=req.estate,
                now=now,
            )
            if created:
                audit(req, "signoff.reminded", job="records.send_reminders", now=now, changes={"signer": signer.name})
                sent += 1
    return sent


# --- signed PDFs and verification -------------------------------------------------------------------


def verify_url(req):
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("records:verify_code", args=[req.public_code])


def state_key(req, version, sigs):
    raw = json.dumps([req.pk, version.pk, version.sha256, [(s.pk, s.decision) for s in sigs]])
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_signed_pdf(req, *, render, now):
    """The signed PDF for the current state (rendered once per state) — returns IssuedPdf."""
    version = req.current_version()
    sigs = list(valid_signatures(req, version).select_related("signer"))
    key = state_key(req, version, sigs)
    existing = IssuedPdf.objects.filter(state_key=key).first()
    if existing:
        return existing
    data = render(req, version, sigs)
    issued, _created = IssuedPdf.objects.get_or_create(
        state_key=key,
        defaults={
            "request": req,
            "version": version,
            "sha256": sha256(data),
            "pdf": data,
            "signatures_count": len(sigs),
            "complete": req.status == SignoffRequest.Status.COMPLETED,
            "created_at": now,
        },
    )
    return issued


def verify(digest, *, code=None):
    """What a SHA-256 matches: {"kind": "signed"|"document", "request", "version", "issued"} or None."""
    digest = (digest or "").strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    issued = IssuedPdf.objects.filter(sha256=digest).select_related("request", "version").first()
    if issued and (code is None or issued.request.public_code == code):
        return {"kind": "signed", "request": issued.request, "version": issued.version, "issued": issued}
    version = DocumentVersion.objects.filter(sha256=digest).select_related("request").first()
    if version and (code is None or version.request.public_code == code):
        return {"kind": "document", "request": version.request, "version": version, "issued": None}
    return None
