"""Django template -> A4 PDF with WeasyPrint, safely.

- Fonts come from fontconfig (fonts-noto-cjk): one CJK face per document ("Noto Sans CJK SC" regular),
  because WeasyPrint subsets fonts keeping the original glyph ids: every extra CJK face (bold, serif)
  costs ~25 ms and ~70 KiB per PDF. Titles are set larger instead of bold.
- Resources: only the project's own static files (through the staticfiles finders) and data: URIs.
  Any other URL — file://, http(s)://, a path outside static — is refused, so user content cannot
  make the renderer read local files or reach the network.
- User text reaches the template through Django's autoescaping like any HTML page.
- Limits: the HTML size and the page count are capped, and the render runs in a forked child process
  that is killed when it exceeds the time limit, so a huge or hostile request returns a clear error and
  never hangs a web or Celery worker.
"""

import io
import logging
import mimetypes
import os
import posixpath
import select
import signal
import threading
import time
import urllib.parse
import urllib.request
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# WeasyPrint resolves relative URLs against this base; the fetcher maps it to static files only.
BASE_URL = "https://pdf.liaison.invalid/"
STYLESHEET = "records/pdf.css"
PDF_MIME = "application/pdf"


class PDFError(Exception):
    """A PDF could not be made; the message is for the user."""


class PDFTooLarge(PDFError):
    pass


class PDFTimeout(PDFError):
    pass


def limits():
    return {
        "timeout": float(getattr(settings, "PDF_RENDER_TIMEOUT", 60)),
        "max_pages": int(getattr(settings, "PDF_MAX_PAGES", 300)),
        "max_html": int(getattr(settings, "PDF_MAX_HTML_BYTES", 8 * 1024 * 1024)),
    }


# --- resources ----------------------------------------------------------------------------------


def _static_path(url):
    """The file for a URL under BASE_URL + STATIC_URL, or None."""
    if not url.startswith(BASE_URL):
        return None
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        return None
    rel = path[len(prefix) :]
    norm = posixpath.normpath(rel)
    if not rel or norm != rel or norm.startswith(("..", "/")) or "\\" in rel or "\x00" in rel:
        return None
    found = finders.find(norm)
    return found if found and os.path.isfile(found) else None


def make_url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                # urllib decodes data: URIs locally (no I/O)
                with urllib.request.urlopen(url) as r:  # noqa: S310
                    return URLFetcherResponse(url, r.read(), {"Content-Type": r.headers.get_content_type()})
            path = _static_path(url)
            if path is None:
                raise ValueError(f"resource refused: {url[:80]}")
            with open(path, "rb") as f:
                body = f.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return StaticOnlyFetcher()


# --- warm state, shared by every render in this process (and inherited by forked children) ---------


@cache
def _engine():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from . import pdf_fonts

    if getattr(settings, "PDF_COMPACT_CJK_FONTS", True):
        pdf_fonts.install()
    fetcher = make_url_fetcher()
    font_config = FontConfiguration()
    path = finders.find(STYLESHEET)
    css = CSS(filename=path, font_config=font_config, url_fetcher=fetcher)
    return {"fetcher": fetcher, "fonts": font_config, "css": css}


_warm_lock = threading.Lock()
_warmed = False


def warm_up():
    """Load fonts and the stylesheet once per process, so forked renders start warm."""
    global _warmed
    with _warm_lock:
        if _warmed:
            return
        _write(
            '<html lang="zh-CN"><body><p>签到表 第 1 页 共 1 页 喆堃昇珺彧燊 AM-02-R02 0123</p></body></html>',
            extra_css=(),
            max_pages=2,
        )
        _warmed = True


def _write(html, *, extra_css, max_pages):
    from weasyprint import CSS, HTML

    eng = _engine()
    sheets = [eng["css"]] + [CSS(string=c, font_config=eng["fonts"], url_fetcher=eng["fetcher"]) for c in extra_css]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=eng["fetcher"]).render(
        stylesheets=sheets, font_config=eng["fonts"]
    )
    pages = len(document.pages)
    if pages > max_pages:
        raise PDFTooLarge(
            _("The document would have %(pages)s pages; at most %(max)s pages can be printed at once.")
            % {"pages": pages, "max": max_pages}
        )
    return document.write_pdf()


