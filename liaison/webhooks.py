"""Group-robot webhooks: WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书).

Safety: the URL must be https and its host must resolve only to public addresses (no private,
loopback, link-local, multicast or reserved ones) unless an administrator sets
LIAISON_WEBHOOK_ALLOW_PRIVATE (setting or environment variable), which also allows plain http to such
intranet addresses. The host is resolved once per call and the connection goes to the address that
was checked (no second lookup an attacker could answer differently). Redirects are not followed, the
response is read up to 64 KiB, and a watchdog closes the socket when the total time budget is spent,
so a slow or silent endpoint cannot hang a worker.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import os
import socket
import ssl
import threading
import time
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext as _

from .escaping import robot_markdown

MAX_RESPONSE_BYTES = 64 * 1024


class WebhookURLError(ValueError):
    """The URL may not be used (a configuration problem: retrying will not help)."""


class WebhookError(RuntimeError):
    """The endpoint failed or refused the message (may succeed on a later try)."""


def allow_private():
    if getattr(settings, "LIAISON_WEBHOOK_ALLOW_PRIVATE", False):
        return True
    return os.environ.get("LIAISON_WEBHOOK_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes", "on")


def timeout_seconds():
    return float(getattr(settings, "LIAISON_WEBHOOK_TIMEOUT", 5.0))


def _is_public(ip):
    ip = ipaddress.ip_address(ip)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def validate_webhook_url(url, *, resolve=socket.getaddrinfo):
    """Check `url`; return (parsed URL, [addresses to connect to]). Raises WebhookURLError."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookURLError(_("This is not a valid URL."))
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookURLError(_("The webhook address must start with https://."))
    if parts.username or parts.password:
        raise WebhookURLError(_("The webhook address must not contain a user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = resolve(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookURLError(_("The host name %(host)s cannot be resolved.") % {"host": parts.hostname})
    addresses = []
    for info in infos:
        addr = info[4][0].split("%", 1)[0]
        if addr not in addresses:
            addresses.append(addr)
    if not addresses:
        raise WebhookURLError(_("The host name %(host)s cannot be resolved.") % {"host": parts.hostname})
    private = [a for a in addresses if not _is_public(a)]
    if private and not allow_private():
        raise WebhookURLError(
            _(
                "The webhook address points to a private, loopback or link-local address (%(addr)s); "
                "only public addresses are allowed."
            )
            % {"addr": private[0]}
        )
    if parts.scheme != "https" and not (allow_private() and len(private) == len(addresses)):
        raise WebhookURLError(_("The webhook address must start with https://."))
    return parts, [(a, port) for a in addresses]


# --- payloads ------------------------------------------------------------------------------------------


def dingtalk_sign(secret, timestamp_ms):
    """DingTalk 加签: base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))."""
    msg = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), msg, hashlib.sha256).digest()).decode()


def feishu_sign(secret, timestamp_s):
    """Feishu 签名校验: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def message_text(subject, body, link, fmt):
    """The message as the robot's text or markdown; in markdown the subject and body (which carry user
    text: titles, names) are escaped, so only the portal's own bold and link are markup."""
    if fmt == "markdown":
        parts = [f"**{robot_markdown(subject, one_line=True)}**"] if subject else []
        if body:
            parts.append(robot_markdown(body))
        if link:
            parts.append(f"[{_('Open in the portal')}]({link})")
        return "\n\n".join(parts)
    return "\n".join(p for p in (subject, body, link) if p)


def build_request(webhook, subject, body, link, *, now_s=None):
    """(url, JSON payload dict) for the webhook's provider and format."""
    now_s = time.time() if now_s is None else now_s
    text = message_text(subject, body, link, webhook.format)
    url = webhook.url
    if webhook.provider == "wecom":
        if webhook.format == "markdown":
            payload = {"msgtype": "markdown", "markdown": {"content": text}}
        else:
            payload = {"msgtype": "text", "text": {"content": text}}
    elif webhook.provider == "dingtalk":
        if webhook.format == "markdown":
            payload = {"msgtype": "markdown", "markdown": {"title": subject, "text": text}}
        else:
            payload = {"msgtype": "text", "text": {"content": text}}
        if webhook.secret:
            ts = int(now_s * 1000)
            sign = dingtalk_sign(webhook.secret, ts)
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url = f"{url}{sep}{urllib.parse.urlencode({'timestamp': ts, 'sign': sign})}"
    elif webhook.provider == "feishu":
        if webhook.format == "markdown":
            payload = {
                "msg_type": "interactive",
                "card": {
                    "header": {"title": {"tag": "plain_text", "content": subject}},
                    "elements": [{"tag": "markdown", "content": message_text("", body, link, "markdown")}],
                },
            }
        else:
            payload = {"msg_type": "text", "content": {"text": text}}
        if webhook.secret:
            ts = int(now_s)
            payload = {"timestamp": str(ts), "sign": feishu_sign(webhook.secret, ts), **payload}
    else:
        raise WebhookURLError(f"unknown provider {webhook.provider}")
    return url, payload


def check_reply(provider, status, data):
    """The robots answer HTTP 200 with an error code in the JSON body when they refuse a message."""
    if status != 200:
        raise WebhookError(f"HTTP {status}: {data[:300]!r}")
    try:
        reply = json.loads(data or b"{}")
    except ValueError:
        raise WebhookError(f"HTTP 200 but not JSON: {data[:300]!r}")
    if not isinstance(reply, dict):
        raise WebhookError(f"unexpected reply: {data[:300]!r}")
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0)))
    if code not in (0, "0", None):
        msg = reply.get("errmsg") or reply.get("msg") or reply.get("StatusMessage") or ""
        raise WebhookError(f"{provider} error {code}: {msg}"[:500])
    return reply


# --- transport -------------------------------------------------------------------------------------------


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to a pre-checked address, with the certificate checked against the host name."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection(self._address, self.timeout)


def post_json(url, payload, *, timeout=None, resolve=socket.getaddrinfo):
    """POST JSON; return (status, body bytes). Total time is bounded by `timeout` seconds."""
    timeout = timeout_seconds() if timeout is None else timeout
    parts, addresses = validate_webhook_url(url, resolve=resolve)
    host = parts.hostname
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    data = json.dumps(payload, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "liaison-portal/1",
    }
    deadline = time.monotonic() + timeout
    if parts.scheme == "https":
        conn = _PinnedConnection(
            host, addresses[0], port=addresses[0][1], timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = _PinnedHTTPConnection(host, addresses[0], port=addresses[0][1], timeout=timeout)

    def _kill():
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout, _kill)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", path, body=data, headers=headers)
        resp = conn.getresponse()
        chunks, size = [], 0
        while size < MAX_RESPONSE_BYTES:
            if time.monotonic() > deadline:
                raise WebhookError(f"timed out after {timeout:g}s")
            chunk = resp.read1(MAX_RESPONSE_BYTES - size) if hasattr(resp, "read1") else resp.read(4096)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if time.monotonic() > deadline:
            raise WebhookError(f"timed out after {timeout:g}s")
        return resp.status, b"".join(chunks)
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline:
            raise WebhookError(f"timed out after {timeout:g}s")
        raise WebhookError(f"{type(exc).__name__}: {exc}")
    finally:
        watchdog.cancel()
        conn.close()


def send(webhook, subject, body, link):
    """Post one message to one robot; raises WebhookURLError / WebhookError; returns a short result."""
    url, payload = build_request(webhook, subject, body, link)
    status, data = post_json(url, payload)
    check_reply(webhook.provider, status, data)
    return f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}"
