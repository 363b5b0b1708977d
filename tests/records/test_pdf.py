"""Every form as a PDF: Chinese text extractable (pdftotext), fonts embedded (pdffonts), no empty boxes,
and the renderer's safety limits."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from records import documents, meetings_forms, pdf
from records.models import WorkPlan, WorkPlanItem

from . import factories as f
from .pdfcheck import missing_glyphs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _zh():
    with translation.override("zh-hans"):
        yield


def assert_good_pdf(data, pdftext, pdffonts, *expected):
    assert data.startswith(b"%PDF-")
    text = pdftext(data)
    for snippet in expected:
        assert snippet in text, f"{snippet!r} not extracted; got:\n{text[:800]}"
    fonts = pdffonts(data)
    assert fonts, "no fonts"
    assert all(row["emb"] == "yes" for row in fonts), fonts
    assert missing_glyphs(data, "".join(expected)) == []
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text), "page numbers missing"
    return text


def test_contact_sheet_pdf(oc_a, director_a, pdftext, pdffonts):
    sheet = f.contact_sheet(oc_a, by=director_a, content=f"请 {f.RARE} 审议。<script>alert(1)</script>")
    text = assert_good_pdf(
        documents.contact_pdf(sheet),
        pdftext,
        pdffonts,
        "工作联系单",
        "PF-09-R05",
        "地下车库照明",
        f.RARE,
        "<script>alert(1)</script>",
        oc_a.estate.company.name,
        "翠湖花园",
    )
    assert "请业委会协助" in text


def test_rare_name_characters_have_real_glyphs(oc_a, director_a, pdftext, pdffonts):
    sheet = f.contact_sheet(oc_a, by=director_a, subject="张喆 刘堃 黄昇 孙珺 陈彧 吴燊")
    data = documents.contact_pdf(sheet)
    assert_good_pdf(data, pdftext, pdffonts, "张喆", "刘堃", "黄昇", "孙珺", "陈彧", "吴燊")
    fonts = pdffonts(data)
    assert any("Noto" in r["name"] for r in fonts)


def test_signin_sheet_before_and_after(oc_a, director_a, chair_a, pdftext, pdffonts):
    m = f.meeting(oc_a.estate, oc_a, organizer=director_a)
    inv = f.invite(m, "张喆", "业委会主任", user=chair_a)
    f.invite(m, "刘堃", "业委会委员")
    text = assert_good_pdf(
        meetings_forms.signin_pdf([m]),
        pdftext,
        pdffonts,
        "会议签到表",
        "AM-02-R02",
        "张喆",
        "刘堃",
        "翠湖花园会所二楼会议室",
    )
    assert "138****5678" in text and "13812345678" not in text  # phones masked on circulated paper
    assert "签名" in text
    f.attend(m, inv)
    f.attend(m, name="吴燊")
    text = assert_good_pdf(meetings_forms.signin_pdf([m], recorded=True), pdftext, pdffonts, "张喆", "吴燊")
    assert "出席" in text and "缺席" in text and "14:25" in text


def test_minutes_pdf_with_resolutions_issues_and_photo(oc_a, director_a, pdftext, pdffonts, settings):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from meetings.models import Photo

    m = f.meeting(oc_a.estate, oc_a, organizer=director_a)
    mi = f.minutes(m)
    f.issue(oc_a.estate, oc_a, meeting=m)
    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 30, 30)).save(buf, "JPEG")
    photo = Photo(meeting=m, original_name="p.jpg", content_type="image/jpeg", caption="会场")
    photo.image.save("p.jpg", ContentFile(buf.getvalue()), save=True)
    data = meetings_forms.minutes_pdf(mi)
    assert_good_pdf(
        data,
        pdftext,
        pdffonts,
        "会议记录",
        "AM-02-R03",
        "开展业主意见征询",
        "王建国",
        "2026年12月5日",
        "三号楼电梯异响",
        "孙珺",
    )
    assert b"/Subtype /Image" in data
    assert len(data) < 400 * 1024  # the photo is a thumbnail, not the original


def test_callback_record_one_issue_and_month(oc_a, director_a, pdftext, pdffonts):
    issue = f.issue(oc_a.estate, oc_a)
    f.callback(issue)
    f.callback(issue, at=timezone.make_aware(datetime.datetime(2026, 11, 19, 10)), result="业主确认满意")
    groups = meetings_forms.callback_groups_for_issue(issue)
    assert_good_pdf(
        meetings_forms.callbacks_pdf(oc_a.estate, groups),
        pdftext,
        pdffonts,
        "回访记录",
        "CS-01-R01",
        "三号楼电梯异响",
        "黄昇",
        "业主确认满意",
    )
    month = meetings_forms.callback_groups_for_month(director_a, oc_a.estate, 2026, 11)
    assert [len(g["callbacks"]) for g in month] == [2]
    assert meetings_forms.callback_groups_for_month(director_a, oc_a.estate, 2026, 10) == []


def test_work_plan_pdf(estate_a, director_a, pdftext, pdffonts):
    plan = WorkPlan.objects.create(estate=estate_a, year=2026, month=12, prepared_by=director_a)
    WorkPlanItem.objects.create(
        plan=plan,
        date=datetime.date(2026, 12, 3),
        activity="与业委会主任张喆月度沟通",
        counterpart="翠湖花园业主委员会",
        responsible="王主任",
    )
    ctx = {"plan": plan, "items": plan.items.all(), **documents.header(estate_a, "plan")}
    assert_good_pdf(
        pdf.render_pdf("records/pdf/work_plan.html", ctx),
        pdftext,
        pdffonts,
        "AM-02-R04",
        "与业委会主任张喆月度沟通",
        "2026",
    )


def test_fetcher_serves_static_and_data_only(settings):
    fetcher = pdf.make_url_fetcher()
    css = fetcher.fetch(pdf.BASE_URL + "static/records/pdf.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.png",
        pdf.BASE_URL + "static/../../liaison/settings.py",
        pdf.BASE_URL + "static/%2e%2e/liaison/settings.py",
        pdf.BASE_URL + "media/secret.jpg",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_user_content_cannot_pull_local_files(oc_a, director_a, pdftext, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    html = (
        f'<html><body><p>正文</p><img src="file://{secret}"><link rel="stylesheet" href="file://{secret}">'
        f'<object data="file://{secret}"></object></body></html>'
    )
    data = pdf.html_to_pdf(html)
    assert "TOP-SECRET-CONTENT" not in pdftext(data)


def test_too_many_pages_is_refused_with_a_clear_message():
    html = "<html><body>" + "".join(f'<p class="page-break">第{i}页</p>' for i in range(30)) + "</body></html>"
    with pytest.raises(pdf.PDFTooLarge) as exc:
        pdf.html_to_pdf(html, max_pages=5)
    assert "30" in str(exc.value)


def test_render_time_limit_stops_the_render():
    rows = "".join(f"<tr><td>{i}</td><td>张喆刘堃黄昇</td></tr>" for i in range(4000))
    with pytest.raises(pdf.PDFTimeout):
        pdf.html_to_pdf(f"<html><body><table>{rows}</table></body></html>", timeout=0.3)


def test_oversized_html_is_refused(settings):
    settings.PDF_MAX_HTML_BYTES = 1000
    with pytest.raises(pdf.PDFTooLarge):
        pdf.html_to_pdf("<p>" + "字" * 1000 + "</p>")
