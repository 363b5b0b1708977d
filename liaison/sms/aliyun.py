"""Alibaba Cloud SMS (dysmsapi 2017-05-25) through its SDK: SendSms and QuerySendDetails.

`endpoint` defaults to dysmsapi.aliyuncs.com over HTTPS; the tests point it at a local fake
(`127.0.0.1:<port>`, protocol http). The SDK's own retries are off: the outbox retries with backoff.
"""

import datetime
import json
import zoneinfo

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as openapi_models
from darabonba.runtime import RuntimeOptions

from .base import ACCEPTED, DELIVERED, FAILED, NOT_FOUND, SmsError, SmsPermanentError, SmsProvider, Status

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# error codes for which a retry cannot help (https://help.aliyun.com/document_detail/101346.html)
PERMANENT = {
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
}


class AliyunProvider(SmsProvider):
    name = "aliyun"

    def client(self):
        endpoint = self.options.get("endpoint") or "dysmsapi.aliyuncs.com"
        protocol = "https"
        if "://" in endpoint:
            protocol, endpoint = endpoint.split("://", 1)
        config = openapi_models.Config(
            access_key_id=self.options.get("access_key_id") or "",
            access_key_secret=self.options.get("access_key_secret") or "",
            endpoint=endpoint.rstrip("/"),
            protocol=protocol,
            read_timeout=int(self.timeout * 1000),
            connect_timeout=int(self.timeout * 1000),
        )
        return Client(config)

    def _runtime(self):
        return RuntimeOptions(autoretry=False, max_attempts=1)

    def _call(self, method, request):
        try:
            response = getattr(self.client(), method)(request, self._runtime())
        except Exception as exc:  # noqa: BLE001 - the SDK raises its own and transport errors
            code = getattr(exc, "code", "") or ""
            text = f"{type(exc).__name__}: {code} {getattr(exc, 'message', '') or exc}".strip()
            raise (SmsPermanentError if code in PERMANENT else SmsError)(text[:500]) from exc
        body = response.body
        if body is None or body.code != "OK":
            code = getattr(body, "code", "") or "no body"
            text = f"Alibaba Cloud SMS {code}: {getattr(body, 'message', '')}"
            raise (SmsPermanentError if code in PERMANENT else SmsError)(text[:500])
        return body

    def send(self, phone, template_code, params, *, out_id="", text=""):
        request = sms_models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=self.sign_name,
            template_code=template_code,
            template_param=json.dumps(dict(params), ensure_ascii=False),
            out_id=out_id or None,
        )
        return self._call("send_sms_with_options", request).biz_id or ""

    def query_status(self, message_id, *, phone, sent_at):
        # QuerySendDetails lists a number's messages of one day (China time); ours is the one whose
        # OutId is our id. A send near midnight may be filed under the next day: both are asked.
        local = sent_at.astimezone(SHANGHAI)
        days = sorted({local.date(), (local + datetime.timedelta(minutes=15)).date()})
        for day in days:
            page = 1
            while True:
                request = sms_models.QuerySendDetailsRequest(
                    phone_number=phone, send_date=day.strftime("%Y%m%d"), page_size=50, current_page=page
                )
                body = self._call("query_send_details_with_options", request)
                rows = (body.sms_send_detail_dtos.sms_send_detail_dto or []) if body.sms_send_detail_dtos else []
                for row in rows:
                    if row.out_id == message_id:
                        # SendStatus: 1 waiting for the report, 2 failed, 3 delivered
                        state = {1: ACCEPTED, 2: FAILED, 3: DELIVERED}.get(int(row.send_status or 1), ACCEPTED)
                        return Status(state, detail=row.err_code or "")
                total = int(body.total_count or 0)
                if page * 50 >= total or not rows:
                    break
                page += 1
        return Status(NOT_FOUND)