# --- isolation: a forked child with a deadline ----------------------------------------------------------


def _isolation():
    mode = getattr(settings, "PDF_RENDER_ISOLATION", "fork")
    return mode if mode == "inline" or hasattr(os, "fork") else "inline"


def _render_in_child(html, *, extra_css, max_pages, timeout):
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: render, write the result, leave without running any cleanup of the parent
        status = 1
        try:
            os.close(rfd)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                import resource

                cpu = int(timeout) + 2
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            except (ImportError, ValueError, OSError):
                pass
            try:
                payload = b"O" + _write(html, extra_css=extra_css, max_pages=max_pages)
            except PDFTooLarge as exc:
                payload = b"L" + str(exc).encode()
            except Exception as exc:  # noqa: BLE001
                payload = b"E" + f"{type(exc).__name__}: {exc}"[:500].encode()
            view = memoryview(payload)
            while view:
                n = os.write(wfd, view)
                view = view[n:]
            status = 0
        finally:
            os._exit(status)
    os.close(wfd)
    chunks = []
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _w, _x = select.select([rfd], [], [], left)
            if not ready:
                continue
            chunk = os.read(rfd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(rfd)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
    if timed_out:
        raise PDFTimeout(
            _("Making the PDF took longer than %(seconds)s seconds and was stopped. Print fewer records at once.")
            % {"seconds": int(timeout)}
        )
    data = b"".join(chunks)
    if data[:1] == b"O":
        return data[1:]
    if data[:1] == b"L":
        raise PDFTooLarge(data[1:].decode())
    log.error("PDF render failed in child: %s", data[1:].decode(errors="replace") or "no output")
    raise PDFError(_("The PDF could not be made. Please try again or tell the administrator."))


def html_to_pdf(html, *, extra_css=(), timeout=None, max_pages=None):
    lim = limits()
    timeout = lim["timeout"] if timeout is None else timeout
    max_pages = lim["max_pages"] if max_pages is None else max_pages
    if len(html.encode()) > lim["max_html"]:
        raise PDFTooLarge(_("This document is too large to print at once. Print fewer records."))
    if _isolation() == "inline":
        return _write(html, extra_css=tuple(extra_css), max_pages=max_pages)
    warm_up()
    return _render_in_child(html, extra_css=tuple(extra_css), max_pages=max_pages, timeout=timeout)


def render_pdf(template_name, context, *, request=None, extra_css=(), timeout=None, max_pages=None):
    """Render a Django template (extending records/pdf/base.html) to PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, extra_css=extra_css, timeout=timeout, max_pages=max_pages)


def pdf_response(data, filename, *, inline=True):
    response = HttpResponse(data, content_type=PDF_MIME)
    disposition = "inline" if inline else "attachment"
    quoted = urllib.parse.quote(filename)
    response["Content-Disposition"] = f"{disposition}; filename=\"record.pdf\"; filename*=UTF-8''{quoted}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- images -------------------------------------------------------------------------------------------


def data_uri(data: bytes, mime: str) -> str:
    import base64

    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def qr_data_uri(text: str) -> str:
    """A QR code as a PNG data: URI (small: 1-bit PNG)."""
    import qrcode

    qr = qrcode.QRCode(border=1, box_size=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    img = qr.make_image()
    buf = io.BytesIO()
    img.save(buf)
    return data_uri(buf.getvalue(), "image/png")


def thumbnail_data_uri(fileobj, size=(360, 270)) -> str | None:
    """A JPEG thumbnail of an uploaded image, or None when it is not a readable image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(fileobj) as im:
            im.thumbnail(size)
            im = im.convert("RGB")
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=70)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        # PIL reports a PNG with broken chunks as SyntaxError: one bad photo must not break the minutes
        return None
    return data_uri(buf.getvalue(), "image/jpeg")
