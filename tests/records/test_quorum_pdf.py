"""The minutes PDF shows the quorum and each resolution's vote (seed 002 第六条), as the minutes page."""

import datetime

import pytest
from django.utils import translation

from liaison.models import Committee
from meetings.cadence_defaults import ensure_default_kinds
from meetings.models import Resolution
from records import meetings_forms
from tests.factories import CommitteeFactory, MemberFactory

from . import factories as f
from .test_pdf import assert_good_pdf

pytestmark = pytest.mark.django_db


def test_the_minutes_pdf_shows_quorum_and_votes(estate_a, director_a, pdftext, pdffonts):
    kinds = ensure_default_kinds()
    mc = CommitteeFactory(estate=estate_a, kind=Committee.Kind.MC, name="翠湖花园小区管理委员会")
    members = [MemberFactory(committee=mc, user=None, name=f"委员{i + 1}") for i in range(9)]
    m = f.meeting(estate_a, mc, organizer=director_a, title="管委会成员大会")
    m.kind = kinds["mc_assembly"]
    m.save()
    for member in members[:6]:
        f.attend(m, f.invite(m, member.name, member=member))
    mi = f.minutes(m)
    Resolution.objects.filter(meeting=m).update(votes_for=4, votes_against=1, votes_abstain=1, passed=True)
    Resolution.objects.create(
        meeting=m,
        order=2,
        text="增设充电桩",
        owner_name="工程部",
        action="调研",
        due_date=datetime.date(2026, 12, 20),
        votes_for=3,
        votes_against=3,
        votes_abstain=0,
        passed=False,
    )
    with translation.override("zh-hans"):
        text = assert_good_pdf(meetings_forms.minutes_pdf(mi), pdftext, pdffonts, "管委会成员大会", "已达到法定人数")
    flat = "".join(text.split())
    assert "出席委员6人（共9人）" in flat and "法定出席人数6人" in flat
    assert "赞成4·反对1·弃权1·通过" in flat
    assert "赞成3·反对3·弃权0·未通过" in flat
