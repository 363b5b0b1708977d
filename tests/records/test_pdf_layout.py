"""How the printed forms look on paper: names of up to five characters (rare ones from CJK Ext A/B
included) stay whole on one line, headers do not wrap a character a line, the sign-in sheet leaves the
signature column to the pen and marks 到会 / 缺席 / 列席, the minutes carry the absentees and the
host's and recorder's signature lines, and page 1 renders to a picture that is not blank.

Set LIAISON_PDF_SHOTS=<dir> to also write every page at 100 dpi there, to look at."""

import datetime
import os
import re
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from liaison.models import CommitteeMember, Role
from meetings import actions
from meetings.cadence_defaults import ensure_default_kinds
from records import documents, meetings_forms, pdf, signoff
from records.models import SignoffRequest, WorkPlan, WorkPlanItem
from tests.factories import MemberFactory, UserFactory

from . import factories as f
from .conftest import _tool
from .pdfcheck import missing_glyphs

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 11, 24, 19, 0, tzinfo=SH)
NOW = datetime.datetime(2026, 11, 24, 22, 13, tzinfo=SH)

# 𠮷 is CJK Ext B (U+20BB7, outside the BMP), 䶮 Ext A (U+4DAE), 喆 and 堃 rare in fonts too
NAMES = ["吉𠮷", "欧阳喆", "王堃", "䶮", "司马相如"]
LONGEST = "爱新觉罗恒"  # five characters: the widest name the name columns are made for


@pytest.fixture(autouse=True)
def _zh():
    with translation.override("zh-hans"):
        yield


def on_one_line(text, word):
    return any(word in line for line in text.splitlines())


def assert_whole(text, *words):
    broken = [w for w in words if not on_one_line(text, w)]
    assert not broken, f"split across lines: {broken}\n{text}"


def line_with(text, word):
    return next(line for line in text.splitlines() if word in line)


def row_of(text, name):
    """The table row (it starts with its number) that holds `name`."""
    return next(line for line in text.splitlines() if name in line and re.match(r"\s*\d+\s", line))


