"""Demo data for `make run`: a work contact sheet sent for signatures to the 翠湖花园 OC chair and member,
and next month's work plan. Idempotent."""

from django.db import transaction
from django.utils import timezone

from liaison.models import CommitteeMember

from . import documents, pades, plans, signoff
from .models import SignoffRequest, WorkContactSheet

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
    today = timezone.localdate(now)
    year, month = (today.year + (today.month == 12), today.month % 12 + 1)
    try:
        plans.get_or_create_plan(estate, year, month, by=director, now=now)
    except Exception:  # noqa: BLE001 - the meetings app's rules may not be there
        pass
