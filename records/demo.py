"""Demo data for `make run`: a work contact sheet sent for signatures to the 翠湖花园 OC chair and member,
and next month's work plan. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from liaison.models import CommitteeMember

from . import documents, matter_rules, matter_scan, pades, plans, signoff
from .models import ImportantMatter, SignoffRequest, WorkContactSheet

HOUR = datetime.timedelta(hours=1)

SUBJECT = "关于地下车库照明改造使用公共维修资金的工作联系单"


@transaction.atomic
def seed(core):
    # the demo's company certificate for the signed PDFs' PAdES signatures (a local CA; records/pades.py)
    if not pades.production_configured():
        pades.ensure_demo_pki(core["company"].name)
    estate = core["estates"].get("翠湖花园")
    director = core["users"].get("director")
    if estate is None or director is None:
        return
    oc = estate.committees.filter(kind="oc").first()
    if oc is None:
        return
    now = timezone.now()
    sheet, created = WorkContactSheet.objects.get_or_create(
        estate=estate,
        number=f"{timezone.localdate(now).year}-001",
        defaults={
            "committee": oc,
            "subject": SUBJECT,
            "content": "地下车库照明灯具已使用十年，照度不足，业主多次反映夜间安全隐患。经工程部测算，"
            "改造费用约 8.6 万元，拟申请使用公共维修资金（§4.1.6）。",
            "support_requested": "请业委会审议并协助组织业主意见征询。",
            "status": WorkContactSheet.Status.SENT,
            "created_by": director,
        },
    )
    if not SignoffRequest.objects.filter(contact_sheet=sheet).exists():
        members = [
            m
            for m in signoff.eligible_members(oc)
            if m.role in (CommitteeMember.Role.CHAIR, CommitteeMember.Role.MEMBER)
        ]
        try:
            fragment = documents.contact_fragment(sheet)
            data = documents.frozen_pdf(estate, "contact", fragment, docref=sheet.number)
        except Exception:  # noqa: BLE001 - demo data must not stop `make run` when PDF fonts are missing
            return
        signoff.start(
            committee=oc,
            title=SUBJECT,
            source=SignoffRequest.Source.CONTACT_SHEET,
            members=members,
            by=director,
            now=now,
            pdf=data,
            html=fragment,
            contact_sheet=sheet,
        )
    _matters(estate, oc, director, sheet, now)
    today = timezone.localdate(now)
    year, month = (today.year + (today.month == 12), today.month % 12 + 1)
    try:
        plans.get_or_create_plan(estate, year, month, by=director, now=now)
    except Exception:  # noqa: BLE001 - the meetings app's rules may not be there
        pass


def _matters(estate, oc, director, sheet, now):
    """Three important matters (§4.1.6): the fund use raised by the contact sheet above and answered, a
    major accident to raise today, a covenant breach due in three days."""
    if ImportantMatter.objects.filter(committee=oc).exists():
        return
    day = datetime.timedelta(days=1)
    rows = [
        ("fund", "地下车库照明改造拟使用公共维修资金", "照明灯具已过保修期，改造约 8.6 万元。", now - 6 * day, True),
        (
            "accident",
            "3号楼电梯困人事件",
            "今晨 8:10 电梯困人 40 分钟，维保单位已到场处置，无人受伤。",
            now - 2 * HOUR,
            False,
        ),
        ("covenant", "12栋业主违规搭建阳光房", "多户业主投诉遮挡采光，已两次书面劝阻。", now - 3 * HOUR, False),
    ]
    for kind, title, description, known_at, raised in rows:
        m = ImportantMatter(
            estate=estate,
            committee=oc,
            kind=kind,
            title=title,
            description=description,
            known_at=known_at,
            raise_by=matter_rules.default_raise_by(kind, known_at),
            recorded_by=director,
            created_at=now,
            updated_at=now,
        )
        if raised:
            m.raised_at, m.raised_via, m.contact_sheet = known_at + day, ImportantMatter.Via.CONTACT_SHEET, sheet
            m.answer, m.answered_on = "同意征询业主意见后实施。", timezone.localdate(known_at + 3 * day)
        m.next_check_at = matter_scan.next_check_at(m, set())
        m.save()
