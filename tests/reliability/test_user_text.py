"""User text never executes: escaped in HTML, printed as text in PDFs, and WeasyPrint never fetches a
URL found in user content (a local HTTP server counts the requests it gets: must be 0)."""

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse

SCRIPT = "<script>alert('xss')</script>"


@pytest.fixture
def tracker():
    """A local HTTP server that counts every request (the 'attacker's' server)."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _hostile(world, base):
    img = f'<img src="{base}/img.png"><link rel="stylesheet" href="{base}/x.css">'
    style = f"<style>@import url({base}/import.css); body{{background:url({base}/bg.png)}}</style>"
    world.held.title = f"例会{SCRIPT}"
    world.held.place = f'会议室<iframe src="{base}/frame"></iframe>'
    world.held.save()
    world.held_agenda.title = f"议程{SCRIPT}"
    world.held_agenda.discussion = f"讨论{img}{style}"
    world.held_agenda.save()
    world.minutes.summary = f"纪要{img}<object data='{base}/obj'></object>file:///etc/passwd"
    world.minutes.save()
    world.issue.description = f"渗水{SCRIPT}{img}"
    world.issue.save()
    world.sheet.subject = f"联系单{SCRIPT}"
    world.sheet.content = f"内容{img}{style}"
    world.sheet.save()


def test_script_in_meeting_title_and_issue_description_shows_escaped(world, personas, tracker):
    _hostile(world, tracker[0])
    client = Client()
    client.force_login(personas["director_a"])
    pages = [
        reverse("meetings:detail", args=[world.held.pk]),
        reverse("meetings:list"),
        reverse("meetings:minutes", args=[world.held.pk]),
        reverse("followups:detail", args=[world.issue.pk]),
        reverse("followups:list"),
        reverse("records:minutes_html", args=[world.held.pk]),
        reverse("records:contact_detail", args=[world.sheet.pk]),
        reverse("home"),
    ]
    shown = 0
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.content.decode()
        assert SCRIPT not in body, f"{url} renders user text as a script"
        assert f'<img src="{tracker[0]}' not in body, f"{url} renders user HTML"
        shown += "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in body
    assert shown >= 5, "the escaped text is shown (the pages do display the title/description)"


def _pdf_text(data):
    assert data[:5] == b"%PDF-"
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, timeout=60)
    return out.stdout.decode()


def test_pdfs_print_user_markup_as_text_and_fetch_nothing(world, personas, tracker):
    base, hits = tracker
    _hostile(world, base)
    client = Client()
    client.force_login(personas["director_a"])
    r = client.get(reverse("records:minutes_pdf", args=[world.held.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _pdf_text(b"".join(r.streaming_content) if r.streaming else r.content)
    assert "<script>alert('xss')</script>" in text.replace("\n", "")  # printed, as typed
    r = client.get(reverse("records:contact_pdf", args=[world.sheet.pk]))
    assert r.status_code == 200
    text = _pdf_text(b"".join(r.streaming_content) if r.streaming else r.content)
    assert "<img src=" in text.replace("\n", "")
    assert hits == [], f"WeasyPrint fetched {hits} from user content"


def test_the_renderer_itself_refuses_network_and_file_urls(tracker):
    """Even HTML that is not escaped (a template mistake) cannot make WeasyPrint fetch anything."""
    from records import pdf

    base, hits = tracker
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/a.css"><style>@import url("{base}/b.css");'
        f"@font-face{{font-family:x;src:url({base}/f.woff)}} body{{background:url({base}/bg.png)}}</style></head>"
        f'<body><p>正文</p><img src="{base}/img.png"><img src="file:///etc/passwd"><iframe src="{base}/f"></iframe>'
        f'<object data="{base}/o"></object><svg><image href="{base}/svg.png"/></svg></body></html>'
    )
    data = pdf.html_to_pdf(html)
    assert data[:5] == b"%PDF-" and "正文" in _pdf_text(data)
    assert hits == [], f"the renderer fetched {hits}"


def test_a_corrupt_photo_does_not_break_the_minutes(world, personas, monkeypatch):
    from django.core.files.base import ContentFile
    from PIL import ImageFile

    # as in a fresh web worker: importing WeasyPrint (any PDF rendered before) flips this to True
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)

    from meetings.models import Photo

    broken = BROKEN_PNG  # the upload check (magic bytes) accepts it
    photo = Photo(meeting=world.held, original_name="坏图.png", content_type="image/png")
    photo.image.save("broken.png", ContentFile(broken), save=True)
    client = Client(raise_request_exception=False)
    client.force_login(personas["director_a"])
    assert client.get(reverse("records:minutes_html", args=[world.held.pk])).status_code == 200
    assert client.get(reverse("records:minutes_pdf", args=[world.held.pk])).status_code == 200


# a 1×1 PNG whose IDAT chunk length is wrong: the header is right, the chunks are broken
BROKEN_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
