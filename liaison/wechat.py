"""WeChat Official Account (公众号) template messages through wechatpy, and binding a member's WeChat.

Binding: the profile page asks for a one-time binding ticket (`WeChatBindTicket`, 10 minutes) and
shows the official account's temporary QR code whose scene is that ticket; the member scans it, WeChat
posts a SCAN / subscribe event with the ticket to `/wechat/callback/` (signed with the account's token),
and the ticket's owner is bound to the sender's openid (`WeChatBinding`). A ticket binds once.

Settings (Django settings or environment variables of the same name): `LIAISON_WECHAT_APP_ID`,
`LIAISON_WECHAT_APP_SECRET`, `LIAISON_WECHAT_TOKEN` (the callback's signature token),
`LIAISON_WECHAT_API_BASE` (default https://api.weixin.qq.com/cgi-bin/; the tests point it at a
local fake), `LIAISON_WECHAT_TIMEOUT` (seconds, default 5). Without an app id the channel is off.
The access token is kept in Django's cache (named key), shared by every worker.
"""

import base64
import io
import os

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

DEFAULT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"
QR_SECONDS = 600
# errors for which retrying cannot help: the openid is not (or no longer) a follower, a bad template
PERMANENT_CODES = {40003, 40037, 43004, 43101, 47003, 40013, 40125}


def _setting(name, default=""):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def enabled():
    return bool(_setting("LIAISON_WECHAT_APP_ID"))


def token():
    return str(_setting("LIAISON_WECHAT_TOKEN", ""))


class CacheStorage(SessionStorage):
    """wechatpy's session storage on Django's cache: one access token for all workers."""

    prefix = "liaison:wechat:"

    def get(self, key, default=None):
        return cache.get(self.prefix + key, default)

    def set(self, key, value, ttl=None):
        cache.set(self.prefix + key, value, ttl)

    def delete(self, key):
        cache.delete(self.prefix + key)


class Client(WeChatClient):
    def __init__(self, api_base, *args, **kwargs):
        self.API_BASE_URL = api_base if api_base.endswith("/") else api_base + "/"
        super().__init__(*args, **kwargs)

    def fetch_access_token(self):
        # wechatpy names the token URL in full; ours follows the configured API base
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def client():
    return Client(
        str(_setting("LIAISON_WECHAT_API_BASE", DEFAULT_API_BASE) or DEFAULT_API_BASE),
        str(_setting("LIAISON_WECHAT_APP_ID")),
        str(_setting("LIAISON_WECHAT_APP_SECRET")),
        session=CacheStorage(),
        timeout=float(_setting("LIAISON_WECHAT_TIMEOUT", 5) or 5),
    )


class WeChatError(Exception):
    def __init__(self, message, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except WeChatClientException as exc:
        raise WeChatError(f"WeChat {exc.errcode}: {exc.errmsg}", permanent=exc.errcode in PERMANENT_CODES) from exc
    except Exception as exc:  # noqa: BLE001 - transport errors, timeouts
        raise WeChatError(f"{type(exc).__name__}: {exc}") from exc


def binding_qr_url(ticket):
    """The content of the official account's temporary QR code whose scene is `ticket`."""
    c = client()
    reply = _call(
        c.qrcode.create,
        {"expire_seconds": QR_SECONDS, "action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": ticket}}},
    )
    return reply["url"]


def qr_data_uri(text):
    """The QR code as an SVG data URI (the CSP allows img data:)."""
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def send_template(openid, template_id, data, url=""):
    """Send one template message; returns WeChat's msgid."""
    reply = _call(client().message.send_template, openid, template_id, data, url=url or None)
    return str(reply.get("msgid", ""))


def scene_of(message):
    """The binding ticket a SCAN / subscribe event carries, or ''."""
    if getattr(message, "type", "") != "event" or getattr(message, "event", "") not in ("subscribe_scan", "scan"):
        return ""
    key = getattr(message, "scene_id", "") or getattr(message, "key", "") or ""
    return key[len("qrscene_") :] if key.startswith("qrscene_") else key
