"""SMS behind one provider interface (`liaison.sms.base.SmsProvider`), chosen by settings.

Settings (Django settings or environment variables of the same name):

- `LIAISON_SMS_BACKEND`: `console` (default: printed, nothing leaves the machine), `aliyun`
  (Alibaba Cloud SMS), `tencent` (Tencent Cloud SMS), `locmem` (kept in `liaison.sms.console.outbox`, tests);
- `LIAISON_SMS_SIGN_NAME`: the approved signature (签名), e.g. 翠湖物业;
- `LIAISON_SMS_ACCESS_KEY_ID`, `LIAISON_SMS_ACCESS_KEY_SECRET`: AccessKey (Alibaba) or SecretId/SecretKey (Tencent);
- `LIAISON_SMS_APP_ID`: Tencent's SmsSdkAppId; `LIAISON_SMS_REGION`: Tencent's region (ap-guangzhou);
- `LIAISON_SMS_ENDPOINT`: the API host (default the provider's; `http://127.0.0.1:<port>` for a local fake);
- `LIAISON_SMS_TIMEOUT`: seconds per call (default 5).
"""

import os

from django.conf import settings

from .base import SmsError, SmsPermanentError, SmsProvider, Status  # noqa: F401

BACKENDS = {
    "console": "liaison.sms.console.ConsoleProvider",
    "locmem": "liaison.sms.console.LocmemProvider",
    "aliyun": "liaison.sms.aliyun.AliyunProvider",
    "tencent": "liaison.sms.tencent.TencentProvider",
}


def _setting(name, default=""):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def backend_name():
    return str(_setting("LIAISON_SMS_BACKEND", "console") or "console").strip().lower()


def provider():
    """The configured provider (a new client per call: nothing is kept between messages)."""
    from django.utils.module_loading import import_string

    name = backend_name()
    if name not in BACKENDS:
        raise SmsPermanentError(f"unknown SMS backend {name!r} (LIAISON_SMS_BACKEND)")
    cls = import_string(BACKENDS[name])
    return cls(
        sign_name=_setting("LIAISON_SMS_SIGN_NAME", "物业联络平台"),
        timeout=float(_setting("LIAISON_SMS_TIMEOUT", 5) or 5),
        endpoint=_setting("LIAISON_SMS_ENDPOINT", ""),
        access_key_id=_setting("LIAISON_SMS_ACCESS_KEY_ID", ""),
        access_key_secret=_setting("LIAISON_SMS_ACCESS_KEY_SECRET", ""),
        app_id=_setting("LIAISON_SMS_APP_ID", ""),
        region=_setting("LIAISON_SMS_REGION", "ap-guangzhou"),
    )


def sign_name():
    return str(_setting("LIAISON_SMS_SIGN_NAME", "物业联络平台"))
