"""Photos as people take them: phone camera pictures (HEIC/HEIF from iPhones, JPEG, PNG, WebP, GIF),
judged by content (a PNG named .jpg is a PNG), size-limited, re-encoded without location metadata,
with a thumbnail for the page. See docs/photos.md.

`prepare_upload(f)` turns one uploaded file into a `PreparedUpload` ready to store: a photo is decoded
and written again (HEIC as JPEG), any other accepted file (PDF, Word …) is kept as it came.
`PhotoField` / `FilesField` are multi-file form fields whose cleaned value is a list of those.
"""

import io
import os
from dataclasses import dataclass

import pillow_heif
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .uploads import IMAGE_TYPES, sniff, validate_upload

pillow_heif.register_heif_opener()

HEIF = "image/heif"
PHOTO_TYPES = IMAGE_TYPES | {HEIF}
# any of these names is fine for any photo: phones and chat apps rename freely, the content decides
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif"}
# ISO-BMFF brands of HEIF still images (iPhone: heic / mif1)
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"heif"}
THUMB_SIZE = (480, 480)
# EXIF tags kept: which camera and when (the base IFD), when taken (the Exif IFD). Everything else goes:
# the GPS IFD, maker notes and XMP may all say where the photo was taken.
KEEP_BASE = (0x010F, 0x0110, 0x0132)  # Make, Model, DateTime
EXIF_IFD, DATETIME_ORIGINAL = 0x8769, 0x9003


def max_pixels():
    return getattr(settings, "PHOTO_MAX_PIXELS", 60_000_000)


def max_files():
    return getattr(settings, "PHOTO_MAX_FILES", 10)


@dataclass
class PreparedUpload:
    """What is stored for one uploaded file: its name (extension matching the content), the bytes, the
    content type and, for a photo, a JPEG thumbnail."""

    name: str
    content: File
    kind: str
    thumbnail: ContentFile | None = None
    width: int | None = None
    height: int | None = None

    @property
    def is_photo(self):
        return self.thumbnail is not None

    def fill(self, instance, *, file="file", thumbnail="thumbnail"):
        """Put this upload on a model instance with `name`, `content_type`, `width`, `height`, a file
        field and a thumbnail field (the files are written; the row is saved by the caller)."""
        instance.name = self.name[:200]
        instance.content_type = self.kind
        instance.width, instance.height = self.width, self.height
        getattr(instance, file).save(self.name, self.content, save=False)
        if self.thumbnail is not None:
            getattr(instance, thumbnail).save(self.thumbnail.name, self.thumbnail, save=False)
        return instance


def sniff_photo(head: bytes):
    """The content type of a photo from its first bytes, HEIF included; None if it is not one."""
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIF
    kind = sniff(head)
    return kind if kind in IMAGE_TYPES else None


def _too_large(f):
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    if f.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            params={"size": round(f.size / 1048576, 1), "limit": round(limit / 1048576)},
            code="too_large",
        )


def _not_a_photo(f):
    return ValidationError(
        _("“%(name)s” is not a photo: its content is not a JPEG, PNG, HEIC, WebP or GIF image."),
        params={"name": f.name},
        code="not_photo",
    )


def _kept_exif(exif):
    kept = Image.Exif()
    for tag in KEEP_BASE:
        if tag in exif:
            kept[tag] = exif[tag]
    taken = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
    if taken:
        kept.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    return kept


def _flatten(img):
    """RGB for JPEG: transparency over white."""
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "P", "PA"):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _decode(f):
    f.seek(0)
    try:
        img = Image.open(f)
        if img.width * img.height > max_pixels():
            raise ValidationError(
                _("“%(name)s” has too many pixels (%(mp)s million); the limit is %(limit)s million."),
                params={
                    "name": f.name,
                    "mp": round(img.width * img.height / 1e6),
                    "limit": round(max_pixels() / 1e6),
                },
                code="too_many_pixels",
            )
        img.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("“%(name)s” looks like a photo but cannot be read: it may be damaged. Take it again."),
            params={"name": f.name},
            code="unreadable",
        )
    finally:
        f.seek(0)
    return img


def prepare_photo(f, kind):
    """Decode and write the photo again: turned upright, HEIC/WebP/JPEG as JPEG, PNG/GIF as PNG, with
    only the camera and time EXIF tags kept (no GPS, no maker notes, no XMP)."""
    img = _decode(f)
    exif = _kept_exif(img.getexif())
    icc = img.info.get("icc_profile")  # colours (an iPhone's Display P3), not a place: kept
    img = ImageOps.exif_transpose(img)
    base = os.path.splitext(os.path.basename(f.name))[0][:180] or "photo"
    out = io.BytesIO()
    if kind in ("image/png", "image/gif"):
        if img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            img = img.convert("RGBA")
        img.save(out, format="PNG", exif=exif.tobytes(), icc_profile=icc, optimize=True)
        name, stored = f"{base}.png", "image/png"
    else:
        img = _flatten(img)
        img.save(out, format="JPEG", quality=90, exif=exif.tobytes(), icc_profile=icc)
        name, stored = f"{base}.jpg", "image/jpeg"
    thumb = _flatten(img.copy())
    thumb.thumbnail(THUMB_SIZE)
    tout = io.BytesIO()
    thumb.save(tout, format="JPEG", quality=80)
    return PreparedUpload(
        name=name,
        content=ContentFile(out.getvalue(), name=name),
        kind=stored,
        thumbnail=ContentFile(tout.getvalue(), name=f"{base}-thumb.jpg"),
        width=img.width,
        height=img.height,
    )


def prepare_upload(f, *, photos_only=False):
    """One uploaded file, judged and made ready to store (raises ValidationError with the user's message).

    Already prepared uploads pass through, so an action may be given either."""
    if isinstance(f, PreparedUpload):
        return f
    _too_large(f)
    f.seek(0)
    head = f.read(2048)
    f.seek(0)
    kind = sniff_photo(head)
    ext = os.path.splitext(f.name)[1].lower()
    if kind and ext in PHOTO_EXTENSIONS:
        return prepare_photo(f, kind)
    if photos_only:
        raise _not_a_photo(f)
    kind = validate_upload(f)
    return PreparedUpload(name=os.path.basename(f.name)[:200], content=f, kind=kind)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; the cleaned value is a list of PreparedUpload (photos re-encoded)."""

    photos_only = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > max_files():
            raise ValidationError(
                _("Choose at most %(n)d files at a time."), params={"n": max_files()}, code="too_many"
            )
        prepared, errors = [], []
        for f in files:
            f = super().clean(f, initial)
            try:
                prepared.append(prepare_upload(f, photos_only=self.photos_only))
            except ValidationError as e:
                errors.extend(e.error_list)
        if errors:
            raise ValidationError(errors)
        return prepared


def _photo_help():
    return _("Take or choose several photos (JPEG, PNG, HEIC…), up to %(mb)s MB each; location data is removed.") % {
        "mb": round(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024) / 1048576)
    }


class PhotoField(FilesField):
    """Photos taken with the phone's camera: `capture` opens the back camera on a phone (a desktop shows
    the usual file chooser), several at once."""

    photos_only = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,.heic,.heif", "capture": "environment"})
        )
        kwargs.setdefault("help_text", lazy(_photo_help, str)())
        super().__init__(*args, **kwargs)
