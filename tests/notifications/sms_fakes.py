"""Local fakes of the SMS providers' HTTP APIs on 127.0.0.1, enough for their SDKs.

Alibaba Cloud (dysmsapi 2017-05-25, RPC style): `Action=SendSms` / `QuerySendDetails` in the query
string or the form body, JSON replies with `Code: "OK"`. Tencent Cloud (sms 2021-01-11, TC3): a JSON
POST with the action in the `X-TC-Action` header, replies `{"Response": {…}}`.

Each fake records what it received: `sent` (one dict per accepted message) and `requests` (every
call). `fail_next(n, code)` answers the next n sends with the provider's error code; `http_error_next(n)`
with HTTP 500; `hang_next(n, seconds)` answers only after `seconds` (timeouts).
"""

import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Fake:
    def __init__(self):
        self.sent = []
        self.requests = []
        self.lock = threading.Lock()
        self._failures = []  # ("code", value) | ("http", 500) | ("hang", seconds), consumed by sends
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, body = fake.handle(self, raw)
                data = json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", fake.CONTENT_TYPE)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, n=1, code=None):
        self._failures += [("code", code or self.TRANSIENT)] * n

    def http_error_next(self, n=1):
        self._failures += [("http", 500)] * n

    def hang_next(self, n=1, seconds=3.0):
        self._failures += [("hang", seconds)] * n

    def _failure(self):
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class FakeAliyunSms(_Fake):
    CONTENT_TYPE = "application/json;charset=utf-8"
    TRANSIENT = "isv.BUSINESS_LIMIT_CONTROL"

    def handle(self, handler, raw):
        parts = urllib.parse.urlsplit(handler.path)
        params = dict(urllib.parse.parse_qsl(parts.query))
        params.update(dict(urllib.parse.parse_qsl(raw.decode() if raw else "")))
        action = params.get("Action") or handler.headers.get("x-acs-action")  # v1: parameter, v3: header
        with self.lock:
            self.requests.append({"action": action, "params": params})
        # the SDK signs either the v1 way (Signature, AccessKeyId parameters) or the v3 way (header)
        signed = params.get("Signature") and params.get("AccessKeyId")
        signed = signed or (handler.headers.get("Authorization") or "").startswith("ACS3-HMAC-SHA256 Credential=")
        if not signed:
            return 400, {"Code": "MissingSignature", "Message": "no signature", "RequestId": "r"}
        if action == "SendSms":
            failure = self._failure()
            if failure and failure[0] == "hang":
                time.sleep(failure[1])
            elif failure and failure[0] == "http":
                return 500, {"Code": "InternalError", "Message": "boom", "RequestId": "r"}
            elif failure:
                return 200, {"Code": failure[1], "Message": "refused", "RequestId": "r"}
            biz_id = f"{next(self._ids):06d}^0"
            with self.lock:
                self.sent.append(
                    {
                        "phone": params["PhoneNumbers"],
                        "sign": params.get("SignName"),
                        "template": params["TemplateCode"],
                        "params": json.loads(params.get("TemplateParam") or "{}"),
                        "out_id": params.get("OutId", ""),
                        "id": biz_id,
                        "status": 3,
                    }
                )
            return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": "r"}
        if action == "QuerySendDetails":
            with self.lock:
                rows = [s for s in self.sent if s["phone"] == params.get("PhoneNumber")]
            dtos = [
                {
                    "PhoneNum": s["phone"],
                    "SendStatus": s["status"],
                    "ErrCode": "DELIVERED" if s["status"] == 3 else "",
                    "TemplateCode": s["template"],
                    "Content": json.dumps(s["params"], ensure_ascii=False),
                    "OutId": s["out_id"],
                    "SendDate": params.get("SendDate"),
                }
                for s in rows
            ]
            return 200, {
                "Code": "OK",
                "Message": "OK",
                "RequestId": "r",
                "TotalCount": len(dtos),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos},
            }
        return 400, {"Code": "InvalidAction", "Message": action, "RequestId": "r"}


class FakeTencentSms(_Fake):
    CONTENT_TYPE = "application/json"  # exactly: the SDK reads Response.Error only then
    TRANSIENT = "LimitExceeded.PhoneNumberThirtySecondLimit"

    def handle(self, handler, raw):
        action = handler.headers.get("X-TC-Action")
        body = json.loads(raw or b"{}")
        with self.lock:
            self.requests.append({"action": action, "params": body})
        if not (handler.headers.get("Authorization") or "").startswith("TC3-HMAC-SHA256"):
            return 200, {
                "Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "x"}, "RequestId": "r"}
            }
        if action == "SendSms":
            failure = self._failure()
            if failure and failure[0] == "hang":
                time.sleep(failure[1])
            elif failure and failure[0] == "http":
                return 500, {"Response": {"Error": {"Code": "InternalError", "Message": "boom"}, "RequestId": "r"}}
            elif failure:
                return 200, {"Response": {"Error": {"Code": failure[1], "Message": "refused"}, "RequestId": "r"}}
            statuses = []
            for phone in body["PhoneNumberSet"]:
                serial = f"2433:{next(self._ids):010d}"
                with self.lock:
                    self.sent.append(
                        {
                            "phone": phone,
                            "sign": body.get("SignName"),
                            "template": body["TemplateId"],
                            "params": body.get("TemplateParamSet", []),
                            "out_id": body.get("SessionContext", ""),
                            "app_id": body.get("SmsSdkAppId"),
                            "id": serial,
                        }
                    )
                statuses.append(
                    {
                        "SerialNo": serial,
                        "PhoneNumber": phone,
                        "Fee": 1,
                        "SessionContext": body.get("SessionContext", ""),
                        "Code": "Ok",
                        "Message": "send success",
                        "IsoCode": "CN",
                    }
                )
            return 200, {"Response": {"SendStatusSet": statuses, "RequestId": "r"}}
        if action == "PullSmsSendStatusByPhoneNumber":
            with self.lock:
                rows = [s for s in self.sent if s["phone"] == body.get("PhoneNumber")]
            offset, limit = int(body.get("Offset", 0)), int(body.get("Limit", 100))
            return 200, {
                "Response": {
                    "PullSmsSendStatusSet": [
                        {
                            "UserReceiveTime": "2026-11-24 10:00:01",
                            "CountryCode": "86",
                            "SubscriberNumber": s["phone"][3:],
                            "PhoneNumber": s["phone"],
                            "SerialNo": s["id"],
                            "ReportStatus": "SUCCESS",
                            "Description": "DELIVRD",
                            "SessionContext": s["out_id"],
                        }
                        for s in rows[offset : offset + limit]
                    ],
                    "RequestId": "r",
                }
            }
        return 200, {"Response": {"Error": {"Code": "InvalidAction", "Message": action}, "RequestId": "r"}}
