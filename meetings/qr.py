"""The QR code shown at the meeting for self sign-in, as an SVG data URI (CSP allows img data:)."""

import base64
import io

import qrcode
import qrcode.image.svg


def qr_svg(text):
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


def qr_data_uri(text):
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode("ascii")
