"""A local fake of the WeChat Official Account API (api.weixin.qq.com/cgi-bin/) on 127.0.0.1, enough for
wechatpy: token, qrcode/create, message/template/send. Records every call; `fail_next(errcode)` answers
the next template send with that error code."""

import itertools
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeWeChat:
    def __init__(self):
        self.templates = []  # each template message received
        self.qrcodes = []  # each qrcode/create body
        self.tokens = 0
        self._failures = []
        self.lock = threading.Lock()
        self._ids = itertools.count(1000)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                if parts.path == "/cgi-bin/token" and query.get("secret") == "wx-secret":
                    with fake.lock:
                        fake.tokens += 1
                    return self._reply({"access_token": "ACCESS-TOKEN", "expires_in": 7200})
                return self._reply({"errcode": 40001, "errmsg": "invalid credential"})

            def do_POST(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if query.get("access_token") != "ACCESS-TOKEN":
                    return self._reply({"errcode": 40014, "errmsg": "invalid access_token"})
                if parts.path == "/cgi-bin/qrcode/create":
                    with fake.lock:
                        fake.qrcodes.append(body)
                    scene = body["action_info"]["scene"]["scene_str"]
                    return self._reply(
                        {
                            "ticket": f"gQ{scene}",
                            "expire_seconds": body["expire_seconds"],
                            "url": f"http://weixin.qq.com/q/{scene}",
                        }
                    )
                if parts.path == "/cgi-bin/message/template/send":
                    with fake.lock:
                        failure = fake._failures.pop(0) if fake._failures else None
                        if failure is None:
                            fake.templates.append(body)
                    if failure is not None:
                        return self._reply({"errcode": failure, "errmsg": "refused"})
                    return self._reply({"errcode": 0, "errmsg": "ok", "msgid": next(fake._ids)})
                return self._reply({"errcode": 40066, "errmsg": "invalid url"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api_base(self):
        return f"http://127.0.0.1:{self.port}/cgi-bin/"

    def fail_next(self, errcode, n=1):
        self._failures += [errcode] * n

    def close(self):
        self.server.shutdown()
        self.server.server_close()