@pytest.fixture
def png(tmp_path):
    """png(pdf_bytes) -> the path of page 1 at 60 dpi; with LIAISON_PDF_SHOTS every page at 100 dpi too."""

    def run(data, name="doc"):
        src = tmp_path / f"{name}.pdf"
        src.write_bytes(data)
        out = tmp_path / name
        subprocess.run(
            [_tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", src, out], check=True
        )
        shots = os.environ.get("LIAISON_PDF_SHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            subprocess.run(["pdftoppm", "-r", "100", "-png", src, Path(shots) / name], check=True)
        return out.with_suffix(".png")

    return run


def assert_not_blank(path):
    assert path.exists()
    with Image.open(path) as im:
        colours = im.convert("L").getcolors(maxcolors=256)
    assert len(colours) > 1, "page 1 is blank"
    # text and rules cover a visible share of the page, not a lone dot
    assert sum(n for n, level in colours if level < 128) > 500


@pytest.fixture
def people(oc_a, director_a):
    """The committee: 吉𠮷 chairs; 欧阳喆, 王堃, 䶮 and 爱新觉罗恒 are members."""
    members = {}
    for i, name in enumerate([*NAMES[:4], LONGEST]):
        role = CommitteeMember.Role.CHAIR if i == 0 else CommitteeMember.Role.MEMBER
        user = UserFactory(username=f"m{i}", name=name, role=Role.COMMITTEE)
        members[name] = MemberFactory(committee=oc_a, role=role, user=user, name=name, phone="13912345678")
    return members


@pytest.fixture
def meeting(oc_a, director_a, dept_a, people):
    """Entered afterwards (the real action): the committee's members are the sheet's rows; 吉𠮷 scanned the
    code, 欧阳喆 and 王堃 were ticked, 䶮 and 爱新觉罗恒 did not come; 司马相如 from the sub-district office
    walked in; the director (invited) came, 赵工 (invited) did not."""
    kinds = ensure_default_kinds()
    m = actions.record_past_meeting(
        estate=oc_a.estate,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title="第四季度工作协调会议",
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=2),
        place="翠湖花园会所二楼会议室",
        actor=director_a,
        now=NOW,
    )
    actions.invite(m, actor=director_a, now=NOW, user=director_a)
    actions.invite(m, actor=director_a, now=NOW, user=dept_a)
    item = actions.add_agenda_item(m, actor=director_a, now=NOW, title="地下车库照明改造")
    inv = {i.name: i for i in m.invitations.all()}
    actions.sign_in_invitee(m, inv["吉𠮷"], actor=None, now=START - datetime.timedelta(minutes=7), method="qr")
    for name in ("欧阳喆", "王堃", "王主任"):
        actions.sign_in_invitee(m, inv[name], actor=director_a, now=NOW)
    actions.add_walk_in(m, actor=director_a, name="司马相如", unit="粤海街道办事处", phone="13700001111", now=NOW)
    actions.save_minutes(
        m,
        actor=director_a,
        now=NOW,
        host_name="吉𠮷",
        recorder_name="欧阳喆",
        summary="业主反映小区东门夜间照明不足，物业公司将于下周检修。",
        discussions={item.pk: "业委会同意先征询业主意见，再决定是否使用公共维修资金。"},
    )
    actions.add_resolution(
        m,
        actor=director_a,
        now=NOW,
        text="开展业主意见征询",
        owner_name="司马相如",
        action="十日内张贴公告并收集意见",
        due_date=datetime.date(2026, 12, 5),
    )
    actions.finalise_minutes(m, actor=director_a, now=NOW)
    m.refresh_from_db()
    return m


def test_blank_sign_in_sheet_keeps_every_name_whole_and_leaves_room_to_sign(meeting, pdftext, pdffonts, png):
    data = meetings_forms.signin_pdf([meeting])
    text = pdftext(data)
    assert_whole(text, *NAMES[:4], LONGEST, "王主任", "序号", "姓名", "单位/职务", "电话", "签名")
    assert "工作人员勾选" not in text and "Ticked by staff" not in text
    assert not re.search(r"到会|缺席|列席", text)  # nothing is marked before the meeting
    # 7 invitees, then numbered empty rows for whoever comes unannounced
    assert all(re.search(rf"^\s*{n}\s*$", text, re.M) for n in range(8, 14))
    assert missing_glyphs(data, "".join(NAMES[:4])) == []  # 𠮷 and 䶮 drawn, not empty boxes
    assert all(r["emb"] == "yes" for r in pdffonts(data))
    assert_not_blank(png(data, "signin-blank"))


def test_recorded_sign_in_sheet_marks_attendance_and_leaves_signature_blank(meeting, pdftext, pdffonts, png):
    data = meetings_forms.signin_pdf([meeting], recorded=True)
    text = pdftext(data)
    assert_whole(text, *NAMES, LONGEST, "到会情况", "签到时间", "签名", "备注")
    assert "工作人员勾选" not in text and "Ticked by staff" not in text
    marks = {n: re.findall(r"到会|缺席|列席", row_of(text, n)) for n in [*NAMES, LONGEST, "王主任", "赵工"]}
    assert marks == {
        "吉𠮷": ["到会"],
        "欧阳喆": ["到会"],
        "王堃": ["到会"],
        "䶮": ["缺席"],
        "司马相如": ["列席"],  # walked in, not a member
        LONGEST: ["缺席"],
        "王主任": ["列席"],  # company staff: attends, not a member
        "赵工": ["缺席"],
    }
    assert "18:53" in row_of(text, "吉𠮷") and "19:00" in row_of(text, "王堃")  # sign-in times
    assert "139****5678" in text and "13912345678" not in text
    # each row holds its number, name, unit, phone, mark, time and how it was recorded, and nothing
    # else: the 签名 cell is left for the pen
    for name, note in [("吉𠮷", "扫码签到"), ("欧阳喆", "工作人员登记"), ("司马相如", "现场登记"), ("䶮", "")]:
        inv = meeting.invitations.filter(name=name).first() or meeting.attendances.get(name=name)
        expected = {name, "139****5678", "137****1111", "到会", "缺席", "列席", "18:53", "19:00", note}
        expected |= set(inv.unit.split())
        extra = set(row_of(text, name).split()[1:]) - expected
        assert not extra, f"{name}: unexpected text in the row: {extra}"
        if note:
            assert note in row_of(text, name)
    fonts = pdffonts(data)
    assert fonts and all(r["emb"] == "yes" for r in fonts) and any("Noto-Sans-CJK-SC" in r["name"] for r in fonts)
    assert missing_glyphs(data, "".join(NAMES) + "到会缺席列席") == []
    assert_not_blank(png(data, "signin-recorded"))


def test_minutes_list_absentees_summary_and_signature_lines(meeting, pdftext, pdffonts, png):
    data = meetings_forms.minutes_pdf(meeting.minutes)
    text = pdftext(data)
    assert_whole(text, *NAMES, "序号", "议题", "讨论情况", "决议", "行动措施", "责任人", "完成期限")
    assert_whole(text, "主持人（签名）", "记录人（签名）")
    present = line_with(text, "出席人员")
    assert all(n in present for n in ("吉𠮷", "欧阳喆", "王堃")) and "司马相如" not in present
    absent = line_with(text, "缺席")
    assert "䶮" in absent and LONGEST in absent and "吉𠮷" not in absent
    assert "赵工" not in absent  # invited staff are not committee absentees
    assert "司马相如" in line_with(text, "列席")
    assert "其他讨论事项" in text and "夜间照明不足" in text
    assert "征询业主意见" in text  # the agenda item's discussion
    resolution = line_with(text, "开展业主意见征询")
    assert "司马相如" in resolution and "2026年12月5日" in resolution and "十日内张贴公告" in resolution
    signatures = line_with(text, "主持人（签名）")
    assert "记录人（签名）" in signatures
    assert re.search(r"日期：\s*年\s*月\s*日", text), "no date line under the signatures"
    assert all(r["emb"] == "yes" for r in pdffonts(data))
    assert missing_glyphs(data, "".join(NAMES)) == []
    assert_not_blank(png(data, "minutes"))


def test_contact_sheet_work_plan_callbacks_and_signed_pdf_keep_names_whole(
    oc_a, director_a, people, meeting, pdftext, png
):
    sheet = f.contact_sheet(
        oc_a,
        by=people[LONGEST].user,
        reply="已安排检修",
        replied_by_name="欧阳喆",
        replied_on=datetime.date(2026, 11, 25),
    )
    data = documents.contact_pdf(sheet)
    text = pdftext(data)
    assert_whole(text, LONGEST, "欧阳喆", "收文单位", "事由", "答复")
    assert_not_blank(png(data, "contact"))

    plan = WorkPlan.objects.create(estate=oc_a.estate, year=2026, month=12, prepared_by=people["吉𠮷"].user)
    for who in [*NAMES, LONGEST]:
        WorkPlanItem.objects.create(
            plan=plan,
            date=datetime.date(2026, 12, 3),
            activity="与业委会主任月度沟通",
            counterpart="翠湖花园业主委员会",
            responsible=who,
        )
    ctx = {"plan": plan, "items": plan.items.all(), **documents.header(oc_a.estate, "plan")}
    data = pdf.render_pdf("records/pdf/work_plan.html", ctx)
    text = pdftext(data)
    assert_whole(text, *NAMES, LONGEST, "序号", "日期", "工作内容", "负责人", "备注")
    assert missing_glyphs(data, "".join(NAMES)) == []
    assert_not_blank(png(data, "work-plan"))

    issue = f.issue(oc_a.estate, oc_a, raised_by="司马相如")
    for who in [*NAMES, LONGEST]:
        f.callback(issue, person_reached=who, recorded_by=director_a)
    data = meetings_forms.callbacks_pdf(oc_a.estate, meetings_forms.callback_groups_for_issue(issue))
    text = pdftext(data)
    assert_whole(text, *NAMES, LONGEST, "回访对象", "满意度")
    assert_not_blank(png(data, "callbacks"))

    fragment = documents.contact_fragment(sheet)
    req = signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=list(people.values()),
        by=director_a,
        now=NOW,
        pdf=documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number),
        html=fragment,
        contact_sheet=sheet,
    )
    data = documents.signed_pdf(req, req.current_version(), [])
    text = pdftext(data)
    assert_whole(text, *NAMES[:4], LONGEST)
    assert_not_blank(png(data, "signed"))
