"""Fixtures for the notification tests: a local robot endpoint and group robots."""

import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from liaison.models import RobotWebhook


class RobotEndpoint:
    """A local HTTP server standing in for WeCom/DingTalk/Feishu: records each POST.

    Paths: /ok answers {"errcode": 0}, /fail answers HTTP 500, /refuse answers 200 with an error code,
    /slow sends a byte every 0.2 s and never finishes.
    """

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                with endpoint.lock:
                    endpoint.requests.append(
                        {
                            "path": parts.path,
                            "query": dict(urllib.parse.parse_qsl(parts.query)),
                            "json": json.loads(raw or b"null"),
                            "content_type": self.headers.get("Content-Type"),
                            "at": time.time(),
                        }
                    )
                if parts.path == "/slow":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    try:
                        for _ in range(100):
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(0.2)
                    except OSError:
                        pass
                    return
                if parts.path == "/fail":
                    status, body = 500, b"internal error"
                elif parts.path == "/refuse":
                    status, body = 200, json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}).encode()
                else:
                    status, body = 200, json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/ok", query=""):
        return f"http://127.0.0.1:{self.port}{path}" + (f"?{query}" if query else "")

    def hits(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot_endpoint():
    endpoint = RobotEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
def allow_private(settings):
    settings.LIAISON_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def make_robot(estate_a):
    def make(url, *, estate=None, provider=RobotWebhook.Provider.WECOM, **kwargs):
        # created directly: the URL checks are tested on their own (tests use a local endpoint)
        return RobotWebhook.objects.create(
            estate=estate or estate_a, name=kwargs.pop("name", "运营群"), provider=provider, url=url, **kwargs
        )

    return make


@pytest.fixture
def silent_server():
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/hang"
    sock.close()


@pytest.fixture
def aliyun_sms(settings):
    from .sms_fakes import FakeAliyunSms

    fake = FakeAliyunSms()
    settings.LIAISON_SMS_BACKEND = "aliyun"
    settings.LIAISON_SMS_ENDPOINT = fake.endpoint
    settings.LIAISON_SMS_ACCESS_KEY_ID = "test-key"
    settings.LIAISON_SMS_ACCESS_KEY_SECRET = "test-secret"
    settings.LIAISON_SMS_SIGN_NAME = "翠湖物业"
    settings.LIAISON_SMS_TIMEOUT = 1
    yield fake
    fake.close()


@pytest.fixture
def tencent_sms(settings):
    from .sms_fakes import FakeTencentSms

    fake = FakeTencentSms()
    settings.LIAISON_SMS_BACKEND = "tencent"
    settings.LIAISON_SMS_ENDPOINT = fake.endpoint
    settings.LIAISON_SMS_ACCESS_KEY_ID = "AKIDtest"
    settings.LIAISON_SMS_ACCESS_KEY_SECRET = "test-secret"
    settings.LIAISON_SMS_APP_ID = "1400000001"
    settings.LIAISON_SMS_SIGN_NAME = "翠湖物业"
    settings.LIAISON_SMS_TIMEOUT = 1
    yield fake
    fake.close()


@pytest.fixture
def locmem_sms(settings):
    from liaison.sms import console

    settings.LIAISON_SMS_BACKEND = "locmem"
    settings.LIAISON_SMS_SIGN_NAME = "翠湖物业"
    console.reset()
    yield console.outbox
    console.reset()


@pytest.fixture
def wechat_api(settings):
    from django.core.cache import cache

    from .wechat_fake import FakeWeChat

    fake = FakeWeChat()
    settings.LIAISON_WECHAT_APP_ID = "wx-test-app"
    settings.LIAISON_WECHAT_APP_SECRET = "wx-secret"
    settings.LIAISON_WECHAT_TOKEN = "callback-token"
    settings.LIAISON_WECHAT_API_BASE = fake.api_base
    settings.LIAISON_WECHAT_TIMEOUT = 2
    cache.delete("liaison:wechat:wx-test-app_access_token")
    yield fake
    cache.delete("liaison:wechat:wx-test-app_access_token")
    fake.close()
