"""Uploaded files: size limit, type decided by content (never by the name), safe downloads.

Use `validate_upload` as a form field validator and `attachment_response` to serve a stored file.
"""

import codecs
import mimetypes
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

# content type -> extensions we accept for it
ALLOWED = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
    "application/msword": {".doc", ".xls", ".ppt"},
    "text/plain": {".txt"},
}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def sniff(head: bytes, fileobj=None):
    """The content type of a file from its first bytes (and, for zip containers, its members)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        try:
            fileobj.seek(0)
            names = set(zipfile.ZipFile(fileobj).namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if any(n.startswith("xl/") for n in names):
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if any(n.startswith("ppt/") for n in names):
                return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        return None
    # plain text: valid UTF-8 without markup that a browser would render as a page. `head` is the first
    # bytes only and may end inside a character (汉字 are 3 bytes): an incomplete last sequence is kept
    # back by the incremental decoder (final=False), anything else not UTF-8 is refused
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    lowered = text.lower()
    if "<html" in lowered or "<script" in lowered or "<!doctype" in lowered or "<svg" in lowered:
        return None
    return "text/plain"


def validate_upload(f, *, images_only=False):
    """Raise ValidationError unless `f` is small enough and its content is an allowed type."""
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    if f.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            params={"size": round(f.size / 1048576, 1), "limit": round(limit / 1048576)},
            code="too_large",
        )
    f.seek(0)
    head = f.read(2048)
    kind = sniff(head, f)
    f.seek(0)
    ext = os.path.splitext(f.name)[1].lower()
    allowed = IMAGE_TYPES if images_only else set(ALLOWED)
    if kind not in allowed or ext not in ALLOWED.get(kind, set()):
        raise ValidationError(
            _("“%(name)s” is not an accepted file: its content does not match an allowed type (%(types)s)."),
            params={"name": f.name, "types": _("images") if images_only else "PDF, Word, Excel, PPT, 图片, TXT"},
            code="bad_type",
        )
    return kind


def validate_image(f):
    return validate_upload(f, images_only=True)


def attachment_response(fieldfile, filename=None, *, inline_images=False):
    """Serve a stored upload as a download: never sniffed, sandboxed; never inline, except a stored image
    when `inline_images` (a photo opens in the browser; its content was checked and re-encoded)."""
    name = filename or os.path.basename(fieldfile.name)
    fieldfile.open("rb")
    head = fieldfile.read(2048)
    fieldfile.seek(0)
    kind = sniff(head, fieldfile) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind not in ALLOWED:
        kind = "application/octet-stream"
    inline = inline_images and kind in IMAGE_TYPES
    response = FileResponse(fieldfile, as_attachment=not inline, filename=name, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
