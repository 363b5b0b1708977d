"""Tencent Cloud SMS (2021-01-11) through its SDK: SendSms and PullSmsSendStatusByPhoneNumber.

`endpoint` defaults to sms.tencentcloudapi.com over HTTPS; the tests point it at a local fake
(`http://127.0.0.1:<port>`). Tencent's templates take positional parameters ({1}, {2}…), given in
the template's order. The status query is the by-number form of PullSmsSendStatus: the plain one pulls
the account's next unread reports (each report once, for whoever asks first), which cannot answer
"did this message leave"; the by-number form lists one number's reports in a time range without
consuming them, and ours is the one carrying our id as SessionContext.
"""

import datetime
import json

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from .base import DELIVERED, FAILED, NOT_FOUND, SmsError, SmsPermanentError, SmsProvider, Status

PERMANENT_PREFIXES = (
    "AuthFailure",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.MissingTemplateToModify",
    "InvalidParameterValue",
    "InvalidParameter",
    "UnauthorizedOperation",
    "UnsupportedOperation",
    "FailedOperation.PhoneNumberInBlacklist",
)


def _permanent(code):
    return any(code.startswith(p) for p in PERMANENT_PREFIXES)


class TencentProvider(SmsProvider):
    name = "tencent"

    def client(self):
        endpoint = self.options.get("endpoint") or "sms.tencentcloudapi.com"
        protocol = "https"
        if "://" in endpoint:
            protocol, endpoint = endpoint.split("://", 1)
        http = HttpProfile(protocol=protocol, endpoint=endpoint.rstrip("/"), reqTimeout=max(1, round(self.timeout)))
        cred = credential.Credential(
            self.options.get("access_key_id") or "", self.options.get("access_key_secret") or ""
        )
        return sms_client.SmsClient(cred, self.options.get("region") or "ap-guangzhou", ClientProfile(httpProfile=http))

    def _call(self, action, request):
        try:
            return getattr(self.client(), action)(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            text = f"Tencent Cloud SMS {code}: {exc.get_message()}"[:500]
            raise (SmsPermanentError if _permanent(code) else SmsError)(text) from exc
        except Exception as exc:  # noqa: BLE001 - transport errors
            raise SmsError(f"{type(exc).__name__}: {exc}"[:500]) from exc

    def send(self, phone, template_code, params, *, out_id="", text=""):
        request = models.SendSmsRequest()
        request.from_json_string(
            json.dumps(
                {
                    "PhoneNumberSet": [f"+86{phone}"],
                    "SmsSdkAppId": self.options.get("app_id") or "",
                    "SignName": self.sign_name,
                    "TemplateId": template_code,
                    "TemplateParamSet": [str(value) for _name, value in params],
                    "SessionContext": out_id,
                }
            )
        )
        response = self._call("SendSms", request)
        (status,) = response.SendStatusSet or [None]
        if status is None:
            raise SmsError("Tencent Cloud SMS: no send status in the reply")
        if status.Code != "Ok":
            text = f"Tencent Cloud SMS {status.Code}: {status.Message}"[:500]
            raise (SmsPermanentError if _permanent(status.Code or "") else SmsError)(text)
        return status.SerialNo or ""

    def query_status(self, message_id, *, phone, sent_at):
        begin = int((sent_at - datetime.timedelta(minutes=1)).timestamp())
        end = int((sent_at + datetime.timedelta(hours=1)).timestamp())
        offset = 0
        while True:
            request = models.PullSmsSendStatusByPhoneNumberRequest()
            request.from_json_string(
                json.dumps(
                    {
                        "BeginTime": begin,
                        "EndTime": end,
                        "Offset": offset,
                        "Limit": 100,
                        "PhoneNumber": f"+86{phone}",
                        "SmsSdkAppId": self.options.get("app_id") or "",
                    }
                )
            )
            rows = self._call("PullSmsSendStatusByPhoneNumber", request).PullSmsSendStatusSet or []
            for row in rows:
                if row.SessionContext == message_id:
                    state = DELIVERED if row.ReportStatus == "SUCCESS" else FAILED
                    return Status(state, message_id=row.SerialNo or "", detail=row.Description or "")
            if len(rows) < 100:
                return Status(NOT_FOUND)
            offset += 100
