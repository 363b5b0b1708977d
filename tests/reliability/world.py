"""One object of every kind a URL can name, all belonging to estate A (its 业委会 oc_a).

Built with the ORM (not through the apps' actions) so that the access tests do not depend on the
business rules: they only need objects that exist and belong to estate A.
"""

import datetime
import io
import types

from django.core.files.base import ContentFile
from django.utils import timezone

from liaison.models import CommitteeMember, Notification, StaffAssignment


def _png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build(p, *, estate_a, oc_a, rc_a):
    from followups.models import Callback, Issue, IssueAttachment
    from meetings.cadence_defaults import ensure_default_kinds
    from meetings.models import (
        AgendaItem,
        Attendance,
        Invitation,
        Material,
        Meeting,
        MeetingSeries,
        Minutes,
        Photo,
        Resolution,
    )
    from records.models import (
        AnnualPlan,
        AnnualPlanItem,
        BatchJob,
        DocumentVersion,
        ImportantMatter,
        MinutesResponse,
        MinutesResponsePhoto,
        Signature,
        Signer,
        SignoffRequest,
        WorkContactSheet,
        WorkPlan,
        WorkPlanItem,
        sha256,
    )

    now = timezone.now()
    w = types.SimpleNamespace(p=p, estate=estate_a, oc=oc_a, rc=rc_a, now=now)
    kinds = ensure_default_kinds()
    routine = kinds.get("oc_routine") or next(iter(kinds.values()))
    director = p["director_a"]

    def meeting(title, status, starts, held=False):
        return Meeting.objects.create(
            estate=estate_a,
            committee=oc_a,
            kind=routine,
            title=title,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="管理处会议室",
            status=status,
            organizer=director,
            attendance_recorded_at=starts if held else None,
            sent_at=starts - datetime.timedelta(days=8),
        )

    w.draft = meeting("草稿会议", Meeting.Status.DRAFT, now + datetime.timedelta(days=20))
    w.draft.sent_at = None
    w.draft.save()
    w.awaiting = meeting("待批专题会议", Meeting.Status.AWAITING_APPROVAL, now + datetime.timedelta(days=15))
    w.held = meeting("已召开例会", Meeting.Status.HELD, now - datetime.timedelta(days=1), held=True)
    w.agenda = AgendaItem.objects.create(meeting=w.draft, title="电梯维修", cause="故障")
    w.series = MeetingSeries.objects.create(
        estate=estate_a,
        committee=oc_a,
        kind=routine,
        title="月度沟通",
        place="管理处会议室",
        frequency=MeetingSeries.Frequency.MONTHLY_DAY,
        monthday=5,
        start_time=datetime.time(15, 0),
        starts_on=now.date(),
        until=now.date() + datetime.timedelta(days=180),
        created_by=director,
    )
    w.held_agenda = AgendaItem.objects.create(meeting=w.held, title="绿化", discussion="讨论")
    w.material = Material(
        meeting=w.draft, original_name="材料.png", content_type="image/png", size=len(PNG), uploaded_by=director
    )
    w.material.file.save("m.png", ContentFile(PNG), save=True)
    w.photo = Photo(meeting=w.held, original_name="现场.png", content_type="image/png", uploaded_by=director)
    w.photo.image.save("p.png", ContentFile(PNG), save=True)
    chair_member = oc_a.members.get(user=p["chair_a"])
    w.invitation = Invitation.objects.create(meeting=w.draft, member=chair_member, user=p["chair_a"], name="张喆")
    w.held_invitation = Invitation.objects.create(meeting=w.held, member=chair_member, user=p["chair_a"], name="张喆")
    w.pending_invitation = Invitation.objects.create(meeting=w.held, user=p["member_a"], name="刘堃")
    w.attendance = Attendance.objects.create(
        meeting=w.held, invitation=w.held_invitation, name="张喆", recorded_by=director
    )
    w.minutes = Minutes.objects.create(
        meeting=w.held, host_name="王主任", recorder_name="王主任", recorder=director, summary="会议纪要"
    )
    # a member's answer to the minutes with a photo (records:minutes_answer_photo / _thumbnail)
    w.minutes_response = MinutesResponse.objects.create(
        minutes=w.minutes, member=chair_member, user=p["chair_a"], answer="objected", comment="照片为证"
    )
    w.answer_photo = MinutesResponsePhoto(response=w.minutes_response, name="现场.png", content_type="image/png")
    w.answer_photo.file.save("a.png", ContentFile(PNG), save=True)
    w.resolution = Resolution.objects.create(
        meeting=w.held,
        estate=w.held.estate,
        committee=w.held.committee,
        text="修电梯",
        owner=director,
        owner_name="王主任",
        action="联系厂家",
        due_date=(now + datetime.timedelta(days=10)).date(),
    )
    # a contact that is not a meeting, with an attachment (meetings:contact*)
    from meetings.models import Contact, ContactAttachment

    w.contact = Contact.objects.create(
        estate=estate_a, committee=oc_a, kind="written", occurred_at=now, summary="书面报告", staff=director
    )
    w.contact_attachment = ContactAttachment(
        contact=w.contact, original_name="报告.pdf", content_type="application/pdf"
    )
    w.contact_attachment.file.save("r.pdf", ContentFile(b"%PDF-1.4 report"), save=True)

    w.issue = Issue.objects.create(
        estate=estate_a,
        committee=oc_a,
        raised_by="张喆",
        raised_at=now - datetime.timedelta(hours=2),
        description="地下车库渗水",
        source="meeting",
        meeting=w.held,
        reply_due_at=now + datetime.timedelta(days=3),
        callback_due_at=now + datetime.timedelta(days=3),
        next_check_at=now + datetime.timedelta(days=2),
        created_by=director,
    )
    w.attachment = IssueAttachment(issue=w.issue, name="照片.png", uploaded_by=director)
    w.attachment.file.save("a.png", ContentFile(PNG), save=True)
    w.callback = Callback.objects.create(
        issue=w.issue,
        estate=estate_a,
        committee=oc_a,
        called_at=now - datetime.timedelta(hours=1),
        person_reached="张喆",
        result="已联系",
        satisfaction="basic",
        recorded_by=director,
    )

    w.sheet = WorkContactSheet.objects.create(
        estate=estate_a,
        committee=oc_a,
        number="2026-001",
        subject="外墙维修",
        content="请业委会协助",
        created_by=director,
    )
    # an important matter (§4.1.6) already raised with the committee (so chair_a may read it)
    w.matter = ImportantMatter.objects.create(
        estate=estate_a,
        committee=oc_a,
        kind="accident",
        title="电梯困人",
        description="x",
        known_at=now - datetime.timedelta(hours=3),
        raise_by=now + datetime.timedelta(hours=3),
        raised_at=now - datetime.timedelta(hours=1),
        raised_via="contact",
        contact_sheet=w.sheet,
        recorded_by=director,
    )
    w.signoff = SignoffRequest.objects.create(
        estate=estate_a,
        committee=oc_a,
        title="外墙维修报告",
        source=SignoffRequest.Source.CONTACT_SHEET,
        contact_sheet=w.sheet,
        requested_by=director,
    )
    w.version = DocumentVersion.objects.create(
        request=w.signoff,
        number=1,
        title="外墙维修报告",
        html="<p>x</p>",
        pdf=PDF,
        filename="report.pdf",
        sha256=sha256(PDF),
        created_by=director,
    )
    for m in oc_a.members.filter(user__isnull=False):
        Signer.objects.create(request=w.signoff, member=m, user=m.user, name=m.name, is_chair=m.role == "chair")
    # a member without a portal account whose wet signature the director recorded (issue 20)
    paper_member = CommitteeMember.objects.create(committee=oc_a, name="欧阳燊", role="member", term_start=now.date())
    paper_signer = Signer.objects.create(request=w.signoff, member=paper_member, name=paper_member.name)
    w.paper_signature = Signature(
        signer=paper_signer,
        version=w.version,
        decision="agree",
        sha256=w.version.sha256,
        method="paper",
        scan_name="scan.png",
        scan_type="image/png",
        recorded_by=director,
    )
    w.paper_signature.scan.save("scan", ContentFile(PNG), save=False)
    w.paper_signature.save()
    w.plan = WorkPlan.objects.create(estate=estate_a, year=now.year, month=now.month, prepared_by=director)
    w.plan_item = WorkPlanItem.objects.create(plan=w.plan, activity="业委会例会", date=now.date())
    w.annual_plan = AnnualPlan.objects.create(estate=estate_a, year=now.year, prepared_by=director)
    w.annual_item = AnnualPlanItem.objects.create(
        plan=w.annual_plan, month=now.month, kind=routine, committee=oc_a, topic="业委会例会"
    )
    w.batch = BatchJob.objects.create(
        kind="signin",
        estate=estate_a,
        requested_by=director,
        status="done",
        total=1,
        done=1,
        filename="signin.pdf",
        content_type="application/pdf",
        result=PDF,
        finished_at=now,
    )

    w.notification = Notification.objects.create(
        recipient=director, estate=estate_a, kind="test.message", key=f"reliability:{director.pk}", subject="测试消息"
    )
    w.assignment = StaffAssignment.objects.get(estate=estate_a, user=director)
    w.member = chair_member

    def rule():
        from meetings.cadence_defaults import install_default_rules

        rules = install_default_rules(estate_a, effective_from=(now - datetime.timedelta(days=400)).date())
        return next(r for r in rules if r.committee_kind == "oc" and r.period == "month")

    def api_token():
        from api.models import ApiToken

        return ApiToken.create_for(director, "mine")[0]

    w.rule, w.api_token = rule, api_token  # built on demand (apps still landing)
    return w


def upload(name, data):
    f = io.BytesIO(data)
    f.name = name
    return f
